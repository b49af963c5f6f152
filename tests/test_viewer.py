"""Viewing evidence and issued documents inside the page, as page images (documents/pages.py).

Pages are rendered by pdftoppm once per width and kept on the storage under ids and hashes;
only the widths the viewer offers are rendered; whoever may not read the case gets 404 from
every route, as if the file did not exist. A page that cannot be rendered within the time
budget shows a placeholder, at once the next time; a process renders one page at a time.
Each page's text (pdftotext) is beside its image. Texts are checked in Chinese, the default
language."""

import io
import subprocess
import threading
import time

import pikepdf
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from documents import pages
from documents.models import Document, Evidence
from documents.services import add_evidence, render_document

from .factories import officer_of

PNG = b"\x89PNG\r\n\x1a\n"


def _two_page_pdf() -> bytes:
    """A4 portrait, then A4 landscape, each with something drawn on it."""
    pdf = pikepdf.new()
    for size, drawing in [
        ((595, 842), b"0 0 1 rg 50 50 200 300 re f 1 0 0 RG 4 w 60 700 m 500 760 l S"),
        ((842, 595), b"1 0 0 rg 100 100 600 300 re f"),
    ]:
        pdf.add_blank_page(page_size=size)
        pdf.pages[-1].Contents = pdf.make_stream(drawing)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _text_pdf() -> bytes:
    """Page 1 with a line of text (with characters that mean something in HTML), page 2 a
    drawing only, as a scan has no text."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for drawing in [
        b"BT /F1 14 Tf 72 760 Td (Deed of the ancestral house <1987> & map) Tj ET",
        b"0 0 1 rg 50 50 200 300 re f",
    ]:
        pdf.add_blank_page(page_size=(595, 842))
        pdf.pages[-1].Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        pdf.pages[-1].Contents = pdf.make_stream(drawing)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _heavy_pdf() -> bytes:
    """One page of a few kilobytes that takes pdftoppm about a minute: 20,000 long stroked
    lines in one compressed stream (the issue's was 75 KB, with 30 MB of path operations)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.pages[0].Contents = pdf.make_stream(
        b"0.1 w " + b"10 10 m 580 830 l 20 800 l 500 20 l h S\n" * 20000
    )
    out = io.BytesIO()
    pdf.save(out, compress_streams=True)
    return out.getvalue()


def _upload(case, officer, content: bytes, title: str) -> Evidence:
    upload = SimpleUploadedFile(f"{title}.pdf", content, content_type="application/pdf")
    return add_evidence(case=case, actor=officer, item="06", title=title, upload=upload)


def _no_run(*args, **kwargs):
    raise AssertionError("pdftoppm or pdftotext ran again")


@pytest.fixture
def evidence(case, officer):
    upload = SimpleUploadedFile("现场照片.pdf", _two_page_pdf(), content_type="application/pdf")
    return add_evidence(case=case, actor=officer, item="06", title="现场照片", upload=upload)


@pytest.fixture
def document(case):
    """The case's registration form (受理登记表), rendered as the worker would."""
    return render_document(document_id=case.documents.get().pk)


@pytest.fixture
def stranger(other_city):
    """A case officer of another organisation: none of our cases."""
    return officer_of(other_city, "stranger")


def _png_size(content: bytes) -> tuple[int, int]:
    assert content.startswith(PNG)
    return Image.open(io.BytesIO(content)).size


def test_it_counts_and_renders_the_pages_of_an_evidence_pdf(evidence):
    assert pages.page_count(evidence.file) == 2 == evidence.page_count

    first = pages.page_png(evidence.file, page=1, width=800)
    second = pages.page_png(evidence.file, page=2, width=800)

    assert _png_size(first)[0] == 800 and _png_size(first)[1] > 800  # portrait
    assert _png_size(second)[0] == 800 and _png_size(second)[1] < 800  # landscape
    # Something is drawn: not a blank white page.
    colours = Image.open(io.BytesIO(first)).convert("RGB").getcolors(maxcolors=1 << 20)
    assert len(colours) > 1
    with pytest.raises(pages.PageOutOfRange):
        pages.page_png(evidence.file, page=3, width=800)


def test_it_keeps_each_page_under_ids_and_hashes_only(evidence, document):
    pages.page_png(evidence.file, page=1, width=800)
    pages.page_png(document.file, page=1, width=1400)

    evidence_image = f"pages/evidence/{evidence.pk}/{evidence.sha256[:16]}/1-800.png"
    document_image = f"pages/document/{document.pk}/v{document.version}/1-1400.png"
    assert default_storage.exists(evidence_image)
    assert default_storage.exists(document_image)
    for name in (evidence_image, document_image):
        assert "现场" not in name and evidence.title not in name


def test_it_serves_a_page_as_png_and_renders_it_once(client, officer, evidence, monkeypatch):
    client.force_login(officer)
    url = reverse("documents:evidence_page", args=[evidence.pk, 1])

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(PNG)
    assert "private" in response["Cache-Control"]
    cached = f"pages/evidence/{evidence.pk}/{evidence.sha256[:16]}/1-800.png"
    assert default_storage.exists(cached)

    def no_pdftoppm(*args, **kwargs):
        raise AssertionError("pdftoppm ran for a page already rendered")

    monkeypatch.setattr(subprocess, "run", no_pdftoppm)
    again = client.get(url)
    assert again.status_code == 200
    assert again.content == response.content


def _directives(response) -> set[str]:
    return {d.strip() for d in response["Cache-Control"].split(",")}


def test_it_sends_page_images_with_no_store(client, officer, evidence, document):
    """A page may be a scanned ID document: no browser or proxy keeps it."""
    client.force_login(officer)
    for url in [
        reverse("documents:evidence_page", args=[evidence.pk, 1]),
        reverse("documents:document_page", args=[document.pk, 1]),
    ]:
        for width in ("800", "1400"):
            response = client.get(url, {"w": width})
            assert response.status_code == 200 and response.content.startswith(PNG)
            assert {"private", "no-store"} <= _directives(response), url
            assert not any(d.startswith("max-age") for d in _directives(response)), url


def test_it_shows_the_placeholder_when_pdftoppm_fails_and_remembers_it(
    client, officer, evidence, monkeypatch
):
    runs = []

    def broken(command, **kwargs):
        runs.append(command[0])
        return subprocess.CompletedProcess(command, 1, b"", b"Syntax Error: broken stream")

    monkeypatch.setattr(subprocess, "run", broken)
    client.force_login(officer)
    url = reverse("documents:evidence_page", args=[evidence.pk, 1])

    response = client.get(url)
    assert response.status_code == 200
    assert response.content == pages.placeholder_png()
    assert _png_size(response.content) == (800, 1132) and len(response.content) < 20_000
    assert {"private", "no-store"} <= _directives(response)
    # Remembered beside the images: no second run, at either width.
    assert client.get(url).content == pages.placeholder_png()
    assert client.get(url, {"w": "1400"}).content == pages.placeholder_png()
    assert runs == ["pdftoppm"]
    folder = f"pages/evidence/{evidence.pk}/{evidence.sha256[:16]}"
    assert default_storage.listdir(folder)[1] == ["1.failed"]
    # Page 2 is another page: tried on its own.
    client.get(reverse("documents:evidence_page", args=[evidence.pk, 2]))
    assert runs == ["pdftoppm", "pdftoppm"]


def test_it_tries_again_when_pdftoppm_could_not_start(client, officer, evidence, monkeypatch):
    """Not the file's fault (poppler missing, no memory): not remembered."""

    def missing(*args, **kwargs):
        raise FileNotFoundError("pdftoppm")

    client.force_login(officer)
    url = reverse("documents:evidence_page", args=[evidence.pk, 1])
    with monkeypatch.context() as patch:
        patch.setattr(subprocess, "run", missing)
        assert client.get(url).content == pages.placeholder_png()
    assert not default_storage.exists(f"pages/evidence/{evidence.pk}")
    again = client.get(url)
    assert again.content.startswith(PNG) and again.content != pages.placeholder_png()


def test_it_gives_up_on_a_heavy_page_within_the_budget_and_answers_at_once_after(
    client, officer, case, monkeypatch
):
    """The real pdftoppm on a page it needs about a minute for: killed at the budget (2 s
    here, 10 s in production), the placeholder shown, and the next requests, at either
    width, answered from the remembered failure without running anything."""
    assert pages.RENDER_TIMEOUT + pages.SLOT_WAIT < 30  # under gunicorn's worker timeout
    monkeypatch.setattr(pages, "RENDER_TIMEOUT", 2)
    evidence = _upload(case, officer, _heavy_pdf(), "边界图")
    assert evidence.size < 100_000
    client.force_login(officer)
    url = reverse("documents:evidence_page", args=[evidence.pk, 1])

    started = time.monotonic()
    response = client.get(url)
    took = time.monotonic() - started
    assert response.status_code == 200
    assert response.content == pages.placeholder_png()
    assert took < pages.RENDER_TIMEOUT + 3, took

    monkeypatch.setattr(subprocess, "run", _no_run)
    for width in ("800", "1400"):
        started = time.monotonic()
        again = client.get(url, {"w": width})
        assert time.monotonic() - started < 0.5
        assert again.status_code == 200 and again.content == pages.placeholder_png()


def test_it_renders_one_page_at_a_time_in_a_process(evidence, monkeypatch):
    """Four pages asked for at once (a threaded server): pdftoppm runs one at a time."""
    real_run, guard = subprocess.run, threading.Lock()
    running, most = 0, 0

    def counting(*args, **kwargs):
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        try:
            time.sleep(0.2)
            return real_run(*args, **kwargs)
        finally:
            with guard:
                running -= 1

    monkeypatch.setattr(subprocess, "run", counting)
    asked = [(page, width) for page in (1, 2) for width in (800, 1400)]
    # Each request has its own instance of the evidence, as each request would.
    copies = [Evidence.objects.get(pk=evidence.pk) for _ in asked]
    images: dict[tuple[int, int], bytes] = {}

    def render(item, page, width):
        images[page, width] = pages.page_png(item.file, page=page, width=width)

    threads = [
        threading.Thread(target=render, args=(item, page, width))
        for item, (page, width) in zip(copies, asked, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert most == 1
    assert sorted(images) == sorted(asked)
    for (_page, width), png in images.items():
        assert _png_size(png)[0] == width


def test_it_shows_the_placeholder_when_its_process_stays_busy_and_tries_again_later(
    client, officer, evidence, monkeypatch
):
    monkeypatch.setattr(pages, "SLOT_WAIT", 0.3)
    client.force_login(officer)
    url = reverse("documents:evidence_page", args=[evidence.pk, 1])

    assert pages.RENDER_SLOT.acquire(timeout=5)  # another request is rendering
    try:
        started = time.monotonic()
        busy = client.get(url)
        assert time.monotonic() - started < 2
    finally:
        pages.RENDER_SLOT.release()
    assert busy.status_code == 200 and busy.content == pages.placeholder_png()
    assert not default_storage.exists(f"pages/evidence/{evidence.pk}")  # nothing remembered

    after = client.get(url)
    assert after.content.startswith(PNG) and after.content != pages.placeholder_png()


@pytest.mark.parametrize("page", [0, 3, 99999999999])
def test_it_answers_404_for_a_page_the_file_does_not_have(client, officer, evidence, page):
    client.force_login(officer)
    response = client.get(reverse("documents:evidence_page", args=[evidence.pk, page]))
    assert response.status_code == 404


def test_it_answers_404_for_a_page_past_the_end_of_a_document(client, officer, document):
    client.force_login(officer)
    past = document.page_count + 1
    response = client.get(reverse("documents:document_page", args=[document.pk, past]))
    assert response.status_code == 404


def test_it_zooms_to_1400_and_falls_back_to_800_for_other_widths(client, officer, evidence):
    client.force_login(officer)
    url = reverse("documents:evidence_page", args=[evidence.pk, 1])

    assert _png_size(client.get(url, {"w": "1400"}).content)[0] == 1400
    for width in ["abc", "1000", "-1", "0", "99999999999999999999", "1400.0", ""]:
        response = client.get(url, {"w": width})
        assert response.status_code == 200, width
        assert _png_size(response.content)[0] == 800, width
    assert _png_size(client.get(url).content)[0] == 800

    folder = f"pages/evidence/{evidence.pk}/{evidence.sha256[:16]}"
    assert sorted(default_storage.listdir(folder)[1]) == ["1-1400.png", "1-800.png"]


def test_it_answers_404_on_every_route_to_whoever_may_not_read_the_case(
    client, stranger, evidence, document
):
    client.force_login(stranger)
    urls = [
        reverse("documents:view_evidence", args=[evidence.pk]),
        reverse("documents:evidence_page", args=[evidence.pk, 1]),
        reverse("documents:view_document", args=[document.pk]),
        reverse("documents:document_page", args=[document.pk, 1]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.get(url, {"fragment": "1", "w": "1400"}).status_code == 404, url
        assert client.get(url, headers={"X-Requested-With": "fetch"}).status_code == 404, url
    assert not default_storage.exists("pages")


def test_it_sends_anonymous_visitors_to_log_in(client, evidence):
    response = client.get(reverse("documents:evidence_page", args=[evidence.pk, 1]))
    assert response.status_code == 302 and reverse("login") in response.url


def test_it_says_a_document_is_not_ready_yet(client, officer, case):
    pending = case.documents.get()
    assert pending.rendering == Document.Rendering.PENDING
    client.force_login(officer)

    page = client.get(reverse("documents:view_document", args=[pending.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "该文书正在生成，生成后即可查看各页。" in text
    assert "<img" not in text
    assert reverse("documents:download", args=[pending.pk]) not in text
    response = client.get(reverse("documents:document_page", args=[pending.pk, 1]))
    assert response.status_code == 404


def test_it_says_a_document_failed(client, officer, case):
    failed = case.documents.get()
    Document.objects.filter(pk=failed.pk).update(rendering=Document.Rendering.FAILED)
    client.force_login(officer)
    text = client.get(reverse("documents:view_document", args=[failed.pk])).content.decode()
    assert "该文书生成失败，没有可查看的页面。" in text and "<img" not in text


def test_it_shows_a_document_s_pages_with_zoom_and_download(client, officer, document):
    client.force_login(officer)
    url = reverse("documents:view_document", args=[document.pk])
    text = client.get(url, {"fragment": "1"}).content.decode()

    assert text.count('<img loading="lazy"') == document.page_count
    for number in range(1, document.page_count + 1):
        src = reverse("documents:document_page", args=[document.pk, number])
        assert f'src="{src}"' in text
        # Zoom is a button: in place with static/js/viewer.js, else the form opens the
        # larger image.
        assert f'<form class="viewer-zoom" method="get" action="{src}" data-viewer-zoom>' in text
        assert f'alt="第 {number} 页的图像，本页文字见下文"' in text
    assert text.count('<input type="hidden" name="w" value="1400">') == document.page_count
    assert text.count('data-zoom-out="缩小">放大查看</button>') == document.page_count
    assert "?w=1400" not in text  # no zoom link any more
    assert f"共 {document.page_count} 页" in text
    assert reverse("documents:download", args=[document.pk]) in text

    image = client.get(reverse("documents:document_page", args=[document.pk, 1]))
    assert image.status_code == 200 and image.content.startswith(PNG)


def test_it_shows_evidence_pages_without_a_download(client, officer, evidence):
    client.force_login(officer)
    text = client.get(
        reverse("documents:view_evidence", args=[evidence.pk]), {"fragment": "1"}
    ).content.decode()

    assert "现场照片" in text and "共 2 页" in text
    assert text.count('<img loading="lazy"') == 2
    # Drawings only, as a scan: no text to read, and the alt text does not promise any.
    assert 'alt="第 1 页的图像"' in text and 'alt="第 2 页的图像"' in text
    assert text.count("此页没有可读取的文字（可能是扫描件）。") == 2
    assert 'class="viewer-text"' not in text
    # The space of each page is kept before its image loads: portrait, then landscape.
    assert 'width="800" height="1132"' in text and 'width="800" height="565"' in text
    assert "/pdf/" not in text and "download" not in text


def _pages_of(fragment: str) -> list[str]:
    return fragment.split('<li class="viewer-page">')[1:]


def test_it_puts_each_page_s_text_beside_its_image(client, officer, case, monkeypatch):
    evidence = _upload(case, officer, _text_pdf(), "祖屋契约")
    client.force_login(officer)
    url = reverse("documents:view_evidence", args=[evidence.pk])

    text = client.get(url, {"fragment": "1"}).content.decode()
    first, second = _pages_of(text)
    assert (
        '<div class="viewer-text">Deed of the ancestral house &lt;1987&gt; &amp; map</div>' in first
    )
    assert f'<h3 id="viewer-evidence-{evidence.pk}-p1">第 1 页</h3>' in first
    assert 'alt="第 1 页的图像，本页文字见下文"' in first
    assert 'alt="第 2 页的图像"' in second and "viewer-text" not in second
    assert "此页没有可读取的文字（可能是扫描件）。" in second
    assert "未能读取此文件的文字" not in text

    # Read once for the file, kept beside its images under ids and hashes.
    assert default_storage.exists(f"pages/evidence/{evidence.pk}/{evidence.sha256[:16]}/text.json")
    monkeypatch.setattr(subprocess, "run", _no_run)
    assert client.get(url, {"fragment": "1"}).content.decode() == text


def test_it_puts_an_issued_document_s_text_beside_its_pages(client, officer, document):
    client.force_login(officer)
    text = client.get(
        reverse("documents:view_document", args=[document.pk]), {"fragment": "1"}
    ).content.decode()
    first = _pages_of(text)[0]
    assert '<div class="viewer-text">' in first
    for words in [document.case.number, "祖坟墓地纠纷", "宗亲会来函反映祖坟墓地被占用。"]:
        assert words in first, words


def test_it_shows_the_pages_without_text_when_pdftotext_fails(client, officer, case, monkeypatch):
    evidence = _upload(case, officer, _text_pdf(), "祖屋契约")
    runs = []

    def broken(command, **kwargs):
        runs.append(command[0])
        return subprocess.CompletedProcess(command, 1, b"", b"Syntax Error")

    monkeypatch.setattr(subprocess, "run", broken)
    client.force_login(officer)
    url = reverse("documents:view_evidence", args=[evidence.pk])

    text = client.get(url, {"fragment": "1"}).content.decode()
    assert text.count("未能读取此文件的文字，只显示各页的图像。") == 1
    assert 'alt="第 1 页的图像"' in text and "viewer-text" not in text
    assert "此页没有可读取的文字" not in text  # unknown, not empty
    assert text.count('<img loading="lazy"') == 2
    # Remembered: the next view does not run pdftotext again.
    assert client.get(url, {"fragment": "1"}).content.decode() == text
    assert runs == ["pdftotext"]


def test_it_answers_the_fragment_or_the_full_page(client, officer, evidence, document):
    client.force_login(officer)
    url = reverse("documents:view_evidence", args=[evidence.pk])

    fragment = client.get(url, {"fragment": "1"})
    fetched = client.get(url, headers={"X-Requested-With": "fetch"})
    full = client.get(url)

    for response in (fragment, fetched):
        text = response.content.decode()
        assert text.lstrip().startswith("<section") and "<html" not in text
        assert "data-viewer-fragment" in text
    assert "X-Requested-With" in full["Vary"]

    text = full.content.decode()
    assert text.lower().startswith("<!doctype html") and "data-viewer-fragment" in text
    assert '<script src="/static/js/viewer.js" defer></script>' in text
    # The case's files open in the pane in place (static/js/viewer.js), else on their page.
    document_view = reverse("documents:view_document", args=[document.pk])
    assert f'href="{document_view}" data-viewer data-viewer-target="viewer-pane"' in text
    assert 'id="viewer-pane"' in text
    assert f'href="{url}" data-viewer data-viewer-target="viewer-pane" aria-current="page"' in text
    # The Content-Security-Policy allows no inline script or style.
    assert "style=" not in text and "<script>" not in text


def test_it_links_each_file_to_its_viewer_from_the_case_page(client, officer, evidence, document):
    client.force_login(officer)
    text = client.get(evidence.case.get_absolute_url()).content.decode()

    assert f'href="{reverse("documents:view_evidence", args=[evidence.pk])}">查看</a>' in text
    assert f'href="{reverse("documents:view_document", args=[document.pk])}">查看</a>' in text
    assert "现场照片" in text


def test_it_refuses_to_change_anything(client, officer, evidence):
    client.force_login(officer)
    for url in [
        reverse("documents:view_evidence", args=[evidence.pk]),
        reverse("documents:evidence_page", args=[evidence.pk, 1]),
    ]:
        assert client.post(url).status_code == 405


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("documents:view_evidence", [10**20]),
        ("documents:evidence_page", [10**20, 1]),
        ("documents:view_document", [10**20]),
        ("documents:document_page", [10**20, 10**20]),
    ],
)
def test_it_answers_404_for_numbers_out_of_any_range(client, officer, name, args):
    client.force_login(officer)
    assert client.get(reverse(name, args=args)).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def _open_browser(playwright, client, base: str, width: int, height: int):
    """Chromium (zh-CN) logged in as the client's user; the console's errors are collected
    (a blocked script, style or image says so there)."""
    from .conftest import CHROMIUM

    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    page = context.new_page()
    errors = []

    def console(message):
        if message.type == "error" and "favicon" not in message.location.get("url", ""):
            errors.append(message.text)

    page.on("console", console)
    return browser, page, errors


def test_it_opens_a_file_in_the_pane_in_the_browser(
    live_server, client, officer, case, monkeypatch
):
    """Debian's chromium: the images load under the Content-Security-Policy, and a file of
    the list opens in the pane in place (static/js/viewer.js), without a new page."""
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop
    upload = SimpleUploadedFile("现场照片.pdf", _two_page_pdf(), content_type="application/pdf")
    evidence = add_evidence(case=case, actor=officer, item="06", title="现场照片", upload=upload)
    document = render_document(document_id=case.documents.get().pk)
    with translation.override("zh-hans"):  # as the zh-CN browser reads it, whatever ran before
        label = str(document.get_kind_display())
    client.force_login(officer)
    base = live_server.url
    with sync_playwright() as playwright:
        browser, page, errors = _open_browser(playwright, client, base, 1280, 900)
        page.goto(f"{base}{reverse('documents:view_evidence', args=[evidence.pk])}")
        pane = page.locator("#viewer-pane")
        expect(pane.locator("h2")).to_have_text("现场照片")
        first = pane.locator("img").first
        first.scroll_into_view_if_needed()
        # Not wait_for_function: it evaluates a string, which the policy forbids.
        assert first.evaluate("img => img.decode().then(() => img.naturalWidth)") == 800
        assert first.evaluate("img => img.clientWidth <= img.parentElement.clientWidth")

        address = page.url
        page.click(f"a[href='{reverse('documents:view_document', args=[document.pk])}']")
        expect(pane.locator("h2")).to_have_text(label)
        expect(pane.locator("img")).to_have_count(document.page_count)
        expect(pane.locator("h2")).to_be_focused()
        assert page.url == address  # the pane changed, not the page
        current = page.locator("a[data-viewer][aria-current=page]")
        expect(current).to_have_count(1)
        expect(current).to_have_text(label)
        browser.close()
    assert not errors, errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_reads_on_a_phone_with_the_text_beside_and_a_zoom_button(
    live_server, client, officer, case, monkeypatch
):
    """Debian's chromium, 390 px wide: the page's text at the body's size (16 px), inside
    the window, selectable; 放大查看 a button of at least 44 × 44 px that shows the larger
    image in place (static/js/viewer.js), scrolling sideways in its frame, and back."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop
    evidence = _upload(case, officer, _text_pdf(), "祖屋契约")
    client.force_login(officer)
    base = live_server.url
    with sync_playwright() as playwright:
        browser, page, errors = _open_browser(playwright, client, base, 390, 844)
        page.goto(f"{base}{reverse('documents:view_evidence', args=[evidence.pk])}")
        pane = page.locator("#viewer-pane")
        words = pane.locator(".viewer-text").first
        expect(words).to_have_text("Deed of the ancestral house <1987> & map")
        assert words.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 16
        assert words.evaluate("e => getComputedStyle(e).userSelect") != "none"
        assert words.evaluate("e => e.getBoundingClientRect().right <= window.innerWidth")
        selected = words.evaluate(
            """e => { const range = document.createRange(); range.selectNodeContents(e);
            const selection = getSelection(); selection.removeAllRanges();
            selection.addRange(range); return selection.toString(); }"""
        )
        assert selected == "Deed of the ancestral house <1987> & map"
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

        button = pane.locator(".viewer-zoom button").first
        expect(button).to_have_accessible_name("放大查看")
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box
        image = pane.locator(".viewer-image img").first
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 800
        assert image.evaluate("img => img.clientWidth <= img.parentElement.clientWidth")
        violations = Axe().run(page).response["violations"]
        assert not violations, [v["id"] for v in violations]

        address = page.url
        button.click()
        expect(button).to_have_text("缩小")
        assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 1400
        frame = pane.locator(".viewer-image").first
        assert frame.evaluate("f => f.scrollWidth > f.clientWidth")  # scrolls sideways
        expect(frame).to_have_attribute("tabindex", "0")  # and so takes the keyboard
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert page.url == address  # in place, not the image's own address
        button.click()
        expect(button).to_have_text("放大查看")
        assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 800
        browser.close()
    assert not errors, errors
