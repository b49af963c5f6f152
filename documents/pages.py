"""Pages of a stored PDF as PNG images, so a PDF can be read inside the page.

Evidence and issued documents are shown page by page, as images, without handing out the
file: poppler's ``pdftoppm`` renders one page at a time (a subprocess with a timeout and no
shell; the PDF goes in on stdin, the PNG comes out on stdout). Each image is kept on the
default storage under a name made of ids and hashes only, never user data, so a page is
rendered once per width::

    pages/evidence/<pk>/<sha256 of the file, 16 digits>/<page>-<width>.png
    pages/document/<pk>/v<version>/<page>-<width>.png

Only a fixed set of widths is rendered (anything else gets the default), so a request
cannot make the server render, or store, images of sizes nobody asked for.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import subprocess

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from pypdf import PdfReader
from pypdf.errors import PyPdfError

logger = logging.getLogger(__name__)

DEFAULT_WIDTH = 800
ZOOM_WIDTH = 1400
WIDTHS = frozenset({DEFAULT_WIDTH, ZOOM_WIDTH})
# Seconds one page may take; a page that takes longer is not shown.
RENDER_TIMEOUT = 30
# When a PDF cannot be measured: the proportions of A4 portrait (width, height in points).
A4 = (595.0, 842.0)

_HEX = re.compile(r"[0-9a-f]{16,64}")


class PageOutOfRange(ValueError):
    """The PDF has no page of that number."""


class RenderError(RuntimeError):
    """pdftoppm did not give an image (it failed, or took too long)."""


def width_for(value) -> int:
    """The width asked for (``?w=``) if it is one we render, else the default."""
    try:
        width = int(str(value).strip())
    except (TypeError, ValueError):
        return DEFAULT_WIDTH
    return width if width in WIDTHS else DEFAULT_WIDTH


def _content(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def page_count(field_file) -> int:
    """How many pages the stored PDF has."""
    return len(PdfReader(io.BytesIO(_content(field_file))).pages)


def page_sizes(field_file) -> list[tuple[float, float]]:
    """Each page's width and height in points, as shown (the crop box, turned by /Rotate):
    the proportions of the images ``page_png`` makes, so the viewer can reserve the space of
    each page before its image loads."""
    sizes = []
    for page in PdfReader(io.BytesIO(_content(field_file))).pages:
        box = page.cropbox
        width, height = abs(float(box.width)), abs(float(box.height))
        if page.rotation % 180:
            width, height = height, width
        sizes.append((width, height) if width and height else A4)
    return sizes


def cache_folder(field_file) -> str:
    """Where the images of this file are kept: ids and hashes only."""
    from .models import Document, Evidence  # models import nothing from here

    instance = getattr(field_file, "instance", None)
    if isinstance(instance, Evidence) and instance.pk:
        digest = (instance.sha256 or "").lower()
        if not _HEX.fullmatch(digest):
            digest = hashlib.sha256(_content(field_file)).hexdigest()
        return f"pages/evidence/{int(instance.pk)}/{digest[:16]}"
    if isinstance(instance, Document) and instance.pk:
        return f"pages/document/{int(instance.pk)}/v{int(instance.version)}"
    return f"pages/file/{hashlib.sha256(_content(field_file)).hexdigest()[:16]}"


def cache_path(field_file, *, page: int, width: int) -> str:
    return f"{cache_folder(field_file)}/{int(page)}-{width_for(width)}.png"


def _render(content: bytes, *, page: int, width: int) -> bytes:
    command = [
        "pdftoppm",
        "-png",
        "-f",
        str(page),
        "-l",
        str(page),
        "-scale-to-x",
        str(width),
        "-scale-to-y",
        "-1",
        "-singlefile",
        "-",  # the PDF on stdin; without an output root the PNG goes to stdout
    ]
    try:
        result = subprocess.run(
            command, input=content, capture_output=True, timeout=RENDER_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise RenderError(f"pdftoppm did not run: {error}") from error
    if result.returncode != 0 or not result.stdout.startswith(b"\x89PNG\r\n\x1a\n"):
        stderr = result.stderr.decode("utf-8", "replace").strip()[:500]
        raise RenderError(f"pdftoppm exited with {result.returncode}: {stderr}")
    return result.stdout


def page_png(field_file, *, page: int, width: int) -> bytes:
    """Page ``page`` (from 1) of the stored PDF as a PNG ``width`` pixels wide (one of
    ``WIDTHS``, else the default), from the cache when it was rendered before.

    Raises ``PageOutOfRange`` for a page the PDF does not have and ``RenderError`` when
    pdftoppm fails or times out."""
    width = width_for(width)
    if page < 1:
        raise PageOutOfRange(page)
    path = cache_path(field_file, page=page, width=width)
    if default_storage.exists(path):
        with default_storage.open(path, "rb") as handle:
            return handle.read()
    content = _content(field_file)
    try:
        count = len(PdfReader(io.BytesIO(content)).pages)
    except (PyPdfError, ValueError, KeyError) as error:
        raise RenderError(f"pypdf could not read the file: {error}") from error
    if page > count:
        raise PageOutOfRange(page)
    png = _render(content, page=page, width=width)
    if not default_storage.exists(path):  # another request may have rendered it meanwhile
        default_storage.save(path, ContentFile(png))
    return png
