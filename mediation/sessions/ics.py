"""A mediation session as an iCalendar file (``cases.ics``), one for each reader: its times
written in the reader's own zone (DTSTART;TZID=America/Vancouver, with that zone's
VTIMEZONE), its text in their language.

An invitation (METHOD:REQUEST) lists its reader alone as ATTENDEE: the parties are on
opposite sides of a dispute, and one party's address is not the other's to read. A
cancelled session gives METHOD:CANCEL. Someone with no address to answer from, and a
download from a page, get a file without METHOD.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import ics as calendar
from cases.models import Language, Party

from .models import Attendee, MediationSession
from .times import local_time

PRODID = "-//Qiaowei//Mediation sessions//ZH"
FILE_NAME = "mediation.ics"
REQUEST = calendar.REQUEST
CANCEL = calendar.CANCEL


@dataclass(frozen=True)
class Reader:
    """Whom a calendar is written for: their name and address, zone and language."""

    name: str
    address: str
    zone: ZoneInfo
    language: str


def reader_of(attendee: Attendee) -> Reader:
    return Reader(attendee.display_name, attendee.address, attendee.zone, attendee.reads)


def person_reader(party: Party) -> Reader:
    """A party who is a person (one acting for an association that attends, too)."""
    person = party.person
    return Reader(
        str(person), person.email, ZoneInfo(str(person.time_zone)), person.preferred_language
    )


def reading(language: str) -> str:
    """The language of the calendar's text: Chinese in the script the reader reads, else
    English, as the e-mail it comes with (``cases.notifications.party_language``)."""
    return language if language in (Language.ZH_HANS, Language.ZH_HANT) else Language.EN


def uid(session: MediationSession) -> str:
    return f"session-{session.pk}@{calendar.UID_DOMAIN}"


def session_invitation(session: MediationSession, attendee: Attendee, method: str = REQUEST) -> str:
    """The attendee's .ics: the session in their zone and language."""
    return invitation_for(session, reader_of(attendee), method)


def invitation_for(session: MediationSession, reader: Reader, method: str = REQUEST) -> str:
    method = method_for(session, reader, method)
    if not method:
        return session_calendar(session, reader.zone, reader.language)
    event = _event(session, reader, (calendar.Attendee(reader.name, reader.address),))
    build = calendar.cancellation if method == CANCEL else calendar.invitation
    return build(event, prodid=PRODID).decode()


def session_calendar(
    session: MediationSession, zone: ZoneInfo | str, language: str | None = None
) -> str:
    """The session as a file to download (a party's page): no METHOD, nobody to answer,
    in ``zone`` and ``language`` (the one active)."""
    zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(zone))
    reader = Reader("", "", zone, language or translation.get_language())
    event = _event(session, reader, ())
    cancelled = session.status == MediationSession.Status.CANCELLED
    return calendar.calendar_file(event, prodid=PRODID, cancelled=cancelled).decode()


def method_for(session: MediationSession, reader: Reader, method: str = REQUEST) -> str:
    """The METHOD the reader's calendar has: CANCEL for a cancelled session; "" (a plain
    file) for a reader with no address, whom no invitation can name."""
    if not reader.address:
        return ""
    return CANCEL if session.status == MediationSession.Status.CANCELLED else method


def content_type(method: str) -> str:
    return calendar.content_type(method) if method else calendar.FILE_CONTENT_TYPE


def _event(
    session: MediationSession, reader: Reader, attendees: tuple[calendar.Attendee, ...]
) -> calendar.Event:
    organiser = session.scheduled_by
    with translation.override(reading(reader.language)):
        summary = _("Mediation, round %(round)d: case %(number)s") % {
            "round": session.round,
            "number": session.case.number,
        }
        description = _description(session, reader.zone)
    return calendar.Event(
        uid=uid(session),
        sequence=session.sequence,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        zone=str(reader.zone),
        summary=summary,
        description=description,
        location=session.place or session.video_link,
        url=session.video_link,
        organizer=calendar.Attendee(str(organiser), organiser.email or settings.DEFAULT_FROM_EMAIL),
        attendees=attendees,
        stamp=timezone.now(),
    )


def _description(session: MediationSession, zone: ZoneInfo) -> str:
    """The case, the round, where, and the time in the reader's zone and in Beijing's (for
    a calendar that shows it in neither)."""
    case = session.case
    mode = MediationSession.Mode(session.mode).label
    lines = [
        _("Case %(number)s: %(title)s") % {"number": case.number, "title": case.title},
        _("Mediation round %(round)d (%(mode)s)") % {"round": session.round, "mode": mode},
        _("Your time: %(when)s") % {"when": _when(session, zone)},
        _("Beijing time: %(when)s") % {"when": _when(session, settings.TIME_ZONE)},
    ]
    if session.place:
        lines.append(_("Place: %(place)s") % {"place": session.place})
    if session.video_link:
        lines.append(_("Online: %(link)s") % {"link": session.video_link})
    if session.status == MediationSession.Status.CANCELLED:
        lines.append(_("Cancelled: %(reason)s") % {"reason": session.cancel_reason})
    return "\n".join(lines)


def _when(session: MediationSession, zone: ZoneInfo | str) -> str:
    return local_time("", zone, session.starts_at, session.duration_minutes).text
