"""Pages of a stored PDF as PNG images, and their text, so a PDF can be read inside the page.

Evidence and issued documents are shown page by page, as images, without handing out the
file: poppler's ``pdftoppm`` renders one page at a time (a subprocess with a timeout and no
shell; the PDF goes in on stdin, the PNG comes out on stdout). Each image is kept on the
default storage under a name made of ids and hashes only, never user data, so a page is
rendered once per width::

    pages/evidence/<pk>/<sha256 of the file, 16 digits>/<page>-<width>.png
    pages/document/<pk>/v<version>/<page>-<width>.png

Only a fixed set of widths is rendered (anything else gets the default), so a request
cannot make the server render, or store, images of sizes nobody asked for.

Beside each image the viewer shows the page's text, for screen readers, for selecting and
copying, and for reading on a phone without zooming: ``pdftotext`` reads the whole file
once and its pages are kept in the same folder (``text.json``).

A PDF can be small and still take pdftoppm minutes per page (tens of megabytes of path
operations in a compressed stream). So that one such file cannot take the server:

* every pdftoppm or pdftotext run is killed past ``RENDER_TIMEOUT`` seconds;
* a failure that comes from the file (killed, exited with an error, gave no PNG) is
  remembered next to the images (``<page>.failed``, ``text.failed``): the next request for
  that page, at any width, gets the placeholder image at once, without running anything;
* a process runs one render at a time (``RENDER_SLOT``, a ``threading.Lock``: one per
  worker process, so a threaded server does not run many at once; gunicorn's sync workers
  run one request each anyway). A request waits for it at most ``SLOT_WAIT`` seconds and
  then gets the placeholder; that is not remembered, the page may render next time.

The placeholder (``placeholder.png``, 800 × 1132, "此页无法显示 / This page could not be
shown", drawn once with Pillow in Noto Sans CJK SC) is what the viewer shows instead of a
page it cannot render; the page's text, when there is some, is still beside it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import logging
import re
import subprocess
import threading
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from pypdf import PdfReader
from pypdf.errors import PyPdfError

logger = logging.getLogger(__name__)

DEFAULT_WIDTH = 800
ZOOM_WIDTH = 1400
WIDTHS = frozenset({DEFAULT_WIDTH, ZOOM_WIDTH})
# Seconds one pdftoppm (one page) or pdftotext (the whole file) run may take. A page of an
# ordinary scan or document takes well under one; past this the run is killed, the
# failure remembered and the placeholder shown. Under gunicorn's 30 s worker timeout even
# with the wait for the render slot added.
RENDER_TIMEOUT = 10
# Seconds a request waits for its process's render slot before it shows the placeholder.
SLOT_WAIT = 10
# One render (pdftoppm or pdftotext) at a time in this process.
RENDER_SLOT = threading.Lock()
# The most text shown for one page: a dense A4 page holds a few thousand characters; a
# file can hold far more than it shows.
MAX_PAGE_TEXT = 20_000
# When a PDF cannot be measured: the proportions of A4 portrait (width, height in points).
A4 = (595.0, 842.0)
PLACEHOLDER = Path(__file__).with_name("placeholder.png")

_HEX = re.compile(r"[0-9a-f]{16,64}")


class PageOutOfRange(ValueError):
    """The PDF has no page of that number."""


class RenderError(RuntimeError):
    """pdftoppm or pdftotext did not give a result. ``remembered``: the failure comes from
    the file (it failed, or took too long) and is kept, so it is not tried again."""

    remembered = True


class RenderBusy(RenderError):
    """This process was rendering something else for longer than ``SLOT_WAIT``."""

    remembered = False


def width_for(value) -> int:
    """The width asked for (``?w=``) if it is one we render, else the default."""
    try:
        width = int(str(value).strip())
    except (TypeError, ValueError):
        return DEFAULT_WIDTH
    return width if width in WIDTHS else DEFAULT_WIDTH


@functools.cache
def placeholder_png() -> bytes:
    """The image shown instead of a page that could not be rendered."""
    return PLACEHOLDER.read_bytes()


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


def failure_path(field_file, *, page: int) -> str:
    """The mark of a page that could not be rendered, at any width: a page too heavy at
    800 pixels is heavier at 1400."""
    return f"{cache_folder(field_file)}/{int(page)}.failed"


def _read(path: str) -> bytes | None:
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        return handle.read()


def _keep(path: str, content: bytes) -> None:
    if not default_storage.exists(path):  # another request may have written it meanwhile
        default_storage.save(path, ContentFile(content))


@contextlib.contextmanager
def _render_slot():
    """This process's one render slot, waited for at most ``SLOT_WAIT`` seconds."""
    if not RENDER_SLOT.acquire(timeout=SLOT_WAIT):
        raise RenderBusy(f"another render held this process's slot for {SLOT_WAIT} s")
    try:
        yield
    finally:
        RENDER_SLOT.release()


def _run(
    command: list[str], content: bytes, timeout: int | None = None
) -> subprocess.CompletedProcess:
    timeout = timeout or RENDER_TIMEOUT  # read at the call: a test may lower it
    try:
        return subprocess.run(
            command, input=content, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:  # subprocess.run has killed it
        raise RenderError(f"{command[0]} took more than {timeout} s") from error
    except (OSError, subprocess.SubprocessError) as error:
        # Not the file's fault (poppler missing, no memory to start it): not remembered.
        failure = RenderError(f"{command[0]} did not run: {error}")
        failure.remembered = False
        raise failure from error


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
    result = _run(command, content)
    if result.returncode != 0 or not result.stdout.startswith(b"\x89PNG\r\n\x1a\n"):
        stderr = result.stderr.decode("utf-8", "replace").strip()[:500]
        raise RenderError(f"pdftoppm exited with {result.returncode}: {stderr}")
    return result.stdout


def _remember(path: str, error: RenderError) -> None:
    if error.remembered:
        _keep(path, str(error)[:500].encode())


def page_png(field_file, *, page: int, width: int) -> bytes:
    """Page ``page`` (from 1) of the stored PDF as a PNG ``width`` pixels wide (one of
    ``WIDTHS``, else the default), from the cache when it was rendered before.

    Raises ``PageOutOfRange`` for a page the PDF does not have and ``RenderError`` when it
    cannot be shown: pdftoppm failed or took longer than ``RENDER_TIMEOUT`` (remembered:
    the next call raises at once), or the process's render slot stayed busy
    (``RenderBusy``, not remembered)."""
    width = width_for(width)
    if page < 1:
        raise PageOutOfRange(page)
    path = cache_path(field_file, page=page, width=width)
    failed = failure_path(field_file, page=page)
    png = _read(path)
    if png is not None:
        return png
    if default_storage.exists(failed):
        raise RenderError(f"page {page} could not be rendered before")
    content = _content(field_file)
    try:
        count = len(PdfReader(io.BytesIO(content)).pages)
    except (PyPdfError, ValueError, KeyError) as error:
        failure = RenderError(f"pypdf could not read the file: {error}")
        _remember(failed, failure)
        raise failure from error
    if page > count:
        raise PageOutOfRange(page)
    with _render_slot():
        # While this request waited, another may have rendered the page, or given up on it.
        png = _read(path)
        if png is not None:
            return png
        if default_storage.exists(failed):
            raise RenderError(f"page {page} could not be rendered before")
        try:
            png = _render(content, page=page, width=width)
        except RenderError as error:
            _remember(failed, error)
            raise
    _keep(path, png)
    return png


def _extract_text(content: bytes) -> list[str]:
    result = _run(["pdftotext", "-enc", "UTF-8", "-", "-"], content)
    if result.returncode != 0:
        stderr = result.stderr.decode("utf-8", "replace").strip()[:500]
        raise RenderError(f"pdftotext exited with {result.returncode}: {stderr}")
    # pdftotext ends each page with a form feed.
    texts = result.stdout.decode("utf-8", "replace").split("\f")
    if texts and not texts[-1].strip():
        texts.pop()
    return [text.strip()[:MAX_PAGE_TEXT] for text in texts]


def page_texts(field_file, *, count: int) -> list[str] | None:
    """The text of each of the ``count`` pages (empty for a page without text, such as a
    scan), from the cache when it was read before; None when it cannot be read (pdftotext
    failed or took too long, which is remembered, or the render slot stayed busy)."""
    folder = cache_folder(field_file)
    path, failed = f"{folder}/text.json", f"{folder}/text.failed"
    cached = _read(path)
    if cached is None:
        if default_storage.exists(failed):
            return None
        try:
            with _render_slot():
                cached = _read(path)
                if cached is None:
                    texts = _extract_text(_content(field_file))
                    cached = json.dumps(texts, ensure_ascii=False).encode()
                    _keep(path, cached)
        except RenderError as error:
            logger.warning("could not read the text of %s: %s", field_file.name, error)
            _remember(failed, error)
            return None
    try:
        texts = [str(text) for text in json.loads(cached)]
    except (ValueError, TypeError):
        return None
    return (texts + [""] * count)[:count]


def print_images(content: bytes, *, count: int, folder: Path) -> list[Path]:
    """Every page of a PDF as a JPEG ``ZOOM_WIDTH`` pixels wide (about 190 dpi across A4),
    written into ``folder``, for the case file's print of uploaded evidence (a background
    task, not a request). One pdftoppm run reads the file once for all its pages, with
    ``RENDER_TIMEOUT`` seconds a page; a page it did not give (killed, or the file broke
    part way) is the placeholder."""
    command = [
        "pdftoppm",
        "-jpeg",
        "-jpegopt",
        "quality=85",
        "-scale-to-x",
        str(ZOOM_WIDTH),
        "-scale-to-y",
        "-1",
        "-",  # the PDF on stdin
        str(folder / "page"),
    ]
    try:
        result = _run(command, content, timeout=RENDER_TIMEOUT * max(1, count))
        if result.returncode != 0:
            logger.warning("pdftoppm exited with %s for a case file's evidence", result.returncode)
    except RenderError as error:
        logger.warning("Evidence pages for a case file: %s", error)
    made = {int(p.stem.rsplit("-", 1)[1]): p for p in folder.glob("page-*.jpg")}
    if len(made) < count:  # in the folder too: the layout reads nothing outside it
        placeholder = folder / "placeholder.png"
        placeholder.write_bytes(placeholder_png())
    return [made.get(page, folder / "placeholder.png") for page in range(1, count + 1)]
