"""Who may do what: one table, action × role × relation to the case.

A person's relation to a case comes from the organisations they hold a role in (the
handling organisation, a unit above it, a unit below it that reported the case up or was
sent work, the organisation the case was referred to, a department invited to it) or
from being named on the case (assigned adviser, mediator). Membership alone is no
permission: a legal adviser of the handling 侨联 reads only the cases assigned to them.

Every check goes through this table: services refuse with it, views and templates show
or hide with it (``user.has_perm("cases.add_note", case)`` through the ``rules``
backend), and lists are filtered with it (``cases_where``). The permission-matrix test
holds it against answers written out by hand (tests/test_permission_matrix.py), never
against this table.
"""

from __future__ import annotations

from collections.abc import Iterable

import rules
from django.core.exceptions import ImproperlyConfigured
from django.db.models import CharField, IntegerField, Q, TextChoices, Value
from django.utils.translation import gettext_lazy as _

from . import registry
from .models import Case, CaseAccess, CaseParticipant, Membership, Organisation, Role, User


class Relation(TextChoices):
    HANDLING = "handling", _("Handling organisation")
    ABOVE = "above", _("A unit above the handling organisation")
    BELOW = "below", _("A unit below that reported the case up or was sent work")
    REFERRED_TO = "referred_to", _("Organisation the case was referred to")
    ADVISER = "adviser", _("Assigned legal adviser")
    DEPARTMENT = "department", _("Invited department")
    MEDIATOR = "mediator", _("Assigned mediator")


R, L = Role, Relation
STAFF = frozenset({R.CASE_OFFICER, R.SUPERVISOR})
HEAD = frozenset({R.SUPERVISOR})

# action → {relation: roles that may do it in that relation}. Actions named ``cases.*``
# are asked with a Case; ``cases.register_case`` with the Organisation that will handle it.
CAPABILITIES: dict[str, dict[Relation, frozenset[str]]] = {
    "cases.read_case": {
        L.HANDLING: STAFF,
        L.ABOVE: HEAD,
        L.BELOW: STAFF,
        L.REFERRED_TO: STAFF | {R.DEPARTMENT_LIAISON},
        L.ADVISER: frozenset({R.LEGAL_ADVISER}),
        L.DEPARTMENT: frozenset({R.DEPARTMENT_LIAISON}),
        L.MEDIATOR: frozenset({R.MEDIATOR}),
    },
    "cases.register_case": {L.HANDLING: STAFF},
    "cases.add_note": {L.HANDLING: STAFF},
    "cases.record_communication": {L.HANDLING: STAFF},
    "cases.upload_evidence": {L.HANDLING: STAFF},
    "cases.export_case_file": {L.HANDLING: STAFF},
    "cases.report_up": {L.HANDLING: STAFF},
    "cases.send_down": {L.HANDLING: STAFF},
    "cases.invite_participant": {L.HANDLING: STAFF},
    # Add a party, or correct one's role and a person's details (cases.services).
    "cases.edit_parties": {L.HANDLING: STAFF},
    "cases.approve_extension": {L.HANDLING: HEAD},
    # A party's consent (online mediation, e-mail, data abroad), given or withdrawn: the
    # officer records it, or the mediator, who hears it in a session.
    "cases.record_consent": {L.HANDLING: STAFF, L.MEDIATOR: frozenset({R.MEDIATOR})},
    # Send a party their own link, or revoke one (cases.links).
    "cases.manage_links": {L.HANDLING: STAFF},
    # Tasks of the case process. A task belongs to one organisation; whoever holds an
    # allowed role there, in that organisation's relation to the case, may do it. A task
    # sent down to a lower unit is done there (BELOW) for the handling organisation.
    "cases.handle_case": {L.HANDLING: STAFF, L.BELOW: STAFF},
    "cases.decide_acceptance": {L.HANDLING: HEAD},
    "cases.approve_closure": {L.HANDLING: HEAD},
    # Settling a case, or recording it unresolved: the officer, or the mediator named on
    # it, whose outcome of mediation moves the case (an oral agreement, a failure).
    "cases.end_mediation": {
        L.HANDLING: STAFF,
        L.BELOW: STAFF,
        L.MEDIATOR: frozenset({R.MEDIATOR}),
    },
    "cases.respond_to_referral": {L.REFERRED_TO: STAFF | {R.DEPARTMENT_LIAISON}},
    # The rest of a case's life (workflows.lifecycle): the handling organisation records a
    # withdrawal and suspends or resumes its case; its supervisor reopens a case it
    # declined or closed. A unit work was sent down to does none of these.
    "cases.withdraw_case": {L.HANDLING: STAFF},
    "cases.suspend_case": {L.HANDLING: STAFF},
    "cases.reopen_case": {L.HANDLING: HEAD},
}

# Relations that come from being named on the case, and the role the person must hold.
PERSONAL = {L.ADVISER: R.LEGAL_ADVISER, L.MEDIATOR: R.MEDIATOR}


# The process's own tasks that wait in a team queue; a stage registers its own.
CORE_QUEUE_ACTIONS = (
    "cases.handle_case",
    "cases.decide_acceptance",
    "cases.approve_closure",
    "cases.respond_to_referral",
)


def task_actions_of(role: str) -> set[str]:
    """The task actions a role can do in some relation (the team queue's first cut)."""
    actions = (*CORE_QUEUE_ACTIONS, *registry.QUEUE_ACTIONS)
    return {
        action
        for action in actions
        if any(role in roles for roles in CAPABILITIES[action].values())
    }


# Reading who holds which role, and how each organisation relates to a case. Both are
# kept on the instance, so one page asks once however many panels and buttons it decides;
# and so is each person's answer about a case: computed once per request, since a request
# reads its user and its case afresh. A service that changes who relates to a case calls
# ``forget``; one that re-checks on a row it has just locked holds a new instance, which
# knows nothing yet.


def _kept(user: User) -> dict:
    """What is kept on the user. Through attribute access, not ``__dict__``: asked through
    ``request.user`` (a lazy wrapper) or through the user it wraps (``has_perm``), both then
    find the one copy."""
    kept = getattr(user, "_capability_memo", None)
    if kept is None:
        kept = user._capability_memo = {}
    return kept


def memberships(user: User) -> list[tuple[int, str]]:
    """(organisation id, role) pairs the user holds."""
    kept = _kept(user)
    if "memberships" not in kept:
        held = list(
            Membership.objects.filter(user=user).values_list(
                "organisation_id", "role", "organisation__number_prefix"
            )
        )
        kept["memberships"] = [(pk, role) for pk, role, _prefix in held]
        # Read with them: the organisations that number cases (registering_organisation_ids).
        kept["numbering"] = {pk for pk, _role, prefix in held if prefix}
    return kept["memberships"]


def _relations_by_organisation(case: Case) -> dict[int, set[Relation]]:
    if "_relations" in case.__dict__:
        return case.__dict__["_relations"]
    found: dict[int, set[Relation]] = {}

    def add(organisation_ids: Iterable[int], relation: Relation) -> None:
        for pk in organisation_ids:
            found.setdefault(pk, set()).add(relation)

    handling = case.handling_organisation
    add([handling.pk], L.HANDLING)
    add([o.pk for o in handling.ancestors()], L.ABOVE)
    if case.referred_to_id:
        add([case.referred_to_id], L.REFERRED_TO)
    # The units below with access (BELOW) and those named on the case, in one read.
    below = (
        CaseAccess.objects.filter(case=case)
        .order_by()
        .values_list(
            Value(L.BELOW.value, output_field=CharField()),
            Value(None, output_field=IntegerField()),
            "organisation_id",
        )
    )
    named = list(
        CaseParticipant.objects.filter(case=case)
        .order_by()
        .values_list("relation", "user_id", "organisation_id")
        .union(below, all=True)
    )
    for relation in (L.BELOW, L.DEPARTMENT):
        add([pk for found_as, _user, pk in named if found_as == relation], relation)
    case.__dict__["_relations"] = found
    case.__dict__["_named"] = {(relation, pk) for relation, pk, _org in named if pk}
    return found


def forget(case: Case) -> None:
    """Drop what was read about the case's relations, and the answers given from them: a
    service just changed them."""
    for name in ("_relations", "_named", "_grants"):
        case.__dict__.pop(name, None)


def grants(user: User, case: Case) -> set[tuple[str, Relation]]:
    """(role, relation) pairs the user holds towards the case; worked out once for this
    user and this case instance (every ``may``, ``has_perm`` and ``allowed_actions`` of a
    page asks it), again after ``forget``."""
    by_organisation = _relations_by_organisation(case)
    held_roles = memberships(user)
    # Kept with the memberships it was worked out from: another instance of the same user
    # (read afresh, its roles perhaps changed since) works it out again.
    answers = case.__dict__.setdefault("_grants", {})
    kept = answers.get(user.pk)
    if kept is not None and kept[0] is held_roles:
        return kept[1]
    held = {
        (role, relation)
        for organisation_id, role in held_roles
        for relation in by_organisation.get(organisation_id, ())
    }
    roles = {role for _organisation, role in held_roles}
    for relation, role in PERSONAL.items():
        if role in roles and (relation, user.pk) in case.__dict__["_named"]:
            held.add((role, relation))
    answers[user.pk] = (held_roles, held)
    return held


def allows(action: str, held: Iterable[tuple[str, Relation]]) -> bool:
    table = CAPABILITIES[action]
    return any(role in table.get(relation, ()) for role, relation in held)


def may(user: User, action: str, case: Case) -> bool:
    """Whether the user may do the action on the case."""
    if not (user and user.is_active and user.is_authenticated):
        return False
    return user.is_superuser or allows(action, grants(user, case))


def may_as(user: User, action: str, case: Case, organisation_id: int) -> bool:
    """Whether the user may do the action for one organisation (a task's organisation)."""
    if not (user and user.is_active and user.is_authenticated):
        return False
    if user.is_superuser:
        return True
    relations = _relations_by_organisation(case).get(organisation_id, set())
    roles = {role for pk, role in memberships(user) if pk == organisation_id}
    return allows(action, {(role, relation) for role in roles for relation in relations})


def roles_allowed(action: str, case: Case, organisation_id: int) -> list[str]:
    """The roles that may do the action for one organisation (a task's organisation), in
    that organisation's relations to the case; in the order of ``Role``."""
    relations = _relations_by_organisation(case).get(organisation_id, set())
    table = CAPABILITIES[action]
    allowed = {role for relation in relations for role in table.get(relation, ())}
    return [role for role in Role.values if role in allowed]


def registering_organisation_ids(user: User) -> set[int]:
    """The organisations the user may register cases for (and so handle): those where
    the table allows it to a role they hold and that number cases (a department or a
    village has no number prefix, so cannot). Read with the memberships."""
    roles = CAPABILITIES["cases.register_case"][L.HANDLING]
    held = memberships(user)  # read with the organisations that number cases
    numbering = _kept(user)["numbering"]
    return {pk for pk, role in held if role in roles and pk in numbering}


def may_register_for(user: User, organisation: Organisation | None = None) -> bool:
    """Whether the user may register cases that the organisation (any, if None) handles."""
    if not (user and user.is_active and user.is_authenticated):
        return False
    if user.is_superuser:
        return True
    own = registering_organisation_ids(user)
    return bool(own) if organisation is None else organisation.pk in own


def allowed_actions(user: User, case: Case) -> dict[str, bool]:
    """Every case action by its short name (``add_note``…), for a template to show or hide."""
    return {
        action.split(".", 1)[1]: may(user, action, case)
        for action in CAPABILITIES
        if action != "cases.register_case"
    }


# Lists: the same table as a filter on cases.


def descendant_ids(organisation_ids: set[int]) -> set[int]:
    found, level = set(), set(organisation_ids)
    while level:
        level = (
            set(Organisation.objects.filter(parent__in=level).values_list("pk", flat=True)) - found
        )
        found |= level
    return found


def _filter(relation: Relation, organisation_ids: set[int], user: User) -> Q:
    named = CaseParticipant.objects.filter(relation=relation)
    return {
        L.HANDLING: lambda: Q(handling_organisation__in=organisation_ids),
        L.ABOVE: lambda: Q(handling_organisation__in=descendant_ids(organisation_ids)),
        L.BELOW: lambda: Q(
            pk__in=CaseAccess.objects.filter(organisation__in=organisation_ids).values("case")
        ),
        L.REFERRED_TO: lambda: Q(referred_to__in=organisation_ids),
        L.DEPARTMENT: lambda: Q(
            pk__in=named.filter(organisation__in=organisation_ids).values("case")
        ),
        L.ADVISER: lambda: Q(pk__in=named.filter(user=user).values("case")),
        L.MEDIATOR: lambda: Q(pk__in=named.filter(user=user).values("case")),
    }[relation]()


def cases_where(user: User, action: str = "cases.read_case") -> Q | None:
    """A filter on Case for the cases the user may do the action on; None: every case."""
    if user.is_superuser:
        return None
    condition = Q(pk__in=[])
    for relation, roles in CAPABILITIES[action].items():
        organisation_ids = {pk for pk, role in memberships(user) if role in roles}
        if organisation_ids:
            condition |= _filter(relation, organisation_ids, user)
    return condition


def _rule(action: str):
    @rules.predicate(name=action)
    def check(user, obj) -> bool:
        if action == "cases.register_case":
            return may_register_for(user, obj)
        return isinstance(obj, Case) and may(user, action, obj)

    return check


def register(action: str, table: dict[Relation, frozenset[str]]) -> None:
    """A stage adds an action to the table (and to `rules`), e.g. to review a case. An
    action is registered once: a stage cannot replace one of the table's rows."""
    if action in CAPABILITIES or rules.perm_exists(action):
        raise ImproperlyConfigured(f"The action “{action}” is registered twice.")
    CAPABILITIES[action] = table
    rules.set_perm(action, _rule(action))


def unregister(action: str) -> None:
    CAPABILITIES.pop(action)
    rules.remove_perm(action)


for _action in CAPABILITIES:
    rules.set_perm(_action, _rule(_action))
