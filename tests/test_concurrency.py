"""Two people acting on the same case at the same moment: one wins, the other is told why."""

import pytest

from cases import services
from cases.models import Case, CaseEvent
from tests.conftest import at_once
from tests.factories import officer_of


@pytest.fixture
def accepted_for_review(intake, do, lawyer, lawyer2):
    """A case the officer sent to two advisers, ``lawyer`` leading, as the screens do."""
    from django.utils import timezone

    from cases.calendar import WorkingCalendar
    from workflows.review import selectors

    case = do(intake(), "screen", {"notes": "事实清楚"})
    case = do(case, "decide", {"decision": "accept"})
    due = selectors.default_due_on(case, timezone.localdate(), WorkingCalendar.load())
    data = {"lead": lawyer.pk, "members": [lawyer2.pk]}
    data |= {f"due_{lawyer.pk}": due, f"due_{lawyer2.pk}": due}
    return do(case, "send_to_review", data, form=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_simultaneous_acceptances_through(intake, city):
    first, second = officer_of(city, "sup1", "supervisor"), officer_of(city, "sup2", "supervisor")
    case = intake()
    services.transition_case(case=case, actor=first, name="start_screening")

    def accept(actor):
        services.transition_case(case=Case.objects.get(pk=case.pk), actor=actor, name="accept")
        return "accepted"

    results = at_once(lambda: accept(first), lambda: accept(second))

    outcomes = [r if isinstance(r, str) else r.error_list[0].code for r in results]
    assert sorted(outcomes) == ["accepted", "wrong_state"]
    assert Case.objects.get(pk=case.pk).status == "accepted"
    assert CaseEvent.objects.filter(case=case, transition="accept").count() == 1
    assert case.deadlines.filter(kind="handling").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_joins_two_reviews_submitted_at_the_same_moment_once(
    accepted_for_review, lawyer, lawyer2
):
    """The two reviewers submit in the same instant: the process lock serves them one after
    the other, so the second finds the first done and the reviews join exactly once."""
    from viewflow.workflow.models import Task

    from workflows.review import selectors
    from workflows.review import services as review
    from workflows.services import complete_task

    from .factories import opinion_data

    case = accepted_for_review
    seats = [selectors.seat_in(case, adviser) for adviser in (lawyer, lawyer2)]
    for seat, adviser in zip(seats, (lawyer, lawyer2), strict=True):
        review.declare(seat_pk=seat.pk, actor=adviser, has_conflict=False)

    def submit(seat, adviser):
        complete_task(task_id=seat.task_id, user=adviser, data=opinion_data("mediation"))
        return "submitted"

    results = at_once(lambda: submit(seats[0], lawyer), lambda: submit(seats[1], lawyer2))

    assert results == ["submitted", "submitted"]
    consolidate = Task.objects.filter(
        process__caseprocess__case=case, flow_task_type="HUMAN", status="ASSIGNED"
    )
    assert [t.flow_task.name for t in consolidate] == ["consolidate"]
    assert consolidate.get().owner == lawyer
    assert case.legal_reviews.get().status == "consolidating"
