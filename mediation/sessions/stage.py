"""Mediation as a stage of the case process: its one registration. Everything the layers
below and the process know of it is declared here (``workflows.stages``)."""

from __future__ import annotations

from pathlib import Path

import rules
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.capabilities import STAFF, Relation
from cases.models import Case, Role, User
from cases.selectors import case_timeline
from workflows.panels import Panel
from workflows.stages import MenuItem, Segment, Stage, register_stage

from . import (
    demo,
    kinds,
    mail,
    nodes,
    portal,
    portal_sessions,
    record_selectors,
    selectors,
    snapshots,
)

MEDIATOR = frozenset({Role.MEDIATOR})
CAPABILITIES = {
    # The case's officer assigns the mediator (a unit the work was sent down to does it
    # there).
    "sessions.assign": {Relation.HANDLING: STAFF, Relation.BELOW: STAFF},
    # The mediator named on the case (after declaring no conflict) mediates it: their
    # tasks, the sessions' records, the outcome.
    "sessions.mediate": {Relation.MEDIATOR: MEDIATOR},
    "sessions.record": {Relation.MEDIATOR: MEDIATOR},
    # Sessions are scheduled, moved or cancelled by the mediator or the case's officer, who
    # also records that both parties agreed to go on beyond the month.
    "sessions.schedule": {Relation.HANDLING: STAFF, Relation.MEDIATOR: MEDIATOR},
    "sessions.extend": {Relation.HANDLING: STAFF, Relation.MEDIATOR: MEDIATOR},
}


def panel_context(case: Case, user: User, can: dict) -> dict | None:
    if not any(event.kind in kinds.TIMELINE_KINDS for event in case_timeline(case)):
        return None
    return {
        "assignment": selectors.current_assignment(case),
        "mediation_sessions": selectors.sessions(case),
        "mediation_result": selectors.latest_result(case),
        "mediation_url": reverse("sessions:case", args=[case.pk]),
    }


@rules.predicate
def _is_mediator(user) -> bool:
    return bool(user and user.is_authenticated and hasattr(user, "mediator"))


def _gate(case_pk: int, user: User) -> str | None:
    """A mediator assigned to the case who has not declared yet goes to their declaration
    (the only part of the case they may see)."""
    task_id = selectors.undeclared_task(case_pk, user)
    return reverse("workflows:task", args=[task_id]) if task_id else None


def register() -> None:
    # The mediator's own list of cases, whatever the case.
    rules.set_perm("sessions.see_own", _is_mediator)
    register_stage(
        Stage(
            name="sessions",
            urls=("mediation/", "mediation.sessions.urls"),
            templates=Path(__file__).parent / "templates",
            flow=Segment("mediation", "assign_mediator", nodes.build, hands_on=("mediate",)),
            panels=(Panel("mediation", "sessions/panel.html", panel_context, 14),),
            capabilities=CAPABILITIES,
            queue_actions=("sessions.assign",),
            emails=mail.EMAILS,
            timeline_kinds=kinds.TIMELINE_KINDS,
            document_kinds=(snapshots.KIND,),
            # The 调解笔录 is the Ministry's item "7 调解记录".
            slot_kinds=(("7 调解记录", kinds.SESSION_RECORD),),
            case_gate=_gate,
            portal=(portal_sessions.SECTION, portal.SECTION),
            menu=(MenuItem(_("My mediations"), "sessions:mine", "sessions.see_own"),),
            sweeps={"session_reminders": mail.send_reminders},
            answers={"agreed_proposals": record_selectors.agreed_proposals},
            demo=demo.DEMO,
        )
    )
