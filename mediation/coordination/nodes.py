"""Coordination's part of the dispute flow, placed by the process after the officer's route
(``stage.py`` registers it as a ``Segment``): the officer convenes a meeting; each invited
department answers in its own task at the same time; when all have answered (or the
supervisor went on without them) the officer writes the minutes; each action item is then a
task of its department's; when all are done the officer checks them, sending rejected ones
back, and goes on, or convenes another meeting."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from cases.models import Organisation
from workflows.tasknodes import CaseTask, FanOut, case_of

from . import selectors, services
from .forms import CheckActionsForm, ConveneForm, MinutesForm, ReplyForm, ReportForm


class DepartmentTask(CaseTask):
    """A task of one department (its reply to an invitation, one of its action items): it
    waits in that department's team queue, never the case officer's; any of its liaisons
    may take it, or a liaison may hand it to a colleague. Its item (``task.data``) names
    the department and the record."""

    # The department of the item answers for it, not the handling organisation.
    def calc_owner_permission_obj(self, activation):
        return Organisation.objects.get(pk=activation.task.data["organisation"])

    def case_officer(self, activation):
        return None

    def __init__(self, *args, attach: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.attach = attach
        self.onCreate(self.created)  # in place of the node's own (viewflow keeps one)

    def created(self, activation) -> None:
        data = activation.task.data
        services.attach_task(model=self.attach, pk=data[self.attach], task_id=activation.task.pk)


def pending_invitations(activation) -> list[dict]:
    return selectors.pending_invitation_items(case_of(activation.process))


def open_actions(activation) -> list[dict]:
    return selectors.open_action_items(case_of(activation.process))


def _open_actions_left(activation) -> bool:
    """Action items still (or again) their departments' to do."""
    return bool(open_actions(activation))


# Completions: (case, actor, data, process) -> None


def convene(case, actor, data, process) -> None:
    services.convene_meeting(case=case, actor=actor, details=data["details"])


def reply(case, actor, data, process) -> None:
    services.reply(
        invitation_pk=data["item"]["invitation"],
        actor=actor,
        answer=data["answer"],
        attendees=data.get("attendees", ""),
        reason=data.get("reason", ""),
        position=data.get("position", ""),
    )


def minutes(case, actor, data, process) -> None:
    meeting = selectors.meeting_to_minute(case)
    services.save_minutes(
        meeting_pk=meeting.pk,
        actor=actor,
        sign_in=data["sign_in"],
        items=data["items"],
        actions=data["actions"],
    )
    services.finalise_minutes(
        meeting_pk=meeting.pk, actor=actor, another_meeting=data["another_meeting"]
    )


def report(case, actor, data, process) -> None:
    services.report_action(
        item_pk=data["item"]["action"],
        actor=actor,
        text=data["text"],
        done=True,
        upload=data.get("upload"),
    )


def check(case, actor, data, process) -> None:
    services.accept_actions(
        case=case,
        actor=actor,
        accepted=data["accepted"],
        rejected=data["rejected"],
        another_meeting=data["another_meeting"],
    )


def _another_meeting(activation) -> bool:
    return selectors.wants_another_meeting(case_of(activation.process))


def build(then) -> dict:
    """Coordination's nodes, the last going on to ``then`` (after coordination)."""
    return {
        "convene": CaseTask(
            _("Convene a coordination meeting"),
            ConveneForm,
            convene,
            "coordination.convene",
            earlier=("route",),
        ).Next(this.replies),
        "replies": FanOut(pending_invitations).Next(this.reply),
        "reply": DepartmentTask(
            _("Reply to the meeting invitation"),
            ReplyForm,
            reply,
            "coordination.reply",
            attach="invitation",
        ).Next(this.replies_done),
        "replies_done": flow.Join().Next(this.minutes),
        "minutes": CaseTask(
            _("Minutes of the coordination meeting"),
            MinutesForm,
            minutes,
            "coordination.record_minutes",
            earlier=("convene",),
        ).Next(this.if_actions),
        "if_actions": flow.If(_open_actions_left).Then(this.actions).Else(this.after_check),
        "actions": FanOut(open_actions).Next(this.act),
        "act": DepartmentTask(
            _("Action item"),
            ReportForm,
            report,
            "coordination.act",
            attach="action",
        ).Next(this.actions_done),
        "actions_done": flow.Join().Next(this.check_actions),
        "check_actions": CaseTask(
            _("Check the action items"),
            CheckActionsForm,
            check,
            "coordination.record_minutes",
            earlier=("minutes",),
        ).Next(this.after_check),
        "after_check": (
            flow.Switch()
            .Case(this.actions, _open_actions_left)
            .Case(this.convene, _another_meeting)
            .Default(then)
        ),
    }
