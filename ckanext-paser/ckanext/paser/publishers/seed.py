"""`ckan paser seed`: the kecamatan and dinas organisations, created or brought up to date from the reference data.

Idempotent: an organisation whose reference fields already hold the reference values is not written at all (no
update, no activity), so a second run changes nothing. Fields the reference does not know (address, contacts,
description, image, a capital typed in by a steward) are never touched; `urusan` is only filled in while empty.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk

from .. import reference
from .types import DINAS, KECAMATAN

CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"


@dataclass(frozen=True)
class OrganizationSpec:
    """What the reference data says an organisation must be."""

    type: str
    name: str
    fields: dict[str, Any]  # kept equal to the reference on every run
    initial: dict[str, Any] = field(default_factory=dict)  # set while the organisation has no value


@dataclass(frozen=True)
class Outcome:
    spec: OrganizationSpec
    action: str  # CREATED, UPDATED, UNCHANGED or SKIPPED
    changed: tuple[str, ...] = ()
    note: str = ""


def kecamatan_name(kecamatan: reference.Kecamatan) -> str:
    return "kecamatan-" + reference.agencies.slugify(kecamatan.nama)


def kecamatan_specs() -> list[OrganizationSpec]:
    specs = []
    for kecamatan in reference.kecamatan_list():
        fields: dict[str, Any] = {
            "title": f"Kecamatan {kecamatan.nama}",
            "kode_kemendagri": kecamatan.kode_kemendagri,
            "kode_bps": kecamatan.kode_bps,
            "jumlah_desa": str(kecamatan.jumlah_desa),
            "jumlah_kelurahan": str(kecamatan.jumlah_kelurahan),
        }
        # The reference has no capitals yet: only a known one is written, an empty one never erases a steward's.
        if kecamatan.ibukota:
            fields["ibukota"] = kecamatan.ibukota
        specs.append(OrganizationSpec(KECAMATAN, kecamatan_name(kecamatan), fields))
    return specs


def dinas_specs() -> list[OrganizationSpec]:
    return [
        OrganizationSpec(
            DINAS, opd.slug,
            {"title": opd.nama, "singkatan": opd.singkatan, "jenis_opd": opd.jenis,
             "indikatif": "true" if opd.indicative else "false"},
            {"urusan": list(opd.urusan)} if opd.urusan else {},
        )
        for opd in reference.opd_list()
    ]


def all_specs() -> list[OrganizationSpec]:
    """Kecamatan first (fixed list), then the agencies of the OPD list in use."""
    return kecamatan_specs() + dinas_specs()


class Seeder:
    def __init__(self) -> None:
        self.site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

    def _call(self, action: str, data: dict[str, Any]) -> dict[str, Any]:
        # Actions write into their context, so each call gets a fresh one.
        return tk.get_action(action)({"user": self.site_user, "ignore_auth": True}, data)

    def _show(self, name: str) -> dict[str, Any] | None:
        try:
            return self._call("organization_show", {"id": name, "include_datasets": False, "include_users": False,
                                                    "include_extras": True})
        except tk.ObjectNotFound:
            return None

    def apply(self, spec: OrganizationSpec) -> Outcome:
        existing = self._show(spec.name)
        if existing is None:
            self._call("organization_create", {"name": spec.name, "type": spec.type, **spec.fields, **spec.initial})
            return Outcome(spec, CREATED)
        if existing.get("state") != "active":
            return Outcome(spec, SKIPPED, note="deleted in the portal, left alone")
        retyped = existing.get("type") != spec.type
        if retyped:
            # Made by hand or by an older demo loader as a plain organisation: it keeps its datasets and members.
            _retype(existing["id"], spec.type)
            existing = self._show(spec.name) or existing
        changes = {key: value for key, value in spec.fields.items() if not _same(existing.get(key), value)}
        changes.update({key: value for key, value in spec.initial.items() if _empty(existing.get(key))})
        if changes:
            self._call("organization_patch", {"id": existing["id"], **changes})
        elif not retyped:
            return Outcome(spec, UNCHANGED)
        return Outcome(spec, UPDATED, (("type",) if retyped else ()) + tuple(sorted(changes)))

    def strays(self, specs: Iterable[OrganizationSpec]) -> list[str]:
        """Active dinas organisations that the OPD list in use no longer names (left as they are)."""
        wanted = {spec.name for spec in specs if spec.type == DINAS}
        listed = self._call("organization_list", {"type": DINAS, "all_fields": False, "limit": 1000})
        return sorted(name for name in listed if name not in wanted)


def _retype(group_id: str, group_type: str) -> None:
    from ckan import model

    group = model.Group.get(group_id)
    if group is not None and group.type != group_type:
        group.type = group_type
        model.Session.commit()


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def _same(current: Any, wanted: Any) -> bool:
    if _empty(current) and _empty(wanted):
        return True
    if isinstance(wanted, list):
        return isinstance(current, list) and sorted(map(str, current)) == sorted(map(str, wanted))
    return str(current if current is not None else "") == str(wanted)


def seed() -> tuple[list[Outcome], list[str]]:
    """Apply every spec; returns the outcomes and the dinas organisations not in the OPD list."""
    specs = all_specs()
    seeder = Seeder()
    outcomes = [seeder.apply(spec) for spec in specs]
    return outcomes, seeder.strays(specs)
