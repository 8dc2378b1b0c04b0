"""Every query form CKAN and its users send, answered from PostgreSQL through package_search."""
from __future__ import annotations

import freezegun
import pytest

from .conftest import NOW, PUBLIC

A, B, C, D, E = (
    "penduduk-kecamatan-2020",
    "proyeksi-penduduk-2024",
    "produksi-kelapa-sawit",
    "luas-panen-padi",
    "akses-air-bersih",
)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # Indonesian stemming: the searcher's word and the dataset's word share a stem.
        ("petani", {D}),
        ("pertanian", {D}),
        ("kebun", {C}),
        ("Perkebunan", {C}),
        ("penduduk", {A, B}),
        # Codes and names match exactly.
        ("64.01.03", {C}),
        ("akses-air-bersih", {E}),
        # Two words: both must match (CKAN's mm "2<-1 5<80%").
        ("Paser Belengkong", {C}),
        ("sawit kelapa", {C}),
        # Four words: three of them are enough.
        ("air minum layak sawit", {E}),
        ('"air bersih"', {E}),
        ("-penduduk kecamatan", {C}),
        ("+sawit", {C}),
        ("tidakadadimanapun", set()),
    ],
)
def test_free_text(catalogue, q, expected):
    assert catalogue.names(q=q) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("*:*", PUBLIC),
        ("name:akses-air-bersih", {E}),
        ('tags:"air bersih"', {E}),
        ("title:penduduk", {A, B}),
        ("tags:penduduk AND organization:bps-paser", {B}),
        ("organization:distan", {C, D}),
        ("title:sawit OR title:padi", {C, D}),
        ("name:penduduk*", {A}),
        ("name:*penduduk*", {A, B}),
        ("name:luas-panen-pad?", {D}),
        ("title_ngram:sawi", {C}),
        ("name:akses\\-air\\-bersih", {E}),
        ("petani", {D}),
        ("text:kebun AND -tags:padi", {C}),
    ],
)
def test_fielded_query(catalogue, q, expected):
    assert catalogue.names(q=q) == expected


@pytest.mark.parametrize(
    ("fq", "expected"),
    [
        ("+organization:distan", {C, D}),
        ("-organization:distan", {A, B, E}),
        ("tags:(pertanian OR proyeksi)", {B, D}),
        ("organization:distan AND tags:perkebunan", {C}),
        ("NOT tags:penduduk", {C, D, E}),
        ("(organization:bps-paser OR organization:disdukcapil) AND -tags:proyeksi", {A, E}),
        ("res_format:XLSX", {B, C}),
        ("res_format:CSV", {A, B, D}),
        ('res_format:"GeoJSON"', {D}),
        ("groups:ekonomi", {C, D}),
        ("groups:(ekonomi OR sosial-kependudukan) -res_format:CSV", {C}),
        # An extension field indexed under its own key (a string) and as extras_* (a text field).
        ("tingkat_penyajian:kecamatan", {A, C}),
        ("extras_tingkat_penyajian:kecamatan", {A, C}),
        # ckanext-dcat indexes repeating subfields flattened (temporal_coverage → extras_temporal_coverage__start).
        ("extras_temporal_coverage__start:*", {A, B}),
        # The years a dataset's period covers: a multivalued string field (vocab_*), compared as strings.
        ("vocab_tahun:[2021 TO 2025]", {B}),
        ("dataset_type:dataset", PUBLIC),
        ("capacity:public", PUBLIC),
        ("license_id:cc-by", PUBLIC),
        ('+site_id:"default" +state:active', PUBLIC),
        ("num_resources:[2 TO *]", {B, D}),
        ("num_resources:{1 TO 3]", {B, D}),
        # Dates: absolute, exclusive bounds, NOW with date math (the clock is frozen on 2025-01-12 08:00).
        ("metadata_created:[2025-01-07T00:00:00Z TO 2025-01-09T00:00:00Z]", {B, C}),
        ("metadata_created:{2025-01-07T08:00:00Z TO *]", {C, D, E}),
        ("metadata_modified:[NOW-2DAYS TO NOW]", {E}),
        ("metadata_modified:[NOW/DAY-3DAYS TO NOW]", {D, E}),
        ("metadata_modified:[* TO 2025-01-06T23:59:59Z]", {A}),
        ("name:produksi-*", {C}),
        # Values unique to each dataset (names, URLs) are matched without the term dictionary.
        ("name:[l TO pe]", {D}),
        ("res_url:*padi-peta*", {D}),
        ("res_url:*", PUBLIC),
    ],
)
def test_filter_query(catalogue, fq, expected):
    with freezegun.freeze_time(NOW):
        assert catalogue.names(fq=fq) == expected


def test_filter_list_combines_with_query(catalogue):
    assert catalogue.names(q="penduduk", fq_list=["organization:bps-paser", "res_format:XLSX"]) == {B}



def test_fl_returns_only_asked_fields(catalogue):
    result = catalogue.search(q="sawit", fl="name,title")
    assert result["results"] == [{"name": C, "title": "Produksi Perkebunan Kelapa Sawit"}]


def test_exact_id_and_name(catalogue):
    dataset = catalogue.datasets[B]
    assert catalogue.names(q=f'id:"{dataset["id"]}"') == {B}
    assert catalogue.names(fq=f'name:"{B}" OR id:"{catalogue.datasets[C]["id"]}"') == {B, C}
