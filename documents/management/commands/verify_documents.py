"""Check the stored files: each still has the hash recorded for it, each rendered document
(single documents and case files alike) is a PDF/A-3b as the renderer and the case file
make it, a case file's attached manifest names the items it was assembled from, and each
signature a document carries is the organisation's and still covers the whole file (one
issued signed must carry one).

The PDF/A checks are the ones this system can get wrong (markers, output intent, document
ID, associated files, embedded fonts); they are no substitute for a full validator such as
veraPDF. Evidence is checked by hash only: an upload is kept as the party sent it."""

from __future__ import annotations

import hashlib
import io
import json
from typing import IO

import pikepdf
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from documents.casefile import MANIFEST_NAME
from documents.models import Document, DocumentKind, Evidence
from documents.signing import UnreadableSignature, verify_pdf

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def _hash_problem(handle: IO[bytes], expected: str) -> str | None:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    return None if digest.hexdigest() == expected else "hash mismatch"


def _marked_pdfa_3b(pdf: pikepdf.Pdf) -> bool:
    with pdf.open_metadata() as meta:
        return meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "B"


def _has_pdfa_output_intent(pdf: pikepdf.Pdf) -> bool:
    for intent in pdf.Root.get("/OutputIntents", pikepdf.Array()):
        profile = intent.get("/DestOutputProfile")
        if intent.get("/S") == "/GTS_PDFA1" and isinstance(profile, pikepdf.Stream):
            return "/N" in profile
    return False


def _has_document_id(pdf: pikepdf.Pdf) -> bool:
    ids = pdf.trailer.get("/ID")
    return isinstance(ids, pikepdf.Array) and len(ids) == 2


def _embedded_files(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    return [pdf.attachments[name].obj for name in pdf.attachments]


def _unassociated_files(pdf: pikepdf.Pdf) -> list[str]:
    """PDF/A-3 allows attached files only as associated files: each with its relationship,
    each listed in the catalogue's /AF."""
    listed = {spec.objgen for spec in pdf.Root.get("/AF", pikepdf.Array())}
    return [
        str(spec.get("/UF", spec.get("/F", "?")))
        for spec in _embedded_files(pdf)
        if "/AFRelationship" not in spec or spec.objgen not in listed
    ]


def _font_program(font: pikepdf.Dictionary) -> bool:
    if font.get("/Subtype") == "/Type3":  # glyphs drawn by the file itself
        return True
    if font.get("/Subtype") == "/Type0":
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor")
    return isinstance(descriptor, pikepdf.Dictionary) and any(k in descriptor for k in FONT_FILES)


def _unembedded_fonts(pdf: pikepdf.Pdf) -> list[str]:
    return sorted(
        {
            str(obj.get("/BaseFont", "?"))
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary)
            and obj.get("/Type") == "/Font"
            and obj.get("/Subtype") != "/CIDFontType0"  # reached through their Type0 font
            and obj.get("/Subtype") != "/CIDFontType2"
            and not _font_program(obj)
        }
    )


def pdfa_problems(pdf: pikepdf.Pdf) -> list[str]:
    """What keeps the file from being the PDF/A-3b the system writes; empty if nothing."""
    problems = []
    if pdf.is_encrypted:
        problems.append("encrypted")
    if not _marked_pdfa_3b(pdf):
        problems.append("not marked PDF/A-3b in its XMP metadata")
    if not _has_pdfa_output_intent(pdf):
        problems.append("no PDF/A output intent with an ICC profile")
    if not _has_document_id(pdf):
        problems.append("no document ID")
    problems += [
        f"attached file {name} is not an associated file" for name in _unassociated_files(pdf)
    ]
    problems += [f"font {name} not embedded" for name in _unembedded_fonts(pdf)]
    return problems


def manifest_problems(pdf: pikepdf.Pdf, snapshot: dict) -> list[str]:
    """A case file carries its manifest once, as data, listing the items it was assembled
    from with the hashes they had then."""
    specs = [pdf.attachments[n].obj for n in pdf.attachments if n == MANIFEST_NAME]
    if len(specs) != 1:
        return [f"{MANIFEST_NAME} attached {len(specs)} times"]
    if specs[0].get("/AFRelationship") != "/Data":
        return [f"{MANIFEST_NAME} is not attached as data"]
    items = json.loads(pdf.attachments[MANIFEST_NAME].get_file().read_bytes())
    listed = [(item["number"], item["sha256"]) for item in items]
    expected = [(e.get("number", ""), e["sha256"]) for e in snapshot["entries"]]
    if listed != expected:
        return [f"{MANIFEST_NAME} does not list the items filed"]
    return [problem for item in items if "attachment" in item for problem in _source(pdf, item)]


def _source(pdf: pikepdf.Pdf, item: dict) -> list[str]:
    """Uploaded evidence is attached as filed: a source whose hash is the manifest's."""
    name = item["attachment"]
    if name not in pdf.attachments:
        return [f"{name} is not attached"]
    if pdf.attachments[name].obj.get("/AFRelationship") != "/Source":
        return [f"{name} is not attached as a source"]
    content = pdf.attachments[name].get_file().read_bytes()
    if hashlib.sha256(content).hexdigest() != item["sha256"]:
        return [f"{name} is not the file filed"]
    return []


def _signature_problems(document: Document, content: bytes) -> tuple[int, list[str]]:
    """How many signatures were checked, and what is wrong with them: a signature whose
    bytes changed, that is not the organisation's or that something was added after, and a
    document issued signed that carries none."""
    try:
        checks = verify_pdf(content)
    except UnreadableSignature as error:
        return 0, [f"unreadable signature ({error})"]
    problems = [f"signature {check.field}: {check.problem}" for check in checks if check.problem]
    if document.snapshot.get("signed") and not checks:
        problems.append("issued signed but carries no signature")
    return len(checks), problems


def _document_problems(document: Document, content: bytes) -> tuple[int, list[str]]:
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            problems = pdfa_problems(pdf)
            if document.kind == DocumentKind.CASE_FILE:
                problems += manifest_problems(pdf, document.snapshot)
    except pikepdf.PdfError as error:
        return 0, [f"not a readable PDF ({error})"]
    signatures, found = _signature_problems(document, content)
    return signatures, problems + found


def _problems(record: Document | Evidence) -> tuple[int, list[str]]:
    """The signatures checked in the record's file, and its problems."""
    name = record.file.name
    if not name or not default_storage.exists(name):
        return 0, ["missing file"]
    with default_storage.open(name, "rb") as handle:
        problem = _hash_problem(handle, record.sha256)
        if problem:
            return 0, [problem]
        if isinstance(record, Document):
            # Read whole: the signatures are checked over the file's bytes as stored.
            handle.seek(0)
            return _document_problems(record, handle.read())
    return 0, []


class Command(BaseCommand):
    help = (
        "Recompute the SHA-256 of every stored document and evidence file and check each "
        "document's PDF/A-3b markers (and a case file's manifest) and signatures; exit 1 on "
        "any problem."
    )

    def handle(self, *args, **options) -> None:
        checked, failed, signatures, problems = 0, 0, 0, []
        ready = Document.objects.filter(rendering=Document.Rendering.READY)
        for record in [*ready, *Evidence.objects.all()]:
            checked += 1
            signed, found = _problems(record)
            signatures += signed
            failed += bool(found)
            label = f"{record._meta.verbose_name} {record.pk} ({record.case.number} {record})"
            problems += [f"{problem}: {label} {record.file.name}" for problem in found]
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(
                f"{failed} of {checked} files failed verification "
                f"({signatures} signatures checked)."
            )
        self.stdout.write(
            self.style.SUCCESS(f"All {checked} files verified ({signatures} signatures checked).")
        )
