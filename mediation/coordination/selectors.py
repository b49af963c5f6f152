"""Reads of the coordination stage. A department sees only its own: the meetings it was
invited to, its own invitation and its own action items (anything else is a 404)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from cases.capabilities import may, memberships
from cases.models import Case, Role, User

from .models import ActionItem, Invitation, Meeting


def pending_invitation_items(case: Case) -> list[dict]:
    """The items of the reply tasks to create: the invitations of the meeting just
    convened, each with its department."""
    meeting = meeting_to_minute(case)
    return [
        {"invitation": pk, "organisation": organisation}
        for pk, organisation in meeting.invitations.filter(
            status=Invitation.Status.PENDING, task_id=None
        ).values_list("pk", "organisation_id")
    ]


def open_action_items(case: Case) -> list[dict]:
    """The items of the action tasks to create: the latest minuted meeting's items that
    are still (or again, after the officer rejected them) their departments' to do."""
    meeting = latest_finalised(case)
    if meeting is None:
        return []
    return [
        {"action": item.pk, "organisation": item.organisation_id}
        for item in meeting.actions.all()
        if item.is_open
    ]


def meeting_to_minute(case: Case) -> Meeting:
    """The meeting convened last and not minuted yet (the process convenes one at a time)."""
    return Meeting.objects.filter(
        case=case, status__in=[Meeting.Status.CONVENED, Meeting.Status.DRAFTED]
    ).latest("pk")


def latest_finalised(case: Case) -> Meeting | None:
    return (
        Meeting.objects.filter(case=case, status=Meeting.Status.FINALISED).order_by("-pk").first()
    )


def wants_another_meeting(case: Case) -> bool:
    meeting = latest_finalised(case)
    return bool(meeting and meeting.another_meeting)


def liaison_organisation_ids(user: User) -> set[int]:
    """The departments the person is a liaison of (from the roles read once a request)."""
    return {pk for pk, role in memberships(user) if role == Role.DEPARTMENT_LIAISON}


def sees_whole_meeting(user: User, case: Case) -> bool:
    """Whoever reads the case sees every department's reply and item (its officers, the
    head above, its adviser and mediator), except a department's liaison, who sees only
    their own department's."""
    return may(user, "cases.read_case", case) and (
        user.is_superuser or not liaison_organisation_ids(user)
    )


def meetings_of(case: Case, user: User) -> QuerySet[Meeting]:
    """The case's meetings this person may open: all for the case's staff, those it was
    invited to for a department."""
    meetings = Meeting.objects.filter(case=case)
    if not sees_whole_meeting(user, case):
        meetings = meetings.filter(invitations__organisation__in=liaison_organisation_ids(user))
    return meetings.prefetch_related("agenda").distinct()


def meeting_for(user: User, pk: int) -> Meeting | None:
    """A meeting this person may open, with what they may see of it; None: a 404."""
    meeting = Meeting.objects.select_related("case", "minutes", "briefing").filter(pk=pk).first()
    if meeting is None or not may(user, "cases.read_case", meeting.case):
        return None
    whole = sees_whole_meeting(user, meeting.case)
    own = liaison_organisation_ids(user)
    if not whole and not meeting.invitations.filter(organisation__in=own).exists():
        return None
    invitations = meeting.invitations.select_related("organisation", "delegated_to")
    actions = meeting.actions.select_related("organisation", "clock", "follow_up_by")
    if not whole:
        invitations = invitations.filter(organisation__in=own)
        actions = actions.filter(organisation__in=own)
    meeting.shown_invitations = list(invitations)
    meeting.shown_actions = list(actions.prefetch_related("reports__attachment"))
    meeting.sees_whole = whole
    return meeting


def department_items(user: User) -> QuerySet[ActionItem]:
    """The action items of the person's departments across all cases, open ones first by
    due date (the liaison's own screen)."""
    return (
        ActionItem.objects.filter(
            organisation__in=liaison_organisation_ids(user),
            meeting__status=Meeting.Status.FINALISED,
        )
        .select_related("meeting__case", "organisation", "clock")
        .prefetch_related(Prefetch("reports"))
        .order_by("clock__due_on", "pk")
    )


def case_panel(case: Case, user: User) -> list[Meeting]:
    return list(meetings_of(case, user).prefetch_related("invitations__organisation"))
