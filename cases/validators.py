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
    if day > timezone.localdate():
        raise ValidationError(_("The date received cannot be in the future."), code="future")


def check_occurred_at(moment: datetime.datetime) -> None:
    """A communication took place between 2000 and now. The lower bound is checked on the
    moment's own calendar date: converting 0001-01-01 08:00 in Shanghai to UTC overflows."""
    if moment.date() < EARLIEST_DATE:
        raise _too_early(_("A communication cannot be before %(date)s."))
    if moment > timezone.now():
        raise ValidationError(_("A communication cannot be in the future."), code="future")
