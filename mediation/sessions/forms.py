"""The mediation stage's forms: the officer's assignment, the mediator's declaration and
outcome (task forms), scheduling and moving a session, consent and the month's extension."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.forms import zone_field
from cases.models import Consent, Language, Party
from cases.validators import validate_name
from workflows.taskforms import TaskForm

from . import selectors
from .models import (
    NOTE_MAX,
    TEXT_MAX,
    Attendee,
    MediationResult,
    MediationSession,
    Mediator,
    Proposal,
)
from .services import Guest, SessionDetails


def _text(label, rows: int = 3, required: bool = False, max_length: int = NOTE_MAX):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class MediatorChoice(forms.ModelChoiceField):
    def label_from_instance(self, mediator) -> str:
        languages = "、".join(mediator.language_labels())
        parts = [str(mediator), str(mediator.organisation), languages, mediator.expertise]
        return " · ".join(part for part in parts if part)


class AssignForm(TaskForm):
    """The officer assigns a mediator from the roster (a foreign mediator only where a
    foreign party is involved)."""

    mediator = MediatorChoice(
        label=_("Mediator"), queryset=Mediator.objects.none(), widget=forms.RadioSelect
    )
    error_fields = {"mediator": "mediator", "assigned": "mediator"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mediator"].queryset = selectors.roster(self.case)
        if selectors.recused(self.case):
            self.fields["mediator"].help_text = _(
                "The mediator assigned before declared a conflict: choose another."
            )


class DeclareForm(TaskForm):
    has_conflict = forms.TypedChoiceField(
        label=_("Your relation to the parties"),
        coerce=lambda value: value == "yes",
        choices=[
            ("no", _("I have no relation to any party of this case")),
            (
                "yes",
                _("I have a relation to a party or an interest in the matter (I recuse myself)"),
            ),
        ],
        widget=forms.RadioSelect,
    )
    conflict = _text(_("What the relation is"))

    show_when = {"conflict": ("has_conflict", "yes")}
    required_when_shown = frozenset({"conflict"})
    error_fields = {"conflict": "conflict", "declared": "has_conflict"}

    def clean(self):
        data = super().clean()
        if data.get("has_conflict") and not (data.get("conflict") or "").strip():
            self.add_error("conflict", _("Say what your relation to the party is."))
        return data


class OutcomeForm(TaskForm):
    """How mediation ended, with the mediator's reason."""

    kind = forms.ChoiceField(
        label=_("Outcome"), choices=MediationResult.Kind.choices, widget=forms.RadioSelect
    )
    reason = _text(_("Your reason"), required=True)
    terms = _text(_("The terms agreed orally"), rows=5, max_length=TEXT_MAX)
    route_forward = forms.ChoiceField(
        label=_("Route forward for the parties"),
        required=False,
        choices=[("", "---------"), *MediationResult.RouteForward.choices],
    )

    show_when = {"terms": ("kind", "oral"), "route_forward": ("kind", "failed")}
    required_when_shown = frozenset({"terms", "route_forward"})
    error_fields = {
        "kind": "kind",
        "reason": "reason",
        "terms": "terms",
        "route": "route_forward",
        "planned": "kind",
    }


def _zone_choices():
    return zone_field(_("Time zone")).choices


class SessionForm(forms.Form):
    """A session: online or in person, when (in the zone the mediator chooses, e.g. the
    parties'), for how long, where or through which link, who attends."""

    mode = forms.ChoiceField(
        label=_("How"), choices=MediationSession.Mode.choices, widget=forms.RadioSelect
    )
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    zone = forms.ChoiceField(label=_("In the time of"), initial="Asia/Shanghai")
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=8 * 60, initial=90
    )
    place = forms.CharField(
        label=_("Place"), max_length=200, required=False, validators=[validate_name]
    )
    video_link = forms.URLField(
        label=_("Video link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A link to the video service you use; stored as given."),
    )
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties attending"),
        queryset=Party.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    guest_name = forms.CharField(
        label=_("Also attending (an interpreter, an adviser): name"),
        max_length=100,
        required=False,
        validators=[validate_name],
    )
    guest_role = forms.ChoiceField(
        label=_("As"),
        required=False,
        choices=[
            (Attendee.Role.INTERPRETER, Attendee.Role.INTERPRETER.label),
            (Attendee.Role.ADVISER, Attendee.Role.ADVISER.label),
            (Attendee.Role.RELATIVE, Attendee.Role.RELATIVE.label),
        ],
    )
    guest_email = forms.EmailField(label=_("Their e-mail"), required=False)
    guest_zone = forms.ChoiceField(label=_("Their time zone"), required=False)
    guest_language = forms.ChoiceField(
        label=_("Their language"), required=False, choices=Language.choices
    )
    # Set when the form came back with out-of-hours warnings and is sent again as it is.
    despite_hours = forms.BooleanField(
        label=_("Schedule it at this time all the same"), required=False
    )

    def __init__(self, *args, case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["zone"].choices = _zone_choices()
        self.fields["guest_zone"].choices = _zone_choices()
        self.fields["parties"].queryset = Party.objects.filter(
            pk__in=[p.pk for p in selectors.invitable_parties(case)]
        ).select_related("person")
        if not self.is_bound:
            self.fields["parties"].initial = [p.pk for p in self.fields["parties"].queryset]

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("time") and data.get("zone"):
            data["starts_at"] = datetime.datetime.combine(
                data["day"], data["time"], tzinfo=ZoneInfo(data["zone"])
            )
        if data.get("guest_name") and not data.get("guest_role"):
            self.add_error("guest_role", _("Say in what role they attend."))
        return data

    def details(self) -> SessionDetails:
        data = self.cleaned_data
        guests = []
        if data.get("guest_name"):
            guests.append(
                Guest(
                    name=data["guest_name"],
                    role=data["guest_role"],
                    email=data.get("guest_email", ""),
                    time_zone=data.get("guest_zone") or data["zone"],
                    language=data.get("guest_language") or Language.ZH_HANS,
                )
            )
        return SessionDetails(
            mode=data["mode"],
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            place=data.get("place", ""),
            video_link=data.get("video_link", ""),
            set_in_zone=data["zone"],
            parties=list(data["parties"]),
            guests=guests,
        )

    # The services' error codes and the fields they are about.
    error_fields = {
        "past": "day",
        "far": "day",
        "naive": "time",
        "duration": "duration_minutes",
        "consent": "mode",
        "link": "video_link",
        "place": "place",
        "mode": "mode",
        "parties": "parties",
        "who": "parties",
        "planned": None,
        "no_mediator": None,
    }

    def add_service_error(self, error: ValidationError) -> None:
        for item in error.error_list:
            self.add_error(self.error_fields.get(item.code or ""), item)


class MoveForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    zone = forms.ChoiceField(label=_("In the time of"))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=8 * 60, initial=90
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].choices = _zone_choices()

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("time") and data.get("zone"):
            data["starts_at"] = datetime.datetime.combine(
                data["day"], data["time"], tzinfo=ZoneInfo(data["zone"])
            )
        return data


class CancelForm(forms.Form):
    reason = _text(_("Reason for cancelling"), required=True)


class ConsentForm(forms.Form):
    """A party's consent as they gave it: who, how, for what; or its withdrawal."""

    party = forms.ModelChoiceField(label=_("Party"), queryset=Party.objects.none())
    purpose = forms.ChoiceField(label=_("For what"), choices=Consent.Purpose.choices)
    given = forms.TypedChoiceField(
        label=_("Consent"),
        coerce=lambda value: value == "yes",
        choices=[("yes", _("Given")), ("no", _("Withdrawn"))],
        widget=forms.RadioSelect,
        initial="yes",
    )
    how = forms.ChoiceField(
        label=_("How"),
        choices=[(v, label) for v, label in Consent.How.choices if v != Consent.How.LINK],
    )
    given_by = forms.CharField(
        label=_("Given by (the party or who acts for them)"),
        max_length=200,
        validators=[validate_name],
    )
    note = _text(_("Note"), rows=2)

    def __init__(self, *args, case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = case.parties.select_related(
            "person", "association", "organisation"
        )


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Go on for (days)"), min_value=1, max_value=90, initial=30)
    agreed_by = _text(_("Who agreed, for each party"), rows=2, required=True)
    reason = _text(_("Reason"), rows=2, required=True)


# Rows of proposals and answers the record form offers (empty ones are ignored).
PROPOSAL_ROWS = 3


class RecordForm(forms.Form):
    """The 调解笔录 as the mediator writes it: who attended, the statements, the proposals
    and answers of the round (each added to the case's thread) and their summary."""

    statements = _text(_("Statements of the parties"), rows=8, max_length=TEXT_MAX)
    summary = _text(_("Your summary"), rows=4, max_length=TEXT_MAX)

    def __init__(self, *args, session: MediationSession, open_proposals, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        for attendee in session.attendees.all():
            self.fields[f"attended_{attendee.pk}"] = forms.TypedChoiceField(
                label=attendee.display_name,
                coerce=lambda value: value == "yes",
                choices=[("yes", _("Attended")), ("no", _("Did not attend"))],
                widget=forms.RadioSelect,
                required=False,
                initial=None
                if attendee.attended is None
                else ("yes" if attendee.attended else "no"),
            )
        by = [("", _("The mediator"))] + [
            (str(p.pk), str(p.subject)) for p in selectors.invitable_parties(session.case)
        ]
        answers = [("", "---------")] + [(str(p.pk), p.text[:60]) for p in open_proposals]
        for n in range(PROPOSAL_ROWS):
            self.fields[f"stance_{n}"] = forms.ChoiceField(
                label=_("Proposal or answer %(n)d") % {"n": n + 1},
                required=False,
                choices=[("", "---------"), *Proposal.Stance.choices],
            )
            self.fields[f"by_{n}"] = forms.ChoiceField(label=_("By"), required=False, choices=by)
            self.fields[f"answers_{n}"] = forms.ChoiceField(
                label=_("Answers"), required=False, choices=answers
            )
            self.fields[f"text_{n}"] = _text(_("What was proposed or answered"), rows=2)

    def attendance(self) -> dict[int, bool]:
        return {
            int(name.removeprefix("attended_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("attended_") and value in (True, False)
        }

    def proposals(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "stance": data[f"stance_{n}"],
                "text": data[f"text_{n}"],
                "party_pk": int(data[f"by_{n}"]) if data[f"by_{n}"] else None,
                "answers_pk": int(data[f"answers_{n}"]) if data[f"answers_{n}"] else None,
            }
            for n in range(PROPOSAL_ROWS)
            if data.get(f"stance_{n}") and (data.get(f"text_{n}") or "").strip()
        ]
