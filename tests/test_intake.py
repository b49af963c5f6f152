"""Intake's cost in queries ([Q6d]): a case start numbers the case, stores it with its
party, clock and registration form (pending work), starts its process and creates its
first task, in a fixed number of round trips that does not grow back unnoticed (it was 48,
with seven savepoints and four reads of the same process row). A count, not a timing."""

from __future__ import annotations

from django.utils import timezone
from viewflow.workflow.models import Task

from documents.models import Document

from .conftest import open_tasks

# The intake's queries: BEGIN (or the test's savepoint), the 文号 (one upsert), the
# organisation tree and the people the officer may pick, the locked person, the case, its
# party, its registration event, the calendar and its acceptance clock, the registration
# form's parties and its row, the process (two rows), the start task, the officer's
# standing on the case (two reads), the screening task and its link, COMMIT.
MAX_QUERIES = 20


def test_a_case_start_takes_at_most_twenty_queries(intake, django_assert_max_num_queries):
    intake()  # the first fills the process-wide caches (content types)
    with django_assert_max_num_queries(MAX_QUERIES):
        case = intake()
    # Every guarantee is still there: the gapless 文号, the clock, the process and its
    # first task, the registration form stored as pending work.
    assert case.number.endswith(f"〔{timezone.localdate().year}〕2号")  # the second number
    assert case.deadlines.filter(kind="acceptance").exists()
    assert [task.flow_task.name for task in open_tasks(case)] == ["screen"]
    form = Document.objects.get(case=case, kind="registration_form")
    assert form.rendering == Document.Rendering.PENDING and form.queued_at is not None
    assert Task.objects.filter(process__caseprocess__case=case).count() == 2
