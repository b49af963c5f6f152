"""iCalendar (RFC 5545 / iTIP RFC 5546) invitations to coordination meetings.

The 侨联 convenes a coordination meeting with government departments about a case; every
invited department and guest gets an e-mail with a .ics attachment. Moving the meeting sends
an update (same UID, higher SEQUENCE), cancelling it sends a cancellation.

This module knows nothing of the Django models: the caller hands over a `MeetingEvent` of
plain data and gets the bytes to attach, with `content_type(method)` as their MIME type.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, vCalAddress

PRODID = "-//Qiaowei//Coordination meetings//ZH"

REQUEST = "REQUEST"
CANCEL = "CANCEL"

# The MIME type to attach the bytes with. The `method` parameter must repeat the calendar's
# METHOD (RFC 6047 2.4); mail clients look at it to offer the message as an invitation.
CONTENT_TYPE: dict[str, str] = {
    method: f"text/calendar; charset=utf-8; method={method}" for method in (REQUEST, CANCEL)
}

# How far around the meeting the VTIMEZONE describes the zone's offsets. Enough for a client
# that shows the meeting moved by months; far smaller than icalendar's default 1970–2038.
_ZONE_MARGIN = datetime.timedelta(days=366)


@dataclass(frozen=True)
class Attendee:
    """A calendar user: a department's contact, a guest, or the organiser."""

    name: str
    email: str


@dataclass(frozen=True)
class MeetingEvent:
    """One coordination meeting, as the invitation describes it.

    `uid` stays the same for the meeting across updates and the cancellation; `sequence` is 0
    when it is convened and goes up by one each time it moves or is cancelled
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


def invitation(event: MeetingEvent) -> bytes:
    """The .ics for convening the meeting, or for moving it (METHOD:REQUEST)."""
    return _calendar(event, REQUEST, "CONFIRMED")


def cancellation(event: MeetingEvent) -> bytes:
    """The .ics that cancels the meeting (METHOD:CANCEL)."""
    return _calendar(event, CANCEL, "CANCELLED")


def _calendar(event: MeetingEvent, method: str, status: str) -> bytes:
    zone = _check(event)
    starts_at = event.starts_at.astimezone(zone)
    ends_at = event.ends_at.astimezone(zone)
    vevent = Event.new(
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
    # and make the same meeting give different bytes each time.
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(vevent)
    # The VTIMEZONE that DTSTART;TZID=<zone> refers to, so that every client reads the same
    # wall time whatever zone database it has (none for a zone written as UTC, …Z).
    calendar.add_missing_timezones(
        first_date=starts_at.date() - _ZONE_MARGIN, last_date=ends_at.date() + _ZONE_MARGIN
    )
    return calendar.to_ical()


def _attendee(person: Attendee, method: str) -> vCalAddress:
    if method == CANCEL:
        # Nothing to answer to a cancellation (RFC 5546 3.2.5): asking for RSVP would make
        # some clients offer Accept/Decline on a meeting that no longer takes place.
        return vCalAddress.new(person.email, cn=person.name, role="REQ-PARTICIPANT")
    return vCalAddress.new(
        person.email,
        cn=person.name,
        role="REQ-PARTICIPANT",
        partstat="NEEDS-ACTION",
        rsvp=True,
    )


def _check(event: MeetingEvent) -> ZoneInfo:
    """Refuse what would give a wrong or invalid calendar; return the organisation's zone."""
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
            "the meeting must end after it starts (RFC 5545 3.8.2.2): "
            f"starts_at={event.starts_at.isoformat()}, ends_at={event.ends_at.isoformat()}"
        )
    if event.sequence < 0:
        raise ValueError(f"sequence must be 0 or more, got {event.sequence}")
    if not event.uid:
        raise ValueError("uid must not be empty: clients match updates to the meeting by it")
    try:
        return ZoneInfo(event.zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {event.zone!r}, expected e.g. 'Asia/Shanghai'"
        ) from None
