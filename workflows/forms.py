"""The forms of the case page's lifecycle panel: withdraw, suspend, resume, reopen. Their
fields are the keyword arguments of the services in ``workflows.lifecycle``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases import forms as case_forms
from cases.calendar import organisation_today
from cases.forms import MAX_TEXT
from cases.models import Case, Withdrawal
from cases.selectors import reads_no_chinese
from cases.validators import check_expected_resume_on


def _text(label, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


REASON_EN_LABEL = _("Reason in English (for the party abroad)")


def reason_en_field() -> forms.CharField:
    """The reason in English, printed in a notice's English passage ([Q6e]). Declared
    optional: a form built without its case cannot tell, and the service checks it."""
    return _text(REASON_EN_LABEL, required=False)


def ask_reason_en(form: forms.Form, case: Case | None) -> None:
    """A form built for its case asks for the reason in English only when a party reads
    no Chinese, and then requires it; otherwise the field is not there."""
    if case is None:
        return
    if reads_no_chinese(case):
        form.fields["reason_en"].required = True
    else:
        del form.fields["reason_en"]


class WithdrawForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How the withdrawal came"), choices=Withdrawal.Channel.choices
    )
    statement = _text(_("The claimant's statement: what is withdrawn, and why"))


class SuspendForm(forms.Form):
    reason = _text(_("Why the case waits (a court ruling, a party abroad…)"))
    reason_en = reason_en_field()
    expected_resume_on = forms.DateField(
        label=_("Expected to resume on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_expected_resume_on(self):
        day = self.cleaned_data["expected_resume_on"]
        if day and day < organisation_today():
            raise ValidationError(
                _("The expected date of resumption cannot be in the past."), code="past"
            )
        if day:
            check_expected_resume_on(day)  # the service checks it again, for other callers
        return day

    def __init__(self, *args, case: Case | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ask_reason_en(self, case)


class ResumeForm(forms.Form):
    reason = _text(_("Note on resuming (optional)"), required=False)


class ReopenForm(forms.Form):
    reason = _text(_("The new facts: why the case is reopened"))


class ExtensionForm(case_forms.ExtensionForm):
    """The supervisor's extension, with the reason in English when a party reads no
    Chinese. For the case page's views (``workflows.case_views``, ``case_panels``) to
    build with ``case=``, in place of ``cases.forms.ExtensionForm``."""

    reason_en = reason_en_field()

    def __init__(self, *args, case: Case | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ask_reason_en(self, case)
