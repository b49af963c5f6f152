"""Coordination meetings as a stage of the case process: its one registration. Everything
the layers below and the process know of it is declared here (``workflows.stages``)."""

from __future__ import annotations

from pathlib import Path

import rules
from django.utils.translation import gettext_lazy as _

from cases.capabilities import HEAD, STAFF, Relation
from cases.models import Case, Role, User
from cases.registry import ClockKind, ClockRule, Holder, Unit
from cases.selectors import case_timeline
from documents.casefile import Slot
from documents.kinds import KindSpec, Reader
from workflows.panels import Panel
from workflows.stages import MenuItem, Segment, Stage, register_stage

from . import demo, kinds, nodes, selectors, services, snapshots

# Who answers for an invited body: a department's liaisons, a 侨联's officers (the county
# 侨联 invited to a township's meeting).
LIAISON = frozenset({Role.DEPARTMENT_LIAISON}) | STAFF
CAPABILITIES = {
    # The case's officer convenes the meetings and writes their minutes; a unit the work
    # was sent down to does it there.
    "coordination.convene": {Relation.HANDLING: STAFF, Relation.BELOW: STAFF},
    "coordination.record_minutes": {Relation.HANDLING: STAFF, Relation.BELOW: STAFF},
    # An invited department's liaisons answer for it: its reply, its action items, its
    # corrections to the minutes (each only for their own department: ``may_as``).
    "coordination.reply": {Relation.DEPARTMENT: LIAISON},
    "coordination.act": {Relation.DEPARTMENT: LIAISON},
    "coordination.correct_minutes": {Relation.DEPARTMENT: LIAISON},
    # The supervisor lets the case go on without replies or action items still open.
    "coordination.override": {Relation.HANDLING: HEAD},
}


def panel_context(case: Case, user: User, can: dict) -> dict | None:
    # The timeline the case page reads once for every panel says whether a meeting was
    # ever convened: a case without one costs no query here.
    if not any(event.kind == kinds.MEETING for event in case_timeline(case)):
        return None
    meetings = selectors.case_panel(case, user)
    if not meetings:
        return None
    return {"meetings": meetings, "can_override": can.get("override")}


@rules.predicate
def _is_liaison(user) -> bool:
    return bool(user and user.is_authenticated and selectors.liaison_organisation_ids(user))


def register() -> None:
    # The liaison's list of their departments' action items, across cases.
    rules.set_perm("coordination.see_items", _is_liaison)
    register_stage(
        Stage(
            name="coordination",
            urls=("coordination/", "mediation.coordination.urls"),
            templates=Path(__file__).parent / "templates",
            flow=Segment("coordination", "convene", nodes.build, hands_on=("minutes",)),
            panels=(Panel("coordination", "coordination/panel.html", panel_context, 13),),
            capabilities=CAPABILITIES,
            queue_actions=(
                "coordination.convene",
                "coordination.record_minutes",
                "coordination.reply",
                "coordination.act",
            ),
            clocks=(
                ClockKind(
                    # Due by the working day before the meeting (services._reply_due).
                    ClockRule(kinds.REPLY_CLOCK, 3, Unit.WORKING_DAYS, "协调会工作规则"),
                    _("Reply to a meeting invitation"),
                    held_by=Holder.ORGANISATION,
                ),
                ClockKind(
                    # The working days the minutes give the item.
                    ClockRule(kinds.ACTION_CLOCK, 10, Unit.WORKING_DAYS, "会议纪要议定事项"),
                    _("Action item"),
                    held_by=Holder.ORGANISATION,
                    on_escalation=services.mark_overdue,
                ),
            ),
            emails={
                "coordination_invitation": "coordination/email/invitation.txt",
                "coordination_update": "coordination/email/update.txt",
                "coordination_cancelled": "coordination/email/cancelled.txt",
                "coordination_draft": "coordination/email/draft.txt",
                "coordination_reply": "coordination/email/reply.txt",
                "coordination_correction": "coordination/email/correction.txt",
            },
            timeline_kinds=kinds.TIMELINE_KINDS,
            document_kinds=(
                KindSpec(
                    kinds.MEETING_MINUTES,
                    "会议纪要",
                    "Minutes",
                    "minutes",
                    False,
                    label=_("Meeting minutes (纪要)"),
                    extra=snapshots.minutes_extra,
                    template="coordination/print/meeting_minutes.html",
                    mark="纪",
                    # To the departments that met: who the parties are, no contact details.
                    reader=Reader.BODY,
                ),
            ),
            # After the evidence and the committee's opinion (if that stage is installed),
            # before the mediation record: the order things happened in.
            slots=(
                (
                    Slot(
                        "会议纪要", _("Minutes of coordination meetings"), (kinds.MEETING_MINUTES,)
                    ),
                    ("6 证据材料", "法律意见书"),
                ),
            ),
            hooks={"withdraw": services.cancel_open_work},
            menu=(MenuItem(_("Action items"), "coordination:items", "coordination.see_items"),),
            demo=demo.DEMO,
        )
    )
