"""The workbooks linked from a directory listing page (Apache or nginx autoindex, or any HTML page of links).

Links are read with the standard library's HTML parser; only links to ``.xlsx``, ``.xlsm`` and ``.csv`` files
count (sort links such as ``?C=N;O=D``, the parent directory and other files are ignored), resolved against the
page's address (and its ``<base href>``), in page order without repeats.
"""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlparse

from .config import is_workbook_url


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        elif tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")


def workbook_links(page: str, page_url: str) -> list[str]:
    """The absolute URLs of the workbooks ``page`` (fetched from ``page_url``) links to."""
    parser = _LinkParser()
    parser.feed(page)
    parser.close()
    base = urljoin(page_url, parser.base) if parser.base else page_url
    found: list[str] = []
    for href in parser.hrefs:
        url = urldefrag(urljoin(base, href.strip())).url
        if urlparse(url).scheme in ("http", "https") and is_workbook_url(url) and url not in found:
            found.append(url)
    return found
