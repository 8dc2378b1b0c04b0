"""Fixtures of the DataStore tests: a catalogue with a public and a terbatas dataset, uploads through the API into
storage, and the background jobs run by a real RQ worker (burst mode, forking as `ckan jobs worker` does)."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from ckan.tests import helpers
from in_process_jobs import run_jobs
from satudata.conftest import World, build_world, satu_data

FIXTURES = Path(__file__).parent / "fixtures"


def call(action: str, user: dict[str, Any] | None = None, **data: Any) -> Any:
    """An action as a user (None: anonymous), with CKAN's access checks."""
    return helpers.call_action(action, {"user": user["name"] if user else "", "ignore_auth": False}, **data)


def workbook_bytes() -> bytes:
    """A producer's workbook: a title merged across the table above the header, then numbers and dates."""
    import datetime

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Penduduk"
    sheet.append(["Jumlah Penduduk per Kecamatan"])
    sheet.merge_cells("A1:D1")
    sheet.append(["Kecamatan", "Jumlah Penduduk", "Rasio Jenis Kelamin", "Tanggal Data"])
    sheet.append(["Batu Sopang", 25479, 108.6, datetime.date(2024, 6, 30)])
    sheet.append(["Tanah Grogot", 78018, 101.25, datetime.date(2024, 6, 30)])
    sheet.append(["Long Ikis", 46003, 104.1, datetime.date(2024, 12, 31)])
    workbook.create_sheet("Catatan").append(["Sumber: Disdukcapil"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def empty_datastore(clean_db):
    """No DataStore tables and no load statuses from earlier tests (CKAN's reset knows neither)."""
    from ckan.model import meta
    from ckanext.datastore.backend.postgres import get_write_engine

    with get_write_engine().begin() as connection:
        names = connection.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
        for name in list(names):
            connection.execute(sa.text(f'DROP TABLE "{name}" CASCADE'))
    with meta.engine.begin() as connection:
        connection.execute(sa.text("TRUNCATE paser_datastore_load"))


@pytest.fixture
def world(clean_db, clean_index, clean_redis, empty_datastore) -> World:
    return build_world()


@pytest.fixture
def public_dataset(world):
    return world.create("penduduk-kecamatan", **satu_data())


@pytest.fixture
def terbatas_dataset(world):
    return world.create("penduduk-kecamatan-terbatas", **satu_data(klasifikasi="terbatas"))


@pytest.fixture
def upload(world, create_with_upload):
    """Upload a file as a new resource of a dataset (or a new file of a resource, with ``id``), as the sysadmin."""

    def upload(dataset: dict[str, Any], data: bytes, filename: str, **fields: Any) -> dict[str, Any]:
        if "id" in fields:
            fields.setdefault("action", "resource_update")
        return create_with_upload(data, filename, context={"user": world.sysadmin["name"]},
                                  package_id=dataset["id"], url="upload", **fields)

    return upload


# A loaded table: the Windows-1252, semicolon, decimal-comma CSV of four kecamatan.
@pytest.fixture
def loaded(world, public_dataset, upload):
    resource = upload(public_dataset, (FIXTURES / "kecamatan_cp1252.csv").read_bytes(), "kecamatan.csv")
    run_jobs()
    return resource
