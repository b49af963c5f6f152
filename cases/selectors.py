"""Reads of the case core, scoped to what a user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from . import deadlines
from .calendar import WorkingCalendar
from .models import Case, CaseAccess, CaseEvent, Deadline, Organisation, User


def organisation_ids(user: User) -> set[int]:
    return set(user.memberships.values_list("organisation_id", flat=True))


def works_for(user: User, organisation: Organisation | None) -> bool:
    return organisation is not None and works_for_id(user, organisation.pk)


def works_for_id(user: User, organisation_id: int) -> bool:
    return user.is_superuser or user.memberships.filter(organisation_id=organisation_id).exists()


def can_work_on(user: User, case: Case) -> bool:
    """Whether the user may change the case: staff of the handling organisation."""
    return works_for(user, case.handling_organisation)


def visible_cases(user: User) -> QuerySet[Case]:
    """Cases the user may see: those handled by one of the user's organisations, those an
    organisation of the user was given read access to (a lower level after reporting up),
    those referred to one of them, and those assigned to the user. Everything else is as if
    it did not exist (404)."""
    cases = Case.objects.all()
    if user.is_superuser:
        return cases
    if not user.has_perm("cases.view_case"):
        return cases.none()
    mine = organisation_ids(user)
    return cases.filter(
        Q(handling_organisation__in=mine)
        | Q(referred_to__in=mine)
        | Q(pk__in=CaseAccess.objects.filter(organisation__in=mine).values("case"))
        | Q(officer=user)
    )


def case_list(user: User, *, query: str = "", status: str = "", category: str = ""):
    cases = visible_cases(user).select_related("handling_organisation", "officer")
    if query:
        cases = cases.filter(
            Q(number__icontains=query)
            | Q(title__icontains=query)
            | Q(parties__person__name_zh__icontains=query)
            | Q(parties__person__name_latin__icontains=query)
            | Q(parties__association__name__icontains=query)
        ).distinct()
    if status:
        cases = cases.filter(status=status)
    if category:
        cases = cases.filter(category=category)
    return cases


def case_parties(case: Case):
    return case.parties.select_related("person", "association", "on_behalf_of")


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor")


def case_clocks(case: Case) -> list[deadlines.ClockView]:
    """Running clocks first, each with the working days left from today."""
    clocks = sorted(case.deadlines.all(), key=lambda d: (not d.is_running, d.due_on))
    return deadlines.clock_views(clocks, timezone.localdate(), WorkingCalendar.load())


def can_extend(user: User, case: Case) -> bool:
    """Whether to offer the supervisor the one extension of the running handling clock."""
    return (
        user.has_perm("cases.approve_extension")
        and can_work_on(user, case)
        and case.deadlines.filter(
            kind=Deadline.Kind.HANDLING, stopped_on__isnull=True, extension_days=0
        ).exists()
    )
