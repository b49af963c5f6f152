"""Reads of the agreement stage: the case's agreement, its terms and confirmations, who
still has to confirm the current version, the judicial-confirmation window and the
follow-up visits."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from cases.models import Case, CaseParticipant, Deadline, Language, Party, User
from cases.selectors import PRINCIPAL_ROLES, party_list
from documents.models import Document

from .models import Confirmation, FollowUpVisit, SettlementAgreement, Term

CHINESE = (Language.ZH_HANS, Language.ZH_HANT)


OBLIGOR = ("obligor__person", "obligor__association", "obligor__organisation")


def agreement_of(case: Case) -> SettlementAgreement | None:
    return (
        SettlementAgreement.objects.select_related("document", "effective_document")
        .prefetch_related(
            Prefetch(
                "terms",
                queryset=Term.objects.select_related(
                    "obligor__person", "obligor__association", "obligor__organisation"
                ),
            )
        )
        .filter(case=case)
        .first()
    )


def has_agreement(case: Case) -> bool:
    return SettlementAgreement.objects.filter(case=case).exists()


def case_mediator(case: Case) -> User | None:
    """The mediator named on the case (the mediation stage names them when they declare no
    conflict): the one who drafts and signs its agreement."""
    found = (
        CaseParticipant.objects.filter(case=case, relation=CaseParticipant.Relation.MEDIATOR)
        .select_related("user")
        .order_by("-added_at", "-pk")
        .first()
    )
    return found.user if found else None


def signatories(case: Case) -> list[Party]:
    """The parties whose signature the agreement needs: its claimants, respondents and
    third parties (each signs themselves or through someone acting for them)."""
    principals = [party for party in party_list(case) if party.role in PRINCIPAL_ROLES]
    # As documents list them: claimants, respondents, third parties.
    return sorted(principals, key=lambda party: PRINCIPAL_ROLES.index(party.role))


def needs_english(case: Case) -> bool:
    """Whether the agreement is bilingual (Chinese with English): a party, or someone acting
    for one, reads no Chinese."""
    return any(
        party.person_id and party.person.preferred_language not in CHINESE
        for party in party_list(case)
    )


def signs_for(party: Party) -> Party:
    """The party a signature counts for: the one the signer acts for, else themselves."""
    return party.on_behalf_of if party.on_behalf_of_id else party


def current_confirmations(agreement: SettlementAgreement) -> list[Confirmation]:
    """The confirmations of the current version's PDF as it is (not void)."""
    if agreement.document_id is None:
        return []
    return list(
        agreement.confirmations.filter(
            document_id=agreement.document_id, voided_at__isnull=True
        ).select_related("party__person", "party__on_behalf_of", "by", "evidence")
    )


def party_confirmations(
    agreement: SettlementAgreement, confirmations: list[Confirmation] | None = None
) -> list[Confirmation]:
    """The parties' confirmations of the current version (``confirmations``: those
    ``current_confirmations`` gave, when the caller has them already)."""
    if confirmations is None:
        confirmations = current_confirmations(agreement)
    return [c for c in confirmations if c.method != Confirmation.Method.MEDIATOR]


def unconfirmed(
    agreement: SettlementAgreement, confirmations: list[Confirmation] | None = None
) -> list[Party]:
    """The signatories who have not confirmed the current version (themselves or through
    someone acting for them)."""
    done = {signs_for(c.party).pk for c in party_confirmations(agreement, confirmations)}
    return [party for party in signatories(agreement.case) if party.pk not in done]


def may_confirm(agreement: SettlementAgreement, party: Party) -> bool:
    """Whether this party (a link's) signs for a signatory of the agreement."""
    principal = signs_for(party)
    return principal.role in PRINCIPAL_ROLES and principal.case_id == agreement.case_id


def has_confirmed(
    agreement: SettlementAgreement,
    party: Party,
    confirmations: list[Confirmation] | None = None,
) -> bool:
    """Whether this signer confirmed the current version. Each of an association's
    representatives may confirm for it (each is on the effective copy); one is enough."""
    return any(c.party_id == party.pk for c in party_confirmations(agreement, confirmations))


def version_ready(agreement: SettlementAgreement) -> bool:
    document = agreement.document
    return document is not None and document.rendering == Document.Rendering.READY


def judicial_window(case: Case) -> Deadline | None:
    """The 30-day window for judicial confirmation: the case's own clock, started when the
    agreement took effect."""
    return case.deadlines.filter(kind=Deadline.Kind.JUDICIAL_CONFIRMATION).order_by("-pk").first()


def open_terms(agreement: SettlementAgreement) -> list[Term]:
    """The terms not yet ended: to be performed, or with the mediator."""
    return [
        t for t in agreement.terms.all() if t.status in (Term.Status.PENDING, Term.Status.DISPUTED)
    ]


def visits(case: Case) -> QuerySet[FollowUpVisit]:
    return FollowUpVisit.objects.filter(case=case).select_related(
        "party__person", "party__association", "party__organisation", "visitor", "document"
    )
