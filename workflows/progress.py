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

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from cases import registry
from cases.calendar import WorkingCalendar
from cases.capabilities import roles_allowed
from cases.deadlines import ClockView, clock_views
from cases.models import Case, CaseEvent, CaseStatus, Organisation, Role, User, transition_label

from .selectors import open_tasks_of


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


def who_does(task: Task, case: Case, user: User | None = None) -> str:
    """The person holding the task, else its organisation's roles that may do it."""
    if task.owner_id:
        name = str(task.owner)
        return _("%(name)s (you)") % {"name": name} if user and user.pk == task.owner_id else name
    vacant = task.flow_task.vacant
    if vacant:  # a seat nobody holds: the officer seats someone
        return str(vacant)
    try:
        organisation_id = int(task.owner_permission_obj_pk or "")
    except ValueError:
        return _("nobody yet")
    organisation = Organisation.objects.filter(pk=organisation_id).first()
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
    clock = (
        case.deadlines.filter(stopped_on__isnull=True, suspended_on__isnull=True)
        .order_by("due_on")
        .first()
    )
    if clock is None:
        return None
    return clock_views([clock], today or timezone.localdate(), WorkingCalendar.load())[0]


def next_step(case: Case, user: User, today: datetime.date | None = None) -> NextStep:
    """What happens next on the case: its open tasks with who does each (and a link to
    those this person may open), and the case's next running due date; or why the process
    is over. ``case`` should be fresh from the database (its status is read)."""
    tasks = open_tasks_of(case)
    if not tasks and not case.processes.filter(status=PROCESS.NEW).exists():
        return NextStep([], None, False, _ended(case))
    items = []
    for task in sorted(tasks, key=lambda t: t.pk):
        node = task.flow_task
        may_open = node.can_execute(user, task) or node.can_assign(user, task)
        items.append(
            StepTask(
                task=task,
                label=str(node.label),
                who=who_does(task, case, user),
                url=reverse("workflows:task", args=[task.pk]) if may_open else "",
            )
        )
    return NextStep(items, next_running_clock(case, today), case.status == CaseStatus.SUSPENDED)


def next_step_of(case_pk: int, user: User) -> NextStep:
    """The next step of a case just changed (read afresh)."""
    return next_step(Case.objects.select_related("referred_to").get(pk=case_pk), user)


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
