"""Clocks that fire: reminders before a deadline, escalation to the supervisor after it,
and the daily digest. Each reminder and escalation is claimed with a conditional update,
so it goes out once even when the beat job runs twice or two workers run it at once."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.calendar import WorkingCalendar
from cases.deadlines import REMINDER_WORKING_DAYS, clock_views
from cases.models import CaseEvent, Deadline, User

from .notifications import notify, officers_of, supervisors_of

# The judicial-confirmation window is the parties' to use; it is reminded, never escalated.
ESCALATED_KINDS = [
    Deadline.Kind.ACCEPTANCE,
    Deadline.Kind.HANDLING,
    Deadline.Kind.MEDIATION,
]


def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _claim(deadline: Deadline, field: str) -> bool:
    """Mark the deadline as reminded/escalated unless someone already did; True if we did."""
    return (
        Deadline.objects.filter(pk=deadline.pk, **{f"{field}__isnull": True}).update(
            **{field: timezone.now()}
        )
        == 1
    )


def _context(deadline: Deadline, today: datetime.date, calendar: WorkingCalendar) -> dict:
    case = deadline.case
    return {
        "case": case,
        # Lazy, so each reader's message names the clock in the reader's language.
        "clock": Deadline.Kind(deadline.kind).label,
        "due": deadline.due_on.isoformat(),
        "left": calendar.working_days_between(today, deadline.due_on),
        "url": _url(case.get_absolute_url()),
    }


@transaction.atomic
def _remind(deadline: Deadline, today: datetime.date, calendar: WorkingCalendar) -> bool:
    if not _claim(deadline, "reminded_at"):
        return False
    case = deadline.case
    recipients = [case.officer] if case.officer else officers_of(case.handling_organisation)
    context = _context(deadline, today, calendar)
    for user in recipients:
        notify(user, "reminder", context)
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.DEADLINE,
        transition="reminder",
        summary=_("Reminder sent: %(clock)s due on %(due)s.") % context,
    )
    return True


@transaction.atomic
def _escalate(deadline: Deadline, today: datetime.date, calendar: WorkingCalendar) -> bool:
    if not _claim(deadline, "escalated_at"):
        return False
    case = deadline.case
    context = _context(deadline, today, calendar)
    for user in supervisors_of(case.handling_organisation):
        notify(user, "escalation", context)
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.DEADLINE,
        transition="escalation",
        summary=_("Escalated to the supervisor: %(clock)s passed on %(due)s.") % context,
    )
    return True


def fire_clocks(*, today: datetime.date | None = None) -> dict[str, int]:
    """Send the reminders and escalations that are due today."""
    today = today or timezone.localdate()
    calendar = WorkingCalendar.load()
    running = Deadline.objects.filter(stopped_on__isnull=True).select_related(
        "case__handling_organisation", "case__officer"
    )
    reminder_horizon = calendar.add_working_days(today, REMINDER_WORKING_DAYS)
    due_soon = running.filter(
        reminded_at__isnull=True, due_on__gte=today, due_on__lte=reminder_horizon
    )
    overdue = running.filter(escalated_at__isnull=True, due_on__lt=today, kind__in=ESCALATED_KINDS)
    return {
        "reminders": sum(_remind(d, today, calendar) for d in due_soon),
        "escalations": sum(_escalate(d, today, calendar) for d in overdue),
    }


def send_daily_digests(*, today: datetime.date | None = None) -> int:
    """Each officer with a running clock due soon or overdue gets one summary e-mail."""
    today = today or timezone.localdate()
    calendar = WorkingCalendar.load()
    horizon = calendar.add_working_days(today, REMINDER_WORKING_DAYS)
    sent = 0
    for user in User.objects.filter(is_active=True, cases__deadlines__isnull=False).distinct():
        deadlines = list(
            Deadline.objects.filter(
                case__officer=user, stopped_on__isnull=True, due_on__lte=horizon
            )
            .select_related("case")
            .order_by("due_on")
        )
        if deadlines:
            with transaction.atomic():
                notify(
                    user,
                    "digest",
                    {
                        "clocks": clock_views(deadlines, today, calendar),
                        "url": _url("/"),
                    },
                )
            sent += 1
    return sent
