"""What the stages add to the floor, filled once at start-up by
``workflows.stages.register_stage``: the kinds of clock a stage runs, its e-mail templates,
its kinds of timeline entry, the actions that put its tasks in a team queue, and the
folders its templates are found in first.

The floor's own lists (``Deadline.Kind``, ``CaseEvent.Kind``, the core e-mails) name no
stage; everything that reads "every kind" reads them through the functions here. This
module imports no model, so the models can take their choices from it. Registering a name
twice fails at start-up: a stage can neither replace the floor's entries nor another
stage's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


class Unit(Enum):
    DAYS = "days"
    WORKING_DAYS = "working_days"
    MONTHS = "months"


@dataclass(frozen=True)
class ClockRule:
    kind: str
    amount: int
    unit: Unit
    source: str


class Holder(Enum):
    """Who a clock is: the case's (its officer answers), one person's own (a reviewer's
    due date), or one organisation's (a department's reply)."""

    CASE = "case"
    PERSON = "person"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class ClockKind:
    """A stage's kind of clock. ``stopped_by``: the case's transitions that stop it (a
    case that ends stops every clock anyway)."""

    rule: ClockRule
    label: object  # a lazy translation
    held_by: Holder = Holder.CASE
    reminded: bool = True
    escalates: bool = True
    stopped_by: tuple[str, ...] = ()
    # What the stage records when the clock is escalated, in the same transaction:
    # (deadline) -> None (an action item falls overdue).
    on_escalation: Callable | None = None

    @property
    def kind(self) -> str:
        return self.rule.kind


class Entries(dict):
    """A dict that refuses to overwrite: two registrations of one name are a mistake."""

    def __init__(self, what: str, fixed: Callable[[], object] = frozenset) -> None:
        super().__init__()
        self.what = what
        # The floor's own names of this sort, which a stage may not take either.
        self.fixed = fixed

    def add(self, name: str, value: object) -> None:
        if name in self or name in self.fixed():
            raise ImproperlyConfigured(f"{self.what} “{name}” is registered twice.")
        self[name] = value


def _core_clock_kinds() -> set[str]:
    from .models import Deadline

    return set(Deadline.Kind.values)


def _core_timeline_kinds() -> set[str]:
    from .models import CaseEvent

    return set(CaseEvent.Kind.values)


CLOCK_KINDS: Entries = Entries("Clock kind", _core_clock_kinds)
# name → template in the stage's own folder, e.g. "x_signed" → "x/email/signed.txt"
EMAILS: Entries = Entries("E-mail")
TIMELINE_KINDS: Entries = Entries("Timeline kind", _core_timeline_kinds)
# Actions whose tasks wait in a team queue for someone of the organisation to take.
QUEUE_ACTIONS: Entries = Entries("Team-queue action")
# A stage's own templates folder, searched before every app's (``cases.templating``).
TEMPLATE_DIRS: Entries = Entries("Templates folder of the stage")


def clock_kind_choices() -> list[tuple[str, object]]:
    from .models import Deadline

    return [*Deadline.Kind.choices, *((k.kind, k.label) for k in CLOCK_KINDS.values())]


def timeline_kind_choices() -> list[tuple[str, object]]:
    from .models import CaseEvent

    return [*CaseEvent.Kind.choices, *TIMELINE_KINDS.items()]


def email_template(name: str) -> str:
    return EMAILS.get(name, f"email/{name}.txt")


def template_dirs() -> list[Path]:
    return list(TEMPLATE_DIRS.values())
