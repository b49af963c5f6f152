"""What the agreement stage's documents print, frozen when each is issued (its snapshot):
the 调解协议书 (each version, then the effective copy), the 司法确认申请书 and the 回访记录.
Official documents are in Chinese; the agreement has its English alongside where a party
reads no Chinese (the Chinese text prevails)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Membership, Party, Role
from cases.selectors import party_list
from documents.kinds import KindSpec, Reader
from documents.snapshots import en_date, zh_date, zh_number

from . import kinds, selectors
from .models import Confirmation, FollowUpVisit, SettlementAgreement

BEIJING = "Asia/Shanghai"
PARTY = ("party__person", "party__association", "party__organisation")

# How a confirmation was given, as the effective copy prints it (Chinese, then English):
# the printed words are the document's own, whatever the screens' catalogue says.
HOW = {
    Confirmation.Method.LINK: ("在线确认（电子邮件一次性验证码）", "Online, with a one-time code"),
    Confirmation.Method.PAPER: ("签署纸质文本", "Signed paper copy"),
    Confirmation.Method.MEDIATOR: ("调解员签名", "Mediator's signature"),
}
VISIT_METHODS = {
    FollowUpVisit.Method.VISIT: "上门回访",
    FollowUpVisit.Method.PHONE: "电话回访",
    FollowUpVisit.Method.VIDEO: "视频回访",
    FollowUpVisit.Method.LINK: "当事人通过专用链接答复",
}
# The 回访记录's scale of satisfaction, 1 to 5.
SATISFACTION = {1: "很不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "非常满意"}


def _country(party: Party) -> tuple[str, str]:
    country = party.country
    if not country:
        return "", ""
    with translation.override("en"):
        english = str(country.name)
    return str(country.name), english


def _name(party: Party) -> tuple[str, str]:
    subject = party.subject
    return str(subject), getattr(subject, "name_latin", "") or getattr(
        subject, "name_en", ""
    ) or str(subject)


def _role_en(party: Party) -> str:
    return Party.Role(party.role).name.replace("_", " ").capitalize()


def _signatory(party: Party, agents: list[Party]) -> dict:
    name, name_en = _name(party)
    country, country_en = _country(party)
    return {
        "role": party.get_role_display(),
        "role_en": _role_en(party),
        "name": name,
        "name_en": name_en,
        "country": country,
        "country_en": country_en,
        "agents": [
            {
                "name": _name(a)[0],
                "name_en": _name(a)[1],
                "role": a.get_role_display(),
                "role_en": _role_en(a),
            }
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
        "number": zh_number(term.order),
        "obligor": name,
        "obligor_en": name_en,
        "text": term.text,
        # The text as a clause of a sentence (the application lists the terms in one).
        "clause": term.text.rstrip("。；;.！!？?"),
        "text_en": term.text_en,
        "method": term.method,
        "method_en": term.method_en,
        "due_on": zh_date(term.due_on),
        "due_on_en": en_date(term.due_on),
    }


def agreement_extra(case: Case, issued_on: datetime.date) -> dict:
    """The agreement's text as it is now (a version's). In Chinese whatever language the
    screen that issues a later version is in (the roles and countries it names)."""
    with translation.override("zh-hans"):
        return _agreement(case, issued_on)


def _agreement(case: Case, issued_on: datetime.date) -> dict:
    agreement = SettlementAgreement.objects.get(case=case)
    parties = signatories(case)
    return {
        # A later version and the effective copy are dated the day they are issued (a
        # correction keeps the rest of the first version's data).
        "issued_on": zh_date(issued_on),
        "issued_on_en": en_date(issued_on),
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
    """Who confirmed, for whom (the party their confirmation counts for: its signature row),
    when and how; never the e-mail address, the IP address or the browser kept with it."""
    if found.party_id:
        who, who_en = _name(found.party)
        role = found.party.get_role_display()
        principal = selectors.signs_for(found.party)
        signs_for = _name(principal)[0]
        acting = signs_for if principal.pk != found.party_id else ""
    else:
        who = who_en = found.by.formal_name
        role, signs_for, acting = "调解员", "", ""
    how, how_en = HOW[found.method]
    return {
        "who": who,
        "who_en": who_en,
        "role": role,
        "signs_for": signs_for,
        "acting_for": acting,
        "when": _when(found.at),
        "on": zh_date(timezone.localtime(found.at, ZoneInfo(BEIJING)).date()),
        "how": how,
        "how_en": how_en,
        "method": found.method,
        "sha256": found.sha256,
    }


def effective_extra(agreement: SettlementAgreement, today: datetime.date) -> dict:
    """The effective copy: the confirmed text, the date it took effect and the list of
    confirmations (who, when, how), the mediator's last; signed when rendered."""
    confirmed = selectors.current_confirmations(agreement)
    sha256 = agreement.document.sha256
    with translation.override("zh-hans"):
        confirmations = [_confirmation(c) for c in confirmed]
    return {
        "effective": True,
        "effective_on": zh_date(today),
        "effective_on_en": en_date(today),
        "confirmed_version": agreement.document.version,
        "confirmed_sha256": sha256,
        # The hash in groups of eight, so that it breaks between them on the page.
        "confirmed_sha256_groups": [sha256[i : i + 8] for i in range(0, len(sha256), 8)],
        "confirmations": confirmations,
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
            "party_role": visit.party.get_role_display(),
            "agreement_number": (
                agreement.effective_document.number
                if agreement and agreement.effective_document_id
                else ""
            ),
            "reason": visit.reason,
            "method": VISIT_METHODS[visit.method],
            "performance": visit.performance,
            "satisfaction": visit.satisfaction,
            "satisfaction_label": SATISFACTION[visit.satisfaction],
            "comment": visit.comment,
            "visitor": visit.visitor.formal_name
            if visit.visitor
            else "无（当事人通过本人链接答复）",
            "visited_on": zh_date(visit.visited_on),
        }
    }


AGREEMENT_KIND = KindSpec(
    kinds.AGREEMENT,
    "人民调解协议书",
    "Settlement agreement",
    "agreement",
    True,
    label=_("Settlement agreement (人民调解协议书)"),
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
    label=_("Application for judicial confirmation (司法确认申请书)"),
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
    label=_("Follow-up record (回访记录)"),
    extra=follow_up_extra,
    template="agreements/print/follow_up_record.html",
    reader=Reader.OFFICE,
)
KINDS = (AGREEMENT_KIND, APPLICATION_KIND, FOLLOW_UP_KIND)
