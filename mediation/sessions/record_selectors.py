"""Reads of the 调解笔录 and of the case's thread of proposals."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from cases.models import Case, Party

from .models import Attendee, Proposal, RecordResponse, SessionRecord

# Who made an entry, and the session it was made in: what a thread prints for each.
_ENTRY_WITH = ("party__person", "party__association", "party__organisation", "session")
# An answer of these stances closes what it answers: the thread goes on from a counter.
CLOSING = (Proposal.Stance.REJECTED, Proposal.Stance.COUNTER)


@dataclass
class ThreadEntry:
    proposal: Proposal
    answers: list[ThreadEntry] = field(default_factory=list)


def record_to_issue(case: Case) -> SessionRecord:
    """The record being issued: marked issued, its PDF not yet attached (the document
    kind's snapshot reads it while ``records.issue_record`` issues the PDF)."""
    return (
        SessionRecord.objects.filter(
            session__case=case, status=SessionRecord.Status.ISSUED, document=None
        )
        .select_related("session__case", "written_by")
        .latest("pk")
    )


def thread(case: Case) -> list[ThreadEntry]:
    """The case's proposals in the order they were made, each with its answers (and the
    answers to those) nested under it."""
    entries = {
        p.pk: ThreadEntry(p)
        for p in Proposal.objects.filter(case=case)
        .select_related(*_ENTRY_WITH)
        .order_by("at", "pk")
    }
    roots = []
    for entry in entries.values():
        parent = entries.get(entry.proposal.answers_id)
        (parent.answers if parent else roots).append(entry)
    return roots


def open_proposals(case: Case) -> list[Proposal]:
    """Where the last round ended: the proposals and counter-proposals that no answer has
    rejected or countered yet (one accepted by a party may still wait for the others)."""
    return list(
        Proposal.objects.filter(
            case=case, stance__in=[Proposal.Stance.PROPOSAL, Proposal.Stance.COUNTER]
        )
        .exclude(answers_to_it__stance__in=CLOSING)
        .select_related(*_ENTRY_WITH)
        .order_by("at", "pk")
    )


def agreed_proposals(case: Case) -> list[dict]:
    """The thread's proposals still standing that a party accepted: what the written
    agreement is drafted from (asked by the agreement stage, ``workflows.stages.ask``)."""
    return [
        {"text": proposal.text, "by": str(proposal.party) if proposal.party_id else ""}
        for proposal in open_proposals(case)
        if proposal.answers_to_it.filter(stance=Proposal.Stance.ACCEPTED).exists()
    ]


def attending_as(party: Party) -> list[int]:
    """The parties whose invitation to a session lets this party answer its record: their
    own, and that of the party they act for."""
    return [pk for pk in (party.pk, party.on_behalf_of_id) if pk is not None]


def is_invited(record: SessionRecord, party: Party) -> bool:
    return Attendee.objects.filter(
        session_id=record.session_id, party_id__in=attending_as(party)
    ).exists()


@dataclass
class PartyRecord:
    record: SessionRecord
    answer: RecordResponse | None  # the party's latest


def records_for_party(party: Party) -> list[PartyRecord]:
    """The issued records of the sessions the party (or the party they act for) was
    invited to, oldest round first, each with the party's latest answer to it."""
    invited = Q(session__attendees__party_id__in=attending_as(party))
    records = (
        SessionRecord.objects.filter(invited, status=SessionRecord.Status.ISSUED)
        .filter(session__case_id=party.case_id)
        .exclude(document=None)
        .select_related("session", "document")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=RecordResponse.objects.filter(party=party).order_by("at", "pk"),
                to_attr="own_answers",
            )
        )
        .distinct()
        .order_by("session__round")
    )
    return [PartyRecord(r, r.own_answers[-1] if r.own_answers else None) for r in records]
