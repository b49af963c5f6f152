"""Mediation's part of the dispute flow, placed by the process where the case goes to
mediation (``stage.py`` registers it as a ``Segment``): the officer assigns a mediator;
the mediator declares any conflict (a conflict sends the case back to the officer for
another); then mediates, holding as many sessions as it takes on the mediation page, and
records the outcome, which moves the case on (an oral agreement settles it, failure leaves
it unresolved; a written agreement goes on to the agreement)."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from cases.models import User
from cases.selectors import case_parties
from workflows.tasknodes import CaseTask, PersonalTask, case_of, notify_owner

from . import selectors, services
from .forms import AssignForm, DeclareForm, OutcomeForm


def assigned_mediator(activation) -> User:
    return selectors.assigned_user(case_of(activation.process))


class DeclarationTask(PersonalTask):
    """The assigned mediator's declaration: the case page sends them here until done."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.onCreate(self.created)  # in place of the node's own (viewflow keeps one)

    def created(self, activation) -> None:
        services.attach_task(case=case_of(activation.process), task_id=activation.task.pk)
        notify_owner(activation)


def _recused(activation) -> bool:
    return selectors.recused(case_of(activation.process))


def declare_screen(task, case, user, form) -> tuple[str, dict]:
    """Before they declare, the mediator sees what they declare against: the summary and
    who the parties are, nothing else of the case."""
    if task.owner_id != user.pk:
        raise Http404("Not your task.")
    return "sessions/declare.html", {"case": case, "form": form, "parties": case_parties(case)}


def mediate_screen(task, case, user, form) -> tuple[str, dict]:
    return "sessions/outcome.html", {
        "case": case,
        "form": form,
        "sessions": selectors.sessions(case),
        "page_url": reverse("sessions:case", args=[case.pk]),
    }


# Completions: (case, actor, data, process) -> None


def assign(case, actor, data, process) -> None:
    services.assign_mediator(case=case, actor=actor, mediator_pk=data["mediator"].pk)


def declare(case, actor, data, process) -> None:
    services.declare(
        case=case,
        actor=actor,
        has_conflict=data["has_conflict"],
        conflict=data.get("conflict", ""),
    )


def conclude(case, actor, data, process) -> None:
    services.record_outcome(
        case=case,
        actor=actor,
        kind=data["kind"],
        reason=data["reason"],
        terms=data.get("terms", ""),
        route_forward=data.get("route_forward", ""),
    )


def build(then) -> dict:
    """Mediation's nodes, the last going on to ``then`` (after mediation)."""
    return {
        "assign_mediator": CaseTask(
            _("Assign a mediator"),
            AssignForm,
            assign,
            "sessions.assign",
            earlier=("route",),
        ).Next(this.declare_mediator),
        "declare_mediator": DeclarationTask(
            _("Declare any conflict of interest"),
            DeclareForm,
            declare,
            "sessions.mediate",
            owner=assigned_mediator,
            screen=declare_screen,
        ).Next(this.after_declaration),
        "after_declaration": (flow.If(_recused).Then(this.assign_mediator).Else(this.mediate)),
        "mediate": PersonalTask(
            _("Mediate the case"),
            OutcomeForm,
            conclude,
            "sessions.mediate",
            owner=assigned_mediator,
            screen=mediate_screen,
            enters=services.outcome_step,
        ).Next(then),
    }
