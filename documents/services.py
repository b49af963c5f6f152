"""Writes of documents: numbering, issuing at each step of a case, rendering, corrections,
evidence uploads."""

from __future__ import annotations

import gc
import hashlib
import io
from dataclasses import asdict, replace

import pikepdf
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from cases.calendar import organisation_today
from cases.queueing import wake_after_commit, wake_stale
from cases.selectors import require

from . import delivery, signing, snapshots
from .casefile import contents, render_case_file
from .kinds import KINDS, STEP_DOCUMENTS
from .models import Document, DocumentKind, Evidence, NumberSequence
from .numbering import DocumentNumber, sequence_prefix
from .rendering import TEMPLATE_VERSION, RenderedPdf, render_pdf
from .sanitize import clean_pdf


@transaction.atomic(savepoint=False)  # no savepoint: a failure here fails the caller's transaction
def allocate_number(*, organisation_prefix: str, kind: str, year: int) -> DocumentNumber:
    """Take the next number of a sequence. Call it inside the transaction that stores the
    numbered record: if that rolls back, so does the number, and no gap is left."""
    if not organisation_prefix:
        raise ValueError("The organisation has no document-number prefix.")
    prefix = sequence_prefix(organisation_prefix, kind)
    # One statement: create the sequence's row at 1 on its first number, or add one to it.
    # The upsert takes the row's lock until the caller's transaction ends, as a SELECT ...
    # FOR UPDATE did (concurrent callers wait on the one row; a rollback gives the number
    # back), in one round trip instead of three. PostgreSQL and SQLite both speak it.
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    with connection.cursor() as sql:
        sql.execute(
            f"INSERT INTO {table} (prefix, year, kind, last_value) VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT (prefix, year, kind) DO UPDATE SET last_value = {table}.last_value + 1 "
            "RETURNING last_value",
            [prefix, year, kind],
        )
        (last_value,) = sql.fetchone()
    return DocumentNumber(prefix=prefix, year=year, sequence=last_value)


@transaction.atomic(savepoint=False)  # no savepoint: a failure fails the caller's transaction
def issue_document(*, case, kind: str, actor=None) -> Document:
    """Number the document (if its kind carries a 文号), freeze its data and have it
    rendered after commit."""
    spec = KINDS[kind]
    # The issuing organisation's date, not the date where the person at the screen is.
    today = organisation_today()
    number = ""
    if spec.number_kind:
        number = str(
            allocate_number(
                organisation_prefix=snapshots.issuer(case, spec).number_prefix,
                kind=spec.number_kind,
                year=today.year,
            )
        )
    document = Document.objects.create(
        case=case,
        kind=kind,
        number=number,
        template_version=TEMPLATE_VERSION,
        snapshot=snapshots.build(case, spec, number, today),
        issued_by=actor,
        queued_at=timezone.now(),  # pending work from its first row: no second UPDATE
    )
    _render_after_commit(document, queued=True)
    return document


def issue_step_documents(*, case, step: str, actor=None) -> list[Document]:
    """The documents a step of the case produces (see ``kinds.STEP_DOCUMENTS``)."""
    return [issue_document(case=case, kind=k, actor=actor) for k in STEP_DOCUMENTS.get(step, [])]


@transaction.atomic
def issue_correction(*, document: Document, actor, changes: dict, reason: str) -> Document:
    """A final document never changes: the correction is a new version with the same 文号
    that replaces it."""
    old = Document.objects.select_for_update().get(pk=document.pk)
    if old.status != Document.Status.FINAL:
        raise ValidationError(_("Only the current version of a document can be corrected."))
    if not reason.strip():
        raise ValidationError(_("Say what the correction is for."))
    old.supersede()
    old.save()
    correction = Document.objects.create(
        case=old.case,
        kind=old.kind,
        number=old.number,
        version=old.version + 1,
        replaces=old,
        template_version=TEMPLATE_VERSION,
        snapshot={
            **old.snapshot,
            **changes,
            "version": old.version + 1,
            "correction_reason": reason.strip(),
        },
        issued_by=actor,
    )
    _render_after_commit(correction)
    return correction


def _render_after_commit(document: Document, queued: bool = False) -> None:
    from .tasks import render_document  # tasks import this module

    if not queued:
        Document.objects.filter(pk=document.pk).update(queued_at=timezone.now())
    wake_after_commit(render_document, document.pk)


# A document whose render was begun this often without finishing (the worker died each
# time, e.g. out of memory) is marked failed instead of being tried again.
MAX_RENDER_ATTEMPTS = 5


def render_pending_documents() -> int:
    """Queue again the documents a lost wake-up or a dead worker left pending."""
    from .tasks import render_document

    return wake_stale(
        Document.objects.filter(rendering=Document.Rendering.PENDING), render_document
    )


def begin_render(*, document_id: int) -> bool:
    """Count a render as begun, in a transaction of its own so that the count survives a
    worker that dies mid-render. False (and the document marked failed) once it has been
    begun MAX_RENDER_ATTEMPTS times; False for a document no longer pending."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.rendering != Document.Rendering.PENDING:
            return False
        if document.attempts >= MAX_RENDER_ATTEMPTS:
            document.mark_failed(
                _("Rendering was begun %d times and never finished.") % document.attempts
            )
            document.save(update_fields=["rendering", "failure"])
            return False
        document.attempts += 1
        document.save(update_fields=["attempts"])
    return True


def _render(document: Document) -> RenderedPdf:
    """Rendered from its reader's view of the snapshot: the printed text and the attached
    ``snapshot.json`` hold only what its reader may see; the full snapshot stays here."""
    spec = KINDS[document.kind]
    view = snapshots.reader_view(document.snapshot, spec.reader)
    if document.kind == DocumentKind.CASE_FILE:
        return render_case_file(view)
    pdf = render_pdf(spec.template, view)
    if document.snapshot.get("signed"):
        # A document that takes effect by its signature (the 调解协议书 in effect) carries
        # the organisation's PAdES signature over exactly these bytes.
        pdf = replace(
            pdf,
            content=signing.sign_pdf(
                pdf.content,
                reason=f"{spec.title} {document.number}".strip(),
                location=document.snapshot.get("organisation", ""),
                name=document.snapshot.get("issuer", ""),
            ),
        )
    return pdf


@transaction.atomic
def render_document(*, document_id: int) -> Document:
    """Render a pending document once. Running it again for a document no longer pending
    does nothing: a task delivered twice leaves one file, and a document given up on
    (failed) stays failed, as only a pending one may become ready (``mark_ready``)."""
    document = Document.objects.select_for_update().get(pk=document_id)
    if document.rendering != Document.Rendering.PENDING:
        return document
    try:
        pdf = _render(document)
    finally:
        gc.collect()  # WeasyPrint leaves reference cycles; keep a long-lived worker flat
    if document.file:
        document.file.delete(save=False)
    # A render whose worker died after writing its file but before committing left that
    # file behind, unreferenced: this render takes its place instead of writing beside it.
    path = document.file.field.generate_filename(document, f"{document.pk}.pdf")
    if document.file.storage.exists(path):
        document.file.storage.delete(path)
    document.file.save(f"{document.pk}.pdf", ContentFile(pdf.content), save=False)
    document.sha256 = hashlib.sha256(pdf.content).hexdigest()
    document.size = len(pdf.content)
    document.page_count = pdf.page_count
    document.mark_ready()
    document.save()
    # A notice goes to the parties served by e-mail with its render: one that rolls back
    # sends nothing, and a document is rendered once, so it goes once.
    delivery.send_to_parties(document)
    return document


@transaction.atomic
def mark_render_failed(*, document_id: int, reason: str) -> None:
    """Give up on a render that raised. This was a conditional update (``exclude(ready)``)
    so that a render finished meanwhile stays ready; the same guard is now re-checked on
    the locked row and the change is the ``mark_failed`` transition. A document already
    failed (another worker gave up first) keeps its first reason."""
    document = Document.objects.select_for_update().get(pk=document_id)
    if document.rendering != Document.Rendering.PENDING:
        return
    document.mark_failed(reason)
    document.save(update_fields=["rendering", "failure"])


MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def _cleaned_pdf(content: bytes) -> tuple[bytes, int]:
    """The upload without scripts, actions, links and attachments (see ``sanitize``), and
    its page count; a ValidationError if it is not a PDF that can be read."""
    try:
        if not content.startswith(b"%PDF-"):
            raise PdfReadError("no PDF header")
        cleaned = clean_pdf(content)
        return cleaned, len(PdfReader(io.BytesIO(cleaned)).pages)
    except pikepdf.PasswordError as error:  # not a pikepdf.PdfError
        raise ValidationError(
            _("The PDF is protected by a password. Upload a copy that opens without one."),
            code="password",
        ) from error
    except (pikepdf.PdfError, PdfReadError, ValueError, KeyError) as error:
        raise ValidationError(_("The file is not a readable PDF.")) from error


@transaction.atomic
def add_evidence(
    *, case, actor, item: str, title: str, upload, action: str = "cases.upload_evidence"
) -> Evidence:
    """Keep an uploaded PDF for the case file: only the cleaned copy is stored, so what the
    hash, the size and the case file refer to is the file without anything active.
    ``action``: what allows it, when a stage's step attaches it (a department's report on
    its action item)."""
    require(actor, action, case)
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(_("The file is larger than 20 MB."))
    content, pages = _cleaned_pdf(upload.read())
    evidence = Evidence(
        case=case,
        item=item,
        title=title.strip(),
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        page_count=pages,
        uploaded_by=actor,
    )
    evidence.file.save("upload.pdf", ContentFile(content), save=False)
    evidence.save()
    return evidence


@transaction.atomic
def export_case_file(*, case, actor) -> Document:
    """Freeze what the case file holds now and have it assembled in the background."""
    require(actor, "cases.export_case_file", case)
    spec = KINDS[DocumentKind.CASE_FILE]
    found = contents(case)
    snapshot = snapshots.build(case, spec, "", organisation_today())
    snapshot["entries"] = [asdict(entry) for entry in found.entries]
    snapshot["missing"] = found.missing
    document = Document.objects.create(
        case=case,
        kind=DocumentKind.CASE_FILE,
        template_version=TEMPLATE_VERSION,
        snapshot=snapshot,
        issued_by=actor,
        queued_at=timezone.now(),  # pending work from its first row: no second UPDATE
    )
    _render_after_commit(document, queued=True)
    return document
