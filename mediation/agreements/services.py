"""Writes of the agreement stage: drafting and versions, confirmation (online with a
one-time code, or on paper), the mediator's signature, judicial confirmation, performance
and follow-up visits. Each locks the agreement's case (or the row) and checks again what
it needs before it changes anything; each change leaves a timeline entry."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases import services as case_services
from cases.calendar import organisation_today
from cases.models import Case, CaseEvent, Deadline, Party, PartyLink, User
from cases.notifications import case_officers, notify, notify_address, site_url
from cases.selectors import party_list, require
from cases.timeline import fields as said
from cases.timeline import line
from documents.models import Document, Evidence
from documents.services import add_evidence, issue_correction, issue_document

from . import kinds, selectors, snapshots
from .models import (
    NOTE_MAX,
    TEXT_MAX,
    Confirmation,
    ConfirmationCode,
    FollowUpVisit,
    JudicialConfirmation,
    SettlementAgreement,
    Term,
    TermEvent,
)

# A one-time code: six digits, good for 15 minutes and five tries; a party may ask for a
# new one each minute, five an hour.
CODE_MINUTES = 15
CODE_TRIES = 5
CODE_EVERY = datetime.timedelta(minutes=1)
CODES_AN_HOUR = 5
CODE_EMAIL = "agreements_code"
TO_CONFIRM_EMAIL = "agreements_to_confirm"
TO_SIGN_EMAIL = "agreements_to_sign"
TERM_EMAIL = "agreements_term"
# Why a version replaces the one before, as the document's record of the correction says
# (official documents are in Chinese, whoever is at the screen): the mediator changed the
# text, or signed it and it took effect.
CHANGED_REASON = "协议文本经修改，须由各方当事人重新确认。"
EFFECTIVE_REASON = "各方当事人确认后，调解员签署，协议生效。"


def _record(case: Case, actor: User | None, kind: str, msgid: str, **params) -> None:
    CaseEvent.objects.create(
        case=case, actor=actor, kind=kind, transition=kind, **said(line(msgid, **params))
    )


def _page(case: Case) -> str:
    """The agreement's page, as an e-mail links it."""
    return site_url(reverse("agreements:case", args=[case.pk]))


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _locked_agreement(case: Case) -> SettlementAgreement:
    found = SettlementAgreement.objects.select_for_update().filter(case=case).first()
    if found is None:
        raise ValidationError(_("The agreement has not been drafted yet."), code="no_agreement")
    return found


def _text(value: str, limit: int, message: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(message, code="required")
    if len(value) > limit:
        raise ValidationError(
            _("A text is at most %(limit)d characters.") % {"limit": limit}, code="too_long"
        )
    return value


# Drafting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermInput:
    obligor_pk: int
    text: str
    method: str
    due_on: datetime.date
    text_en: str = ""
    method_en: str = ""


@dataclass(frozen=True)
class DraftInput:
    facts: str
    disputes: str
    responsibilities: str
    terms: list[TermInput]
    facts_en: str = ""
    disputes_en: str = ""
    responsibilities_en: str = ""


def _checked(case: Case, draft: DraftInput) -> DraftInput:
    """The draft with its texts trimmed; a ValidationError naming the first thing wrong.
    The English texts are required where a party reads no Chinese (their copy is
    bilingual)."""
    english = selectors.needs_english(case)
    checked = {}
    for name, label in (
        ("facts", _("Write the main facts.")),
        ("disputes", _("Write the points in dispute.")),
        ("responsibilities", _("Write each party's responsibility.")),
    ):
        checked[name] = _text(getattr(draft, name), TEXT_MAX, label)
        checked[f"{name}_en"] = _text(
            getattr(draft, f"{name}_en"),
            TEXT_MAX,
            _("A party reads English: write the English text as well."),
            required=english,
        )
    if not draft.terms:
        raise ValidationError(_("An agreement needs at least one term."), code="no_terms")
    parties = {party.pk for party in selectors.signatories(case)}
    terms = []
    for term in draft.terms:
        if term.obligor_pk not in parties:
            raise ValidationError(_("A term is performed by a party of the case."), code="obligor")
        if term.due_on < case.received_on:
            raise ValidationError(
                _("A term's date cannot be before the case was received."), code="due_on"
            )
        terms.append(
            TermInput(
                obligor_pk=term.obligor_pk,
                text=_text(term.text, NOTE_MAX, _("Say what each term performs.")),
                method=_text(term.method, 200, _("Say how each term is performed.")),
                due_on=term.due_on,
                text_en=_text(
                    term.text_en,
                    NOTE_MAX,
                    _("A party reads English: write the English text as well."),
                    required=english,
                ),
                method_en=_text(
                    term.method_en,
                    200,
                    _("A party reads English: write the English text as well."),
                    required=english,
                ),
            )
        )
    return DraftInput(terms=terms, **checked)


def _content(agreement: SettlementAgreement) -> tuple:
    """What a version prints of the agreement: a change to any of it is a new version."""
    return (
        agreement.facts,
        agreement.disputes,
        agreement.responsibilities,
        agreement.facts_en,
        agreement.disputes_en,
        agreement.responsibilities_en,
        tuple(
            (t.obligor_id, t.text, t.text_en, t.method, t.method_en, t.due_on)
            for t in agreement.terms.order_by("order")
        ),
    )


def _write_terms(agreement: SettlementAgreement, terms: list[TermInput]) -> None:
    agreement.terms.all().delete()
    Term.objects.bulk_create(
        Term(
            agreement=agreement,
            order=index,
            obligor_id=term.obligor_pk,
            text=term.text,
            text_en=term.text_en,
            method=term.method,
            method_en=term.method_en,
            due_on=term.due_on,
        )
        for index, term in enumerate(terms, start=1)
    )


@transaction.atomic
def save_draft(*, case: Case, actor: User, draft: DraftInput) -> SettlementAgreement:
    """The mediator writes or changes the agreement. Once sent to the parties, a change of
    its text is a new version: every confirmation of the earlier one is void."""
    locked = _lock(case)
    require(actor, "agreements.draft", locked)
    if locked.status != "mediating":
        raise ValidationError(
            _("The agreement is drafted while the case is in mediation."), code="not_mediating"
        )
    draft = _checked(locked, draft)
    agreement = SettlementAgreement.objects.select_for_update().filter(case=locked).first()
    if agreement is not None and agreement.status == SettlementAgreement.Status.EFFECTIVE:
        raise ValidationError(_("The agreement is in effect: it is not changed."), code="effective")
    before = _content(agreement) if agreement else None
    fields = {k: v for k, v in draft.__dict__.items() if k != "terms"}
    if agreement is None:
        agreement = SettlementAgreement.objects.create(case=locked, drafted_by=actor, **fields)
    else:
        for name, value in fields.items():
            setattr(agreement, name, value)
        agreement.save()
    _write_terms(agreement, draft.terms)
    if before == _content(agreement):
        return agreement
    if agreement.status == SettlementAgreement.Status.CONFIRMING:
        _issue_version(agreement, actor, CHANGED_REASON)
    else:
        _record(locked, actor, kinds.DRAFT, gettext_noop("The agreement's draft was saved."))
    return agreement


def _issue_version(agreement: SettlementAgreement, actor: User, reason: str) -> Document:
    """The agreement's text as it is now, a PDF for the parties to confirm: its first
    version takes the 文号, later ones keep it. Earlier confirmations are void."""
    case = agreement.case
    if agreement.document_id is None:
        document = issue_document(case=case, kind=kinds.AGREEMENT, actor=actor)
    else:
        document = issue_correction(
            document=agreement.document,
            actor=actor,
            changes=snapshots.agreement_extra(case, organisation_today()),
            reason=reason,
        )
    voided = agreement.confirmations.filter(voided_at__isnull=True).update(voided_at=timezone.now())
    agreement.codes.filter(used_at__isnull=True).update(expires_at=timezone.now())
    agreement.send_for_confirmation(document)
    agreement.save()
    _record(
        case,
        actor,
        kinds.DRAFT,
        gettext_noop("Version %(version)s of the agreement was sent to the parties to confirm."),
        version=document.version,
    )
    if voided:
        _record(
            case,
            actor,
            kinds.CONFIRMATION,
            gettext_noop("%(count)s confirmations of the earlier version are void."),
            count=voided,
        )
    _tell_signatories(agreement, document)
    return document


def _tell_signatories(agreement: SettlementAgreement, document: Document) -> None:
    from cases.notifications import notify_party

    for party in selectors.signatories(agreement.case):
        notify_party(
            party=party,
            name=TO_CONFIRM_EMAIL,
            context={"case": agreement.case, "document": document},
            reference=f"agreement-version:{document.pk}",
        )


@transaction.atomic
def send_for_confirmation(*, case: Case, actor: User) -> Document:
    """The mediator sends the draft to the parties: its first version, with its 文号."""
    locked = _lock(case)
    require(actor, "agreements.draft", locked)
    agreement = _locked_agreement(locked)
    if agreement.status != SettlementAgreement.Status.DRAFT:
        raise ValidationError(_("The agreement is with the parties already."), code="sent_already")
    return _issue_version(agreement, actor, "")


# Confirmation --------------------------------------------------------------------------


def _code_hash(code_row_pk: int, code: str) -> str:
    return salted_hmac("agreements.confirmation-code", f"{code_row_pk}:{code}").hexdigest()


def _confirmable(agreement: SettlementAgreement, party: Party, sha256: str) -> None:
    if agreement.status != SettlementAgreement.Status.CONFIRMING:
        raise ValidationError(
            _("The agreement is not waiting for confirmations."), code="not_confirming"
        )
    if not selectors.may_confirm(agreement, party):
        raise PermissionDenied(_("You do not sign this agreement."))
    if not selectors.version_ready(agreement) or sha256 != agreement.document.sha256:
        raise ValidationError(
            _("The agreement has changed since you opened it: read the new version first."),
            code="changed",
        )
    if selectors.has_confirmed(agreement, party):
        raise ValidationError(
            _("This version is confirmed for you already."), code="confirmed_already"
        )


@transaction.atomic
def request_code(
    *, link: PartyLink, sha256: str, ip: str | None = None, user_agent: str = ""
) -> ConfirmationCode:
    """E-mail the link's party a one-time code to confirm the version they were shown."""
    _lock(link.case)
    agreement = _locked_agreement(link.case)
    party = link.party
    _confirmable(agreement, party, sha256)
    email = party.person.email if party.person_id else ""
    if not email:
        raise ValidationError(
            _("We have no e-mail address for you: ask the case officer to record it."),
            code="no_email",
        )
    now = timezone.now()
    recent = agreement.codes.filter(party=party, created_at__gte=now - datetime.timedelta(hours=1))
    # Once a minute for the same version (a new version may be confirmed at once).
    if recent.filter(sha256=sha256, created_at__gte=now - CODE_EVERY).exists() or (
        recent.count() >= CODES_AN_HOUR
    ):
        raise ValidationError(
            _("A code was sent a moment ago: wait a minute before asking again."), code="too_soon"
        )
    code = f"{secrets.randbelow(10**6):06d}"
    row = ConfirmationCode.objects.create(
        agreement=agreement,
        party=party,
        link=link,
        sha256=sha256,
        code_hash="",
        email=email,
        expires_at=now + datetime.timedelta(minutes=CODE_MINUTES),
    )
    row.code_hash = _code_hash(row.pk, code)
    row.save(update_fields=["code_hash"])
    notify_address(
        address=email,
        language=link.language,
        zone=str(party.person.time_zone),
        name=CODE_EMAIL,
        context={
            "case": link.case,
            "code": code,
            "minutes": CODE_MINUTES,
            "document": agreement.document,
            "party": party,
        },
        case=link.case,
        reference=f"agreement-code:{row.pk}",
    )
    _record(
        link.case,
        None,
        kinds.CONFIRMATION,
        gettext_noop("A one-time code to confirm the agreement was e-mailed to %(party)s."),
        party=str(party.subject),
    )
    return row


def _check_code(link: PartyLink, code: str, sha256: str) -> tuple[str, int | None]:
    """The verdict on a code, its tries counted in a transaction of their own (a wrong code
    counts even though the confirmation is refused): ("ok", code pk) or a refusal."""
    with transaction.atomic():
        row = (
            ConfirmationCode.objects.select_for_update()
            .filter(agreement__case=link.case, party=link.party, used_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None:
            return "none", None
        current = row.agreement.document
        if row.sha256 != sha256 or current is None or current.sha256 != sha256:
            return "changed", None
        if row.expires_at <= timezone.now():
            return "expired", None
        if row.tries >= CODE_TRIES:
            return "tries", None
        if not constant_time_compare(row.code_hash, _code_hash(row.pk, code.strip())):
            row.tries += 1
            row.save(update_fields=["tries"])
            return ("tries" if row.tries >= CODE_TRIES else "wrong"), None
        return "ok", row.pk


CODE_REFUSALS = {
    "none": gettext_noop("Ask for a code first: it is sent to your e-mail address."),
    "changed": gettext_noop(
        "The agreement has changed since the code was sent: read the new version and ask "
        "for a new code."
    ),
    "expired": gettext_noop("The code has expired: ask for a new one."),
    "tries": gettext_noop("Too many wrong codes: ask for a new one."),
    "wrong": gettext_noop("The code is not right. Check the e-mail and try again."),
}


def confirm_with_code(
    *, link: PartyLink, code: str, sha256: str, ip: str | None = None, user_agent: str = ""
) -> Confirmation:
    """The link's party confirms the version they were shown with the code e-mailed to
    them: the time, the address the code went to, their IP address and browser are kept."""
    verdict, code_pk = _check_code(link, code, sha256)
    if verdict != "ok":
        raise ValidationError(_(CODE_REFUSALS[verdict]), code=verdict)
    return _confirm_online(link, code_pk, sha256, ip, user_agent)


@transaction.atomic
def _confirm_online(
    link: PartyLink, code_pk: int, sha256: str, ip: str | None, user_agent: str
) -> Confirmation:
    _lock(link.case)
    agreement = _locked_agreement(link.case)
    _confirmable(agreement, link.party, sha256)
    row = ConfirmationCode.objects.select_for_update().get(pk=code_pk)
    if row.used_at is not None:
        raise ValidationError(_(CODE_REFUSALS["none"]), code="none")
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    confirmation = Confirmation.objects.create(
        agreement=agreement,
        document=agreement.document,
        sha256=sha256,
        method=Confirmation.Method.LINK,
        party=link.party,
        email=row.email,
        ip=ip,
        user_agent=(user_agent or "")[:300],
    )
    _confirmed(agreement, link.party, None)
    return confirmation


def _confirmed(agreement: SettlementAgreement, party: Party, actor: User | None) -> None:
    _record(
        agreement.case,
        actor,
        kinds.CONFIRMATION,
        gettext_noop("%(party)s confirmed version %(version)s of the agreement."),
        party=str(party.subject),
        version=agreement.document.version,
    )
    if not selectors.unconfirmed(agreement):
        mediator = selectors.case_mediator(agreement.case)
        if mediator is not None:
            notify(
                mediator,
                TO_SIGN_EMAIL,
                {"case": agreement.case, "agreement": agreement, "url": _page(agreement.case)},
            )


@transaction.atomic
def file_paper_copy(*, case: Case, actor: User, party_pk: int, upload, sha256: str) -> Confirmation:
    """The officer files the paper copy of the current version a party signed (sealed or
    fingerprinted): it counts as that party's confirmation of that version."""
    locked = _lock(case)
    require(actor, "agreements.file_paper", locked)
    agreement = _locked_agreement(locked)
    party = next((p for p in party_list(locked) if p.pk == party_pk), None)
    if party is None or not selectors.may_confirm(agreement, party):
        raise ValidationError(_("Choose the party who signed the paper copy."), code="party")
    _confirmable(agreement, party, sha256)
    evidence = add_evidence(
        case=locked,
        actor=actor,
        item=Evidence.Item.AGREEMENT,
        title=f"调解协议书（{party.subject}签署的纸质件）",
        upload=upload,
        action="agreements.file_paper",
    )
    confirmation = Confirmation.objects.create(
        agreement=agreement,
        document=agreement.document,
        sha256=sha256,
        method=Confirmation.Method.PAPER,
        party=party,
        by=actor,
        evidence=evidence,
    )
    _confirmed(agreement, party, actor)
    return confirmation


def check_signable(case: Case) -> SettlementAgreement:
    """What the mediator's signature needs: the agreement with the parties, each of whom
    has confirmed its current version."""
    agreement = SettlementAgreement.objects.filter(case=case).select_related("document").first()
    if agreement is None or agreement.status != SettlementAgreement.Status.CONFIRMING:
        raise ValidationError(
            _("Send the agreement to the parties to confirm first."), code="not_confirming"
        )
    missing = selectors.unconfirmed(agreement)
    if missing:
        raise ValidationError(
            _("The mediator signs last: %(parties)s have not confirmed this version yet.")
            % {"parties": "、".join(str(p.subject) for p in missing)},
            code="unconfirmed",
        )
    return agreement


@transaction.atomic
def sign(*, case: Case, actor: User) -> SettlementAgreement:
    """The mediator signs last (the case's signing task, which settles the case): the
    agreement takes effect today; its effective copy lists every confirmation and is
    signed with the organisation's certificate (PAdES) when rendered."""
    case = _lock(case)
    require(actor, "agreements.sign", case)
    if selectors.case_mediator(case) != actor:
        raise PermissionDenied(_("Only the case's mediator signs its agreement."))
    # Checked again with the agreement locked: a confirmation voided meanwhile counts.
    agreement = _locked_agreement(case)
    check_signable(case)
    Confirmation.objects.create(
        agreement=agreement,
        document=agreement.document,
        sha256=agreement.document.sha256,
        method=Confirmation.Method.MEDIATOR,
        by=actor,
    )
    today = organisation_today()
    effective = issue_correction(
        document=agreement.document,
        actor=actor,
        changes={
            **snapshots.agreement_extra(case, today),
            **snapshots.effective_extra(agreement, today),
        },
        reason=EFFECTIVE_REASON,
    )
    agreement.take_effect(effective, today)
    agreement.save()
    _record(
        case,
        actor,
        kinds.EFFECT,
        gettext_noop("The mediator signed: the agreement is in effect from %(on)s."),
        on=today,
    )
    return agreement


# Judicial confirmation -----------------------------------------------------------------


def _effective(case: Case) -> SettlementAgreement:
    agreement = _locked_agreement(case)
    if agreement.status != SettlementAgreement.Status.EFFECTIVE:
        raise ValidationError(_("The agreement is not in effect yet."), code="not_effective")
    return agreement


@transaction.atomic
def apply_for_judicial_confirmation(*, case: Case, actor: User, court: str) -> JudicialConfirmation:
    """The parties want judicial confirmation: their joint application to the court with
    jurisdiction (司法确认申请书, the agreement attached), within the 30 days."""
    locked = _lock(case)
    require(actor, "agreements.track", locked)
    agreement = _effective(locked)
    court = _text(court, 200, _("Name the court with jurisdiction."))
    if JudicialConfirmation.objects.filter(agreement=agreement).exists():
        raise ValidationError(_("The application is made already."), code="applied")
    window = selectors.judicial_window(locked)
    if window is not None and organisation_today() > window.due_on:
        raise ValidationError(
            _("The 30 days for judicial confirmation ended on %(due)s.") % {"due": window.due_on},
            code="window_closed",
        )
    found = JudicialConfirmation.objects.create(agreement=agreement, court=court, recorded_by=actor)
    found.application = issue_document(case=locked, kind=kinds.APPLICATION, actor=actor)
    found.save(update_fields=["application"])
    _record(
        locked,
        actor,
        kinds.JUDICIAL,
        gettext_noop("The application for judicial confirmation to %(court)s was drawn up."),
        court=court,
    )
    return found


@transaction.atomic
def record_filing(*, case: Case, actor: User, applied_on: datetime.date) -> JudicialConfirmation:
    locked = _lock(case)
    require(actor, "agreements.track", locked)
    found = JudicialConfirmation.objects.select_for_update().filter(agreement__case=locked).first()
    if found is None:
        raise ValidationError(_("Draw up the application first."), code="no_application")
    if applied_on > organisation_today():
        raise ValidationError(_("A date cannot be in the future."), code="future")
    window = selectors.judicial_window(locked)
    if window is not None and not window.starts_on <= applied_on <= window.due_on:
        raise ValidationError(
            _("The application is filed within the 30 days: %(start)s to %(due)s.")
            % {"start": window.starts_on, "due": window.due_on},
            code="outside_window",
        )
    found.applied_on = applied_on
    found.save(update_fields=["applied_on"])
    # The window is met: its reminders stop.
    case_services.stop_case_clock(
        case=locked, kind=Deadline.Kind.JUDICIAL_CONFIRMATION, reason="司法确认申请已提交。"
    )
    _record(
        locked,
        actor,
        kinds.JUDICIAL,
        gettext_noop("The application was filed with %(court)s on %(on)s."),
        court=found.court,
        on=applied_on,
    )
    return found


@transaction.atomic
def record_ruling(
    *, case: Case, actor: User, ruling: str, number: str, ruled_on: datetime.date, upload
) -> JudicialConfirmation:
    """The court's ruling, with its copy for the case file (item 11)."""
    locked = _lock(case)
    require(actor, "agreements.track", locked)
    found = JudicialConfirmation.objects.select_for_update().filter(agreement__case=locked).first()
    if found is None or found.applied_on is None:
        raise ValidationError(_("Record the filing first."), code="not_filed")
    if found.ruling:
        raise ValidationError(_("The court's ruling is recorded already."), code="ruled")
    if ruling not in JudicialConfirmation.Ruling.values:
        raise ValidationError(_("Choose the court's ruling."), code="ruling")
    if not found.applied_on <= ruled_on <= organisation_today():
        raise ValidationError(
            _("The ruling is dated between the filing and today."), code="ruled_on"
        )
    found.ruling = ruling
    found.ruling_number = _text(number, 100, _("Give the ruling's number."))
    found.ruled_on = ruled_on
    found.ruling_copy = add_evidence(
        case=locked,
        actor=actor,
        item=Evidence.Item.JUDICIAL_CONFIRMATION,
        title=f"民事裁定书 {found.ruling_number}",
        upload=upload,
        action="agreements.track",
    )
    found.save()
    _record(
        locked,
        actor,
        kinds.JUDICIAL,
        gettext_noop("%(court)s ruled (%(number)s): %(ruling)s."),
        court=found.court,
        number=found.ruling_number,
        ruling=found.get_ruling_display(),
    )
    return found


# Performance ---------------------------------------------------------------------------


def _locked_term(case: Case, term_pk: int) -> Term:
    term = (
        Term.objects.select_for_update()
        .filter(pk=term_pk, agreement__case=case, agreement__status="effective")
        .first()
    )
    if term is None:
        raise ValidationError(_("No such term of the agreement in effect."), code="term")
    if case.is_finished:
        raise ValidationError(
            _("The case is finished: its supervisor reopens it before anything more is done."),
            code="finished",
        )
    return term


@transaction.atomic
def record_performance(*, case: Case, actor: User, term_pk: int, note: str, upload) -> Term:
    """A term performed, with its 履行凭证 (item 9 of the case file)."""
    locked = _lock(case)
    require(actor, "agreements.track", locked)
    term = _locked_term(locked, term_pk)
    if term.status not in (Term.Status.PENDING, Term.Status.DISPUTED):
        raise ValidationError(_("This term is settled already."), code="term_done")
    evidence = add_evidence(
        case=locked,
        actor=actor,
        item=Evidence.Item.PERFORMANCE,
        title=f"履行凭证：第{term.order}项",
        upload=upload,
        action="agreements.track",
    )
    term.perform()
    term.save()
    TermEvent.objects.create(
        term=term,
        kind=TermEvent.Kind.PERFORMED,
        note=_text(note, NOTE_MAX, "", required=False),
        evidence=evidence,
        by=actor,
    )
    _record(
        locked,
        actor,
        kinds.PERFORMANCE,
        gettext_noop("Term %(order)s was performed."),
        order=term.order,
    )
    return term


def _dispute(case: Case, term: Term, note: str, by: User | None, party: Party | None) -> Term:
    if term.status not in (Term.Status.PENDING, Term.Status.DONE):
        raise ValidationError(_("This term is with the mediator already."), code="disputed")
    term.dispute()
    term.save()
    TermEvent.objects.create(
        term=term,
        kind=TermEvent.Kind.DISPUTED,
        note=_text(note, NOTE_MAX, _("Say what has not been performed.")),
        by=by,
        party=party,
    )
    _record(
        case,
        by,
        kinds.PERFORMANCE,
        gettext_noop("Term %(order)s is said not to be performed: back to the mediator."),
        order=term.order,
    )
    mediator = selectors.case_mediator(case)
    if mediator is not None:
        notify(mediator, TERM_EMAIL, {"case": case, "term": term, "note": note, "url": _page(case)})
    return term


@transaction.atomic
def report_unperformed(*, case: Case, actor: User, term_pk: int, note: str) -> Term:
    """The officer records that a party says a term is not performed."""
    locked = _lock(case)
    require(actor, "agreements.track", locked)
    return _dispute(locked, _locked_term(locked, term_pk), note, actor, None)


@transaction.atomic
def party_reports_unperformed(*, link: PartyLink, term_pk: int, note: str) -> Term:
    """A party says, through their link, that a term is not performed."""
    locked = _lock(link.case)
    return _dispute(locked, _locked_term(locked, term_pk), note, None, link.party)


@transaction.atomic
def resolve_dispute(
    *,
    case: Case,
    actor: User,
    term_pk: int,
    outcome: str,
    note: str,
    due_on: datetime.date | None = None,
) -> Term:
    """The mediator takes up a term said not performed: more time (a new date), or it
    will not be performed (the parties may go to court; a judicially confirmed agreement
    is enforced there)."""
    locked = _lock(case)
    require(actor, "agreements.resolve", locked)
    term = _locked_term(locked, term_pk)
    if term.status != Term.Status.DISPUTED:
        raise ValidationError(_("This term is not with the mediator."), code="not_disputed")
    note = _text(note, NOTE_MAX, _("Give the reason."))
    if outcome == TermEvent.Kind.MORE_TIME:
        if due_on is None or due_on <= organisation_today():
            raise ValidationError(_("Give a new date after today."), code="due_on")
        term.give_time(due_on)
    elif outcome == TermEvent.Kind.FAILED:
        term.fail()
    else:
        raise ValidationError(_("Choose what happens to the term."), code="outcome")
    term.save()
    TermEvent.objects.create(term=term, kind=outcome, note=note, by=actor)
    _record(
        locked,
        actor,
        kinds.PERFORMANCE,
        gettext_noop("The mediator took up term %(order)s: %(outcome)s."),
        order=term.order,
        outcome=TermEvent.Kind(outcome).label,
    )
    return term


def alert_overdue_terms() -> int:
    """The hourly sweep: a term past its date and not performed is told to the case's
    officers once (and again once given more time and overdue again)."""
    today = organisation_today()
    sent = 0
    for term_pk in Term.objects.filter(
        status=Term.Status.PENDING,
        due_on__lt=today,
        overdue_alerted_on__isnull=True,
        agreement__status="effective",
    ).values_list("pk", flat=True):
        sent += _alert_overdue(term_pk, today)
    return sent


@transaction.atomic
def _alert_overdue(term_pk: int, today: datetime.date) -> int:
    term = Term.objects.select_for_update().select_related("agreement__case").get(pk=term_pk)
    if term.status != Term.Status.PENDING or term.overdue_alerted_on is not None:
        return 0
    term.overdue_alerted_on = today
    term.save(update_fields=["overdue_alerted_on"])
    case = term.agreement.case
    TermEvent.objects.create(term=term, kind=TermEvent.Kind.OVERDUE)
    _record(
        case,
        None,
        kinds.PERFORMANCE,
        gettext_noop("Term %(order)s is overdue (due %(due)s)."),
        order=term.order,
        due=term.due_on,
    )
    for user in case_officers(case):
        notify(user, TERM_EMAIL, {"case": case, "term": term, "overdue": True, "url": _page(case)})
    return 1


def check_performance_done(case: Case) -> None:
    """The performance task is finished once every term is performed or found not
    performed."""
    agreement = SettlementAgreement.objects.filter(case=case).first()
    if agreement is None:
        return
    still_open = selectors.open_terms(agreement)
    if still_open:
        raise ValidationError(
            _("%(count)s terms are still open: record their performance first.")
            % {"count": len(still_open)},
            code="terms_open",
        )


# Follow-up -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitInput:
    party_pk: int
    method: str
    reason: str
    performance: str
    satisfaction: int
    visited_on: datetime.date
    comment: str = ""


def _score(value) -> int:
    """The satisfaction, 1 to 5; anything else (a party's link sends what it sends) is a
    message, not an error."""
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError(_("Satisfaction is from 1 to 5."), code="satisfaction")
    return score


def _add_visit(case: Case, visit: VisitInput, visitor: User | None) -> FollowUpVisit:
    party = next((p for p in party_list(case) if p.pk == visit.party_pk), None)
    if party is None:
        raise ValidationError(_("Choose the party visited."), code="party")
    if visit.method not in FollowUpVisit.Method.values:
        raise ValidationError(_("Choose how the visit was made."), code="method")
    satisfaction = _score(visit.satisfaction)
    if not case.received_on <= visit.visited_on <= organisation_today():
        raise ValidationError(
            _("The visit is dated between the case's receipt and today."), code="visited_on"
        )
    agreement = SettlementAgreement.objects.filter(case=case, status="effective").first()
    found = FollowUpVisit.objects.create(
        case=case,
        agreement=agreement,
        party=party,
        method=visit.method,
        reason=_text(visit.reason, 200, _("Give the reason for the visit.")),
        performance=_text(visit.performance, NOTE_MAX, _("Say how the outcome is performed.")),
        satisfaction=satisfaction,
        comment=_text(visit.comment, NOTE_MAX, "", required=False),
        visitor=visitor,
        visited_on=visit.visited_on,
    )
    found.document = issue_document(case=case, kind=kinds.FOLLOW_UP, actor=visitor)
    found.save(update_fields=["document"])
    _record(
        case,
        visitor,
        kinds.VISIT,
        gettext_noop("Follow-up with %(party)s (%(method)s): satisfaction %(score)s of 5."),
        party=str(party.subject),
        method=found.get_method_display(),
        score=found.satisfaction,
    )
    return found


@transaction.atomic
def record_visit(*, case: Case, actor: User, visit: VisitInput) -> FollowUpVisit:
    """A follow-up visit (回访) the officer made, rendered as its 回访记录."""
    locked = _lock(case)
    require(actor, "agreements.visit", locked)
    if locked.status not in ("settled", "unresolved", "following_up"):
        raise ValidationError(
            _("Follow-up visits are made once the case is settled."), code="not_settled"
        )
    return _add_visit(locked, visit, actor)


@transaction.atomic
def answer_by_link(
    *, link: PartyLink, satisfaction: int, performance: str, comment: str = ""
) -> FollowUpVisit:
    """A party answers the follow-up through their link (a party abroad need not be
    visited): recorded and rendered as a 回访记录 like a visit."""
    locked = _lock(link.case)
    if locked.status not in ("settled", "following_up"):
        raise ValidationError(
            _("The follow-up questions are asked once the agreement is in effect."),
            code="not_settled",
        )
    return _add_visit(
        locked,
        VisitInput(
            party_pk=selectors.signs_for(link.party).pk,
            method=FollowUpVisit.Method.LINK,
            # Who answered: the party, or one acting for it (an association's representative).
            reason=f"回访：{link.party.subject}通过本人链接答复",
            performance=performance,
            satisfaction=satisfaction,
            visited_on=organisation_today(),
            comment=comment,
        ),
        None,
    )


def visit_step_data(case: Case, data: dict) -> tuple[str, dict]:
    """The follow-up task's step for the case: it starts the follow-up."""
    return "start_follow_up", {"reason": (data.get("performance") or "").strip()[:500]}


def sign_step(case: Case, data: dict) -> tuple[str, dict]:
    """The signing task settles the case on the day the agreement takes effect. Checked
    before the case moves (the task's completion signs)."""
    check_signable(case)
    return "settle", {
        "reason": "调解协议书经各方当事人确认、调解员签署后生效。",
        "on": organisation_today(),
    }
