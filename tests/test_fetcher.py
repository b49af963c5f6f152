"""The deny-by-default URL fetcher: print assets load, nothing else does."""

import http.server
import subprocess
import threading

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from documents import rendering, services
from documents.fetcher import PrintAssetFetcher, RefusedURL
from documents.fonts import PRINT_FONTS
from documents.rendering import PRINT_DIR, STYLESHEET, asset_fetcher

BASE = PRINT_DIR.as_uri() + "/"


class CountingHandler(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):
        CountingHandler.hits += 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    CountingHandler.hits = 0
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _render(html: str) -> tuple[bytes, PrintAssetFetcher]:
    fetcher = asset_fetcher()
    pdf = HTML(string=html, base_url=BASE, url_fetcher=fetcher).write_pdf()
    return pdf, fetcher


@pytest.mark.parametrize(
    "html",
    [
        '<img src="file:///etc/passwd">',
        '<div style="background: url(file:///etc/passwd)">x</div>',
        "<style>@import url(file:///etc/passwd);</style><p>x</p>",
        '<link rel="stylesheet" href="file:///etc/passwd"><p>x</p>',
        '<img src="../../../../../../../../etc/passwd">',
        '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E">',
    ],
)
def test_it_refuses_files_outside_the_print_assets(html):
    pdf, fetcher = _render(html)
    assert fetcher.refused, "the fetcher was not asked, so the test proves nothing"
    assert b"root:x" not in pdf


def test_it_refuses_attachments():
    import io

    pdf, fetcher = _render(
        '<link rel="attachment" href="file:///etc/passwd"><p>x</p>'
        '<a rel="attachment" href="file:///etc/hostname">y</a>'
    )
    assert "file:///etc/passwd" in fetcher.refused
    assert not PdfReader(io.BytesIO(pdf)).attachments


def test_it_never_contacts_a_server(local_server):
    _pdf, fetcher = _render(
        f'<link rel="stylesheet" href="{local_server}/style.css">'
        f'<img src="{local_server}/seal.png"><p style="background:url({local_server}/x)">x</p>'
    )
    assert CountingHandler.hits == 0
    assert len(fetcher.refused) == 3


def test_it_refuses_dot_dot_escapes_from_an_allowed_folder():
    fetcher = asset_fetcher()
    escape = BASE + "../../config/settings.py"
    with pytest.raises(RefusedURL):
        fetcher.fetch(escape)


def test_it_refuses_symlink_escapes(tmp_path):
    (tmp_path / "passwd").symlink_to("/etc/passwd")
    fetcher = PrintAssetFetcher(roots=[tmp_path])
    with pytest.raises(RefusedURL):
        fetcher.fetch((tmp_path / "passwd").as_uri())


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/x", "https://example.cn/x", "ftp://x/y", "file://otherhost/etc"]
)
def test_it_refuses_other_schemes_and_hosts(url):
    with pytest.raises(RefusedURL):
        asset_fetcher().fetch(url)


def test_it_serves_the_print_assets():
    response = asset_fetcher().fetch(STYLESHEET.as_uri())
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


class RecordingFetcher(PrintAssetFetcher):
    """The project's fetcher, noting each URL it served."""

    made: list["RecordingFetcher"] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.served: list[str] = []
        RecordingFetcher.made.append(self)

    def fetch(self, url: str, headers=None):
        response = super().fetch(url, headers)
        self.served.append(url)
        return response


@pytest.fixture
def recording(monkeypatch) -> list[RecordingFetcher]:
    """Every fetcher ``asset_fetcher()`` makes records what it served. The fonts and styles
    a process parses once are parsed again, so their loading is recorded too."""
    RecordingFetcher.made = []
    monkeypatch.setattr(rendering, "PrintAssetFetcher", RecordingFetcher)
    rendering._fonts_and_styles.cache_clear()
    yield RecordingFetcher.made
    rendering._fonts_and_styles.cache_clear()


def test_it_serves_assets_by_relative_url(recording):
    pdf, fetcher = _render('<link rel="stylesheet" href="gbt9704.css"><p>x</p>')
    assert fetcher.served == [STYLESHEET.as_uri()]
    assert fetcher.refused == []
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    assert "—1—" in text.stdout.decode()  # the page number the stylesheet draws


def test_it_loads_the_print_fonts_through_the_fetcher_in_a_real_render(recording, case):
    document = case.documents.get(kind="registration_form")
    document = services.render_document(document_id=document.pk)

    served = {url for fetcher in recording for url in fetcher.served}
    assert {font.path.as_uri() for font in PRINT_FONTS} <= served
    assert [url for fetcher in recording for url in fetcher.refused] == []
    listing = subprocess.run(
        ["pdffonts", document.file.path], capture_output=True, check=True, text=True
    ).stdout
    embedded = {row.split()[0].split("+")[-1] for row in listing.splitlines()[2:]}
    assert {"Qiaowei-Song", "Qiaowei-Song-Bold", "Qiaowei-Hei"} <= embedded
