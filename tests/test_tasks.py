"""Celery: after the calendar changes, a real worker re-derives the running clocks."""

from datetime import date

import pytest

from cases import services
from cases.models import Deadline

from .conftest import wait_for


def test_it_recomputes_running_clocks_after_commit(intake, django_capture_on_commit_callbacks):
    case = intake(received_on=date(2026, 11, 2))  # acceptance due Tuesday 11-17
    stopped = intake(title="已停止的时限", received_on=date(2026, 11, 2))
    stopped.deadlines.update(stopped_on=date(2026, 11, 5))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.set_calendar_override(day=date(2026, 11, 17), is_working_day=False, note="停电")

    assert len(callbacks) == 1
    assert case.deadlines.get().due_on == date(2026, 11, 18)
    assert stopped.deadlines.get().due_on == date(2026, 11, 17)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_it_recomputes_clocks_in_the_worker(intake, celery_worker):
    case = intake(received_on=date(2026, 11, 2))
    clock = case.deadlines.get()
    assert clock.due_on == date(2026, 11, 17)

    services.set_calendar_override(day=date(2026, 11, 17), is_working_day=False, note="停电")

    wait_for(lambda: Deadline.objects.get(pk=clock.pk).due_on == date(2026, 11, 18))
