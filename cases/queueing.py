"""Waking a worker up for work that is already stored.

Pending work (a document to render, a message to send) is a database row; the broker only
carries a wake-up. If the wake-up cannot be queued when the step commits (the broker is
down, the network hiccups) the step still succeeds: the failure is logged and the sweep
queues the work again once the broker is back (see PENDING_WORK_GRACE_SECONDS).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def wake_after_commit(task, *args) -> None:
    """Queue ``task(*args)`` once the surrounding transaction commits, never failing it."""
    transaction.on_commit(lambda: wake(task, *args))


def wake(task, *args) -> bool:
    """Queue ``task(*args)`` now; False (and a log line) if the broker could not take it."""
    try:
        task.delay(*args)
    except Exception:  # the broker's errors vary by transport; none may fail the caller
        logger.warning(
            "Could not queue %s%s; the sweep will queue it again.", task.name, args, exc_info=True
        )
        return False
    return True


def wake_stale(pending, task) -> int:
    """Queue ``task(pk)`` again for every row of ``pending`` (a queryset of work with a
    ``queued_at``) queued more than PENDING_WORK_GRACE_SECONDS ago: its wake-up was lost
    (broker down at commit) or its worker died. Returns how many were queued."""
    stale = timezone.now() - datetime.timedelta(seconds=settings.PENDING_WORK_GRACE_SECONDS)
    queued = 0
    for pk in pending.filter(queued_at__lt=stale).values_list("pk", flat=True):
        pending.model.objects.filter(pk=pk).update(queued_at=timezone.now())
        queued += wake(task, pk)
    return queued
