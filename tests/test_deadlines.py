"""The statutory clocks: where they start, when they fall due, the one extension."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import deadlines, selectors, services
from cases.calendar import WorkingCalendar
from cases.models import CaseEvent, Deadline

K = Deadline.Kind


@pytest.mark.parametrize(
    ("kind", "start", "due"),
    [
        # 15 calendar days ending on National Day roll to the first working day after it.
        (K.ACCEPTANCE, date(2026, 9, 16), date(2026, 10, 8)),
        (K.ACCEPTANCE, date(2026, 11, 2), date(2026, 11, 17)),
        (K.HANDLING, date(2026, 8, 7), date(2026, 10, 8)),
        (K.HANDLING, date(2026, 9, 1), date(2026, 11, 2)),  # 10-31 is a Saturday
        (K.MEDIATION, date(2026, 1, 31), date(2026, 2, 28)),  # month end; swapped Saturday
        (K.MEDIATION, date(2026, 9, 1), date(2026, 10, 8)),
        (K.JUDICIAL_CONFIRMATION, date(2026, 9, 5), date(2026, 10, 8)),
    ],
)
def test_it_computes_due_dates(db, kind, start, due):
    assert deadlines.due_date(kind, start, WorkingCalendar.load()) == due


def test_it_starts_the_acceptance_clock_at_registration(intake):
    case = intake(received_on=date(2026, 9, 16))
    clock = case.deadlines.get()
    assert (clock.kind, clock.starts_on, clock.due_on) == (
        K.ACCEPTANCE,
        date(2026, 9, 16),
        date(2026, 10, 8),
    )


def _accept(case, supervisor, on):
    case = services.transition_case(case=case, actor=supervisor, name="start_screening")
    return services.transition_case(case=case, actor=supervisor, name="accept", on=on)


def test_it_swaps_the_acceptance_clock_for_the_handling_clock(case, supervisor):
    case = _accept(case, supervisor, date(2026, 11, 4))

    acceptance = case.deadlines.get(kind=K.ACCEPTANCE)
    handling = case.deadlines.get(kind=K.HANDLING)
    assert acceptance.stopped_on == date(2026, 11, 4)
    assert (handling.starts_on, handling.due_on, handling.stopped_on) == (
        date(2026, 11, 4),
        date(2027, 1, 4),
        None,
    )


def test_it_runs_the_mediation_and_confirmation_clocks(case, supervisor):
    case = _accept(case, supervisor, date(2026, 11, 4))
    for name in ["start_legal_review", "start_mediation"]:
        case = services.transition_case(case=case, actor=supervisor, name=name)
    # The month runs from the first session held (the mediation stage starts it), not
    # from the step.
    assert not case.deadlines.filter(kind=K.MEDIATION).exists()
    services.start_case_clock(case=case, kind=K.MEDIATION, starts_on=date(2026, 11, 10))
    assert (
        services.start_case_clock(case=case, kind=K.MEDIATION, starts_on=date(2026, 11, 12)) is None
    )
    clock = case.deadlines.get(kind=K.MEDIATION)
    assert (clock.starts_on, clock.due_on, clock.stopped_on) == (
        date(2026, 11, 10),
        date(2026, 12, 10),
        None,
    )

    case = services.transition_case(
        case=case, actor=supervisor, name="settle", on=date(2026, 11, 20)
    )

    assert case.deadlines.get(kind=K.MEDIATION).stopped_on == date(2026, 11, 20)
    assert case.deadlines.get(kind=K.HANDLING).stopped_on == date(2026, 11, 20)
    window = case.deadlines.get(kind=K.JUDICIAL_CONFIRMATION)
    assert (window.starts_on, window.due_on) == (date(2026, 11, 20), date(2026, 12, 21))


def test_it_stops_every_clock_on_closure(case, supervisor):
    case = _accept(case, supervisor, date(2026, 11, 4))
    case = services.transition_case(case=case, actor=supervisor, name="start_legal_review")
    services.transition_case(case=case, actor=supervisor, name="close", reason="书面答复已送达")
    assert not case.deadlines.filter(stopped_on__isnull=True).exists()


def test_it_extends_the_handling_deadline_once(case, supervisor):
    case = _accept(case, supervisor, date(2026, 11, 4))

    clock = services.extend_handling_deadline(
        case=case, actor=supervisor, days=30, reason="涉及多个部门，情况复杂"
    )

    assert (clock.due_on, clock.extension_days) == (date(2027, 2, 2), 30)
    event = case.events.filter(kind=CaseEvent.Kind.DEADLINE).get()
    assert event.reason == "涉及多个部门，情况复杂"
    with pytest.raises(ValidationError) as error:
        services.extend_handling_deadline(case=case, actor=supervisor, days=5, reason="再次")
    assert error.value.code == "extended_once"


@pytest.mark.parametrize(("days", "reason"), [(31, "复杂"), (0, "复杂"), (10, " ")])
def test_it_refuses_bad_extensions(case, supervisor, days, reason):
    case = _accept(case, supervisor, date(2026, 11, 4))
    with pytest.raises(ValidationError):
        services.extend_handling_deadline(case=case, actor=supervisor, days=days, reason=reason)
    assert case.deadlines.get(kind=K.HANDLING).extension_days == 0


def test_it_leaves_extensions_to_the_supervisor(case, supervisor, officer):
    case = _accept(case, supervisor, date(2026, 11, 4))
    with pytest.raises(PermissionDenied):
        services.extend_handling_deadline(case=case, actor=officer, days=10, reason="复杂")


def test_it_needs_a_running_handling_clock_to_extend(case, supervisor):
    with pytest.raises(ValidationError) as error:
        services.extend_handling_deadline(case=case, actor=supervisor, days=10, reason="复杂")
    assert error.value.code == "clock_not_running"


def test_it_shows_working_days_left(intake):
    today = timezone.localdate()
    case = intake(received_on=today)
    [clock] = selectors.case_clocks(case)
    expected = WorkingCalendar.load().working_days_between(today, clock.deadline.due_on)
    assert clock.working_days_left == expected > 0
    assert not clock.is_overdue


def test_it_flags_overdue_and_due_soon_clocks(db, case):
    clock = case.deadlines.get()
    cal = WorkingCalendar.load()
    [overdue] = deadlines.clock_views([clock], date(2026, 11, 18), cal)  # due 11-17
    [soon] = deadlines.clock_views([clock], date(2026, 11, 13), cal)
    [later] = deadlines.clock_views([clock], date(2026, 11, 3), cal)
    assert (overdue.is_overdue, overdue.working_days_left) == (True, -1)
    assert (soon.is_due_soon, soon.working_days_left) == (True, 2)
    assert (later.is_due_soon, later.is_overdue) == (False, False)
