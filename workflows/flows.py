"""The dispute flow: intake → screening → decision → legal review → route → coordination /
mediation → the agreement (its effect, performance and the follow-up visit) or the outcome →
follow-up → closure approved by the supervisor. A case reopened by
its supervisor runs the flow again from a second start: re-screening, then the decision.

Human tasks are ``CaseTask`` nodes: each names its form, its completion function (in
``steps``), the permission it needs and the organisation that answers for it. A task is
offered only to people who hold the permission through a role in that organisation.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from cases.models import Case, Organisation

from . import stages, steps
from .models import CaseProcess
from .tasknodes import CaseTask, StartCase, case_of


def receiving_organisation(case: Case) -> Organisation:
    return case.referred_to


def _case_is(status: str):
    """A gate reads the case itself: the task before it moved the case on."""
    return lambda activation: case_of(activation.process).status == status


def _routed(*values: str):
    return lambda activation: activation.process.coerced.route in values


# The stages that fill the review's and coordination's places, if registered (they
# register first).
REVIEW = stages.segment("review")
COORDINATION = stages.segment("coordination")
MEDIATION = stages.segment("mediation")
AGREEMENT = stages.segment("agreement")


class DisputeFlow(flow.Flow):
    process_class = CaseProcess
    # Row lock on the process: two people finishing or claiming the same task at once
    # are served one after the other, and the second finds it already done. nowait=False
    # because task services run inside their own transaction.
    lock_impl = lock.SelectForUpdateLock(nowait=False)

    start = StartCase(this.start_case).Next(this.screen)
    # A reopened case (workflows.lifecycle.reopen_case): the same case runs a new process.
    # Reopening already moved it to screening, so this run re-screens without a transition.
    reopen = StartCase(this.start_case).Next(this.rescreen)

    screen = CaseTask(_("Screening"), steps.ScreenForm, steps.screen, "cases.handle_case").Next(
        this.decide
    )
    rescreen = CaseTask(
        _("Screening again"), steps.ScreenForm, steps.rescreen, "cases.handle_case"
    ).Next(this.decide)
    decide = CaseTask(
        _("Acceptance decision"),
        steps.DecideForm,
        steps.decide,
        "cases.decide_acceptance",
        earlier=("screen", "rescreen", "referral_response"),
    ).Next(this.after_decision)
    after_decision = (
        flow.Switch()
        .Case(getattr(this, REVIEW.entry if REVIEW else "route"), _case_is("accepted"))
        .Case(this.referral_response, _case_is("referred"))
        .Default(this.declined)
    )
    referral_response = CaseTask(
        _("Answer the referral"),
        steps.ReferralResponseForm,
        steps.respond_to_referral,
        "cases.respond_to_referral",
        responsible=receiving_organisation,
        earlier=("decide",),
    ).Next(this.after_referral)
    after_referral = (
        # An objection returns the case to screening; otherwise the referral stands.
        flow.If(_case_is("screening")).Then(this.decide).Else(this.referred)
    )
    # The legal review by the committee is a stage's (registered in workflows.stages):
    # its nodes are placed here, between the acceptance and the officer's route.
    if REVIEW:
        locals().update(REVIEW.build(this.route))
    route = CaseTask(
        _("Choose the route"),
        steps.RouteForm,
        steps.route,
        "cases.handle_case",
        earlier=REVIEW.hands_on if REVIEW else ("decide",),
    ).Next(this.after_route)
    after_route = (
        flow.Switch()
        .Case(
            getattr(this, COORDINATION.entry if COORDINATION else "coordination"),
            _routed("coordination", "both"),
        )
        .Case(getattr(this, MEDIATION.entry if MEDIATION else "mediation"), _routed("mediation"))
        .Case(this.outcome, _routed("advice", "litigation", "reconsideration", "petition"))
        .Default(this.close_approval)
    )
    # Coordination meetings are a stage's (registered in workflows.stages): its nodes are
    # placed here, after the route; without it, one task records what was agreed.
    if COORDINATION:
        locals().update(COORDINATION.build(this.after_coordination))
    else:
        coordination = CaseTask(
            _("Coordination"),
            steps.SummaryForm,
            steps.coordination,
            "cases.handle_case",
            earlier=("route",),
        ).Next(this.after_coordination)
    after_coordination = flow.If(_routed("both")).Then(this.to_mediation).Else(this.outcome)
    # Both routes: the case goes on to mediation once coordination is done.
    to_mediation = flow.Function(steps.enter_mediation).Next(
        getattr(this, MEDIATION.entry if MEDIATION else "mediation")
    )
    # Mediation is a stage's (registered in workflows.stages): its nodes are placed here;
    # without it, one task records what was found. Its outcome may have moved the case
    # (an oral agreement settles it, failure leaves it unresolved): the follow-up is next;
    # a written agreement still to take effect goes to the outcome.
    if MEDIATION:
        locals().update(MEDIATION.build(this.after_mediation))
    # With the stage, no case comes here any more; a case that waited at this task when the
    # stage was installed finishes it as before (its summary kept) and goes on to the
    # stage's first task: an open task of a node taken out of the flow could not be done.
    mediation = CaseTask(
        _("Mediation"),
        steps.SummaryForm,
        steps.mediation,
        "cases.handle_case",
        earlier=("route", *(COORDINATION.hands_on if COORDINATION else ("coordination",))),
    ).Next(getattr(this, MEDIATION.entry) if MEDIATION else this.after_mediation)
    after_mediation = (
        flow.If(_case_is("mediating"))
        .Then(getattr(this, AGREEMENT.entry if AGREEMENT else "outcome"))
        .Else(this.follow_up)
    )
    # The written agreement is a stage's (registered in workflows.stages): its nodes are
    # placed here; they take the case through its effect, performance and the follow-up
    # visit to the closure's approval. Without it, the outcome task records the agreement.
    if AGREEMENT:
        locals().update(AGREEMENT.build(this.close_approval))
    outcome = CaseTask(
        _("Record the outcome"),
        steps.OutcomeForm,
        steps.outcome,
        "cases.handle_case",
        earlier=(
            "route",
            *(COORDINATION.hands_on if COORDINATION else ("coordination",)),
            *(MEDIATION.hands_on if MEDIATION else ("mediation",)),
        ),
    ).Next(this.follow_up)
    follow_up = CaseTask(
        _("Follow-up visit"),
        steps.FollowUpForm,
        steps.follow_up,
        "cases.handle_case",
        earlier=("outcome", *(MEDIATION.hands_on if MEDIATION else ())),
    ).Next(this.close_approval)
    close_approval = CaseTask(
        _("Approve closing"),
        steps.CloseForm,
        steps.close,
        "cases.approve_closure",
        earlier=(
            "route",
            "outcome",
            "follow_up",
            *(AGREEMENT.hands_on if AGREEMENT else ()),
        ),
    ).Next(this.closed)

    declined = flow.End()
    referred = flow.End()
    closed = flow.End()

    def start_case(self, activation, case: Case) -> CaseProcess:
        activation.process.case = case
        return activation.process
