"""Cleaning of uploaded PDFs before they are kept as evidence.

Evidence comes from parties and their representatives, often by e-mail from abroad, and goes
unchanged into the exported case file (卷宗) that officers, advisers and courts open. A PDF
can carry JavaScript that runs when it is opened, links and form actions that call out to a
web site (telling it who opened the file, and where), and whole other files attached inside
it. None of that belongs in a case file, so an upload keeps its pages, text, images and
form appearances and loses everything that acts: actions, links, scripts, attachments.
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Stream

# Annotations that only exist to act or to carry something: a link opens a URI or jumps,
# a file attachment holds a file, the media kinds play content with scripts of their own.
ACTIVE_ANNOTATIONS = {
    "/Link",
    "/FileAttachment",
    "/Screen",
    "/Movie",
    "/Sound",
    "/RichMedia",
    "/3D",
}
# Keys removed from every dictionary in the file: additional actions (on open, close, page
# view, keystroke, calculation), the open action, script bodies, URIs, embedded file
# streams and associated files (PDF/A-3 attachments).
ACTIVE_KEYS = ("/AA", "/OpenAction", "/JS", "/URI", "/EF", "/AF")
# Name trees of the catalogue that hold document scripts and attached files; /Dests
# (named destinations inside the document) stays.
ACTIVE_NAME_TREES = ("/JavaScript", "/EmbeddedFiles")


def clean_pdf(content: bytes) -> bytes:
    """The PDF without JavaScript, actions, links or attached files, re-saved unencrypted.

    Raises ``pikepdf.PdfError`` for a file pikepdf cannot open, and
    ``pikepdf.PasswordError`` (not a ``PdfError``) for one that needs a password to open:
    the caller (``services._cleaned_pdf``) refuses each with its own message."""
    with pikepdf.open(io.BytesIO(content)) as pdf:
        _clean_catalogue(pdf.Root)
        for page in pdf.pages:
            _drop_active_annotations(page.obj)
        # Scripts and actions hide in many places (outline items, form fields, widgets,
        # pages); removing the keys everywhere leaves no action reachable, and the saved
        # file only holds objects that are still reachable.
        for obj in pdf.objects:
            _strip_actions(obj)
        out = io.BytesIO()
        pdf.save(out)  # without encryption=: an encrypted upload is saved decrypted
    return out.getvalue()


def _clean_catalogue(root: Dictionary) -> None:
    for key in ("/Collection", "/URI"):  # a portfolio of attached files; a base URI
        if key in root:
            del root[key]
    names = root.get("/Names")
    if isinstance(names, Dictionary):
        for key in ACTIVE_NAME_TREES:
            if key in names:
                del names[key]
    form = root.get("/AcroForm")
    # XFA is a second, scripted form description; the AcroForm fields stay so that filled
    # forms keep showing their values.
    if isinstance(form, Dictionary) and "/XFA" in form:
        del form["/XFA"]


def _drop_active_annotations(page: Dictionary) -> None:
    annotations = page.get("/Annots")
    if not isinstance(annotations, Array):
        return
    kept = [
        a
        for a in annotations
        if isinstance(a, Dictionary) and str(a.get("/Subtype", "")) not in ACTIVE_ANNOTATIONS
    ]
    if len(kept) != len(annotations):
        page.Annots = Array(kept)


def _strip_actions(obj) -> None:
    """Remove action keys from an object and from the direct objects nested in it (indirect
    ones are visited on their own)."""
    stack = [obj]
    while stack:
        current = stack.pop()
        if isinstance(current, Dictionary | Stream):
            for key in ACTIVE_KEYS:
                if key in current:
                    del current[key]
            action = current.get("/A")
            # /A is an action on annotations and outline items; on structure elements it
            # means attributes, which have no /S and stay.
            if isinstance(action, Dictionary) and "/S" in action:
                del current["/A"]
            children = [value for _key, value in current.items()]
        elif isinstance(current, Array):
            children = list(current)
        else:
            continue
        stack.extend(
            child
            for child in children
            if isinstance(child, Dictionary | Array | Stream) and not child.is_indirect
        )
