"""The case file (卷宗): the whole case as one PDF in the Ministry of Justice order (2010),
with a cover, a catalogue (目录) with dates and page numbers and a back cover, plus the check
of which required items are still missing.

The file is a PDF/A-3b like each single document: the generated parts are written by
WeasyPrint (output intent, XMP marker, document ID, the manifest attached as data), the
items' pages are put in between with pikepdf. Each item keeps its own font subsets: subsets
cannot be merged safely, so only the generated parts share one set.

Uploaded evidence is whatever PDF a scanner or a party made (fonts not embedded,
transparency, forms): its pages cannot simply join a PDF/A. The case file prints each of
its pages as an image (JPEG, about 190 dpi across the page), laid
out by the same PDF/A writer, and carries the uploaded file itself, unchanged, as an
attached source (PDF/A-3 admits any attached file): what it shows conforms, what was filed
is kept bit for bit and its SHA-256 is the manifest's."""

from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import pikepdf
import weasyprint
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _
from pikepdf import OutlineItem, Rectangle

from . import pages as page_images
from .fetcher import PrintAssetFetcher
from .fonts import FONT_DIR
from .kinds import KINDS
from .models import Document, DocumentKind, Evidence
from .rendering import PRINT_DIR, RenderedPdf, asset_fetcher, layout
from .snapshots import organisation_date, zh_date

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


def register_slot(slot: Slot, *, after: str | tuple[str, ...]) -> None:
    """A stage's place in the case file, after the slot labelled ``after`` (the Ministry's
    order: a stage's document may follow the evidence); given several labels, after the
    last of them that is there (another stage's, if it is installed). A label is
    registered once."""
    labels = [s.label for s in SLOTS]
    if slot.label in labels:
        raise ImproperlyConfigured(f"The case-file slot “{slot.label}” is registered twice.")
    found = [label for label in ((after,) if isinstance(after, str) else after) if label in labels]
    if not found:
        raise ImproperlyConfigured(f"No case-file slot “{after}” to follow.")
    SLOTS.insert(max(labels.index(label) for label in found) + 1, slot)


def unregister_slot(label: str) -> None:
    SLOTS[:] = [s for s in SLOTS if s.label != label]


def register_slot_kind(label: str, kind: str) -> None:
    """A stage's document kind that is an item of the Ministry's list already (the 调解笔录
    is a "7 调解记录"): its documents join that slot, before the uploaded evidence, and
    count for its check of what is required. A kind joins a slot once."""
    for index, slot in enumerate(SLOTS):
        if slot.label == label:
            if kind in slot.documents:
                raise ImproperlyConfigured(f"The kind “{kind}” is in slot “{label}” twice.")
            SLOTS[index] = replace(slot, documents=(*slot.documents, kind))
            return
    raise ImproperlyConfigured(f"No case-file slot “{label}” to join.")


# A stage's own rule for when a slot is required, in place of the slot's ``required``:
# label → (case) -> bool (the 调解协议书 is required once a written agreement was drafted,
# not of every mediated case: an oral agreement is in the 调解笔录).
REQUIREMENTS: dict[str, Callable] = {}


def register_slot_requirement(label: str, required: Callable) -> None:
    if label not in {s.label for s in SLOTS}:
        raise ImproperlyConfigured(f"No case-file slot “{label}” to require.")
    if label in REQUIREMENTS:
        raise ImproperlyConfigured(f"The slot “{label}” has its requirement twice.")
    REQUIREMENTS[label] = required


def unregister_slot_requirement(label: str) -> None:
    REQUIREMENTS.pop(label, None)


def _needed(slot: Slot, case, mediated: bool) -> bool:
    if slot.label in REQUIREMENTS:
        return REQUIREMENTS[slot.label](case)
    return slot.required == "always" or (slot.required == "mediated" and mediated)


def unregister_slot_kind(label: str, kind: str) -> None:
    SLOTS[:] = [
        replace(s, documents=tuple(k for k in s.documents if k != kind)) if s.label == label else s
        for s in SLOTS
    ]


def printed_label(label: str) -> str:
    """The slot's label without its item number, as the back cover names what is missing:
    the number orders the slots, the reader needs the name."""
    return re.sub(r"^\d+\s*", "", label)


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
    number: str = ""  # the 文号, if the item carries one
    date: str = ""  # as the catalogue prints it: the document's date, or the upload's


@dataclass
class CaseFileContents:
    entries: list[Entry] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def was_mediated(case) -> bool:
    return any(event.to_status == "mediating" for event in case.events.all())


def _document_entry(document: Document) -> Entry:
    # The date printed on the document itself, so that catalogue and item agree.
    issued_on = document.snapshot.get("issued_on") or zh_date(organisation_date(document.issued_at))
    return Entry(
        f"{KINDS[document.kind].title} {document.number}".strip(),
        "document",
        document.pk,
        document.file.name,
        document.sha256,
        document.page_count,
        document.number,
        issued_on,
    )


def _evidence_entry(evidence: Evidence) -> Entry:
    # Evidence carries no date of its own in the system: the day it was filed stands in.
    uploaded_on = zh_date(organisation_date(evidence.uploaded_at))
    return Entry(
        evidence.title,
        "evidence",
        evidence.pk,
        evidence.file.name,
        evidence.sha256,
        evidence.page_count,
        "",
        uploaded_on,
    )


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
    mediated = was_mediated(case)
    result = CaseFileContents()
    for slot in SLOTS:
        found = [
            _document_entry(d) for kind in slot.documents for d in documents if d.kind == kind
        ] + [_evidence_entry(e) for item in slot.evidence for e in evidence if e.item == item]
        result.entries.extend(found)
        if not found and _needed(slot, case, mediated):
            result.missing.append(slot.label)
    return result


def _read_checked(entry: dict) -> bytes:
    with default_storage.open(entry["path"], "rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        raise ValueError(f"{entry['title']}: the stored file no longer matches its hash")
    return content


def _source_name(entry: dict) -> str:
    """The name the uploaded file is attached under: ids only, never user data."""
    return f"evidence-{int(entry['id'])}.pdf"


def _evidence_rendition(entry: dict, content: bytes) -> bytes:
    """The evidence's pages as images on A4 pages, written as PDF/A-3b. A page that cannot
    be rendered (``documents.pages.print_images``: time budget, broken file) prints the
    placeholder; the attached original still holds it."""
    with tempfile.TemporaryDirectory() as folder:
        images = page_images.print_images(content, count=entry["pages"], folder=Path(folder))
        roots = [PRINT_DIR, FONT_DIR, Path(folder)]
        snapshot = {"title": entry["title"], "images": [image.as_uri() for image in images]}
        document = layout(
            "documents/print/case_file_evidence.html", snapshot, PrintAssetFetcher(roots=roots)
        )
        return document.write_pdf(pdf_variant="pdf/a-3b")


def _drop_form_fields(page: pikepdf.Page) -> None:
    """An item's form widgets (the signature field of an agreement in effect) stay behind
    with its catalogue: in the case file they would be fields of no form, and the item's
    signature is checked on the item itself, which the manifest names by its hash."""
    annots = page.obj.get("/Annots")
    if annots is None:
        return
    kept = [a for a in annots if a.get("/Subtype") != "/Widget"]
    if len(kept) != len(annots):
        page.obj.Annots = pikepdf.Array(kept)


def _item_pages(entry: dict) -> bytes:
    """The PDF whose pages the case file takes for an item: an issued document's own (a
    PDF/A-3b already), the image rendition of uploaded evidence."""
    content = _read_checked(entry)
    return _evidence_rendition(entry, content) if entry["source"] == "evidence" else content


def _source_attachments(entries: list[dict]) -> list[weasyprint.Attachment]:
    return [
        weasyprint.Attachment(
            string=_read_checked(entry),
            name=_source_name(entry),
            description=entry["title"],
            relationship="Source",
            url_fetcher=asset_fetcher(),
        )
        for entry in entries
        if entry["source"] == "evidence"
    ]


def _layout_until_stable(template: str, snapshot_for: Callable[[int], dict]) -> weasyprint.Document:
    """Lay out a part whose text depends on its own page count (the catalogue's page
    numbers, the back cover's total) until the count it assumed is the count it has."""
    pages = 1
    while True:
        document = layout(template, snapshot_for(pages), asset_fetcher())
        if len(document.pages) == pages:
            return document
        pages = len(document.pages)


def _page_range(start: int, count: int) -> str:
    end = start + count - 1
    return f"{start}–{end}" if end > start else str(start)


def _first_pages(entries: list[dict], first_page: int) -> list[int]:
    """The case-file page on which each item begins."""
    starts, start = [], first_page
    for entry in entries:
        starts.append(start)
        start += entry["pages"]
    return starts


def _catalogue_rows(entries: list[dict], first_page: int) -> list[dict]:
    return [
        {
            "title": entry["title"],
            # A case file exported before items carried their date prints none.
            "date": entry.get("date", ""),
            "pages": _page_range(start, entry["pages"]),
        }
        for entry, start in zip(entries, _first_pages(entries, first_page), strict=True)
    ]


def manifest(entries: list[dict], first_page: int) -> list[dict]:
    """What the case file holds, item by item, for a machine to check: attached to the PDF
    as ``manifest.json``. ``sha256`` is the hash of the item's own PDF as stored."""
    return [
        {
            "number": entry.get("number", ""),
            "title": entry["title"],
            "date": entry.get("date", ""),
            "source": entry["source"],
            "pages": entry["pages"],
            "first_page": start,
            "sha256": entry["sha256"],
            # Uploaded evidence travels as filed, attached under this name.
            **({"attachment": _source_name(entry)} if entry["source"] == "evidence" else {}),
        }
        for entry, start in zip(entries, _first_pages(entries, first_page), strict=True)
    ]


MANIFEST_NAME = "manifest.json"


def _manifest_attachment(items: list[dict]) -> weasyprint.Attachment:
    return weasyprint.Attachment(
        string=json.dumps(items, ensure_ascii=False, indent=1),
        name=MANIFEST_NAME,
        description="The items of this case file, with the SHA-256 of each item's PDF",
        relationship="Data",
        url_fetcher=asset_fetcher(),
    )


@dataclass(frozen=True)
class _Generated:
    """The generated parts written as one PDF/A-3b: cover and catalogue, back cover, then
    one page-number stamp per page of the whole case file."""

    content: bytes
    cover: int  # pages
    front: int  # cover and catalogue pages
    back: int


def _generated_parts(snapshot: dict) -> _Generated:
    entries = snapshot["entries"]
    cover = layout("documents/print/case_file_cover.html", snapshot, asset_fetcher())
    catalogue = _layout_until_stable(
        "documents/print/case_file_catalogue.html",
        lambda pages: {
            **snapshot,
            "entries": _catalogue_rows(entries, len(cover.pages) + pages + 1),
        },
    )
    front = len(cover.pages) + len(catalogue.pages)
    body_pages = front + sum(e["pages"] for e in entries)
    back = _layout_until_stable(
        "documents/print/case_file_back.html",
        lambda pages: {
            **snapshot,
            "missing": [printed_label(label) for label in snapshot["missing"]],
            "total_pages": body_pages + pages,
            "entry_count": len(entries),
        },
    )
    total = body_pages + len(back.pages)
    numbers = {"numbers": list(range(1, total + 1))}
    stamps = layout("documents/print/case_file_page_numbers.html", numbers, asset_fetcher())
    pages = [*cover.pages, *catalogue.pages, *back.pages, *stamps.pages]
    content = cover.copy(pages).write_pdf(
        pdf_variant="pdf/a-3b",
        attachments=[
            _manifest_attachment(manifest(entries, front + 1)),
            *_source_attachments(entries),
        ],
    )
    return _Generated(content, cover=len(cover.pages), front=front, back=len(back.pages))


def _stamp_page_numbers(pages: list[pikepdf.Page], stamps: list[pikepdf.Page]) -> None:
    """Number the pages of the whole file in the top right corner (卷内页码), the numbers
    the catalogue refers to; each document keeps its own page numbers at the foot. A stamp
    is an A4 page: it goes on unscaled, at the top right of a page of any size."""
    for page, stamp in zip(pages, stamps, strict=True):
        _, _, right, top = (float(v) for v in page.mediabox)
        width, height = float(stamp.mediabox[2]), float(stamp.mediabox[3])
        page.add_overlay(stamp, Rectangle(right - width, top - height, right, top))


def _outline(pdf: pikepdf.Pdf, entries: list[dict], generated: _Generated) -> None:
    """Bookmarks to the cover, the catalogue, each item and the back cover, in place of
    the headings WeasyPrint bookmarked in the generated parts."""
    starts = _first_pages(entries, generated.front)  # zero-based page indexes
    back = generated.front + sum(e["pages"] for e in entries)
    with pdf.open_outline() as outline:
        outline.root[:] = [
            OutlineItem("卷宗", 0),
            OutlineItem("目录", generated.cover),
            *(OutlineItem(e["title"], start) for e, start in zip(entries, starts, strict=True)),
            OutlineItem("卷宗情况说明", back),
        ]


def _list_associated_files_once(pdf: pikepdf.Pdf) -> None:
    # WeasyPrint lists each attachment in the catalogue's /AF twice (once from the name
    # tree, once from the file specifications it finds); the manifest is listed once.
    kept: dict[tuple[int, int], pikepdf.Object] = {}
    for spec in pdf.Root.get("/AF", pikepdf.Array()):
        kept.setdefault(spec.objgen, spec)
    pdf.Root.AF = pikepdf.Array(kept.values())


def _describe(pdf: pikepdf.Pdf, snapshot: dict) -> None:
    # pikepdf keeps the document information dictionary in step with the XMP, as PDF/A
    # requires, and names itself as the producer of the assembled file.
    with pdf.open_metadata() as meta:
        meta["dc:title"] = f"卷宗 {snapshot['case']['number']}"
        meta["dc:creator"] = [snapshot["organisation"]]
        meta["pdfaid:part"] = "3"
        meta["pdfaid:conformance"] = "B"


def render_case_file(snapshot: dict) -> RenderedPdf:
    """The case file as one PDF/A-3b: the generated parts (with their output intent, XMP and
    the manifest attached as an associated file) with the items' pages put in between."""
    entries = snapshot["entries"]
    parts = [_item_pages(entry) for entry in entries]
    generated = _generated_parts(snapshot)
    with ExitStack() as stack:
        pdf = stack.enter_context(pikepdf.open(io.BytesIO(generated.content)))
        at = generated.front
        for part in parts:
            item = stack.enter_context(pikepdf.open(io.BytesIO(part)))
            for page in item.pages:  # pages only: each item's own catalogue stays behind
                _drop_form_fields(page)
                pdf.pages.insert(at, page)
                at += 1
        total = at + generated.back
        _stamp_page_numbers(list(pdf.pages[:total]), list(pdf.pages[total:]))
        del pdf.pages[total:]
        _outline(pdf, entries, generated)
        _list_associated_files_once(pdf)
        _describe(pdf, snapshot)
        out = io.BytesIO()
        pdf.save(out)
    return RenderedPdf(content=out.getvalue(), page_count=total)
