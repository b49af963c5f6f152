"""Coordination's part of ``make demo``: the departments' liaisons, and the steps of the
Zijin meeting a person takes outside a task (handing a reply on, a progress report) or that
stand for time passing.

The demo plays each case in one sitting, so a meeting convened for a future day could never
be minuted and no clock could run out. ``held`` and ``days_pass`` move the meeting and its
action items' clocks back to where they would stand that many days later, as if the steps
had been taken then; the clocks' sweep then runs as beat runs it each day."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cases.calendar import WorkingCalendar, organisation_today
from cases.models import Case, Deadline, Organisation, Role, User
from workflows.stages import Demo, demo_login

from . import services
from .forms import beijing
from .models import ActionItem, Invitation, Meeting
from .selectors import latest_finalised, meeting_to_minute

# username, display name, (surname, given name), organisation, role
LIAISONS = [
    ("tongzhan", "林海（县委统战部）", ("林", "海"), "中共紫金县委统战部", Role.DEPARTMENT_LIAISON),
    ("justice", "罗敏（县司法局）", ("罗", "敏"), "紫金县司法局", Role.DEPARTMENT_LIAISON),
    (
        "housing",
        "邱立（县住建局）",
        ("邱", "立"),
        "紫金县住房和城乡建设局",
        Role.DEPARTMENT_LIAISON,
    ),
    (
        "housing2",
        "曾凡（县住建局）",
        ("曾", "凡"),
        "紫金县住房和城乡建设局",
        Role.DEPARTMENT_LIAISON,
    ),
    ("petitions", "曾静（县信访局）", ("曾", "静"), "紫金县信访局", Role.DEPARTMENT_LIAISON),
    (
        "township",
        "温志华（义容镇人民政府）",
        ("温", "志华"),
        "紫金县义容镇人民政府",
        Role.DEPARTMENT_LIAISON,
    ),
    (
        "resources_head",
        "钟国平（县自然资源局局长）",
        ("钟", "国平"),
        "紫金县自然资源局",
        Role.SUPERVISOR,
    ),
    (
        "county_head",
        "古丽（紫金县侨联主席）",
        ("古", "丽"),
        "紫金县归国华侨联合会",
        Role.SUPERVISOR,
    ),
]


def _prepare(organisations: dict[str, Organisation], users: dict[str, User]) -> None:
    for username, display, names, organisation, role in LIAISONS:
        body = organisations[organisation]
        users[username] = demo_login(username, display, names, body, role)


def _as_sent(data: dict, users: dict[str, User], case: Case) -> dict:
    """The screens' data: for convening, departments and guests by key and the day by its
    offset from today; for the minutes, each agenda item's text by its field and the
    action items' rows."""
    sent = dict(data)
    if "agenda_minutes" in data:
        agenda = meeting_to_minute(case).agenda.all()
        for item, (discussion, decisions) in zip(agenda, sent.pop("agenda_minutes"), strict=True):
            sent[f"discussion_{item.pk}"], sent[f"decisions_{item.pk}"] = discussion, decisions
        for n, (department, what, days, follower) in enumerate(sent.pop("actions")):
            sent[f"action_{n}_organisation"] = Organisation.objects.get(name=department).pk
            sent[f"action_{n}_description"] = what
            sent[f"action_{n}_working_days"] = days
            sent[f"action_{n}_follow_up_by"] = users[follower].pk
    if data.get("accept_all"):  # checking the items: each reported done is accepted
        meeting = latest_finalised(case)
        for item in meeting.actions.filter(status=ActionItem.Status.DONE, accepted_at=None):
            sent[f"verdict_{item.pk}"] = "accept"
    if "departments" in data and "agenda" in data:
        names = data["departments"]
        sent["departments"] = list(
            Organisation.objects.filter(name__in=names).values_list("pk", flat=True)
        )
        sent["guests"] = [users[name].pk for name in data.get("guests", [])]
        sent["day"] = organisation_today() + datetime.timedelta(days=data["day"])
    return sent


def _delegate(case: Case, user: User, data: dict) -> None:
    invitation = Invitation.objects.get(
        meeting=meeting_to_minute(case), organisation__memberships__user=user
    )
    colleague = User.objects.get(username=data["to"])
    services.delegate_reply(invitation_pk=invitation.pk, actor=user, to=colleague)


def _held(case: Case, user: User, data: dict) -> None:
    """Time passes: the meeting took place ``days_ago`` days ago at its hour."""
    meeting = meeting_to_minute(case)
    local = timezone.localtime(meeting.starts_at, timezone.get_default_timezone())
    day = organisation_today() - datetime.timedelta(days=data["days_ago"])
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=beijing(day, local.time()))


def _days_pass(case: Case, user: User, data: dict) -> None:
    """Time passes: the action items' clocks started ``days`` days ago, when the minutes
    were final (their due dates from their working days, as then). The demo ends with the
    day's sweep of the clocks (``workflows.demo.seed``), which finds what ran out."""
    calendar = WorkingCalendar.load()
    started = organisation_today() - datetime.timedelta(days=data["days"])
    for item in ActionItem.objects.filter(meeting__case=case).select_related("clock"):
        Deadline.objects.filter(pk=item.clock_id).update(
            starts_on=started, due_on=calendar.add_working_days(started, item.working_days)
        )


def _go_on(case: Case, user: User, data: dict) -> None:
    """The supervisor lets the case go on without what is still open (the case page's
    override)."""
    services.override(case=case, actor=user, reason=data["reason"])


def _progress(case: Case, user: User, data: dict) -> None:
    item = ActionItem.objects.get(meeting__case=case, organisation__memberships__user=user)
    services.report_action(item_pk=item.pk, actor=user, text=data["text"])


DEMO = Demo(
    prepare=_prepare,
    steps={
        "delegate_reply": _delegate,
        "meeting_held": _held,
        "days_pass": _days_pass,
        "progress": _progress,
        "go_on": _go_on,
    },
    as_sent=_as_sent,
)
