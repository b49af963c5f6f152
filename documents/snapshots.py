"""The data a document is rendered from, taken from the case when the document is issued.

A snapshot is plain JSON (strings, lists, dicts). The full snapshot is stored with the
document; the template sees, and the PDF carries as ``snapshot.json``, its reader's view
(``reader_view``): only the parties' details that document's reader may see. So the PDF can
always be explained and checked without telling its reader more than it needs. Sensitive
details (ID-document numbers) never enter a snapshot.
"""

from __future__ import annotations

import datetime

from django.utils import translation

from cases import deadlines
from cases.calendar import WorkingCalendar, organisation_date
from cases.models import Case, CaseEvent, Deadline, Organisation, Party, transition_label
from cases.selectors import reads_no_chinese

from .kinds import KindSpec, Reader


def zh_date(day: datetime.date) -> str:
    """GB/T 9704-2012 writes the date with Arabic numerals: 2026年11月24日."""
    return f"{day.year}年{day.month}月{day.day}日"


def en_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


_NUMERALS = "一二三四五六七八九十"


def zh_number(n: int) -> str:
    """1 → 一 … 99 → 九十九: the numbers of second-level headings （一）（二）… and of a
    document's numbered sections."""
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _NUMERALS[tens - 1] + "十")
    return head + (_NUMERALS[units - 1] if units else "")


SUBJECTS = ("person", "association", "organisation")


_ROLE_ORDER = [Party.Role.CLAIMANT, Party.Role.RESPONDENT, Party.Role.THIRD_PARTY]


def _in_print_order(parties: list[Party]) -> list[Party]:
    """Claimants, respondents, third parties, as a document lists them, each followed by
    whoever acts for them; the order they were added within each."""
    acting = {}
    for party in parties:
        if party.on_behalf_of_id is not None:
            acting.setdefault(party.on_behalf_of_id, []).append(party)
    principals = [p for p in parties if p.on_behalf_of_id is None]
    principals.sort(key=lambda p: _ROLE_ORDER.index(p.role) if p.role in _ROLE_ORDER else 3)
    ordered = [q for p in principals for q in (p, *acting.get(p.pk, []))]
    # One acting for someone who acts for another: after them all, never left out.
    return ordered + [p for p in parties if p not in ordered]


def _party(party: Party) -> dict:
    return {
        **_party_details(party),
        "addressee": party.role == Party.Role.CLAIMANT,
        "acting_for": _acting_for(party),
    }


def _acting_for(party: Party) -> str:
    """For whom a representative or relative acts, as the registration form prints it."""
    if party.on_behalf_of_id is None:
        return ""
    name = _party_details(party.on_behalf_of)["name"]
    return f"{name}的亲属" if party.role == Party.Role.RELATIVE else f"受{name}委托"


def _party_details(party: Party) -> dict:
    subject = party.subject
    if party.organisation_id:
        return {
            "role": party.get_role_display(),
            "name": subject.name,
            "name_en": subject.name_en or subject.name,
            "country": party.country.name,
            "contact": " ".join(filter(None, [subject.phone, subject.address])),
            "identity": subject.get_kind_display(),
        }
    if party.association_id:
        return {
            "role": party.get_role_display(),
            "name": subject.name,
            "name_en": subject.name_latin or subject.name,
            "country": subject.country.name,
            "contact": " ".join(filter(None, [subject.phone, subject.email])),
            "identity": "侨团",
        }
    return {
        "role": party.get_role_display(),
        "name": str(subject),
        "name_en": subject.name_latin or subject.name_zh,
        "country": subject.residence_country.name,
        "contact": " ".join(filter(None, [subject.phone, subject.email, subject.wechat])),
        "identity": subject.get_identity_display(),
    }


def issuer(case: Case, spec: KindSpec) -> Organisation:
    return spec.issued_by(case) if spec.issued_by else case.handling_organisation


def _organisation(org: Organisation) -> dict:
    return {"name": org.name, "name_en": org.name_en or org.name, "phone": org.phone}


def base_snapshot(
    case: Case, spec: KindSpec, number: str, issued_on: datetime.date, version: int = 1
) -> dict:
    parties = list(
        case.parties.select_related(*SUBJECTS, *(f"on_behalf_of__{s}" for s in SUBJECTS))
    )
    parties = _in_print_order(parties)
    claimants = [p for p in parties if p.role == Party.Role.CLAIMANT]
    org = issuer(case, spec)
    bilingual = spec.to_party and reads_no_chinese(case)
    return {
        "kind": spec.kind,
        "title": spec.title,
        "title_en": spec.title_en,
        "number": number,
        "version": version,
        "organisation": org.name,
        "organisation_en": org.name_en or org.name,
        "organisation_phone": org.phone,
        # Who issues it in its own name: the PDF's author.
        "issuer": f"{org.name}{spec.issuing_body}",
        "issued_on": zh_date(issued_on),
        "issued_on_en": en_date(issued_on),
        "bilingual": bilingual,
        "subject": f"{spec.title}：{case.title}",
        "keywords": ", ".join([spec.title, case.number, case.get_category_display()]),
        # The name alone: the issuing unit heads the page (a screen label may repeat it).
        "officer": case.officer.formal_name if case.officer else "",
        "addressee": "、".join(_party_details(p)["name"] for p in claimants),
        "addressee_en": ", ".join(_party_details(p)["name_en"] for p in claimants),
        "case": {
            "number": case.number,
            "title": case.title,
            "category": case.get_category_display(),
            "channel": case.get_channel_display(),
            "received_on": zh_date(case.received_on),
            "received_on_en": en_date(case.received_on),
            "summary": case.summary,
            "claims": case.claims,
            "location": case.location,
            "risk": case.get_risk_level_display(),
        },
        "parties": [_party(p) for p in parties],
    }


# What of each party a reader's view keeps (a list of what may stay, so that a detail added
# to the snapshot later stays out of the PDFs until it is placed here). ``addressee`` marks
# the parties the notices to parties are addressed to (the claimants).
_WHO = ("role", "name", "name_en", "addressee", "acting_for")
_IDENTITY = ("country", "identity")
_CONTACT = ("contact",)
PARTY_DETAILS = {
    Reader.OFFICE: _WHO + _IDENTITY + _CONTACT,
    Reader.BODY: _WHO + _IDENTITY,
}
ADDRESSEE_DETAILS = _WHO + _IDENTITY + _CONTACT  # an addressee's own, in a notice to them
OTHER_PARTY_DETAILS = _WHO  # the other parties, in a notice to the addressees


def _party_view(party: dict, reader: str) -> dict:
    if reader == Reader.PARTY:
        keep = ADDRESSEE_DETAILS if party.get("addressee") else OTHER_PARTY_DETAILS
    else:
        keep = PARTY_DETAILS.get(reader, OTHER_PARTY_DETAILS)  # unknown: the least
    return {key: value for key, value in party.items() if key in keep}


def reader_view(snapshot: dict, reader: str) -> dict:
    """The snapshot as its reader may see it: what the template is given and the PDF
    carries. Only the parties' details are narrowed; the rest is the document's own."""
    if "parties" not in snapshot:
        return snapshot
    return {**snapshot, "parties": [_party_view(p, reader) for p in snapshot["parties"]]}


def _deadline(case: Case, kind: str) -> Deadline | None:
    return case.deadlines.filter(kind=kind).order_by("-starts_on", "-id").first()


def _last_transition(case: Case, name: str) -> CaseEvent | None:
    return case.events.filter(transition=name).order_by("-id").first()


def acceptance_extra(case: Case, issued_on: datetime.date) -> dict:
    handling = _deadline(case, Deadline.Kind.HANDLING)
    return {
        "accepted_on": zh_date(case.accepted_on or issued_on),
        "handling_due": zh_date(handling.due_on) if handling else "",
        "handling_due_en": en_date(handling.due_on) if handling else "",
    }


def refusal_extra(case: Case, issued_on: datetime.date) -> dict:
    event = _last_transition(case, "decline")
    return {"reason": event.reason if event else "", "reason_en": event.reason_en if event else ""}


def referral_extra(case: Case, issued_on: datetime.date) -> dict:
    event = _last_transition(case, "refer")
    # The receiver's window to object (《信访工作条例》 Art. 23) is the clock the referral
    # started: the date the letter gives is the one the clocks enforce.
    window = _deadline(case, Deadline.Kind.REFERRAL_OBJECTION)
    return {
        "reason": event.reason if event else "",
        "receiver": _organisation(case.referred_to) if case.referred_to else {},
        "objection_due": zh_date(window.due_on) if window else "",
    }


def extension_extra(case: Case, issued_on: datetime.date) -> dict:
    handling = _deadline(case, Deadline.Kind.HANDLING)
    original = deadlines.due_date(
        handling.kind,
        handling.starts_on,
        WorkingCalendar.load(),
        suspended_working_days=handling.suspended_working_days,
    )
    return {
        "extension_days": handling.extension_days,
        "reason": handling.extension_reason,
        "reason_en": handling.extension_reason_en.rstrip("."),  # the template ends it
        "original_due": zh_date(original),
        "new_due": zh_date(handling.due_on),
        "new_due_en": en_date(handling.due_on),
    }


def suspension_extra(case: Case, issued_on: datetime.date) -> dict:
    suspension = case.suspensions.order_by("-suspended_on", "-id").first()
    if suspension is None:
        return {"reason": "", "reason_en": ""}
    expected = suspension.expected_resume_on
    # The English reason is kept with the step on the timeline ([Q6e]).
    event = _last_transition(case, "suspend")
    return {
        "reason": suspension.reason,
        "reason_en": event.reason_en.rstrip(".") if event else "",  # the template ends it
        "suspended_on": zh_date(suspension.suspended_on),
        "suspended_on_en": en_date(suspension.suspended_on),
        "expected_resume_on": zh_date(expected) if expected else "",
        "expected_resume_on_en": en_date(expected) if expected else "",
    }


def closing_extra(case: Case, issued_on: datetime.date) -> dict:
    steps = case.events.filter(kind=CaseEvent.Kind.TRANSITION).order_by("occurred_at", "id")
    event = _last_transition(case, "close")
    return {
        "outcome": event.reason if event else "",
        "steps": [
            {
                "on": zh_date(organisation_date(e.occurred_at)),
                "step": transition_label(e.transition),
                "reason": e.reason.rstrip("。."),  # the template ends the sentence
            }
            for e in steps
        ],
    }


EXTRAS = {
    "acceptance_notice": acceptance_extra,
    "refusal_notice": refusal_extra,
    "referral_letter": referral_extra,
    "extension_notice": extension_extra,
    "suspension_notice": suspension_extra,
    "closing_report": closing_extra,
}


def build(case: Case, spec: KindSpec, number: str, issued_on: datetime.date) -> dict:
    # Official documents are in Chinese whatever language the officer's screen is in.
    with translation.override("zh-hans"):
        snapshot = base_snapshot(case, spec, number, issued_on)
        extra = spec.extra or EXTRAS.get(spec.kind)
        if extra:
            snapshot.update(extra(case, issued_on))
    return snapshot
