"""The 法律意见书's data, taken when the lead signs off (see ``documents.snapshots``)."""

from __future__ import annotations

import datetime

from cases.models import Case, Organisation
from documents.models import Document, Evidence
from documents.snapshots import organisation_date, zh_date, zh_number

from .models import LegalOpinion, LegalReview, Reviewer, issue_title, text_lines


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


def _issue_list(issues: str) -> list[dict]:
    """The issues in dispute numbered by the document (（一）（二）… under 三), whatever
    numbering the writer typed."""
    return [
        {"number": zh_number(n), "text": issue_title(line)}
        for n, line in enumerate(text_lines(issues), start=1)
    ]


def _analysis_by_issue(opinion: LegalOpinion) -> list[dict]:
    """Each issue with its analysis paragraph (the form asks for one a line, in the order of
    the issues), then any further paragraphs under a heading of their own. Empty for an
    opinion stored before the form asked for it (no risk assessment field then) or not
    written that way: its analysis prints as one text, as before."""
    issues, paragraphs = text_lines(opinion.issues), text_lines(opinion.analysis)
    if opinion.risk_notes is None or not issues or len(paragraphs) < len(issues):
        return []
    parts = [
        (issue_title(issue), [text])
        for issue, text in zip(issues, paragraphs[: len(issues)], strict=True)
    ]
    if further := paragraphs[len(issues) :]:
        parts.append(("综合分析", further))
    return [
        {"number": zh_number(n), "heading": heading, "paragraphs": texts}
        for n, (heading, texts) in enumerate(parts, start=1)
    ]


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
            # Numbered by the document (（一）（二）… under 三), whatever the writer typed.
            "issue_list": _issue_list(opinion.issues),
            "analysis": opinion.analysis,
            "analysis_by_issue": _analysis_by_issue(opinion),
            "questions": opinion.questions,
            "laws": [
                {"law": law.law, "article": law.article, "gist": law.gist}
                for law in opinion.laws.all()
            ],
            "route": str(opinion.get_route_display()),
            "risk": str(opinion.get_risk_display()),
            "risk_notes": opinion.risk_notes or "",
            "dissents": [
                {"name": d.adviser.formal_name, "view": d.view}
                for d in opinion.dissents.select_related("adviser")
            ],
            "signed_by": opinion.signed_by.formal_name,
            "materials": _materials(opinion),
            "signed_on": zh_date(issued_on),
        }
    }
