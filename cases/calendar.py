"""China's working-day calendar: statutory holidays and swapped working weekends (调休) from
``holidays.China``, corrected by the administrator's ``CalendarOverride`` rows.

The next year's arrangement is announced by the State Council late in the year; until the
package knows it, an administrator enters it as overrides.
"""

from __future__ import annotations

import datetime
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone

ONE_DAY = datetime.timedelta(days=1)


def organisation_date(moment: datetime.datetime) -> datetime.date:
    """The calendar date of a moment in the organisations' time zone (TIME_ZONE), whoever's
    screen the step was taken from: a step at 17:30 UTC falls on the next day there."""
    return timezone.localdate(moment, timezone=ZoneInfo(settings.TIME_ZONE))


def organisation_today() -> datetime.date:
    """Today in the organisations' time zone: the date a case is accepted, suspended or
    settled on and a document issued on, never the date in the zone of whoever is logged in
    (at 07:56 UTC it is already tomorrow in China and still yesterday in Los Angeles)."""
    return organisation_date(timezone.now())


@cache
def _official() -> holidays.HolidayBase:
    # Public holidays only: the half-day category (Women's Day, Youth Day…) is not a day off
    # for a government office.
    return holidays.China()


class WorkingCalendar:
    """The calendar with a snapshot of the overrides; build one per request or computation."""

    def __init__(self, overrides: dict[datetime.date, bool]) -> None:
        # The overrides decide first; the official calendar answers the rest, remembered
        # here because a page of clocks asks about the same days over and over.
        self.known = dict(overrides)

    @classmethod
    def load(cls) -> WorkingCalendar:
        from .models import CalendarOverride

        return cls(dict(CalendarOverride.objects.values_list("day", "is_working_day")))

    def is_working_day(self, day: datetime.date) -> bool:
        if day not in self.known:
            self.known[day] = _official().is_working_day(day)
        return self.known[day]

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        while days:
            day += ONE_DAY
            if self.is_working_day(day):
                days -= 1
        return day

    def on_or_after(self, day: datetime.date) -> datetime.date:
        """``day`` if it is a working day, else the next working day."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in (start, end]; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            count += self.is_working_day(day)
        return count


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start``, with the administrator's overrides."""
    return WorkingCalendar.load().add_working_days(start, days)


def is_working_day(day: datetime.date) -> bool:
    return WorkingCalendar.load().is_working_day(day)
