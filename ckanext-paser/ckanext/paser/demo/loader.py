"""Loads the demo catalogue (catalogue.yaml and the CSV files in data/) through CKAN's actions.

Idempotent: organisations, groups, datasets and resources that exist (by name) are left as they are, so a
second run changes nothing and a steward's edits to demo content survive.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import yaml
from werkzeug.datastructures import FileStorage

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOGUE = os.path.join(HERE, "catalogue.yaml")

Echo = Callable[[str], None]


class MissingOrganizations(RuntimeError):
    """The datasets' organisations are not in the portal: they come from `ckan paser seed`."""


def read_catalogue(path: str = CATALOGUE) -> dict[str, list[dict[str, Any]]]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load(echo: Echo = print, path: str = CATALOGUE) -> dict[str, int]:
    """Create what the catalogue lists and the portal lacks; returns how many objects were created."""
    catalogue = read_catalogue(path)
    loader = _Loader(echo, base_dir=os.path.dirname(os.path.abspath(path)))
    owners = sorted({dataset["owner_org"] for dataset in catalogue.get("datasets", []) if dataset.get("owner_org")})
    missing = [name for name in owners if loader._show("organization", name) is None]
    if missing:
        raise MissingOrganizations(
            f"organisation(s) {', '.join(missing)} not found: run `ckan paser seed` first, it creates them"
        )
    for organization in catalogue.get("organizations", []):
        loader.ensure_group_like("organization", organization)
    for group in catalogue.get("groups", []):
        loader.ensure_group_like("group", group)
    for dataset in catalogue.get("datasets", []):
        loader.ensure_dataset(dataset)
    return loader.created


class _Loader:
    def __init__(self, echo: Echo, base_dir: str) -> None:
        self.echo = echo
        self.base_dir = base_dir
        self.site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        self.created = {"organization": 0, "group": 0, "dataset": 0, "resource": 0}

    def _context(self) -> dict[str, Any]:
        # Actions write into their context, so each call gets a fresh one.
        return {"user": self.site_user, "ignore_auth": True}

    def _call(self, action: str, data: dict[str, Any]) -> dict[str, Any]:
        return tk.get_action(action)(self._context(), data)

    def _show(self, kind: str, name: str) -> dict[str, Any] | None:
        try:
            return self._call(f"{kind}_show", {"id": name})
        except tk.ObjectNotFound:
            return None

    def ensure_group_like(self, kind: str, fields: dict[str, Any]) -> None:
        if self._show(kind, fields["name"]) is not None:
            self.echo(f"  {kind} {fields['name']}: exists")
            return
        self._call(f"{kind}_create", dict(fields))
        self.created[kind] += 1
        self.echo(f"  {kind} {fields['name']}: created")

    def ensure_dataset(self, fields: dict[str, Any]) -> None:
        name = fields["name"]
        resources = fields.get("resources", [])
        package = self._show("package", name)
        if package is None:
            package = self._call("package_create", {k: v for k, v in fields.items() if k != "resources"})
            self.created["dataset"] += 1
            self.echo(f"  dataset {name}: created")
        elif package["state"] == "deleted":
            self.echo(f"  dataset {name}: deleted in the portal, left alone")
            return
        else:
            self.echo(f"  dataset {name}: exists")
        present = {resource["name"] for resource in package.get("resources", [])}
        for resource in resources:
            if resource["name"] not in present:
                self.upload_resource(package["id"], resource)

    def upload_resource(self, package_id: str, fields: dict[str, Any]) -> None:
        path = os.path.join(self.base_dir, fields["file"])
        filename = os.path.basename(path)
        data = {k: v for k, v in fields.items() if k != "file"}
        with open(path, "rb") as stream:
            # The same upload path as the web form: CKAN stores the file and serves it under /download/.
            data.update(package_id=package_id, url=filename,
                        upload=FileStorage(stream=stream, filename=filename, content_type="text/csv"))
            self._call("resource_create", data)
        self.created["resource"] += 1
        self.echo(f"    resource {filename}: uploaded")
