"""Writes of the case core. Each service locks the rows it changes, re-checks its guard
inside the lock and leaves a timeline row (CaseEvent) for every change.

These are the floor. A case is changed from outside only through ``workflows.services``:
intake, report-up, send-down, task completion and the lifecycle actions, which call these
and also move the process and issue the step's documents."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import can_proceed

from . import capabilities, deadlines, registry
from .calendar import WorkingCalendar, organisation_today
from .capabilities import may_register_for
from .models import (
    Association,
    CalendarOverride,
    Case,
    CaseAccess,
    CaseEvent,
    CaseParticipant,
    CaseStatus,
    Consent,
    Deadline,
    Organisation,
    Party,
    Person,
    User,
    require_reason,
    transition_label,
)
from .parties import (
    CORRECTABLE_PERSON_FIELDS,
    NEW_BODY_KINDS,
    PARTY_BODY_KINDS,
    contact_details,
    with_defaults,
)
from .selectors import (
    invitable_departments,
    likely_same_people,
    referral_targets,
    require,
    visible_associations,
    visible_bodies,
    visible_people,
)
from .timeline import fields as said
from .timeline import line, listing
from .validators import (
    check_occurred_at,
    check_planned_day,
    check_received_on,
    check_step_on,
    validate_name,
)

# Transitions a caller may ask for by name; anything else is refused before lookup.
TRANSITIONS = frozenset(t.name for t in Case._meta.get_field("status").get_all_transitions(Case))

# Conditions on transitions, and what to tell a person when one is not met.
CONDITION_MESSAGES = {
    "has_claimant": gettext_noop(
        "The case has no claimant yet: add the person or association who complains."
    ),
}

DK = Deadline.Kind
# Clocks each transition stops (None: every running clock) and the clock it starts. The
# mediation month starts with the first session, not the step (``start_case_clock``).
STOPS: dict[str, list[str] | None] = {
    "accept": [DK.ACCEPTANCE],
    "decline": None,
    "refer": None,
    "start_coordination": [DK.MEDIATION],
    "settle": [DK.HANDLING, DK.MEDIATION],
    "mark_unresolved": [DK.HANDLING, DK.MEDIATION],
    "start_follow_up": [DK.JUDICIAL_CONFIRMATION],
    "close": None,
    "withdraw": None,
    "return_referral": [DK.REFERRAL_OBJECTION],
}


def _started_clock(case: Case, name: str, today: datetime.date) -> tuple[str, datetime.date] | None:
    return {
        "accept": (DK.HANDLING, case.accepted_on),
        "settle": (DK.JUDICIAL_CONFIRMATION, case.settled_on),
        "reopen": (DK.ACCEPTANCE, today),
        "refer": (DK.REFERRAL_OBJECTION, today),
    }.get(name)


@dataclass
class PartyInput:
    """One party of a case: an existing person, association or body, or the details of a
    new person or of a new body."""

    role: str
    person: Person | None = None
    association: Association | None = None
    organisation: Organisation | None = None  # a body: a township office, a company
    # Person fields; a time zone or language left empty comes from the country.
    new_person: dict = field(default_factory=dict)
    # {"name": …, "kind": one of cases.parties.NEW_BODY_KINDS}
    new_body: dict = field(default_factory=dict)
    # The body's contact person, a representative acting for it: {"name": …, "phone": …}
    contact: dict = field(default_factory=dict)
    on_behalf_of: Party | None = None
    # The officer was shown the people already registered who are likely the new person
    # (``selectors.likely_same_people``) and creates a new person anyway.
    confirmed_new: bool = False


def _record(case: Case, actor: User | None, kind: str, **fields) -> CaseEvent:
    return CaseEvent.objects.create(case=case, actor=actor, kind=kind, **fields)


def _start_clock(case: Case, kind: str, starts_on: datetime.date, calendar: WorkingCalendar):
    return Deadline.objects.create(
        case=case,
        kind=kind,
        starts_on=starts_on,
        due_on=deadlines.due_date(kind, starts_on, calendar),
    )


@transaction.atomic(savepoint=False)  # intake's own transaction; no savepoint of its own
def create_case(
    *,
    actor: User,
    number: str,
    handling_organisation: Organisation,
    title: str,
    category: str,
    channel: str,
    received_on: datetime.date,
    summary: str,
    claims: str,
    parties: list[PartyInput],
    location: str = "",
    risk_level: str = Case.Risk.LOW,
    officer: User | None = None,
) -> Case:
    """The case record of a letter, visit or complaint, with its parties and the running
    acceptance clock. Only intake (``workflows.services.register_case``) calls it, in the
    transaction that numbers the case, issues its registration form and starts its
    process: a case never exists without its process."""
    if not may_register_for(actor, handling_organisation):
        raise PermissionDenied(_("You may not register cases for this organisation."))
    if not any(item.role == Party.Role.CLAIMANT for item in parties):
        raise ValidationError(_("A case needs at least one claimant."), code="no_claimant")
    _refuse_unseen_people(actor, parties)
    _refuse_likely_duplicates(actor, parties)
    check_received_on(received_on)
    try:  # the form says it first (the model field's max_length); this is for other callers
        MaxLengthValidator(Case.MAX_SUMMARY)(summary)
    except ValidationError as error:
        raise ValidationError({"summary": error.error_list}) from None
    case = Case.objects.create(
        number=number,
        title=title,
        category=category,
        channel=channel,
        received_on=received_on,
        summary=summary,
        claims=claims,
        location=location,
        risk_level=risk_level,
        handling_organisation=handling_organisation,
        officer=officer or actor,
    )
    for item in parties:
        add_party(case=case, actor=actor, item=item, record=False)
    _record(case, actor, CaseEvent.Kind.REGISTRATION, to_status=case.status, summary=case.title)
    _start_clock(case, DK.ACCEPTANCE, received_on, WorkingCalendar.load())
    return case


def _refuse_unseen_people(actor: User, parties: list[PartyInput]) -> None:
    """A person or body already known may be picked only by someone who may see them."""
    # Each scope is built (which reads the organisation tree) only when something of its
    # kind was picked: nothing picked, nothing to refuse.
    # Someone in the registry of an organisation the actor registers for is visible to
    # them: known without a query (the scope's is ~4 ms of a case start's 20).
    own = capabilities.registering_organisation_ids(actor)
    picked = {
        item.person.pk
        for item in parties
        if item.person is not None and item.person.registered_by_id not in own
    }
    if picked and picked - set(
        visible_people(actor).filter(pk__in=picked).values_list("pk", flat=True)
    ):
        raise PermissionDenied(_("You may not pick that person."))
    bodies = {item.organisation.pk for item in parties if item.organisation is not None}
    if bodies and bodies - set(
        visible_bodies(actor).filter(pk__in=bodies).values_list("pk", flat=True)
    ):
        raise PermissionDenied(_("You may not pick that body."))
    associations = {item.association.pk for item in parties if item.association is not None}
    if associations and associations - set(
        visible_associations(actor).filter(pk__in=associations).values_list("pk", flat=True)
    ):
        raise PermissionDenied(_("You may not pick that association."))


def _refuse_likely_duplicates(actor: User, parties: list[PartyInput]) -> None:
    """A new person who is likely someone already registered (the same name, and the same
    phone or e-mail) is created only once the officer has said so: never a second record
    of the same person by accident."""
    for item in parties:
        if not item.new_person or item.confirmed_new:
            continue
        found = likely_same_people(visible_people(actor), item.new_person)
        if found:
            raise ValidationError(
                _(
                    "%s may already be registered: choose the existing person, or confirm "
                    "that this is a new person."
                )
                % found[0],
                code="likely_duplicate",
            )


def _validate_party(party: Party) -> None:
    """``full_clean`` without its four round trips. Its foreign keys are objects this
    transaction holds (the case it stores, the person row it has just locked or created,
    an association or body already checked as visible, a party just saved), so their
    existence is not read again (the database's foreign keys still stand behind them);
    the one-subject constraint, which the database enforces too, is checked on the
    instance, with the constraint's own message."""
    party.clean_fields(exclude=["case", "person", "association", "organisation", "on_behalf_of"])
    party.clean()
    (constraint,) = Party._meta.constraints  # party_is_person_association_or_body
    subjects = [party.person_id, party.association_id, party.organisation_id]
    if sum(subject is not None for subject in subjects) != 1:
        raise ValidationError(
            constraint.get_violation_error_message(), code=constraint.violation_error_code
        )


def add_party(*, case: Case, actor: User, item: PartyInput, record: bool = True) -> Party:
    """Link a person, association or body to a case. New details create the person (in
    the registry of the organisation handling the case, with the time zone and language
    of their country unless given: ``cases.parties.defaults_for``) or the body, and a
    body's contact person acting on its behalf. An association acts through its
    registered representatives: they join the case with it, as its 代理人, so that the
    受理登记表 issued at registration names them."""
    # No savepoint: nothing catches a failure here to go on in the same transaction.
    with transaction.atomic(savepoint=False):
        person = item.person
        if person is not None:
            # A correction of the person (correct_party) holds this lock while it checks
            # who may edit every case the person is a party to: one of them is this one.
            person = Person.objects.select_for_update().get(pk=person.pk)
        if item.new_person:
            person = _new_person(case, item.new_person)
        organisation = item.organisation
        if item.new_body:
            organisation = _new_body(item.new_body)
        party = Party(
            case=case,
            role=item.role,
            person=person,
            association=item.association,
            organisation=organisation,
            on_behalf_of=item.on_behalf_of,
        )
        _validate_party(party)
        party.save()
        added = [party]
        if item.contact:
            if organisation is None:
                raise ValidationError(_("Only a body has a contact person here."), code="contact")
            contact = Party(
                case=case,
                role=Party.Role.REPRESENTATIVE,
                person=_new_person(case, contact_details(**item.contact)),
                on_behalf_of=party,
            )
            _validate_party(contact)
            contact.save()
            added.append(contact)
        if item.association is not None and item.role != Party.Role.REPRESENTATIVE:
            added += _association_representatives(case, party)
        if record:
            _record(
                case,
                actor,
                CaseEvent.Kind.PARTIES,
                transition="add_party",
                **said(*(line(gettext_noop("Party added: %s"), _party_words(p)) for p in added)),
            )
    return party


def _association_representatives(case: Case, association_party: Party) -> list[Party]:
    representatives = [
        Party(
            case=case,
            role=Party.Role.REPRESENTATIVE,
            person=person,
            on_behalf_of=association_party,
        )
        for person in association_party.association.representatives.order_by("pk")
    ]
    for representative in representatives:
        _validate_party(representative)
    return Party.objects.bulk_create(representatives)


def _party_words(party: Party) -> dict:
    """A party as "Claimant: 谭永康", the role in the reader's language."""
    return line(
        gettext_noop("%(role)s: %(subject)s"),
        role=Party.Role(party.role).label,
        subject=party.subject,
    )


def _new_person(case: Case, details: dict) -> Person:
    person = Person(**with_defaults(details), registered_by=case.handling_organisation)
    person.full_clean()
    person.save()
    return person


def _new_body(details: dict) -> Organisation:
    """The body of that name, or a new one: names of organisations are unique, so a company
    named at one case is the same company at the next."""
    name, kind = (details.get("name") or "").strip(), details.get("kind")
    body = Organisation.objects.filter(name=name).first() if name else None
    if body is None:
        if kind not in NEW_BODY_KINDS:
            raise ValidationError(
                _(
                    "A new body is a village or residents' committee, a company or another "
                    "body; government departments are kept by the administrators."
                ),
                code="body_kind",
            )
        body = Organisation(
            name=name,
            kind=kind,
            level=Organisation.Level.VILLAGE if kind == Organisation.Kind.VILLAGE_COMMITTEE else "",
        )
        body.full_clean()
        try:
            with transaction.atomic():
                body.save()
        except IntegrityError:  # the same name, typed at the same moment elsewhere
            body = Organisation.objects.get(name=name)
    if body.kind not in PARTY_BODY_KINDS:
        raise ValidationError(
            _("%s is not a body that can be a party to a case.") % body, code="not_a_body"
        )
    return body


@transaction.atomic
def add_case_party(*, case: Case, actor: User, item: PartyInput) -> Party:
    """Add a party to a registered case from its page (the same row as at registration)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    require(actor, "cases.edit_parties", locked)
    if locked.is_finished:
        raise ValidationError(_("A finished case takes no new parties."), code="finished")
    _refuse_unseen_people(actor, [item])
    _refuse_likely_duplicates(actor, [item])
    return add_party(case=locked, actor=actor, item=item)


@transaction.atomic
def correct_party(*, case: Case, actor: User, party: Party, role: str, **details) -> Party:
    """Correct a party of the case: its role and, for a person, the details in
    ``cases.parties.CORRECTABLE_PERSON_FIELDS`` (a time zone or language left empty comes
    from the country). The timeline names the fields that changed, never their values: an
    address or an identity category is sensitive.

    A person is one record for every case they are a party to, so a correction of their
    details holds for each: it is made only by someone who may edit every one of those
    cases (else ``shared_person``, and nothing changes), and each case's timeline says so.
    The role is the case's own."""
    unknown = set(details) - set(CORRECTABLE_PERSON_FIELDS)
    if unknown:
        raise TypeError(f"correct_party() does not correct {sorted(unknown)}")
    # Every case the person is a party to is locked, in one order (by pk) so that two
    # corrections of the same person from two of their cases wait for each other.
    person_id = Party.objects.filter(case=case.pk, pk=party.pk).values("person")
    holding = Party.objects.filter(person__in=person_id).values("case") if details else []
    cases = {
        c.pk: c
        for c in Case.objects.select_for_update()
        .filter(Q(pk=case.pk) | Q(pk__in=holding))
        .order_by("pk")
    }
    locked = cases[case.pk]
    require(actor, "cases.edit_parties", locked)
    party = Party.objects.select_for_update().filter(case=locked, pk=party.pk).first()
    if party is None:
        raise ValidationError(_("That is not a party of this case."), code="not_a_party")
    changed, corrected, others = [], [], []
    if role != party.role:
        others_claiming = locked.parties.filter(role=Party.Role.CLAIMANT).exclude(pk=party.pk)
        if party.role == Party.Role.CLAIMANT and not others_claiming.exists():
            raise ValidationError(_("A case needs at least one claimant."), code="no_claimant")
        party.role = role
        party.full_clean()
        party.save(update_fields=["role"])
        changed.append(Party._meta.get_field("role").verbose_name)
    if details:
        if party.person_id is None:
            raise ValidationError(
                _("Only the role of an association or a body is corrected here."),
                code="not_a_person",
            )
        person = Person.objects.select_for_update().get(pk=party.person_id)
        current = {name: getattr(person, name) for name in CORRECTABLE_PERSON_FIELDS}
        wanted = with_defaults({**current, **details})
        fields = [n for n in CORRECTABLE_PERSON_FIELDS if str(wanted[n]) != str(current[n])]
        if fields:
            others = _other_cases_of(person, locked, cases, actor)
            for name in fields:
                setattr(person, name, wanted[name])
            person.full_clean()
            person.save(update_fields=fields)
            party.person = person
            corrected = [Person._meta.get_field(name).verbose_name for name in fields]
            changed += corrected
    if not changed:
        raise ValidationError(
            _("Nothing to correct: the details are as they were."), code="unchanged"
        )
    _record(
        locked,
        actor,
        CaseEvent.Kind.PARTIES,
        transition="correct_party",
        **said(
            line(
                gettext_noop("Party corrected: %(party)s (%(fields)s)."),
                party=party.subject,
                fields=listing(changed),
            )
        ),
    )
    for other in others:
        _record(
            other,
            actor,
            CaseEvent.Kind.PARTIES,
            transition="correct_party",
            **said(
                line(
                    gettext_noop("Party corrected at case %(case)s: %(party)s (%(fields)s)."),
                    case=locked.number,
                    party=party.subject,
                    fields=listing(corrected),
                )
            ),
        )
    return party


def _other_cases_of(person: Person, case: Case, locked: dict[int, Case], actor: User) -> list:
    """The other cases the person is a party to, each of which the actor may edit (they
    were locked before the person was: see correct_party); else nothing is corrected."""
    holding = set(Party.objects.filter(person=person).values_list("case", flat=True))
    if holding - set(locked):  # added to another case since the locks were asked for
        raise ValidationError(
            _("%s has just been added to another case: try the correction again.") % person,
            code="moved",
        )
    others = [locked[pk] for pk in sorted(holding - {case.pk})]
    if any(not capabilities.may(actor, "cases.edit_parties", other) for other in others):
        raise ValidationError(shared_person_message(person), code="shared_person")
    return others


def shared_person_message(person: Person) -> str:
    return (
        _(
            "%s is also a party to cases that you may not edit. A person's details are one "
            "record for every case they are a party to, so only someone who may edit all of "
            "those cases corrects them; here you may correct the role."
        )
        % person
    )


@transaction.atomic
def transition_case(
    *, case: Case, actor: User, name: str, reason: str = "", reason_en: str = "", **params
) -> Case:
    """Move a case along its status machine. Raises PermissionDenied, or ValidationError
    with a message for the person, and then changes nothing. Who may take each step is
    the transition's permission, answered by the capability table for this case.
    ``reason_en``: the reason in English, for the notice to a party who reads no Chinese."""
    if name not in TRANSITIONS:
        raise ValidationError(_("Unknown step: %s") % name, code="unknown_step")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    method = getattr(locked, name)
    step = method._django_fsm.get_transition(locked.status)
    if step is None:
        raise ValidationError(
            _("“%(step)s” is not possible while the case is “%(status)s”.")
            % {"step": transition_label(name), "status": locked.get_status_display()},
            code="wrong_state",
        )
    if not actor.has_perm(step.permission, locked):
        raise PermissionDenied(_("You are not allowed to “%s”.") % transition_label(name))
    if not can_proceed(method):
        failed = [c.__name__ for c in step.conditions if not c(locked)]
        raise ValidationError([ValidationError(_(CONDITION_MESSAGES[c]), code=c) for c in failed])
    source = locked.status
    method(reason=reason, **params)
    capabilities.forget(locked)  # a referral changes who relates to the case
    # Checked after the transition's own rules (a reason first), before anything is saved.
    if (
        name == "refer"
        and not referral_targets(locked).filter(pk=getattr(params.get("to"), "pk", None)).exists()
    ):
        raise ValidationError(
            _("A case is referred to a competent department or another level of the federation."),
            code="referral_target",
        )
    if params.get("on") is not None:  # a step dated to a day: not before the case came in
        check_step_on(params["on"], received_on=locked.received_on)
    locked.save()
    _record(
        locked,
        actor,
        CaseEvent.Kind.TRANSITION,
        transition=name,
        from_status=source,
        to_status=locked.status,
        reason=reason.strip(),
        reason_en=reason_en.strip(),
    )
    # A step taken on an earlier date (e.g. acceptance dated when it was decided) moves
    # the clocks as of that date.
    _move_clocks(locked, name, params.get("on") or organisation_today())
    return locked


def stopped_kinds(name: str) -> list[str] | None:
    """The clocks a transition stops (None: every running clock): the floor's, and the
    stages' clocks that registered it (``cases.registry.ClockKind.stopped_by``)."""
    kinds = STOPS.get(name, [])
    if kinds is None:
        return None
    return [*kinds, *(k.kind for k in registry.CLOCK_KINDS.values() if name in k.stopped_by)]


def _move_clocks(case: Case, name: str, today: datetime.date) -> None:
    running = case.deadlines.filter(stopped_on__isnull=True)
    kinds = stopped_kinds(name)
    if kinds is None or kinds:
        (running if kinds is None else running.filter(kind__in=kinds)).update(stopped_on=today)
    if name == "suspend":
        # Running clocks wait while the case is suspended; resume sets them going again.
        running.filter(suspended_on__isnull=True).update(suspended_on=today)
    elif name == "resume":
        _resume_clocks(case, today)
    started = _started_clock(case, name, today)
    if started:
        _start_clock(case, *started, WorkingCalendar.load())


def _resume_clocks(case: Case, today: datetime.date) -> None:
    """Each clock that waited goes on, due later by the working days it waited; its
    reminder and escalation are due again for the new date."""
    calendar = WorkingCalendar.load()
    # A holder's clock waiting for an answer waits on (``resume_holder_clock``).
    waiting = case.deadlines.select_for_update().filter(
        stopped_on__isnull=True, suspended_on__isnull=False, held_for_holder=False
    )
    moved, waited = [], 0
    for clock in waiting:
        waited = deadlines.resume(clock, today, calendar)
        if waited:
            clock.reminded_at = clock.escalated_at = None
            moved.append(clock)
        clock.save(
            update_fields=[
                "suspended_on",
                "suspended_working_days",
                "due_on",
                "reminded_at",
                "escalated_at",
            ]
        )
    if moved:  # every clock of the case waited from the same day, so the same days
        _record(
            case,
            None,
            CaseEvent.Kind.DEADLINE,
            transition="resume_clocks",
            **said(
                line(
                    gettext_noop(
                        "Suspended for %(days)d working days; the clocks go on: %(clocks)s."
                    ),
                    days=waited,
                    clocks=listing(
                        line(
                            gettext_noop("%(clock)s due on %(due)s"),
                            clock=c.kind_label,
                            due=c.due_on,
                        )
                        for c in moved
                    ),
                )
            ),
        )


@transaction.atomic
def take_referral(*, case: Case, actor: User | None, on: datetime.date | None = None) -> Case:
    """The referral stands: the organisation the case was referred to takes it, or, with no
    actor, no objection came before its objection clock ran out (the clocks that fire in
    ``workflows.services`` call it). The objection clock stops; the timeline says which."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if actor is not None:
        require(actor, "cases.respond_to_referral", locked)
    if locked.status != CaseStatus.REFERRED:
        raise ValidationError(
            _("The case is not waiting for an answer to a referral."), code="wrong_state"
        )
    on = on or organisation_today()
    locked.deadlines.filter(kind=DK.REFERRAL_OBJECTION, stopped_on__isnull=True).update(
        stopped_on=on
    )
    if actor is None:
        rule = deadlines.RULES[DK.REFERRAL_OBJECTION]
        _record(
            locked,
            None,
            CaseEvent.Kind.DEADLINE,
            transition="referral_lapsed",
            **said(
                line(
                    gettext_noop(
                        "No objection came within %(days)d working days (%(source)s): the "
                        "referral to %(receiver)s stands."
                    ),
                    days=rule.amount,
                    source=rule.source,
                    receiver=locked.referred_to,
                )
            ),
        )
    else:
        _record(
            locked,
            actor,
            CaseEvent.Kind.ASSIGNMENT,
            transition="take_referral",
            **said(line(gettext_noop("%s takes the referred case."), locked.referred_to)),
        )
    return locked


@transaction.atomic
def move_up(*, case: Case, actor: User, reason: str) -> Case:
    """The case record's part of reporting up (``workflows.services.report_up`` moves the
    open tasks with it): the next level up (township → county → city) handles the case
    from now on, the lower level keeps reading it."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    require(actor, "cases.report_up", locked)
    reason = require_reason(reason)
    if locked.is_finished:
        raise ValidationError(_("A finished case is not reported up."), code="finished")
    lower = locked.handling_organisation
    higher = _next_level_up(lower)
    if higher is None:
        raise ValidationError(
            _("%s has no higher-level federation to report to.") % lower, code="no_higher_level"
        )
    grant_read_access(case=locked, organisation=lower)
    locked.handling_organisation = higher
    locked.officer = None  # the higher level's team assigns its own officer
    locked.save(update_fields=["handling_organisation", "officer", "updated_at"])
    capabilities.forget(locked)
    _record(
        locked,
        actor,
        CaseEvent.Kind.HIERARCHY,
        transition="report_up",
        reason=reason,
        **said(
            line(
                gettext_noop("Reported up from %(lower)s to %(higher)s."),
                lower=lower,
                higher=higher,
            )
        ),
    )
    return locked


def grant_read_access(*, case: Case, organisation: Organisation) -> None:
    CaseAccess.objects.get_or_create(case=case, organisation=organisation)
    capabilities.forget(case)


def _next_level_up(organisation: Organisation) -> Organisation | None:
    """The nearest federation (侨联) above: a 侨胞之家 reports to its county 侨联."""
    return next(
        (o for o in organisation.ancestors() if o.kind == Organisation.Kind.FEDERATION), None
    )


@transaction.atomic
def extend_handling_deadline(
    *, case: Case, actor: User, days: int, reason: str, reason_en: str = ""
) -> Deadline:
    """The supervisor's one approved extension of the handling clock (at most 30 days).
    ``reason_en``: the reason in English, for the notice to a party who reads no Chinese."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if not actor.has_perm("cases.approve_extension", locked):
        raise PermissionDenied(_("Only a supervisor can approve an extension."))
    reason = require_reason(reason)
    if not 1 <= days <= deadlines.MAX_HANDLING_EXTENSION_DAYS:
        raise ValidationError(
            _("An extension is 1 to %d days.") % deadlines.MAX_HANDLING_EXTENSION_DAYS
        )
    clock = locked.deadlines.filter(kind=DK.HANDLING, stopped_on__isnull=True).first()
    if clock is None:
        raise ValidationError(
            _("The handling clock is not running, so it cannot be extended."),
            code="clock_not_running",
        )
    if clock.extension_days:
        raise ValidationError(
            _("The handling deadline has already been extended once."), code="extended_once"
        )
    clock.extension_days, clock.extension_reason = days, reason
    clock.extension_reason_en = (reason_en or "").strip()
    clock.due_on = deadlines.due_date_of(clock, WorkingCalendar.load())
    clock.save(
        update_fields=["extension_days", "extension_reason", "extension_reason_en", "due_on"]
    )
    _record(
        locked,
        actor,
        CaseEvent.Kind.DEADLINE,
        transition="extend_handling",
        reason=reason,
        **said(
            line(
                gettext_noop("Handling deadline extended by %(days)d days to %(due)s."),
                days=days,
                due=clock.due_on,
            )
        ),
    )
    return clock


@transaction.atomic
def start_case_clock(*, case: Case, kind: str, starts_on: datetime.date) -> Deadline | None:
    """Start a clock of the case a stage starts by its own event (the mediation month
    runs from the first session); nothing if one of the kind runs already."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.deadlines.filter(kind=kind, stopped_on__isnull=True).exists():
        return None
    clock = _start_clock(locked, kind, starts_on, WorkingCalendar.load())
    _record(
        locked,
        None,
        CaseEvent.Kind.DEADLINE,
        transition="start_clock",
        **said(
            line(
                gettext_noop("%(clock)s clock started: due %(due)s."),
                clock=Deadline.Kind(kind).label,
                due=clock.due_on,
            )
        ),
    )
    return clock


def stop_case_clock(*, case: Case, kind: str, reason: str) -> Deadline | None:
    """Stop a running clock of the case that a stage's own event has met (the judicial-
    confirmation window, once the application is filed: no more reminders); nothing if
    none runs. In the caller's transaction, the case locked by it."""
    clock = case.deadlines.filter(kind=kind, stopped_on__isnull=True).first()
    if clock is None:
        return None
    clock.stopped_on = organisation_today()
    clock.save(update_fields=["stopped_on"])
    _record(
        case,
        None,
        CaseEvent.Kind.DEADLINE,
        transition="stop_clock",
        **said(
            line(
                gettext_noop("%(clock)s clock stopped: %(reason)s"),
                clock=Deadline.Kind(kind).label,
                reason=reason,
            )
        ),
    )
    return clock


@transaction.atomic
def extend_case_clock(
    *, case: Case, actor: User, kind: str, days: int, reason: str, action: str
) -> Deadline:
    """Extend a running clock of the case by ``days`` more (the mediation month, when both
    parties agree to go on), as the stage's ``action`` allows; each extension adds to the
    last, with its reason."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    require(actor, action, locked)
    reason = require_reason(reason)
    if not 1 <= days <= 90:
        raise ValidationError(_("An extension is 1 to 90 days."), code="days")
    clock = locked.deadlines.filter(kind=kind, stopped_on__isnull=True).first()
    if clock is None:
        raise ValidationError(
            _("The clock is not running, so it cannot be extended."), code="clock_not_running"
        )
    clock.extension_days += days
    clock.extension_reason = "；".join(filter(None, [clock.extension_reason, reason]))
    clock.due_on = deadlines.due_date_of(clock, WorkingCalendar.load())
    clock.save(update_fields=["extension_days", "extension_reason", "due_on"])
    _record(
        locked,
        actor,
        CaseEvent.Kind.DEADLINE,
        transition="extend_clock",
        reason=reason,
        **said(
            line(
                gettext_noop("%(clock)s clock extended by %(days)d days to %(due)s."),
                clock=Deadline.Kind(kind).label,
                days=days,
                due=clock.due_on,
            )
        ),
    )
    return clock


@transaction.atomic
def record_communication(
    *,
    case: Case,
    actor: User,
    channel: str,
    counterpart: str,
    summary: str,
    occurred_at: datetime.datetime | None = None,
) -> CaseEvent:
    """Log a phone call, visit, letter, e-mail, WeChat message or video call."""
    require(actor, "cases.record_communication", case)
    if not summary.strip() or not counterpart.strip():
        raise ValidationError(_("Say with whom you communicated and what was said."))
    validate_name(counterpart)
    occurred_at = occurred_at or timezone.now()
    check_occurred_at(occurred_at, received_on=case.received_on)
    return _record(
        case,
        actor,
        CaseEvent.Kind.COMMUNICATION,
        channel=channel,
        counterpart=counterpart.strip(),
        summary=summary.strip(),
        occurred_at=occurred_at,
    )


@transaction.atomic
def add_note(*, case: Case, actor: User, text: str, action: str = "cases.add_note") -> CaseEvent:
    """A note on the timeline. ``action``: the capability it is part of, when a process task
    (``cases.handle_case``, which a unit the task was sent down to may do) records with it."""
    require(actor, action, case)
    if not text.strip():
        raise ValidationError(_("The note is empty."))
    return _record(case, actor, CaseEvent.Kind.NOTE, summary=text.strip())


@transaction.atomic
def invite_participant(
    *,
    case: Case,
    actor: User,
    relation: str,
    organisation: Organisation | None = None,
) -> CaseParticipant:
    """Invite a department to the case: it may then read it (and do its stage's work on
    it). Legal advisers and mediators are named by their stages, after declaring any
    conflict."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    require(actor, "cases.invite_participant", locked)
    if locked.is_finished:
        raise ValidationError(_("A finished case takes no new participants."), code="finished")
    if relation == CaseParticipant.Relation.ADVISER:
        raise ValidationError(
            _("A legal adviser comes in through the legal review, after declaring any conflict."),
            code="via_review",
        )
    if relation == CaseParticipant.Relation.MEDIATOR:
        raise ValidationError(
            _("A mediator is assigned in mediation, after declaring any conflict."),
            code="via_mediation",
        )
    allowed = invitable_departments(locked).filter(pk=getattr(organisation, "pk", None))
    if relation != CaseParticipant.Relation.DEPARTMENT or not allowed.exists():
        raise ValidationError(_("Choose someone who can take part in this case."), code="who")
    participant, created = CaseParticipant.objects.get_or_create(
        case=locked, relation=relation, organisation=organisation, defaults={"added_by": actor}
    )
    capabilities.forget(locked)
    if created:
        _record(
            locked,
            actor,
            CaseEvent.Kind.ASSIGNMENT,
            transition="invite",
            **said(
                line(
                    gettext_noop("%(who)s takes part as %(relation)s."),
                    who=participant.user or participant.organisation,
                    relation=CaseParticipant.Relation(participant.relation).label,
                )
            ),
        )
    return participant


# A clock of one holder on a case (a stage's: a reviewer's due date, a department's
# reply): started for a period the officer set, waiting while the holder waits on someone
# else, stopped when their part is done. Reminded to the holder and escalated to the case's
# officer (``workflows.services``).

Holder = User | Organisation


def _held_by(holder: Holder, item: int | None = None) -> dict:
    """``item``: which of the holder's things of the kind the clock is for, when it may
    hold several at once (a department's action items); None for its one clock."""
    if isinstance(holder, Organisation):
        return {"holder_organisation": holder, "item": item}
    return {"holder": holder, "item": item}


def start_holder_clock(
    *,
    case: Case,
    kind: str,
    holder: Holder,
    due_on: datetime.date,
    today: datetime.date,
    item: int | None = None,
) -> Deadline:
    """A due date on a day off moves to the next working day."""
    calendar = WorkingCalendar.load()
    period = max(1, calendar.working_days_between(today, calendar.on_or_after(due_on)))
    return Deadline.objects.create(
        case=case,
        kind=kind,
        **_held_by(holder, item),
        starts_on=today,
        period_working_days=period,
        due_on=deadlines.due_date(kind, today, calendar, period_working_days=period),
    )


def _holder_clock(case: Case, kind: str, holder: Holder, item: int | None) -> Deadline | None:
    return (
        case.deadlines.select_for_update()
        .filter(kind=kind, stopped_on__isnull=True, **_held_by(holder, item))
        .first()
    )


def pause_holder_clock(
    *, case: Case, kind: str, holder: Holder, on: datetime.date, item: int | None = None
) -> None:
    """The holder waits on someone else: their clock waits too (from today, or from the
    day their case was suspended if it is) until ``resume_holder_clock``."""
    clock = _holder_clock(case, kind, holder, item)
    if clock is None:
        return
    clock.suspended_on = clock.suspended_on or on
    clock.held_for_holder = True
    clock.save(update_fields=["suspended_on", "held_for_holder"])


def resume_holder_clock(
    *, case: Case, kind: str, holder: Holder, on: datetime.date, item: int | None = None
) -> Deadline | None:
    """The wait is over: the clock goes on, due later by the working days it waited, its
    reminder and escalation due again for the new date. While the case is suspended it
    keeps waiting, and the case's resumption sets it going."""
    clock = _holder_clock(case, kind, holder, item)
    if clock is None or clock.suspended_on is None:
        return clock
    clock.held_for_holder = False
    if case.status != CaseStatus.SUSPENDED and deadlines.resume(clock, on, WorkingCalendar.load()):
        clock.reminded_at = clock.escalated_at = None
    clock.save(
        update_fields=[
            "held_for_holder",
            "suspended_on",
            "suspended_working_days",
            "due_on",
            "reminded_at",
            "escalated_at",
        ]
    )
    return clock


def stop_holder_clock(
    *, case: Case, kind: str, holder: Holder, on: datetime.date, item: int | None = None
) -> None:
    case.deadlines.filter(kind=kind, stopped_on__isnull=True, **_held_by(holder, item)).update(
        stopped_on=on
    )


def name_participant(*, case: Case, user: User, relation: str, added_by: User) -> None:
    """Name a person on the case (an adviser who took up a review): they may then read
    it. The stage that names them checks who may, and records why on the timeline."""
    CaseParticipant.objects.get_or_create(
        case=case, relation=relation, user=user, defaults={"added_by": added_by}
    )
    capabilities.forget(case)


def unname_participant(*, case: Case, user: User, relation: str) -> None:
    """The person no longer takes part (an adviser released for a conflict)."""
    CaseParticipant.objects.filter(case=case, relation=relation, user=user).delete()
    capabilities.forget(case)


@transaction.atomic
def set_calendar_override(
    *, day: datetime.date, is_working_day: bool, note: str = ""
) -> CalendarOverride:
    """Correct the working-day calendar for one date, then recompute running clocks."""
    check_planned_day(day)
    override, _created = CalendarOverride.objects.update_or_create(
        day=day, defaults={"is_working_day": is_working_day, "note": note}
    )
    _recompute_after_commit()
    return override


@transaction.atomic
def remove_calendar_override(*, day: datetime.date) -> None:
    CalendarOverride.objects.filter(day=day).delete()
    _recompute_after_commit()


def _recompute_after_commit() -> None:
    from .tasks import recompute_running_deadlines  # tasks import this module

    transaction.on_commit(recompute_running_deadlines.delay)


@transaction.atomic
def recompute_running_deadlines() -> int:
    """Re-derive the due date of every running clock from the current calendar; returns how
    many changed."""
    calendar = WorkingCalendar.load()
    changed = 0
    for clock in Deadline.objects.select_for_update().filter(stopped_on__isnull=True):
        due = deadlines.due_date_of(clock, calendar)
        if due != clock.due_on:
            clock.due_on = due
            clock.save(update_fields=["due_on"])
            changed += 1
    return changed


@transaction.atomic
def record_consent(
    *,
    case: Case,
    actor: User | None,
    party: Party,
    purpose: str,
    given: bool,
    how: str,
    given_by: str,
    note: str = "",
) -> Consent:
    """Record a party's consent (or its withdrawal) for one purpose. ``actor`` None: the
    party gave it through their own link (``how`` is then "link", and only then)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if actor is not None:
        require(actor, "cases.record_consent", locked)
    if (actor is None) != (how == Consent.How.LINK):
        raise ValidationError(_("Only the party's own link records a consent “through the link”."))
    if party.case_id != locked.pk:
        raise ValidationError(_("Choose a party of this case."), code="party")
    if purpose not in Consent.Purpose.values or how not in Consent.How.values:
        raise ValidationError(_("Say what the consent is for and how it was given."))
    validate_name(given_by)
    consent = Consent(
        case=locked,
        party=party,
        purpose=purpose,
        given=given,
        how=how,
        given_by=given_by.strip(),
        note=note.strip(),
        recorded_by=actor,
    )
    consent.full_clean()
    consent.save()
    _record(
        locked,
        actor,
        CaseEvent.Kind.PARTIES,
        transition="consent",
        **said(
            line(
                gettext_noop("%(who)s: %(purpose)s, consent %(state)s (%(how)s)."),
                who=party.subject,
                purpose=Consent.Purpose(purpose).label,
                state=line(gettext_noop("given") if given else gettext_noop("withdrawn")),
                how=Consent.How(how).label,
            )
        ),
    )
    return consent
