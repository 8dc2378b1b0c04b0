"""Errors that carry a message for a person: an English msgid with named placeholders, translated when shown.

A job report, a resource's check and a harvest error keep the English rendering (``str()``); a page shows
``translated()`` in the reader's language.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk


class MessageError(Exception):
    """An error whose ``message`` is a msgid and ``params`` its values; ``str()`` renders it."""

    def __init__(self, message: str, params: Mapping[str, Any] | None = None):
        self.message = message
        # Numbers stay numbers (a stored message is formatted in the reader's locale); anything else (an
        # exception given as the reason) becomes its text, so params can always be stored as JSON.
        self.params = {key: value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
                       for key, value in (params or {}).items()}
        super().__init__(message % self.params)

    @property
    def text(self) -> str:
        return str(self)


def translated(error: MessageError) -> str:
    """The error in the reader's language; its English text outside a request or without a translation."""
    try:
        return tk._(error.message) % error.params
    except (RuntimeError, KeyError, TypeError, ValueError):
        return str(error)
