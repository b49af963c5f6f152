"""The forms of the case page's lifecycle panel: withdraw, suspend, resume, reopen. Their
fields are the keyword arguments of the services in ``workflows.lifecycle``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import MAX_TEXT
from cases.models import Withdrawal
from cases.validators import check_expected_resume_on


def _text(label, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How the withdrawal came"), choices=Withdrawal.Channel.choices
    )
    statement = _text(_("The claimant's statement: what is withdrawn, and why"))


class SuspendForm(forms.Form):
    reason = _text(_("Why the case waits (a court ruling, a party abroad…)"))
    expected_resume_on = forms.DateField(
        label=_("Expected to resume on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_expected_resume_on(self):
        day = self.cleaned_data["expected_resume_on"]
        if day and day < timezone.localdate():
            raise ValidationError(
                _("The expected date of resumption cannot be in the past."), code="past"
            )
        if day:
            check_expected_resume_on(day)  # the service checks it again, for other callers
        return day


class ResumeForm(forms.Form):
    reason = _text(_("Note on resuming (optional)"), required=False)


class ReopenForm(forms.Form):
    reason = _text(_("The new facts: why the case is reopened"))
