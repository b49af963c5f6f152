"""A session's time as each participant reads it, and the warning when it falls outside
08:00–21:00 where someone is.

A session is one instant (``MediationSession.starts_at``, UTC). Each attendee and the
mediator read it in their own zone, with that zone's offset on the day of the session, not
today's: a session in July is at UTC-7 in Vancouver even when it is set in December.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cases import zones

from .models import Attendee, MediationSession
from .selectors import serving_mediator

# The hours a participant may be asked to attend, local time.
DAY_STARTS = datetime.time(8, 0)
DAY_ENDS = datetime.time(21, 0)


@dataclass(frozen=True)
class LocalTime:
    """One participant's view of a session: their zone and their wall-clock times."""

    name: str
    zone: str  # the IANA name, "America/Vancouver"
    starts_at: datetime.datetime  # aware, in `zone`
    ends_at: datetime.datetime
    attendee: Attendee | None = None  # None for the mediator and the others given

    @property
    def out_of_hours(self) -> bool:
        """Starts before 08:00 or ends after 21:00 of the day it starts, local time."""
        day = self.starts_at.date()
        earliest = datetime.datetime.combine(day, DAY_STARTS)
        latest = datetime.datetime.combine(day, DAY_ENDS)
        return _wall(self.starts_at) < earliest or _wall(self.ends_at) > latest

    @property
    def hours(self) -> str:
        """The hours, "22:30–23:30"; the end with its date when it is on another day; each with the
        zone's abbreviation when daylight saving changes during the session."""
        starts, ends = self.starts_at, self.ends_at
        end_format = "%H:%M" if starts.date() == ends.date() else "%Y-%m-%d %H:%M"
        if starts.utcoffset() != ends.utcoffset():
            return f"{_abbreviated(starts, '%H:%M')}–{_abbreviated(ends, end_format)}"
        return f"{starts:%H:%M}–{ends.strftime(end_format)}"

    @property
    def abbreviation(self) -> str:
        """The zone's abbreviation on the day ("PDT", "PST", "CST"); "" where the zone has
        none but its offset ("+08" in Kuala Lumpur)."""
        return _abbreviation(self.starts_at)

    @property
    def offset(self) -> str:
        """ "UTC-7": the offset at the session's start."""
        return zones.offset(self.zone, self.starts_at)

    @property
    def city(self) -> str:
        return zones.city(self.zone)

    @property
    def text(self) -> str:
        """ "2026-07-15 18:30–20:00 PDT (Vancouver, UTC-7)", in the reader's language."""
        time = f"{self.starts_at:%Y-%m-%d} {self.hours}"
        if self.abbreviation and self.starts_at.utcoffset() == self.ends_at.utcoffset():
            time = f"{time} {self.abbreviation}"
        return pgettext("time zone", "%(time)s (%(city)s, %(offset)s)") % {
            "time": time,
            "city": self.city,
            "offset": self.offset,
        }

    @property
    def warning(self) -> str:
        """What the scheduler is told when the session is out of hours for this person."""
        return _("%(name)s: %(hours)s (%(city)s, %(offset)s), outside %(start)s–%(end)s") % {
            "name": self.name,
            "hours": self.hours,
            "city": self.city,
            "offset": self.offset,
            "start": f"{DAY_STARTS:%H:%M}",
            "end": f"{DAY_ENDS:%H:%M}",
        }

    def __str__(self) -> str:
        return self.text


def local_time(
    name: str,
    zone: ZoneInfo | str,
    starts_at: datetime.datetime,
    duration_minutes: int,
    attendee: Attendee | None = None,
) -> LocalTime:
    """The session from ``starts_at`` (aware) for ``duration_minutes``, as read in ``zone``."""
    zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(zone))
    ends_at = starts_at + datetime.timedelta(minutes=duration_minutes)
    return LocalTime(
        name=name,
        zone=str(zone),
        starts_at=starts_at.astimezone(zone),
        ends_at=ends_at.astimezone(zone),
        attendee=attendee,
    )


def local_times(
    session: MediationSession, others: Iterable[tuple[str, ZoneInfo]] = ()
) -> list[LocalTime]:
    """The session as each attendee reads it, then the mediator serving on the case (in
    their login's zone), then ``others`` (name, zone) the caller adds."""
    attendees = session.attendees.select_related("party__person", "party__association")
    people = [
        local_time(a.display_name, a.zone, session.starts_at, session.duration_minutes, a)
        for a in attendees
    ]
    return people + [
        local_time(name, zone, session.starts_at, session.duration_minutes)
        for name, zone in [*_mediator(session), *others]
    ]


def out_of_hours(
    starts_at: datetime.datetime,
    duration_minutes: int,
    people: Iterable[tuple[str, ZoneInfo]],
) -> list[str]:
    """A warning for each person for whom the session starts before 08:00 or ends after
    21:00 local time, naming them and their local time: "谭永康 (Tham Weng Hong):
    22:30–00:00 (Kuala Lumpur, UTC+8), outside 08:00–21:00". In the reader's language."""
    read = [local_time(name, zone, starts_at, duration_minutes) for name, zone in people]
    return [person.warning for person in read if person.out_of_hours]


class SessionTime:
    """A session's time for a template, written when it is shown: in the zone then active
    ("Time: {{ when }}" is the reader's zone in their e-mail; inside ``{% timezone %}``,
    that zone's)."""

    def __init__(self, starts_at: datetime.datetime, duration_minutes: int) -> None:
        self.starts_at = starts_at
        self.duration_minutes = duration_minutes

    def __str__(self) -> str:
        zone = timezone.get_current_timezone()
        return local_time("", zone, self.starts_at, self.duration_minutes).text


def _mediator(session: MediationSession) -> list[tuple[str, ZoneInfo]]:
    mediator = serving_mediator(session.case)
    if mediator is None:
        return []
    return [(str(mediator.user), ZoneInfo(str(mediator.user.time_zone)))]


def _wall(moment: datetime.datetime) -> datetime.datetime:
    """The wall-clock time, compared as read on a clock there."""
    return moment.replace(tzinfo=None)


def _abbreviation(moment: datetime.datetime) -> str:
    name = moment.tzname() or ""
    return "" if name[:1] in ("+", "-") else name


def _abbreviated(moment: datetime.datetime, form: str) -> str:
    abbreviation = _abbreviation(moment)
    return f"{moment.strftime(form)} {abbreviation}".strip()
