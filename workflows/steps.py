"""What each human task of the dispute flow asks for (a form) and does when completed (a
function of the case, the person and the form's data).

The completion functions are the only callers of Case transitions: the process runs the
case. A stage's forms, screens and completions are its own (``workflows.stages``);
coordination and mediation are still plain forms here that record their outcome, until
their stages arrive ([Q7], [Q8]).
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases import deadlines
from cases.calendar import organisation_today
from cases.models import Case, Deadline, Organisation, Route, User
from cases.selectors import reads_no_chinese, referral_targets
from cases.services import add_note, take_referral
from documents import casefile

from . import stages
from .forms import REASON_EN_LABEL
from .models import CaseProcess, Outcome
from .taskforms import TaskForm


def _notes(label, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": 4}))


class ScreenForm(TaskForm):
    notes = _notes(_("Screening notes: facts checked, competent body, recommendation"))


class DecideForm(TaskForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("decline", _("Decline")), ("refer", _("Refer"))],
        widget=forms.RadioSelect,
    )
    refer_to = forms.ModelChoiceField(
        label=_("Refer to"), queryset=Organisation.objects.none(), required=False
    )
    reason = _notes(_("Reason (required to decline or refer)"), required=False)
    # The 不予受理告知书 of a party who reads no Chinese says the reason in English too.
    reason_en = _notes(REASON_EN_LABEL, required=False)

    show_when = {"refer_to": ("decision", "refer"), "reason_en": ("decision", "decline")}
    required_when_shown = frozenset({"refer_to", "reason_en"})
    error_fields = {"reason_required": "reason", "referral_target": "refer_to"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["refer_to"].queryset = referral_targets(self.case)
        if not reads_no_chinese(self.case):
            del self.fields["reason_en"]

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision in ("decline", "refer") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for this decision."))
        if (
            decision == "decline"
            and "reason_en" in self.fields
            and not (data.get("reason_en") or "").strip()
        ):
            self.add_error("reason_en", _("Give the reason in English too."))
        if decision == "refer" and not data.get("refer_to"):
            self.add_error("refer_to", _("Choose the organisation the case is referred to."))
        return data


class RouteForm(TaskForm):
    """The officer's route after the legal review: the committee's recommendation comes
    chosen; another needs a reason."""

    route = forms.ChoiceField(label=_("Route"), choices=Route.choices, widget=forms.RadioSelect)
    notes = _notes(_("Why this route (required if it is not the one recommended)"), required=False)

    error_fields = {"reason_required": "notes"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        recommended = stages.recommended_route(self.case)
        if recommended:
            self.fields["route"].initial = recommended
            self.fields["route"].help_text = _("The legal advisory committee recommends: %s.") % (
                Route(recommended).label
            )


class SummaryForm(TaskForm):
    summary = _notes(_("What was agreed or found"))


class OutcomeForm(TaskForm):
    # The choices are the record's (``Outcome``), which the completion stores.
    result = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.Result.choices, widget=forms.RadioSelect
    )
    agreement_on = forms.DateField(
        label=_("Date the agreement took effect"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    route_forward = forms.ChoiceField(
        label=_("Route forward if not settled"),
        required=False,
        choices=[("", "---------"), *Outcome.RouteForward.choices],
    )
    notes = _notes(_("Notes"), required=False)

    show_when = {
        "agreement_on": ("result", "settled"),
        "route_forward": ("result", "unresolved"),
    }
    required_when_shown = frozenset({"route_forward"})
    # The agreement's date is the day the case is settled: neither may be in the future,
    # nor before the case was received (cases.validators.check_step_on).
    error_fields = {
        "future_agreement": "agreement_on",
        "future_step": "agreement_on",
        "before_receipt": "agreement_on",
        "result_required": "result",
        "route_forward_required": "route_forward",
    }

    def clean(self):
        data = super().clean()
        if data.get("result") == "unresolved" and not data.get("route_forward"):
            self.add_error("route_forward", _("Record the route forward for the parties."))
        return data


class FollowUpForm(TaskForm):
    visit = _notes(_("Follow-up visit: who was visited, performance, satisfaction"))


class CloseForm(TaskForm):
    reason = _notes(_("Reason for closing"))
    error_fields = {"case_file_incomplete": "reason"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The supervisor sees before approving what the case file still lacks.
        missing = _case_file_missing(self.case)
        if missing:
            self.fields["reason"].help_text = _(
                "The case file still lacks: %(items)s. Closing is refused until they are in."
            ) % {"items": "、".join(missing)}


class ReferralResponseForm(TaskForm):
    response = forms.ChoiceField(
        label=_("Response"),
        choices=[("accept", _("We take the case")), ("object", _("We object: return it"))],
        widget=forms.RadioSelect,
    )
    reason = _notes(_("Reason (required to object)"), required=False)

    error_fields = {"reason_required": "reason", "objection_late": "response"}

    def clean(self):
        data = super().clean()
        if data.get("response") == "object" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the objection."))
        return data


# Completion functions: (case, actor, data, process) -> None


def _step(case: Case, actor: User, name: str, **params) -> Case:
    from .services import take_step  # services import the flow, which imports this module

    return take_step(case=case, actor=actor, name=name, **params)


def _note(case: Case, actor: User, label: str, text: str) -> None:
    if text.strip():
        add_note(
            case=case, actor=actor, text=f"{label}：{text.strip()}", action="cases.handle_case"
        )


def screen(case, actor, data, process: CaseProcess) -> None:
    _step(case, actor, "start_screening")
    _note(case, actor, "受理审查意见", data["notes"])


def rescreen(case, actor, data, process: CaseProcess) -> None:
    """Screening of a reopened case: the new facts are examined; the case is already in
    screening (reopening put it there), so only the notes are recorded."""
    _note(case, actor, "重新受理审查意见", data["notes"])


def decide(case, actor, data, process: CaseProcess) -> None:
    decision = data["decision"]
    params = {"to": data["refer_to"]} if decision == "refer" else {}
    if decision == "decline":
        params["reason_en"] = data.get("reason_en", "")
    _step(case, actor, decision, reason=data.get("reason", ""), **params)


ROUTE_TRANSITIONS = {
    "coordination": "start_coordination",
    "both": "start_coordination",
    "mediation": "start_mediation",
}


def route(case, actor, data, process: CaseProcess) -> None:
    """The officer's route. Another than the one the committee recommends needs a reason
    (checked here, so no caller can skip it)."""
    recommended = stages.recommended_route(case)
    if recommended and data["route"] != recommended and not data.get("notes", "").strip():
        raise ValidationError(
            _("Say why you choose another route than the committee recommends (%s).")
            % Route(recommended).label,
            code="reason_required",
        )
    process.route = data["route"]
    if data["route"] in ROUTE_TRANSITIONS:
        _step(case, actor, ROUTE_TRANSITIONS[data["route"]], reason=data.get("notes", ""))
    else:
        _note(case, actor, "办理路径", data.get("notes", ""))


def coordination(case, actor, data, process: CaseProcess) -> None:
    _note(case, actor, "协调会议定事项", data["summary"])


def enter_mediation(activation) -> None:
    """Both routes: coordination is done, the case goes on to mediation, taken by whoever
    finished coordination's last task."""
    process = activation.process
    done = (
        process.task_set.filter(owner__isnull=False, finished__isnull=False)
        .select_related("owner")
        .order_by("-finished")
        .first()
    )
    case = CaseProcess.objects.select_related("case").get(pk=process.pk).case
    _step(case, done.owner if done else case.officer, "start_mediation")


def mediation(case, actor, data, process) -> None:
    _note(case, actor, "调解情况", data["summary"])


# The route forward as the reason of the case's status change says it on the timeline.
ROUTES_FORWARD = {
    Outcome.RouteForward.LITIGATION: "引导诉讼",
    Outcome.RouteForward.ARBITRATION: "申请仲裁",
    Outcome.RouteForward.ADMINISTRATIVE: "行政途径",
}


def outcome(case: Case, actor: User, data: dict, process: CaseProcess) -> None:
    """Move the case to settled or unresolved and store what was found as this run's
    ``Outcome``: the status change (with its reason) is the case's timeline entry, the
    result is the record. The data is checked here as well as by the form, so a caller
    without the form's data is told what is missing rather than failing on a key."""
    result = data.get("result")
    notes = (data.get("notes") or "").strip()
    on: datetime.date | None = None
    forward = ""
    if result == Outcome.Result.SETTLED:
        on = data.get("agreement_on") or organisation_today()
        _step(case, actor, "settle", reason=notes, on=on)
    elif result == Outcome.Result.UNRESOLVED:
        forward = data.get("route_forward") or ""
        if forward not in ROUTES_FORWARD:
            raise ValidationError(
                _("Record the route forward for the parties."), code="route_forward_required"
            )
        reason = f"{ROUTES_FORWARD[forward]}。{notes}".rstrip("。") + "。"
        _step(case, actor, "mark_unresolved", reason=reason)
    else:
        raise ValidationError(
            _("Record the outcome: settled or not settled."), code="result_required"
        )
    Outcome.objects.create(
        process=process,
        case=case,
        result=result,
        agreement_on=on,
        route_forward=forward,
        notes=notes,
        recorded_by=actor,
    )


def follow_up(case, actor, data, process) -> None:
    _step(case, actor, "start_follow_up", reason=data["visit"])


def close(case, actor, data, process) -> None:
    _refuse_incomplete_case_file(case)
    _step(case, actor, "close", reason=data["reason"])


def _case_file_missing(case: Case) -> list[str]:
    """What a case that went to mediation still lacks of the Ministry of Justice's required
    items of its case file (none for another case)."""
    if not casefile.was_mediated(case):
        return []
    return [casefile.printed_label(label) for label in casefile.contents(case).missing]


def _refuse_incomplete_case_file(case: Case) -> None:
    """A case that went to mediation closes with its case file complete: the back cover
    then lists nothing missing."""
    missing = _case_file_missing(case)
    if missing:
        raise ValidationError(
            _("The case file is not complete: %(items)s missing. Add them before closing.")
            % {"items": "、".join(missing)},
            code="case_file_incomplete",
        )


def respond_to_referral(case, actor, data, process: CaseProcess) -> None:
    """The receiver objects (the case comes back) or takes the case (the referral stands
    and the process ends). The window to object is the referral's objection clock
    (《信访工作条例》 Art. 23), the same date the referral letter gives."""
    if data["response"] == "object":
        window = deadlines.current(case, Deadline.Kind.REFERRAL_OBJECTION)
        if window and organisation_today() > window.due_on:
            raise ValidationError(
                _("The 5 working days for an objection ended on %s; the referral stands.")
                % window.due_on.isoformat(),
                code="objection_late",
            )
        _step(case, actor, "return_referral", reason=data["reason"])
    else:
        take_referral(case=case, actor=actor)
