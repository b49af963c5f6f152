"""The agreement's part of the dispute flow, placed by the process after a mediation that
reached a written agreement (``stage.py`` registers it as a ``Segment``): the mediator
drafts the agreement on its page, the parties confirm it, and the mediator's task is to
sign last, which puts it in effect and settles the case; the officer then tracks each
term's performance to its end, and records the follow-up visit that starts the case's
follow-up. Judicial confirmation runs beside it, on the agreement's page."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from viewflow import this

from cases.models import User
from workflows.tasknodes import CaseTask, PersonalTask, case_of

from . import selectors, services
from .forms import PerformanceDoneForm, SignForm, VisitForm


def case_mediator(activation) -> User:
    return selectors.case_mediator(case_of(activation.process))


def _page(case) -> str:
    return reverse("agreements:case", args=[case.pk])


def sign_screen(task, case, user, form) -> tuple[str, dict]:
    if task.owner_id != user.pk:
        raise Http404("Not your task.")
    agreement = selectors.agreement_of(case)
    return "agreements/sign.html", {
        "case": case,
        "form": form,
        "agreement": agreement,
        "confirmations": selectors.current_confirmations(agreement) if agreement else [],
        "unconfirmed": selectors.unconfirmed(agreement) if agreement else [],
        "page_url": _page(case),
    }


def performance_screen(task, case, user, form) -> tuple[str, dict]:
    agreement = selectors.agreement_of(case)
    return "agreements/performance_task.html", {
        "case": case,
        "form": form,
        "agreement": agreement,
        "terms": list(agreement.terms.all()) if agreement else [],
        "page_url": _page(case),
    }


# Completions: (case, actor, data, process) -> None


def sign(case, actor, data, process) -> None:
    services.sign(case=case, actor=actor)


def performance_done(case, actor, data, process) -> None:
    services.check_performance_done(case)


def visit(case, actor, data, process) -> None:
    services.record_visit(case=case, actor=actor, visit=VisitForm.visit_input(data))


def build(then) -> dict:
    """The agreement's nodes, the last going on to ``then`` (the closure's approval)."""
    return {
        "sign_agreement": PersonalTask(
            _("Conclude the settlement agreement"),
            SignForm,
            sign,
            "agreements.sign",
            owner=case_mediator,
            screen=sign_screen,
            enters=services.sign_step,
        ).Next(this.track_performance),
        "track_performance": CaseTask(
            _("Track the agreement's performance"),
            PerformanceDoneForm,
            performance_done,
            "agreements.track",
            earlier=("sign_agreement",),
            screen=performance_screen,
        ).Next(this.follow_up_visit),
        "follow_up_visit": CaseTask(
            _("Follow-up visit (回访)"),
            VisitForm,
            visit,
            "agreements.visit",
            earlier=("sign_agreement", "track_performance"),
            enters=services.visit_step_data,
        ).Next(then),
    }
