"""The case process: starting it at intake, claiming, releasing and completing tasks; and
the clocks that fire (reminders before a deadline, escalation to the supervisor after it,
a referral taken when no objection came in time, the daily digest). Each of these is
claimed with a conditional update, so it happens once even when the beat job runs twice or
two workers run it at once. The rest of a case's life (withdraw, suspend, resume, reopen)
is in ``workflows.lifecycle``."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases import registry
from cases import services as case_services
from cases.calendar import WorkingCalendar, organisation_today
from cases.capabilities import CAPABILITIES, Relation, may_as
from cases.deadlines import REMINDER_WORKING_DAYS, clock_views
from cases.models import Case, CaseEvent, CaseStatus, Deadline, Organisation, User
from cases.notifications import case_officers, notify, site_url, staff_of, supervisors_of
from cases.selectors import reads_no_chinese
from cases.timeline import fields as said
from cases.timeline import line
from documents.services import allocate_number, issue_step_documents

from . import stages
from .flows import DisputeFlow
from .models import CaseProcess


@transaction.atomic
def register_case(*, handling_organisation: Organisation, **fields) -> Case:
    """Intake, the one way a case comes to be: number it, store it (see
    ``cases.services.create_case``), issue its registration form and start its process,
    whose first task is screening by the handling organisation."""
    number = allocate_number(
        organisation_prefix=handling_organisation.number_prefix,
        kind="case",
        year=organisation_today().year,
    )
    case = case_services.create_case(
        number=str(number), handling_organisation=handling_organisation, **fields
    )
    issue_step_documents(case=case, step="register", actor=fields["actor"])
    DisputeFlow.start.run(case=case)
    return case


def take_step(*, case: Case, actor: User, name: str, **params) -> Case:
    """A step of the case's status machine with the documents it issues: what the
    process's tasks and the lifecycle actions call."""
    case = case_services.transition_case(case=case, actor=actor, name=name, **params)
    issue_step_documents(case=case, step=name, actor=actor)
    return case


def require_reason_en(case: Case, reason_en: str | None) -> str:
    """The reason in English of a step whose notice goes to a party who reads no Chinese.
    ``None``: the caller has no form that asks for it (a script, the demo), and the
    notice's English passage goes without it; a form's answer must not be blank."""
    reason_en = (reason_en or "").strip() if reason_en is not None else None
    if reason_en == "" and reads_no_chinese(case):
        raise ValidationError(
            _("Give the reason in English too: a party to this case reads no Chinese."),
            code="reason_en_required",
        )
    return reason_en or ""


@transaction.atomic
def extend_handling_deadline(
    *, case: Case, actor: User, days: int, reason: str, reason_en: str | None = None
):
    """The supervisor's one extension of the handling clock, and its 延期告知书.
    ``reason_en``: the reason in English, for a party who reads no Chinese (see
    ``require_reason_en``)."""
    reason_en = require_reason_en(case, reason_en)
    clock = case_services.extend_handling_deadline(
        case=case, actor=actor, days=days, reason=reason, reason_en=reason_en
    )
    issue_step_documents(case=case, step="extend_handling", actor=actor)
    return clock


def _hand_to(task: Task, organisation: Organisation) -> None:
    """A team task goes to another organisation's queue, through viewflow's own
    transitions: whoever held it lets it go, and it is offered there (its permission
    object). Inside the process lock."""
    with task.activation() as activation:
        if task.status == STATUS.ASSIGNED:
            activation.unassign()
        task.owner_permission_obj_pk = str(organisation.pk)
        task.save(update_fields=["owner_permission_obj_pk"])


def _team_tasks(case: Case, organisation: Organisation) -> list[Task]:
    """The organisation's open team tasks on the case. A personal task (a reviewer's
    seat) is its holder's wherever the case goes, and stays with them."""
    tasks = Task.objects.filter(
        process__caseprocess__case=case,
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
        flow_task_type="HUMAN",
        owner_permission_obj_pk=str(organisation.pk),
    )
    return [task for task in tasks if not task.flow_task.personal]


@transaction.atomic
def report_up(*, case: Case, actor: User, reason: str) -> Case:
    """Report the case to the next level up; its open tasks go to that level's team."""
    below = case.handling_organisation
    case = case_services.move_up(case=case, actor=actor, reason=reason)
    for task in _team_tasks(case, below):
        _hand_to(task, case.handling_organisation)
    stages.on("report_up", case=case, actor=actor, below=below)
    return case


@transaction.atomic
def send_task_down(*, task_id: int, actor: User, organisation: Organisation) -> Task:
    """The higher level hands one task to a lower unit (township, 侨胞之家), which may
    then read the case; the case stays the higher level's."""
    task = _open_task(task_id)
    with task.activation() as activation:
        _refuse_finished(task)
        case = task.process.coerced.case
        handling = case.handling_organisation
        # Only the handling organisation's own task, by someone who may do it there; a
        # task of the organisation the case was referred to is that organisation's.
        if (
            task.owner_permission_obj_pk != str(handling.pk)
            or not actor.has_perm("cases.send_down", case)
            or not may_as(actor, task.owner_permission, case, handling.pk)
        ):
            raise PermissionDenied(_("Only the handling organisation can send its work down."))
        if Relation.BELOW not in CAPABILITIES[task.owner_permission]:
            raise ValidationError(
                _("“%s” is decided by the handling organisation itself.") % task.flow_task.label,
                code="not_sendable",
            )
        if handling not in organisation.ancestors():
            raise ValidationError(
                _("%s is not a unit below the handling organisation.") % organisation,
                code="not_below",
            )
        if task.flow_task.personal:
            raise ValidationError(
                _("“%s” is one person's own task.") % task.flow_task.label, code="not_sendable"
            )
        if task.status == STATUS.ASSIGNED:
            activation.unassign()
        task.owner_permission_obj_pk = str(organisation.pk)
        task.save(update_fields=["owner_permission_obj_pk"])
        case_services.grant_read_access(case=case, organisation=organisation)
        CaseEvent.objects.create(
            case=case,
            actor=actor,
            kind=CaseEvent.Kind.HIERARCHY,
            transition="send_down",
            **said(
                line(
                    gettext_noop("“%(task)s” sent down to %(unit)s."),
                    task=task.flow_task.label,
                    unit=organisation,
                )
            ),
        )
        stages.on("send_down", case=case, actor=actor, task=task, unit=organisation)
    return task


def _open_task(task_id: int) -> Task:
    return Task.objects.select_related("owner").get(pk=task_id)


def _refuse_strangers(task: Task, user: User) -> None:
    """Someone the task is not for learns nothing about who holds it."""
    if not (task.flow_task.can_execute(user, task) or task.flow_task.is_for(user, task)):
        raise PermissionDenied(_("This task is not for you to take."))


def _refuse_finished(task: Task) -> None:
    if task.status == STATUS.CANCELED:
        raise ValidationError(_("This task was cancelled."), code="cancelled")
    if task.status == STATUS.DONE:
        raise ValidationError(
            _("This task has already been completed by %s.") % (task.owner or _("someone")),
            code="done",
        )


def _refuse_suspended(task: Task) -> None:
    """A suspended case waits: nobody takes up or completes its tasks until it resumes.
    The case row is locked (after the process, as a step takes them): a suspension made
    at the same moment comes either wholly before the task or after it."""
    case_id = CaseProcess.objects.values_list("case_id", flat=True).get(pk=task.process_id)
    case = Case.objects.select_for_update().only("status").get(pk=case_id)
    if case.status == CaseStatus.SUSPENDED:
        raise ValidationError(
            _("The case is suspended: its tasks wait until it is resumed."), code="suspended"
        )


@transaction.atomic
def claim_task(*, task_id: int, user: User) -> Task:
    """Take a task from the team queue. Of two people claiming at once, one gets it."""
    task = _open_task(task_id)
    with task.activation() as activation:
        _refuse_strangers(task, user)
        _refuse_finished(task)
        if task.owner_id and task.owner_id != user.pk:
            raise ValidationError(_("%s has already taken this task.") % task.owner, code="taken")
        _refuse_suspended(task)
        if task.owner_id is None:
            if not task.flow_task.can_assign(user, task):
                raise PermissionDenied(_("This task is not for you to take."))
            activation.assign(user)
    return task


@transaction.atomic
def release_task(*, task_id: int, user: User) -> Task:
    """Put a claimed task back in the team queue."""
    task = _open_task(task_id)
    with task.activation() as activation:
        _refuse_finished(task)
        if task.owner_id != user.pk:
            raise PermissionDenied(_("Only the person who took the task can release it."))
        activation.unassign()
    return task


@transaction.atomic
def complete_task(*, task_id: int, user: User, data: dict) -> Task:
    """Do the task: take it if it is free, apply its completion to the case, move the
    process on. Of two people completing at once, one succeeds and the other is told."""
    task = _open_task(task_id)
    with task.activation() as activation:
        _refuse_strangers(task, user)
        _refuse_finished(task)
        _refuse_suspended(task)
        node = task.flow_task
        if task.owner_id is None:
            if not node.can_assign(user, task):
                raise PermissionDenied(_("This task is not for you to take."))
            activation.assign(user)
        elif not node.can_execute(user, task):
            raise ValidationError(_("%s has already taken this task.") % task.owner, code="taken")
        activation.start(None)
        process = activation.process
        case = process.case
        step = node.step(case, data)
        if step:  # the case moves on as the task is done (to legal review, or settled)
            case = take_step(case=case, actor=user, name=step[0], **step[1])
        # The task's own item (a fan-out's: which invitation, which action item) with it.
        node.complete(case, user, {**data, "item": task.data or {}}, process)
        process.save(update_fields=["route"])
        activation.execute()
    return task


# The judicial-confirmation window is the parties' to use; it is reminded, never escalated.
# The referral-objection window is the receiver's to use, and the sender has nothing to do
# about it: no reminder; when it runs out unanswered the referral stands (see below).
# A stage's clocks say for themselves (``cases.registry.ClockKind``).
CORE_ESCALATED = [Deadline.Kind.ACCEPTANCE, Deadline.Kind.HANDLING, Deadline.Kind.MEDIATION]
CORE_REMINDED = [k for k in Deadline.Kind.values if k != Deadline.Kind.REFERRAL_OBJECTION]


def escalated_kinds() -> list[str]:
    return [*CORE_ESCALATED, *(k.kind for k in registry.CLOCK_KINDS.values() if k.escalates)]


def reminded_kinds() -> list[str]:
    return [*CORE_REMINDED, *(k.kind for k in registry.CLOCK_KINDS.values() if k.reminded)]


def _claim(deadline: Deadline, field: str) -> bool:
    """Mark the deadline as reminded/escalated unless someone already did; True if we did."""
    return (
        Deadline.objects.filter(pk=deadline.pk, **{f"{field}__isnull": True}).update(
            **{field: timezone.now()}
        )
        == 1
    )


def _whose(deadline: Deadline) -> User | Organisation | None:
    return deadline.holder or deadline.holder_organisation


def _context(deadline: Deadline, today: datetime.date, calendar: WorkingCalendar) -> dict:
    case = deadline.case
    kind = deadline.kind_label
    whose = _whose(deadline)
    return {
        "case": case,
        # Lazy, so each reader's message names the clock in the reader's language; a
        # holder's own clock says whose it is.
        "clock": format_lazy("{} · {}", kind, whose) if whose else kind,
        "holder": whose,
        "due": deadline.due_on.isoformat(),
        "left": calendar.working_days_between(today, deadline.due_on),
        "url": site_url(case.get_absolute_url()),
    }


def _reminded(deadline: Deadline) -> list[User]:
    """A person's own clock is reminded to them, an organisation's to its staff; the
    case's clocks to its officer."""
    if deadline.holder_id:
        return [deadline.holder]
    if deadline.holder_organisation_id:
        return staff_of(deadline.holder_organisation)
    return case_officers(deadline.case)


def _escalated_to(deadline: Deadline) -> list[User]:
    """A person's clock that ran out goes to the case's officer, who asked them; an
    organisation's (a department's action item) to its head and the case's supervisors;
    the case's clocks to the handling organisation's supervisors."""
    if deadline.holder_id:
        return case_officers(deadline.case)
    supervisors = supervisors_of(deadline.case.handling_organisation)
    if deadline.holder_organisation_id:
        heads = supervisors_of(deadline.holder_organisation)
        return list({user.pk: user for user in [*heads, *supervisors]}.values())
    return supervisors


# kind of alert → (field claimed once, e-mail template, who is told, timeline entry)
ALERTS = {
    "reminder": (
        "reminded_at",
        _reminded,
        gettext_noop("Reminder sent: %(clock)s due on %(due)s."),
    ),
    "escalation": (
        "escalated_at",
        _escalated_to,
        gettext_noop("Escalated to the supervisor: %(clock)s passed on %(due)s."),
    ),
}


@transaction.atomic
def _alert(kind: str, deadline: Deadline, today: datetime.date, calendar: WorkingCalendar) -> bool:
    """Send one reminder or escalation unless it was already sent; True if it was sent now."""
    field, recipients, summary = ALERTS[kind]
    if not _claim(deadline, field):
        return False
    case = deadline.case
    context = _context(deadline, today, calendar)
    for user in recipients(deadline):
        notify(user, kind, context)
    clock = deadline.kind_label
    if _whose(deadline):
        clock = line(
            gettext_noop("%(clock)s of %(holder)s"), clock=clock, holder=str(_whose(deadline))
        )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.DEADLINE,
        transition=kind,
        **said(line(summary, clock=clock, due=context["due"])),
    )
    stage_clock = registry.CLOCK_KINDS.get(deadline.kind)
    if kind == "escalation" and stage_clock and stage_clock.on_escalation:
        stage_clock.on_escalation(deadline)  # the stage's own record of it (overdue)
    return True


@transaction.atomic
def _take_unanswered_referral(deadline: Deadline, today: datetime.date) -> bool:
    """A referral left unanswered past its objection window is taken as accepted: the
    receiver's "referral_response" task is completed by the system as "taken", which ends
    the process as a taken referral does. Claimed once (``escalated_at``: the one thing
    done about this clock once it passed); True if it was done now."""
    if not _claim(deadline, "escalated_at"):
        return False
    waiting = [STATUS.NEW, STATUS.ASSIGNED]
    task = (
        Task.objects.filter(
            process__caseprocess__case=deadline.case_id,
            flow_task=DisputeFlow.referral_response,
            status__in=waiting,
        )
        .order_by("-pk")
        .first()
    )
    if task is None:  # the receiver answered meanwhile: nothing is left to take
        return False
    # The process lock first, then the case row (take_referral), as a person's answer does.
    with task.activation() as activation:
        if activation.task.status not in waiting:
            return False  # the receiver answered while we waited for the lock
        # See flows.CaseTaskActivation: started with no owner, by nobody's hand.
        activation.start_unattended()
        case_services.take_referral(case=deadline.case, actor=None, on=today)
        activation.execute()
    return True


def fire_clocks(*, today: datetime.date | None = None) -> dict[str, int]:
    """Send the reminders and escalations that are due today, and take the referrals that
    nobody objected to in time. The clocks of a suspended case wait, and fire nothing."""
    today = today or organisation_today()
    calendar = WorkingCalendar.load()
    running = Deadline.objects.filter(
        stopped_on__isnull=True, suspended_on__isnull=True
    ).select_related(
        "case__handling_organisation",
        "case__officer",
        "case__referred_to",
        "holder",
        "holder_organisation",
    )
    reminder_horizon = calendar.add_working_days(today, REMINDER_WORKING_DAYS)
    due_soon = running.filter(
        reminded_at__isnull=True,
        due_on__gte=today,
        due_on__lte=reminder_horizon,
        kind__in=reminded_kinds(),
    )
    overdue = running.filter(
        escalated_at__isnull=True, due_on__lt=today, kind__in=escalated_kinds()
    )
    unanswered = running.filter(
        escalated_at__isnull=True,
        due_on__lt=today,
        kind=Deadline.Kind.REFERRAL_OBJECTION,
        case__status=CaseStatus.REFERRED,
    )
    return {
        "reminders": sum(_alert("reminder", d, today, calendar) for d in due_soon),
        "escalations": sum(_alert("escalation", d, today, calendar) for d in overdue),
        "referrals_taken": sum(_take_unanswered_referral(d, today) for d in unanswered),
        # The stages' own sweeps (a session's reminder the day before it).
        **{name: sweep() for name, sweep in stages.sweeps().items()},
    }


def send_daily_digests(*, today: datetime.date | None = None) -> int:
    """Each officer with a running clock due soon or overdue gets one summary e-mail."""
    today = today or organisation_today()
    calendar = WorkingCalendar.load()
    horizon = calendar.add_working_days(today, REMINDER_WORKING_DAYS)
    sent = 0
    for user in User.objects.filter(is_active=True, cases__deadlines__isnull=False).distinct():
        deadlines = list(
            Deadline.objects.filter(
                case__officer=user,
                stopped_on__isnull=True,
                suspended_on__isnull=True,
                due_on__lte=horizon,
            )
            .select_related("case")
            .order_by("due_on")
        )
        if deadlines:
            with transaction.atomic():
                notify(
                    user,
                    "digest",
                    {
                        "clocks": clock_views(deadlines, today, calendar),
                        "url": site_url("/"),
                    },
                )
            sent += 1
    return sent
