"""The demo catalogue passes the Satu Data schema and lands in the organisations `ckan paser seed` creates."""
from __future__ import annotations

import pytest
from ckan.tests import helpers


@pytest.fixture
def seeded(clean_db, clean_index, cli):
    from ckan.cli.cli import ckan

    result = cli.invoke(ckan, ["paser", "seed"])
    assert result.exit_code == 0, result.output
    return cli


def test_demo_needs_the_seeded_organisations(clean_db, clean_index, cli):
    from ckan.cli.cli import ckan

    result = cli.invoke(ckan, ["paser", "demo"])
    assert result.exit_code != 0
    assert "run `ckan paser seed` first" in result.output


def test_demo_catalogue_loads_with_full_metadata(seeded):
    from ckan.cli.cli import ckan

    result = seeded.invoke(ckan, ["paser", "demo"])
    assert result.exit_code == 0, result.output
    assert "created 0 organization(s), 5 group(s), 9 dataset(s), 10 resource(s)" in result.output
    datasets = helpers.call_action("package_search", {"ignore_auth": True}, include_private=True, rows=20)["results"]
    assert len(datasets) == 9
    for dataset in datasets:
        assert dataset["organization"]["type"] in ("dinas", "kecamatan"), dataset["name"]
        assert dataset["jenis_data"] and dataset["klasifikasi"] and dataset["tingkat_penyajian"], dataset["name"]
        assert dataset["private"] is (dataset["klasifikasi"] != "terbuka"), dataset["name"]
        assert dataset["urusan"], dataset["name"]
    private = [dataset["name"] for dataset in datasets if dataset["private"]]
    assert private == ["rekapitulasi-penduduk-semester-ii-2024"]
    shown = helpers.call_action("package_show", id="desa-dan-kelurahan-kecamatan-tanah-grogot")
    assert shown["organization"]["name"] == "kecamatan-tanah-grogot" and len(shown["cakupan_desa"]) == 16
    facets = helpers.call_action("package_search", **{"facet.field": ["vocab_kecamatan"]})["facets"]
    assert facets["vocab_kecamatan"]["64.01.04"] == 7

    again = seeded.invoke(ckan, ["paser", "demo"])
    assert again.exit_code == 0, again.output
    assert "created 0 organization(s), 0 group(s), 0 dataset(s), 0 resource(s)" in again.output
