"""Secure session and "remember me" cookies on an https site.

SameSite=Lax for both is set in config/common.ini (CKAN's default for Flask-Login's cookie is SameSite=None). The
Secure flag follows ``ckan.site_url``, so a production.ini whose site is https gets it without a second setting
that could drift; CKAN copies its config into Flask's (upper-case keys), where Flask and Flask-Login read them.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

SECURE_COOKIE_OPTIONS = ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")


def site_is_https(config: Any) -> bool:
    return str(config.get("ckan.site_url") or "").strip().lower().startswith("https://")


def configure(config: Any) -> None:
    """IConfigurer.update_config: runs after CKAN read ckan.site_url (CKAN_SITE_URL included), before the Flask app
    is built from the config. An operator's explicit ``true`` is kept on an http site (TLS ended in front of it)."""
    https = site_is_https(config)
    for option in SECURE_COOKIE_OPTIONS:
        config[option] = https or tk.asbool(config.get(option))
