"""The case file (卷宗): the whole case as one PDF in the Ministry of Justice order (2010),
with a cover, a catalogue (目录) with page numbers and a back cover, plus the check of
which required items are still missing."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader, PdfWriter

from .kinds import KINDS
from .models import Document, DocumentKind, Evidence
from .rendering import RenderedPdf, render_pdf

K, E = DocumentKind, Evidence.Item


@dataclass(frozen=True)
class Slot:
    """One place in the case file, filled by generated documents and/or uploaded evidence."""

    label: str  # as the case file prints it (it is in Chinese)
    name: object  # as the case page names it, in the reader's language (lazy)
    documents: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    required: str = ""  # "" optional, "always", or "mediated" (the case went to mediation)


SLOTS = [
    Slot(
        "1 申请书或受理登记表",
        _("1 Application or registration form"),
        (K.REGISTRATION_FORM,),
        (E.APPLICATION,),
        "always",
    ),
    Slot(
        "受理、不予受理及转办文书",
        _("Acceptance, non-acceptance and referral documents"),
        (K.ACCEPTANCE_NOTICE, K.REFUSAL_NOTICE, K.REFERRAL_LETTER),
    ),
    Slot(
        "2 权利义务告知书",
        _("2 Notice of rights and obligations"),
        (K.RIGHTS_NOTICE,),
        (),
        "always",
    ),
    Slot("3 身份证明", _("3 Proof of identity"), (), (E.IDENTITY,), "always"),
    Slot("4 授权委托书", _("4 Power of attorney"), (), (E.POWER_OF_ATTORNEY,)),
    Slot("5 调查记录", _("5 Investigation record"), (), (E.INVESTIGATION,)),
    Slot("6 证据材料", _("6 Evidence"), (), (E.EVIDENCE,)),
    Slot("7 调解记录", _("7 Mediation record"), (), (E.MEDIATION_RECORD,), "mediated"),
    Slot("8 调解协议书", _("8 Mediation agreement"), (), (E.AGREEMENT,), "mediated"),
    Slot("9 履行凭证", _("9 Proof of performance"), (), (E.PERFORMANCE,)),
    Slot("10 回访记录", _("10 Follow-up record"), (), (E.FOLLOW_UP,)),
    Slot("11 司法确认材料", _("11 Judicial confirmation"), (), (E.JUDICIAL_CONFIRMATION,)),
    Slot(
        "中止、延期及结案文书",
        _("Suspension, extension and closing documents"),
        (K.SUSPENSION_NOTICE, K.EXTENSION_NOTICE, K.CLOSING_REPORT),
    ),
]
# Items 12 (卷宗情况说明) and 13 (封底) are the generated back cover.


def register_slot(slot: Slot, *, after: str) -> None:
    """A stage's place in the case file, after the slot labelled ``after`` (the Ministry's
    order: a stage's document may follow the evidence). A label is registered once."""
    labels = [s.label for s in SLOTS]
    if slot.label in labels:
        raise ImproperlyConfigured(f"The case-file slot “{slot.label}” is registered twice.")
    if after not in labels:
        raise ImproperlyConfigured(f"No case-file slot “{after}” to follow.")
    SLOTS.insert(labels.index(after) + 1, slot)


def unregister_slot(label: str) -> None:
    SLOTS[:] = [s for s in SLOTS if s.label != label]


def slot_name(label: str) -> str:
    """The slot's name in the reader's language (its Chinese label if it has none)."""
    return next((str(s.name) for s in SLOTS if s.label == label), label)


@dataclass
class Entry:
    title: str
    source: str  # "document" or "evidence"
    id: int
    path: str
    sha256: str
    pages: int


@dataclass
class CaseFileContents:
    entries: list[Entry] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _was_mediated(case) -> bool:
    return any(event.to_status == "mediating" for event in case.events.all())


def contents(case) -> CaseFileContents:
    """What the case file holds now, in order, and which required items are missing. Read
    through ``case.documents.all()``, ``evidence`` and ``events``: what the case page has
    prefetched for its panels serves here too."""
    documents = [
        d
        for d in case.documents.all()
        if d.status == Document.Status.FINAL and d.rendering == Document.Rendering.READY
    ]
    evidence = list(case.evidence.all())
    mediated = _was_mediated(case)
    result = CaseFileContents()
    for slot in SLOTS:
        found = [
            Entry(
                f"{KINDS[d.kind].title} {d.number}".strip(),
                "document",
                d.pk,
                d.file.name,
                d.sha256,
                d.page_count,
            )
            for kind in slot.documents
            for d in documents
            if d.kind == kind
        ] + [
            Entry(e.title, "evidence", e.pk, e.file.name, e.sha256, e.page_count)
            for item in slot.evidence
            for e in evidence
            if e.item == item
        ]
        result.entries.extend(found)
        needed = slot.required == "always" or (slot.required == "mediated" and mediated)
        if needed and not found:
            result.missing.append(slot.label)
    return result


def _read_checked(entry: dict) -> bytes:
    with default_storage.open(entry["path"], "rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        raise ValueError(f"{entry['title']}: the stored file no longer matches its hash")
    return content


def _render_until_stable(template: str, snapshot_for: Callable[[int], dict]) -> RenderedPdf:
    """Render a part whose text depends on its own page count (the catalogue's page numbers,
    the back cover's total) until the count it assumed is the count it has."""
    pages = 1
    while True:
        pdf = render_pdf(template, snapshot_for(pages))
        if pdf.page_count == pages:
            return pdf
        pages = pdf.page_count


def _catalogue_rows(entries: list[dict], first_page: int) -> list[dict]:
    rows, start = [], first_page
    for entry in entries:
        end = start + entry["pages"] - 1
        rows.append(
            {"title": entry["title"], "pages": f"{start}–{end}" if end > start else str(start)}
        )
        start = end + 1
    return rows


def _stamp_page_numbers(writer: PdfWriter) -> None:
    """Number the pages of the whole file in the top right corner (卷内页码), the numbers
    the catalogue refers to; each document keeps its own page numbers at the foot."""
    numbers = list(range(1, len(writer.pages) + 1))
    stamps = PdfReader(
        io.BytesIO(
            render_pdf("documents/print/case_file_page_numbers.html", {"numbers": numbers}).content
        )
    )
    for page, stamp in zip(writer.pages, stamps.pages, strict=True):
        page.merge_page(stamp)


def render_case_file(snapshot: dict) -> RenderedPdf:
    entries = snapshot["entries"]
    parts = [_read_checked(entry) for entry in entries]
    cover = render_pdf("documents/print/case_file_cover.html", snapshot)
    catalogue = _render_until_stable(
        "documents/print/case_file_catalogue.html",
        lambda pages: {
            **snapshot,
            "entries": _catalogue_rows(entries, cover.page_count + pages + 1),
        },
    )
    body_pages = cover.page_count + catalogue.page_count + sum(e["pages"] for e in entries)
    back = _render_until_stable(
        "documents/print/case_file_back.html",
        lambda pages: {
            **snapshot,
            "total_pages": body_pages + pages,
            "entry_count": len(entries),
        },
    )
    writer = PdfWriter()
    for content in [cover.content, catalogue.content, *parts, back.content]:
        writer.append(PdfReader(io.BytesIO(content)))
    _stamp_page_numbers(writer)
    writer.add_metadata(
        {"/Title": f"卷宗 {snapshot['case']['number']}", "/Author": snapshot["organisation"]}
    )
    out = io.BytesIO()
    writer.write(out)
    return RenderedPdf(content=out.getvalue(), page_count=len(writer.pages))
