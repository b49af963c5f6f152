"""Writes of the 调解笔录 and of the case's thread of proposals.

The case's serving mediator writes the record of a session during or after it: who attended,
the parties' statements, the proposals and the answers to them, their summary; saved as a
draft as often as they like. Issuing it marks the session held and issues its PDF, which
the attendees confirm or comment on through their own links; each answer keeps the SHA-256
of the PDF the party saw. Proposals are one thread per case, appended to and never
rewritten: the next round starts from where the last one ended
(``record_selectors.open_proposals``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases.models import Case, CaseEvent, Party, PartyLink, User
from cases.timeline import fields as said
from cases.timeline import line
from documents.models import Document
from documents.services import issue_document

from . import kinds, selectors, services
from .models import NOTE_MAX, TEXT_MAX, MediationSession, Proposal, RecordResponse, SessionRecord
from .record_selectors import is_invited

# What a timeline entry quotes of a proposal.
QUOTE = 60


def _record(case: Case, actor: User | None, kind: str, msgid: str, **params) -> None:
    CaseEvent.objects.create(
        case=case, actor=actor, kind=kind, transition=kind, **said(line(msgid, **params))
    )


def _session(session_pk: int) -> MediationSession:
    # The session's row alone: the case is read with it, not locked.
    return (
        MediationSession.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=session_pk)
    )


def _require_mediator(actor: User, case: Case) -> None:
    """Only the mediator serving on the case now writes and issues its records."""
    mediator = selectors.serving_mediator(case)
    if mediator is None or not actor.is_active or mediator.user_id != actor.pk:
        raise PermissionDenied(_("Only the case's mediator writes the record of a session."))


def _require_open(session: MediationSession) -> SessionRecord | None:
    if session.status == MediationSession.Status.CANCELLED:
        raise ValidationError(_("This session was cancelled: it has no record."), code="cancelled")
    if session.starts_at > timezone.now():
        raise ValidationError(
            _("The record is written once the session has begun."), code="not_begun"
        )
    record = SessionRecord.objects.select_for_update().filter(session=session).first()
    if record is not None and record.status != SessionRecord.Status.DRAFT:
        raise ValidationError(_("The record of this session is issued already."), code="issued")
    return record


def _text(value: str, limit: int, message: str, code: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(message, code=code)
    if len(value) > limit:
        raise ValidationError(
            _("A text is at most %(limit)d characters.") % {"limit": limit}, code="too_long"
        )
    return value


def _record_attendance(session: MediationSession, attended: dict[int, bool]) -> None:
    attendees = {a.pk: a for a in session.attendees.select_for_update()}
    unknown = set(attended) - set(attendees)
    if unknown:
        raise ValidationError(_("Record only the attendance of those invited."), code="attendee")
    for pk, present in attended.items():
        attendee = attendees[pk]
        if attendee.attended is not present:
            attendee.attended = bool(present)
            attendee.save(update_fields=["attended"])


# The thread of proposals ----------------------------------------------------------------


def _pk(value) -> int:
    """A row's key as given: a number, or a message (never a 500 on a tampered form)."""
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValidationError(_("Choose from the list."), code="invalid_choice")
    return int(value)


def _answered(case: Case, entry: dict, added: list[Proposal]) -> Proposal | None:
    """What an entry answers: a proposal of the case given by its pk, or one added earlier
    in the same save by its place in the list (``answers_index``)."""
    if entry.get("answers_index") is not None:
        index = entry["answers_index"]
        if not (isinstance(index, int) and 0 <= index < len(added)):
            raise ValidationError(_("An answer answers an entry above it."), code="answers")
        return added[index]
    if entry.get("answers_pk") is None:
        return None
    found = Proposal.objects.filter(pk=_pk(entry["answers_pk"]), case=case).first()
    if found is None:
        raise ValidationError(
            _("An answer answers a proposal of the same case."), code="answers_other_case"
        )
    return found


def _check_entry(case: Case, entry: dict, answered: Proposal | None) -> Party | None:
    stance = entry.get("stance")
    if stance not in Proposal.Stance.values:
        raise ValidationError(_("Say whether it is a proposal or an answer."), code="stance")
    if stance == Proposal.Stance.PROPOSAL and answered is not None:
        raise ValidationError(
            _("A proposal made in answer to another is a counter-proposal."), code="answers"
        )
    if stance != Proposal.Stance.PROPOSAL and answered is None:
        raise ValidationError(_("Say which proposal the answer is to."), code="answers")
    if answered is not None and answered.stance not in (
        Proposal.Stance.PROPOSAL,
        Proposal.Stance.COUNTER,
    ):
        raise ValidationError(
            _("Only a proposal or a counter-proposal is answered."), code="answers_answer"
        )
    party = None
    if entry.get("party_pk") is not None:
        party = case.parties.filter(pk=_pk(entry["party_pk"])).first()
        if party is None:
            raise ValidationError(_("Only a party of this case makes a proposal."), code="party")
    if answered is not None and answered.party_id == (party.pk if party else None):
        raise ValidationError(_("A proposal is answered by someone else."), code="own")
    return party


def _add_proposals(session: MediationSession, actor: User, entries: list[dict]) -> list[Proposal]:
    case = session.case
    added: list[Proposal] = []
    for entry in entries:
        answered = _answered(case, entry, added)
        party = _check_entry(case, entry, answered)
        text = _text(
            entry.get("text"),
            NOTE_MAX,
            _("Write what was proposed or answered."),
            "text",
            required=True,
        )
        proposal = Proposal.objects.create(
            case=case,
            session=session,
            party=party,
            answers=answered,
            stance=entry["stance"],
            text=text,
            recorded_by=actor,
        )
        added.append(proposal)
        _record(
            case,
            actor,
            kinds.PROPOSAL,
            gettext_noop("Round %(round)d, %(who)s: %(stance)s: %(text)s"),
            round=session.round,
            who=str(party.subject) if party else {"t": gettext_noop("the mediator")},
            stance=Proposal.Stance(proposal.stance).label,
            text=text if len(text) <= QUOTE else text[:QUOTE] + "…",
        )
    return added


# The record ------------------------------------------------------------------------------


@transaction.atomic
def write_record(
    *,
    session_pk: int,
    actor: User,
    statements: str,
    summary: str,
    attended: dict[int, bool],
    proposals: list[dict],
) -> SessionRecord:
    """Save the draft of a session's record: the statements and the summary (replacing the
    last draft's), the attendance of those invited (attendee pk → came), and the entries
    added to the case's thread of proposals. Each entry: ``stance``, ``text``, ``party_pk``
    (None: the mediator's), and what it answers, ``answers_pk`` (any proposal of the case)
    or ``answers_index`` (an entry above it in the same list)."""
    session = _session(session_pk)
    _require_mediator(actor, session.case)
    record = _require_open(session)
    statements = _text(statements, TEXT_MAX, "", "statements", required=False)
    summary = _text(summary, TEXT_MAX, "", "summary", required=False)
    _record_attendance(session, attended)
    _add_proposals(session, actor, proposals)
    first = record is None
    if first:
        record = SessionRecord(session=session)
    record.statements, record.summary = statements, summary
    record.written_by, record.written_at = actor, timezone.now()
    record.save()
    if first:
        _record(
            session.case,
            actor,
            kinds.RECORD,
            gettext_noop("The record of mediation round %(round)d is being written."),
            round=session.round,
        )
    return record


def _require_complete(session: MediationSession, record: SessionRecord | None) -> SessionRecord:
    if record is None or not record.statements:
        raise ValidationError(_("Write the parties' statements first."), code="statements")
    attendees = list(session.attendees.all())
    if any(a.attended is None for a in attendees):
        raise ValidationError(_("Record whether each of those invited attended."), code="attended")
    if not any(a.attended for a in attendees):
        raise ValidationError(
            _("Nobody attended: cancel the session instead of recording it."), code="nobody"
        )
    return record


@transaction.atomic
def issue_record(*, session_pk: int, actor: User) -> SessionRecord:
    """The record is final: the session was held (the mediation month starts with the first
    one held), and the 调解笔录 is issued for the attendees to confirm."""
    session = _session(session_pk)
    _require_mediator(actor, session.case)
    record = _require_complete(session, _require_open(session))
    first_held = not MediationSession.objects.filter(
        case=session.case, status=MediationSession.Status.HELD
    ).exists()
    if session.status == MediationSession.Status.PLANNED:
        session.mark_held()
        session.save()
    if first_held:
        services.start_month(session)
    record.issue()
    record.save()
    # After the record is marked issued: the document's snapshot reads the record so marked.
    record.document = issue_document(case=session.case, kind=kinds.SESSION_RECORD, actor=actor)
    record.save(update_fields=["document"])
    _record(
        session.case,
        actor,
        kinds.RECORD,
        gettext_noop("The record of mediation round %(round)d was issued to the attendees."),
        round=session.round,
    )
    return record


# The parties' answers --------------------------------------------------------------------


def _current_pdf(record: SessionRecord) -> Document:
    document = record.document
    if document is None or document.rendering != Document.Rendering.READY:
        raise ValidationError(
            _("The record's PDF is still being prepared: try again in a minute."), code="pending"
        )
    return document


@transaction.atomic
def respond(
    *,
    record_pk: int,
    party: Party,
    link: PartyLink,
    confirmed: bool,
    comment: str,
    seen_sha256: str = "",
) -> RecordResponse:
    """A party confirms the record as written, or comments on it, through their own link.
    The answer keeps the SHA-256 of the PDF they were shown (``seen_sha256``, if the page
    sent it, must be the current one's: a record issued again is answered again)."""
    record = (
        # The record's row alone (PostgreSQL locks no row on the nullable side of the
        # outer join to its document).
        SessionRecord.objects.select_for_update(of=("self",))
        .select_related("session__case", "document")
        .get(pk=record_pk)
    )
    case = record.session.case
    if link.party_id != party.pk or link.case_id != case.pk or not link.is_live:
        raise PermissionDenied(_("This link does not reach this record."))
    if record.status != SessionRecord.Status.ISSUED or not is_invited(record, party):
        raise PermissionDenied(_("This link does not reach this record."))
    document = _current_pdf(record)
    if seen_sha256 and seen_sha256 != document.sha256:
        raise ValidationError(
            _("The record has changed since you opened it: read it again."), code="changed"
        )
    comment = _text(
        comment, NOTE_MAX, _("Write your comment on the record."), "comment", required=not confirmed
    )
    answer = RecordResponse.objects.create(
        record=record,
        party=party,
        link=link,
        confirmed=confirmed,
        comment=comment,
        document_sha256=document.sha256,
    )
    _record(
        case,
        None,
        kinds.RECORD_ANSWER,
        gettext_noop("%(party)s confirmed the record of mediation round %(round)d.")
        if confirmed
        else gettext_noop("%(party)s commented on the record of mediation round %(round)d."),
        party=str(party.subject),
        round=record.session.round,
    )
    return answer
