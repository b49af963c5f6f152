"""The agreement stage's forms: its tasks' (the mediator's signature, the end of the
performance, the follow-up visit) and its page's (the draft and its terms, a paper copy,
judicial confirmation, a term's performance). Each refuses bad input with a message next
to its field; the services check the same again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.selectors import party_list
from workflows.taskforms import TaskForm

from .models import NOTE_MAX, FollowUpVisit
from .services import VisitInput


def _text(label, *, required: bool = False, rows: int = 4, max_length: int = NOTE_MAX):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _day(label) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


class SignForm(TaskForm):
    """The mediator's signature, last: the agreement takes effect."""

    sign = forms.BooleanField(
        label=_(
            "I have read the version every party confirmed and sign it as the mediator: the "
            "agreement takes effect today."
        )
    )
    error_fields = {"unconfirmed": "sign", "not_confirming": "sign"}


class PerformanceDoneForm(TaskForm):
    notes = _text(_("Notes on the performance"))
    error_fields = {"terms_open": None}


class VisitForm(TaskForm):
    """A follow-up visit (回访) with the Ministry's fields."""

    party = forms.TypedChoiceField(label=_("Party visited"), coerce=int)
    method = forms.ChoiceField(
        label=_("How"),
        choices=[c for c in FollowUpVisit.Method.choices if c[0] != FollowUpVisit.Method.LINK],
    )
    reason = forms.CharField(label=_("Reason for the visit"), max_length=200)
    performance = _text(_("Performance of the agreement or outcome"), required=True)
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = _text(_("What the party said"))
    visited_on = _day(_("Date of the visit"))
    error_fields = {
        "party": "party",
        "method": "method",
        "satisfaction": "satisfaction",
        "visited_on": "visited_on",
        "required": None,
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [(p.pk, str(p)) for p in party_list(self.case)]

    @staticmethod
    def visit_input(data: dict) -> VisitInput:
        return VisitInput(
            party_pk=data["party"],
            method=data["method"],
            reason=data["reason"],
            performance=data["performance"],
            satisfaction=data["satisfaction"],
            visited_on=data["visited_on"],
            comment=data.get("comment", ""),
        )
