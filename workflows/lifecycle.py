"""The rest of a case's life: the claimant withdraws, the case waits (suspended) and goes on
(resumed), a declined or closed case is reopened on new facts.

Each public function is an entry point like those in ``workflows.services``: keyword-only
and atomic, it locks the case row and checks inside the lock that the capability table
allows the step to this person (``cases.withdraw_case``, ``cases.suspend_case``,
``cases.reopen_case``) and that the status machine allows it now. The status change goes
through ``services.take_step``, so its timeline row, its clocks (``cases.services``) and
its documents come with it; then the process follows: a withdrawal cancels the running
process, a suspension holds its tasks (``services.claim_task`` and ``complete_task``
refuse them until the case resumes), a reopening starts a new run of the flow.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from viewflow.workflow.status import PROCESS

from cases.calendar import organisation_today
from cases.models import (
    Case,
    CaseStatus,
    Suspension,
    User,
    Withdrawal,
    require_reason,
    transition_label,
)
from cases.selectors import case_timeline, require
from cases.validators import check_expected_resume_on

from . import services, stages
from .flows import DisputeFlow
from .forms import ReopenForm, ResumeForm, SuspendForm, WithdrawForm
from .models import CaseProcess


def _locked(case: Case, actor: User, action: str, step: str) -> Case:
    """The case row, locked; refused unless the table allows the action to the actor and
    the status machine allows the step now."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    require(actor, action, locked)
    if not can_proceed(getattr(locked, step)):
        raise ValidationError(
            _("“%(step)s” is not possible while the case is “%(status)s”.")
            % {"step": transition_label(step), "status": locked.get_status_display()},
            code="wrong_state",
        )
    return locked


def _running_processes(case: Case):
    return CaseProcess.objects.filter(case=case, status=PROCESS.NEW)


@transaction.atomic
def withdraw_case(*, case: Case, actor: User, channel: str, statement: str) -> Withdrawal:
    """撤回: the officer records the claimant's withdrawal and how it came (letter, phone,
    in person). The case ends as withdrawn, its clocks stop, and its running process is
    cancelled with its open tasks (viewflow's own ``Flow.cancel``)."""
    # The process rows first, then the case row: the order in which completing a task
    # takes them, so a withdrawal and a task done at the same moment wait for each other
    # instead of deadlocking.
    running = list(_running_processes(case).select_for_update())
    locked = _locked(case, actor, "cases.withdraw_case", "withdraw")
    statement = require_reason(statement)
    if channel not in Withdrawal.Channel.values:
        raise ValidationError(_("Say how the withdrawal came."), code="channel")
    locked = services.take_step(case=locked, actor=actor, name="withdraw", reason=statement)
    withdrawal = Withdrawal.objects.create(
        case=locked, channel=channel, statement=statement, recorded_by=actor
    )
    for process in running:
        DisputeFlow.instance.cancel(process)
    stages.on("withdraw", case=locked, actor=actor)
    return withdrawal


@transaction.atomic
def suspend_case(
    *,
    case: Case,
    actor: User,
    reason: str,
    expected_resume_on: datetime.date | None = None,
    on: datetime.date | None = None,
    reason_en: str | None = None,
) -> Suspension:
    """中止办理: the case waits, e.g. for a court ruling or a party abroad. Its running
    clocks wait with it, its tasks cannot be taken up or completed, and the parties are
    told with a 中止办理告知书. ``on``: the day it is suspended (today unless given).
    ``reason_en``: the reason in English (``services.require_reason_en``)."""
    locked = _locked(case, actor, "cases.suspend_case", "suspend")
    reason = require_reason(reason)
    reason_en = services.require_reason_en(locked, reason_en)
    on = on or organisation_today()
    if expected_resume_on and expected_resume_on < on:
        raise ValidationError(
            _("The expected date of resumption cannot be before the suspension."),
            code="resume_before_suspension",
        )
    if expected_resume_on:
        check_expected_resume_on(expected_resume_on)  # the notice prints it
    # Stored before the step: the notice the step issues states it.
    suspension = Suspension.objects.create(
        case=locked,
        reason=reason,
        suspended_on=on,
        expected_resume_on=expected_resume_on,
        suspended_by=actor,
    )
    services.take_step(
        case=locked, actor=actor, name="suspend", reason=reason, reason_en=reason_en, on=on
    )
    stages.on("suspend", case=locked, actor=actor, on=on)
    return suspension


@transaction.atomic
def resume_case(
    *, case: Case, actor: User, reason: str = "", on: datetime.date | None = None
) -> Case:
    """The case goes on from the stage it was suspended in. Its clocks go on too, each
    due later by the working days it waited (``cases.deadlines.resume``)."""
    locked = _locked(case, actor, "cases.suspend_case", "resume")
    on = on or organisation_today()
    suspension = locked.suspensions.filter(resumed_on__isnull=True).first()
    if suspension and on < suspension.suspended_on:
        raise ValidationError(
            _("A case cannot resume before the day it was suspended (%s).")
            % suspension.suspended_on.isoformat(),
            code="resume_before_suspension",
        )
    locked = services.take_step(
        case=locked, actor=actor, name="resume", reason=(reason or "").strip(), on=on
    )
    if suspension:
        suspension.resumed_on, suspension.resumed_by = on, actor
        suspension.save(update_fields=["resumed_on", "resumed_by"])
    stages.on("resume", case=locked, actor=actor, on=on)
    return locked


@transaction.atomic
def reopen_case(*, case: Case, actor: User, reason: str) -> CaseProcess:
    """New facts reach a declined or closed case: its supervisor reopens it. The same case
    and number go on with a new run of the flow from screening; the earlier runs and their
    tasks stay as they were. A new acceptance clock starts (``cases.services``)."""
    locked = _locked(case, actor, "cases.reopen_case", "reopen")
    reason = require_reason(reason)
    if _running_processes(locked).exists():
        raise ValidationError(_("The case's process is still running."), code="running")
    locked = services.take_step(case=locked, actor=actor, name="reopen", reason=reason)
    stages.on("reopen", case=locked, actor=actor)
    return DisputeFlow.reopen.run(case=locked)


# The case page's panel.


@dataclass(frozen=True)
class Control:
    name: str  # the URL name and the step: withdraw, suspend, resume, reopen
    label: str
    form: object


def controls(case: Case, can: dict[str, bool]) -> list[Control]:
    """The lifecycle steps this person may take on the case now: the capability table
    allows them and the status machine does too."""
    offered = [
        ("withdraw", "withdraw_case", WithdrawForm),
        ("suspend", "suspend_case", SuspendForm),
        ("resume", "suspend_case", ResumeForm),
        ("reopen", "reopen_case", ReopenForm),
    ]
    # The suspension asks for its reason in English when a party reads no Chinese.
    return [
        Control(
            step,
            transition_label(step),
            form(auto_id=f"id_{step}_%s", **({"case": case} if form is SuspendForm else {})),
        )
        for step, action, form in offered
        if can.get(action) and can_proceed(getattr(case, step))
    ]


def panel(case: Case, can: dict[str, bool], runs: list[CaseProcess]) -> dict | None:
    """The lifecycle panel: the controls this person may use, the open suspension, the
    withdrawals recorded and the earlier ``runs`` of the process (oldest first). Hidden
    when empty."""
    offered = controls(case, can)
    suspension = (
        case.suspensions.select_related("suspended_by").filter(resumed_on__isnull=True).first()
        if case.status == CaseStatus.SUSPENDED
        else None
    )
    # Each withdrawal is recorded with its step on the timeline (``withdraw_case``), which
    # the page reads anyway: the withdrawals are read only for a case that has one.
    withdrawn = any(event.transition == "withdraw" for event in case_timeline(case))
    withdrawals = list(case.withdrawals.select_related("recorded_by")) if withdrawn else []
    if not (offered or suspension or withdrawals or len(runs) > 1):
        return None
    return {
        "lifecycle_controls": offered,
        "open_suspension": suspension,
        "withdrawals": withdrawals,
        "process_runs": runs if len(runs) > 1 else [],
    }
