"""The mediation sessions' e-mails to those invited: the invitation with its calendar file
(its update when the session moves, its cancellation), and a reminder the day before.

Each goes to a party who can be reached by e-mail (an address and their consents:
``cases.notifications.notify_party``), in their language, with the time in their zone and
in Beijing time, and the .ics in their zone (``ics``). It is queued with the step: a step
rolled back mails nobody. A message names what it delivers (``_reference``: the session at
its revision), so a step that runs twice sends nothing twice.

Someone attending who is not a party (an interpreter, an adviser) is sent the same at the
address they were named with, in their own language and zone
(``cases.notifications.notify_address``); one named without an address is sent nothing.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases.mail import MessageAttachment
from cases.models import Language, Party, Person
from cases.notifications import notify_address, notify_party
from cases.selectors import email_recipients

from . import ics
from .models import Attendee, MediationSession
from .times import SessionTime

INVITATION = "sessions_invitation"
UPDATE = "sessions_update"
CANCELLED = "sessions_cancelled"
REMINDER = "sessions_reminder"
# The stage's e-mails (``Stage.emails``).
EMAILS = {
    INVITATION: "sessions/email/invitation.txt",
    UPDATE: "sessions/email/update.txt",
    CANCELLED: "sessions/email/cancelled.txt",
    REMINDER: "sessions/email/reminder.txt",
    # The 调解笔录 once rendered (``documents.delivery``, the kind's ``email``).
    "sessions_record": "sessions/email/record.txt",
}
# How long before a session its reminder goes.
REMINDER_AHEAD = datetime.timedelta(hours=24)


def send_invitations(session: MediationSession, *, update: bool = False) -> list[Attendee]:
    """Invite every attendee (``update``: the session moved; the .ics replaces the earlier
    one). Returns the attendees nobody could be sent it to."""
    missed = _send(session, UPDATE if update else INVITATION, attach=True)
    # A new time wants its own reminder; an invitation that comes within the day before
    # the session is one.
    soon = session.starts_at - timezone.now() <= REMINDER_AHEAD
    session.attendees.update(reminded_at=timezone.now() if soon else None)
    return missed


def send_cancellation(session: MediationSession) -> list[Attendee]:
    """Tell every attendee the session is cancelled; the .ics takes it off their calendar.
    Returns the attendees nobody could be told."""
    return _send(session, CANCELLED, attach=True)


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Remind each attendee of a planned session that starts within REMINDER_AHEAD, once
    (``Attendee.reminded_at``, claimed before the message is queued: a second sweep, or
    one running at the same time, sends nothing again). Returns how many were reminded.
    One who cannot be reached yet is looked at again by the next sweep."""
    now = now or timezone.now()
    reachable = Q(party__isnull=False) | ~Q(email="")
    due = Attendee.objects.filter(
        reachable,
        reminded_at__isnull=True,
        session__status=MediationSession.Status.PLANNED,
        session__starts_at__gt=now,
        session__starts_at__lte=now + REMINDER_AHEAD,
    ).select_related("session__case", "session__scheduled_by", "party__person", "party__case")
    return sum(_remind(attendee, now) for attendee in due)


@transaction.atomic
def _remind(attendee: Attendee, now: datetime.datetime) -> bool:
    if not attendee.party_id:
        return _claim(attendee, now) and _notify_guest(attendee.session, attendee, REMINDER)
    recipients = email_recipients(attendee.party)
    if not recipients or not _claim(attendee, now):
        return False
    for party in recipients:
        _notify(attendee.session, party, REMINDER, attach=False)
    return True


def _claim(attendee: Attendee, now: datetime.datetime) -> bool:
    """Mark the attendee reminded unless someone already did; True if we did."""
    claimed = Attendee.objects.filter(pk=attendee.pk, reminded_at__isnull=True).update(
        reminded_at=now
    )
    return claimed == 1


def _send(session: MediationSession, name: str, *, attach: bool) -> list[Attendee]:
    attendees = session.attendees.select_related("party__person", "party__case")
    missed = []
    for attendee in attendees:
        if not attendee.party_id:
            if not _notify_guest(session, attendee, name, attach=attach):
                missed.append(attendee)
            continue
        # An association attending is reached through those acting for it, each in their
        # own zone and language.
        recipients = email_recipients(attendee.party)
        for party in recipients:
            _notify(session, party, name, attach=attach)
        if not recipients:
            missed.append(attendee)
    return missed


def _notify(session: MediationSession, party: Party, name: str, *, attach: bool) -> None:
    reader = ics.person_reader(party)
    notify_party(
        party=party,
        name=name,
        context=_context(session, _addressed(party.person)),
        attachment=_attachment(session, reader) if attach else None,
        reference=_reference(name, session),
    )


def _notify_guest(
    session: MediationSession, attendee: Attendee, name: str, *, attach: bool = False
) -> bool:
    """An attendee who is not a party, at their own address, zone and language (the .ics
    too); True if there was an address to send to."""
    if not attendee.email:
        return False
    notify_address(
        address=attendee.email,
        language=attendee.language,
        zone=str(attendee.time_zone),
        name=name,
        context=_context(session, attendee.name),
        case=session.case,
        attachment=_attachment(session, ics.reader_of(attendee)) if attach else None,
        reference=_reference(name, session),
    )
    return True


def _attachment(session: MediationSession, reader: ics.Reader) -> MessageAttachment:
    content_type = ics.content_type(ics.method_for(session, reader))
    return MessageAttachment(ics.FILE_NAME, ics.invitation_for(session, reader), content_type)


def _addressed(person: Person) -> str:
    """A party's name as their e-mail greets them: in Chinese or in Latin letters."""
    chinese = ics.reading(person.preferred_language) != Language.EN
    return (person.name_zh if chinese else person.name_latin) or str(person)


def _context(session: MediationSession, name: str) -> dict:
    return {
        "case": session.case,
        "session": session,
        "name": name,
        # Written as each reader's e-mail is rendered: in their zone, and in Beijing's.
        "when": SessionTime(session.starts_at, session.duration_minutes),
        "beijing": settings.TIME_ZONE,
    }


def _reference(name: str, session: MediationSession) -> str:
    """What the message delivers: this e-mail about the session at this revision (each
    move or cancellation counts ``sequence`` up)."""
    return f"{name}:{session.pk}:{session.sequence}"
