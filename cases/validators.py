"""Rules on single values shared by the models, the forms and the services, so that a
screen and an API refuse the same input with the same message."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .calendar import organisation_today

# No case reaches back further than this; an earlier date is a slip (0001-01-01 is what an
# emptied date field can send) and near year 1 a time no longer converts to UTC.
EARLIEST_DATE = datetime.date(2000, 1, 1)

# Digits, spaces, +, - and brackets, then perhaps an extension: "+60 12-345 6789",
# "(0762) 3388000 转 8001", "+1 212 555 0100 ext. 12". \Z, not $: $ lets a newline through.
validate_phone = RegexValidator(
    r"^\+?[0-9 ()\-]{5,30}(\s*(ext\.?|x|转)\s*[0-9]{1,6})?\Z",
    gettext_lazy(
        "Enter a phone number: digits, spaces, +, - and brackets, with an extension "
        "if needed (转 8001 or ext. 8001)."
    ),
    code="invalid_phone",
    flags=re.IGNORECASE,
)


def _too_early(message: str) -> ValidationError:
    return ValidationError(message % {"date": EARLIEST_DATE.isoformat()}, code="too_early")


def check_received_on(day: datetime.date) -> None:
    """The date a letter, visit or complaint came in lies between 2000 and today."""
    if day < EARLIEST_DATE:
        raise _too_early(_("The date received cannot be before %(date)s."))
    if day > organisation_today():
        raise ValidationError(_("The date received cannot be in the future."), code="future")


def check_occurred_at(
    moment: datetime.datetime, *, received_on: datetime.date | None = None
) -> None:
    """A communication took place between 2000 (or the day its case was received) and now.
    The lower bounds are checked on the moment's own calendar date: converting 0001-01-01
    08:00 in Shanghai to UTC overflows."""
    if moment.date() < EARLIEST_DATE:
        raise _too_early(_("A communication cannot be before %(date)s."))
    if received_on and moment.date() < received_on:
        raise ValidationError(
            _("A communication cannot be before the case was received (%(date)s).")
            % {"date": received_on.isoformat()},
            code="before_receipt",
        )
    if moment > timezone.now():
        raise ValidationError(_("A communication cannot be in the future."), code="future")


# A name is one line of text: no control character (C0, DEL, C1), no line or paragraph
# separator. A line break in a name breaks every e-mail header it reaches (an escalation's
# subject names the holder of the clock) and every one-line list it is shown in.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def validate_name(value: str) -> None:
    """A name of a person, an organisation or an association: refused with a line break,
    a tab or another control character in it."""
    if _CONTROL_CHARACTERS.search(value or ""):
        raise ValidationError(
            _("A name cannot contain line breaks, tabs or other control characters."),
            code="control_characters",
        )


def one_line(text: str) -> str:
    """The text on one line: each run of control characters becomes one space."""
    return _CONTROL_CHARACTERS.sub(" ", text).strip()


# How far ahead a date that plans something (a case expected to resume, a correction of the
# working-day calendar, an adviser's absence) may lie. Farther is a slip of the keyboard
# (9999-12-31), which a notice to the parties would print.
YEARS_AHEAD = 2


def latest_ahead(today: datetime.date | None = None) -> datetime.date:
    """The last day a planned date may be: YEARS_AHEAD years after today."""
    today = today or organisation_today()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February, in a year that has none
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def check_step_on(day: datetime.date, *, received_on: datetime.date) -> None:
    """A step of a case dated to a day (its acceptance, suspension or resumption, the
    agreement that settles it) lies between the day the case was received and today."""
    if day < received_on:
        raise ValidationError(
            _("The date cannot be before the case was received (%(date)s).")
            % {"date": received_on.isoformat()},
            code="before_receipt",
        )
    if day > organisation_today():
        raise ValidationError(_("A step cannot be dated in the future."), code="future_step")


def check_expected_resume_on(day: datetime.date) -> None:
    """The day a suspended case is expected to resume: at most YEARS_AHEAD years ahead.
    (Not before the suspension: the service checks that, knowing its date.)"""
    latest = latest_ahead()
    if day > latest:
        raise ValidationError(
            _(
                "The expected date of resumption cannot be after %(date)s "
                "(%(years)d years from today)."
            )
            % {"date": latest.isoformat(), "years": YEARS_AHEAD},
            code="too_far_ahead",
        )


def check_planned_day(day: datetime.date) -> None:
    """A day of the working-day calendar or of an adviser's absence: from 2000 to
    YEARS_AHEAD years ahead."""
    if day < EARLIEST_DATE:
        raise _too_early(_("The date cannot be before %(date)s."))
    latest = latest_ahead()
    if day > latest:
        raise ValidationError(
            _("The date cannot be after %(date)s (%(years)d years from today).")
            % {"date": latest.isoformat(), "years": YEARS_AHEAD},
            code="too_far_ahead",
        )
