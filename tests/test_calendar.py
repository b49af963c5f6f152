"""The working-day calendar on real 2026 dates, with 调休 and administrator overrides."""

from datetime import date

import pytest

from cases import calendar, services
from cases.calendar import WorkingCalendar


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 9, 20), True),  # Sunday, swapped working day before National Day
        (date(2026, 10, 10), True),  # Saturday, swapped working day
        (date(2026, 10, 6), False),  # Tuesday inside the National Day holiday
        (date(2026, 10, 1), False),
        (date(2026, 2, 28), True),  # Saturday after the Spring Festival
        (date(2026, 3, 8), False),  # Women's Day is a Sunday: not a working day…
        (date(2026, 5, 4), False),  # …and Youth Day's half day off does not count, Labour Day does
        (date(2026, 11, 24), True),
        (date(2026, 11, 22), False),  # ordinary Sunday
    ],
)
def test_it_knows_2026_working_days(db, day, working):
    assert calendar.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 9, 30), 5, date(2026, 10, 13)),
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # Friday → the working Sunday
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Friday → the working Saturday
        (date(2026, 2, 14), 1, date(2026, 2, 24)),  # across the Spring Festival
        (date(2026, 11, 24), 0, date(2026, 11, 24)),
        (date(2026, 11, 20), 3, date(2026, 11, 25)),
    ],
)
def test_it_adds_working_days(db, start, days, expected):
    assert calendar.add_working_days(start, days) == expected


def test_it_refuses_negative_days(db):
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 11, 24), -1)


def test_it_applies_administrator_overrides(db):
    services.set_calendar_override(day=date(2026, 10, 8), is_working_day=False, note="台风停工")
    assert not calendar.is_working_day(date(2026, 10, 8))
    assert calendar.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 14)

    services.set_calendar_override(day=date(2026, 10, 11), is_working_day=True, note="补班")
    assert calendar.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)

    services.remove_calendar_override(day=date(2026, 10, 8))
    assert calendar.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 12)


def test_it_counts_working_days_between_dates(db):
    cal = WorkingCalendar.load()
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 13)) == 5
    assert cal.working_days_between(date(2026, 10, 13), date(2026, 9, 30)) == -5
    assert cal.working_days_between(date(2026, 10, 2), date(2026, 10, 7)) == 0
