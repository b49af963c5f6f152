"""The 法律意见书's data, taken when the lead signs off (see ``documents.snapshots``)."""

from __future__ import annotations

import datetime

from cases.models import Case, Organisation
from documents.models import Document, Evidence
from documents.snapshots import organisation_date, zh_date

from .models import LegalOpinion, LegalReview, Reviewer


def _reviewer(seat) -> dict:
    profile = getattr(seat.adviser, "adviser", None)
    return {
        # The name only: the employer and title follow it, and a screen label may repeat them.
        "name": seat.adviser.formal_name,
        "employer": profile.employer if profile else "",
        "title": profile.title if profile else "",
        "is_lead": seat.is_lead,
    }


def _materials(opinion: LegalOpinion) -> list[str]:
    """What the reviewers had before them when the lead signed off: the case's documents
    then in force, each with its 文号, and the evidence then in its file, in the order they
    came. A corrected opinion issued later lists the same."""
    case, signed = opinion.review.case, opinion.signed_at
    documents = (
        Document.objects.filter(case=case, status=Document.Status.FINAL, issued_at__lte=signed)
        .exclude(pk=opinion.document_id)
        .order_by("issued_at", "pk")
    )
    listed = [
        f"{d.snapshot.get('title', '')}（{d.number}）" if d.number else d.snapshot.get("title", "")
        for d in documents
    ]
    evidence = Evidence.objects.filter(case=case, uploaded_at__lte=signed)
    listed += [e.title for e in evidence.order_by("uploaded_at", "pk")]
    return [item for item in listed if item]


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
                {"name": d.adviser.formal_name, "view": d.view}
                for d in opinion.dissents.select_related("adviser")
            ],
            "signed_by": opinion.signed_by.formal_name,
            "materials": _materials(opinion),
            "signed_on": zh_date(issued_on),
        }
    }
