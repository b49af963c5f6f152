"""Reads of the mediation stage."""

from __future__ import annotations

from django.db.models import QuerySet

from cases.models import Case, Consent, Deadline, Party, User
from cases.selectors import parties_without_consent, party_list

from .models import Assignment, MediationResult, MediationSession, Mediator


def current_assignment(case: Case) -> Assignment | None:
    """The mediator at work on the case, or assigned and yet to declare."""
    return (
        Assignment.objects.filter(
            case=case, status__in=[Assignment.Status.ASSIGNED, Assignment.Status.SERVING]
        )
        .select_related("mediator__user")
        .first()
    )


def serving_mediator(case: Case) -> Mediator | None:
    found = current_assignment(case)
    return found.mediator if found and found.status == Assignment.Status.SERVING else None


def assigned_user(case: Case) -> User | None:
    found = current_assignment(case)
    return found.mediator.user if found else None


def recused(case: Case) -> bool:
    """The last mediator assigned declared a conflict (the officer assigns another)."""
    last = Assignment.objects.filter(case=case).order_by("-pk").first()
    return bool(last and last.status == Assignment.Status.RECUSED)


def has_foreign_party(case: Case) -> bool:
    """A party who is not Chinese (a foreign national, an association abroad): a foreign
    mediator may then serve (法释〔2021〕23号)."""
    for party in party_list(case):
        person = party.person
        if person is not None and person.nationality and person.nationality.code != "CN":
            return True
        if party.country and party.country.code not in ("", "CN"):
            return True
    return False


def roster(case: Case) -> QuerySet[Mediator]:
    """The mediators the officer may assign: active ones, a foreign mediator only where a
    foreign party is involved, none who recused themselves from this case."""
    found = Mediator.objects.filter(active=True, user__is_active=True).select_related(
        "user", "organisation"
    )
    if not has_foreign_party(case):
        found = found.filter(nationality="CN")
    recused_ids = Assignment.objects.filter(case=case, status=Assignment.Status.RECUSED).values(
        "mediator"
    )
    return found.exclude(pk__in=recused_ids)


def sessions(case: Case) -> list[MediationSession]:
    return list(
        MediationSession.objects.filter(case=case)
        .select_related("record")
        .prefetch_related("attendees__party__person", "attendees__party__association")
        .order_by("round")
    )


def next_session(case: Case) -> MediationSession | None:
    return (
        MediationSession.objects.filter(case=case, status=MediationSession.Status.PLANNED)
        .order_by("starts_at")
        .first()
    )


def online_refused_because(case: Case) -> list[Party]:
    """The parties whose consent to online mediation is missing: only sessions in person
    can be scheduled until each has given it."""
    return parties_without_consent(case, Consent.Purpose.ONLINE_MEDIATION)


def invitable_parties(case: Case) -> list[Party]:
    """The parties who may attend: the persons among the parties and those acting for
    them (an association attends through its representatives)."""
    return [party for party in party_list(case) if party.person_id]


def mediation_clock(case: Case) -> Deadline | None:
    return case.deadlines.filter(kind=Deadline.Kind.MEDIATION).order_by("-pk").first()


def latest_result(case: Case) -> MediationResult | None:
    return MediationResult.objects.filter(case=case).order_by("-pk").first()


def mediator_cases(user: User) -> QuerySet[Assignment]:
    """The mediator's own list: the cases they are assigned to and still at work on."""
    return (
        Assignment.objects.filter(
            mediator__user=user,
            status__in=[Assignment.Status.ASSIGNED, Assignment.Status.SERVING],
        )
        .select_related("case", "case__handling_organisation")
        .order_by("case__received_on")
    )


def undeclared_task(case_pk: int, user: User) -> int | None:
    """The mediator's declaration task on the case, while they have not declared. Only a
    mediator is looked up: anyone else (every officer opening a case page) is not."""
    if not user.is_authenticated or not hasattr(user, "mediator"):
        return None
    return (
        Assignment.objects.filter(
            case_id=case_pk,
            mediator__user=user,
            status=Assignment.Status.ASSIGNED,
            task_id__isnull=False,
        )
        .values_list("task_id", flat=True)
        .first()
    )
