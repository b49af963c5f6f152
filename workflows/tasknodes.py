"""The task nodes of the case process, for the process (``workflows.flows``) and for the
stages, whose nodes it places (``workflows.stages.Segment``). It imports no stage and not
the flow.

A human task is a ``CaseTask``: it names its form, its completion function (case, person,
form data, process), the permission it needs and the organisation that answers for it. A
task is offered only to people who hold the permission through a role in that
organisation. A completion never drives viewflow itself: ``workflows.services.complete_task``
starts the task, takes the case transition the node ``enters`` (if any), calls the
completion and moves the process on.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.timezone import now
from viewflow.workflow import flow, nodes
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.signals import flow_started, task_started
from viewflow.workflow.status import STATUS

from cases.capabilities import may_as
from cases.models import Case, Organisation
from cases.notifications import notify, site_url

from .models import CaseProcess


def case_of(process) -> Case:
    """The process's case, read again: a task before may have moved it on. Except while
    a start runs (``StartCase``): the case it was handed is the one its caller holds, in
    the same transaction, and its first task's owner, permission object and notice would
    each read the process row again (and the case's organisation and officer)."""
    starting = getattr(process, "_starting_case", None)
    if starting is not None:
        return starting
    return CaseProcess.objects.select_related("case").get(pk=process.pk).case


def notify_owner(activation) -> None:
    task = activation.task
    if task.owner_id:
        case = case_of(task.process)
        notify(
            task.owner,
            "assignment",
            {
                "case": case,
                "task": task.flow_task.label,
                "url": site_url(case.get_absolute_url()),
            },
        )


def handling_organisation(case: Case) -> Organisation:
    return case.handling_organisation


class CaseTaskActivation(nodes.ViewActivation):
    """A person's task, plus one path for the system.

    viewflow starts a human task only from ASSIGNED (``start``), and assigning needs a
    user: a task is someone's before it is done. A few tasks are done by the rules
    themselves, nobody's hand: a referral nobody objected to within its window is taken
    (``workflows.services.fire_clocks``). Rather than pretend a person did it (a made-up
    "system" user would hold roles, appear in queues and answer permission checks), the
    task is started here straight from NEW or ASSIGNED with no owner, then completed and
    the flow moved on by viewflow's own ``execute``. Only services call it, inside the
    process lock; no screen offers it."""

    @Activation.status.transition(source=[STATUS.NEW, STATUS.ASSIGNED], target=STATUS.STARTED)
    def start_unattended(self) -> None:
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        self.task.started = now()


class CaseTask(nodes.View):
    """A person's task on a case, done through this project's own task screen.

    ``enters``: the case transition completing it takes, before its completion runs
    (the case goes to legal review when the officer sends it); or a function of the case
    and the form's data giving the transition and its parameters, or None for none (the
    mediator's outcome settles the case, or leaves it unresolved, or neither). ``earlier``:
    the names of the tasks whose records its screen shows (``workflows.progress``). A team task
    (``personal`` False) waits in its organisation's queue and moves with the case when
    it is reported up or sent down; a personal one stays with its holder."""

    activation_class = CaseTaskActivation
    personal = False
    # Who does it when nobody holds it, in place of the organisation's roles (a vacant
    # seat: the officer seats someone); None: the roles the table gives.
    vacant = None

    def __init__(
        self,
        title,
        form_class,
        complete: Callable,
        permission: str,
        responsible: Callable[[Case], Organisation] = handling_organisation,
        screen: Callable | None = None,
        enters: str | Callable[[Case, dict], tuple[str, dict] | None] | None = None,
        earlier: tuple[str, ...] = (),
    ) -> None:
        super().__init__(view=None)
        self.label = title
        self.form_class = form_class
        self.complete = complete
        self.responsible = responsible
        # A stage's own screen for the task: (task, case, user, form) -> (template,
        # context); None: the common task screen.
        self.screen = screen
        self.enters = enters
        self.earlier = earlier
        self.Permission(permission, obj=lambda process: responsible(case_of(process)))
        self.Assign(self.case_officer)
        self.onCreate(notify_owner)

    def step(self, case: Case, data: dict) -> tuple[str, dict] | None:
        """The case transition completing the task takes, with its parameters."""
        if callable(self.enters):
            return self.enters(case, data)
        return (self.enters, {"reason": data.get("notes", "")}) if self.enters else None

    def case_officer(self, activation):
        """A task the case officer may do lands in the officer's own tasks; others wait in
        the team queue of the responsible organisation."""
        case = case_of(activation.process)
        officer = case.officer
        if officer and may_as(officer, self._owner_permission, case, self.responsible(case).pk):
            return officer
        return None

    def is_for(self, user, task, case: Case | None = None) -> bool:
        """Whether the task is the user's work: the capability table allows its action to
        a role the user holds in the organisation the task belongs to (its permission
        object: the responsible organisation, or a lower unit the task was sent down to),
        in that organisation's relation to the case. ``case``: the task's case as the
        caller has just read it (the case page, for each of its tasks), else read here."""
        if user is None or not user.is_authenticated or not task.owner_permission_obj_pk:
            return False
        case = case if case is not None else case_of(task.process)
        return may_as(user, task.owner_permission, case, int(task.owner_permission_obj_pk))

    def can_assign(self, user, task, case: Case | None = None) -> bool:
        return task.owner_id is None and self.is_for(user, task, case)

    def can_execute(self, user, task) -> bool:
        return task.owner_id is not None and task.owner_id == user.pk

    def opens_for(self, user, task) -> bool:
        """Whether the task screen opens for someone who cannot read the case (yet)."""
        return False


class PersonalTask(CaseTask):
    """A task that is one person's own (a reviewer's seat): assigned to them by ``owner``
    (activation -> user), never taken from a queue, and opened by its holder even before
    they may read the case. Nobody else may take it."""

    personal = True

    def __init__(self, title, form_class, complete, permission, owner, screen, **kwargs) -> None:
        super().__init__(title, form_class, complete, permission, screen=screen, **kwargs)
        self.Assign(owner)

    def case_officer(self, activation):  # the node's own owner is assigned instead
        return None

    def is_for(self, user, task, case: Case | None = None) -> bool:
        return False

    def opens_for(self, user, task) -> bool:
        return task.owner_id is not None and task.owner_id == user.pk


class StartCaseActivation(nodes.StartHandle.activation_class):
    """viewflow's start from code, less two things a case's start does not need: a
    savepoint (intake and reopening run it inside their own transaction, and nothing
    catches its failure to go on: the whole registration rolls back) and the process lock
    (the process row is inserted by this very transaction, so no other one can see it,
    let alone lock it or act on it, before commit). The case handed to the start serves
    ``case_of`` until the first tasks are created."""

    @Activation.status.super()
    def execute(self):
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        with transaction.atomic(savepoint=False):
            self.process.save()
            self.process._starting_case = self.process.case
            try:
                self.complete()
                flow_started.send(sender=self.flow_class, process=self.process, task=self.task)
                self.activate_next()
            finally:
                del self.process._starting_case


class StartCase(flow.StartHandle):
    activation_class = StartCaseActivation


class FanOutActivation(SplitActivation):
    """Activates its branch once per item of the node's ``items`` (the open seats of a
    review), each task carrying its item as ``task.data``. (viewflow's own per-item split
    is not in its open-source edition.)"""

    @Activation.status.super()
    def activate(self):
        for node, _cond, _source in self.flow_task._branches:
            self.next_tasks += [(node, item) for item in self.flow_task.items(self)]
        if not self.next_tasks:
            raise FlowRuntimeError(f"No items to fan out at {self.flow_task.name}")


class FanOut(flow.Split):
    activation_class = FanOutActivation

    def __init__(self, items: Callable, **kwargs) -> None:
        super().__init__(**kwargs)
        self.items = items
