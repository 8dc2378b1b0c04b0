"""What the portal says, in its default locale (Bahasa Indonesia), so tests compare a message with the text a
user reads rather than with the English msgid."""
from __future__ import annotations

from typing import Any


def as_the_portal_says(app: Any, msgid: str) -> str:
    """`msgid` translated by the catalogues the pages and the API use, in a request of the portal."""
    import ckan.plugins.toolkit as tk

    with app.flask_app.test_request_context("/"):
        return tk._(msgid)
