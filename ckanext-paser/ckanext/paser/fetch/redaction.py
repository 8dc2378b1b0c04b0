"""Secrets (API keys, tokens) never reach a message, a job report or a log line."""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import requests

REDACTED = "***"
_SECRET_PARAMETER = re.compile(r"([?&](?:key|api_key|token)=)[^&#\s]+")


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret replaced by ``***`` (also URL-encoded forms, and any ``key=``/``token=``
    query parameter)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED).replace(requests.utils.quote(secret, safe=""), REDACTED)
    return _SECRET_PARAMETER.sub(r"\1" + REDACTED, text)


# Every secret this process has sent, kept out of its logs.
_SECRETS_IN_USE: set[str] = set()


def remember(secrets: Iterable[str | None]) -> None:
    _SECRETS_IN_USE.update(secret for secret in secrets if secret)


class _RedactingFilter(logging.Filter):
    """Keeps the secrets of running reads out of the HTTP libraries' debug logs (urllib3 logs each path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRETS_IN_USE:
            message = record.getMessage()
            cleaned = redact(message, _SECRETS_IN_USE)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
        return True


_REDACTING_FILTER = _RedactingFilter()
for _name in ("urllib3.connectionpool", "requests"):
    logging.getLogger(_name).addFilter(_REDACTING_FILTER)
