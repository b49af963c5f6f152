"""Settings for Qiaowei, read from environment variables.

With no variables set the project runs embedded: an SQLite file and media folder under
``var/``, Celery tasks run eagerly in the web process, e-mail goes to the console.
Production sets DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), SECRET_KEY,
ALLOWED_HOSTS and HTTPS=true; see README.md for the full list.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# The fallback key only ever serves the embedded demo; `check --deploy` flags it.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-embedded-demo-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS=true switches on everything a site served over TLS needs.
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# A working day at most, and gone with the browser: case files are read on shared office
# computers.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_celery_beat",
    "django_countries",
    "rules",
    "viewflow",
    "viewflow.workflow",
    "cases",
    "documents",
    # The stages before the process: each registers itself (workflows.stages) before
    # the process places their tasks in the flow (workflows.flows).
    "workflows.review",
    "mediation",
    "mediation.coordination",
    "mediation.sessions",
    "mediation.agreements",
    "workflows",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a form: one posted in another encoding than UTF-8 gets a 400.
    "cases.middleware.FormEncodingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cases.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "cases.middleware.NoStoreMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workflows.stages.menu",
            ],
            # The stages' own folders first (cases.templating), then as Django does by
            # default: the project's folder, then each app's, the lookups cached.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "cases.templating.StageLoader",
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        },
    },
]

# Forms render their widgets with the templates above, so that the project's own
# (templates/django/forms/) replace Django's where they are faster.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASE_URL = env("DATABASE_URL", default="")
if not DATABASE_URL:
    VAR_DIR.mkdir(exist_ok=True)  # the embedded default keeps its SQLite file here
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'qiaowei.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A connection kept across requests is checked before use, so the first request after the
# database restarted gets a new one instead of an error.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the queue's search on the watching tab is estimated dear enough
    # for PostgreSQL to compile it, which took 680 ms of CPU for a query that runs in 180;
    # under the load test that compilation held the database. A page's queries are short
    # and JIT is meant for long analytical ones. A DATABASE_URL's own options come first.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves several people at once. SQLite has one writer at a time:
    # WAL lets readers go on while it writes; a transaction takes the write lock when it
    # begins (IMMEDIATE), so two that read and then write (two draft saves, two sign-offs)
    # queue for it instead of one failing with "database is locked" (a deferred one that
    # read first cannot wait for a writer); and the one that queues waits up to 20 s.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTH_USER_MODEL = "cases.User"
# viewflow's own site frontend (Material pages, its middleware) is not used: the queue and
# task screens are this project's own.
VIEWFLOW = {"AUTOREGISTER": False}
# Roles held through organisation memberships grant the permissions of the role's group.
# Case actions come from the capability table (cases.capabilities) through `rules`.
# django-axes comes first: it refuses a locked-out login before any backend checks it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "cases.auth.MembershipBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): five wrong passwords lock the username, and five from one
# address lock that address, for 30 minutes; a successful login clears the count. An
# administrator unlocks earlier (README.md, "Running in production").
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# The address comes from X-Forwarded-For only behind our own proxy (see cases/security.py).
AXES_CLIENT_IP_CALLABLE = "cases.security.client_ip"

# Content-Security-Policy (django-csp): every script, style and image is served by the site
# itself, nothing may frame it, and forms only post back to it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "zh-hans"
# Traditional characters for the parties and liaisons abroad who read them (Hong Kong,
# Malaysia, Vancouver...): its catalogue is made from the Simplified one
# (cases/management/commands/traditional_catalogue.py).
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Country lists (django-countries) in the reader's language, the countries parties
# usually live in first: Malaysia, Indonesia, Singapore, Thailand, the Philippines, the
# United States, Canada, Australia, the United Kingdom; a line, then the others by name.
COUNTRIES_FIRST = ["MY", "ID", "SG", "TH", "PH", "US", "CA", "AU", "GB"]
COUNTRIES_FIRST_BREAK = "──────────"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "config.staticfiles.ServedAppsFinder",
]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Built by `manage.py build_print_fonts`; see documents/fonts.py.
PRINT_FONT_DIR = env.path("PRINT_FONT_DIR", default=str(VAR_DIR / "fonts"))
# The organisation's seal on rendered PDFs (documents/signing.py): its private key and
# certificate as PEM files, and optionally the certificates above it and the key's
# passphrase. Unset (the demo, the tests), a demo certificate made once in
# SIGNING_DEMO_DIR signs instead.
SIGNING_KEY = env("QIAOWEI_SIGNING_KEY", default="")
SIGNING_CERT = env("QIAOWEI_SIGNING_CERT", default="")
SIGNING_CHAIN = env("QIAOWEI_SIGNING_CHAIN", default="")
SIGNING_PASSPHRASE = env("QIAOWEI_SIGNING_PASSPHRASE", default="")
SIGNING_DEMO_DIR = VAR_DIR / "signing"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Not the manifest storage: viewflow's bundled CSS names font files it does not ship,
    # which makes manifest post-processing fail.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="qiaowei@localhost")
# A mail server that accepts the connection and then hangs must not hold a worker forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Links in e-mails point here.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
# Without a real broker (the embedded default) tasks run in the web process.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# Work that must not vanish (README, "Nothing lost"): the pending work itself is a row in
# the database (a document to render, a message to send) and a task only wakes a worker up
# for it. A task is acknowledged after it ran, not when it was taken (acks_late); if the
# pool child running it dies (OOM killer, kill -9), the task goes back to the queue instead
# of being acknowledged (reject_on_worker_lost); a worker takes one task at a time, so a
# dying worker holds no others (prefetch 1); and Redis hands an unacknowledged task to
# another worker only after the visibility timeout, which must outlast the longest render.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# A step that commits while the broker is down must not wait long for it: the wake-up is
# given up quickly (and logged); the sweep below queues it again.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# An odd reply from a broker that is just coming back (a Redis restart) is one more reason
# to reconnect, not to stop the worker ("Unrecoverable error").
CELERY_BROKER_CHANNEL_ERROR_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_TIMEZONE = TIME_ZONE
# How much lower a worker's pool processes run than the web (config/celery.py): 0-19.
WORKER_NICE = env.int("WORKER_NICE", default=10)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Work still pending this long after it was queued (its wake-up was lost, or a worker died
# with it) is queued again by the sweep, which runs every SWEEP_SECONDS.
PENDING_WORK_GRACE_SECONDS = env.int("PENDING_WORK_GRACE_SECONDS", default=180)
SWEEP_SECONDS = env.int("SWEEP_SECONDS", default=60)
# Reminders and escalations are claimed once each, so running hourly is safe and catches
# up after a pause; the digest goes out once a morning.
CELERY_BEAT_SCHEDULE = {
    "fire-clocks": {"task": "workflows.tasks.fire_clocks", "schedule": crontab(minute=5)},
    "daily-digest": {
        "task": "workflows.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    "render-pending-documents": {
        "task": "documents.tasks.render_pending_documents",
        "schedule": SWEEP_SECONDS,
    },
    "send-pending-messages": {
        "task": "cases.tasks.send_pending_messages",
        "schedule": SWEEP_SECONDS,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # fontTools reports every glyph it keeps when the print fonts are built, WeasyPrint every
    # step of every render.
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},  # announces its logger bridge at import
    },
}
