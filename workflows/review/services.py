"""Writes of the legal review. Each takes the rows it changes under lock and checks again
what allows it; each leaves a timeline entry (the review's results are its own records).

The seats' tasks belong to the case process: ``assign_reviewers``, ``submit_opinion`` and
``sign_off`` run inside the completion of a task (``workflows.services.complete_task``,
which holds the process lock); ``declare``, ``replace_reviewer``, ``save_draft``, the
questions and answers run on their own and take the seat's task lock where they change
who holds it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases import services as case_services
from cases.calendar import WorkingCalendar, organisation_today
from cases.models import Case, CaseEvent, CaseParticipant, User
from cases.notifications import case_officers, notify, site_url
from cases.selectors import require
from cases.timeline import fields as said
from cases.timeline import line, listing
from documents.services import issue_document
from workflows.taskservice import held_task

from . import kinds, selectors
from .models import (
    Dissent,
    LawArticle,
    LegalOpinion,
    LegalReview,
    Opinion,
    Question,
    Reviewer,
)

MAX_REVIEWERS = 5
# The longest period an officer may give a reviewer.
MAX_REVIEW_WORKING_DAYS = 30
OPINION_FIELDS = ("facts", "issues", "analysis", "route", "risk", "risk_notes", "questions")
# What a submitted opinion must say.
REQUIRED_FIELDS = ("facts", "issues", "analysis", "route", "risk")
KIND = kinds.CLOCK
ADVISER = CaseParticipant.Relation.ADVISER


@dataclass(frozen=True)
class Seat:
    adviser: User
    due_on: datetime.date
    is_lead: bool = False


def _record(
    case: Case, actor: User | None, kind: str, transition: str, msgid: str, **params
) -> None:
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=kind,
        transition=transition,
        **said(line(msgid, **params)),
    )


def _today() -> datetime.date:
    return organisation_today()


def _check_due(due_on: datetime.date, today: datetime.date, calendar: WorkingCalendar) -> None:
    latest = calendar.add_working_days(today, MAX_REVIEW_WORKING_DAYS)
    if not today < due_on <= latest:
        raise ValidationError(
            _("A due date must be after today and within %(days)d working days (by %(latest)s).")
            % {"days": MAX_REVIEW_WORKING_DAYS, "latest": latest.isoformat()},
            code="due_on",
        )


def _offered_ids(
    case: Case, today: datetime.date, calendar: WorkingCalendar, exclude=frozenset()
) -> set[int]:
    offered, _away = selectors.ranked_advisers(
        case, today=today, calendar=calendar, exclude=exclude
    )
    return {ranked.user.pk for ranked in offered}


def _take_seat(
    review: LegalReview,
    seat: Seat,
    actor: User,
    today: datetime.date,
    replaces: Reviewer | None = None,
) -> Reviewer:
    reviewer = Reviewer.objects.create(
        review=review,
        adviser=seat.adviser,
        is_lead=seat.is_lead,
        assigned_by=actor,
        replaces=replaces,
        task_id=replaces.task_id if replaces else None,
    )
    Opinion.objects.create(reviewer=reviewer)
    # The seat's due date is this clock's from now on (``Reviewer.due_on``): it may be
    # the next working day after the date asked for.
    case_services.start_holder_clock(
        case=review.case, kind=KIND, holder=seat.adviser, due_on=seat.due_on, today=today
    )
    return reviewer


@transaction.atomic
def assign_reviewers(*, case: Case, actor: User, seats: list[Seat]) -> LegalReview:
    """The officer sends the case to the committee: one lead and up to four more
    reviewers, each offered by the ranking (not away), each with a due date. Their tasks
    are made by the process next (one seat, one task)."""
    require(actor, "review.assign_reviewers", case)
    today, calendar = _today(), WorkingCalendar.load()
    leads = [s for s in seats if s.is_lead]
    if len(leads) != 1:
        raise ValidationError(_("Choose one lead reviewer."), code="lead")
    if len(seats) > MAX_REVIEWERS:
        raise ValidationError(_("At most %d reviewers.") % MAX_REVIEWERS, code="too_many")
    if len({s.adviser.pk for s in seats}) != len(seats):
        raise ValidationError(_("Each adviser takes one seat."), code="twice")
    offered = _offered_ids(case, today, calendar)
    for seat in seats:
        if seat.adviser.pk not in offered:
            raise ValidationError(
                _("%s cannot review this case (not on its committee, or away).") % seat.adviser,
                code="adviser",
            )
        _check_due(seat.due_on, today, calendar)
    if selectors.open_review(case):
        raise ValidationError(_("The case is already under review."), code="open")
    review = LegalReview.objects.create(case=case, requested_by=actor)
    taken = [
        _take_seat(review, seat, actor, today)
        for seat in sorted(seats, key=lambda s: not s.is_lead)
    ]
    _record(
        case,
        actor,
        kinds.SEATS,
        "assign_reviewers",
        gettext_noop("Legal review requested from %(reviewers)s."),
        reviewers=listing(
            [
                line(gettext_noop("%(name)s (lead)"), name=str(taken[0].adviser)),
                *(str(r.adviser) for r in taken[1:]),
            ]
        ),
    )
    return review


def _lock_seat(seat_pk: int) -> Reviewer:
    return (
        Reviewer.objects.select_for_update()
        .select_related("review__case__handling_organisation", "adviser")
        .get(pk=seat_pk)
    )


def _refuse_unless_holder(seat: Reviewer, actor: User) -> None:
    if seat.adviser_id != actor.pk:
        raise PermissionDenied(_("This review is another adviser's."))


def _refuse_finished_case(case: Case) -> None:
    if case.is_finished or case.status == "suspended":
        raise ValidationError(
            _("The case is not under review now (%s).") % case.get_status_display(),
            code="case_state",
        )


def attach_task(*, seat_pk: int, task_id: int) -> None:
    """The process made the seat's task (``workflows.flows``)."""
    Reviewer.objects.filter(pk=seat_pk).update(task_id=task_id)


@transaction.atomic
def declare(*, seat_pk: int, actor: User, has_conflict: bool, relation: str = "") -> Reviewer:
    """Before seeing more than the summary, the adviser declares that they have no
    relation to any party (and may then read the case and write), or declares one: then
    they are released from the seat and the officer is asked to seat another."""
    with held_task(_seat_task(seat_pk)) as task:
        seat = _lock_seat(seat_pk)
        case = seat.review.case
        _refuse_unless_holder(seat, actor)
        _refuse_finished_case(case)
        today = _today()
        if has_conflict:
            relation = (relation or "").strip()
            if not relation:
                raise ValidationError(
                    _("Say what your relation to the party is."), code="relation_required"
                )
            if seat.status not in (Reviewer.Status.INVITED, Reviewer.Status.REVIEWING):
                raise ValidationError(_("You no longer hold this seat."), code="seat")
            seat.declare_conflict()
            seat.conflict = relation
            seat.declared_at = timezone.now()
            seat.save(update_fields=["status", "conflict", "declared_at"])
            case_services.stop_holder_clock(case=case, kind=KIND, holder=actor, on=today)
            case_services.unname_participant(case=case, user=actor, relation=ADVISER)
            task.vacate()
            _record(
                case,
                actor,
                kinds.SEATS,
                "declare_conflict",
                gettext_noop("%(adviser)s declared a conflict of interest and leaves the review."),
                adviser=str(actor),
            )
            _tell_officers(case, "review_conflict", {"adviser": actor, "relation": relation})
            return seat
        if seat.status != Reviewer.Status.INVITED:
            raise ValidationError(_("You have already declared."), code="declared")
        seat.declare_no_conflict()
        seat.declared_at = timezone.now()
        seat.save(update_fields=["status", "declared_at"])
        case_services.name_participant(
            case=case, user=actor, relation=ADVISER, added_by=seat.assigned_by
        )
        _record(
            case,
            actor,
            kinds.SEATS,
            "declare_no_conflict",
            gettext_noop("%(adviser)s declared no relation to any party and began the review."),
            adviser=str(actor),
        )
        return seat


def _seat_task(seat_pk: int) -> int:
    task_id = Reviewer.objects.values_list("task_id", flat=True).get(pk=seat_pk)
    if task_id is None:
        raise ValidationError(_("This seat has no task yet."), code="no_task")
    return task_id


def _tell_officers(case: Case, template: str, context: dict) -> None:
    """The case officer, or the handling organisation's officers if it has none."""
    for user in case_officers(case):
        notify(user, template, {"case": case, "url": site_url(case.get_absolute_url()), **context})


@transaction.atomic
def replace_reviewer(
    *, seat_pk: int, actor: User, adviser: User, due_on: datetime.date
) -> Reviewer:
    """Seat another adviser where one declared a conflict: the seat's task is theirs now,
    lead or not as the seat was."""
    with held_task(_seat_task(seat_pk)) as task:
        old = _lock_seat(seat_pk)
        case = old.review.case
        require(actor, "review.assign_reviewers", case)
        _refuse_finished_case(case)
        if not old.is_vacant:
            raise ValidationError(_("This seat is not waiting for another reviewer."), code="seat")
        today, calendar = _today(), WorkingCalendar.load()
        exclude = selectors.seated_or_conflicted(old.review)
        if adviser.pk not in _offered_ids(case, today, calendar, exclude):
            raise ValidationError(
                _("%s cannot review this case (not on its committee, away, or already asked).")
                % adviser,
                code="adviser",
            )
        _check_due(due_on, today, calendar)
        seat = _take_seat(
            old.review, Seat(adviser, due_on, old.is_lead), actor, today, replaces=old
        )
        task.give_to(adviser)
        _record(
            case,
            actor,
            kinds.SEATS,
            "replace_reviewer",
            gettext_noop("%(adviser)s takes the seat %(previous)s left."),
            adviser=str(adviser),
            previous=str(old.adviser),
        )
        notify(
            adviser,
            "assignment",
            {"case": case, "task": task.label, "url": site_url(case.get_absolute_url())},
        )
        return seat


def _writable_seat(seat_pk: int, actor: User) -> Reviewer:
    seat = _lock_seat(seat_pk)
    _refuse_unless_holder(seat, actor)
    require(actor, "review.review_case", seat.review.case)
    if seat.status != Reviewer.Status.REVIEWING:
        raise ValidationError(
            _("This opinion can no longer be changed: %s.") % seat.get_status_display(),
            code="locked",
        )
    return seat


def _write(opinion, data: dict) -> None:
    for name in OPINION_FIELDS:
        if name in data:
            setattr(opinion, name, (data[name] or "").strip())
    if "laws" in data:
        opinion.laws.set([law.pk for law in data["laws"]])


@transaction.atomic
def save_draft(*, seat_pk: int, actor: User, data: dict, revision: int) -> Opinion:
    """Keep what the adviser has typed so far. ``revision`` is the draft's revision the
    writer's window started from: an older one means another window saved since, and
    nothing is overwritten unseen."""
    seat = _writable_seat(seat_pk, actor)
    opinion = Opinion.objects.select_for_update().get(reviewer=seat)
    if revision != opinion.revision:
        raise ValidationError(
            _("This draft was saved from another window at %s; reload to continue from it.")
            % timezone.localtime(opinion.saved_at).strftime("%Y-%m-%d %H:%M"),
            code="stale",
        )
    _write(opinion, data)
    opinion.revision += 1
    opinion.saved_at = timezone.now()
    opinion.save()
    return opinion


def _missing(data: dict) -> list[str]:
    return [name for name in REQUIRED_FIELDS if not (data.get(name) or "").strip()]


def submit_opinion(*, seat_pk: int, actor: User, data: dict) -> Opinion:
    """The adviser's opinion as submitted: complete, then locked. Runs inside the seat
    task's completion; when it is the last seat the process joins the reviews and the
    lead's consolidation comes next."""
    seat = _writable_seat(seat_pk, actor)
    missing = _missing(data)
    if missing:
        raise ValidationError(
            {name: _("Needed before you submit.") for name in missing}, code="incomplete"
        )
    opinion = Opinion.objects.select_for_update().get(reviewer=seat)
    _write(opinion, data)
    opinion.revision += 1
    opinion.saved_at = opinion.submitted_at = timezone.now()
    opinion.save()
    seat.submit()
    seat.save(update_fields=["status"])
    case = seat.review.case
    case_services.stop_holder_clock(case=case, kind=KIND, holder=actor, on=_today())
    _record(
        case,
        actor,
        kinds.OPINION,
        "submit_opinion",
        gettext_noop("%(adviser)s submitted a legal opinion (recommends: %(route)s)."),
        adviser=str(actor),
        route=opinion.get_route_display(),
    )
    # The reviews join once no seat is held or vacant (as the process's join does).
    review = LegalReview.objects.select_for_update().get(pk=seat.review_id)
    held = review.reviewers.filter(status__in=selectors.OPEN_SEATS).exists()
    vacant = review.reviewers.vacant().exists()
    if not (held or vacant):
        review.consolidate()
        review.save(update_fields=["status"])
    return opinion


@transaction.atomic
def ask_question(*, seat_pk: int, actor: User, text: str) -> Question:
    """The adviser asks the officer for information or evidence; their clock waits."""
    seat = _writable_seat(seat_pk, actor)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the question."), code="empty")
    question = Question.objects.create(reviewer=seat, text=text)
    case = seat.review.case
    case_services.pause_holder_clock(case=case, kind=KIND, holder=actor, on=_today())
    _record(
        case,
        actor,
        kinds.QUESTION,
        "ask_question",
        gettext_noop("%(adviser)s asked the officer: %(question)s (their review clock waits)"),
        adviser=str(actor),
        question=text[:200],
    )
    _tell_officers(case, "review_question", {"adviser": actor, "question": text})
    return question


@transaction.atomic
def answer_question(*, question_pk: int, actor: User, answer: str) -> Question:
    """The officer answers; the answer returns to the adviser, whose clock goes on once
    none of their questions is open."""
    question = (
        Question.objects.select_for_update()
        .select_related("reviewer__review__case", "reviewer__adviser")
        .get(pk=question_pk)
    )
    seat = question.reviewer
    case = seat.review.case
    require(actor, "review.answer_questions", case)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError(_("Write the answer."), code="empty")
    if not question.is_open:
        raise ValidationError(_("This question has already been answered."), code="answered")
    if not seat.holds_seat:
        raise ValidationError(
            _("%s no longer reviews this case; the question needs no answer.") % seat.adviser,
            code="released",
        )
    question.answer, question.answered_by, question.answered_at = answer, actor, timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    clock = None
    if not seat.questions.filter(answered_at__isnull=True).exists():
        clock = case_services.resume_holder_clock(
            case=case, kind=KIND, holder=seat.adviser, on=_today()
        )
    _record(
        case,
        actor,
        kinds.QUESTION,
        "answer_question",
        gettext_noop("The officer answered %(adviser)s: %(answer)s"),
        adviser=str(seat.adviser),
        answer=answer[:200],
    )
    notify(
        seat.adviser,
        "review_answer",
        {
            "case": case,
            "question": question,
            "clock_goes_on": clock is not None and clock.suspended_on is None,
            "url": site_url(case.get_absolute_url()),
        },
    )
    return question


def sign_off(*, case: Case, actor: User, data: dict, dissents: dict[int, str]) -> LegalOpinion:
    """The lead writes the committee's opinion, records any dissent by name and signs it
    off: the 法律意见书 is issued. Runs inside the lead's task completion."""
    review = LegalReview.objects.select_for_update().get(pk=selectors.open_review(case).pk)
    lead = selectors.lead_seat(review)
    if lead is None or lead.adviser_id != actor.pk:
        raise PermissionDenied(_("Only the lead reviewer signs off the committee's opinion."))
    require(actor, "review.review_case", case)
    if review.status != LegalReview.Status.CONSOLIDATING:
        raise ValidationError(_("Not every reviewer has submitted yet."), code="not_ready")
    missing = _missing(data)
    if missing:
        raise ValidationError(
            {name: _("Needed before you sign off.") for name in missing}, code="incomplete"
        )
    members = {
        s.adviser_id: s.adviser for s in review.reviewers.filter(status=Reviewer.Status.SUBMITTED)
    }
    opinion = LegalOpinion(review=review, signed_by=actor)
    _write(opinion, {k: v for k, v in data.items() if k != "laws"})
    opinion.save()
    opinion.laws.set([law.pk for law in data.get("laws", [])])
    for adviser_id, view in dissents.items():
        if view.strip() and adviser_id in members and adviser_id != actor.pk:
            Dissent.objects.create(opinion=opinion, adviser=members[adviser_id], view=view.strip())
    review.sign()
    review.save(update_fields=["status"])
    opinion.document = issue_document(case=case, kind=kinds.LEGAL_OPINION, actor=actor)
    opinion.save(update_fields=["document"])
    _record(
        case,
        actor,
        kinds.SIGN_OFF,
        "sign_off",
        gettext_noop(
            "%(lead)s signed off the committee's 法律意见书 %(number)s; it recommends: %(route)s."
        ),
        lead=str(actor),
        number=opinion.document.number,
        route=opinion.get_route_display(),
    )
    _tell_officers(case, "review_signed", {"opinion": opinion})
    return opinion


def cancel_open_review(*, case: Case) -> None:
    """The case ended while under review (withdrawn): the review and its open seats are
    cancelled; their clocks stopped with the case's."""
    review = selectors.open_review(case)
    if review is None:
        return
    for seat in review.reviewers.select_for_update().filter(status__in=selectors.OPEN_SEATS):
        seat.cancel()
        seat.save(update_fields=["status"])
    review.cancel()
    review.save(update_fields=["status"])


def seed_catalogue(law_article=None, expertise_area=None) -> None:
    """Load the catalogue of laws and the areas of expertise (``catalogue``) where they
    are missing; what administrators changed stays. The data migration calls it with its
    historical models; the demo with these."""
    from .catalogue import EXPERTISE_AREAS, LAW_ARTICLES
    from .models import ExpertiseArea

    law_article = law_article or LawArticle
    expertise_area = expertise_area or ExpertiseArea
    for item in LAW_ARTICLES:
        law_article.objects.get_or_create(law=item["law"], article=item["article"], defaults=item)
    for item in EXPERTISE_AREAS:
        expertise_area.objects.get_or_create(code=item["code"], defaults=item)
