"""The figures store end to end: a steward uploads a table, the check is queued on the real Redis queue and run by
a real RQ worker (burst mode, forking as `ckan jobs worker` does), figures and problems land in PostgreSQL."""
from __future__ import annotations

from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from ckan.lib import jobs
from ckan.tests import helpers
from ckanext.paser.checks import actions as check_actions
from ckanext.paser.checks import jobs as check_jobs
from ckanext.paser.checks import normalise, store
from in_process_jobs import run_jobs
from satudata.conftest import World, build_world, satu_data

FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = pytest.mark.usefixtures("clean_redis")


def upload(create_with_upload, world, dataset, fixture: str, **fields):
    return create_with_upload((FIXTURES / fixture).read_bytes(), fixture, context={"user": world.sysadmin["name"]},
                              package_id=dataset["id"], url="upload", **fields)


def queued_checks() -> list:
    """Queued checks of resources (a dataset's own job is queued beside them on every save)."""
    return [job for job in jobs.get_queue().jobs if job.func_name.endswith(".check_resource")]


def check(resource_id: str, user: dict | None = None) -> dict:
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return helpers.call_action("paser_resource_check_show", context, id=resource_id)


@pytest.fixture
def world(clean_db, clean_index) -> World:
    return build_world()


@pytest.fixture
def dataset(world):
    return world.create("penduduk-kecamatan", **satu_data())


def test_uploaded_csv_is_checked_in_the_background(world, dataset, create_with_upload):
    resource = upload(create_with_upload, world, dataset, "kecamatan_nama.csv")
    # Queued, not yet read: the steward's request does not wait for the file.
    assert check(resource["id"], world.sysadmin)["status"] == store.PENDING
    assert len(queued_checks()) == 1

    run_jobs()

    result = check(resource["id"], world.sysadmin)
    assert result["status"] == store.DONE
    assert result["figures"] == 4
    assert result["error"] is None and result["checked_at"]
    figures = [(f["indicator"], f["region_code"], f["region_level"], f["period"], f["value"], f["unit"], f["cell"],
                f["package_id"], f["organization_id"]) for f in store.figures_of(resource["id"])]
    producer = world.orgs["disdukcapil"]["id"]
    assert figures == [
        ("jumlah_penduduk", "64.01.03", "kecamatan", "2020", Decimal(29283), None, "C2", dataset["id"], producer),
        ("luas_wilayah", "64.01.03", "kecamatan", "2020", Decimal("990.11"), "km2", "D2", dataset["id"], producer),
        ("luas_wilayah", "64.01.04", "kecamatan", "2020", Decimal("335.58"), "km2", "D4", dataset["id"], producer),
        ("jumlah_penduduk", "64.01.05", "kecamatan", "2020", Decimal(29942), None, "C5", dataset["id"], producer),
    ]
    assert result["problem_count"] == 3
    unknown = result["problems"][0]
    assert unknown["message"] == normalise.UNKNOWN_REGION_SUGGESTION
    assert unknown["text"] == 'Unknown region "Kecamatan Antah"; did you mean Tanah Grogot (64.01.04)?'
    assert (unknown["row"], unknown["column"], unknown["suggestion"]) == (3, 1, "64.01.04")
    assert [p["params"].get("value") for p in result["problems"][1:]] == ["-", "n.a."]


def test_updating_the_file_replaces_the_figures(world, dataset, create_with_upload):
    resource = upload(create_with_upload, world, dataset, "kecamatan_nama.csv")
    run_jobs()
    assert check(resource["id"], world.sysadmin)["figures"] == 4

    upload(create_with_upload, world, dataset, "dukcapil_penduduk_2020_cp1252.csv", action="resource_update",
           id=resource["id"], format="CSV")
    pending = check(resource["id"], world.sysadmin)
    # Until the new file is read, the previous figures stay (and are counted).
    assert (pending["status"], pending["figures"]) == (store.PENDING, 4)
    run_jobs()

    result = check(resource["id"], world.sysadmin)
    assert result["status"] == store.DONE
    assert result["problems"] == []
    figures = store.figures_of(resource["id"])
    assert result["figures"] == len(figures) == 21  # ten kecamatan × two indicators, plus the regency's total
    population = {f["region_code"]: f["value"] for f in figures if f["indicator"] == "jumlah_penduduk"}
    assert population["64.01.04"] == Decimal(78018)  # Tanah Grogot
    assert population["64.01"] == Decimal(277401)
    assert not any(f["region_code"] == "64.01.03" and f["value"] == Decimal("990.11") for f in figures)


def test_a_broken_file_ends_as_an_error(world, dataset, create_with_upload):
    resource = create_with_upload(b"PK\x03\x04 not really a workbook", "rusak.xlsx",
                                  context={"user": world.sysadmin["name"]}, package_id=dataset["id"], url="upload")
    run_jobs()

    result = check(resource["id"], world.sysadmin)
    assert result["status"] == store.ERROR
    assert result["error"].startswith("The file cannot be read as a table: ")
    assert result["figures"] == 0 and store.figures_of(resource["id"]) == []


def test_a_file_over_the_size_limit_is_not_read(world, dataset, create_with_upload, monkeypatch):
    monkeypatch.setattr(check_jobs, "_max_bytes", lambda: 1024 * 1024 // 2)  # half a MB
    resource = create_with_upload(b"Kecamatan,Jumlah\n" + b"Kuaro,1\n" * 100_000, "besar.csv",
                                  context={"user": world.sysadmin["name"]}, package_id=dataset["id"], url="upload")
    run_jobs()

    result = check(resource["id"], world.sysadmin)
    assert result["status"] == store.ERROR
    assert result["error"] == "The file is larger than 0.5 MB and was not checked."


def test_a_linked_file_that_cannot_be_fetched_ends_as_an_error(world, dataset):
    resource = helpers.call_action("resource_create", {"user": world.sysadmin["name"]}, package_id=dataset["id"],
                                   url="http://127.0.0.1:9/penduduk.csv", format="CSV")
    run_jobs()

    result = check(resource["id"], world.sysadmin)
    assert result["status"] == store.ERROR
    assert result["error"].startswith("The file could not be downloaded from http://127.0.0.1:9/penduduk.csv: ")


def test_only_tables_are_checked(world, dataset):
    resource = helpers.call_action("resource_create", {"user": world.sysadmin["name"]}, package_id=dataset["id"],
                                   url="https://example.org/laporan.pdf", format="PDF")
    assert queued_checks() == []
    with pytest.raises(helpers.logic.NotFound):
        check(resource["id"], world.sysadmin)
    assert check_jobs.is_checked({"url": "https://example.org/data/penduduk.XLSX"})
    # A harvested original kept beside its clean CSV is read through the clean one only.
    assert not check_jobs.is_checked({"format": "XLSX", "original_of": "clean-csv-resource-id"})
    assert not check_jobs.is_checked({"url": "https://example.org/data/penduduk.xlsx", "format": "PDF"})


def test_the_check_of_a_private_dataset_is_hidden_from_outsiders(world, create_with_upload):
    private = world.create("penduduk-rahasia", **satu_data(klasifikasi="terbatas"))  # private by classification
    assert private["private"]
    resource = upload(create_with_upload, world, private, "kecamatan_nama.csv")
    run_jobs()

    assert check(resource["id"], world.editor)["status"] == store.DONE  # an editor of the producer
    with pytest.raises(helpers.logic.NotFound):  # "not found", as a missing resource (privacy.existence)
        check(resource["id"])  # anonymous
    with pytest.raises(helpers.logic.NotFound):
        check(resource["id"], world.outsider)


def test_the_problems_are_shown_in_the_request_language(world, dataset, create_with_upload, monkeypatch):
    resource = upload(create_with_upload, world, dataset, "kecamatan_nama.csv")
    run_jobs()
    monkeypatch.setattr(check_actions.tk, "_", lambda message: f"[{message}]")

    result = check(resource["id"], world.sysadmin)
    assert result["problems"][0]["display"] == (
        '[Unknown region "Kecamatan Antah"; did you mean Tanah Grogot (64.01.04)?]')


def test_an_unexpected_failure_ends_as_an_error(world, dataset, create_with_upload, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(check_jobs, "normalise_sheets", explode)  # the worker forks: the child inherits this
    resource = upload(create_with_upload, world, dataset, "kecamatan_nama.csv")
    run_jobs()

    result = check(resource["id"], world.sysadmin)
    assert result["status"] == store.ERROR
    # The cause is logged, not shown: the page is public and a driver's error can quote SQL.
    assert result["error"] == check_jobs.CHECK_FAILED and "boom" not in str(result)
    assert jobs.get_queue().failed_job_registry.count == 0  # the job itself did not fail


def test_a_table_replaced_by_another_format_loses_its_figures(world, dataset, create_with_upload):
    resource = upload(create_with_upload, world, dataset, "kecamatan_nama.csv")
    run_jobs()
    assert store.figures_of(resource["id"])

    helpers.call_action("resource_patch", {"user": world.sysadmin["name"]}, id=resource["id"], format="PDF")
    assert store.figures_of(resource["id"]) == []
    assert store.get_check(resource["id"]) is None


def test_deleting_a_resource_removes_its_figures(world, dataset, create_with_upload):
    resource = upload(create_with_upload, world, dataset, "kecamatan_nama.csv")
    run_jobs()
    assert store.figures_of(resource["id"])

    helpers.call_action("resource_delete", {"user": world.sysadmin["name"]}, id=resource["id"])
    assert store.figures_of(resource["id"]) == []
    assert store.get_check(resource["id"]) is None


def test_the_resource_page_shows_the_check(app, world, dataset, create_with_upload):
    resource = upload(create_with_upload, world, dataset, "kecamatan_nama.csv")
    url = f"/dataset/{dataset['name']}/resource/{resource['id']}"
    pending = app.get(url).get_data(as_text=True)
    assert "Pemeriksaan angka" in pending and "sedang dibaca" in pending

    run_jobs()

    html = unescape(app.get(url).get_data(as_text=True))
    assert "4 angka terbaca; 3 masalah ditemukan." in html
    assert 'Baris 3: Wilayah "Kecamatan Antah" tidak dikenal; mungkin maksudnya Tanah Grogot (64.01.04)?' in html
    english = app.get(f"/en{url}").get_data(as_text=True)
    assert "4 figures read; 3 problems found." in english
