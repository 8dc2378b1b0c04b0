"""Flags as a viewer may see them: a flag that involves a figure the viewer may not read is shown without it.

A cross-producer flag (or a sum, a jump, a unit mismatch) is found over every producer's figures, private ones
included, and its message quotes them. The walidata and sysadmins see every flag whole. Anyone else sees a flag
only as the rules find it over the figures they may read: the indicator rule runs again over the flag's readable
figures (``redact``), and the flag is shown with that finding's message, severity and figures, and only the
datasets left in it; when the readable figures alone raise no such finding, the flag does not exist for them.
Nothing of the private figure stays: not its value, its dataset, nor (through the message, the count, a filter or
the history's automatic notes) the fact that it is there.

The same rule, for the readers of a figure, decides the tidy export's open-flag marker and the search facet
"has open flags": a public figure is marked only by flags its public figures alone raise (the same for every
viewer), a private one by flags over what every reader of it may read (public datasets and its organisation's).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from ckan import model

from ..access import datasets as dataset_access
from ..access import walidata
from ..checks import flags as flag_store
from ..checks import rules
from ..checks.rules_config import rules as configured_rules

INDICATOR_SCOPE = "indicator:"
Redacted = tuple[dict[str, Any], list[dict[str, Any]]]


def candidate_clause(flag_id_column: sa.ColumnElement, user_name: str | None) -> sa.ColumnElement | None:
    """SQL condition: the flags a viewer may see in some form (None: every flag, whole). Those involving one of
    their organisations' datasets; ``redact`` then decides what of each they see."""
    links, package = flag_store.flag_dataset_table, model.package_table
    if walidata.is_walidata(user_name):
        return None
    orgs = walidata.organization_ids(user_name)
    if not orgs:
        return sa.false()
    own = sa.exists(sa.select(1).select_from(links.join(package, package.c.id == links.c.package_id)).where(
        links.c.flag_id == flag_id_column, package.c.owner_org.in_(orgs), package.c.state == "active"))
    missing = sa.exists(sa.select(1).select_from(links).where(
        links.c.flag_id == flag_id_column,
        ~sa.exists(sa.select(1).select_from(package).where(package.c.id == links.c.package_id))))
    return sa.and_(own, ~missing)


def redact(row: Mapping[str, Any], datasets: Sequence[Mapping[str, Any]], readable: set[str]) -> Redacted | None:
    """The flag over the readable datasets' figures only; None when those alone raise no such finding."""
    involved = {dataset["id"] for dataset in datasets}
    if involved <= readable:
        return dict(row), [dict(dataset) for dataset in datasets]
    if row.get("rule") not in rules.INDICATOR_RULES or not str(row.get("scope", "")).startswith(INDICATOR_SCOPE):
        return None  # a resource's or a dataset's own finding: about one dataset, unreadable here
    visible = [figure for figure in row.get("figures") or [] if figure.get("package_id") in readable]
    if not visible or not row.get("indicator"):
        return None
    found = next((finding for finding in rules.evaluate_indicator(row["indicator"], visible, configured_rules())
                  if finding.key == row["key"]), None)
    if found is None:
        return None
    figures = flag_store.stored_figures(found)
    kept = {figure["package_id"] for figure in figures}
    redacted = {**row, "severity": found.severity, "message": found.message, "params": found.params,
                "figures": figures,
                # The note and the time of the last change may be about the figure left out.
                "note": None, "updated": row.get("created")}
    return redacted, [dict(dataset) for dataset in datasets if dataset["id"] in kept]


def redacted_history(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A redacted flag's history: who changed the status and when, without notes; the portal's own re-openings
    and closings (caused by figures, perhaps the one left out) are left out but for the opening."""
    return [{**entry, "note": None} for entry in entries
            if entry.get("user_id") is not None or entry.get("status_from") is None]


def for_viewer(user_name: str | None, rows: Sequence[Mapping[str, Any]]) -> list[Redacted]:
    """The rows as the viewer sees them, in their order; rows they may not see are left out. The walidata (and
    sysadmins) see them whole."""
    datasets = flag_store.datasets_of([row["id"] for row in rows])
    if walidata.is_walidata(user_name):
        return [(dict(row), datasets.get(row["id"], [])) for row in rows]
    involved = {dataset["id"] for items in datasets.values() for dataset in items}
    readable = dataset_access.readable_ids(user_name, involved)
    orgs = set(walidata.organization_ids(user_name))
    result = []
    for row in rows:
        shown = redact(row, datasets.get(row["id"], []), readable)
        if shown is None:
            continue
        # The viewer's own dataset must still be part of what they see.
        if any((dataset.get("organization") or {}).get("id") in orgs for dataset in shown[1]):
            result.append(shown)
    return result


def matches(shown: Redacted, data_dict: Mapping[str, Any], organization_id: str | None,
            severities: Sequence[str] | None) -> bool:
    """The filters of ``paser_flag_list`` that depend on a flag's figures, datasets or severity, applied again to
    what the viewer sees (so no filter matches on the figure left out)."""
    row, datasets = shown
    resource_id = data_dict.get("resource_id")
    if resource_id and row.get("scope") != f"resource:{resource_id}" and not any(
            figure.get("resource_id") == str(resource_id) for figure in row.get("figures") or []):
        return False
    if organization_id and not any((dataset.get("organization") or {}).get("id") == organization_id
                                   for dataset in datasets):
        return False
    return not (severities and row.get("severity") not in severities)


# --- what every reader of a figure may see ---------------------------------------------------------------

def _readers_key(dataset: Mapping[str, Any]) -> str | None:
    """Who reads a dataset: everyone (None) for a public one, its organisation's members for a private one."""
    if dataset.get("state") == "active" and not dataset.get("private"):
        return None
    return (dataset.get("organization") or {}).get("id") or f"dataset:{dataset['id']}"


def _readable_by_all_readers(key: str | None, datasets: Sequence[Mapping[str, Any]]) -> set[str]:
    public = {dataset["id"] for dataset in datasets if dataset.get("state") == "active" and not dataset.get("private")}
    if key is None:
        return public
    return public | {dataset["id"] for dataset in datasets
                     if dataset.get("state") == "active" and _readers_key(dataset) == key}


def figure_marks(rows: Sequence[Mapping[str, Any]]) -> dict[tuple[Any, ...], list[str]]:
    """Open-flag markers per figure (indicator, resource, region, period): the flags that every reader of that
    figure sees with that figure in them. The same for every viewer who may read the figure."""
    datasets = flag_store.datasets_of([row["id"] for row in rows])
    marks: dict[tuple[Any, ...], set[str]] = {}
    for row in rows:
        items = datasets.get(row["id"], [])
        by_id = {dataset["id"]: dataset for dataset in items}
        for key in {_readers_key(dataset) for dataset in items}:
            shown = redact(row, items, _readable_by_all_readers(key, items))
            if shown is None:
                continue
            for figure in shown[0]["figures"]:
                dataset = by_id.get(figure.get("package_id"))
                if dataset is not None and _readers_key(dataset) == key:
                    marks.setdefault((row.get("indicator"), figure.get("resource_id"), figure.get("region_code"),
                                      figure.get("period")), set()).add(row["id"])
    return {key: sorted(ids) for key, ids in marks.items()}


def has_open_flag_for_readers(package_id: str, owner_org: str | None, private: bool) -> bool:
    """Whether a dataset's search document says "has open flags": an open flag that every reader of the
    document sees with this dataset in it."""
    flag, links = flag_store.flag_table, flag_store.flag_dataset_table
    query = (sa.select(flag).select_from(flag.join(links, links.c.flag_id == flag.c.id))
             .where(links.c.package_id == package_id, flag.c.status == flag_store.OPEN))
    with flag_store.engine().connect() as connection:
        rows = [dict(row) for row in connection.execute(query).mappings()]
    if not rows:
        return False
    datasets = flag_store.datasets_of([row["id"] for row in rows])
    for row in rows:
        items = datasets.get(row["id"], [])
        this = next((dataset for dataset in items if dataset["id"] == package_id), None)
        key = None if this is None else _readers_key({**this, "private": private})
        shown = redact(row, items, _readable_by_all_readers(key, items) | {package_id})
        if shown is not None and any(dataset["id"] == package_id for dataset in shown[1]):
            return True
    return False
