"""The legal review as a stage of the case process: its one registration. Everything the
layers below and the process know of the review is declared here (``workflows.stages``)."""

from __future__ import annotations

from pathlib import Path

import rules
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.capabilities import HEAD, STAFF, Relation
from cases.models import Case, Role, User
from cases.registry import ClockKind, ClockRule, Holder, Unit
from documents.casefile import Slot
from documents.kinds import KindSpec
from workflows.panels import Panel
from workflows.stages import MenuItem, Segment, Stage, register_stage

from . import demo, kinds, nodes, selectors, services, snapshots
from .forms import AnswerForm, ReplaceForm

CAPABILITIES = {
    # The officer seats the reviewers (and another in place of one with a conflict),
    # and answers their questions; a unit the work was sent down to does it there.
    "review.assign_reviewers": {Relation.HANDLING: STAFF, Relation.BELOW: STAFF},
    "review.answer_questions": {Relation.HANDLING: STAFF | HEAD, Relation.BELOW: STAFF},
    # An adviser named on the case (after declaring no conflict) writes their opinion,
    # asks the officer, and as lead signs off the committee's.
    "review.review_case": {Relation.ADVISER: frozenset({Role.LEGAL_ADVISER})},
}


def panel_context(case: Case, user: User, can: dict) -> dict | None:
    """Who is reviewing and where each review stands; the officer answers questions and
    seats another reviewer here."""
    review = selectors.latest_review(case)
    if review is None:
        return None
    seats = selectors.seats(review)
    vacant = [s for s in seats if s.is_vacant] if can.get("assign_reviewers") else []
    offer = (
        selectors.replacement_offer(case, selectors.seated_or_conflicted(review))
        if vacant
        else None
    )
    return {
        "review": review,
        "review_seats": seats,
        "review_opinion": getattr(review, "opinion", None) if review.status == "signed" else None,
        "answer_form": AnswerForm() if can.get("answer_questions") else None,
        "replace_forms": [
            (
                s,
                ReplaceForm(offer=offer, auto_id=f"id_replace_{s.pk}_%s"),
                reverse("review:replace", args=[s.pk]),
            )
            for s in vacant
        ],
    }


@rules.predicate
def _serves_as_supervisor(user) -> bool:
    return bool(
        user and user.is_authenticated and (user.is_superuser or selectors.is_supervisor(user))
    )


def _gate(case_pk: int, user: User) -> str | None:
    """An adviser seated on the case who has not declared yet goes to their declaration
    (the only part of the case they may see)."""
    seat = selectors.undeclared_seat(case_pk, user)
    return reverse("workflows:task", args=[seat.task_id]) if seat is not None else None


def _on_withdraw(*, case: Case, actor: User | None) -> None:
    services.cancel_open_review(case=case)


def register() -> None:
    # The committee list: for supervisors (and administrators), whatever the case.
    rules.set_perm("review.see_committee", _serves_as_supervisor)
    register_stage(
        Stage(
            name="legal_review",
            urls=("review/", "workflows.review.urls"),
            templates=Path(__file__).parent / "templates",
            flow=Segment(
                "review", "send_to_review", nodes.build, hands_on=("send_to_review", "consolidate")
            ),
            panels=(Panel("review", "review/panel.html", panel_context, 12),),
            capabilities=CAPABILITIES,
            clocks=(
                ClockKind(
                    # 5 working days unless the officer sets another period (the
                    # committee's own rule; an organisation may set its default).
                    ClockRule(kinds.CLOCK, 5, Unit.WORKING_DAYS, "法顾委工作规则"),
                    _("Legal review"),
                    held_by=Holder.PERSON,
                ),
            ),
            emails={
                "review_answer": "review/email/answer.txt",
                "review_conflict": "review/email/conflict.txt",
                "review_question": "review/email/question.txt",
                "review_signed": "review/email/signed.txt",
            },
            timeline_kinds=kinds.TIMELINE_KINDS,
            document_kinds=(
                KindSpec(
                    kinds.LEGAL_OPINION,
                    "法律意见书",
                    "Legal opinion",
                    "opinion",
                    False,
                    label=_("Legal opinion (法律意见书)"),
                    extra=snapshots.legal_opinion_extra,
                    issued_by=snapshots.committee_of,
                    issuing_body="法律顾问委员会",  # the committee signs, not its 侨联
                    template="review/print/legal_opinion.html",
                    mark="法意",
                ),
            ),
            # After the evidence, before the mediation record (the Ministry's order).
            slots=(
                (
                    Slot(
                        "法律意见书",
                        _("Legal opinion of the advisory committee"),
                        (kinds.LEGAL_OPINION,),
                    ),
                    "6 证据材料",
                ),
            ),
            hooks={"withdraw": _on_withdraw},
            recommends_route=selectors.recommended_route,
            case_gate=_gate,
            menu=(
                MenuItem(_("Legal advisory committee"), "review:committee", "review.see_committee"),
            ),
            demo=demo.DEMO,
        )
    )
