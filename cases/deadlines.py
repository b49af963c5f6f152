"""Statutory clocks of a case (shared/domain.md, "Statutory clocks").

A period in days starts counting the day after its start date; when a calendar-day period
ends on a day off, it ends on the next working day instead (the usual rule of Chinese
procedure law for periods). Working-day periods count working days only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from .calendar import WorkingCalendar
from .models import Deadline
from .registry import CLOCK_KINDS, ClockRule, Unit

Kind = Deadline.Kind


RULES: dict[str, ClockRule] = {
    rule.kind: rule
    for rule in (
        # 《信访工作条例》 Art. 22: register, then transfer or assign within 15 days.
        ClockRule(Kind.ACCEPTANCE, 15, Unit.DAYS, "《信访工作条例》第二十二条"),
        # Finish within 60 days of acceptance; one extension of at most 30 days.
        ClockRule(Kind.HANDLING, 60, Unit.DAYS, "《信访工作条例》"),
        # People's mediation is generally concluded within one month.
        ClockRule(Kind.MEDIATION, 1, Unit.MONTHS, "人民调解工作规定"),
        # 《人民调解法》 Art. 33: apply jointly within 30 days of the agreement taking effect.
        ClockRule(Kind.JUDICIAL_CONFIRMATION, 30, Unit.DAYS, "《人民调解法》第三十三条"),
        # Art. 23: the receiving body may object to a wrong referral within 5 working days;
        # without an objection by then the referral stands.
        ClockRule(Kind.REFERRAL_OBJECTION, 5, Unit.WORKING_DAYS, "《信访工作条例》第二十三条"),
    )
}


def rule_of(kind: str) -> ClockRule:
    """The floor's rule of a clock, or the one its stage registered."""
    return RULES[kind] if kind in RULES else CLOCK_KINDS[kind].rule


MAX_HANDLING_EXTENSION_DAYS = 30
REMINDER_WORKING_DAYS = 3


def due_date(
    kind: str,
    starts_on: datetime.date,
    calendar: WorkingCalendar,
    extension_days: int = 0,
    suspended_working_days: int = 0,
    period_working_days: int | None = None,
) -> datetime.date:
    """The clock's due date: its rule (or the period set for it) from ``starts_on``, plus
    an approved extension (in the rule's unit), plus the working days it waited (its case
    suspended, or a question of its holder's open)."""
    rule = rule_of(kind)
    if period_working_days is not None:
        due = calendar.add_working_days(starts_on, period_working_days + extension_days)
    elif rule.unit is Unit.WORKING_DAYS:
        due = calendar.add_working_days(starts_on, rule.amount + extension_days)
    else:
        if rule.unit is Unit.MONTHS:
            end = starts_on + relativedelta(months=rule.amount)
        else:
            end = starts_on + datetime.timedelta(days=rule.amount)
        due = calendar.on_or_after(end + datetime.timedelta(days=extension_days))
    return calendar.add_working_days(due, suspended_working_days)


def due_date_of(clock: Deadline, calendar: WorkingCalendar) -> datetime.date:
    """A stored clock's due date recomputed from its rule and what happened to it."""
    return due_date(
        clock.kind,
        clock.starts_on,
        calendar,
        clock.extension_days,
        clock.suspended_working_days,
        clock.period_working_days,
    )


def working_days_waited(
    suspended_on: datetime.date, resumed_on: datetime.date, calendar: WorkingCalendar
) -> int:
    """The working days a suspended clock waited: those after the day it was suspended, up
    to and including the day it resumed (a suspension and resumption on one day: none)."""
    return max(0, calendar.working_days_between(suspended_on, resumed_on))


def resume(clock: Deadline, resumed_on: datetime.date, calendar: WorkingCalendar) -> int:
    """Set a suspended clock going again, its due date moved on by the working days it
    waited; returns those days. The caller saves the clock."""
    waited = working_days_waited(clock.suspended_on, resumed_on, calendar)
    clock.suspended_working_days += waited
    clock.due_on = calendar.add_working_days(clock.due_on, waited)
    clock.suspended_on = None
    return waited


def current(case, kind: str) -> Deadline | None:
    """The case's newest clock of a kind, running or not."""
    return case.deadlines.filter(kind=kind).order_by("-starts_on", "-id").first()


@dataclass(frozen=True)
class ClockView:
    """A deadline as shown to a person on a given day."""

    deadline: Deadline
    today: datetime.date
    working_days_left: int | None

    @property
    def label(self) -> str:
        holder = self.deadline.holder
        kind = self.deadline.get_kind_display()
        return f"{kind} · {holder}" if holder else kind

    @property
    def is_overdue(self) -> bool:
        return self.deadline.is_running and self.today > self.deadline.due_on

    @property
    def is_due_soon(self) -> bool:
        left = self.working_days_left
        return not self.is_overdue and left is not None and left <= REMINDER_WORKING_DAYS


def clock_views(
    deadlines: list[Deadline], today: datetime.date, calendar: WorkingCalendar
) -> list[ClockView]:
    return [
        ClockView(
            d, today, calendar.working_days_between(today, d.due_on) if d.is_running else None
        )
        for d in deadlines
    ]
