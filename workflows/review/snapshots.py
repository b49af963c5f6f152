"""The 法律意见书's data, taken when the lead signs off (see ``documents.snapshots``)."""

from __future__ import annotations

import datetime

from cases.models import Case, Organisation
from documents.snapshots import organisation_date, zh_date

from .models import LegalOpinion, LegalReview, Reviewer


def _reviewer(seat) -> dict:
    profile = getattr(seat.adviser, "adviser", None)
    return {
        "name": str(seat.adviser),
        "employer": profile.employer if profile else "",
        "title": profile.title if profile else "",
        "is_lead": seat.is_lead,
    }


def committee_of(case: Case) -> Organisation:
    """The 侨联 whose committee reviewed the case (its lead's), which issues the 法律意见书."""
    seat = (
        Reviewer.objects.filter(review__case=case, is_lead=True, adviser__adviser__isnull=False)
        .select_related("adviser__adviser__committee")
        .order_by("-pk")
        .first()
    )
    return seat.adviser.adviser.committee if seat else case.handling_organisation


def legal_opinion_extra(case: Case, issued_on: datetime.date) -> dict:
    opinion = (
        LegalOpinion.objects.filter(review__case=case, review__status=LegalReview.Status.SIGNED)
        .select_related("review", "signed_by")
        .order_by("-pk")
        .first()
    )
    review = opinion.review
    committee = next(
        (
            s.adviser.adviser.committee
            for s in review.reviewers.all()
            if hasattr(s.adviser, "adviser")
        ),
        case.handling_organisation,
    )
    submitted = review.reviewers.filter(status="submitted").select_related("adviser__adviser")
    return {
        "review": {
            "requested_on": zh_date(organisation_date(review.requested_at)),
            "committee": f"{committee.name}法律顾问委员会",
            # The 侨联 that asked for the review, to which the committee writes.
            "addressee": case.handling_organisation.name,
            "reviewers": [_reviewer(s) for s in submitted],
            "facts": opinion.facts,
            "issues": opinion.issues,
            "analysis": opinion.analysis,
            "questions": opinion.questions,
            "laws": [
                {"law": law.law, "article": law.article, "gist": law.gist}
                for law in opinion.laws.all()
            ],
            "route": str(opinion.get_route_display()),
            "risk": str(opinion.get_risk_display()),
            "dissents": [
                {"name": str(d.adviser), "view": d.view}
                for d in opinion.dissents.select_related("adviser")
            ],
            "signed_by": str(opinion.signed_by),
            "signed_on": zh_date(issued_on),
        }
    }
