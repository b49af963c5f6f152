"""The deny-by-default URL fetcher: print assets load, nothing else does."""

import http.server
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from documents.fetcher import PrintAssetFetcher, RefusedURL
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


def test_it_serves_assets_by_relative_url():
    _pdf, fetcher = _render('<link rel="stylesheet" href="gbt9704.css"><p>x</p>')
    assert fetcher.refused == []
    assert Path(STYLESHEET).exists()
