"""The background load of a table resource into the DataStore.

``enqueue_load`` runs in the steward's request (it marks the load pending and queues it on CKAN's default queue,
like the figures check); ``load_resource`` runs in ``ckan jobs worker``. The file is read and typed completely
before the DataStore is touched, and the table is replaced in one transaction, so a failure of any kind keeps the
previous table and ends as the status ``error`` with a message for the steward, never as an exception escaping
the job. The message never quotes a technical cause (a driver's error can hold SQL; it is logged). A failed file is
not loaded again until it changes (its fingerprint) or a load is asked for by hand (``ckan paser datastore load``).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from .. import capabilities
from ..checks import jobs as check_jobs
from ..localization import N_
from ..tables.reading import UNREADABLE_FILE, TableReadError, read_table
from . import status, writing
from .table import EmptyTableError, Table, table_from_sheet

log = logging.getLogger(__name__)


QUEUE_FAILED = N_("The load into the DataStore could not be queued; it is queued again when the dataset is saved.")
TOO_LARGE = N_("The file is larger than %(limit)s MB and was not loaded into the DataStore.")
UNREADABLE = UNREADABLE_FILE  # the figures check's message: the same file fails both the same way
EMPTY = N_("The file holds no table: no header row was found.")
LOAD_FAILED = N_("The load into the DataStore failed unexpectedly; the portal's administrators find the cause in "
                 "its log.")
TOO_MANY_COLUMNS = N_("The table has %(columns)s columns; a DataStore table holds at most %(limit)s.")
# PostgreSQL's limit of columns in a table, less the DataStore's own _id and _full_text.
MAX_COLUMNS = 1600 - 2


def enabled() -> bool:
    return capabilities.loaded("loader") and p.plugin_loaded("datastore")


def is_table(resource: Mapping[str, Any]) -> bool:
    """The resources the figures check reads are the ones loaded: CSV and XLSX (by format, else by file name)."""
    return check_jobs.is_checked(resource)


def enqueue_load(resource: Mapping[str, Any], force: bool = False) -> bool:
    """Queue the load of a table resource whose file changed (or any, with ``force``); True if queued.
    A resource that is no longer a table loses the table the loader made for it."""
    if not enabled():
        return False
    resource_id, package_id = resource["id"], resource["package_id"]
    try:
        if not is_table(resource):
            forget(resource_id, drop_table=True)
            return False
        fingerprint = status.fingerprint(resource)
        current = status.get(resource_id)
        if not force and current is not None and current["fingerprint"] == fingerprint \
                and not (current["status"] == status.ERROR and current["message"] == QUEUE_FAILED):
            # This file is loaded, queued or running, or it failed: a save of the dataset with the same file does
            # not load it again (only a job that was never queued is).
            return False
        status.mark(resource_id, package_id, status.PENDING, fingerprint)
        tk.enqueue_job(load_resource, [resource_id], title=f"paser: load resource {resource_id} into the DataStore")
        return True
    except Exception:  # the steward's save must not fail because the queue or database is down
        log.exception("Could not queue the DataStore load of resource %s", resource_id)
        try:
            status.record_error(resource_id, package_id, status.fingerprint(resource), QUEUE_FAILED)
        except Exception:
            log.exception("Could not record the failed queueing of resource %s", resource_id)
        return False


def enqueue_dataset(package_id: str) -> None:
    """A dataset was saved (harvesters write resources through package_create/update, which call no resource
    hooks): its changed tables are queued from a job, so the save does not wait for package_show."""
    if not enabled():
        return
    try:
        tk.enqueue_job(load_changed, [package_id], title=f"paser: DataStore loads of dataset {package_id}")
    except Exception:
        log.exception("Could not queue the DataStore loads of dataset %s", package_id)


def load_changed(package_id: str) -> None:
    """The job for a saved dataset: queue the load of each table resource whose file changed. Never raises."""
    try:
        dataset = tk.get_action("package_show")({"ignore_auth": True}, {"id": package_id})
    except tk.ObjectNotFound:
        return
    except Exception:
        log.exception("Could not read dataset %s for its DataStore loads", package_id)
        return
    for resource in dataset.get("resources", []):
        enqueue_load({**resource, "package_id": dataset["id"]})


def forget(resource_id: str, drop_table: bool = False) -> None:
    """The resource is gone or no longer a table: its status goes, and with ``drop_table`` the DataStore table
    the loader made (a table pushed through the API, without a load status, is left alone)."""
    try:
        known = status.get(resource_id) is not None
        status.forget(resource_id)
        if drop_table and known:
            tk.get_action("datastore_delete")({"ignore_auth": True}, {"resource_id": resource_id, "force": True})
    except tk.ObjectNotFound:
        pass  # no table
    except Exception:
        log.exception("Could not remove the DataStore load of resource %s", resource_id)


def _filename(resource: Mapping[str, Any]) -> str | None:
    return os.path.basename(urlparse(resource.get("url") or "").path) or None


def _read(resource: Mapping[str, Any]) -> Table:
    """The table of the resource's file: a CSV, or the first sheet of a workbook that holds one. Failures are the
    figures check's ``CheckError`` (a msgid and its parameters), raised by the shared file reading too."""
    try:
        data = check_jobs.file_of(resource)
    except check_jobs.CheckError as error:
        if error.message == check_jobs.TOO_LARGE:
            raise check_jobs.CheckError(TOO_LARGE, error.params) from None
        raise
    try:
        sheets = read_table(data, format=resource.get("format") or None, filename=_filename(resource))
    except TableReadError as error:  # not a table, or beyond a reading limit (rows, columns, cells, time)
        raise check_jobs.CheckError(error.message, error.params) from None
    for sheet in sheets:
        try:
            table = table_from_sheet(sheet)
        except EmptyTableError:
            continue
        if len(table.columns) > MAX_COLUMNS:  # refused before the table is created: PostgreSQL would refuse it
            raise check_jobs.CheckError(TOO_MANY_COLUMNS, {"columns": len(table.columns), "limit": MAX_COLUMNS})
        return table
    raise check_jobs.CheckError(EMPTY)


def load_resource(resource_id: str) -> None:
    """The job: read the resource's file, type its columns, replace its DataStore table, add the preview view.
    Never raises."""
    context: dict[str, Any] = {"ignore_auth": True}
    try:
        resource = tk.get_action("resource_show")(dict(context), {"id": resource_id})
    except tk.ObjectNotFound:
        log.info("Resource %s is gone; its DataStore load is dropped", resource_id)
        forget(resource_id)
        return
    except Exception:
        log.exception("Could not read resource %s for its DataStore load", resource_id)
        return
    package_id, fingerprint = resource["package_id"], status.fingerprint(resource)
    try:
        status.mark(resource_id, package_id, status.RUNNING, fingerprint)
        table = _read(resource)
        rows = writing.replace_table(resource_id, table)
        _publish(resource_id)
        status.record_done(resource_id, package_id, fingerprint, rows)
    except check_jobs.CheckError as error:
        _record_error(resource_id, package_id, fingerprint, error.message, error.params)
    except Exception:
        log.exception("The DataStore load of resource %s failed", resource_id)
        _record_error(resource_id, package_id, fingerprint, LOAD_FAILED, {})


def _publish(resource_id: str) -> None:
    """Mark the resource as in the DataStore (as datastore_create does) and give it the preview table."""
    from ckan import model
    from ckan.lib.datapreview import add_views_to_resource

    from ckanext.datastore.logic.action import set_datastore_active_flag

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context: Any = {"model": model, "ignore_auth": True, "user": site_user["name"]}
    set_datastore_active_flag(context, {"resource_id": resource_id}, True)
    resource = tk.get_action("resource_show")(dict(context), {"id": resource_id})
    add_views_to_resource(dict(context), resource, view_types=["datatables_view"])


def _record_error(resource_id: str, package_id: str, fingerprint: str, message: str,
                  params: Mapping[str, Any]) -> None:
    try:
        status.record_error(resource_id, package_id, fingerprint, message, params)
    except Exception:
        log.exception("Could not record the failed DataStore load of resource %s", resource_id)
