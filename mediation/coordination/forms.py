"""The coordination stage's forms: convening, a department's reply, the minutes (sign-in,
each agenda item, the action items), a report on an action item, the officer's check of
the items, and the smaller requests on the meeting page."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import CaseParticipant, Party, Role, User
from cases.selectors import invitable_departments
from cases.validators import validate_name
from documents.models import Document
from workflows.taskforms import TaskForm

from .models import TEXT_MAX, ActionItem, Attendance, Invitation, Meeting
from .services import MAX_ACTION_WORKING_DAYS, ActionInput, MeetingDetails, SignIn

# Rows of action items the minutes form offers (empty ones are ignored).
ACTION_ROWS = 6


def _text(label, rows: int = 3, required: bool = False, max_length: int = TEXT_MAX):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def beijing(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """A date and time as the officer enters them: the organisation's (Beijing) time."""
    return datetime.datetime.combine(day, time, tzinfo=ZoneInfo(settings.TIME_ZONE))


class WhenFields(forms.Form):
    """When and where: the date and time in Beijing time, as the organisation works."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        label=_("Time (Beijing time)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=8 * 60, initial=120
    )
    place = forms.CharField(
        label=_("Place"), max_length=200, required=False, validators=[validate_name]
    )
    online_link = forms.URLField(
        label=_("Online link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A link to the meeting service you use; stored as given."),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("place") or data.get("online_link")):
            raise ValidationError(_("Give the place or the online link."), code="where")
        if data.get("day") and data.get("time"):
            data["starts_at"] = beijing(data["day"], data["time"])
        return data


class ConveneForm(TaskForm, WhenFields):
    """Convene a meeting: its title and agenda, when and where, the departments invited,
    the guests named and the briefing paper."""

    fields_template = "coordination/forms/convene.html"
    error_fields = {
        "title": "title",
        "agenda": "agenda",
        "departments": "departments",
        "guests": "guests",
        "past": "day",
        "before_receipt": "day",
        "too_far_ahead": "day",
        "where": "place",
    }
    title = forms.CharField(label=_("Title"), max_length=200, validators=[validate_name])
    agenda = _text(_("Agenda, one item a line"), rows=4, required=True, max_length=4000)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments invited"),
        queryset=invitable_departments(),  # narrowed to the case's in __init__
        widget=forms.CheckboxSelectMultiple,
    )
    guests = forms.ModelMultipleChoiceField(
        label=_("Legal advisers as guests"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    guest_parties = forms.ModelMultipleChoiceField(
        label=_("Parties' representatives as guests"),
        queryset=Party.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    briefing = forms.ModelChoiceField(
        label=_("Briefing paper"),
        queryset=Document.objects.none(),
        required=False,
        help_text=_("Usually the committee's legal opinion."),
    )

    field_order = [
        "title",
        "agenda",
        "day",
        "time",
        "duration_minutes",
        "place",
        "online_link",
        "departments",
        "guests",
        "guest_parties",
        "briefing",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        case = self.case
        self.fields["departments"].queryset = invitable_departments(case).order_by("level", "name")
        self.fields["guests"].queryset = User.objects.filter(
            case_participations__case=case,
            case_participations__relation=CaseParticipant.Relation.ADVISER,
        ).distinct()
        self.fields["guest_parties"].queryset = case.parties.filter(
            role=Party.Role.REPRESENTATIVE
        ).select_related("person", "on_behalf_of__association")
        briefings = case.documents.filter(status=Document.Status.FINAL).exclude(number="")
        self.fields["briefing"].queryset = briefings.order_by("-issued_at")
        # The committee's opinion, if the case has one, is the usual briefing paper: the
        # latest document issued by a body other than the 侨联 itself (its committee).
        self.fields["briefing"].initial = next(
            (
                d.pk
                for d in briefings.order_by("-issued_at")
                if d.snapshot.get("issuer", "").endswith("委员会")
            ),
            None,
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["details"] = MeetingDetails(
            title=data["title"],
            agenda=_lines(data["agenda"]),
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            place=data.get("place", ""),
            online_link=data.get("online_link", ""),
            departments=list(data["departments"]),
            guests=list(data.get("guests") or []),
            guest_parties=list(data.get("guest_parties") or []),
            briefing=data.get("briefing"),
        )
        return data


class ReplyForm(TaskForm):
    """A department's reply: who will attend, or why not; a written position either way."""

    fields_template = "coordination/forms/reply.html"
    show_when = {"attendees": ("answer", "confirm"), "reason": ("answer", "decline")}
    required_when_shown = frozenset({"attendees", "reason"})
    error_fields = {"attendees": "attendees", "reason": "reason", "answered": "answer"}
    answer = forms.ChoiceField(
        label=_("Your reply"),
        choices=[("confirm", _("We will attend")), ("decline", _("We cannot attend"))],
        widget=forms.RadioSelect,
    )
    attendees = _text(_("Who will attend (name and title, one a line)"), max_length=2000)
    reason = _text(_("Why not"), max_length=2000)
    position = _text(_("Written position (optional)"), rows=5)

    def invitation(self) -> Invitation | None:
        pk = self.item.get("invitation")
        return Invitation.objects.select_related("meeting", "organisation").filter(pk=pk).first()

    def clean(self):
        data = super().clean()
        answer = data.get("answer")
        if answer == "confirm" and not (data.get("attendees") or "").strip():
            self.add_error("attendees", _("Say who will attend."))
        if answer == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for declining."))
        return data


# The sign-in: one person a line, "name, organisation, title" (organisation and title
# optional), separated by commas (either width) or a vertical bar.
_SEPARATOR = re.compile(r"\s*[,，|｜、]\s*")


def parse_sign_in(text: str, kind: str) -> list[SignIn]:
    people = []
    for line in _lines(text):
        name, organisation, title = ([*_SEPARATOR.split(line, maxsplit=2), "", ""])[:3]
        for value in (name, organisation, title):
            validate_name(value)
        people.append(SignIn(kind, name[:100], organisation[:200], title[:100]))
    return people


def sign_in_text(meeting: Meeting, kind: str) -> str:
    return "\n".join(
        "，".join(filter(None, [a.name, a.organisation_name, a.title]))
        for a in meeting.attendance.all()
        if a.kind == kind
    )


class MinutesForm(TaskForm):
    """The minutes: who came (出席, 列席, 请假), each agenda item's discussion and decisions,
    the action items; and whether another meeting follows. Saving a draft (and sending it
    to the departments) is the meeting page's; this task finalises them."""

    fields_template = "coordination/forms/minutes.html"
    error_fields = {"no_sign_in": "attended", "no_decisions": None, "not_invited": None}
    SIGN_IN_HELP = _("One person a line: name, organisation, title (separated by commas).")
    attended = _text(_("Attended (出席)"), rows=6, max_length=8000)
    non_voting = _text(_("Attended without a vote (列席)"), rows=3, max_length=8000)
    excused = _text(_("Excused (请假)"), rows=3, max_length=8000)
    another_meeting = forms.BooleanField(
        label=_("Convene another meeting after this one"), required=False
    )

    def __init__(self, *args, meeting: Meeting | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from .selectors import meeting_to_minute

        # The meeting page's draft names its meeting; the minutes task, the case's open one.
        self.meeting = meeting or meeting_to_minute(self.case)
        self.fields["attended"].help_text = self.SIGN_IN_HELP
        self.agenda = list(self.meeting.agenda.all())
        for item in self.agenda:
            self.fields[f"discussion_{item.pk}"] = _text(
                _("Item %(n)s, %(title)s: discussion") % {"n": item.position, "title": item.title},
                rows=4,
            )
            self.fields[f"decisions_{item.pk}"] = _text(
                _("Item %(n)s, %(title)s: decisions (议定事项)")
                % {"n": item.position, "title": item.title},
                rows=3,
            )
        departments = [
            (i.organisation_id, str(i.organisation))
            for i in self.meeting.invitations.select_related("organisation")
        ]
        followers = User.objects.filter(
            memberships__organisation=self.case.handling_organisation,
            memberships__role__in=[Role.CASE_OFFICER, Role.SUPERVISOR],
            is_active=True,
        ).distinct()
        for n in range(ACTION_ROWS):
            self.fields[f"action_{n}_organisation"] = forms.TypedChoiceField(
                label=_("Action %(n)s: department") % {"n": n + 1},
                choices=[("", "---------"), *departments],
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.fields[f"action_{n}_description"] = forms.CharField(
                label=_("Action %(n)s: what to do") % {"n": n + 1},
                required=False,
                max_length=4000,
            )
            self.fields[f"action_{n}_working_days"] = forms.IntegerField(
                label=_("Action %(n)s: working days") % {"n": n + 1},
                required=False,
                min_value=1,
                max_value=MAX_ACTION_WORKING_DAYS,
            )
            self.fields[f"action_{n}_follow_up_by"] = forms.ModelChoiceField(
                label=_("Action %(n)s: followed up by") % {"n": n + 1},
                queryset=followers,
                required=False,
            )
        if not self.is_bound:
            self._fill_from_draft()

    def _fill_from_draft(self) -> None:
        meeting = self.meeting
        self.initial.update(
            {
                "attended": sign_in_text(meeting, Attendance.Kind.ATTENDED),
                "non_voting": sign_in_text(meeting, Attendance.Kind.NON_VOTING),
                "excused": sign_in_text(meeting, Attendance.Kind.EXCUSED),
                "another_meeting": meeting.another_meeting,
            }
        )
        for item in self.agenda:
            self.initial[f"discussion_{item.pk}"] = item.discussion
            self.initial[f"decisions_{item.pk}"] = item.decisions
        for n, action in enumerate(meeting.actions.all()[:ACTION_ROWS]):
            self.initial[f"action_{n}_organisation"] = action.organisation_id
            self.initial[f"action_{n}_description"] = action.description
            self.initial[f"action_{n}_working_days"] = action.working_days
            self.initial[f"action_{n}_follow_up_by"] = action.follow_up_by_id

    def action_rows(self) -> list[list]:
        return [
            [
                self[f"action_{n}_{part}"]
                for part in ("organisation", "description", "working_days", "follow_up_by")
            ]
            for n in range(ACTION_ROWS)
        ]

    def agenda_rows(self) -> list[tuple]:
        return [
            (item, self[f"discussion_{item.pk}"], self[f"decisions_{item.pk}"])
            for item in self.agenda
        ]

    def clean(self):
        data = super().clean()
        try:
            data["sign_in"] = [
                *parse_sign_in(data.get("attended", ""), Attendance.Kind.ATTENDED),
                *parse_sign_in(data.get("non_voting", ""), Attendance.Kind.NON_VOTING),
                *parse_sign_in(data.get("excused", ""), Attendance.Kind.EXCUSED),
            ]
        except ValidationError as error:
            self.add_error("attended", error)
        data["items"] = {
            item.pk: (data.get(f"discussion_{item.pk}", ""), data.get(f"decisions_{item.pk}", ""))
            for item in self.agenda
        }
        data["actions"] = self._actions(data)
        return data

    def _actions(self, data: dict) -> list[ActionInput]:
        from cases.models import Organisation

        actions = []
        for n in range(ACTION_ROWS):
            parts = [
                data.get(f"action_{n}_{p}")
                for p in ("organisation", "description", "working_days", "follow_up_by")
            ]
            if not any(parts):
                continue
            if not all(parts):
                self.add_error(
                    f"action_{n}_description",
                    _(
                        "Give the action's department, what to do, its working days and "
                        "who follows it up."
                    ),
                )
                continue
            organisation, description, days, follower = parts
            actions.append(
                ActionInput(Organisation.objects.get(pk=organisation), description, days, follower)
            )
        return actions


class ReportForm(TaskForm):
    """A department reports its action item done (progress reports go through the item's
    own form on the meeting page and the liaison's list)."""

    fields_template = "coordination/forms/report.html"
    error_fields = {"not_open": "text", "text": "text"}
    text = _text(_("What was done"), rows=5, required=True)
    upload = forms.FileField(label=_("Attachment (PDF, optional)"), required=False)

    def action(self) -> ActionItem | None:
        pk = self.item.get("action")
        return (
            ActionItem.objects.select_related("meeting", "organisation", "clock")
            .filter(pk=pk)
            .first()
        )


class ProgressForm(forms.Form):
    text = _text(_("Progress"), rows=3, required=True)
    upload = forms.FileField(label=_("Attachment (PDF, optional)"), required=False)


class CheckActionsForm(TaskForm):
    """The officer accepts each item reported done, or rejects it with a reason (it goes
    back to its department); then goes on, or convenes another meeting."""

    fields_template = "coordination/forms/check.html"
    error_fields = {"not_done": None, "reason": None}
    another_meeting = forms.BooleanField(
        label=_("Convene another meeting after this one"), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from .selectors import latest_finalised

        meeting = latest_finalised(self.case)
        self.done = list(
            meeting.actions.filter(status=ActionItem.Status.DONE, accepted_at=None)
            .select_related("organisation")
            .prefetch_related("reports__attachment")
        )
        for item in self.done:
            self.fields[f"verdict_{item.pk}"] = forms.ChoiceField(
                label=_("%(department)s: %(what)s")
                % {"department": item.organisation, "what": item.description[:60]},
                choices=[("accept", _("Accept")), ("reject", _("Send back"))],
                widget=forms.RadioSelect,
                initial="accept",
            )
            self.fields[f"reason_{item.pk}"] = forms.CharField(
                label=_("Why it goes back"), required=False, max_length=2000
            )

    def rows(self) -> list[tuple]:
        return [(item, self[f"verdict_{item.pk}"], self[f"reason_{item.pk}"]) for item in self.done]

    def clean(self):
        data = super().clean()
        data["accepted"], data["rejected"] = [], {}
        for item in self.done:
            if data.get(f"verdict_{item.pk}") == "reject":
                reason = (data.get(f"reason_{item.pk}") or "").strip()
                if not reason:
                    self.add_error(f"reason_{item.pk}", _("Give the reason for sending it back."))
                data["rejected"][item.pk] = reason
            else:
                data["accepted"].append(item.pk)
        return data


class DelegateForm(forms.Form):
    colleague = forms.ModelChoiceField(label=_("Hand to"), queryset=User.objects.none())

    def __init__(self, *args, invitation: Invitation, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = (
            User.objects.filter(
                memberships__organisation=invitation.organisation,
                memberships__role=Role.DEPARTMENT_LIAISON,
                is_active=True,
            )
            .exclude(pk=user.pk)
            .distinct()
        )


class PositionForm(forms.Form):
    text = _text(_("Written position"), rows=5, required=True)


class CorrectionForm(forms.Form):
    text = _text(_("Correction to the minutes"), rows=4, required=True)


class OverrideForm(forms.Form):
    reason = _text(_("Why the case goes on without them"), rows=3, required=True, max_length=2000)


class MoveForm(WhenFields):
    pass
