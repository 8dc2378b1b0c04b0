"""The background check of a resource: read its file, normalise the figures, store them with the problems.

``enqueue_check`` runs inside the steward's request (it only marks the check pending and queues it on CKAN's
default queue); ``check_resource`` runs in ``ckan jobs worker``. A failure of any kind ends as the status ``error``
with a message for the steward, never as an exception escaping the job.
"""
from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk

from .. import capabilities, fetch
from ..localization import N_
from ..localization.messages import MessageError
from ..tables.reading import CSV_FORMATS, XLSX_FORMATS, TableReadError, read_table
from . import evaluation, flags, store
from .normalise import TableDescription, normalise_sheets

log = logging.getLogger(__name__)

CHECKED_FORMATS = ("csv", "xlsx")
CHECKED_EXTENSIONS = (*CSV_FORMATS, *XLSX_FORMATS)
# Seconds to wait for a linked file's server (connecting, then each read), and for the whole download.
FETCH_TIMEOUT = 30
FETCH_TOTAL_TIMEOUT = 300

# Failures of the portal itself (queue, database, a bug) say so without the technical cause, which is logged:
# the resource page is public and a driver's error can quote SQL.
QUEUE_FAILED = N_("The check could not be queued; it is queued again when the resource is saved.")
NO_FILE = N_("The resource has no file to check.")
UPLOAD_MISSING = N_("The uploaded file is missing from the portal's storage.")
TOO_LARGE = N_("The file is larger than %(limit)s MB and was not checked.")
DOWNLOAD_FAILED = N_("The file could not be downloaded from %(url)s: %(reason)s.")
CHECK_FAILED = store.CHECK_FAILED
PRIVATE_ADDRESS = N_("The file's address %(url)s points into the portal's own network and is not fetched.")

CONFIG_ALLOW_PRIVATE_URLS = "ckanext.paser.checks.allow_private_urls"


def enabled() -> bool:
    return capabilities.loaded("checks")


class CheckError(MessageError):
    """A failure with a message for the steward (an English msgid and its parameters)."""


def _extension(resource: Mapping[str, Any]) -> str:
    path = urlparse(resource.get("url") or "").path
    return os.path.splitext(path)[1].lower().lstrip(".")


def is_checked(resource: Mapping[str, Any]) -> bool:
    """Only tables are checked: format CSV or XLSX, or else a file name ending so. A harvested original kept
    beside its clean table (``original_of``) is not: its figures are those of the clean one."""
    if resource.get("original_of"):
        return False
    format = (resource.get("format") or "").strip().lower().lstrip(".")
    if format:
        return format in CHECKED_FORMATS
    return _extension(resource) in CHECKED_EXTENSIONS


def enqueue_check(resource: Mapping[str, Any]) -> None:
    """Mark the resource's check pending and queue it. A resource that is not (or no longer) a table has no check:
    any figures of an earlier table go."""
    if not enabled():
        return
    if not is_checked(resource):
        forget_check(resource["id"])
        return
    resource_id, package_id = resource["id"], resource["package_id"]
    try:
        store.mark(resource_id, package_id, store.PENDING)
        tk.enqueue_job(check_resource, [resource_id], title=f"paser: check resource {resource_id}")
    except Exception:  # the steward's save must not fail because the queue is down
        log.exception("Could not queue the check of resource %s", resource_id)
        try:
            store.record_error(resource_id, package_id, QUEUE_FAILED)
        except Exception:
            log.exception("Could not record the failed queueing of resource %s", resource_id)


def forget_check(resource_id: str) -> None:
    """A resource is deleted (or no longer a table): its figures and check go, and the flags its figures took part
    in are re-evaluated in the background (a failure is logged, the deletion goes on)."""
    try:
        indicators = store.indicators_of_resource(resource_id)
        had_check = store.get_check(resource_id) is not None
        store.forget(resource_id)
        if had_check and enabled():
            tk.enqueue_job(evaluate_after_removal, [resource_id, sorted(indicators)],
                           title=f"paser: flags after removing resource {resource_id}")
    except Exception:
        log.exception("Could not remove the figures of resource %s", resource_id)


def evaluate_after_removal(resource_id: str, indicators: list[str]) -> None:
    """The job after a resource's figures were removed."""
    try:
        evaluation.after_check(resource_id, indicators)
    except Exception:
        log.exception("Could not re-evaluate the flags after removing resource %s", resource_id)


def enqueue_dataset(package_id: str) -> None:
    """A dataset was created, updated or deleted (also by a harvester, through package_create/update): its own
    findings, its resources' checks and the flags it takes part in are brought up to date in the background."""
    if not enabled():
        return
    try:
        tk.enqueue_job(check_dataset, [package_id], title=f"paser: check dataset {package_id}")
    except Exception:  # the steward's save must not fail because the queue is down
        log.exception("Could not queue the check of dataset %s", package_id)


def _changed_since_check(resource: Mapping[str, Any], check: Mapping[str, Any] | None) -> bool:
    if check is None:
        return True
    if check["status"] in (store.PENDING, store.RUNNING):
        return False  # its job is queued and reads the file as it is now
    modified = resource.get("metadata_modified") or resource.get("created")
    if not modified or check["checked_at"] is None:
        return True
    stamp = datetime.datetime.fromisoformat(modified)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=datetime.timezone.utc)  # CKAN keeps UTC without a zone
    return stamp > check["checked_at"]


def check_dataset(package_id: str) -> None:
    """The job for a changed dataset. Never raises."""
    try:
        _check_dataset(package_id)
    except Exception:
        log.exception("The check of dataset %s failed", package_id)


def _check_dataset(package_id: str) -> None:
    try:
        dataset = tk.get_action("package_show")({"ignore_auth": True}, {"id": package_id})
    except tk.ObjectNotFound:
        dataset = None
    stored = store.checks_of_package(package_id)
    touched = evaluation.evaluate_dataset(dataset, package_id)
    if dataset is None or dataset.get("state") != "active":
        # Its figures no longer count (kept for a deleted dataset that may be restored, dropped for a purged one).
        touched |= evaluation.evaluate_indicators(store.indicators_of_package(package_id))
        for resource_id in stored:
            if dataset is None:
                store.forget(resource_id)
            touched |= evaluation.evaluate_resource(resource_id)
        evaluation.refresh(touched)
        return
    resources = {resource["id"]: resource for resource in dataset.get("resources", [])}
    removed = set(stored) - set(resources)
    for resource_id in sorted(removed):
        indicators = store.indicators_of_resource(resource_id)
        store.forget(resource_id)
        touched |= evaluation.evaluate_indicators(indicators)
        touched |= evaluation.evaluate_resource(resource_id)
    for resource_id, resource in resources.items():
        if not is_checked(resource):
            if resource_id in stored:
                indicators = store.indicators_of_resource(resource_id)
                store.forget(resource_id)
                touched |= evaluation.evaluate_indicators(indicators)
                touched |= evaluation.evaluate_resource(resource_id)
        elif _changed_since_check(resource, stored.get(resource_id)):
            enqueue_check({**resource, "package_id": package_id})
    # A dataset moved to another producer: its figures follow, and the flags between producers change.
    moved = store.move_package(package_id, dataset.get("owner_org"))
    if moved:
        touched |= evaluation.evaluate_indicators(moved)
    # Its visibility may have changed: datasets sharing a flag with it show the facet by their readers' view.
    touched |= flags.datasets_sharing_open_flags(package_id)
    evaluation.refresh(touched | {package_id})


def _max_bytes() -> int:
    return int(tk.config.get("ckan.max_resource_size") or 10) * 1024 * 1024


def _too_large(limit: int) -> CheckError:
    return CheckError(TOO_LARGE, {"limit": f"{limit / (1024 * 1024):g}"})


def _read_upload(resource: Mapping[str, Any], limit: int) -> bytes:
    from ckan.lib.uploader import get_resource_uploader

    path = get_resource_uploader(dict(resource)).get_path(resource["id"])
    try:
        if os.path.getsize(path) > limit:
            raise _too_large(limit)
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        raise CheckError(UPLOAD_MISSING) from None


def _download(url: str, limit: int) -> bytes:
    """The linked file; an address inside the portal's own network is refused unless the configuration allows
    it (tests, mirrors)."""
    allow_private = tk.asbool(tk.config.get(CONFIG_ALLOW_PRIVATE_URLS, False))
    try:
        return fetch.get(url, timeout=FETCH_TIMEOUT, total_timeout=FETCH_TOTAL_TIMEOUT, max_bytes=limit,
                         refuse_private=not allow_private).body
    except fetch.FetchError as error:
        if error.message == fetch.TOO_LARGE:
            raise _too_large(limit) from None
        if error.message == fetch.PRIVATE_ADDRESS:
            raise CheckError(PRIVATE_ADDRESS, {"url": url}) from None
        raise CheckError(DOWNLOAD_FAILED, {"url": url, "reason": error.reason}) from None


def file_of(resource: Mapping[str, Any]) -> bytes:
    """The resource's file: the upload in CKAN's storage, or the linked URL fetched (with a size limit)."""
    limit = _max_bytes()
    if resource.get("url_type") == "upload":
        return _read_upload(resource, limit)
    url = (resource.get("url") or "").strip()
    if urlparse(url).scheme not in ("http", "https"):
        raise CheckError(NO_FILE)
    return _download(url, limit)


def check_resource(resource_id: str, evaluate: bool = True) -> None:
    """The job: read, normalise and store one resource's figures, then re-evaluate the flags of its indicators.
    A bulk re-check passes ``evaluate=False`` and evaluates everything once at the end. Never raises."""
    context: dict[str, Any] = {"ignore_auth": True}
    try:
        resource = tk.get_action("resource_show")(dict(context), {"id": resource_id})
        dataset = tk.get_action("package_show")(dict(context), {"id": resource["package_id"]})
    except tk.ObjectNotFound:
        log.info("Resource %s is gone; its check is dropped", resource_id)
        store.forget(resource_id)
        return
    except Exception:
        log.exception("Could not load resource %s for its check", resource_id)
        if (recorded := _stored_check(resource_id)) is not None:
            _record_error(resource_id, recorded["package_id"], CHECK_FAILED, {})
        return
    package_id = dataset["id"]
    indicators_before = store.indicators_of_resource(resource_id)
    try:
        store.mark(resource_id, package_id, store.RUNNING)
        data = file_of(resource)
        filename = os.path.basename(urlparse(resource.get("url") or "").path) or None
        try:
            sheets = read_table(data, format=resource.get("format") or None, filename=filename)
        except TableReadError as error:  # not a table, or beyond a reading limit: an error, not a check's problem
            raise CheckError(error.message, error.params) from None
        del data
        result = normalise_sheets(sheets, TableDescription.from_resource(resource, dataset))
        store.replace_figures(resource_id, package_id, dataset.get("owner_org"), result.figures, result.problems)
    except CheckError as error:
        _record_error(resource_id, package_id, error.message, error.params)
    except Exception:
        log.exception("The check of resource %s failed", resource_id)
        _record_error(resource_id, package_id, CHECK_FAILED, {})
    if not evaluate:
        return
    try:
        evaluation.after_check(resource_id, indicators_before)
    except Exception:
        log.exception("Could not evaluate the flags after checking resource %s", resource_id)


def _stored_check(resource_id: str) -> dict[str, Any] | None:
    try:
        return store.get_check(resource_id)
    except Exception:
        log.exception("Could not read the check of resource %s", resource_id)
        return None


def _record_error(resource_id: str, package_id: str, message: str, params: Mapping[str, Any]) -> None:
    try:
        store.record_error(resource_id, package_id, message, params)
    except Exception:
        log.exception("Could not record the failed check of resource %s", resource_id)
