"""Running the rules and keeping the flags current: after a resource's check, after a dataset changes, or for
the whole catalogue (``ckan paser checks evaluate``).

Everything here runs in ``ckan jobs worker`` (or the CLI), never in a steward's request. Figures of datasets that
are not active (deleted) take no part; a flag's datasets are re-indexed when their flags change, so the search
facet "has open flags" follows.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from . import flags, hold, rules, store
from .rules_config import rules as configured_rules
from .store import engine

log = logging.getLogger(__name__)



def indicator_scope(indicator: str) -> str:
    return f"indicator:{indicator}"


def resource_scope(resource_id: str) -> str:
    return f"resource:{resource_id}"


def dataset_scope(package_id: str) -> str:
    return f"dataset:{package_id}"


def _active_figures(indicator: str) -> list[dict[str, Any]]:
    from ckan import model

    figure, package = store.figure_table, model.package_table
    query = (sa.select(figure).select_from(figure.join(package, package.c.id == figure.c.package_id))
             .where(figure.c.indicator == indicator, package.c.state == "active")
             .order_by(figure.c.id))
    with engine().connect() as connection:
        result = connection.execute(query)
        keys = list(result.keys())  # one dict per row from plain tuples: RowMapping looks its keys up per row
        return [dict(zip(keys, row)) for row in result]


def evaluate_indicators(indicators: Iterable[str]) -> set[str]:
    """Re-run the indicator rules; the datasets whose flags changed."""
    config = configured_rules()
    touched: set[str] = set()
    for indicator in sorted(set(indicators)):
        findings = rules.evaluate_indicator(indicator, _active_figures(indicator), config)
        touched |= flags.sync(indicator_scope(indicator), findings)
    return touched


def evaluate_resource(resource_id: str) -> set[str]:
    """Findings among a resource's check problems (unknown regions, non-numbers, desa in the wrong kecamatan)."""
    from ckan import model

    check = store.get_check(resource_id)
    package = model.Package.get(check["package_id"]) if check else None
    # A failed check keeps the problems of the last good one (store.record_error): their findings stand.
    if check is None or package is None or package.state != "active" \
            or check["status"] not in (store.DONE, store.ERROR):
        if check is not None and check["status"] in (store.PENDING, store.RUNNING):
            return set()  # a new check is on its way: its result decides
        return flags.sync(resource_scope(resource_id), [])
    findings = rules.findings_from_problems(resource_id, package.id, package.owner_org, check["problems"],
                                            configured_rules())
    return flags.sync(resource_scope(resource_id), findings)


def evaluate_dataset(dataset: dict[str, Any] | None, package_id: str) -> set[str]:
    """The dataset's own findings (missing Satu Data metadata); none for a deleted or missing dataset."""
    if dataset is None or dataset.get("state") != "active":
        return flags.sync(dataset_scope(package_id), [])
    return flags.sync(dataset_scope(package_id), rules.missing_metadata(dataset, configured_rules()))


def after_check(resource_id: str, indicators_before: Iterable[str]) -> None:
    """A resource's figures were replaced (or removed): re-evaluate every indicator it had or has."""
    touched = evaluate_indicators(set(indicators_before) | store.indicators_of_resource(resource_id))
    touched |= evaluate_resource(resource_id)
    refresh(touched)


def refresh(package_ids: Iterable[str]) -> None:
    """Datasets whose flags changed: hold or release them (hold mode) and re-index them for the facet."""
    package_ids = set(package_ids)
    if not package_ids:
        return
    hold.apply(package_ids)
    reindex(package_ids)


def reindex(package_ids: Iterable[str]) -> None:
    """Each dataset's document is updated in place, not deleted and inserted again (``rebuild(package_id)``), so
    the index skips the write of a document whose content did not change; one commit at the end."""
    from ckan.lib import search

    for package_id in sorted(set(package_ids)):
        try:
            search.rebuild(package_ids=[package_id], defer_commit=True, quiet=True)
        except Exception:  # a dataset purged meanwhile, or the index down: the next change re-indexes it
            log.exception("Could not re-index dataset %s after its flags changed", package_id)
    try:
        search.commit()
    except Exception:
        log.exception("Could not commit the search index after re-indexing")


def evaluate_all() -> set[str]:
    """Every scope: all indicators with figures, every checked resource, every dataset, and scopes of flags whose
    subject is gone (they close). The datasets whose flags changed."""
    from ckan import model

    with engine().connect() as connection:
        indicators = {row[0] for row in connection.execute(sa.select(store.figure_table.c.indicator).distinct())}
        resources = {row[0] for row in connection.execute(sa.select(store.check_table.c.resource_id))}
        scopes = {row[0] for row in connection.execute(sa.select(flags.flag_table.c.scope).distinct())}
    touched = evaluate_indicators(indicators)
    for resource_id in sorted(resources):
        touched |= evaluate_resource(resource_id)
    context = {"ignore_auth": True}
    package_ids = [row[0] for row in model.Session.query(model.Package.id).filter(
        model.Package.type == "dataset", model.Package.state == "active")]
    for package_id in package_ids:
        dataset = tk.get_action("package_show")(dict(context), {"id": package_id})
        touched |= evaluate_dataset(dataset, package_id)
    covered = ({indicator_scope(i) for i in indicators} | {resource_scope(r) for r in resources}
               | {dataset_scope(p) for p in package_ids})
    for scope in sorted(scopes - covered):
        touched |= flags.sync(scope, [])
    refresh(touched)
    return touched
