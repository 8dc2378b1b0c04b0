"""Private datasets, facet counts over the whole match, sorting and paging."""
from __future__ import annotations

import pytest

from .conftest import PUBLIC

PRIVATE = "petani-penerima-bantuan"
FACETS = ["organization", "tags", "res_format", "groups", "tingkat_penyajian", "license_id"]


def test_anonymous_never_sees_private(catalogue):
    assert catalogue.names(include_private=True) == PUBLIC
    assert catalogue.names(q="petani", include_private=True) == {"luas-panen-padi"}
    assert catalogue.names(fq="tags:bantuan", include_private=True) == set()


@pytest.mark.parametrize(
    ("who", "sees_private"),
    [("distan_editor", True), ("sysadmin", True), ("bps_member", False), ("outsider", False)],
)
def test_private_dataset_only_for_its_organisation_members(catalogue, who, sees_private):
    user = getattr(catalogue, who)
    expected = PUBLIC | {PRIVATE} if sees_private else PUBLIC
    assert catalogue.names(user, include_private=True) == expected
    # Without include_private even members get the public catalogue only.
    assert catalogue.names(user) == PUBLIC



def _facets(result):
    return {field: dict(values) for field, values in result["facets"].items()}


def test_facets_count_the_whole_match_and_respect_permissions(catalogue):
    anonymous = _facets(catalogue.search(rows=1, include_private=True, **{"facet.field": FACETS}))
    assert anonymous["organization"] == {"distan": 2, "bps-paser": 2, "disdukcapil": 1}
    # Two CSV resources in one dataset count the dataset once.
    assert anonymous["res_format"] == {"CSV": 3, "XLSX": 2, "GeoJSON": 1, "JSON": 1}
    assert anonymous["tingkat_penyajian"] == {"kecamatan": 2, "kabupaten": 2, "desa": 1}
    assert anonymous["tags"]["pertanian"] == 1 and "bantuan" not in anonymous["tags"]
    assert anonymous["groups"] == {"ekonomi": 2, "sosial-kependudukan": 2}
    assert anonymous["license_id"] == {"cc-by": 5}

    editor = _facets(catalogue.search(catalogue.distan_editor, rows=0, include_private=True,
                                      **{"facet.field": FACETS}))
    assert editor["organization"]["distan"] == 3
    assert editor["tags"]["pertanian"] == 2 and editor["tags"]["bantuan"] == 1
    assert editor["res_format"]["CSV"] == 4


def test_facets_follow_the_query(catalogue):
    facets = _facets(catalogue.search(q="penduduk", **{"facet.field": ["organization", "tags"]}))
    assert facets["organization"] == {"bps-paser": 1, "disdukcapil": 1}
    assert facets["tags"] == {"penduduk": 2, "kependudukan": 1, "proyeksi": 1}


def test_facet_limit_and_mincount(catalogue):
    result = catalogue.search(**{"facet.field": ["tags"], "facet.limit": 2})
    # Most frequent first, ties in index (code point) order.
    assert result["facets"]["tags"] == {"penduduk": 2, "air bersih": 1}
    every = catalogue.search(**{"facet.field": ["tags"], "facet.limit": -1})["facets"]["tags"]
    assert set(every) == {"penduduk", "kependudukan", "proyeksi", "kelapa sawit", "perkebunan",
                          "pertanian", "padi", "air bersih"}
    frequent = catalogue.search(**{"facet.field": ["tags"], "facet.mincount": 2})["facets"]["tags"]
    assert frequent == {"penduduk": 2}


def test_search_facets_are_listed_for_the_ui(catalogue):
    result = catalogue.search(**{"facet.field": ["organization"]})
    items = {item["name"]: item["count"] for item in result["search_facets"]["organization"]["items"]}
    assert items == {"distan": 2, "bps-paser": 2, "disdukcapil": 1}
    titles = {item["display_name"] for item in result["search_facets"]["organization"]["items"]}
    assert "Dinas Pertanian" in titles


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title_string asc", ["akses-air-bersih", "penduduk-kecamatan-2020", "luas-panen-padi",
                              "produksi-kelapa-sawit", "proyeksi-penduduk-2024"]),
        ("metadata_modified desc", ["akses-air-bersih", "luas-panen-padi", "produksi-kelapa-sawit",
                                    "proyeksi-penduduk-2024", "penduduk-kecamatan-2020"]),
        ("name desc", ["proyeksi-penduduk-2024", "produksi-kelapa-sawit", "penduduk-kecamatan-2020",
                       "luas-panen-padi", "akses-air-bersih"]),
        ("num_resources desc, name asc", ["luas-panen-padi", "proyeksi-penduduk-2024", "akses-air-bersih",
                                          "penduduk-kecamatan-2020", "produksi-kelapa-sawit"]),
    ],
)
def test_sort_and_paging(catalogue, sort, expected):
    pages = []
    for start in (0, 2, 4):
        result = catalogue.search(sort=sort, rows=2, start=start)
        assert result["count"] == 5
        pages.extend(dataset["name"] for dataset in result["results"])
    assert pages == expected



def test_page_beyond_the_end_is_empty(catalogue):
    result = catalogue.search(rows=10, start=50)
    assert result["count"] == 5 and result["results"] == []
