"""The legal review as a stage of the case process: its panel on the case page, its
document (the 法律意见书) and its rows of the capability table."""

from __future__ import annotations

import rules
from django.urls import reverse

from cases.capabilities import HEAD, STAFF, Relation
from cases.models import Case, Role, User
from documents.kinds import KindSpec
from documents.models import DocumentKind
from workflows.panels import Panel
from workflows.stages import Stage, register_stage

from . import selectors, snapshots
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
    staff = can.get("assign_reviewers", False)
    vacant = [s for s in seats if s.status == "conflict" and not hasattr(s, "replaced_by")]
    exclude = selectors.seated_or_conflicted(review)
    return {
        "review": review,
        "review_seats": seats,
        "review_opinion": getattr(review, "opinion", None) if review.status == "signed" else None,
        "answer_form": AnswerForm() if can.get("answer_questions") else None,
        "replace_forms": [
            (s, ReplaceForm(case=case, exclude=exclude), reverse("review:replace", args=[s.pk]))
            for s in vacant
        ]
        if staff
        else [],
    }


@rules.predicate
def _serves_as_supervisor(user) -> bool:
    return bool(
        user and user.is_authenticated and (user.is_superuser or selectors.is_supervisor(user))
    )


def register() -> None:
    # The committee list: for supervisors (and administrators), whatever the case.
    rules.set_perm("review.see_committee", _serves_as_supervisor)
    register_stage(
        Stage(
            name="legal_review",
            panels=(Panel("review", "review/panel.html", panel_context, 12),),
            document_kinds=(
                KindSpec(
                    DocumentKind.LEGAL_OPINION,
                    "法律意见书",
                    "Legal opinion",
                    "opinion",
                    False,
                    label=DocumentKind.LEGAL_OPINION.label,
                    extra=snapshots.legal_opinion_extra,
                    issued_by=snapshots.committee_of,
                ),
            ),
            capabilities=CAPABILITIES,
        )
    )
