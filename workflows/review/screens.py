"""The review's task screens: the adviser's seat (the case file on one side, their
opinion on the other) and the lead's consolidation (every opinion side by side). The
common task view (``workflows.views.task``) calls them for the template and context."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse

from cases.calendar import WorkingCalendar, organisation_today
from cases.deadlines import ClockView, clock_views
from cases.models import CaseEvent
from cases.selectors import case_parties, case_timeline
from documents.models import Document

from . import selectors
from .forms import DeclarationForm, QuestionForm, SubmitForm, opinion_initial
from .models import LawArticle, Reviewer


def _case_file(case) -> dict:
    """What a reviewer reads: the case as registered, its parties (identity category,
    country, representatives; never ID-document details), timeline, communications, and
    every evidence item and document, each viewable in the page."""
    timeline = list(case_timeline(case))
    evidence = list(case.evidence.order_by("uploaded_at", "id"))
    documents = list(
        case.documents.filter(rendering=Document.Rendering.READY).order_by("issued_at", "id")
    )
    return {
        "file_count": len(evidence) + len(documents),
        "parties": case_parties(case),
        "timeline": timeline,
        "communications": [e for e in timeline if e.kind == CaseEvent.Kind.COMMUNICATION],
        "evidence": evidence,
        "documents": documents,
    }


def _laws_by_law() -> list[tuple[str, list[LawArticle]]]:
    grouped: dict[str, list[LawArticle]] = {}
    for article in LawArticle.objects.filter(is_active=True):
        grouped.setdefault(article.law, []).append(article)
    return list(grouped.items())


def _chosen(form) -> set[int]:
    """The articles ticked: as sent (a form with errors) or as saved."""
    chosen = set()
    for value in form["laws"].value() or []:
        try:
            chosen.add(int(value))
        except (TypeError, ValueError):
            continue
    return chosen


def _clock(seat: Reviewer) -> ClockView | None:
    """The seat's clock as its adviser sees it today, while it runs or waits."""
    clock = seat.clock
    if clock is None or clock.stopped_on is not None:
        return None
    [view] = clock_views([clock], organisation_today(), WorkingCalendar.load())
    return view


def review_screen(task, case, user, form) -> tuple[str, dict]:
    seat = selectors.seat_of_task(task.pk)
    if seat is None or seat.adviser_id != user.pk:
        raise Http404("Not your seat.")
    context = {"seat": seat, "case": case}
    if seat.status == Reviewer.Status.INVITED:
        # Only the summary and who the parties are, to declare against.
        context.update(
            declaration_form=DeclarationForm(),
            parties=case_parties(case),
            declare_url=reverse("review:declare", args=[seat.pk]),
        )
        return "review/declare.html", context
    # The seat as listed with the others (its opinion's laws and its questions fetched).
    listed = selectors.seats(seat.review)
    seat = next(s for s in listed if s.pk == seat.pk)
    opinion = seat.opinion
    if not form.is_bound:
        form = SubmitForm(initial=opinion_initial(opinion), case=case, user=user)
    context.update(
        _case_file(case),
        seat=seat,
        form=form,
        opinion=opinion,
        laws_by_law=_laws_by_law(),
        chosen_laws=_chosen(form),
        questions=list(seat.questions.all()),
        question_form=QuestionForm(),
        ask_url=reverse("review:ask", args=[seat.pk]),
        draft_url=reverse("review:save_draft", args=[seat.pk]),
        clock=_clock(seat),
        others=[s for s in listed if s.pk != seat.pk],
    )
    return "review/screen.html", context


def consolidate_screen(task, case, user, form) -> tuple[str, dict]:
    review = selectors.open_review(case)
    if review is None or selectors.lead_of(case) != user:
        raise Http404("Not the lead.")
    seats = selectors.seats(review)
    return "review/consolidate.html", {
        "review": review,
        "submitted": [s for s in seats if s.status == Reviewer.Status.SUBMITTED],
        "form": form,
        "laws_by_law": _laws_by_law(),
        "chosen_laws": _chosen(form),
        "dissent_fields": [form[name] for name in form.fields if name.startswith("dissent_")],
        "parties": case_parties(case),
    }
