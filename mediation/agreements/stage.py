"""The settlement agreement as a stage of the case process: its one registration.
Everything the layers below and the process know of it is declared here
(``workflows.stages``)."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse

from cases.capabilities import STAFF, Relation
from cases.models import Case, Role, User
from cases.selectors import case_timeline
from workflows.panels import Panel
from workflows.stages import Segment, Stage, register_stage

from . import demo, kinds, mail, nodes, portal, selectors, services, snapshots

MEDIATOR = frozenset({Role.MEDIATOR})
CAPABILITIES = {
    # The mediator named on the case drafts the agreement, sends its versions to the
    # parties and signs it last; takes up a term said not performed.
    "agreements.draft": {Relation.MEDIATOR: MEDIATOR},
    "agreements.sign": {Relation.MEDIATOR: MEDIATOR},
    "agreements.resolve": {Relation.MEDIATOR: MEDIATOR},
    # The officer files a party's signed paper copy.
    "agreements.file_paper": {Relation.HANDLING: STAFF, Relation.BELOW: STAFF},
    # The officer tracks performance and judicial confirmation, and visits.
    "agreements.track": {Relation.HANDLING: STAFF, Relation.BELOW: STAFF},
    "agreements.visit": {Relation.HANDLING: STAFF, Relation.BELOW: STAFF},
}


def _has_entries(case: Case) -> bool:
    """Whether the stage has done anything on the case: read from the timeline the case
    page has read already, so a case the stage never saw costs no query."""
    return any(event.kind in kinds.TIMELINE_KINDS for event in case_timeline(case))


def panel_context(case: Case, user: User, can: dict) -> dict | None:
    if not _has_entries(case):
        return None
    agreement = selectors.agreement_of(case)
    visits = list(selectors.visits(case))
    if agreement is None and not visits:
        return None
    context = {
        "agreement": agreement,
        "visits": visits,
        "agreement_url": reverse("agreements:case", args=[case.pk]),
    }
    if agreement is not None:
        needed = selectors.signatories(case)
        terms = list(agreement.terms.all())
        context.update(
            agreement_needed=len(needed),
            agreement_confirmed=len(needed) - len(selectors.unconfirmed(agreement)),
            terms_done=sum(t.status == "done" for t in terms),
            terms_total=len(terms),
        )
    return context


def _agreement_drafted(case: Case) -> bool:
    """The Ministry's "8 调解协议书" is required of a case whose mediation reached a written
    agreement (an oral one is in the 调解笔录, Art. 28): one drafted. Read from the case's
    events (``documents.casefile.contents`` reads them already): no query of its own."""
    return any(event.kind == kinds.DRAFT for event in case.events.all())


def register() -> None:
    register_stage(
        Stage(
            name="agreements",
            urls=("agreements/", "mediation.agreements.urls"),
            templates=Path(__file__).parent / "templates",
            flow=Segment(
                "agreement",
                "sign_agreement",
                nodes.build,
                hands_on=("sign_agreement", "track_performance", "follow_up_visit"),
            ),
            panels=(Panel("agreement", "agreements/panel.html", panel_context, 15),),
            capabilities=CAPABILITIES,
            queue_actions=("agreements.track", "agreements.visit"),
            emails=mail.EMAILS,
            timeline_kinds=kinds.TIMELINE_KINDS,
            document_kinds=snapshots.KINDS,
            slot_kinds=(
                ("8 调解协议书", kinds.AGREEMENT),
                ("10 回访记录", kinds.FOLLOW_UP),
                ("11 司法确认材料", kinds.APPLICATION),
            ),
            slot_requirements=(("8 调解协议书", _agreement_drafted),),
            portal=portal.SECTIONS,
            sweeps={"overdue_terms": services.alert_overdue_terms},
            demo=demo.DEMO,
        )
    )
