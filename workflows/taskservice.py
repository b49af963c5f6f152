"""What a stage may do to its own tasks outside their completion: hand a task to another
person, leave it with nobody, or finish it without anyone (an override), inside the process
lock. Stages reach the process
through this module and the task-screen framework only; they never drive viewflow's
activations themselves (an import-linter contract keeps it so)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from viewflow.workflow.models import Task

from cases.models import User


@dataclass(frozen=True)
class HeldTask:
    """A task under the process lock, for the stage's writes that change who holds it."""

    activation: object

    @property
    def label(self) -> str:
        return self.activation.task.flow_task.label

    def give_to(self, user: User) -> None:
        """The task (nobody's now) is this person's."""
        self.activation.assign(user)

    def vacate(self) -> None:
        """The task is nobody's until it is given to someone (``give_to``)."""
        self.activation.unassign()

    def finish(self) -> None:
        """The task is done by the rules, nobody's hand (a supervisor let the case go on
        without it): started with no owner and completed, the process moved on. The stage
        has recorded why on its own records and the timeline."""
        self.activation.start_unattended()
        self.activation.execute()


def open_task_id(case_pk: int, node: str) -> int | None:
    """The case's open task of the stage's node ``node`` (the mediator's signing task, for
    the page to link to), or None."""
    from viewflow.workflow.status import STATUS

    tasks = Task.objects.filter(
        process__caseprocess__case_id=case_pk, status__in=[STATUS.NEW, STATUS.ASSIGNED]
    ).order_by("-pk")
    return next((task.pk for task in tasks if task.flow_task.name == node), None)


@contextmanager
def held_task(task_id: int) -> Iterator[HeldTask]:
    """Take the process lock of the task's run (as completing a task does) for the
    duration of the stage's write; call inside the stage's transaction."""
    task = Task.objects.get(pk=task_id)
    with task.activation() as activation:
        yield HeldTask(activation)
