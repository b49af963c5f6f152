"""Notices served on the parties by e-mail (电子送达), their PDF attached.

Once a document of a kind sent to the claimant (``KindSpec.to_party``) has rendered, it
goes to each claimant, and each person acting for one, who can be reached by e-mail (an
address and their own consents: ``cases.selectors.why_not_by_email``), in their language;
the case's timeline says what went to whom, by name, never by address. A stage sends its
own document to one participant with ``send_to_party``.

A document goes to a party once. Its messages carry ``reference="document:<pk>"``, which a
party is never sent twice (``cases.notifications.notify_party``; unique in the database):
a row of the outbox is the record of the delivery, so no flag on the document can say it
was sent while the outbox says otherwise. A render already happens once (a ready document
is never rendered again), but a stage's step that sends a document again, or a party who
consents after it went to the others and is sent it then, relies on the reference.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases.mail import MessageAttachment
from cases.models import CaseEvent, Language, Message, Party, User
from cases.notifications import notify_party, party_language
from cases.selectors import email_recipients, latest_consents
from cases.timeline import fields as said
from cases.timeline import join_list, line, listing

from .kinds import KINDS
from .models import Document

NOTICE = "document_notice"
NOTICE_TEMPLATE = "documents/email/notice.txt"


@transaction.atomic
def send_to_parties(document: Document) -> list[Message]:
    """E-mail a rendered notice to the claimants and those acting for them who can be
    reached by e-mail, or a stage's document to the parties its kind names
    (``KindSpec.addressees``); nothing for another kind, nor for a version a correction
    has replaced already."""
    document = _locked(document)
    spec = KINDS.get(document.kind)
    if spec is None or document.status != Document.Status.FINAL:
        return []
    if spec.addressees is not None:
        parties = list(spec.addressees(document))
    elif spec.to_party:
        claimants = document.case.parties.filter(role=Party.Role.CLAIMANT)
        parties = list(
            document.case.parties.filter(Q(pk__in=claimants) | Q(on_behalf_of__in=claimants))
        )
    else:
        return []
    latest = latest_consents(document.case)
    # An association or a body is reached through those acting for it, who are listed.
    addressees = document.case.parties.filter(
        Q(pk__in=[p.pk for p in parties]) | Q(on_behalf_of__in=[p.pk for p in parties]),
        person__isnull=False,
    ).select_related("person", "case")
    recipients = [person for party in addressees for person in email_recipients(party, latest)]
    messages = _send(document, recipients, spec.email or NOTICE, {})
    _record_sent(document, messages, actor=None)
    return messages


@transaction.atomic
def send_to_party(
    document: Document,
    party: Party,
    *,
    name: str = NOTICE,
    context: dict | None = None,
    actor: User | None = None,
) -> list[Message]:
    """E-mail a rendered document of the case to one party (an association or a body:
    those acting for it), if they can be reached by e-mail and were not sent it before;
    a stage sends its own (the 调解笔录 to confirm) with its own template ``name``, which
    has the context of ``NOTICE_TEMPLATE`` and ``context`` besides. The timeline says
    so, by ``actor``. Returns the messages queued (none: nobody reachable, or sent)."""
    document = _locked(document)
    if party.case_id != document.case_id:
        raise ValidationError(_("Choose a party of this case."), code="party")
    if document.rendering != Document.Rendering.READY:
        raise ValidationError(
            _("The document is still being prepared: send it once it is ready."), code="pending"
        )
    messages = _send(document, email_recipients(party), name, context or {})
    _record_sent(document, messages, actor=actor)
    return messages


def _locked(document: Document) -> Document:
    """The document's row, locked until the caller commits: two senders of one document
    wait for each other, and the second finds it sent (``notify_party``'s reference)."""
    return (
        Document.objects.select_for_update(of=("self",)).select_related("case").get(pk=document.pk)
    )


def _send(document: Document, recipients: list[Party], name: str, context: dict) -> list[Message]:
    if not recipients:
        return []
    content = _pdf(document)
    sent = []
    for person in recipients:
        chinese = party_language(person.person) != Language.EN
        message = notify_party(
            party=person,
            name=name,
            context={**_context(document, person, chinese), **context},
            attachment=MessageAttachment(
                name=_file_name(document, chinese),
                content=content,
                content_type="application/pdf",
            ),
            reference=f"document:{document.pk}",
        )
        if message is not None:
            sent.append(message)
    return sent


def _pdf(document: Document) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


def _title(document: Document, chinese: bool) -> str:
    """The document's printed title and its 文号, as the party reads them: its English
    title before the Chinese one for a reader of English."""
    data = document.snapshot
    title = data.get("title") or KINDS[document.kind].title
    if not chinese and data.get("title_en"):
        title = f"{data['title_en']} ({title})"
    return f"{title} {document.number}".strip()


def _context(document: Document, party: Party, chinese: bool) -> dict:
    """What the e-mail names, from the document's snapshot: as it was issued."""
    data = document.snapshot
    person = party.person
    case = data.get("case", {})
    return {
        "name": (person.name_zh if chinese else person.name_latin) or str(person),
        "document_title": _title(document, chinese),
        "issuer": data.get("issuer") if chinese else data.get("organisation_en"),
        "case_number": case.get("number") or document.case.number,
        "case_title": case.get("title") or document.case.title,
        "corrected": document.version > 1,
    }


def _file_name(document: Document, chinese: bool) -> str:
    """The attachment's name: the title and the 文号, without a character a file name
    cannot hold."""
    name = _title(document, chinese)[:90]
    return "".join("-" if c in '/\\:*?"<>|' else c for c in name) + ".pdf"


def _record_sent(document: Document, messages: list[Message], *, actor: User | None) -> None:
    """The timeline's entry: what went by e-mail, to whom (names only)."""
    if not messages:
        return
    spec = KINDS[document.kind]
    what = spec.label if spec.label is not None else spec.title
    names = listing(str(message.party.person) for message in messages)
    if document.number:
        entry = line(
            gettext_noop("%(document)s %(number)s sent by e-mail to %(names)s, its PDF attached."),
            document=what,
            number=document.number,
            names=names,
        )
    else:
        entry = line(
            gettext_noop("%(document)s sent by e-mail to %(names)s, its PDF attached."),
            document=what,
            names=names,
        )
    CaseEvent.objects.create(
        case=document.case,
        actor=actor,
        kind=CaseEvent.Kind.COMMUNICATION,
        channel=CaseEvent.Channel.EMAIL,
        counterpart=join_list(names)[:200],
        **said(entry),
    )
