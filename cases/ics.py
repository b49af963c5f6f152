"""iCalendar (RFC 5545 / iTIP RFC 5546) files for the events a stage invites people to: a
coordination meeting, a mediation session.

Everyone invited gets an e-mail with a .ics attachment. Moving the event sends an update
(same UID, higher SEQUENCE), cancelling it sends a cancellation. A file to download (not an
invitation) has no METHOD: a calendar imports it as it is.

This module knows nothing of the Django models: the caller hands over an `Event` of plain
data, with its own PRODID, and gets the bytes, with `content_type(method)` as their MIME
type.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, vCalAddress
from icalendar import Event as VEvent

REQUEST = "REQUEST"
CANCEL = "CANCEL"

# UIDs need a domain-like right side (RFC 5545 3.8.4.7): "session-12@qiaowei.invalid".
UID_DOMAIN = "qiaowei.invalid"

# The MIME type to attach the bytes with. The `method` parameter must repeat the calendar's
# METHOD (RFC 6047 2.4); mail clients look at it to offer the message as an invitation.
CONTENT_TYPE: dict[str, str] = {
    method: f"text/calendar; charset=utf-8; method={method}" for method in (REQUEST, CANCEL)
}
# A calendar without METHOD: a file to download, or one for someone with no address to
# answer from.
FILE_CONTENT_TYPE = "text/calendar; charset=utf-8"

# How far around the event the VTIMEZONE describes the zone's offsets. Enough for a client
# that shows the event moved by months; far smaller than icalendar's default 1970–2038.
_ZONE_MARGIN = datetime.timedelta(days=366)


@dataclass(frozen=True)
class Attendee:
    """A calendar user: someone invited, or the organiser."""

    name: str
    email: str


@dataclass(frozen=True)
class Event:
    """One event, as the invitation describes it, with its times written in `zone`.

    `uid` stays the same for the event across updates and the cancellation; `sequence` is 0
    when it is first sent and goes up by one each time it moves or is cancelled
    (RFC 5545 3.8.7.4), so that clients replace the older copy rather than add another.
    """

    uid: str
    sequence: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    zone: str
    summary: str
    description: str
    location: str
    url: str
    organizer: Attendee
    attendees: tuple[Attendee, ...]
    stamp: datetime.datetime


def content_type(method: str) -> str:
    """The MIME type for a calendar of this METHOD, e.g. 'text/calendar; …; method=REQUEST'."""
    try:
        return CONTENT_TYPE[method]
    except KeyError:
        raise ValueError(
            f"unknown iTIP method {method!r}: expected one of {sorted(CONTENT_TYPE)}"
        ) from None


def invitation(event: Event, *, prodid: str) -> bytes:
    """The .ics for sending the event, or for moving it (METHOD:REQUEST)."""
    return _calendar(event, prodid, REQUEST, "CONFIRMED")


def cancellation(event: Event, *, prodid: str) -> bytes:
    """The .ics that cancels the event (METHOD:CANCEL)."""
    return _calendar(event, prodid, CANCEL, "CANCELLED")


def calendar_file(event: Event, *, prodid: str, cancelled: bool = False) -> bytes:
    """The .ics of the event as a file, without METHOD (FILE_CONTENT_TYPE)."""
    return _calendar(event, prodid, None, "CANCELLED" if cancelled else "CONFIRMED")


def _calendar(event: Event, prodid: str, method: str | None, status: str) -> bytes:
    zone = _check(event)
    starts_at = event.starts_at.astimezone(zone)
    ends_at = event.ends_at.astimezone(zone)
    vevent = VEvent.new(
        uid=event.uid,
        sequence=event.sequence,
        stamp=event.stamp.astimezone(datetime.UTC),
        start=starts_at,
        end=ends_at,
        summary=event.summary,
        description=event.description,
        location=event.location,
        url=event.url or None,
        status=status,
        organizer=vCalAddress.new(event.organizer.email, cn=event.organizer.name),
        attendees=[_attendee(person, method) for person in event.attendees],
    )
    # Built by hand rather than with Calendar.new(), which would add a random calendar UID
    # and make the same event give different bytes each time.
    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add_component(vevent)
    # The VTIMEZONE that DTSTART;TZID=<zone> refers to, so that every client reads the same
    # wall time whatever zone database it has (none for a zone written as UTC, …Z).
    calendar.add_missing_timezones(
        first_date=starts_at.date() - _ZONE_MARGIN, last_date=ends_at.date() + _ZONE_MARGIN
    )
    return calendar.to_ical()


def _attendee(person: Attendee, method: str | None) -> vCalAddress:
    if method != REQUEST:
        # Nothing to answer to a cancellation (RFC 5546 3.2.5) or a file: asking for RSVP
        # would make some clients offer Accept/Decline on an event that no longer takes
        # place, or to nobody.
        return vCalAddress.new(person.email, cn=person.name, role="REQ-PARTICIPANT")
    return vCalAddress.new(
        person.email,
        cn=person.name,
        role="REQ-PARTICIPANT",
        partstat="NEEDS-ACTION",
        rsvp=True,
    )


def _check(event: Event) -> ZoneInfo:
    """Refuse what would give a wrong or invalid calendar; return the event's zone."""
    for field in ("starts_at", "ends_at", "stamp"):
        moment = getattr(event, field)
        # A naive time would be read in the reader's own zone: a meeting in Beijing at 09:30
        # would show at 09:30 in Toronto too.
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(
                f"{field} must be timezone-aware, got the naive datetime {moment.isoformat()}"
            )
    if event.ends_at <= event.starts_at:
        raise ValueError(
            "the event must end after it starts (RFC 5545 3.8.2.2): "
            f"starts_at={event.starts_at.isoformat()}, ends_at={event.ends_at.isoformat()}"
        )
    if event.sequence < 0:
        raise ValueError(f"sequence must be 0 or more, got {event.sequence}")
    if not event.uid:
        raise ValueError("uid must not be empty: clients match updates to the event by it")
    try:
        return ZoneInfo(event.zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {event.zone!r}, expected e.g. 'Asia/Shanghai'"
        ) from None
