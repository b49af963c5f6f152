"""Forms of the legal review: the officer's choice of reviewers, the adviser's
declaration, opinion and questions, the officer's answers, the lead's consolidation."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.calendar import WorkingCalendar, organisation_today
from cases.models import Case, Route
from cases.params import int_param
from workflows.taskforms import TaskForm

from . import selectors
from .models import OPINION_TEXT_MAX, LawArticle, Opinion, text_lines
from .services import MAX_REVIEWERS, Seat


def _text(label, rows: int = 6, required: bool = False, max_length: int = OPINION_TEXT_MAX):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _date(label, required: bool = True) -> forms.DateField:
    # A date input takes ISO dates whatever the reader's language.
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class AssignForm(TaskForm):
    """Send the case to legal review: the advisers offered, best first, each with why;
    one lead, up to four more, each with a due date."""

    fields_template = "review/forms/assign.html"
    lead = forms.TypedChoiceField(label=_("Lead reviewer"), coerce=int, widget=forms.RadioSelect)
    members = forms.TypedMultipleChoiceField(
        label=_("More reviewers"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = _text(_("Notes for the reviewers"), rows=3, max_length=4000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = organisation_today()
        calendar = WorkingCalendar.load()
        self.ranked, self.away = selectors.ranked_advisers(
            self.case, today=self.today, calendar=calendar
        )
        self.default_due = selectors.default_due_on(self.case, self.today, calendar)
        choices = [(r.user.pk, str(r.user)) for r in self.ranked]
        self.fields["lead"].choices = choices
        self.fields["members"].choices = choices
        for ranked in self.ranked:
            # Each due date is labelled with its adviser's name (the table shows it once,
            # in the column's head; a screen reader and the error summary need it all).
            label = _("Due date for %(name)s") % {"name": ranked.user}
            self.fields[f"due_{ranked.user.pk}"] = _date(label, required=False)
            self.fields[f"due_{ranked.user.pk}"].initial = self.default_due

    def rows(self):
        """Each offered adviser with their ranking and their due-date field, for the table."""
        return [(r, self[f"due_{r.user.pk}"]) for r in self.ranked]

    def clean(self):
        data = super().clean()
        lead, members = (
            data.get("lead"),
            [m for m in data.get("members", []) if m != data.get("lead")],
        )
        if lead is None:
            return data
        if len(members) + 1 > MAX_REVIEWERS:
            self.add_error("members", _("At most %d reviewers in all.") % MAX_REVIEWERS)
        users = {r.user.pk: r.user for r in self.ranked}
        data["seats"] = [
            Seat(users[pk], data.get(f"due_{pk}") or self.default_due, is_lead=pk == lead)
            for pk in [lead, *members]
        ]
        return data

    error_fields = {"lead": "lead", "due_on": "lead", "adviser": "lead", "too_many": "members"}


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Your relation to the parties"),
        coerce=lambda value: value == "yes",
        choices=[
            ("no", _("I have no relation to any party of this case")),
            ("yes", _("I have a relation to a party (I cannot review this case)")),
        ],
        widget=forms.RadioSelect,
    )
    relation = _text(_("What the relation is"), rows=3, max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("has_conflict") and not (data.get("relation") or "").strip():
            self.add_error("relation", _("Say what your relation to the party is."))
        return data


class CatalogueField(forms.ModelMultipleChoiceField):
    """Articles of the catalogue by key; a key outside the database's range is an invalid
    choice like any unknown one (the database would refuse to compare it)."""

    def _check_values(self, value):
        for key in value:
            if int_param(str(key)) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": key},
                )
        return super()._check_values(value)


def law_field() -> forms.ModelMultipleChoiceField:
    return CatalogueField(
        label=_("Applicable law"),
        queryset=LawArticle.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


# The risk levels whose assessment must say what could go wrong.
RISKS_EXPLAINED = (Case.Risk.MEDIUM, Case.Risk.HIGH)


class OpinionFieldsMixin(forms.Form):
    facts = _text(_("Facts found"))
    issues = _text(_("Issues in dispute"), rows=4)
    laws = law_field()
    analysis = _text(_("Analysis"), rows=10)
    route = forms.ChoiceField(
        label=_("Recommended route"),
        choices=[("", "---------"), *Route.choices],
        required=False,
    )
    risk = forms.ChoiceField(
        label=_("Risk level"), choices=[("", "---------"), *Case.Risk.choices], required=False
    )
    risk_notes = _text(_("Risk assessment"), rows=4)
    questions = _text(_("Questions for the officer"), rows=3)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issues"].help_text = _("One issue a line.")
        self.fields["analysis"].help_text = _(
            "One paragraph (line) per issue, in the order of the issues; any further "
            "paragraphs follow them as the overall analysis."
        )
        self.fields["risk_notes"].help_text = _(
            "What could go wrong and how to guard against it; needed when the risk is "
            "medium or high."
        )


def check_complete_opinion(form: forms.Form, data: dict) -> None:
    """What an opinion being submitted or signed off must also say: an analysis paragraph
    for every issue, and a risk assessment when the risk is not low. An empty issues or
    analysis field is left to the service (it names every field still needed)."""
    issues, paragraphs = text_lines(data.get("issues")), text_lines(data.get("analysis"))
    if paragraphs and len(paragraphs) < len(issues):
        number = len(paragraphs) + 1
        form.add_error(
            "analysis",
            _(
                "Write one paragraph (line) per issue: issue %(number)d (%(issue)s) has no "
                "analysis yet."
            )
            % {"number": number, "issue": issues[number - 1]},
        )
    if data.get("risk") in RISKS_EXPLAINED and not (data.get("risk_notes") or "").strip():
        form.add_error(
            "risk_notes",
            _("Say what could go wrong and how to guard against it: the risk is %(risk)s.")
            % {"risk": Case.Risk(data["risk"]).label},
        )


class DraftForm(OpinionFieldsMixin):
    """What the review screen sends as the adviser types: anything may still be empty."""

    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


def opinion_initial(opinion: Opinion) -> dict:
    return {
        "facts": opinion.facts,
        "issues": opinion.issues,
        "laws": [law.pk for law in opinion.laws.all()],
        "analysis": opinion.analysis,
        "route": opinion.route,
        "risk": opinion.risk,
        "risk_notes": opinion.risk_notes or "",
        "questions": opinion.questions,
        "revision": opinion.revision,
    }


class SubmitForm(OpinionFieldsMixin, TaskForm):
    """Submitting the opinion (the seat's task): what the screen shows, sent whole; the
    service checks that it is complete and locks it."""

    error_fields = {"locked": "facts", "incomplete": "facts"}

    def clean(self):
        data = super().clean()
        check_complete_opinion(self, data)
        return data


class QuestionForm(forms.Form):
    text = _text(_("Your question to the officer"), rows=3, required=True, max_length=4000)


class AnswerForm(forms.Form):
    answer = _text(_("Answer"), rows=3, required=True, max_length=8000)


class ReplaceForm(forms.Form):
    adviser = forms.TypedChoiceField(label=_("Another reviewer"), coerce=int)
    due_on = _date(_("Due on"))

    def __init__(self, *args, offer: selectors.ReplacementOffer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ranked = offer.ranked
        self.fields["adviser"].choices = [
            (r.user.pk, f"{r.user} · {'；'.join(map(str, r.reasons))}") for r in self.ranked
        ]
        self.fields["due_on"].initial = offer.due_on
        self.users = {r.user.pk: r.user for r in self.ranked}


class ConsolidateForm(OpinionFieldsMixin, TaskForm):
    """The lead's committee opinion, with each other reviewer's dissent (empty: agrees)."""

    error_fields = {"incomplete": "facts", "not_ready": "facts"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        review = selectors.open_review(self.case)
        self.seats = selectors.seats(review) if review else []
        lead = next((s for s in self.seats if s.is_lead and s.status == "submitted"), None)
        if lead is not None and not self.is_bound:
            self.initial = {
                k: v for k, v in opinion_initial(lead.opinion).items() if k != "revision"
            }
        for seat in self.seats:
            if seat.status == "submitted" and seat.adviser_id != self.user.pk:
                self.fields[f"dissent_{seat.adviser_id}"] = forms.CharField(
                    label=_("Dissent of %s (leave empty if they agree)") % seat.adviser,
                    required=False,
                    max_length=OPINION_TEXT_MAX,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def clean(self):
        data = super().clean()
        check_complete_opinion(self, data)
        data["dissents"] = {
            int(name.removeprefix("dissent_")): value
            for name, value in data.items()
            if name.startswith("dissent_") and value
        }
        return data
