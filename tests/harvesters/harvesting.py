"""Running a harvest job in a test and reading what it left: the job's ``Run``, the datasets, their uploads, and
``Kept``, a harvested dataset to compare after a run that must leave it whole."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from ckan import model
from ckan.lib.uploader import get_resource_uploader
from ckan.tests import helpers
from ckanext.activity.model import Activity
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestGatherError, HarvestSource
from ckanext.harvest.tests.factories import HarvestJobObj
from ckanext.harvest.tests.lib import run_harvest_job


@dataclass
class Run:
    """One harvest job: its objects by guid (as ``run_harvest_job`` reports them) and its gather errors. Objects
    are named by ``guid(key)``; a subclass may name them otherwise (by URL)."""

    job_id: str
    objects: dict[str, dict[str, Any]]
    gather_errors: list[str]

    def guid(self, key: str) -> str:
        return key

    def obj(self, key: str) -> dict[str, Any]:
        return self.objects[self.guid(key)]

    def errors(self, key: str) -> list[str]:
        return [error.message for error in self.obj(key)["errors"]]

    def status(self, key: str) -> str:
        return self.obj(key)["report_status"]

    def dataset_id(self, key: str) -> str:
        return self.obj(key)["dataset"]["id"]

    def statuses(self) -> list[str]:
        return sorted(obj["report_status"] for obj in self.objects.values())

    def object_errors(self) -> list[str]:
        return [error.message for obj in self.objects.values() for error in obj["errors"]]

    def failed(self, key: str) -> str:
        """The one error of object ``key``, which failed while the gather went through."""
        assert self.gather_errors == []
        assert self.obj(key)["state"] == "ERROR" and self.status(key) == "errored"
        [message] = self.errors(key)
        return message


def harvest(source: dict[str, Any], run_type: type[Run] = Run) -> Run:
    """Runs a job of ``source`` through gather, fetch and import with the harvester of its type."""
    source_obj = HarvestSource.get(source["id"])
    job = HarvestJobObj(source=source_obj, run=False)
    objects = run_harvest_job(job, queue.get_harvester(source_obj.type))
    errors = [error.message for error in model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job.id)]
    return run_type(job.id, objects, errors)


def show(package_id: str) -> dict[str, Any]:
    return helpers.call_action("package_show", {"ignore_auth": True}, id=package_id)


def datasets() -> dict[str, model.Package]:
    return {package.name: package for package in model.Session.query(model.Package).filter_by(type="dataset")}


def activity_count() -> int:
    return model.Session.query(Activity).count()


def upload(resource: dict[str, Any]) -> bytes:
    with open(get_resource_uploader(dict(resource)).get_path(resource["id"]), "rb") as handle:
        return handle.read()


def csv_rows(resource: dict[str, Any]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(upload(resource).decode("utf-8"))))


@dataclass
class Kept:
    """A harvested dataset as shown and the rows of its first (CSV) resource, before a run that must keep it."""

    package_id: str
    shown: dict[str, Any]
    rows: list[dict[str, str]]

    @classmethod
    def of(cls, package_id: str) -> Kept:
        shown = show(package_id)
        return cls(package_id, shown, csv_rows(shown["resources"][0]))

    def assert_unchanged(self) -> dict[str, Any]:
        """Asserts the dataset is still active, not modified and its table the same; the dataset as shown now."""
        after = show(self.package_id)
        assert after["metadata_modified"] == self.shown["metadata_modified"] and after["state"] == "active"
        assert csv_rows(after["resources"][0]) == self.rows
        return after
