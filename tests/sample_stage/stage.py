"""A small stage that lives only in the tests: a department's reply. It declares each part
of the contract the tests exercise (``tests/test_stages.py``): a panel, a document kind
with its own print template and number mark, a clock held by an organisation, a
lifecycle hook, a timeline kind and an action whose tasks wait in a team queue. Nothing
outside ``tests/`` names it."""

from __future__ import annotations

from pathlib import Path

from cases.capabilities import Relation
from cases.models import Case, CaseEvent, Role, User
from cases.registry import ClockKind, ClockRule, Holder, Unit
from cases.timeline import fields as said
from cases.timeline import line
from documents.casefile import Slot
from documents.kinds import KindSpec
from workflows.panels import Panel
from workflows.stages import Stage

ACTION = "sample.reply"
CLOCK = "sample_reply"
KIND = "sample_reply_letter"
EVENT = "sample_suspended"


def _panel(case: Case, user: User, can: dict) -> dict | None:
    return {"sample_reply_note": "答复期限五个工作日"} if user.has_perm(ACTION, case) else None


def _on_suspend(*, case: Case, actor: User | None, on) -> None:
    """The reply waits with the case: said on its timeline."""
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=EVENT,
        transition="sample_wait",
        **said(line("The department's reply waits from %(on)s.", on=on.isoformat())),
    )


STAGE = Stage(
    name="sample_reply",
    templates=Path(__file__).parent / "templates",
    panels=(Panel("sample_reply", "sample_stage/panel.html", _panel, 45),),
    capabilities={ACTION: {Relation.DEPARTMENT: frozenset({Role.DEPARTMENT_LIAISON})}},
    queue_actions=(ACTION,),
    clocks=(
        ClockKind(
            ClockRule(CLOCK, 5, Unit.WORKING_DAYS, "协调工作规则"),
            "部门答复",
            held_by=Holder.ORGANISATION,
            stopped_by=("settle",),
        ),
    ),
    timeline_kinds={EVENT: "部门答复"},
    document_kinds=(
        KindSpec(
            KIND,
            "部门答复函",
            "Department's reply",
            "sample_reply",
            False,
            # The same name as a template of documents/: the stage's own must win.
            template="documents/print/closing_report.html",
            mark="复",
        ),
    ),
    slots=((Slot("部门答复函", "部门答复函", (KIND,)), "6 证据材料"),),
    hooks={"suspend": _on_suspend},
)
