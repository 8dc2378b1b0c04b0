"""Is this answer an HTML page? A proxy's error page, a captive portal or a login form comes back with status 200
where JSON, RDF or a workbook was asked for; it must be reported as such, not parsed as data."""
from __future__ import annotations

_BOM = "\ufeff"
_PAGE_STARTS = ("<!doctype html", "<html", "<head", "<body")


def looks_like_html(body: bytes | str, content_type: str = "") -> bool:
    """Whether ``body`` (as received, with its Content-Type) is an HTML page rather than data. XHTML inside an
    RDF/XML document (a literal) is data."""
    if "html" in (content_type or "").lower() and "xhtml+xml" not in content_type.lower():
        return True
    head = body[:512].decode("utf-8", errors="replace") if isinstance(body, bytes) else body[:512]
    start = head.lstrip(_BOM + " \t\r\n").lower()
    if start.startswith(_PAGE_STARTS):
        return True
    return "<html" in start[:200] and "<rdf" not in start
