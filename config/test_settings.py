"""Test override: same settings, with fast hashing, mail kept in memory and eager tasks.

DATABASE_URL still decides the database, so CI runs the suite on PostgreSQL. Tests
marked ``celery`` switch eager mode off and talk to a real worker over the broker.
"""

import os

from .settings import *  # noqa: F403
from .settings import VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
# Tasks go to a queue of this test process's own, which only the worker it starts consumes
# (tests/conftest.py): each xdist worker has its own test database, and another run may share
# the broker.
CELERY_TASK_DEFAULT_QUEUE = f"tests-{os.getpid()}"
MEDIA_ROOT = VAR_DIR / "test-media"
# The demo seal the tests sign with, apart from the one the demo made.
SIGNING_DEMO_DIR = VAR_DIR / "test-signing"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the app folders, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
