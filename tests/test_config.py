"""Settings come from the environment: embedded defaults, production values, deploy check."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "SECRET_KEY": "x7#c9!vq2-0m@t8k^r5w&z1p*e4u6y3n-b_h+j=d(g)f%l0s.Q4aZ8LmW2",
    "ALLOWED_HOSTS": "qiaowei.example.cn",
    "HTTPS": "true",
    "DATABASE_URL": "postgres://qiaowei@db.internal:5432/qiaowei",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/0",
}


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {*PRODUCTION, "DEBUG", "CELERY_TASK_ALWAYS_EAGER", "EMAIL_URL"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


PRINT = """
import django; django.setup()
from django.conf import settings as s
print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND,
      s.SESSION_COOKIE_SECURE, s.TIME_ZONE, s.USE_TZ, s.LANGUAGE_CODE)
"""


def test_it_runs_embedded_with_no_variables():
    result = _run(PRINT, {})
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
        "False",
        "Asia/Shanghai",
        "True",
        "zh-hans",
    ]


def test_it_uses_postgres_and_a_broker_from_the_environment():
    result = _run(PRINT, PRODUCTION)
    engine, eager, _backend, secure, *_ = result.stdout.split()
    assert (engine, eager, secure) == ("django.db.backends.postgresql", "False", "True")


def test_it_passes_the_deploy_check_with_production_variables():
    result = _run(
        "import django, sys; django.setup(); from django.core.management import call_command;"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')",
        PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_warns_when_deployed_without_production_variables():
    result = _run(
        "import django; django.setup(); from django.core.management import call_command;"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')",
        {},
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_collects_static_files_as_make_demo_does(tmp_path):
    result = _run(
        "import django; django.setup(); from django.core.management import call_command;"
        "call_command('collectstatic', '--noinput', verbosity=0)",
        {"STATIC_ROOT": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "css" / "app.css").exists()
    assert (tmp_path / "admin" / "css" / "base.css").exists()
    assert not (tmp_path / "viewflow").exists()  # served by no page


def test_it_turns_postgresql_jit_off_unless_the_url_says_otherwise():
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    assert "-c jit=off" in _run(code, PRODUCTION).stdout
    own = {
        **PRODUCTION,
        "DATABASE_URL": PRODUCTION["DATABASE_URL"] + "?options=-c%20work_mem%3D8MB",
    }
    assert "jit" not in _run(code, own).stdout


def test_it_runs_a_workers_pool_process_below_the_web(monkeypatch, settings):
    from config.celery import _yield_to_the_web

    asked = []
    monkeypatch.setattr(os, "nice", asked.append)
    settings.WORKER_NICE = 7
    _yield_to_the_web()
    assert asked == [7]
