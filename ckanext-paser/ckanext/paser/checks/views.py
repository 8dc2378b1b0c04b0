"""The steward's pages of the consistency flags (blueprint ``paser_flags``).

- ``/walidata``: the walidata's dashboard, the flags grouped per OPD (organisation of a dataset involved) and per
  kecamatan (of the flag's region), oldest first, filtered by rule, status and severity from the query string.
- ``/flag/<id>``: one flag (figures, datasets, history) and, for whoever may manage flags, the form that changes
  its status with a note (``paser_flag_update``).

The pages only call the flag actions; who may see or change what is decided there (checks.auth, access.walidata).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask import Blueprint

from .. import validation
from ..access import walidata
from ..localization import N_
from ..reference import regions
from . import display, rules

STATUSES = ("open", "acknowledged", "resolved")
SEVERITIES = ("error", "warning")
DEFAULT_STATUS = "open"
ALL = "all"
# paser_flag_list's largest page; a dashboard longer than that says so.
DASHBOARD_LIMIT = 1000

NOT_WALIDATA = N_("Only the walidata and the portal's administrators can open the walidata dashboard.")
FLAG_FORBIDDEN = N_("You are not allowed to see this flag.")
CANNOT_MANAGE = N_("Only the walidata's editors and administrators can change the status of a flag.")
FLAG_NOT_FOUND = N_("Flag not found.")
STATUS_UPDATED = N_("Flag status updated.")
KABUPATEN_LEVEL = N_("{name} (regency level)")
NO_REGION = N_("No known region")

paser_flags = Blueprint("paser_flags", __name__)
paser_flags.before_request(validation.refuse_unstorable_request_text)


def _user_name() -> str:
    user = tk.current_user
    return user.name if user and user.is_authenticated else ""


def _context() -> dict[str, Any]:
    return {"model": model, "session": model.Session, "user": _user_name(), "auth_user_obj": tk.current_user}


def _to_login() -> Any:
    """An anonymous visitor is sent to log in, and comes back here afterwards."""
    return tk.redirect_to(tk.h.url_for("user.login", came_from=tk.request.full_path.rstrip("?")))


def _choice(value: str | None, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else ""


def _organizations_of(flag: dict[str, Any]) -> list[dict[str, Any]]:
    """The organisations of a flag's datasets, each once, in the order of the datasets."""
    seen: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for dataset in flag.get("datasets") or []:
        organization = dataset.get("organization") or {}
        key = organization.get("name") or organization.get("id")
        if key and key not in seen:
            seen[key] = organization
    return list(seen.values())


def group_by_organization(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per OPD: a flag appears under every organisation whose dataset it involves. The flags keep their order
    (oldest first), and the OPD whose oldest flag is oldest comes first."""
    groups: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for flag in flags:
        for organization in _organizations_of(flag):
            key = organization.get("name") or organization["id"]
            group = groups.setdefault(key, {"key": key, "name": organization.get("name"),
                                            "title": organization.get("title") or key, "flags": []})
            group["flags"].append(flag)
    return list(groups.values())


def kecamatan_code(region_code: str | None) -> str | None:
    """The kecamatan of a region: itself for a kecamatan (64.01.03), its kecamatan for a desa (64.01.03.2001);
    None for the regency (64.01) or no region."""
    if not region_code:
        return None
    parts = region_code.split(".")
    return ".".join(parts[:3]) if len(parts) >= 3 else None


def group_by_kecamatan(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per kecamatan of the flag's region, in the order of the kecamatan codes; regency-level flags first, flags
    without a known region last."""
    regency = regions.kabupaten()
    groups: dict[str, dict[str, Any]] = {}
    for flag in flags:
        code = flag.get("region_code")
        kecamatan = kecamatan_code(code)
        if kecamatan:
            known = regions.kecamatan_by_code(kecamatan)
            key, title = kecamatan, (f"Kecamatan {known.nama}" if known else kecamatan)
        elif code == regency.kode_kemendagri:
            key, title = code, tk._(KABUPATEN_LEVEL).format(name=regency.nama)
        else:
            key, title = "", tk._(NO_REGION)
        group = groups.setdefault(key, {"key": key, "title": title, "flags": []})
        group["flags"].append(flag)
    # The regency's code sorts before its kecamatan; "" (no region) goes last.
    return [groups[key] for key in sorted(groups, key=lambda key: (key == "", key))]


def _rule_choices() -> list[tuple[str, str]]:
    return [(rule, tk._(label)) for rule, label in rules.RULE_LABELS.items()]


def dashboard() -> Any:
    if not _user_name():
        return _to_login()
    if not walidata.is_walidata(_user_name()):
        tk.abort(403, tk._(NOT_WALIDATA))
    rule_choices = _rule_choices()
    rule = _choice(tk.request.args.get("rule"), tuple(code for code, _label in rule_choices))
    status = tk.request.args.get("status") or DEFAULT_STATUS
    status = status if status in (*STATUSES, ALL) else DEFAULT_STATUS
    severity = _choice(tk.request.args.get("severity"), SEVERITIES)

    params: dict[str, Any] = {"sort": "oldest", "limit": DASHBOARD_LIMIT}
    if status != ALL:
        params["status"] = status
    if rule:
        params["rule"] = rule
    if severity:
        params["severity"] = severity
    try:
        result = tk.get_action("paser_flag_list")(_context(), params)
    except tk.NotAuthorized:
        tk.abort(403, tk._(NOT_WALIDATA))
    flags = result["results"]
    return tk.render("paser/flags/dashboard.html", extra_vars={
        "flags": flags,
        "count": result["count"],
        "by_organization": group_by_organization(flags),
        "by_kecamatan": group_by_kecamatan(flags),
        "rules": rule_choices,
        "statuses": STATUSES,
        "severities": SEVERITIES,
        "filters": {"rule": rule, "status": status, "severity": severity},
    })


def _show(flag_id: str) -> dict[str, Any]:
    try:
        return tk.get_action("paser_flag_show")(_context(), {"id": flag_id})
    except (tk.ObjectNotFound, tk.ValidationError):  # an id no flag can have (a NUL character in it): none
        tk.abort(404, tk._(FLAG_NOT_FOUND))
    except tk.NotAuthorized:
        tk.abort(403, tk._(FLAG_FORBIDDEN))


def _field_label(field: str) -> str:
    """A form field's name as the error summary shows it, in the request's language."""
    return {"status": tk._("Status"), "note": tk._("Note")}.get(field, field)


def flag(id: str) -> Any:
    if not _user_name():
        return _to_login()
    errors: dict[str, Any] = {}
    form: dict[str, str] = {}
    if tk.request.method == "POST":
        form = {"status": tk.request.form.get("status", ""), "note": tk.request.form.get("note", "")}
        try:
            tk.get_action("paser_flag_update")(_context(), {"id": id, **form})
        except tk.ValidationError as error:
            model.Session.rollback()
            # Lists of messages per field, as CKAN's form macros show them.
            raw = error.error_dict if isinstance(error.error_dict, dict) else {"status": [str(error)]}
            errors = {field: messages if isinstance(messages, list) else [str(messages)]
                      for field, messages in raw.items()}
        except tk.NotAuthorized:
            model.Session.rollback()
            tk.abort(403, tk._(CANNOT_MANAGE))
        except tk.ObjectNotFound:
            model.Session.rollback()
            tk.abort(404, tk._(FLAG_NOT_FOUND))
        else:
            tk.h.flash_success(tk._(STATUS_UPDATED))
            return tk.redirect_to(tk.h.url_for("paser_flags.flag", id=id))
    shown = _show(id)
    for figure in shown.get("figures") or []:
        figure["value_display"] = display.number(figure.get("value"))  # 309.667 in Indonesian, 309,667 in English
    for entry in shown.get("history") or []:
        user = model.User.get(entry["user"]) if entry.get("user") else None
        entry["user_display"] = user.display_name if user else entry.get("user")
    return tk.render("paser/flags/flag.html", extra_vars={
        "flag": shown,
        "statuses": STATUSES,
        "form": form or {"status": shown.get("status"), "note": ""},
        "errors": errors,
        "error_summary": {_field_label(field): " ".join(str(message) for message in messages)
                          for field, messages in errors.items()},
        "can_manage": walidata.can_manage(_user_name()),
    })


paser_flags.add_url_rule("/walidata", view_func=dashboard, methods=["GET"])
paser_flags.add_url_rule("/flag/<id>", view_func=flag, methods=["GET", "POST"])


def blueprints() -> list[Blueprint]:
    return [paser_flags]

