"""The review's part of the dispute flow, placed by the process between the acceptance
and the officer's route (``stage.py`` registers it as a ``Segment``): the officer seats the
reviewers; each works on their own seat's task at the same time; when every seat is done
the lead writes and signs off the committee's opinion."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from cases.models import User
from workflows.tasknodes import CaseTask, FanOut, PersonalTask, case_of, notify_owner

from . import screens, selectors, services
from .forms import AssignForm, ConsolidateForm, SubmitForm


class SeatTask(PersonalTask):
    """One adviser's seat in a legal review: the task is the seat's, held by whoever sits
    in it. Nobody takes a seat from a queue: the officer seats an adviser (at first, and
    in place of one who declared a conflict). Its holder opens it before they may read
    the case: the screen shows only the summary until they declare that they have no
    relation to any party."""

    # Who does a seat nobody holds (its adviser declared a conflict).
    vacant = _("another adviser, whom the officer chooses on the case page")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.onCreate(self.seated)  # in place of the node's own (viewflow keeps one)

    def seated(self, activation) -> None:
        seat = activation.task.data.get("seat")
        if seat:
            services.attach_task(seat_pk=seat, task_id=activation.task.pk)
        notify_owner(activation)


def seat_holder(activation) -> User:
    return selectors.seat_holder(activation.task.data["seat"])


def lead_reviewer(activation) -> User:
    return selectors.lead_of(case_of(activation.process))


def open_seats(activation) -> list[dict]:
    return [{"seat": pk} for pk in selectors.open_seat_ids(case_of(activation.process))]


# Completions: (case, actor, data, process) -> None


def send_to_review(case, actor, data, process) -> None:
    """The reviewers chosen take their seats (their tasks come next, one each); the case
    went to legal review as the task was done (the node ``enters`` it)."""
    services.assign_reviewers(case=case, actor=actor, seats=data["seats"])


def submit_review(case, actor, data, process) -> None:
    seat = selectors.seat_in(case, actor)
    if seat is None:
        raise ValidationError(_("You hold no seat in this review."), code="seat")
    services.submit_opinion(seat_pk=seat.pk, actor=actor, data=data)


def consolidate(case, actor, data, process) -> None:
    services.sign_off(case=case, actor=actor, data=data, dissents=data["dissents"])


def build(then) -> dict:
    """The review's nodes, the last going on to ``then`` (the officer's route)."""
    return {
        "send_to_review": CaseTask(
            _("Send to legal review"),
            AssignForm,
            send_to_review,
            "cases.handle_case",
            enters="start_legal_review",
            earlier=("screen", "rescreen", "decide"),
        ).Next(this.reviews),
        "reviews": FanOut(open_seats).Next(this.review),
        "review": SeatTask(
            _("Legal review"),
            SubmitForm,
            submit_review,
            "review.review_case",
            owner=seat_holder,
            screen=screens.review_screen,
            earlier=("screen", "rescreen", "send_to_review"),
        ).Next(this.reviews_done),
        "reviews_done": flow.Join().Next(this.consolidate),
        "consolidate": SeatTask(
            _("Committee's legal opinion"),
            ConsolidateForm,
            consolidate,
            "review.review_case",
            owner=lead_reviewer,
            screen=screens.consolidate_screen,
        ).Next(then),
    }
