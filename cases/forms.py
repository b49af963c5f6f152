from django import forms
from django.forms import formset_factory
from django.forms.models import fields_for_model, model_to_dict
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries.fields import LazyTypedChoiceField
from timezone_field import TimeZoneFormField

from .models import (
    Association,
    Case,
    CaseEvent,
    CaseParticipant,
    Identity,
    Language,
    Organisation,
    Party,
    Person,
    User,
)
from .parties import (
    CORRECTABLE_PERSON_FIELDS,
    FROM_THE_COUNTRY,
    NEW_BODY_KINDS,
    country_choices,
    defaults_for,
)
from .selectors import case_parties, invitable_departments, likely_same_people
from .services import PartyInput
from .timeline import join_list
from .validators import check_occurred_at, check_received_on, validate_name, validate_phone
from .zones import zone_choices

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


def _organisation_max(name: str) -> int:
    return Organisation._meta.get_field(name).max_length


def mark_required(field: forms.Field) -> None:
    """A visible * after the label (hidden from screen readers, which are told by
    aria-required), as the task forms mark theirs (``workflows.taskforms``)."""
    field.label = format_html(
        '{} <span class="required-mark" aria-hidden="true">*</span>', field.label
    )
    field.widget.attrs["aria-required"] = "true"


def quiet(*forms_and_formsets) -> None:
    """Forms posted back only to show more of themselves (another party block on the
    registration screen): they keep what was typed and show no errors yet; nothing is
    saved. The next real submission validates everything."""
    for item in forms_and_formsets:
        if isinstance(item, forms.BaseFormSet):
            item._non_form_errors = item.error_class()
            item._errors = [ErrorDict() for _form in item.forms]
            quiet(*item.forms)
        else:
            item._errors = ErrorDict()


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
        for field in self.fields.values():
            if field.required:
                mark_required(field)

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        check_received_on(received_on)  # the service checks it again, for other callers
        return received_on


def zone_field(label, current=None, required=False) -> TimeZoneFormField:
    """A time zone, validated, by its city, region and offset, the common ones first
    (``cases.zones``); a zone set before, outside the list, is kept. Not required: empty
    means "from the country of residence"."""
    choices = zone_choices(current)
    return TimeZoneFormField(
        label=label,
        required=required,
        choices=choices if required else [("", FROM_THE_COUNTRY), *choices],
    )


def language_field(label) -> forms.ChoiceField:
    """A language from the short list; empty means "from the country of residence"."""
    return forms.ChoiceField(
        label=label, required=False, choices=[("", FROM_THE_COUNTRY), *Language.choices]
    )


class PartyForm(forms.Form):
    """One party: pick an existing association, person or body, or type a new person's
    details, or a new body's name and kind with its contact person.

    ``kind`` says which of these the party is, and only that kind's fields count (the
    others are ignored, whatever they hold). The screen shows only them: the choice is
    disabled and hidden until static/js/party-form.js shows it and hides the other
    kinds' fields. Without the script (and for a caller that sends no kind) every field
    shows, and the party is what was filled in: exactly one way of naming it.

    A new person who is likely someone the user may already pick (the same name, and the
    same phone or e-mail: ``selectors.likely_same_people``) comes back with the choice
    of the existing person or a new one anyway (``same_as``), never a second record by
    accident."""

    KINDS = [
        ("person", _("Existing person")),
        ("new_person", _("New person")),
        ("association", _("Association")),
        ("body", _("Existing body")),
        ("new_body", _("New body")),
    ]
    # The fields that name the party, by kind; a kind is what they hold when none is sent.
    KEYS = {
        "person": ["person"],
        "new_person": ["new_name_zh", "new_name_latin"],
        "association": ["association"],
        "body": ["organisation"],
        "new_body": ["new_body_name"],
    }
    NEW_PERSON = "new"

    role = forms.ChoiceField(label=_("Role"), choices=[("", "---------"), *Party.Role.choices])
    kind = forms.ChoiceField(
        label=_("The party is"),
        choices=KINDS,
        required=False,
        initial="new_person",
        # Shown and enabled by the script; without it nothing is sent (see above).
        widget=forms.RadioSelect(attrs={"disabled": True}),
    )
    association = forms.ModelChoiceField(
        label=_("Association"), queryset=Association.objects.none(), required=False
    )
    person = forms.ModelChoiceField(
        label=_("Existing person"), queryset=Person.objects.none(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Existing body"), queryset=Organisation.objects.none(), required=False
    )
    new_name_zh = forms.CharField(
        label=_("New person: Chinese name"),
        required=False,
        max_length=_person_max("name_zh"),
        validators=[validate_name],
    )
    new_name_latin = forms.CharField(
        label=_("New person: Latin-script name"),
        required=False,
        max_length=_person_max("name_latin"),
        validators=[validate_name],
    )
    new_identity = forms.ChoiceField(
        label=_("Identity category"),
        choices=Identity.choices,
        initial=Identity.OTHER,
        required=False,  # a body's row has no use for it
    )
    new_residence_country = LazyTypedChoiceField(
        label=_("Country or region of residence"),
        choices=country_choices,  # per request: the reader's language
        required=False,
    )
    new_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=_person_max("phone"),
        validators=[validate_phone],
    )
    new_email = forms.EmailField(label=_("E-mail"), required=False, max_length=_person_max("email"))
    new_address = forms.CharField(
        label=_("Postal address"), required=False, max_length=_person_max("address")
    )
    new_body_name = forms.CharField(
        label=_("New body: name"),
        required=False,
        max_length=_organisation_max("name"),
        validators=[validate_name],
    )
    new_body_kind = forms.ChoiceField(
        label=_("New body: kind"),
        required=False,
        choices=[("", "---------"), *((k.value, k.label) for k in NEW_BODY_KINDS)],
    )
    contact_name = forms.CharField(
        label=_("Contact person of the body"),
        required=False,
        max_length=_person_max("name_zh"),
        validators=[validate_name],
    )
    contact_phone = forms.CharField(
        label=_("Contact person's phone"),
        required=False,
        max_length=_person_max("phone"),
        validators=[validate_phone],
    )

    # The person already registered, or a new one anyway: offered when the new person's
    # details are likely someone already registered. Its choices are set for the data.
    same_as = forms.CharField(
        label=_("Likely already registered"), required=False, widget=forms.RadioSelect
    )

    # How the row is laid out: what it is, then the fields of each kind of party (the kinds
    # a group serves; None: every kind).
    GROUPS = [
        (None, ["role", "on_behalf_of"], None),
        (None, ["kind"], None),
        (None, ["same_as"], {"new_person"}),
        (None, ["person"], {"person"}),
        (
            None,
            [
                "new_name_zh",
                "new_name_latin",
                "new_identity",
                "new_residence_country",
                "new_time_zone",
                "new_preferred_language",
                "new_phone",
                "new_email",
                "new_address",
            ],
            {"new_person"},
        ),
        (None, ["association"], {"association"}),
        (None, ["organisation"], {"body"}),
        (None, ["new_body_name", "new_body_kind"], {"new_body"}),
        (_("A body's contact person"), ["contact_name", "contact_phone"], {"body", "new_body"}),
    ]

    def __init__(self, *args, people, bodies, associations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only people, bodies and associations the user may already see (cases.selectors).
        self.fields["person"].queryset = people
        self.fields["organisation"].queryset = bodies
        self.fields["association"].queryset = associations
        self.fields["new_time_zone"] = zone_field(_("Time zone"))
        self.fields["new_preferred_language"] = language_field(_("Preferred language"))
        self.order_fields([name for _legend, names, _kinds in self.GROUPS for name in names])
        mark_required(self.fields["role"])
        for kind, names in self.KEYS.items():
            for name in names:
                self.fields[name].widget.attrs["data-key-of"] = kind
                if len(names) == 1:  # a new person has one name or the other
                    mark_required(self.fields[name])
        mark_required(self.fields["new_body_kind"])
        self.matches = self._likely_matches(people) if self.is_bound else []
        self.fields["same_as"].widget.choices = [
            *((str(p.pk), self._match_label(p)) for p in self.matches),
            (self.NEW_PERSON, _("Create a new person anyway")),
        ]

    def _raw(self, name: str) -> str:
        return str(self.data.get(self.add_prefix(name)) or "")

    def _likely_matches(self, people) -> list[Person]:
        if self._raw("kind") not in ("", "new_person"):
            return []
        return likely_same_people(
            people,
            {
                "name_zh": self._raw("new_name_zh"),
                "name_latin": self._raw("new_name_latin"),
                "phone": self._raw("new_phone"),
                "email": self._raw("new_email"),
            },
        )

    @staticmethod
    def _match_label(person: Person) -> str:
        """The person, told apart by where they live and whose registry they are in (not
        by their contact details, which the match already shares with what was typed)."""
        details = [str(d) for d in (person.residence_country.name, person.registered_by) if d]
        if not details:
            return _("Use the existing %s") % person
        label = _("Use the existing %(person)s (%(details)s)")
        return label % {"person": person, "details": join_list(details)}

    def _kept(self, kind: str) -> set[str]:
        """The fields that count for a kind of party: its own and those of every kind."""
        return {
            name
            for _legend, names, kinds in self.GROUPS
            if not kinds or kind in kinds
            for name in names
        }

    def has_changed(self) -> bool:
        """A block counts once something naming or describing the party is filled in: not
        for the choice of kind alone, nor for the fields of another kind (disabled by the
        script, so sent empty)."""
        kind = self._raw("kind")
        kept = self._kept(kind) if kind in self.KEYS else set(self.fields)
        return bool((set(self.changed_data) & kept) - {"kind"})

    def groups(self) -> list[tuple[str | None, list, str]]:
        """(legend, bound fields, the kinds it serves as "a b", or "" for every kind)."""
        return [
            (
                legend,
                [self[name] for name in names if name in self.fields],
                " ".join(sorted(kinds)) if kinds else "",
            )
            for legend, names, kinds in self.GROUPS
            if not (names == ["same_as"] and not self.matches)
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind:
            self._keep_only(kind, data)
        is_new = bool(data.get("new_name_zh") or data.get("new_name_latin"))
        is_new_body = bool(data.get("new_body_name"))
        chosen = [
            bool(data.get("association")),
            bool(data.get("person")),
            is_new,
            bool(data.get("organisation")),
            is_new_body,
        ]
        if kind and not any(chosen):
            self._say_what_is_missing(kind)
            return data
        if sum(chosen) != 1:
            raise forms.ValidationError(
                _(
                    "Give one of: an association, an existing person, a new person's name, "
                    "an existing body or a new body's name."
                )
            )
        if is_new_body and not data.get("new_body_kind"):
            self.add_error("new_body_kind", _("Say what kind of body it is."))
        has_contact = bool(data.get("contact_name") or data.get("contact_phone"))
        if has_contact and not (is_new_body or data.get("organisation")):
            raise forms.ValidationError(_("Only a body has a contact person here."))
        if data.get("contact_phone") and not data.get("contact_name"):
            self.add_error("contact_name", _("Give the contact person's name."))
        if is_new:
            self._same_as(data)
        return data

    def _keep_only(self, kind: str, data: dict) -> None:
        """The chosen kind's fields count; the others, shown without the script, do not
        (neither their values nor their errors)."""
        kept = self._kept(kind)
        for name, field in self.fields.items():
            if name not in kept:
                data[name] = field.to_python("")
                self._errors.pop(name, None)

    def _say_what_is_missing(self, kind: str) -> None:
        if kind == "new_person":
            self.add_error("new_name_zh", _("Give a Chinese or a Latin-script name."))
            return
        [name] = self.KEYS[kind]
        self.add_error(name, self.fields[name].error_messages["required"])

    def _same_as(self, data: dict) -> None:
        """A new person who is likely someone already registered: the officer chooses."""
        choice = data.get("same_as") or ""
        chosen = next((p for p in self.matches if str(p.pk) == choice), None)
        if chosen is not None:
            data["person"] = chosen
            for name in self.KEYS["new_person"]:
                data[name] = ""
        elif self.matches and choice != self.NEW_PERSON:
            self.add_error(
                "same_as",
                _(
                    "%s may already be registered: choose the existing person, or confirm "
                    "that this is a new person."
                )
                % self.matches[0],
            )

    def new_person(self) -> dict:
        data = self.cleaned_data
        if not (data.get("new_name_zh") or data.get("new_name_latin")):
            return {}
        zone = data.get("new_time_zone")
        return {
            "name_zh": data["new_name_zh"],
            "name_latin": data["new_name_latin"],
            "identity": data["new_identity"] or Identity.OTHER,
            "residence_country": data["new_residence_country"],
            # Empty: the service takes them from the country (cases.parties.defaults_for).
            "time_zone": str(zone) if zone else "",
            "preferred_language": data.get("new_preferred_language") or "",
            "phone": data["new_phone"],
            "email": data["new_email"],
            "address": data["new_address"],
        }

    def party_input(self) -> PartyInput:
        data = self.cleaned_data
        body = data.get("new_body_name")
        contact = data.get("contact_name")
        return PartyInput(
            role=data["role"],
            person=data.get("person"),
            association=data.get("association"),
            organisation=data.get("organisation"),
            new_person=self.new_person(),
            new_body={"name": body, "kind": data["new_body_kind"]} if body else {},
            contact={"name": contact, "phone": data["contact_phone"]} if contact else {},
            on_behalf_of=data.get("on_behalf_of"),
            confirmed_new=data.get("same_as") == self.NEW_PERSON,
        )


class AddPartyForm(PartyForm):
    """A party added on the case page: the registration row, and for whom a representative
    or relative acts."""

    on_behalf_of = forms.ModelChoiceField(
        label=_("On behalf of (a representative or relative)"),
        queryset=Party.objects.none(),
        required=False,
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on_behalf_of"].queryset = case_parties(case)


class CorrectPartyForm(forms.Form):
    """Correct a party: its role, and a person's names, identity category, country, time
    zone, language and contact details. ID documents are not corrected here.

    ``with_details``: whether the user may correct the person's details, i.e. may edit
    every case the person is a party to (``cases.services.correct_party``). If not, the
    form has the role alone, and shows none of the details those other cases hold."""

    role = forms.ChoiceField(label=_("Role"), choices=Party.Role.choices)

    def __init__(self, *args, party: Party, with_details: bool = True, **kwargs) -> None:
        person = party.person
        initial = {"role": party.role}
        super().__init__(*args, initial=initial, **kwargs)
        if person is None or not with_details:
            return
        self.fields.update(fields_for_model(Person, fields=CORRECTABLE_PERSON_FIELDS))
        self.fields["residence_country"].choices = country_choices
        self.fields["time_zone"] = zone_field(_("Time zone"), person.time_zone)
        self.fields["preferred_language"] = language_field(_("Preferred language"))
        self.initial.update(model_to_dict(person, fields=CORRECTABLE_PERSON_FIELDS))
        # A zone or language that is the country's own shows as "from the country", so
        # correcting the country alone brings the country's zone and language with it.
        zone, language = defaults_for(person.residence_country)
        self.initial["time_zone"] = "" if str(person.time_zone) == zone else str(person.time_zone)
        if person.preferred_language == language:
            self.initial["preferred_language"] = ""

    def clean(self):
        data = super().clean()
        if "name_zh" in self.fields and not (data.get("name_zh") or data.get("name_latin")):
            raise forms.ValidationError(_("Give a Chinese or a Latin-script name."))
        return data


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
    # One block at first; "add another party" brings one more (workflows.case_views).
    extra=0,
    min_num=1,
    max_num=MAX_PARTIES,
    validate_max=True,
    absolute_max=MAX_PARTIES,
)


class CommunicationForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=CaseEvent.Channel.choices)
    counterpart = forms.CharField(label=_("With whom"), max_length=200, validators=[validate_name])
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


INVITABLE_RELATIONS = [
    (value, label)
    for value, label in CaseParticipant.Relation.choices
    if value == CaseParticipant.Relation.DEPARTMENT
]


class InviteForm(forms.Form):
    """Invite a department to the case. (Legal advisers and mediators come in through
    their stages, having declared that they have no conflict.)"""

    relation = forms.ChoiceField(label=_("Takes part as"), choices=INVITABLE_RELATIONS)
    organisation = forms.ModelChoiceField(
        label=_("Department"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Readable zones, the common ones first; no aliases such as "Zulu" or "localtime".
        self.fields["time_zone"] = zone_field(
            _("Time zone"), self.instance.time_zone, required=True
        )
        # One language is the person's own (their e-mails, and the pages of a browser that
        # has not chosen one); the language menu at the top switches one browser's pages.
        self.fields["language"].label = _("Your language")
        self.fields["language"].help_text = _(
            "Qiaowei's e-mails to you (reminders, the daily digest) are in this language, and "
            "so are its pages in a browser where you have not chosen one with the language "
            "menu at the top of the page."
        )
