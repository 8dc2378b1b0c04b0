"""The development portal's sysadmin, with a generated password kept in a file beside the checkout."""
from __future__ import annotations

import os
import secrets
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model


def ensure_sysadmin(name: str, email: str, password_file: str) -> tuple[str | None, bool]:
    """Make sure sysadmin `name` exists; returns (password if known, created).

    An existing user's password is never reset: its password is whatever the file says (written when this
    created the user), or unknown (None) when the user was made some other way.
    """
    stored = _read(password_file)
    user = model.User.get(name)
    created = user is None
    if created:
        password = stored or secrets.token_urlsafe(12)
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        context: dict[str, Any] = {"user": site_user, "ignore_auth": True}
        tk.get_action("user_create")(context, {"name": name, "email": email, "password": password})
        _write(password_file, password)
        stored = password
        user = model.User.get(name)
    if not user.sysadmin:
        user.sysadmin = True
        model.Session.commit()
    return stored, created


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip() or None
    except FileNotFoundError:
        return None


def _write(path: str, password: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
