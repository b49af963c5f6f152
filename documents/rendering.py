"""The renderer contract: a print template and a JSON snapshot in, PDF bytes out.

Nothing else enters a document: the template gets the snapshot only (no database access),
user text reaches the page as escaped text, and every resource goes through
``PrintAssetFetcher``. Output is PDF/A-3b with the snapshot attached as ``snapshot.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML, Attachment, Document
from weasyprint.text.fonts import FontConfiguration

from .fetcher import PrintAssetFetcher
from .fonts import FONT_DIR, PRINT_FONTS

PRINT_DIR = Path(__file__).resolve().parent / "print"
STYLESHEET = PRINT_DIR / "gbt9704.css"
# Raised when a print template or the stylesheet changes meaningfully; stored with each
# document so an old PDF can be traced to the layout that made it.
TEMPLATE_VERSION = "2026.12-2"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


def asset_fetcher() -> PrintAssetFetcher:
    return PrintAssetFetcher(roots=[PRINT_DIR, FONT_DIR])


def _font_faces() -> str:
    # Paths the code chose, never user data.
    return "\n".join(
        f'@font-face {{ font-family: "{f.family}"; font-weight: {f.weight}; '
        f'src: url("{f.path.as_uri()}"); }}'
        for f in PRINT_FONTS
        if f.path.exists()
    )


@cache
def _fonts_and_styles() -> tuple[FontConfiguration, list[CSS]]:
    """Parsed once a process: warm renders reuse the fonts and stylesheets."""
    fetcher = asset_fetcher()
    fonts = FontConfiguration()
    styles = [
        CSS(string=_font_faces(), font_config=fonts, url_fetcher=fetcher),
        CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher),
    ]
    return fonts, styles


def render_html(template_name: str, snapshot: dict) -> str:
    # Print templates carry their own Chinese and English text; no UI translation applies.
    with translation.override(None):
        return render_to_string(template_name, {"doc": snapshot})


def _list_attachments_once(document, pdf) -> None:
    """WeasyPrint's PDF/A-3 step puts each attachment's file specification in the
    catalogue's /AF array twice (once from the EmbeddedFiles name tree, once as a
    /Filespec object): keep each once, in order."""
    listed = pdf.catalog.get("AF")
    if listed is not None:
        listed[:] = list(dict.fromkeys(listed))


def layout(template_name: str, snapshot: dict, fetcher: PrintAssetFetcher) -> Document:
    """The document laid out in pages, not yet written: ``render_pdf`` writes one, the case
    file writes its parts together (``documents.casefile``)."""
    fonts, styles = _fonts_and_styles()
    html = HTML(
        string=render_html(template_name, snapshot),
        base_url=PRINT_DIR.as_uri() + "/",
        url_fetcher=fetcher,
    )
    return html.render(font_config=fonts, stylesheets=styles)


def render_pdf(
    template_name: str, snapshot: dict, *, fetcher: PrintAssetFetcher | None = None
) -> RenderedPdf:
    fetcher = fetcher or asset_fetcher()
    document = layout(template_name, snapshot, fetcher)
    if snapshot.get("issuer"):
        # The body that issues it in its own name (a committee, not its 侨联): the
        # document information's Author and the XMP dc:creator both come from here.
        document.metadata.authors = [snapshot["issuer"]]
    snapshot_file = Attachment(
        string=json.dumps(snapshot, ensure_ascii=False, indent=1, sort_keys=True),
        name="snapshot.json",
        description="The data this document was rendered from",
        relationship="Source",
        url_fetcher=fetcher,
    )
    content = document.write_pdf(
        pdf_variant="pdf/a-3b", attachments=[snapshot_file], finisher=_list_attachments_once
    )
    return RenderedPdf(content=content, page_count=len(document.pages))
