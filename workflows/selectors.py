"""The officers' queue: tasks of the dispute flow, scoped to the organisations a user works
for, with the columns the queue shows. A page costs the same few queries whatever its size."""

from __future__ import annotations

import datetime
import functools
import math
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, TextChoices, Window
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.calendar import WorkingCalendar, organisation_today
from cases.capabilities import memberships, task_actions_of
from cases.deadlines import REMINDER_WORKING_DAYS
from cases.models import Case, CaseStatus, Deadline, Organisation, Party, Person, User
from cases.params import int_param
from cases.selectors import visible_case_ids

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

    @property
    def narrow(self) -> bool:
        """Whether a filter leaves some of the tab's tasks out (a sort does not)."""
        filters = (self.stage, self.category, self.organisation, self.overdue, self.due_soon)
        return any(filters) or bool(self.query)


def _next_due() -> Subquery:
    """The nearest running clock of the task's case: the case's own, and the task holder's
    own clock on it (an adviser's review), not another person's. Read from the task's run
    (its process id) and the case's running clocks in due order (``running_deadline_of_case``):
    no join on the task's row, so a count of the queue reads the task table alone."""
    running = Deadline.objects.filter(
        Q(holder__isnull=True) | Q(holder=OuterRef(OuterRef("owner"))),
        case=OuterRef("case"),
        stopped_on__isnull=True,
        suspended_on__isnull=True,
    ).order_by("due_on")
    run = CaseProcess.objects.filter(pk=OuterRef("process_id")).order_by()
    return Subquery(run.values(due=Subquery(running.values("due_on")[:1])))


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
        # Through the runs of the visible cases: PostgreSQL then walks the open tasks by
        # process instead of joining every open task of every case (3× faster at 1M tasks).
        runs = CaseProcess.objects.filter(case__in=visible_case_ids(user)).values("pk")
        return (
            tasks.filter(status__in=OPEN, process_id__in=runs)
            .exclude(owner=user)
            .exclude(_team_scope(user))
        )
    return tasks.filter(owner=user, status=STATUS.DONE)


# The tabs whose count one index answers, shown on every page; the others' (watching: the
# open tasks of every case the user may read) only when their tab is open.
COUNTED_ALWAYS = ("mine", "team", "finished")


def tab_counts(user: User, filters: QueueFilters, listed: int) -> dict[str, int | None]:
    """How many tasks each tab holds without filters (what its link opens); None for a tab
    not counted on this page. ``listed``: how many the open tab lists with the filters,
    its count when none narrows it."""
    counts: dict[str, int | None] = {}
    for view in VIEWS:
        if view == filters.view and not filters.narrow:
            counts[view] = listed
        elif view in COUNTED_ALWAYS or view == filters.view:
            counts[view] = _tab(user, view).count()
        else:
            counts[view] = None
    return counts


# What a row of the page shows besides the task.
ROW_RELATIONS = ("owner", "process__caseprocess__case")


def queue(user: User, filters: QueueFilters, today: datetime.date | None = None) -> QuerySet:
    """The tasks of the user's tab that the filters leave, sorted, with what their rows
    show: ``page_of`` reads one page of them, the Excel download all."""
    today = today or organisation_today()
    tasks = _tab(user, filters.view)

    case = "process__caseprocess__case__"
    if filters.stage:
        tasks = tasks.filter(**{f"{case}status": filters.stage})
    if filters.category:
        tasks = tasks.filter(**{f"{case}category": filters.category})
    if filters.organisation:
        tasks = tasks.filter(**{f"{case}handling_organisation": filters.organisation})
    if filters.query:
        tasks = _matching(tasks, filters.query, filters.view)
    tasks = tasks.annotate(due_on=_next_due())
    if filters.overdue:
        tasks = tasks.filter(due_on__lt=today)
    if filters.due_soon:
        horizon = WorkingCalendar.load().add_working_days(today, REMINDER_WORKING_DAYS)
        tasks = tasks.filter(due_on__gte=today, due_on__lte=horizon)
    # Read whole (the Excel download), a row shows the case's handling organisation too.
    organisation = "process__caseprocess__case__handling_organisation"
    return tasks.select_related("owner", organisation).order_by(*SORTS[_sort(filters)])


def page_of(tasks: QuerySet, number: str | None, size: int) -> Page:
    """The page of ``queue`` asked for (the first if the number is none, the last if past
    it), in two queries whatever its size. First the page's task ids in order, with how
    many tasks the tab and its filters hold beside them (COUNT(*) OVER ()): the tasks are
    found once, not once to count and once to list. Then only those tasks joined to what
    their rows show: sorting all of the tab's tasks joined to their cases, organisations
    and holders cost three times as much (1,000 tasks)."""
    asked = int_param(number) or 1
    ids, total = _ids_on_page(tasks, asked, size)
    if not ids and asked > 1:  # past the last page
        asked = max(1, math.ceil(tasks.count() / size))
        ids, total = _ids_on_page(tasks, asked, size)
    found = Task.objects.annotate(due_on=_next_due()).select_related(*ROW_RELATIONS).in_bulk(ids)
    on_page = [found[pk] for pk in ids if pk in found]  # one may have gone meanwhile
    return Page(on_page, asked, Paginator(range(total), size))


def _ids_on_page(tasks: QuerySet, number: int, size: int) -> tuple[list[int], int]:
    counted = tasks.annotate(total=Window(Count("pk"))).values_list("pk", "total")
    rows = list(counted[(number - 1) * size : number * size])
    return [pk for pk, _total in rows], rows[0][1] if rows else 0


def _matching(tasks: QuerySet, text: str, view: str) -> QuerySet:
    """The tasks whose case's number, title or a party's name holds the text. The matches
    come from the trigram indexes (``cases`` migration 0015) as two sets of case ids, the
    cases' own and their parties'. One OR across the joined tables would read every case
    of the tab and its parties.

    Which side leads depends on the tab. A person's or a team's tab is small and read
    through its own index: each of its tasks looks its run's case up in the matches (a
    number's first figures match 11,000 cases in bench/queue.py; collecting their runs
    first made that search twice as slow). The watching tab is every open task of every
    case the user may read, thousands for an officer and more for a supervisor: looking
    each one's case up cost 150-180 ms a page under the load test, so there the runs of
    the matching cases are found first (30-60 ms)."""
    people = Person.objects.filter(Q(name_zh__contains=text) | Q(name_latin__icontains=text))
    by_name = [
        Party.objects.filter(person__in=people),
        Party.objects.filter(association__name__contains=text),
        Party.objects.filter(organisation__name__contains=text),
    ]
    numbered = Case.objects.filter(Q(number__contains=text) | Q(title__contains=text))
    first, *others = (parties.order_by().values("case_id") for parties in by_name)
    named = first.union(*others, all=True)
    if view == "watching":
        runs = CaseProcess.objects.filter(Q(case__in=numbered.values("pk")) | Q(case__in=named))
        return tasks.filter(process_id__in=runs.values("pk"))
    run = CaseProcess.objects.filter(pk=OuterRef("process_id")).order_by()
    return tasks.annotate(run_case=Subquery(run.values("case_id"))).filter(
        Q(run_case__in=numbered.values("pk")) | Q(run_case__in=named)
    )


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

    # The case's stage and category by name. ``get_status_display`` would translate every
    # stage's name to find one (it hashes the lazy names): 750 translations a page of 25.
    @property
    def stage(self) -> str:
        return _label(CaseStatus, self.case.status)

    @property
    def category(self) -> str:
        return _label(Case.Category, self.case.category)

    @property
    def is_overdue(self) -> bool:
        return self.working_days_left is not None and self.working_days_left < 0

    @property
    def is_due_soon(self) -> bool:
        left = self.working_days_left
        return left is not None and 0 <= left <= REMINDER_WORKING_DAYS


def _label(choices: type[TextChoices], value: str) -> str:
    return choices(value).label if value in choices.values else value


def rows(tasks: list[Task], today: datetime.date | None = None) -> list[QueueRow]:
    """Queue rows for one page: the cases' parties come in one query for the whole page."""
    today = today or organisation_today()
    # Once a date: the rows of a page sorted by due date share dates, and the calendar
    # counts working days one day at a time.
    left = functools.cache(functools.partial(_left, WorkingCalendar.load(), today))
    cases = [t.process.caseprocess.case for t in tasks]
    # Only what ``Party.country`` reads: a whole person costs a time-zone look-up each.
    parties = (
        Party.objects.filter(case__in=cases)
        .select_related("person", "association")
        .only("case_id", "organisation_id", "person__residence_country", "association__country")
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
            working_days_left=left(t.due_on),
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
