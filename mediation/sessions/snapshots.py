"""The 调解笔录's data, taken when the mediator issues the record (see
``documents.snapshots``), and its document kind, which the stage registers.

Every participant reads the record, so it carries no one's contact details: who attended
and in what capacity, what was said and proposed. The time is Beijing time, as every
document of the organisation gives it, with the time in the zone the mediator set the
session in when that is another zone (the second round, set in Kuala Lumpur time)."""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import zones
from cases.models import Case, Party
from documents.kinds import KindSpec, Reader
from documents.models import Document
from documents.snapshots import zh_date, zh_number

from . import kinds
from .models import Attendee, MediationSession, Proposal, SessionRecord
from .record_selectors import record_to_issue
from .selectors import serving_mediator

# A person who is not a party, as the record names their capacity.
GUEST_ROLES = {
    Attendee.Role.INTERPRETER: "翻译人员",
    Attendee.Role.ADVISER: "顾问",
    Attendee.Role.REPRESENTATIVE: "代理人",
    Attendee.Role.RELATIVE: "亲属",
    Attendee.Role.PARTY: "当事人",
}
MEDIATOR = "调解员"


def _zh_time(moment: datetime.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """09:30 → 上午9时30分, the way the organisation's documents give a time."""
    local = timezone.localtime(moment, zone)
    half = "上午" if local.hour < 12 else "下午"
    hour = local.hour if local.hour <= 12 else local.hour - 12
    return f"{half}{hour}时" + (f"{local.minute}分" if local.minute else "")


def _span(session: MediationSession, zone: zoneinfo.ZoneInfo) -> str:
    """2026年12月8日上午9时30分至11时; the end's date too if it is another day there."""
    start = timezone.localtime(session.starts_at, zone)
    end = timezone.localtime(session.ends_at, zone)
    until = _zh_time(session.ends_at, zone)
    if end.date() != start.date():
        until = zh_date(end.date()) + until
    elif (start.hour < 12) == (end.hour < 12):
        until = until[2:]  # 上午9时30分至11时: the half of the day is said once
    return f"{zh_date(start.date())}{_zh_time(session.starts_at, zone)}至{until}"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _party_name(party: Party) -> str:
    return str(party.subject)


def _acting_for(party: Party) -> str:
    """For whom a representative or relative acts, as the other documents print it."""
    if party.on_behalf_of_id is None:
        return ""
    name = _party_name(party.on_behalf_of)
    return f"{name}的亲属" if party.role == Party.Role.RELATIVE else f"受{name}委托"


def _attendee(attendee: Attendee) -> dict:
    if attendee.party_id:
        party = attendee.party
        role = party.get_role_display()
        return {"role": str(role), "name": _party_name(party), "acting_for": _acting_for(party)}
    return {"role": GUEST_ROLES[attendee.role], "name": attendee.name, "acting_for": ""}


def _by(proposal: Proposal) -> str:
    if proposal.party_id is None:
        return MEDIATOR
    return f"{proposal.party.get_role_display()}{_party_name(proposal.party)}"


def _excerpt(text: str, length: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length] + "……"


def _proposals(session: MediationSession) -> list[dict]:
    """The session's entries of the thread in order. An answer names what it answers: an
    entry of this record by its number, one of an earlier round by its round, who made it
    and its first words."""
    entries = list(
        Proposal.objects.filter(session=session)
        .select_related(
            "party__person",
            "party__association",
            "party__organisation",
            "answers__party__person",
            "answers__party__association",
            "answers__party__organisation",
            "answers__session",
        )
        .order_by("at", "pk")
    )
    numbers = {p.pk: zh_number(n) for n, p in enumerate(entries, start=1)}
    result = []
    for proposal in entries:
        answered = proposal.answers
        if answered is None:
            refers_to = ""
        elif answered.pk in numbers:
            refers_to = f"第（{numbers[answered.pk]}）项"
        else:
            when = f"第{zh_number(answered.session.round)}次调解中" if answered.session else ""
            refers_to = f"{when}{_by(answered)}提出的“{_excerpt(answered.text)}”"
        result.append(
            {
                "number": numbers[proposal.pk],
                "by": _by(proposal),
                "stance": proposal.stance,
                "text": " ".join(_lines(proposal.text)),
                "answers": refers_to,
            }
        )
    return result


def _when_and_where(session: MediationSession) -> dict:
    beijing = timezone.get_default_timezone()
    set_in = zoneinfo.ZoneInfo(str(session.set_in_zone))
    other_zone = set_in.key != beijing.key
    return {
        "round": zh_number(session.round),
        "online": session.mode == MediationSession.Mode.ONLINE,
        "place": session.place,
        "time": _span(session, beijing),
        # The zone the time was agreed in, named by its city: 吉隆坡时间.
        "zone_time": f"{zones.city(set_in)}时间{_span(session, set_in)}" if other_zone else "",
    }


def record_snapshot(record: SessionRecord) -> dict:
    session = record.session
    attendees = list(
        session.attendees.select_related(
            "party__person",
            "party__association",
            "party__organisation",
            "party__on_behalf_of__person",
            "party__on_behalf_of__association",
            "party__on_behalf_of__organisation",
        )
    )
    mediator = serving_mediator(session.case)
    return {
        **_when_and_where(session),
        "mediator": mediator.user.formal_name if mediator else "",
        "mediator_organisation": mediator.organisation.name if mediator else "",
        "recorder": record.written_by.formal_name,
        "attended": [_attendee(a) for a in attendees if a.attended],
        "absent": [_attendee(a) for a in attendees if a.attended is False],
        "statements": _lines(record.statements),
        "proposals": _proposals(session),
        "summary": _lines(record.summary),
    }


def record_extra(case: Case, issued_on: datetime.date) -> dict:
    """The record being issued (``record_selectors.record_to_issue``)."""
    return {"record": record_snapshot(record_to_issue(case))}


def record_addressees(document: Document) -> list[Party]:
    """The parties invited to the session whose record the document is."""
    record = SessionRecord.objects.select_related("session").get(document=document)
    return [a.party for a in record.session.attendees.select_related("party") if a.party_id]


KIND = KindSpec(
    kinds.SESSION_RECORD,
    "调解笔录",
    "Record of mediation session",
    # A 笔录 is a record of what was said, signed by those present, not a 公文: no 文号.
    None,
    # Not a notice to the claimant: every attendee reads the one Chinese text (and may
    # comment on it through their link).
    False,
    label=_("Record of mediation session (调解笔录)"),
    extra=record_extra,
    template="sessions/print/session_record.html",
    # Every participant reads it: who the parties are, nobody's contact details.
    reader=Reader.BODY,
    # Once rendered it is e-mailed to the parties invited to the session (with their
    # consents), to read and confirm through their own link.
    addressees=record_addressees,
    email="sessions_record",
)
