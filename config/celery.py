"""Celery application. Tasks live in each app's ``tasks.py``; settings come from Django's."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("qiaowei")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _yield_to_the_web(**_kwargs) -> None:
    """A worker's pool process renders PDFs and sends e-mail: background work, which waits
    for nobody at a screen. On a machine shared with the web processes it runs at a lower
    CPU priority (WORKER_NICE, 10 by default), so that a page being served is never queued
    behind a document; with idle cores the documents go as fast as before."""
    from django.conf import settings

    os.nice(settings.WORKER_NICE)
