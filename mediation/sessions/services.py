"""Writes of the mediation stage: assigning the mediator and their declaration, scheduling,
moving and cancelling sessions, the month's extension and the outcome. Each locks the
case (or the record) and checks again what it needs before it changes anything; each
change leaves a timeline entry. The 调解笔录 are ``records.py``'s."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases import services as case_services
from cases.calendar import organisation_date, organisation_today
from cases.models import Case, CaseEvent, CaseParticipant, Deadline, Party, User
from cases.selectors import require
from cases.timeline import fields as said
from cases.timeline import line, listing
from cases.validators import latest_ahead

from . import kinds, mail, selectors
from .models import (
    Assignment,
    Attendee,
    ClockExtension,
    MediationResult,
    MediationSession,
    Mediator,
)

MEDIATOR = CaseParticipant.Relation.MEDIATOR


def _record(case: Case, actor: User | None, kind: str, msgid: str, **params) -> None:
    CaseEvent.objects.create(
        case=case, actor=actor, kind=kind, transition=kind, **said(line(msgid, **params))
    )


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


# The mediator -------------------------------------------------------------------------


@transaction.atomic
def assign_mediator(*, case: Case, actor: User, mediator_pk: int) -> Assignment:
    """The officer assigns a mediator from the roster. They declare any conflict before
    they may read the case (their first task)."""
    locked = _lock(case)
    require(actor, "sessions.assign", locked)
    if selectors.current_assignment(locked) is not None:
        raise ValidationError(_("A mediator is already assigned to this case."), code="assigned")
    mediator = selectors.roster(locked).filter(pk=mediator_pk).first()
    if mediator is None:
        raise ValidationError(
            _("Choose a mediator on the roster who may mediate this case."), code="mediator"
        )
    assignment = Assignment.objects.create(case=locked, mediator=mediator, assigned_by=actor)
    _record(
        locked,
        actor,
        kinds.MEDIATOR,
        gettext_noop("%(mediator)s assigned to mediate; to declare any conflict first."),
        mediator=mediator,
    )
    return assignment


@transaction.atomic
def declare(*, case: Case, actor: User, has_conflict: bool, conflict: str = "") -> Assignment:
    """The assigned mediator declares: no conflict (they are named on the case and may read
    it), or a conflict (they recuse themselves, and the officer assigns another)."""
    locked = _lock(case)
    found = selectors.current_assignment(locked)
    if found is None or found.mediator.user_id != actor.pk:
        raise PermissionDenied(_("You are not the mediator assigned to this case."))
    assignment = Assignment.objects.select_for_update().get(pk=found.pk)
    if assignment.status != Assignment.Status.ASSIGNED:
        raise ValidationError(_("You have already declared."), code="declared")
    if has_conflict:
        conflict = (conflict or "").strip()
        if not conflict:
            raise ValidationError(
                _("Say what relation you have with a party or the matter."), code="conflict"
            )
        assignment.recuse(conflict)
        assignment.save()
        _record(
            locked,
            actor,
            kinds.MEDIATOR,
            gettext_noop("%(mediator)s declared a conflict of interest and recused themselves."),
            mediator=assignment.mediator,
        )
        return assignment
    assignment.declare_no_conflict()
    assignment.save()
    case_services.name_participant(case=locked, user=actor, relation=MEDIATOR, added_by=actor)
    _record(
        locked,
        actor,
        kinds.MEDIATOR,
        gettext_noop("%(mediator)s declared no conflict and mediates the case."),
        mediator=assignment.mediator,
    )
    return assignment


def attach_task(*, case: Case, task_id: int) -> None:
    """Remember the assigned mediator's declaration task (``nodes.DeclarationTask``)."""
    Assignment.objects.filter(case=case, status=Assignment.Status.ASSIGNED).update(task_id=task_id)


def _require_mediator_or(actor: User, action: str, case: Case) -> Mediator:
    require(actor, action, case)
    mediator = selectors.serving_mediator(case)
    if mediator is None:
        raise ValidationError(
            _("Assign a mediator first; they declare any conflict before a session."),
            code="no_mediator",
        )
    return mediator


# Sessions -----------------------------------------------------------------------------


@dataclass
class Guest:
    """Someone attending who is not a party of the case (an interpreter, an adviser)."""

    name: str
    role: str
    email: str = ""
    time_zone: str = "Asia/Shanghai"
    language: str = "zh-hans"


@dataclass
class SessionDetails:
    mode: str
    starts_at: datetime.datetime
    duration_minutes: int = 90
    place: str = ""
    video_link: str = ""
    set_in_zone: str = "Asia/Shanghai"
    parties: list[Party] = field(default_factory=list)
    guests: list[Guest] = field(default_factory=list)


def _check_time(case: Case, starts_at: datetime.datetime, duration: int) -> None:
    if timezone.is_naive(starts_at):
        raise ValidationError(_("Give the session's time with its time zone."), code="naive")
    if starts_at < timezone.now():
        raise ValidationError(_("A session cannot be scheduled in the past."), code="past")
    if organisation_date(starts_at) > latest_ahead():
        raise ValidationError(
            _("A session cannot be scheduled more than two years ahead."), code="far"
        )
    if not 15 <= duration <= 480:
        raise ValidationError(_("A session lasts 15 minutes to 8 hours."), code="duration")


def _check_where(case: Case, details: SessionDetails) -> None:
    if details.mode == MediationSession.Mode.ONLINE:
        missing = selectors.online_refused_because(case)
        if missing:
            raise ValidationError(
                _(
                    "Online mediation needs every party's consent; missing: %(parties)s. "
                    "Record their consent, or hold the session in person."
                )
                % {"parties": "、".join(str(p.subject) for p in missing)},
                code="consent",
            )
        if not details.video_link.strip():
            raise ValidationError(_("Give the video link of an online session."), code="link")
    elif details.mode == MediationSession.Mode.IN_PERSON:
        if not details.place.strip():
            raise ValidationError(_("Give the place of a session in person."), code="place")
    else:
        raise ValidationError(_("Choose online or in person."), code="mode")


def _check_attendees(case: Case, details: SessionDetails) -> None:
    allowed = {party.pk for party in selectors.invitable_parties(case)}
    if not details.parties:
        raise ValidationError(_("Invite at least one party."), code="parties")
    if any(party.pk not in allowed for party in details.parties):
        raise ValidationError(_("Invite only people who are parties of this case."), code="who")
    if any(guest.role not in Attendee.Role.values for guest in details.guests):
        raise ValidationError(_("Say in what role each other person attends."), code="role")


def _attendee_role(party: Party) -> str:
    return {
        Party.Role.REPRESENTATIVE: Attendee.Role.REPRESENTATIVE,
        Party.Role.RELATIVE: Attendee.Role.RELATIVE,
    }.get(party.role, Attendee.Role.PARTY)


@transaction.atomic
def schedule_session(*, case: Case, actor: User, details: SessionDetails) -> MediationSession:
    """The mediator (or the officer) schedules the next round. Online only once every party
    has consented to online mediation. The invitations go out after the step commits,
    each in the attendee's own zone and language."""
    locked = _lock(case)
    _require_mediator_or(actor, "sessions.schedule", locked)
    _check_time(locked, details.starts_at, details.duration_minutes)
    _check_where(locked, details)
    _check_attendees(locked, details)
    if selectors.next_session(locked) is not None:
        raise ValidationError(
            _("A session is already planned: hold it, move it or cancel it first."),
            code="planned",
        )
    last = MediationSession.objects.filter(case=locked).order_by("-round").first()
    session = MediationSession.objects.create(
        case=locked,
        round=(last.round + 1) if last else 1,
        mode=details.mode,
        starts_at=details.starts_at,
        duration_minutes=details.duration_minutes,
        place=details.place.strip(),
        video_link=details.video_link.strip(),
        set_in_zone=details.set_in_zone,
        scheduled_by=actor,
    )
    Attendee.objects.bulk_create(
        [Attendee(session=session, party=p, role=_attendee_role(p)) for p in details.parties]
        + [
            Attendee(
                session=session,
                role=g.role,
                name=g.name.strip(),
                email=g.email.strip(),
                time_zone=g.time_zone,
                language=g.language,
            )
            for g in details.guests
        ]
    )
    _record(
        locked,
        actor,
        kinds.SESSION,
        gettext_noop(
            "Mediation round %(round)d scheduled (%(mode)s) for %(when)s; invited: %(who)s"
        ),
        round=session.round,
        mode=MediationSession.Mode(session.mode).label,
        when=organisation_time(session.starts_at),
        who=listing(a.display_name for a in session.attendees.all()),
    )
    mail.send_invitations(session)
    return session


def organisation_time(moment: datetime.datetime) -> str:
    """A session's time as the timeline gives it (Beijing time)."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return f"{local:%Y\u2011%m\u2011%d}\u00a0{local:%H:%M}"


def _planned(session_pk: int, case: Case) -> MediationSession:
    session = MediationSession.objects.select_for_update().get(pk=session_pk, case=case)
    if session.status != MediationSession.Status.PLANNED:
        raise ValidationError(_("This session is no longer planned."), code="not_planned")
    return session


@transaction.atomic
def move_session(
    *,
    case: Case,
    session_pk: int,
    actor: User,
    starts_at: datetime.datetime,
    duration_minutes: int,
    place: str = "",
    video_link: str = "",
) -> MediationSession:
    """A new time (or place, or link) for a planned session: an update goes to every
    attendee, replacing the invitation in their calendar."""
    locked = _lock(case)
    _require_mediator_or(actor, "sessions.schedule", locked)
    session = _planned(session_pk, locked)
    _check_time(locked, starts_at, duration_minutes)
    details = SessionDetails(
        mode=session.mode,
        starts_at=starts_at,
        place=place or session.place,
        video_link=video_link or session.video_link,
    )
    _check_where(locked, details)
    session.starts_at, session.duration_minutes = starts_at, duration_minutes
    session.place, session.video_link = details.place.strip(), details.video_link.strip()
    session.sequence += 1
    session.save()
    _record(
        locked,
        actor,
        kinds.SESSION,
        gettext_noop("Mediation round %(round)d moved to %(when)s."),
        round=session.round,
        when=organisation_time(session.starts_at),
    )
    mail.send_invitations(session, update=True)
    return session


@transaction.atomic
def cancel_session(*, case: Case, session_pk: int, actor: User, reason: str) -> MediationSession:
    locked = _lock(case)
    _require_mediator_or(actor, "sessions.schedule", locked)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for cancelling."), code="reason")
    session = _planned(session_pk, locked)
    session.cancel(reason)
    session.save()
    _record(
        locked,
        actor,
        kinds.SESSION,
        gettext_noop("Mediation round %(round)d cancelled: %(reason)s"),
        round=session.round,
        reason=reason,
    )
    mail.send_cancellation(session)
    return session


def start_month(session: MediationSession) -> None:
    """The mediation month starts with the first session held (``records.issue_record``
    calls this as the session is marked held); later rounds leave it running."""
    case_services.start_case_clock(
        case=session.case,
        kind=Deadline.Kind.MEDIATION,
        starts_on=organisation_date(session.starts_at),
    )


@transaction.atomic
def extend_month(
    *, case: Case, actor: User, days: int, agreed_by: str, reason: str
) -> ClockExtension:
    """Both parties agree to go on beyond the month: the clock runs ``days`` longer and the
    agreement is recorded (who agreed for each side)."""
    locked = _lock(case)
    require(actor, "sessions.extend", locked)
    agreed_by = (agreed_by or "").strip()
    if not agreed_by:
        raise ValidationError(
            _("Say who agreed, for each party, to go on beyond the month."), code="agreed_by"
        )
    case_services.extend_case_clock(
        case=locked,
        actor=actor,
        kind=Deadline.Kind.MEDIATION,
        days=days,
        reason=reason,
        action="sessions.extend",
    )
    return ClockExtension.objects.create(
        case=locked, days=days, agreed_by=agreed_by, reason=reason.strip(), recorded_by=actor
    )


# The outcome --------------------------------------------------------------------------

# The case's step each outcome takes (a written agreement stays in mediation until the
# agreement takes effect).
OUTCOME_STEPS = {
    MediationResult.Kind.ORAL: "settle",
    MediationResult.Kind.FAILED: "mark_unresolved",
}
ROUTES_FORWARD = {
    MediationResult.RouteForward.LITIGATION: "引导诉讼",
    MediationResult.RouteForward.ARBITRATION: "申请仲裁",
    MediationResult.RouteForward.ADMINISTRATIVE: "行政途径",
}


def check_outcome(case: Case, kind: str, reason: str, terms: str, route_forward: str) -> None:
    """What an outcome needs, checked before the case moves (the task's ``enters``)."""
    if kind not in MediationResult.Kind.values:
        raise ValidationError(_("Choose how mediation ended."), code="kind")
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for this outcome."), code="reason")
    if kind == MediationResult.Kind.ORAL and not (terms or "").strip():
        raise ValidationError(_("Record the terms the parties agreed orally."), code="terms")
    if kind == MediationResult.Kind.FAILED and route_forward not in ROUTES_FORWARD:
        raise ValidationError(_("Record the route forward for the parties."), code="route")
    if selectors.next_session(case) is not None:
        raise ValidationError(
            _("A session is still planned: cancel it before recording the outcome."),
            code="planned",
        )


@transaction.atomic
def record_outcome(
    *, case: Case, actor: User, kind: str, reason: str, terms: str = "", route_forward: str = ""
) -> MediationResult:
    """The mediator records how mediation ended, with their reason."""
    locked = _lock(case)
    mediator = selectors.serving_mediator(locked)
    if mediator is None or mediator.user_id != actor.pk:
        raise PermissionDenied(_("Only the case's mediator records the outcome."))
    check_outcome(locked, kind, reason, terms, route_forward)
    result = MediationResult.objects.create(
        case=locked,
        kind=kind,
        reason=reason.strip(),
        terms=(terms or "").strip() if kind == MediationResult.Kind.ORAL else "",
        route_forward=route_forward if kind == MediationResult.Kind.FAILED else "",
        recorded_by=actor,
    )
    _record(
        locked,
        actor,
        kinds.OUTCOME,
        gettext_noop("Mediation ended: %(outcome)s. %(reason)s"),
        outcome=MediationResult.Kind(kind).label,
        reason=result.reason,
    )
    return result


def outcome_step(case: Case, data: dict) -> tuple[str, dict] | None:
    """The case's step for the outcome the mediator is recording, with its reason."""
    kind = data.get("kind", "")
    check_outcome(
        case, kind, data.get("reason", ""), data.get("terms", ""), data.get("route_forward", "")
    )
    name = OUTCOME_STEPS.get(kind)
    if name is None:
        return None
    reason = (data.get("reason") or "").strip()
    if kind == MediationResult.Kind.FAILED:
        return name, {"reason": f"{ROUTES_FORWARD[data['route_forward']]}。{reason}"}
    return name, {"reason": reason, "on": organisation_today()}
