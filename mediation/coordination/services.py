"""Writes of the coordination stage. Each takes the rows it changes under lock and checks
again what allows it; each leaves a timeline entry (the stage's results are its own
records, not timeline text).

The meeting's tasks belong to the case process: ``convene_meeting``, ``reply`` and
``finalise_minutes`` (with the minutes' last save), ``report_action`` (done) and
``check_actions`` run inside the completion of a task (``workflows.services.complete_task``,
which holds the process lock); the rest run on their own and take a task's lock where they
change who holds it or finish it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases import services as case_services
from cases.calendar import WorkingCalendar, organisation_date, organisation_today
from cases.capabilities import may_as
from cases.models import Case, CaseEvent, CaseParticipant, Organisation, Party, Role, User
from cases.selectors import invitable_departments, require
from cases.timeline import fields as said
from cases.timeline import line, listing
from cases.validators import latest_ahead
from documents.models import Document
from documents.services import add_evidence, issue_correction, issue_document
from workflows.taskservice import held_task

from . import kinds, mail, snapshots
from .models import (
    ActionItem,
    ActionReport,
    AgendaItem,
    Attendance,
    Guest,
    Invitation,
    Meeting,
    MinutesCorrection,
)

DEPARTMENT = CaseParticipant.Relation.DEPARTMENT
# The longest an action item may be given, and a meeting's longest duration.
MAX_ACTION_WORKING_DAYS = 60
MAX_DURATION_MINUTES = 8 * 60


@dataclass(frozen=True)
class MeetingDetails:
    title: str
    agenda: list[str]
    starts_at: datetime.datetime
    duration_minutes: int
    place: str = ""
    online_link: str = ""
    departments: list[Organisation] = field(default_factory=list)
    guests: list[User] = field(default_factory=list)
    guest_parties: list[Party] = field(default_factory=list)
    briefing: Document | None = None


@dataclass(frozen=True)
class ActionInput:
    organisation: Organisation
    description: str
    working_days: int
    follow_up_by: User


@dataclass(frozen=True)
class SignIn:
    kind: str  # Attendance.Kind
    name: str
    organisation_name: str = ""
    title: str = ""


def _record(case: Case, actor: User | None, kind: str, msgid: str, **params) -> None:
    CaseEvent.objects.create(
        case=case, actor=actor, kind=kind, transition=kind, **said(line(msgid, **params))
    )


# Convening ------------------------------------------------------------------------------


def _check_time(case: Case, starts_at: datetime.datetime, duration: int) -> None:
    if timezone.is_naive(starts_at):
        raise ValidationError(_("Give the meeting's time with its time zone."), code="naive")
    day = organisation_date(starts_at)
    if day < case.received_on:
        raise ValidationError(
            _("A meeting cannot be before the case was received (%(date)s).")
            % {"date": case.received_on.isoformat()},
            code="before_receipt",
        )
    if starts_at < timezone.now():
        raise ValidationError(_("A meeting is convened for a time still ahead."), code="past")
    if day > latest_ahead():
        raise ValidationError(
            _("A meeting cannot be after %(date)s.") % {"date": latest_ahead().isoformat()},
            code="too_far_ahead",
        )
    if not 15 <= duration <= MAX_DURATION_MINUTES:
        raise ValidationError(
            _("A meeting lasts from 15 minutes to %(hours)d hours.")
            % {"hours": MAX_DURATION_MINUTES // 60},
            code="duration",
        )


def _check_details(case: Case, details: MeetingDetails) -> None:
    if not details.title.strip():
        raise ValidationError(_("Give the meeting a title."), code="title")
    if not [item for item in details.agenda if item.strip()]:
        raise ValidationError(_("Give at least one agenda item."), code="agenda")
    if not (details.place.strip() or details.online_link.strip()):
        raise ValidationError(_("Give the place or the online link."), code="where")
    if not details.departments:
        raise ValidationError(_("Invite at least one department."), code="departments")
    invitable = set(invitable_departments(case).values_list("pk", flat=True))
    if {d.pk for d in details.departments} - invitable:
        raise ValidationError(_("Only departments can be invited."), code="departments")
    advisers = set(
        CaseParticipant.objects.filter(case=case, relation=CaseParticipant.Relation.ADVISER)
        .exclude(user=None)
        .values_list("user_id", flat=True)
    )
    if {u.pk for u in details.guests} - advisers:
        raise ValidationError(
            _("Named guests are the case's legal advisers; departments are invited."),
            code="guests",
        )
    if any(p.case_id != case.pk for p in details.guest_parties):
        raise ValidationError(_("A guest party must be a party of this case."), code="guests")
    if details.briefing is not None and (
        details.briefing.case_id != case.pk or details.briefing.status != Document.Status.FINAL
    ):
        raise ValidationError(_("The briefing paper must be a document of this case."))
    _check_time(case, details.starts_at, details.duration_minutes)


def _reply_due(starts_at: datetime.datetime, calendar: WorkingCalendar) -> datetime.date:
    """Replies are due by the last working day before the meeting (today at the earliest:
    a meeting convened for tomorrow leaves one day)."""
    day = organisation_date(starts_at) - datetime.timedelta(days=1)
    while day > organisation_today() and not calendar.is_working_day(day):
        day -= datetime.timedelta(days=1)
    return max(day, organisation_today())


@transaction.atomic
def convene_meeting(*, case: Case, actor: User, details: MeetingDetails) -> Meeting:
    """The officer convenes a meeting: its agenda, the departments invited (each may then
    read the case, and gets a reply task and clock), its guests and briefing paper. The
    invitations go out by e-mail with an iCalendar file once the step commits."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    require(actor, "coordination.convene", locked)
    _check_details(locked, details)
    meeting = Meeting.objects.create(
        case=locked,
        title=details.title.strip(),
        starts_at=details.starts_at,
        duration_minutes=details.duration_minutes,
        place=details.place.strip(),
        online_link=details.online_link.strip(),
        briefing=details.briefing,
        convened_by=actor,
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=n, title=title.strip())
        for n, title in enumerate((t for t in details.agenda if t.strip()), start=1)
    )
    Guest.objects.bulk_create(
        [Guest(meeting=meeting, user=user) for user in details.guests]
        + [Guest(meeting=meeting, party=party) for party in details.guest_parties]
    )
    due = _reply_due(details.starts_at, WorkingCalendar.load())
    for department in details.departments:
        Invitation.objects.create(meeting=meeting, organisation=department)
        case_services.invite_participant(
            case=locked, actor=actor, relation=DEPARTMENT, organisation=department
        )
        case_services.start_holder_clock(
            case=locked,
            kind=kinds.REPLY_CLOCK,
            holder=department,
            due_on=due,
            today=organisation_today(),
            item=meeting.pk,
        )
    _record(
        locked,
        actor,
        kinds.MEETING,
        gettext_noop("Meeting convened: %(title)s on %(when)s; invited: %(departments)s"),
        title=meeting.title,
        when=organisation_time(meeting.starts_at),
        departments=listing(str(d) for d in details.departments),
    )
    mail.send_invitations(meeting)
    return meeting


def organisation_time(moment: datetime.datetime) -> str:
    """A meeting's time as the organisation's timeline and e-mails give it (Beijing time)."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    # Non-breaking hyphens and space: a date in a sentence never breaks over two lines.
    return f"{local:%Y\u2011%m\u2011%d}\u00a0{local:%H:%M}"


def attach_task(*, model: str, pk: int, task_id: int) -> None:
    """Remember which task is a department's reply (``model`` "invitation") or action item
    ("action"), as the process creates it."""
    found = Invitation if model == "invitation" else ActionItem
    found.objects.filter(pk=pk).update(task_id=task_id)


@transaction.atomic
def move_meeting(
    *,
    meeting_pk: int,
    actor: User,
    starts_at: datetime.datetime,
    duration_minutes: int,
    place: str,
    online_link: str,
) -> Meeting:
    """A new time or place: the invitations are updated (same UID, next SEQUENCE)."""
    meeting = Meeting.objects.select_for_update().select_related("case").get(pk=meeting_pk)
    require(actor, "coordination.convene", meeting.case)
    if meeting.status != Meeting.Status.CONVENED:
        raise ValidationError(_("Only a meeting not yet held can move."), code="not_convened")
    if not (place.strip() or online_link.strip()):
        raise ValidationError(_("Give the place or the online link."), code="where")
    _check_time(meeting.case, starts_at, duration_minutes)
    before = organisation_time(meeting.starts_at)
    meeting.starts_at, meeting.duration_minutes = starts_at, duration_minutes
    meeting.place, meeting.online_link = place.strip(), online_link.strip()
    meeting.sequence += 1
    meeting.save()
    _record(
        meeting.case,
        actor,
        kinds.MEETING,
        gettext_noop("Meeting moved: %(title)s from %(before)s to %(after)s"),
        title=meeting.title,
        before=before,
        after=organisation_time(starts_at),
    )
    mail.send_invitations(meeting, update=True)
    return meeting


# Replies --------------------------------------------------------------------------------


def _invitation(invitation_pk: int) -> Invitation:
    return (
        Invitation.objects.select_for_update()
        .select_related("meeting__case", "organisation")
        .get(pk=invitation_pk)
    )


def _require_department(actor: User, action: str, case: Case, organisation: Organisation):
    """The department's own work: a liaison of that department (not of another invited
    one) may do it."""
    if not may_as(actor, action, case, organisation.pk):
        raise PermissionDenied(_("This is another department's to answer."))


@transaction.atomic
def reply(
    *,
    invitation_pk: int,
    actor: User,
    answer: str,
    attendees: str = "",
    reason: str = "",
    position: str = "",
) -> Invitation:
    """A department confirms who will attend, or declines with a reason; it may send a
    written position either way. Its reply clock stops."""
    invitation = _invitation(invitation_pk)
    case = invitation.meeting.case
    _require_department(actor, "coordination.reply", case, invitation.organisation)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("This invitation has been answered."), code="answered")
    if answer == "confirm":
        if not attendees.strip():
            raise ValidationError(_("Say who will attend."), code="attendees")
        invitation.confirm(attendees.strip())
        said_msgid = gettext_noop("%(department)s will attend %(title)s: %(who)s")
        words = {"who": invitation.attendees}
    elif answer == "decline":
        if not reason.strip():
            raise ValidationError(_("Give the reason for declining."), code="reason")
        invitation.decline(reason.strip())
        said_msgid = gettext_noop("%(department)s declined %(title)s: %(who)s")
        words = {"who": invitation.reason}
    else:
        raise ValidationError(_("Confirm or decline."), code="answer")
    invitation.position = position.strip()
    invitation.answered_by, invitation.answered_at = actor, timezone.now()
    invitation.save()
    case_services.stop_holder_clock(
        case=case,
        kind=kinds.REPLY_CLOCK,
        holder=invitation.organisation,
        on=organisation_today(),
        item=invitation.meeting_id,
    )
    _record(
        case,
        actor,
        kinds.REPLIES,
        said_msgid,
        department=str(invitation.organisation),
        title=invitation.meeting.title,
        **words,
    )
    mail.tell_officers(case, "coordination_reply", {"invitation": invitation})
    return invitation


@transaction.atomic
def delegate_reply(*, invitation_pk: int, actor: User, to: User) -> Invitation:
    """A liaison hands the department's reply to a colleague of the same department."""
    invitation = _invitation(invitation_pk)
    case = invitation.meeting.case
    _require_department(actor, "coordination.reply", case, invitation.organisation)
    if invitation.status != Invitation.Status.PENDING or invitation.task_id is None:
        raise ValidationError(_("This invitation has been answered."), code="answered")
    colleague = to.memberships.filter(
        organisation=invitation.organisation, role=Role.DEPARTMENT_LIAISON
    ).exists()
    if not colleague or to.pk == actor.pk or not to.is_active:
        raise ValidationError(
            _("Hand it to another liaison of %(department)s.")
            % {"department": invitation.organisation},
            code="colleague",
        )
    with held_task(invitation.task_id) as task:
        if task.activation.task.owner_id:
            task.vacate()
        task.give_to(to)
    invitation.delegated_to = to
    invitation.save(update_fields=["delegated_to"])
    _record(
        case,
        actor,
        kinds.REPLIES,
        gettext_noop("%(department)s handed the reply to %(colleague)s"),
        department=str(invitation.organisation),
        colleague=str(to),
    )
    return invitation


@transaction.atomic
def send_position(*, invitation_pk: int, actor: User, text: str) -> Invitation:
    """A department's written position before the meeting (书面意见), whatever its reply."""
    invitation = _invitation(invitation_pk)
    case = invitation.meeting.case
    _require_department(actor, "coordination.reply", case, invitation.organisation)
    if not invitation.meeting.is_open or not text.strip():
        raise ValidationError(_("Write the position for a meeting not yet minuted."))
    invitation.position = text.strip()
    invitation.save(update_fields=["position"])
    _record(
        case,
        actor,
        kinds.REPLIES,
        gettext_noop("%(department)s sent its written position for %(title)s"),
        department=str(invitation.organisation),
        title=invitation.meeting.title,
    )
    return invitation


# The minutes ----------------------------------------------------------------------------


def _meeting(meeting_pk: int) -> Meeting:
    return Meeting.objects.select_for_update().select_related("case").get(pk=meeting_pk)


@transaction.atomic
def save_minutes(
    *,
    meeting_pk: int,
    actor: User,
    sign_in: list[SignIn],
    items: dict[int, tuple[str, str]],
    actions: list[ActionInput],
) -> Meeting:
    """The officer records who came, each agenda item's discussion and decisions, and the
    action items; saved as often as they like until the minutes are finalised."""
    meeting = _meeting(meeting_pk)
    require(actor, "coordination.record_minutes", meeting.case)
    if not meeting.is_open:
        raise ValidationError(_("The minutes of this meeting are final."), code="final")
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("The minutes are written once the meeting began."), code="early")
    invited = set(meeting.invitations.values_list("organisation_id", flat=True))
    for action in actions:
        if action.organisation.pk not in invited:
            raise ValidationError(
                _("%(department)s was not invited to this meeting.")
                % {"department": action.organisation},
                code="not_invited",
            )
        if not 1 <= action.working_days <= MAX_ACTION_WORKING_DAYS:
            raise ValidationError(
                _("An action item takes 1 to %(days)d working days.")
                % {"days": MAX_ACTION_WORKING_DAYS},
                code="working_days",
            )
        if not action.description.strip():
            raise ValidationError(_("Say what is to be done."), code="description")
    meeting.attendance.all().delete()
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            kind=s.kind,
            name=s.name.strip(),
            organisation_name=s.organisation_name.strip(),
            title=s.title.strip(),
        )
        for s in sign_in
        if s.name.strip()
    )
    for item in meeting.agenda.all():
        discussion, decisions = items.get(item.pk, ("", ""))
        item.discussion, item.decisions = discussion.strip(), decisions.strip()
        item.save(update_fields=["discussion", "decisions"])
    # Until the minutes are final the action items are a draft: written again each save.
    meeting.actions.filter(clock=None).delete()
    ActionItem.objects.bulk_create(
        ActionItem(
            meeting=meeting,
            organisation=a.organisation,
            description=a.description.strip(),
            working_days=a.working_days,
            follow_up_by=a.follow_up_by,
        )
        for a in actions
    )
    return meeting


@transaction.atomic
def send_draft(*, meeting_pk: int, actor: User) -> Meeting:
    """The draft minutes go to the invited departments, who may note corrections."""
    meeting = _meeting(meeting_pk)
    require(actor, "coordination.record_minutes", meeting.case)
    _require_minutes(meeting)
    meeting.send_draft()
    meeting.save()
    _record(
        meeting.case,
        actor,
        kinds.MINUTES,
        gettext_noop("Draft minutes of %(title)s sent to the departments for corrections"),
        title=meeting.title,
    )
    mail.send_draft(meeting)
    return meeting


def _require_minutes(meeting: Meeting) -> None:
    if not meeting.attendance.exists():
        raise ValidationError(_("Record who attended first."), code="no_sign_in")
    if meeting.agenda.filter(decisions="").exists():
        raise ValidationError(
            _("Record the decisions of every agenda item first."), code="no_decisions"
        )


@transaction.atomic
def note_correction(*, meeting_pk: int, actor: User, organisation: Organisation, text: str):
    """An invited department notes a correction to the draft (or to the final minutes,
    which the officer then issues again)."""
    meeting = _meeting(meeting_pk)
    if not meeting.invitations.filter(organisation=organisation).exists():
        raise PermissionDenied(_("Only an invited department corrects the minutes."))
    _require_department(actor, "coordination.correct_minutes", meeting.case, organisation)
    if meeting.status not in (Meeting.Status.DRAFTED, Meeting.Status.FINALISED):
        raise ValidationError(_("There are no minutes to correct yet."), code="no_draft")
    if not text.strip():
        raise ValidationError(_("Write the correction."), code="text")
    correction = MinutesCorrection.objects.create(
        meeting=meeting, organisation=organisation, author=actor, text=text.strip()
    )
    _record(
        meeting.case,
        actor,
        kinds.MINUTES,
        gettext_noop("%(department)s noted a correction to the minutes of %(title)s"),
        department=str(organisation),
        title=meeting.title,
    )
    mail.tell_officers(meeting.case, "coordination_correction", {"correction": correction})
    return correction


@transaction.atomic
def finalise_minutes(*, meeting_pk: int, actor: User, another_meeting: bool = False) -> Meeting:
    """The minutes are final: the 会议纪要 is issued, the departments' action items start
    their clocks (and their tasks follow in the process). Corrections noted so far are
    taken as handled."""
    meeting = _meeting(meeting_pk)
    require(actor, "coordination.record_minutes", meeting.case)
    _require_minutes(meeting)
    meeting.finalise()
    meeting.another_meeting = another_meeting
    meeting.save()
    meeting.corrections.filter(handled_at=None).update(handled_at=timezone.now())
    today = organisation_today()
    calendar = WorkingCalendar.load()
    for item in meeting.actions.select_related("organisation"):
        item.clock = case_services.start_holder_clock(
            case=meeting.case,
            kind=kinds.ACTION_CLOCK,
            holder=item.organisation,
            due_on=calendar.add_working_days(today, item.working_days),
            today=today,
            item=item.pk,
        )
        item.save(update_fields=["clock"])
    # After the clocks: the 纪要 prints each item's due date, which its clock holds.
    meeting.minutes = issue_document(case=meeting.case, kind=kinds.MEETING_MINUTES)
    meeting.save(update_fields=["minutes"])
    _record(
        meeting.case,
        actor,
        kinds.MINUTES,
        gettext_noop("Minutes of %(title)s finalised: %(number)s; %(count)s action items"),
        title=meeting.title,
        number=meeting.minutes.number,
        count=str(meeting.actions.count()),
    )
    return meeting


@transaction.atomic
def reissue_minutes(*, meeting_pk: int, actor: User) -> Meeting:
    """A correction after finalising: the 纪要 is issued again as a new version, with the
    meeting's data as it is now and the corrections it answers as its reason."""
    meeting = _meeting(meeting_pk)
    require(actor, "coordination.record_minutes", meeting.case)
    if meeting.status != Meeting.Status.FINALISED:
        raise ValidationError(_("Only final minutes are issued again."), code="not_final")
    answered = list(meeting.corrections.filter(handled_at=None))
    if not answered:
        raise ValidationError(_("No correction is waiting."), code="no_correction")
    meeting.minutes = issue_correction(
        document=meeting.minutes,
        actor=actor,
        changes={"meeting": snapshots.meeting_snapshot(meeting)},
        reason="；".join(f"{c.organisation}：{c.text}" for c in answered),
    )
    meeting.save(update_fields=["minutes"])
    meeting.corrections.filter(handled_at=None).update(handled_at=timezone.now())
    _record(
        meeting.case,
        actor,
        kinds.MINUTES,
        gettext_noop("Minutes of %(title)s issued again as version %(version)s"),
        title=meeting.title,
        version=str(meeting.minutes.version),
    )
    return meeting


# Action items ---------------------------------------------------------------------------


def _item(item_pk: int) -> ActionItem:
    # Only the item's row is locked: PostgreSQL locks no row on the nullable side of the
    # outer join to its clock.
    return (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related("meeting__case", "organisation", "clock")
        .get(pk=item_pk)
    )


@transaction.atomic
def report_action(
    *, item_pk: int, actor: User, text: str, done: bool = False, upload=None
) -> ActionReport:
    """The department reports progress on its item, or that it is done, attaching what
    shows it (kept with the case's evidence)."""
    item = _item(item_pk)
    case = item.meeting.case
    _require_department(actor, "coordination.act", case, item.organisation)
    if not item.is_open:
        raise ValidationError(_("This action item is not open."), code="not_open")
    if not text.strip():
        raise ValidationError(_("Write what was done."), code="text")
    attachment = None
    if upload is not None:
        attachment = add_evidence(
            case=case,
            actor=actor,
            item="06",
            title=f"{item.organisation}：{item.description[:40]}",
            upload=upload,
            action="coordination.act",
        )
    report = ActionReport.objects.create(
        item=item, author=actor, text=text.strip(), done=done, attachment=attachment
    )
    if done:
        item.complete()
    elif item.status != ActionItem.Status.IN_PROGRESS:
        item.start()
    item.save()
    _record(
        case,
        actor,
        kinds.ACTION,
        gettext_noop("%(department)s: %(state)s: %(text)s")
        if not done
        else gettext_noop("%(department)s reports done: %(text)s"),
        department=str(item.organisation),
        state=str(ActionItem.Status(item.status).label),
        text=report.text,
    )
    return report


@transaction.atomic
def accept_actions(
    *,
    case: Case,
    actor: User,
    accepted: list[int],
    rejected: dict[int, str],
    another_meeting: bool = False,
) -> None:
    """The officer checks the items reported done: accepted ones are settled, rejected ones
    are open again and go back to their departments (their clocks keep running). Once all
    are settled, the officer goes on, or convenes another meeting."""
    require(actor, "coordination.record_minutes", case)
    Meeting.objects.filter(pk=_latest_finalised(case).pk).update(another_meeting=another_meeting)
    today = organisation_today()
    for pk in accepted:
        item = _item(pk)
        if item.meeting.case_id != case.pk or item.status != ActionItem.Status.DONE:
            raise ValidationError(_("Only an item reported done is accepted."), code="not_done")
        item.accepted_at = timezone.now()
        item.save(update_fields=["accepted_at"])
        case_services.stop_holder_clock(
            case=case,
            kind=kinds.ACTION_CLOCK,
            holder=item.organisation,
            on=today,
            item=item.pk,
        )
    for pk, reason in rejected.items():
        item = _item(pk)
        if item.meeting.case_id != case.pk or item.status != ActionItem.Status.DONE:
            raise ValidationError(_("Only an item reported done is rejected."), code="not_done")
        if not reason.strip():
            raise ValidationError(_("Give the reason for rejecting it."), code="reason")
        item.reopen(reason.strip())
        item.save()
        _record(
            case,
            actor,
            kinds.ACTION,
            gettext_noop("Action item of %(department)s reopened: %(reason)s"),
            department=str(item.organisation),
            reason=item.reason,
        )


def _latest_finalised(case: Case) -> Meeting:
    return Meeting.objects.filter(case=case, status=Meeting.Status.FINALISED).latest("pk")


def mark_overdue(deadline) -> None:
    """An action item whose clock was escalated is overdue (the clocks' sweep calls this,
    in its transaction, as the stage's ``on_escalation``)."""
    item = ActionItem.objects.select_for_update().filter(clock_id=deadline.pk).first()
    if item is not None and item.status in (ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS):
        item.fall_overdue()
        item.save()


@transaction.atomic
def override(*, case: Case, actor: User, reason: str) -> int:
    """The supervisor lets the case go on without the replies and action items still
    open: each is marked so, with the reason on the timeline, and its task finishes."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    require(actor, "coordination.override", locked)
    if not reason.strip():
        raise ValidationError(_("Give the reason for going on without them."), code="reason")
    today = organisation_today()
    overridden = []
    for invitation in Invitation.objects.select_for_update().filter(
        meeting__case=locked, status=Invitation.Status.PENDING
    ):
        invitation.go_on_without(reason.strip())
        invitation.save()
        case_services.stop_holder_clock(
            case=locked,
            kind=kinds.REPLY_CLOCK,
            holder=invitation.organisation,
            on=today,
            item=invitation.meeting_id,
        )
        overridden.append((invitation.task_id, str(invitation.organisation)))
    for item in ActionItem.objects.select_for_update().filter(meeting__case=locked):
        if not item.is_open:
            continue
        item.override(reason.strip())
        item.save()
        case_services.stop_holder_clock(
            case=locked, kind=kinds.ACTION_CLOCK, holder=item.organisation, on=today, item=item.pk
        )
        overridden.append((item.task_id, str(item.organisation)))
    if not overridden:
        raise ValidationError(_("Nothing is open to go on without."), code="nothing_open")
    for task_id, _department in overridden:
        if task_id is not None:
            with held_task(task_id) as task:
                task.finish()
    _record(
        locked,
        actor,
        kinds.ACTION,
        gettext_noop("The supervisor went on without %(departments)s: %(reason)s"),
        departments=listing(sorted({d for _t, d in overridden})),
        reason=reason.strip(),
    )
    return len(overridden)


def cancel_open_work(*, case: Case, actor: User | None) -> None:
    """The case was withdrawn: its meetings not yet held are cancelled (the departments
    are told), their clocks stopped with the case's."""
    for meeting in Meeting.objects.select_for_update().filter(
        case=case, status=Meeting.Status.CONVENED
    ):
        meeting.cancel(_("The case was withdrawn."))
        meeting.save()
        mail.send_cancellations(meeting)
