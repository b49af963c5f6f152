"""The officers' queue: tasks of the dispute flow, scoped to the organisations a user works
for, with the columns the queue shows. A page costs the same few queries whatever its size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.calendar import WorkingCalendar
from cases.capabilities import memberships, task_actions_of
from cases.deadlines import REMINDER_WORKING_DAYS
from cases.models import Case, CaseStatus, Deadline, Organisation, Party, User
from cases.selectors import visible_cases

from .models import CaseProcess

OPEN = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]
VIEWS = ("mine", "team", "watching", "finished")
# Each order ends on the task's key, so a page and the Excel download list rows alike.
SORTS = {
    # A task whose case has no running clock comes after every dated one.
    "due": (F("due_on").asc(nulls_last=True), "created", "pk"),
    "number": ("process__caseprocess__case__number", "pk"),
    "received": ("-process__caseprocess__case__received_on", "pk"),
    "finished": (F("finished").desc(nulls_last=True), "-pk"),
}


def sorts_of(view: str) -> tuple[str, ...]:
    """The orders a tab offers, its default first: what is finished has no due date left."""
    first = "finished" if view == "finished" else "due"
    return (first, "received", "number")


@dataclass(frozen=True)
class QueueFilters:
    view: str = "mine"
    stage: str = ""
    category: str = ""
    organisation: int | None = None
    overdue: bool = False
    due_soon: bool = False
    query: str = ""
    sort: str = "due"


def _next_due() -> Subquery:
    """The nearest running clock of the task's case: the case's own, and the task holder's
    own clock on it (an adviser's review), not another person's."""
    running = Deadline.objects.filter(
        Q(holder__isnull=True) | Q(holder=OuterRef("owner")),
        case=OuterRef("process__caseprocess__case"),
        stopped_on__isnull=True,
        suspended_on__isnull=True,
    ).order_by("due_on")
    return Subquery(running.values("due_on")[:1])


def _team_scope(user: User) -> Q:
    """Unclaimed tasks of an organisation the user holds a role in, whose action the
    capability table gives that role (the task's organisation is its permission object)."""
    organisation_type = ContentType.objects.get_for_model(Organisation)
    mine = Q(pk__in=[])
    for organisation_id, role in memberships(user):
        mine |= Q(
            owner_permission_obj_pk=str(organisation_id),
            owner_permission__in=task_actions_of(role),
        )
    return Q(
        mine,
        owner__isnull=True,
        status=STATUS.NEW,
        owner_permission_content_type=organisation_type,
    )


def _tab(user: User, view: str) -> QuerySet:
    """The tasks of one tab, before any filter."""
    tasks = Task.objects.filter(flow_task_type="HUMAN")
    if view == "mine":
        return tasks.filter(owner=user, status__in=OPEN)
    if view == "team":
        return tasks.filter(_team_scope(user))
    if view == "watching":
        # Open tasks on cases the user can see, held by or waiting for someone else.
        # Through the runs of the visible cases: PostgreSQL then walks the task index by
        # process instead of joining every open task of every case (3× faster at 1M tasks).
        runs = CaseProcess.objects.filter(case__in=visible_cases(user)).values("pk")
        return (
            tasks.filter(status__in=OPEN, process_id__in=runs)
            .exclude(owner=user)
            .exclude(_team_scope(user))
        )
    return tasks.filter(owner=user, status=STATUS.DONE)


def tab_counts(user: User) -> dict[str, int]:
    """How many tasks each tab holds without filters (what its link opens): one count per
    tab, whatever the page."""
    return {view: _tab(user, view).count() for view in VIEWS}


def queue(user: User, filters: QueueFilters, today: datetime.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    tasks = _tab(user, filters.view)

    case = "process__caseprocess__case__"
    if filters.stage:
        tasks = tasks.filter(**{f"{case}status": filters.stage})
    if filters.category:
        tasks = tasks.filter(**{f"{case}category": filters.category})
    if filters.organisation:
        tasks = tasks.filter(**{f"{case}handling_organisation": filters.organisation})
    if filters.query:
        parties = Party.objects.filter(case=OuterRef(f"{case}pk")).filter(
            Q(person__name_zh__contains=filters.query)
            | Q(person__name_latin__icontains=filters.query)
            | Q(association__name__contains=filters.query)
            | Q(organisation__name__contains=filters.query)
        )
        tasks = tasks.filter(
            Q(**{f"{case}number__contains": filters.query})
            | Q(**{f"{case}title__contains": filters.query})
            | Exists(parties)
        )
    tasks = tasks.annotate(due_on=_next_due())
    if filters.overdue:
        tasks = tasks.filter(due_on__lt=today)
    if filters.due_soon:
        horizon = WorkingCalendar.load().add_working_days(today, REMINDER_WORKING_DAYS)
        tasks = tasks.filter(due_on__gte=today, due_on__lte=horizon)
    return tasks.select_related(
        "owner", "process__caseprocess__case__handling_organisation"
    ).order_by(*SORTS[_sort(filters)])


def _sort(filters: QueueFilters) -> str:
    offered = sorts_of(filters.view)
    return filters.sort if filters.sort in offered else offered[0]


@dataclass
class QueueRow:
    task: Task
    case: Case
    due_on: datetime.date | None
    working_days_left: int | None
    countries: list[str]

    @property
    def is_overdue(self) -> bool:
        return self.working_days_left is not None and self.working_days_left < 0

    @property
    def is_due_soon(self) -> bool:
        left = self.working_days_left
        return left is not None and 0 <= left <= REMINDER_WORKING_DAYS


def rows(tasks: list[Task], today: datetime.date | None = None) -> list[QueueRow]:
    """Queue rows for one page: the cases' parties come in one query for the whole page."""
    today = today or timezone.localdate()
    calendar = WorkingCalendar.load()
    cases = [t.process.caseprocess.case for t in tasks]
    parties = Party.objects.filter(case__in=cases).select_related(
        "person", "association", "organisation"
    )
    countries: dict[int, list[str]] = {}
    for party in parties:
        name = str(party.country.name) if party.country else ""
        if name and name not in countries.setdefault(party.case_id, []):
            countries[party.case_id].append(name)
    return [
        QueueRow(
            task=t,
            case=c,
            due_on=t.due_on,
            working_days_left=_left(calendar, today, t.due_on),
            countries=countries.get(c.pk, []),
        )
        for t, c in zip(tasks, cases, strict=True)
    ]


def _left(calendar: WorkingCalendar, today: datetime.date, due: datetime.date | None):
    if due is None:
        return None
    if due < today:
        return -max(1, calendar.working_days_between(due, today))
    return calendar.working_days_between(today, due)


def open_tasks_of(case: Case) -> list[Task]:
    return list(
        Task.objects.filter(
            process__caseprocess__case=case, status__in=OPEN, flow_task_type="HUMAN"
        ).select_related("owner")
    )


@dataclass(frozen=True)
class TaskAction:
    task: Task
    can_do: bool
    can_claim: bool
    can_release: bool


def case_actions(case: Case, user: User) -> list[TaskAction]:
    """The open tasks of a case with what this user may do about each. A suspended case's
    tasks wait: nothing is offered to do or take until it resumes."""
    waiting = case.status == CaseStatus.SUSPENDED
    actions = []
    for task in open_tasks_of(case):
        node = task.flow_task
        mine = node.can_execute(user, task)
        claimable = node.can_assign(user, task) and not waiting
        actions.append(TaskAction(task, (mine or claimable) and not waiting, claimable, mine))
    return actions


def flow_chart(case: Case) -> str:
    """The flow diagram as SVG, the case's current tasks marked by their status."""
    from viewflow.workflow import chart

    from .flows import DisputeFlow

    grid = chart.calc_layout_data(DisputeFlow)
    process = case.processes.order_by("-pk").first()
    if process is not None:
        chart.calc_cell_status(DisputeFlow, grid, process.pk)
    return chart.grid_to_svg(grid)
