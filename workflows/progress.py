"""Where a case stands, for the person looking at it: the next step (its open tasks, who
does each and by when) and, on a task's screen, what the steps before it recorded.

The next step is said after every action (a task done, claimed, released or sent down, a
case reported up, withdrawn, suspended, resumed or reopened) and on the case page's tasks
panel. Who does a task: the person who holds it, else the roles the capability table
(``cases.capabilities.CAPABILITIES``) gives the task's action in the task's organisation
(its permission object), in that organisation's relation to the case. By when: the case's
next running clock.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache

from django.urls import reverse
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from viewflow.workflow import chart
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from cases import registry
from cases.capabilities import roles_allowed
from cases.deadlines import ClockView
from cases.models import Case, CaseEvent, CaseStatus, Organisation, Role, User, transition_label
from cases.selectors import case_clocks

from .flows import DisputeFlow
from .models import CaseProcess
from .selectors import OPEN, open_tasks_of


@dataclass(frozen=True)
class StepTask:
    """An open task: what it is, who does it, and its screen if this person may open it."""

    task: Task
    label: str
    who: str
    url: str


@dataclass(frozen=True)
class NextStep:
    tasks: list[StepTask]
    # The case's next running clock (None when none runs, e.g. the case is suspended).
    due: ClockView | None
    suspended: bool
    # Why the process is over ("" while it runs).
    ended: str = ""

    def _sentences(self, html: bool, suspension: bool = True) -> list[str]:
        """The next step in sentences; as HTML (escaped, each task this person may open
        linked to its screen) or as plain text."""
        esc = escape if html else str
        if self.ended:
            return [esc(self.ended)]
        sentences = []
        if self.suspended and suspension:
            sentences.append(esc(_("The case is suspended: its tasks wait until it is resumed.")))
        for item in self.tasks:
            values = {"task": esc(item.label), "who": esc(item.who)}
            if html and item.url:
                values["task"] = format_html('<a href="{}">{}</a>', item.url, item.label)
            if self.due is None:
                text = _("Next step: %(task)s — by %(who)s.")
            else:
                values |= {
                    "due": self.due.deadline.due_on.isoformat(),
                    "clock": esc(self.due.label),
                    "left": self.due.working_days_left,
                }
                text = (
                    _("Next step: %(task)s — by %(who)s, overdue since %(due)s (%(clock)s).")
                    if self.due.is_overdue
                    else _(
                        "Next step: %(task)s — by %(who)s, due %(due)s "
                        "(%(clock)s, %(left)s working days left)."
                    )
                )
            sentences.append(esc(text) % values)
        if not self.tasks:
            sentences.append(esc(_("No task is open on this case.")))
        return sentences

    def as_html(self) -> SafeString:
        """The next step, each task this person may open linked to its screen."""
        # Every part was escaped in _sentences.
        return mark_safe(" ".join(self._sentences(html=True)))

    def panel_html(self) -> SafeString:
        """As ``as_html``, for the tasks panel, which says the suspension itself."""
        return mark_safe(" ".join(self._sentences(html=True, suspension=False)))

    def __str__(self) -> str:
        return " ".join(self._sentences(html=False))


def _joined(items: list[str]) -> str:
    """ "A or B", "A、B or C" in the reader's language."""
    if len(items) < 2:
        return "".join(items)
    return _("%(first)s or %(last)s") % {"first": _(", ").join(items[:-1]), "last": items[-1]}


def who_does(
    task: Task, case: Case, user: User | None, organisations: dict[int, Organisation]
) -> str:
    """The person holding the task, else its organisation's roles that may do it.
    ``organisations``: those of the case's unheld tasks (``_organisations_of``)."""
    if task.owner_id:
        name = str(task.owner)
        return _("%(name)s (you)") % {"name": name} if user and user.pk == task.owner_id else name
    vacant = task.flow_task.vacant
    if vacant:  # a seat nobody holds: the officer seats someone
        return str(vacant)
    organisation = organisations.get(_organisation_id(task))
    if organisation is None:
        return _("nobody yet")
    roles = [
        str(Role(r).label) for r in roles_allowed(task.owner_permission, case, organisation.pk)
    ]
    if not roles:
        return str(organisation)
    return _("the %(roles)s of %(organisation)s") % {
        "roles": _joined(roles),
        "organisation": organisation,
    }


def _organisation_id(task: Task) -> int | None:
    """The organisation an unheld task waits in (its permission object), if any."""
    try:
        return int(task.owner_permission_obj_pk or "")
    except ValueError:
        return None


def _organisations_of(tasks: list[Task], case: Case) -> dict[int, Organisation]:
    """The organisations the unheld tasks wait in, in one read: most often the handling
    organisation, which the case holds already."""
    wanted = {_organisation_id(t) for t in tasks if not t.owner_id} - {None}
    known = {case.handling_organisation_id: case.handling_organisation}
    missing = wanted - known.keys()
    return known | (Organisation.objects.in_bulk(missing) if missing else {})


def _ended(case: Case) -> str:
    """Why the case's process is over, from where the case stands."""
    if case.status == CaseStatus.DECLINED:
        return _("The process has ended: the case was declined.")
    if case.status == CaseStatus.REFERRED:
        return _("The process has ended: the case was referred to %s, which took it.") % (
            case.referred_to or "—"
        )
    if case.status == CaseStatus.CLOSED:
        return _("The process has ended: the case is closed.")
    if case.status == CaseStatus.WITHDRAWN:
        return _("The process has ended: the claimant withdrew the case.")
    return _("The process has ended (%s).") % case.get_status_display()


def next_running_clock(case: Case, today: datetime.date | None = None) -> ClockView | None:
    return _first_running(case_clocks(case, today))


def _first_running(clocks: list[ClockView]) -> ClockView | None:
    """The running clock due first among the case's clocks (``case_clocks``)."""
    return min(
        (c for c in clocks if c.deadline.is_running),
        key=lambda c: c.deadline.due_on,
        default=None,
    )


def next_step(
    case: Case,
    user: User,
    *,
    tasks: list[Task],
    clocks: list[ClockView],
    runs: list[CaseProcess],
) -> NextStep:
    """What happens next on the case: its open ``tasks`` with who does each (and a link
    to those this person may open), and the case's next running due date among its
    ``clocks``; or why the process is over (no task open, no run going on). ``case``
    should be fresh from the database (its status is read)."""
    if not tasks and not any(run.status == PROCESS.NEW for run in runs):
        return NextStep([], None, False, _ended(case))
    organisations = _organisations_of(tasks, case)
    items = []
    for task in sorted(tasks, key=lambda t: t.pk):
        node = task.flow_task
        may_open = node.can_execute(user, task) or node.can_assign(user, task, case)
        items.append(
            StepTask(
                task=task,
                label=str(node.label),
                who=who_does(task, case, user, organisations),
                url=reverse("workflows:task", args=[task.pk]) if may_open else "",
            )
        )
    return NextStep(items, _first_running(clocks), case.status == CaseStatus.SUSPENDED)


def next_step_of(case_pk: int, user: User) -> NextStep:
    """The next step of a case just changed (read afresh)."""
    case = Case.objects.select_related("handling_organisation", "referred_to").get(pk=case_pk)
    return next_step(
        case, user, tasks=open_tasks_of(case), clocks=case_clocks(case), runs=runs_of(case)
    )


# The case page's tasks panel: what this person may do about each open task, and the flow
# chart. Each read once for the panel, whatever the case's size.


def runs_of(case: Case) -> list[CaseProcess]:
    """The case's runs of the process, oldest first (a reopened case runs another)."""
    return list(case.processes.order_by("pk"))


def tasks_of(runs: list[CaseProcess]) -> list[Task]:
    """Every task of the runs, newest first, with who holds it."""
    return list(Task.objects.filter(process__in=runs).select_related("owner"))


def open_among(tasks: list[Task]) -> list[Task]:
    """The open tasks a person does (``selectors.open_tasks_of``, from tasks read already)."""
    return [t for t in tasks if t.status in OPEN and t.flow_task_type == "HUMAN"]


@dataclass(frozen=True)
class TaskAction:
    task: Task
    can_do: bool
    can_claim: bool
    can_release: bool


def case_actions(case: Case, user: User, tasks: list[Task]) -> list[TaskAction]:
    """The case's open tasks with what this user may do about each. A suspended case's
    tasks wait: nothing is offered to do or take until it resumes."""
    waiting = case.status == CaseStatus.SUSPENDED
    actions = []
    for task in tasks:
        node = task.flow_task
        mine = node.can_execute(user, task)
        claimable = node.can_assign(user, task, case) and not waiting
        actions.append(TaskAction(task, (mine or claimable) and not waiting, claimable, mine))
    return actions


def flow_chart(run: CaseProcess | None, tasks: list[Task]) -> str:
    """The flow diagram as SVG, the run's tasks marked by their status as viewflow's
    ``chart.calc_cell_status`` marks them: by a node's latest task, unless that one is new
    and an earlier one is not."""
    statuses = {}
    for task in sorted(tasks, key=lambda t: (t.created, t.pk)):
        if run is not None and task.process_id == run.pk:
            node = task.flow_task
            if node not in statuses or task.status != STATUS.NEW:
                statuses[node] = task.status
    return _chart(translation.get_language(), frozenset(statuses.items()))


@lru_cache(maxsize=64)
def _chart(language: str, statuses: frozenset) -> str:
    """The diagram with these statuses, in this language: laid out and drawn once (tens of
    milliseconds), then the same for every case that stands alike."""
    grid = chart.calc_layout_data(DisputeFlow)
    for node, status in statuses:
        if node in grid.nodes:
            grid[node].status = status
    return chart.grid_to_svg(grid)


# What a task's screen shows of the steps before it ------------------------------------

# A task's screen shows the earlier tasks of the same run whose work it builds on (the
# latest of each that was done: its node's ``earlier``), and the lifecycle steps that led
# to it. A stage's own records (opinions, questions) are on its screens and panel.
EARLIER_LIFECYCLE: dict[str, tuple[str, ...]] = {"rescreen": ("reopen",)}
# What a step records on the timeline: the notes typed into it, the status change it made
# (with its reason), a communication, who was brought in, and what the stages record
# (reviewers seated, the committee's opinion signed off).
CORE_SHOWN_KINDS = [
    CaseEvent.Kind.NOTE,
    CaseEvent.Kind.TRANSITION,
    CaseEvent.Kind.COMMUNICATION,
    CaseEvent.Kind.ASSIGNMENT,
]


@dataclass
class EarlierStep:
    label: str
    by: User | None
    at: datetime.datetime | None
    entries: list[CaseEvent] = field(default_factory=list)


def earlier_steps(task: Task, case: Case) -> list[EarlierStep]:
    """What the steps before this task recorded, oldest first: the timeline entries made
    while each earlier task was done (see ``EARLIER_TASKS``), and the lifecycle step
    that led to it (a reopening, with the new facts)."""
    name = task.flow_task.name
    wanted = task.flow_task.earlier
    done: dict[str, Task] = {}
    earlier = (
        Task.objects.filter(
            process_id=task.process_id,
            flow_task_type="HUMAN",
            status=STATUS.DONE,
            finished__lte=task.created,
        )
        .select_related("owner")
        .order_by("finished")
    )
    for other in earlier:
        if other.flow_task.name in wanted:
            done[other.flow_task.name] = other  # the latest of each wins
    steps = []
    for other in done.values():
        entries = list(
            case.events.filter(
                kind__in=[*CORE_SHOWN_KINDS, *registry.TIMELINE_KINDS],
                created_at__gte=other.started or other.created,
                created_at__lte=other.finished,
            ).select_related("actor")
        )
        steps.append(
            EarlierStep(str(other.flow_task.label), other.owner, other.finished, entries[::-1])
        )
    for transition in EARLIER_LIFECYCLE.get(name, ()):
        event = (
            case.events.filter(transition=transition, created_at__lte=task.created)
            .select_related("actor")
            .first()
        )
        if event is not None:
            steps.append(
                EarlierStep(
                    str(transition_label(transition)), event.actor, event.created_at, [event]
                )
            )
    return sorted(steps, key=lambda s: s.at or task.created)
