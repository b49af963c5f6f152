from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from .models import (
    Association,
    Case,
    CaseEvent,
    CaseParticipant,
    Identity,
    Organisation,
    Party,
    Person,
    User,
)
from .selectors import invitable_departments, invitable_users
from .validators import check_occurred_at, check_received_on, validate_phone

# A note, or the summary of a call or visit: a few pages at most. A longer text belongs in
# an uploaded document; a megabyte typed into a text box is a mistake or a probe.
MAX_TEXT = 5000
# Parties named on the registration screen; more come later, one by one, on the case page.
# Also the number of party forms Django builds, whatever the posted TOTAL_FORMS says.
MAX_PARTIES = 20


def _person_max(name: str) -> int:
    """The Person field's max_length, so a long value is refused next to its form field
    instead of in Person.full_clean() inside the service."""
    return Person._meta.get_field(name).max_length


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = [
            "handling_organisation",
            "title",
            "category",
            "channel",
            "received_on",
            "location",
            "risk_level",
            "summary",
            "claims",
        ]
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "claims": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["handling_organisation"]
        field.queryset = organisations
        if len(organisations) == 1:
            field.initial = organisations[0]

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        check_received_on(received_on)  # the service checks it again, for other callers
        return received_on


class PartyForm(forms.Form):
    """One party: pick an existing person or association, or type a new person's details."""

    role = forms.ChoiceField(label=_("Role"), choices=[("", "---------"), *Party.Role.choices])
    association = forms.ModelChoiceField(
        label=_("Association"), queryset=Association.objects.all(), required=False
    )
    person = forms.ModelChoiceField(
        label=_("Existing person"), queryset=Person.objects.none(), required=False
    )
    new_name_zh = forms.CharField(
        label=_("New person: Chinese name"), required=False, max_length=_person_max("name_zh")
    )
    new_name_latin = forms.CharField(
        label=_("New person: Latin-script name"),
        required=False,
        max_length=_person_max("name_latin"),
    )
    new_identity = forms.ChoiceField(
        label=_("Identity category"), choices=Identity.choices, initial=Identity.OTHER
    )
    new_residence_country = LazyTypedChoiceField(
        label=_("Country or region of residence"),
        choices=[("", "---------"), *countries],
        required=False,
    )
    new_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=_person_max("phone"),
        validators=[validate_phone],
    )

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only people the registering user may already see (cases.selectors.visible_people).
        self.fields["person"].queryset = people

    def clean(self):
        data = super().clean()
        is_new = bool(data.get("new_name_zh") or data.get("new_name_latin"))
        chosen = [bool(data.get("association")), bool(data.get("person")), is_new]
        if sum(chosen) != 1:
            raise forms.ValidationError(
                _("Give one of: an association, an existing person, or a new person's name.")
            )
        return data

    def new_person(self) -> dict:
        data = self.cleaned_data
        if not (data.get("new_name_zh") or data.get("new_name_latin")):
            return {}
        return {
            "name_zh": data["new_name_zh"],
            "name_latin": data["new_name_latin"],
            "identity": data["new_identity"],
            "residence_country": data["new_residence_country"],
            "phone": data["new_phone"],
        }


class BasePartyFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        roles = [f.cleaned_data.get("role") for f in self.forms if f.cleaned_data]
        if Party.Role.CLAIMANT not in roles:
            raise forms.ValidationError(_("A case needs at least one claimant."))


PartyFormSet = formset_factory(
    PartyForm,
    formset=BasePartyFormSet,
    extra=3,
    min_num=1,
    max_num=MAX_PARTIES,
    validate_max=True,
    absolute_max=MAX_PARTIES,
)


class CommunicationForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=CaseEvent.Channel.choices)
    counterpart = forms.CharField(label=_("With whom"), max_length=200)
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        initial=timezone.now,
    )
    summary = forms.CharField(
        label=_("Summary"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        check_occurred_at(occurred_at)  # the service checks it again, for other callers
        return occurred_at


class InviteForm(forms.Form):
    """Name a legal adviser or mediator on the case, or invite a department."""

    relation = forms.ChoiceField(label=_("Takes part as"), choices=CaseParticipant.Relation.choices)
    user = forms.ModelChoiceField(
        label=_("Adviser or mediator"), queryset=User.objects.none(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Department"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        Relation = CaseParticipant.Relation
        self.fields["user"].queryset = invitable_users(case, Relation.ADVISER) | invitable_users(
            case, Relation.MEDIATOR
        )
        self.fields["organisation"].queryset = invitable_departments()


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Extend by (days)"), min_value=1, max_value=30, initial=30)
    reason = forms.CharField(
        label=_("Reason told to the parties"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "email", "language", "time_zone"]
