"""Actions of the figures store and the flags: ``paser_resource_check_show``, ``paser_flag_list``,
``paser_flag_show`` and ``paser_flag_update``."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import validation
from ..access import walidata
from ..localization import N_
from ..privacy import flags as privacy_flags
from ..reference import kecamatan_by_code, kecamatan_by_name
from . import display, evaluation, flags, hold, schema, store
from .rules import RULES

NOT_CHECKED = N_("This resource has not been checked.")
FLAG_NOT_FOUND = N_("Flag not found.")
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


def _translated(message: str | None, params: dict[str, Any] | None) -> str | None:
    if not message:
        return None
    return tk._(message) % dict(params or {})


@tk.side_effect_free
def paser_resource_check_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The check of one resource: status (pending, running, done, error), the count of figures stored, the
    problems found (``text`` in English, ``display`` in the request's language) and the error of a failed check.

    :param id: the resource's id (``resource_id`` is accepted too)
    """
    valid = validation.validate(data_dict, schema.resource_check_show_schema(), context)
    resource_id = tk.get_or_bust(valid, "id") if "id" in valid else tk.get_or_bust(valid, "resource_id")
    # Whoever can read the resource (so its private dataset) can read its check.
    tk.check_access("resource_show", context, {"id": resource_id})
    check = store.get_check(resource_id)
    if check is None:
        raise tk.ObjectNotFound(tk._(NOT_CHECKED))
    problems = [
        {**problem, "display": _translated(problem["message"], problem.get("params"))}
        for problem in check["problems"]
    ]
    return {
        "resource_id": check["resource_id"],
        "package_id": check["package_id"],
        "status": check["status"],
        "figures": check["figures"],
        "problem_count": len(problems),
        "problems": problems,
        "checked_at": check["checked_at"].isoformat() if check["checked_at"] else None,
        "error": check["error"],
        "error_display": _translated(check["error_message"], check["error_params"]),
    }


# --- flags -------------------------------------------------------------------------------------------------

def _choices(value: Any, allowed: tuple[str, ...], field: str) -> list[str] | None:
    if value in (None, "", []):
        return None
    items = value if isinstance(value, list) else str(value).split(",")
    items = [str(item).strip() for item in items if str(item).strip()]
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise tk.ValidationError({field: [tk._("Unknown value(s): {values}. Allowed: {allowed}.").format(
            values=", ".join(unknown), allowed=", ".join(allowed))]})
    return items


def _package_id(value: str, context: dict[str, Any]) -> str:
    from ..privacy.existence import may_read

    package = model.Package.get(value)
    # A dataset the user may not read is answered as one that does not exist (no existence oracle).
    if package is None or not may_read(context, package):
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return package.id


def _organization_id(value: str) -> str:
    group = model.Group.get(value)
    if group is None or not group.is_organization:
        raise tk.ObjectNotFound(tk._("Organization not found"))
    return group.id


def _kecamatan_code(value: str) -> str:
    """A kecamatan by Kemendagri code, by name, or by its organisation (kecamatan-…)."""
    text = value.strip()
    if (kecamatan := kecamatan_by_code(text)) is not None:
        return kecamatan.kode_kemendagri
    group = model.Group.get(text)
    if group is not None and (code := group.extras.get("kode_kemendagri")) and kecamatan_by_code(code):
        return code
    name = text.removeprefix("kecamatan-").replace("-", " ")
    if (kecamatan := kecamatan_by_name(name)) is not None:
        return kecamatan.kode_kemendagri
    raise tk.ValidationError({"kecamatan": [tk._("Unknown kecamatan: {value}").format(value=value)]})


def _flag_query(context: dict[str, Any], data_dict: dict[str, Any]) -> tuple[sa.Select, sa.Select]:
    flag, links, package = flags.flag_table, flags.flag_dataset_table, model.package_table
    conditions = []
    # The flags the user may see in some form; what of each they see is privacy.flags' redaction.
    if (visible := privacy_flags.candidate_clause(flag.c.id, context.get("user"))) is not None:
        conditions.append(visible)
    if data_dict.get("dataset_id"):
        package_id = _package_id(str(data_dict["dataset_id"]), context)
        conditions.append(sa.exists(sa.select(1).select_from(links).where(
            links.c.flag_id == flag.c.id, links.c.package_id == package_id)))
    if data_dict.get("resource_id"):
        resource_id = str(data_dict["resource_id"])
        conditions.append(sa.or_(
            flag.c.scope == evaluation.resource_scope(resource_id),
            flag.c.figures.contains([{"resource_id": resource_id}])))
    if data_dict.get("organization"):
        organization_id = _organization_id(str(data_dict["organization"]))
        conditions.append(sa.exists(sa.select(1).select_from(links.join(package, package.c.id == links.c.package_id))
                                    .where(links.c.flag_id == flag.c.id, package.c.owner_org == organization_id)))
    if data_dict.get("kecamatan"):
        code = _kecamatan_code(str(data_dict["kecamatan"]))
        conditions.append(sa.or_(flag.c.region_code == code, flag.c.region_code.like(code + ".%")))
    if (rules := _choices(data_dict.get("rule"), RULES, "rule")) is not None:
        conditions.append(flag.c.rule.in_(rules))
    if (statuses := _choices(data_dict.get("status"), flags.STATUSES, "status")) is not None:
        conditions.append(flag.c.status.in_(statuses))
    if (severities := _choices(data_dict.get("severity"), ("error", "warning"), "severity")) is not None \
            and visible is None:  # a redacted flag's severity is its redaction's: filtered after it
        conditions.append(flag.c.severity.in_(severities))
    if data_dict.get("indicator"):
        conditions.append(flag.c.indicator == str(data_dict["indicator"]))
    where = sa.and_(sa.true(), *conditions)
    sort = str(data_dict.get("sort") or "oldest")
    if sort not in ("oldest", "newest"):
        raise tk.ValidationError({"sort": [tk._("Sort by oldest or newest.")]})
    order = (flag.c.created.asc(), flag.c.id) if sort == "oldest" else (flag.c.created.desc(), flag.c.id)
    return (sa.select(flag).where(where).order_by(*order),
            sa.select(sa.func.count()).select_from(flag).where(where))


@tk.side_effect_free
def paser_flag_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Consistency flags the user may see, oldest first. A flag is listed under every dataset it involves.

    :param dataset_id: flags involving this dataset (id or name)
    :param resource_id: flags about figures of this resource
    :param organization: flags involving a dataset of this organisation (id or name)
    :param kecamatan: flags about this kecamatan or its desa (Kemendagri code, name or kecamatan organisation)
    :param rule: one rule or a comma-separated list (cross_producer, sum_kecamatan, ...)
    :param status: open, acknowledged, resolved (comma-separated for several; default all)
    :param severity: error or warning
    :param indicator: an indicator code
    :param sort: oldest (default) or newest
    :param limit: at most this many (default 100, at most 1000); ``offset`` skips
    """
    tk.check_access("paser_flag_list", context, data_dict)
    valid = validation.validate(data_dict, schema.flag_list_schema(), context)
    limit = min(valid.get("limit", DEFAULT_LIMIT), MAX_LIMIT)
    offset = valid.get("offset", 0)
    query, count_query = _flag_query(context, valid)
    if not walidata.is_walidata(context.get("user")):
        return _redacted_page(context, valid, query, limit, offset)
    with model.meta.engine.connect() as connection:
        rows = [dict(row) for row in connection.execute(query.limit(limit).offset(offset)).mappings()]
        count = connection.execute(count_query).scalar_one()
    datasets = flags.datasets_of([row["id"] for row in rows])
    return {"count": count, "results": [display.flag_dict(row, datasets.get(row["id"], [])) for row in rows]}


def _redacted_page(context: dict[str, Any], data_dict: dict[str, Any], query: sa.Select, limit: int,
                   offset: int) -> dict[str, Any]:
    """Anyone but the walidata: every candidate flag as they may see it (privacy.flags), filtered again on what
    they see, then counted and paged (an OPD's flags, not the whole catalogue's)."""
    organization_id = _organization_id(str(data_dict["organization"])) if data_dict.get("organization") else None
    severities = _choices(data_dict.get("severity"), ("error", "warning"), "severity")
    with model.meta.engine.connect() as connection:
        rows = [dict(row) for row in connection.execute(query).mappings()]
    shown = [item for item in privacy_flags.for_viewer(context.get("user"), rows)
             if privacy_flags.matches(item, data_dict, organization_id, severities)]
    return {"count": len(shown),
            "results": [display.flag_dict(row, datasets) for row, datasets in shown[offset:offset + limit]]}


def _visible_flag(context: dict[str, Any], flag_id: str) -> dict[str, Any]:
    flag = flags.flag_table
    query = sa.select(flag).where(flag.c.id == flag_id)
    if (visible := privacy_flags.candidate_clause(flag.c.id, context.get("user"))) is not None:
        query = query.where(visible)
    with model.meta.engine.connect() as connection:
        row = connection.execute(query).mappings().first()
    if row is None or not privacy_flags.for_viewer(context.get("user"), [dict(row)]):
        raise tk.ObjectNotFound(tk._(FLAG_NOT_FOUND))
    return dict(row)


def _full(row: dict[str, Any], user_name: str | None) -> dict[str, Any]:
    """The flag with its history, as the user may see it (privacy.flags)."""
    all_datasets = flags.datasets_of([row["id"]]).get(row["id"], [])
    shown_row, datasets = (privacy_flags.for_viewer(user_name, [row]) or [(row, all_datasets)])[0]
    history = flags.history_of(row["id"])
    if shown_row != row or len(datasets) != len(all_datasets):
        history = privacy_flags.redacted_history(history)
    result = display.flag_dict(shown_row, datasets)
    result["history"] = [display.history_entry(entry) for entry in history]
    return result


@tk.side_effect_free
def paser_flag_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """One flag with its history.

    :param id: the flag's id
    """
    tk.check_access("paser_flag_show", context, data_dict)
    valid = validation.validate(data_dict, schema.flag_show_schema(), context)
    return _full(_visible_flag(context, valid["id"]), context.get("user"))


def paser_flag_update(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The walidata sets a flag's status with a note (kept in its history).

    :param id: the flag's id
    :param status: open, acknowledged or resolved
    :param note: why (required)
    """
    tk.check_access("paser_flag_update", context, data_dict)
    flag_id = validation.validate(data_dict, schema.flag_show_schema(), context)["id"]
    # A flag the user may not see is "not found" before anything is said about the status or the note.
    row = _visible_flag(context, flag_id)
    valid = validation.validate(data_dict, schema.flag_update_schema(), context)
    status, note = valid["status"], valid["note"]
    user = model.User.get(context["user"])
    flags.set_status(flag_id, status, note, user.id if user else None)
    package_ids = {dataset["id"] for dataset in flags.datasets_of([flag_id]).get(flag_id, [])}
    # The status, its history and the datasets it holds or releases commit together, with the request; the
    # search index reads them once committed (with defer_commit the caller commits, then calls
    # evaluation.reindex).
    hold.apply(package_ids, commit=False)
    if not context.get("defer_commit"):
        model.repo.commit()
        evaluation.reindex(package_ids)
    return _full(flags.get(flag_id) or row, context.get("user"))


def actions() -> dict[str, Any]:
    return {"paser_resource_check_show": paser_resource_check_show, "paser_flag_list": paser_flag_list,
            "paser_flag_show": paser_flag_show, "paser_flag_update": paser_flag_update}
