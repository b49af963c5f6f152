"""The only way a PDF being rendered can load anything: a deny-by-default URL fetcher.

It serves files from the project's own print-asset folders and refuses everything else:
other schemes (http, https, ftp, data…), paths outside the folders, ``..`` and symlink
escapes. It never follows a redirect because it never opens a network connection.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse


class RefusedURL(ValueError):
    """A resource outside the allowed print assets was asked for."""


class PrintAssetFetcher(URLFetcher):
    def __init__(self, roots: list[Path], **kwargs) -> None:
        super().__init__(allowed_protocols=["file"], allow_redirects=False, **kwargs)
        self.roots = [Path(root).resolve() for root in roots]
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = self._allowed_path(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"refused to load {url!r}: not a print asset")
        mime, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            url, path.read_bytes(), {"Content-Type": mime or "application/octet-stream"}
        )

    def _allowed_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        # resolve() follows symlinks and removes "..", so the check sees the real file.
        path = Path(unquote(parts.path)).resolve()
        if not path.is_file():
            return None
        if any(path.is_relative_to(root) for root in self.roots):
            return path
        return None
