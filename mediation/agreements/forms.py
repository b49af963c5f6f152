"""The agreement stage's forms: its tasks' (the mediator's signature, the end of the
performance, the follow-up visit) and its page's (the draft and its terms, a paper copy,
judicial confirmation, a term's performance). Each refuses bad input with a message next
to its field; the services check the same again."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.calendar import organisation_today
from cases.models import Case, Party
from cases.selectors import party_list
from cases.validators import EARLIEST_DATE, validate_name
from workflows.taskforms import TaskForm

from . import selectors
from .models import NOTE_MAX, TEXT_MAX, FollowUpVisit, JudicialConfirmation, TermEvent
from .services import DraftInput, TermInput, VisitInput

# Control characters other than the line breaks and tabs a text may hold: they would
# print as nothing (or break the PDF's text) in a document the parties sign.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# A term's date further ahead than this is a slip of the keyboard (9999-12-31), which the
# agreement would print.
TERM_YEARS_AHEAD = 10


def validate_text(value: str) -> None:
    if _CONTROL.search(value or ""):
        raise ValidationError(
            _("A text cannot contain control characters."), code="control_characters"
        )


def validate_not_too_early(value: datetime.date) -> None:
    if value < EARLIEST_DATE:
        raise ValidationError(
            _("The date cannot be before %(date)s.") % {"date": EARLIEST_DATE.isoformat()},
            code="too_early",
        )


def party_label(party) -> str:
    """A party as a choice names them: "曾宪明（申请人）" / "Tsang (Claimant)"."""
    return _("%(name)s (%(role)s)") % {"name": party.subject, "role": party.get_role_display()}


def _text(label, *, required: bool = False, rows: int = 4, max_length: int = NOTE_MAX):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _line(label, *, max_length: int = 200, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, required=required, validators=[validate_name]
    )


def _day(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        validators=[validate_not_too_early],
        # ISO, the only form a date input takes: the locale's 2026/12/31 shows it empty.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _pdf(label) -> forms.FileField:
    return forms.FileField(
        label=label, widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"})
    )


# Task forms ----------------------------------------------------------------------------


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
    """A follow-up visit (回访) with the Ministry's fields: the task's form, and the
    agreement page's (which builds it with a prefix)."""

    party = forms.TypedChoiceField(label=_("Party visited"), coerce=int)
    method = forms.ChoiceField(
        label=_("How"),
        choices=[c for c in FollowUpVisit.Method.choices if c[0] != FollowUpVisit.Method.LINK],
    )
    reason = _line(_("Reason for the visit"))
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
        self.fields["party"].choices = [(p.pk, party_label(p)) for p in party_list(self.case)]

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


# The page's forms ----------------------------------------------------------------------


class PageForm(forms.Form):
    """A form of the agreement page. ``error_fields``: the codes of the ValidationErrors its
    service may raise and the field each is shown next to (None, or a code not listed:
    above the form). Uploads are checked by ``documents.services.add_evidence``, whose
    errors carry no code or "password": shown next to ``upload``."""

    error_fields: dict[str, str | None] = {}

    def add_service_error(self, error: ValidationError) -> None:
        for item in error.error_list:
            name = self.error_fields.get(item.code or "")
            self.add_error(name if name in self.fields else None, item)


ENGLISH_REQUIRED = _("A party reads English: the agreement is bilingual, write it in English too.")
ENGLISH_OPTIONAL = _("Optional: every party reads Chinese. Needed when a party reads English.")
ENGLISH_FIELDS = ("facts_en", "disputes_en", "responsibilities_en")


def _english(form: forms.Form, names: tuple[str, ...], required: bool) -> None:
    """The English fields: required where a party reads no Chinese (their copy is
    bilingual), shown either way with a note that says which."""
    for name in names:
        field = form.fields[name]
        field.required = required
        field.help_text = ENGLISH_REQUIRED if required else ENGLISH_OPTIONAL
        if required:
            field.widget.attrs["aria-required"] = "true"


class DraftForm(PageForm):
    """The agreement's text (its terms are the formset beside it)."""

    facts = _text(_("Main facts"), required=True, rows=6, max_length=TEXT_MAX)
    facts_en = _text(_("Main facts (English)"), rows=6, max_length=TEXT_MAX)
    disputes = _text(_("Points in dispute"), required=True, rows=4, max_length=TEXT_MAX)
    disputes_en = _text(_("Points in dispute (English)"), rows=4, max_length=TEXT_MAX)
    responsibilities = _text(
        _("Each party's responsibility"), required=True, rows=4, max_length=TEXT_MAX
    )
    responsibilities_en = _text(
        _("Each party's responsibility (English)"), rows=4, max_length=TEXT_MAX
    )
    error_fields = {"not_mediating": None, "effective": None, "no_terms": None}

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _english(self, ENGLISH_FIELDS, selectors.needs_english(case))

    def draft(self, terms: list[TermInput]) -> DraftInput:
        data = self.cleaned_data
        return DraftInput(terms=terms, **{name: data[name] for name in self.fields})


class TermForm(forms.Form):
    """One term: who performs what, how and by when (obligors: the signatories only)."""

    obligor = forms.TypedChoiceField(label=_("Performed by"), coerce=int, empty_value=None)
    text = _text(_("What is performed"), required=True, rows=2)
    text_en = _text(_("What is performed (English)"), rows=2)
    method = _line(_("How"))
    method_en = _line(_("How (English)"), required=False)
    due_on = _day(_("Due date"))

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["obligor"].choices = [("", "---------")] + [
            (p.pk, party_label(p)) for p in selectors.signatories(case)
        ]
        _english(self, ("text_en", "method_en"), selectors.needs_english(case))

    def clean_due_on(self) -> datetime.date:
        day = self.cleaned_data["due_on"]
        if day < self.case.received_on:
            raise ValidationError(
                _("A term's date cannot be before the case was received (%(date)s).")
                % {"date": self.case.received_on.isoformat()},
                code="before_receipt",
            )
        if day > organisation_today() + datetime.timedelta(days=365 * TERM_YEARS_AHEAD):
            raise ValidationError(
                _("A term's date is at most %(years)d years ahead.") % {"years": TERM_YEARS_AHEAD},
                code="too_far_ahead",
            )
        return day

    def term(self) -> TermInput:
        data = self.cleaned_data
        return TermInput(
            obligor_pk=data["obligor"],
            text=data["text"],
            method=data["method"],
            due_on=data["due_on"],
            text_en=data.get("text_en", ""),
            method_en=data.get("method_en", ""),
        )


# At most this many terms: more is a form sent by a script, not a mediator.
MAX_TERMS = 30

TermFormSet = forms.formset_factory(
    TermForm,
    extra=1,
    can_delete=True,
    min_num=1,
    validate_min=True,
    max_num=MAX_TERMS,
    validate_max=True,
)


def terms_of(formset) -> list[TermInput]:
    """The terms kept, in their order: each saved one and each filled in, unless marked
    for deletion (an empty extra form is no term)."""
    saved = formset.initial_form_count()
    return [
        form.term()
        for index, form in enumerate(formset.forms)
        if (index < saved or form.has_changed()) and not form.cleaned_data.get("DELETE")
    ]


EVIDENCE_ERRORS = {"": "upload", "password": "upload"}


class PaperForm(PageForm):
    """The paper copy of the current version a party signed, for the officer to file."""

    party = forms.TypedChoiceField(label=_("Party who signed"), coerce=int)
    upload = _pdf(_("Signed paper copy (PDF)"))
    # The version the officer was shown: a newer one since is refused.
    sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)
    error_fields = {"party": "party", "confirmed_already": "party", **EVIDENCE_ERRORS}

    def __init__(self, *args, parties: list[Party], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [(p.pk, party_label(p)) for p in parties]


class ApplyForm(PageForm):
    court = _line(_("Court with jurisdiction"))
    error_fields = {"required": "court", "too_long": "court"}


class FilingForm(PageForm):
    applied_on = _day(_("Filed with the court on"))
    error_fields = {"future": "applied_on", "outside_window": "applied_on"}


class RulingForm(PageForm):
    ruling = forms.ChoiceField(
        label=_("Ruling"), choices=JudicialConfirmation.Ruling.choices, widget=forms.RadioSelect
    )
    number = _line(_("Ruling number"), max_length=100)
    ruled_on = _day(_("Ruled on"))
    upload = _pdf(_("Copy of the ruling (PDF)"))
    error_fields = {
        "ruling": "ruling",
        "ruled_on": "ruled_on",
        "required": "number",
        "too_long": "number",
        **EVIDENCE_ERRORS,
    }


class PerformedForm(PageForm):
    note = _text(_("Note"), rows=2)
    upload = _pdf(_("Proof of performance (履行凭证, PDF)"))
    error_fields = {"too_long": "note", **EVIDENCE_ERRORS}


class UnperformedForm(PageForm):
    note = _text(_("What the party says has not been performed"), required=True, rows=2)
    error_fields = {"required": "note", "too_long": "note"}


class ResolveForm(PageForm):
    """The mediator takes up a term said not performed."""

    outcome = forms.ChoiceField(
        label=_("What happens to the term"),
        choices=[
            (TermEvent.Kind.MORE_TIME, _("More time: a new date")),
            (TermEvent.Kind.FAILED, _("Not performed: it will not be")),
        ],
        widget=forms.RadioSelect,
    )
    due_on = _day(_("New date"), required=False)
    note = _text(_("Your reason"), required=True, rows=2)
    error_fields = {
        "outcome": "outcome",
        "due_on": "due_on",
        "required": "note",
        "too_long": "note",
    }

    def clean(self):
        data = super().clean()
        more_time = data.get("outcome") == TermEvent.Kind.MORE_TIME
        if more_time and not data.get("due_on") and "due_on" not in self.errors:
            self.add_error("due_on", _("Give the new date."))
        return data
