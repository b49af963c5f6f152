"""The review's own requests: the adviser's declaration, draft and questions; the
officer's answers and replacement reviewers; the committee list for supervisors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cases.calendar import organisation_today
from cases.jsonviews import json_endpoint
from cases.selectors import case_for
from cases.views import say_form_errors

from . import selectors, services
from .forms import AnswerForm, DeclarationForm, DraftForm, QuestionForm, ReplaceForm
from .models import Question, Reviewer


def _own_seat(request, seat_pk: int) -> Reviewer:
    """A seat is only its holder's business: anyone else gets 404."""
    return get_object_or_404(
        Reviewer.objects.select_related("review__case"), pk=seat_pk, adviser=request.user
    )


def _to_task(seat: Reviewer):
    return redirect("workflows:task", seat.task_id) if seat.task_id else redirect("workflows:queue")


@login_required
@require_POST
def declare(request, seat_pk: int):
    seat = _own_seat(request, seat_pk)
    form = DeclarationForm(request.POST)
    if not form.is_valid():
        say_form_errors(request, form)
        return _to_task(seat)
    try:
        seat = services.declare(
            seat_pk=seat.pk,
            actor=request.user,
            has_conflict=form.cleaned_data["has_conflict"],
            relation=form.cleaned_data.get("relation", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _to_task(seat)
    if seat.status == Reviewer.Status.CONFLICT:
        messages.success(
            request,
            _("Thank you: you are released; the officer will choose another reviewer."),
        )
        return redirect("workflows:queue")
    messages.success(request, _("Declared. The case file is open to you."))
    return _to_task(seat)


@login_required
@require_POST
@json_endpoint
def save_draft(request, seat_pk: int):
    """Saves what the adviser typed (static/js/review.js calls it as they type). JSON:
    the new revision and the time, or the message to show, whatever happens."""
    seat = _own_seat(request, seat_pk)
    form = DraftForm(request.POST)
    if not form.is_valid():
        errors = {name: " ".join(e) for name, e in form.errors.items()}
        return JsonResponse(
            {"error": _("Not saved: correct the marked fields."), "fields": errors}, status=400
        )
    data = form.cleaned_data
    try:
        opinion = services.save_draft(
            seat_pk=seat.pk, actor=request.user, data=data, revision=data["revision"]
        )
    except (ValidationError, PermissionDenied) as error:
        code = getattr(error, "code", None)
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        return JsonResponse({"error": text, "code": code}, status=409 if code == "stale" else 403)
    saved = timezone.localtime(opinion.saved_at)
    return JsonResponse(
        {
            "revision": opinion.revision,
            "saved_at": saved.isoformat(),
            # As the page says it when it loads: date and minute, as every time here.
            "message": _("Draft saved at %s") % saved.strftime("%Y-%m-%d %H:%M"),
        }
    )


@login_required
@require_POST
def ask(request, seat_pk: int):
    seat = _own_seat(request, seat_pk)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        say_form_errors(request, form)
        return _to_task(seat)
    try:
        services.ask_question(seat_pk=seat.pk, actor=request.user, text=form.cleaned_data["text"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Question sent to the officer; your review clock waits until the answer.")
        )
    return _to_task(seat)


@login_required
@require_POST
def answer(request, question_pk: int):
    question = get_object_or_404(
        Question.objects.select_related("reviewer__review"), pk=question_pk
    )
    case = case_for(request.user, question.reviewer.review.case_id, "review.answer_questions")
    form = AnswerForm(request.POST)
    if not form.is_valid():
        say_form_errors(request, form, auto_id=f"id_%s_{question.pk}")
        return redirect(case)
    try:
        services.answer_question(
            question_pk=question.pk, actor=request.user, answer=form.cleaned_data["answer"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Answer sent to %s; their review clock goes on.") % question.reviewer.adviser
        )
    return redirect(case)


@login_required
@require_POST
def replace(request, seat_pk: int):
    seat = get_object_or_404(Reviewer.objects.select_related("review"), pk=seat_pk)
    case = case_for(request.user, seat.review.case_id, "review.assign_reviewers")
    offer = selectors.replacement_offer(case, selectors.seated_or_conflicted(seat.review))
    form = ReplaceForm(request.POST, offer=offer)
    if not form.is_valid():
        say_form_errors(request, form, auto_id=f"id_replace_{seat.pk}_%s")
        return redirect(case)
    try:
        services.replace_reviewer(
            seat_pk=seat.pk,
            actor=request.user,
            adviser=form.users[form.cleaned_data["adviser"]],
            due_on=form.cleaned_data["due_on"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%s now holds the seat.") % form.users[form.cleaned_data["adviser"]]
        )
    return redirect(case)


@login_required
@require_safe
def committee(request):
    """The advisory committee as supervisors see it: who serves, what they know, which
    units they are linked to, when they are away, how many reviews they have open."""
    if not request.user.has_perm("review.see_committee"):
        raise PermissionDenied(_("The committee list is for supervisors."))
    return render(
        request,
        "review/committee.html",
        {"advisers": selectors.committee_for(request.user), "today": organisation_today()},
    )
