"""Reads of the case core, scoped to what a user may see."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from . import capabilities, deadlines
from .calendar import WorkingCalendar, organisation_today
from .models import (
    Association,
    Case,
    CaseEvent,
    CaseParticipant,
    Consent,
    Deadline,
    Message,
    Organisation,
    Party,
    Person,
    User,
)
from .parties import PARTY_BODY_KINDS, PUBLIC_BODY_KINDS


def organisation_ids(user: User) -> set[int]:
    return {pk for pk, _role in capabilities.memberships(user)}


def require(user: User, action: str, case: Case) -> None:
    """Refuse, in the user's language, an action the capability table does not allow."""
    if not capabilities.may(user, action, case):
        raise PermissionDenied(_("You may not do this on this case."))


# A case with what every page about it reads: its handling organisation with the units
# above it (a village's chain up to the province is four: the capability table's ABOVE
# relation walks it), its officer and where it was referred to.
CASE_WITH = (
    "handling_organisation__parent__parent__parent__parent",
    "officer",
    "referred_to",
)


def case_for(user: User, pk: int, action: str = "cases.read_case") -> Case:
    """The case a request is about: 404 if the user may not read it, 403 if they may read
    it but not do the action. Read by its key and asked of the capability table (whose
    answers the page's panels and buttons then share), not filtered by ``visible_cases``:
    the same table as a filter, which would cost a query per level of the units below a
    supervisor's."""
    case = get_object_or_404(Case.objects.select_related(*CASE_WITH), pk=pk)
    if not capabilities.may(user, "cases.read_case", case):
        raise Http404
    require(user, action, case)
    return case


def visible_cases(user: User) -> QuerySet[Case]:
    """Cases the user may read (``cases.read_case`` in the capability table). Everything
    else is as if it did not exist (404)."""
    condition = capabilities.cases_where(user)
    return Case.objects.all() if condition is None else Case.objects.filter(condition)


def visible_case_ids(user: User) -> QuerySet:
    """The ids of ``visible_cases``, for a sub-select: the union of one filter a relation
    (handling, above, below, referred to…). For a sub-select inside one OR of them
    PostgreSQL guesses half of all cases, and then reads every row of the table it
    filters (all open tasks, all parties); each relation alone it estimates right and
    reads through its own index."""
    condition = capabilities.cases_where(user)
    if condition is None:
        return Case.objects.values("pk")
    either = condition.connector == Q.OR and not condition.negated
    relations = condition.children if either else [condition]
    ids = [Case.objects.filter(Q(relation)).order_by().values("pk") for relation in relations]
    return ids[0].union(*ids[1:], all=True)


def registering_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations the user may register cases for."""
    if user.is_superuser:
        return Organisation.objects.exclude(number_prefix="")
    return Organisation.objects.filter(pk__in=capabilities.registering_organisation_ids(user))


def visible_people(user: User) -> QuerySet[Person]:
    """People the user may pick for a case: parties of cases the user can read, and the
    registry of the organisations the user registers cases for and the units below them."""
    if user.is_superuser:
        return Person.objects.all()
    own = capabilities.registering_organisation_ids(user)
    return Person.objects.filter(
        Q(pk__in=Party.objects.filter(case__in=visible_case_ids(user)).values("person"))
        | Q(registered_by__in=own | capabilities.descendant_ids(own))
    )


def visible_associations(user: User) -> QuerySet[Association]:
    """Associations the user may pick as a party, scoped as people are: those that are
    parties to cases the user can read, and those a person the user may pick represents."""
    if user.is_superuser:
        return Association.objects.all()
    represented = Association.representatives.through.objects.filter(
        person__in=visible_people(user)
    ).values("association")
    return Association.objects.filter(
        Q(pk__in=Party.objects.filter(case__in=visible_case_ids(user)).values("association"))
        | Q(pk__in=represented)
    )


def cases_holding(person: Person) -> QuerySet[Case]:
    """Every case the person is a party to, whoever may see it."""
    return Case.objects.filter(pk__in=Party.objects.filter(person=person).values("case"))


def cases_beyond(user: User, person: Person, action: str = "cases.edit_parties") -> list[Case]:
    """The cases the person is a party to on which the user may not do the action. A
    person is one record for all their cases, so a correction of their details is made
    only by someone who may edit every one of them (``cases.services.correct_party``)."""
    return [
        case
        for case in cases_holding(person).select_related("handling_organisation")
        if not capabilities.may(user, action, case)
    ]


def _digits(phone: str) -> str:
    return "".join(char for char in phone if "0" <= char <= "9")


def likely_same_people(people: QuerySet[Person], details: dict) -> list[Person]:
    """Who among ``people`` is likely the new person whose details were typed: the same
    name (in Chinese characters, or in Latin script whatever the case) and the same phone
    (its digits) or e-mail. Offered before a second record of the same person is made."""
    name_zh = (details.get("name_zh") or "").strip()
    name_latin = (details.get("name_latin") or "").strip()
    phone = _digits(details.get("phone") or "")
    email = (details.get("email") or "").strip().lower()
    if not (name_zh or name_latin) or not (phone or email):
        return []
    same_name = Q(pk__in=[])
    if name_zh:
        same_name |= Q(name_zh=name_zh)
    if name_latin:
        same_name |= Q(name_latin__iexact=name_latin)
    return [
        person
        for person in people.filter(same_name).select_related("registered_by")[:50]
        if (phone and _digits(person.phone) == phone)
        or (email and person.email.strip().lower() == email)
    ]


def visible_bodies(user: User) -> QuerySet[Organisation]:
    """Bodies the user may pick as a party: public bodies (government departments, village
    and residents' committees), and companies and other bodies that are parties to cases
    the user can read. Never a 侨联, a court or a mediation committee."""
    bodies = Organisation.objects.filter(kind__in=PARTY_BODY_KINDS)
    if user.is_superuser:
        return bodies
    return bodies.filter(
        Q(kind__in=PUBLIC_BODY_KINDS)
        | Q(pk__in=Party.objects.filter(case__in=visible_case_ids(user)).values("organisation"))
    )


def invitable_departments(case: Case | None = None) -> QuerySet[Organisation]:
    """The bodies a case may invite to take part: the government departments, and, for a
    case, the 侨联s above its handling organisation (the county 侨联 at a township's
    coordination meeting)."""
    departments = Q(kind=Organisation.Kind.DEPARTMENT)
    if case is not None:
        above = [o.pk for o in case.handling_organisation.ancestors()]
        departments |= Q(pk__in=above, kind=Organisation.Kind.FEDERATION)
    return Organisation.objects.filter(departments)


def case_messages(case: Case) -> QuerySet[Message]:
    return case.messages.select_related("recipient", "party__person")


def case_participants(case: Case) -> QuerySet[CaseParticipant]:
    return case.participants.select_related("user", "organisation")


def referral_targets(case: Case) -> QuerySet[Organisation]:
    """Where a case can be referred: a government department, another 侨联, or a
    侨胞之家 below the handling organisation; not a court, law firm or mediation committee."""
    handling = case.handling_organisation
    Kind = Organisation.Kind
    return (
        Organisation.objects.filter(
            Q(kind__in=[Kind.DEPARTMENT, Kind.FEDERATION])
            | Q(pk__in=[o.pk for o in handling.descendants()])
        )
        .exclude(pk=handling.pk)
        # Never a body that is only a party (a village committee, a company).
        .exclude(kind__in=PARTY_BODY_KINDS - {Kind.DEPARTMENT})
    )


def case_list(user: User, *, query: str = "", status: str = "", category: str = ""):
    cases = visible_cases(user).select_related("handling_organisation", "officer")
    if query:
        cases = cases.filter(
            Q(number__icontains=query)
            | Q(title__icontains=query)
            | Q(parties__person__name_zh__icontains=query)
            | Q(parties__person__name_latin__icontains=query)
            | Q(parties__association__name__icontains=query)
            | Q(parties__organisation__name__icontains=query)
        ).distinct()
    if status:
        cases = cases.filter(status=status)
    if category:
        cases = cases.filter(category=category)
    return cases


def case_parties(case: Case):
    return case.parties.select_related(
        "person",
        "association",
        "organisation",
        "on_behalf_of__person",
        "on_behalf_of__association",
        "on_behalf_of__organisation",
    )


def party_list(case: Case) -> list[Party]:
    """The case's parties as ``case_parties`` gives them, with half its joins (the case
    page's parties panel): the party each acts for is one of the same list."""
    parties = list(case.parties.select_related("person", "association", "organisation"))
    by_pk = {party.pk: party for party in parties}
    for party in parties:
        if party.on_behalf_of_id in by_pk:
            party.on_behalf_of = by_pk[party.on_behalf_of_id]
    return parties


# The timeline's entries with who made each, prefetched onto the case: what else reads the
# case's events on the same page (the case file's check of the case page) reads these.
TIMELINE = Prefetch("events", queryset=CaseEvent.objects.select_related("actor"))


def case_timeline(case: Case) -> list[CaseEvent]:
    """The case's timeline, latest first."""
    prefetch_related_objects([case], TIMELINE)
    return list(case.events.all())


def case_clocks(case: Case, today: datetime.date | None = None) -> list[deadlines.ClockView]:
    """Every clock of the case, running ones first, each with the working days left from
    today (``today`` unless given)."""
    clocks = sorted(
        case.deadlines.select_related("holder"), key=lambda d: (not d.is_running, d.due_on)
    )
    return deadlines.clock_views(clocks, today or organisation_today(), WorkingCalendar.load())


def can_extend(clocks: list[deadlines.ClockView]) -> bool:
    """Whether the running handling clock among the case's clocks (``case_clocks``) may
    still have its one extension."""
    return any(
        c.deadline.kind == Deadline.Kind.HANDLING
        and c.deadline.stopped_on is None
        and c.deadline.extension_days == 0
        for c in clocks
    )


def reads_no_chinese(case: Case) -> bool:
    """Whether a claimant of the case reads no Chinese: the notices to the parties then
    carry an English passage, and the steps that issue one ask for the reason in English.
    An association reads through its representatives, a body through its contact people
    on the case."""
    claimants = case.parties.filter(role=Party.Role.CLAIMANT).select_related(
        "person", "association"
    )
    for party in claimants:
        if party.association_id:
            people = list(party.association.representatives.all())
        elif party.organisation_id:
            people = [agent.person for agent in party.agents.all() if agent.person_id]
        else:
            people = [party.person]
        if any(not p.preferred_language.lower().startswith("zh") for p in people):
            return True
    return False


# Consent (``Consent``): the latest row for a party and a purpose decides.

PRINCIPAL_ROLES = (Party.Role.CLAIMANT, Party.Role.RESPONDENT, Party.Role.THIRD_PARTY)


def latest_consents(case: Case) -> dict[tuple[int, str], Consent]:
    """(party id, purpose) → the consent that stands, for every party of the case."""
    found: dict[tuple[int, str], Consent] = {}
    for consent in case.consents.order_by("at", "id"):
        found[(consent.party_id, consent.purpose)] = consent
    return found


def has_consent(party: Party, purpose: str, latest: dict | None = None) -> bool:
    """Whether the party consents to ``purpose``: its own latest consent, or, for a party
    that acts through others (an association, a body, a person with a representative),
    that of one of those acting for it."""
    latest = latest if latest is not None else latest_consents(party.case)
    own = latest.get((party.pk, purpose))
    if own is not None:
        return own.given
    agents = [a for a in party.case.parties.all() if a.on_behalf_of_id == party.pk]
    return any(
        latest.get((agent.pk, purpose)) is not None and latest[(agent.pk, purpose)].given
        for agent in agents
    )


def parties_without_consent(case: Case, purpose: str) -> list[Party]:
    """The case's claimants, respondents and third parties who have not consented to
    ``purpose`` (themselves or through someone acting for them)."""
    latest = latest_consents(case)
    return [
        party
        for party in party_list(case)
        if party.role in PRINCIPAL_ROLES and not has_consent(party, purpose, latest)
    ]


# Notices by e-mail (电子送达): who a notice for a party reaches.


def _own_consent(party: Party, purpose: str, latest: dict) -> bool:
    consent = latest.get((party.pk, purpose))
    return consent is not None and consent.given


def lives_abroad(person: Person) -> bool:
    """Outside mainland China: sending them their documents sends personal data abroad
    (PIPL Art. 38; Hong Kong, Macao and Taiwan count as outside)."""
    return bool(person.residence_country) and person.residence_country.code != "CN"


def _agents(party: Party) -> list[Party]:
    """The people acting for the party on its case (its representatives, relatives)."""
    return list(party.agents.filter(person__isnull=False).select_related("person", "case"))


def why_not_by_email(party: Party, latest: dict | None = None) -> str:
    """Why a notice cannot reach the party by e-mail, in the reader's language; "" when it
    can. A person needs an e-mail address and their own consent to notices by e-mail, and,
    living outside mainland China, to documents being sent abroad. Their own: someone's
    consent given for them by a representative covers the representative's address, not
    theirs. An association or a body is reached through those acting for it."""
    latest = latest if latest is not None else latest_consents(party.case)
    if not party.person_id:
        if any(not why_not_by_email(agent, latest) for agent in _agents(party)):
            return ""
        return _("Nobody acting for it can be reached by e-mail.")
    if not party.person.email:
        return _("No e-mail address.")
    if not _own_consent(party, Consent.Purpose.ELECTRONIC_SERVICE, latest):
        return _("No consent to notices by e-mail.")
    if lives_abroad(party.person) and not _own_consent(party, Consent.Purpose.CROSS_BORDER, latest):
        return _("Lives outside mainland China, with no consent to documents being sent there.")
    return ""


def reachable_by_email(party: Party, latest: dict | None = None) -> bool:
    """Whether a notice for the party reaches someone by e-mail (``why_not_by_email``)."""
    return not why_not_by_email(party, latest)


def email_recipients(party: Party, latest: dict | None = None) -> list[Party]:
    """Whom a notice for the party goes to by e-mail: the party itself, a person who can be
    reached; for an association or a body, each of those acting for it who can, each by
    their own consent."""
    latest = latest if latest is not None else latest_consents(party.case)
    people = [party] if party.person_id else _agents(party)
    return [person for person in people if not why_not_by_email(person, latest)]
