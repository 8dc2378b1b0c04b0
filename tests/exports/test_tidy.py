"""Tidy exports of the figures store (exports/tidy.py) through the API actions: the population of both producers
with their conflict marked, the privacy of terbatas figures and of flags involving them, paging and bad input."""
from __future__ import annotations

import pytest
from ckan.tests import helpers

from .conftest import AREA, BPS_2024, DUKCAPIL_2024, POPULATION, PRIVATE_TANAH_GROGOT_2020, TANAH_GROGOT

READERS_WITHOUT_ACCESS = ("anonymous", "outsider", "bps", "dukcapil")
READERS_WITH_ACCESS = ("distan", "walidata", "sysadmin")


def _all(world, action: str, who: str, **params) -> list[dict]:
    return world.call(action, who, limit=1000, **params)["results"]


def _flag_id(world, rule: str, region: str, period: str) -> str:
    found = [flag for flag in world.call("paser_flag_list", "walidata", rule=rule)["results"]
             if (flag["region_code"], flag["period"]) == (region, period)]
    assert len(found) == 1, found
    return found[0]["id"]


def test_population_export_covers_both_producers_with_the_conflict_marked(world):
    conflict = _flag_id(world, "cross_producer", "64.01", "2024")
    for who in ("anonymous", "walidata", "bps"):
        rows = _all(world, "paser_indicator_figures", who, indicator=POPULATION)
        regency_2024 = [row for row in rows if (row["kode_wilayah"], row["periode"]) == ("64.01", "2024")]
        assert [(row["produsen"], row["nilai"]) for row in regency_2024] == [
            ("BPS Kabupaten Paser", BPS_2024), ("Dinas Kependudukan dan Pencatatan Sipil", DUKCAPIL_2024)], who
        for row in regency_2024:
            assert row["flag_terbuka"] is True and row["flag"] == [conflict], who
            assert row["kode_bps"] == "6401" and row["nama_wilayah"] == "Kabupaten Paser"
            assert row["tingkat"] == "kabupaten" and row["satuan"] == "jiwa"
            assert row["kode_indikator"] == POPULATION
        assert {row["dataset"] for row in regency_2024} == {"penduduk-bps", "penduduk-dukcapil"}
        assert regency_2024[1]["url_dataset"] == "http://test.ckan.net/dataset/penduduk-dukcapil"


def test_rows_are_ordered_by_indicator_region_period_and_producer(world):
    rows = _all(world, "paser_indicator_figures", "walidata", indicator=POPULATION)
    keys = [(row["indikator"], row["kode_wilayah"], row["periode"], row["organisasi"]) for row in rows]
    assert keys == sorted(keys)
    assert rows[0]["kode_wilayah"] == "64.01" and rows[-1]["kode_wilayah"] == "64.01.10"
    # The 2020 kecamatan are all part of the off-by-one total's flag.
    total_flag = _flag_id(world, "sum_kecamatan", "64.01", "2020")
    kecamatan_2020 = [row for row in rows if row["tingkat"] == "kecamatan" and row["organisasi"] == "disdukcapil"]
    assert len(kecamatan_2020) == 10 and all(total_flag in row["flag"] for row in kecamatan_2020)


@pytest.mark.parametrize("who", READERS_WITHOUT_ACCESS)
def test_terbatas_figures_never_reach_readers_without_access(world, who):
    rows = _all(world, "paser_indicator_figures", who, indicator=POPULATION)
    assert "penduduk-terbatas-distan" not in {row["dataset"] for row in rows}
    assert PRIVATE_TANAH_GROGOT_2020 not in {row["nilai"] for row in rows}
    kecamatan_rows = _all(world, "paser_kecamatan_figures", who, kecamatan=TANAH_GROGOT)
    assert "distan" not in {row["organisasi"] for row in kecamatan_rows if row["indikator"] == POPULATION}
    # The public Tanah Grogot figure disagrees with the terbatas one: that flag is not marked for them either.
    public = [row for row in rows if (row["kode_wilayah"], row["periode"]) == (TANAH_GROGOT, "2020")]
    private_flag = _flag_id(world, "cross_producer", TANAH_GROGOT, "2020")
    assert len(public) == 1 and private_flag not in public[0]["flag"]


@pytest.mark.parametrize("who", READERS_WITH_ACCESS)
def test_terbatas_figures_reach_its_members_and_the_walidata(world, who):
    rows = _all(world, "paser_indicator_figures", who, indicator=POPULATION)
    tanah_grogot = [row for row in rows if (row["kode_wilayah"], row["periode"]) == (TANAH_GROGOT, "2020")]
    assert [(row["organisasi"], row["nilai"]) for row in tanah_grogot] == [
        ("disdukcapil", 78018), ("distan", PRIVATE_TANAH_GROGOT_2020)]
    private_flag = _flag_id(world, "cross_producer", TANAH_GROGOT, "2020")
    # The terbatas row is marked for its readers; the public row is marked as for everyone (its public figure
    # alone disagrees with nothing), so the marker of a row never depends on who reads it.
    public, terbatas = tanah_grogot
    assert terbatas["flag"] == [private_flag] and terbatas["flag_terbuka"]
    assert private_flag not in public["flag"]  # it keeps the public flag of its own table (the 2020 total)


def test_export_agrees_with_package_show_for_every_reader(world):
    for who in (*READERS_WITHOUT_ACCESS, *READERS_WITH_ACCESS):
        exported = {row["dataset"] for row in _all(world, "paser_indicator_figures", who, indicator=POPULATION)}
        for name in ("penduduk-dukcapil", "penduduk-bps", "penduduk-kecamatan-2020", "penduduk-terbatas-distan"):
            try:
                world.call("package_show", who, id=name)
                readable = True
            except helpers.logic.NotFound:  # a dataset the reader may not read is "not found" (privacy.existence)
                readable = False
            assert (name in exported) == readable, (who, name)


def test_indicator_by_name_and_decimals(world):
    rows = _all(world, "paser_indicator_figures", "anonymous", indicator="Luas Wilayah")
    assert [(row["nama_wilayah"], row["nilai"], row["satuan"], row["periode"]) for row in rows] == [
        ("Batu Sopang", 1111.38, "km2", ""), ("Tanjung Harapan", 714.05, "km2", ""), ("Tanah Grogot", 335.58, "km2", "")]
    assert all(row["indikator"] == AREA and row["kode_indikator"] == "" for row in rows)
    assert world.call("paser_indicator_figures", indicator=AREA)["indicator"] == AREA


def test_kecamatan_export_holds_every_indicator_of_the_kecamatan(world):
    by_code = world.call("paser_kecamatan_figures", "anonymous", kecamatan=TANAH_GROGOT, limit=1000)
    assert by_code["kecamatan"] == TANAH_GROGOT
    rows = by_code["results"]
    assert [(row["indikator"], row["nilai"]) for row in rows] == [(POPULATION, 78018), (AREA, 335.58)]
    assert {(row["kode_wilayah"], row["kode_bps"], row["nama_wilayah"]) for row in rows} == {
        (TANAH_GROGOT, "6401040", "Tanah Grogot")}
    for other in ("kecamatan-tanah-grogot", "6401040", "Tanah Grogot"):
        assert world.call("paser_kecamatan_figures", kecamatan=other, limit=1000)["results"] == rows


def test_paging_and_count(world):
    everything = world.call("paser_indicator_figures", "walidata", indicator=POPULATION, limit=1000)
    assert everything["count"] == len(everything["results"]) == 14
    pages = [world.call("paser_indicator_figures", "walidata", indicator=POPULATION, limit=5, offset=offset)
             for offset in (0, 5, 10)]
    assert [len(page["results"]) for page in pages] == [5, 5, 4]
    assert all(page["count"] == 14 for page in pages)
    assert [row for page in pages for row in page["results"]] == everything["results"]
    assert world.call("paser_indicator_figures", "anonymous", indicator=POPULATION)["count"] == 13


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1001}, {"limit": "banyak"}, {"offset": -1}])
def test_bad_paging_is_a_validation_error(world, params):
    with pytest.raises(helpers.logic.ValidationError):
        world.call("paser_indicator_figures", indicator=POPULATION, **params)


def test_unknown_indicator_and_kecamatan_are_not_found(world):
    with pytest.raises(helpers.logic.NotFound, match="tidak-ada"):
        world.call("paser_indicator_figures", indicator="tidak-ada")
    with pytest.raises(helpers.logic.NotFound):
        world.call("paser_kecamatan_figures", kecamatan="Atlantis")
    with pytest.raises(helpers.logic.ValidationError):
        world.call("paser_indicator_figures")


def test_api_over_http(app, world):
    response = app.get("/api/3/action/paser_indicator_figures", query_string={"indicator": POPULATION, "limit": 2},
                       headers=world.headers("walidata"))
    body = response.json
    assert body["success"] and body["result"]["count"] == 14 and len(body["result"]["results"]) == 2
    bad = app.get("/api/3/action/paser_indicator_figures", query_string={"indicator": POPULATION, "limit": "x"},
                  status=409)
    assert "limit" in bad.json["error"]
    missing = app.get("/api/3/action/paser_kecamatan_figures", query_string={"kecamatan": "Atlantis"}, status=404)
    assert "Atlantis" in missing.json["error"]["message"]


def test_rows_stream_from_a_server_side_cursor(world):
    """Memory stays flat: the rows are fetched from a PostgreSQL cursor as the download is written, not loaded."""
    import sqlalchemy as sa
    from ckanext.paser.checks import store
    from ckanext.paser.exports import tidy

    rows = tidy.stream_rows(tidy.Selection(indicator=POPULATION), "")
    first = next(rows)
    try:
        with store.engine().connect() as connection:
            queries = connection.execute(sa.text(
                "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )).scalars().all()
        assert any(query.lstrip().upper().startswith(("DECLARE", "FETCH")) for query in queries), queries
    finally:
        rows.close()
    assert first[0] == POPULATION and len(first) == len(tidy.COLUMNS)
