"""What the agreement stage's documents print, frozen when each is issued (its snapshot):
the 调解协议书 (each version, then the effective copy), the 司法确认申请书 and the 回访记录.
Official documents are in Chinese; the agreement has its English alongside where a party
reads no Chinese (the Chinese text prevails)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from cases.models import Case, Membership, Party, Role
from cases.selectors import party_list
from documents.kinds import KindSpec, Reader
from documents.snapshots import en_date, zh_date

from . import kinds, selectors
from .models import Confirmation, FollowUpVisit, SettlementAgreement

BEIJING = "Asia/Shanghai"
PARTY = ("party__person", "party__association", "party__organisation")


def _name(party: Party) -> tuple[str, str]:
    subject = party.subject
    return str(subject), getattr(subject, "name_latin", "") or getattr(
        subject, "name_en", ""
    ) or str(subject)


def _signatory(party: Party, agents: list[Party]) -> dict:
    name, name_en = _name(party)
    subject = party.subject
    country = getattr(subject, "residence_country", None) or getattr(subject, "country", None)
    return {
        "role": party.get_role_display(),
        "role_en": Party.Role(party.role).name.replace("_", " ").capitalize(),
        "name": name,
        "name_en": name_en,
        "country": getattr(country, "name", "") if country else "",
        "agents": [
            {"name": _name(a)[0], "name_en": _name(a)[1], "role": a.get_role_display()}
            for a in agents
            if a.on_behalf_of_id == party.pk
        ],
    }


def signatories(case: Case) -> list[dict]:
    parties = party_list(case)
    return [_signatory(p, parties) for p in selectors.signatories(case)]


def _mediator(case: Case) -> dict:
    user = selectors.case_mediator(case)
    if user is None:
        return {"name": "", "committee": ""}
    membership = (
        Membership.objects.filter(user=user, role=Role.MEDIATOR)
        .select_related("organisation")
        .first()
    )
    return {
        "name": user.formal_name,
        "committee": membership.organisation.name if membership else "",
    }


def _term(term) -> dict:
    name, name_en = _name(term.obligor)
    return {
        "order": term.order,
        "obligor": name,
        "obligor_en": name_en,
        "text": term.text,
        "text_en": term.text_en,
        "method": term.method,
        "method_en": term.method_en,
        "due_on": zh_date(term.due_on),
        "due_on_en": en_date(term.due_on),
    }


def agreement_extra(case: Case, issued_on: datetime.date) -> dict:
    """The agreement's text as it is now (a version's)."""
    agreement = SettlementAgreement.objects.get(case=case)
    parties = signatories(case)
    return {
        "bilingual": selectors.needs_english(case),
        "signatories": parties,
        "facts": agreement.facts,
        "facts_en": agreement.facts_en,
        "disputes": agreement.disputes,
        "disputes_en": agreement.disputes_en,
        "responsibilities": agreement.responsibilities,
        "responsibilities_en": agreement.responsibilities_en,
        "terms": [_term(t) for t in agreement.terms.select_related(*selectors.OBLIGOR)],
        "mediator": _mediator(case),
        # One copy for each party and one for the committee (Art. 29).
        "copies": len(parties) + 1,
        "effective": False,
        "signed": False,
    }


def _when(moment: datetime.datetime) -> str:
    """Beijing time, as the documents print every time."""
    return timezone.localtime(moment, ZoneInfo(BEIJING)).strftime("%Y-%m-%d %H:%M")


def _confirmation(found: Confirmation) -> dict:
    if found.party_id:
        who, who_en = _name(found.party)
        principal = selectors.signs_for(found.party)
        acting = _name(principal)[0] if principal.pk != found.party_id else ""
    else:
        who = who_en = found.by.formal_name
        acting = ""
    return {
        "who": who,
        "who_en": who_en,
        "acting_for": acting,
        "when": _when(found.at),
        "how": str(Confirmation.Method(found.method).label),
        "method": found.method,
        "sha256": found.sha256,
    }


def effective_extra(agreement: SettlementAgreement, today: datetime.date) -> dict:
    """The effective copy: the confirmed text, the date it took effect and the list of
    confirmations (who, when, how), the mediator's last; signed when rendered."""
    confirmed = selectors.current_confirmations(agreement)
    return {
        "effective": True,
        "effective_on": zh_date(today),
        "effective_on_en": en_date(today),
        "confirmed_version": agreement.document.version,
        "confirmed_sha256": agreement.document.sha256,
        "confirmations": [_confirmation(c) for c in confirmed],
        "signed": True,
    }


def application_extra(case: Case, issued_on: datetime.date) -> dict:
    """The joint application to the court (《人民调解法》 Art. 33), the agreement attached."""
    agreement = SettlementAgreement.objects.select_related("effective_document").get(case=case)
    found = agreement.judicial_confirmation
    document = agreement.effective_document
    return {
        "court": found.court,
        "applicants": signatories(case),
        "agreement_number": document.number if document else "",
        "agreement_effective_on": zh_date(agreement.effective_on) if agreement.effective_on else "",
        "mediator": _mediator(case),
        "terms": [_term(t) for t in agreement.terms.select_related(*selectors.OBLIGOR)],
        "attachments": [
            f"人民调解协议书（{document.number}）" if document else "人民调解协议书",
            "当事人身份证明、授权委托书",
        ],
    }


def follow_up_extra(case: Case, issued_on: datetime.date) -> dict:
    """The latest follow-up visit of the case (the one this 回访记录 is issued for)."""
    visit = (
        FollowUpVisit.objects.filter(case=case)
        .select_related(
            "agreement__effective_document",
            "visitor",
            *PARTY,
        )
        .order_by("-pk")
        .first()
    )
    agreement = visit.agreement
    return {
        "visit": {
            "party": _name(visit.party)[0],
            "agreement_number": (
                agreement.effective_document.number
                if agreement and agreement.effective_document_id
                else ""
            ),
            "reason": visit.reason,
            "method": str(FollowUpVisit.Method(visit.method).label),
            "performance": visit.performance,
            "satisfaction": visit.satisfaction,
            "comment": visit.comment,
            "visitor": visit.visitor.formal_name if visit.visitor else "当事人本人（链接答复）",
            "visited_on": zh_date(visit.visited_on),
        }
    }


AGREEMENT_KIND = KindSpec(
    kinds.AGREEMENT,
    "人民调解协议书",
    "Settlement agreement",
    "agreement",
    True,
    extra=agreement_extra,
    template="agreements/print/settlement_agreement.html",
    mark="调",
    # The parties' copy: their names and who acts for them, no contact details.
    reader=Reader.BODY,
)
APPLICATION_KIND = KindSpec(
    kinds.APPLICATION,
    "司法确认申请书",
    "Application for judicial confirmation",
    None,
    False,
    extra=application_extra,
    template="agreements/print/judicial_application.html",
    reader=Reader.BODY,
)
FOLLOW_UP_KIND = KindSpec(
    kinds.FOLLOW_UP,
    "回访记录",
    "Follow-up record",
    None,
    False,
    extra=follow_up_extra,
    template="agreements/print/follow_up_record.html",
    reader=Reader.OFFICE,
)
KINDS = (AGREEMENT_KIND, APPLICATION_KIND, FOLLOW_UP_KIND)
