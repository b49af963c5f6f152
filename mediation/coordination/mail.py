"""The coordination stage's e-mails: invitations with an iCalendar file (and its update
when the meeting moves, or its cancellation), the draft minutes, and what the officer is
told. Each is queued with the step (``cases.notifications.notify``): a step rolled back
mails nobody."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from cases.mail import MessageAttachment
from cases.models import Case, Organisation, Role, User
from cases.notifications import case_officers, members, notify, site_url

from . import ics
from .models import Meeting

UID_DOMAIN = "qiaowei.invalid"  # UIDs need a domain-like right side (RFC 5545 §3.8.4.7)


def answerers(organisation: Organisation) -> list[User]:
    """Who answers an invitation for a body: a department's liaisons, a 侨联's officers
    and head (the county 侨联 at a township's meeting)."""
    if organisation.kind == Organisation.Kind.DEPARTMENT:
        return members(organisation, Role.DEPARTMENT_LIAISON)
    return [*members(organisation, Role.CASE_OFFICER), *members(organisation, Role.SUPERVISOR)]


def _recipients(meeting: Meeting) -> list[tuple[User, str]]:
    """Each invited body's answerers and each named guest with a login."""
    found = [
        (user, str(invitation.organisation))
        for invitation in meeting.invitations.select_related("organisation")
        for user in answerers(invitation.organisation)
    ]
    found += [(g.user, "") for g in meeting.guests.select_related("user") if g.user_id]
    return [(user, org) for user, org in found if user.email and user.is_active]


def event(meeting: Meeting, attendees: list[User]) -> ics.MeetingEvent:
    where = meeting.place or meeting.online_link
    agenda = "\n".join(f"{item.position}. {item.title}" for item in meeting.agenda.all())
    organiser = meeting.convened_by
    return ics.MeetingEvent(
        uid=f"meeting-{meeting.pk}@{UID_DOMAIN}",
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + datetime.timedelta(minutes=meeting.duration_minutes),
        zone=settings.TIME_ZONE,
        summary=meeting.title,
        description=f"{meeting.case.number} {meeting.case.title}\n{agenda}",
        location=where,
        url=site_url(meeting_url(meeting)),
        organizer=ics.Attendee(str(organiser), organiser.email or settings.DEFAULT_FROM_EMAIL),
        attendees=tuple(ics.Attendee(str(u), u.email) for u in attendees),
        stamp=timezone.now(),
    )


def meeting_url(meeting: Meeting) -> str:
    from django.urls import reverse

    return reverse("coordination:meeting", args=[meeting.pk])


def _send(meeting: Meeting, name: str, method: str) -> None:
    recipients = _recipients(meeting)
    calendar = event(meeting, [user for user, _org in recipients])
    content = ics.invitation(calendar) if method == "REQUEST" else ics.cancellation(calendar)
    attachment = MessageAttachment("meeting.ics", content.decode(), ics.content_type(method))
    for user, department in recipients:
        notify(
            user,
            name,
            {
                "case": meeting.case,
                "meeting": meeting,
                "department": department,
                "beijing": settings.TIME_ZONE,
                "url": site_url(meeting_url(meeting)),
            },
            attachment=attachment,
        )


def send_invitations(meeting: Meeting, update: bool = False) -> None:
    _send(meeting, "coordination_update" if update else "coordination_invitation", "REQUEST")


def send_cancellations(meeting: Meeting) -> None:
    _send(meeting, "coordination_cancelled", "CANCEL")


def send_draft(meeting: Meeting) -> None:
    for user, department in _recipients(meeting):
        if department:
            notify(
                user,
                "coordination_draft",
                {"case": meeting.case, "meeting": meeting, "url": site_url(meeting_url(meeting))},
            )


def tell_officers(case: Case, name: str, context: dict) -> None:
    for officer in case_officers(case):
        notify(officer, name, {"case": case, "url": site_url(case.get_absolute_url()), **context})
