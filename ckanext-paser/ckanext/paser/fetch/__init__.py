"""Reading a remote address, the one way the bundle does it: harvesters and the checks' downloads alike.

``http.get`` bounds the whole exchange by a timeout and the body by a size, can refuse addresses inside the
portal's own network (also after a redirect), and raises ``FetchError`` with the address's secrets redacted;
``sniff.looks_like_html`` tells a proxy's error page or a login form from the data asked for; ``redaction`` keeps
secrets out of messages and of the HTTP libraries' logs.
"""
from __future__ import annotations

from .http import (
    HTML_INSTEAD_OF_FILE,
    HTML_INSTEAD_OF_JSON,
    HTTP_STATUS,
    MALFORMED_JSON,
    NOT_AN_OBJECT,
    PRIVATE_ADDRESS,
    TIMED_OUT,
    TOO_LARGE,
    UNREACHABLE,
    Fetched,
    FetchError,
    get,
    get_file,
    get_json_object,
    parse_json_object,
)
from .redaction import REDACTED, redact
from .sniff import looks_like_html

__all__ = ["HTML_INSTEAD_OF_FILE", "HTML_INSTEAD_OF_JSON", "HTTP_STATUS", "MALFORMED_JSON", "NOT_AN_OBJECT",
           "PRIVATE_ADDRESS", "REDACTED", "TIMED_OUT", "TOO_LARGE", "UNREACHABLE", "FetchError", "Fetched", "get",
           "get_file", "get_json_object", "looks_like_html", "parse_json_object", "redact"]
