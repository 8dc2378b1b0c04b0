"""The pieces that translate Solr semantics, checked without a database."""
from __future__ import annotations

import datetime

import pytest
from ckanext.paser.search import datemath, dismax
from ckanext.paser.search.documents import build_row
from ckanext.paser.search.lucene import QuerySyntaxError, Translator, parse
from ckanext.paser.search.schema import load_schema
from ckanext.paser.search.sql import Params, wildcard_to_like
from ckanext.paser.search.values import ValueError_, canonical

NOW = datetime.datetime(2026, 11, 28, 6, 30, 15)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("NOW", datetime.datetime(2026, 11, 28, 6, 30, 15)),
        ("NOW-1DAY", datetime.datetime(2026, 11, 27, 6, 30, 15)),
        ("NOW/DAY-7DAYS", datetime.datetime(2026, 11, 21)),
        ("NOW+6MONTHS/DAY", datetime.datetime(2027, 5, 28)),
        ("2024-01-31T10:00:00Z+1MONTH", datetime.datetime(2024, 2, 29, 10)),
        ("2024-02-03T04:05:06.5Z/YEAR", datetime.datetime(2024, 1, 1)),
    ],
)
def test_date_math(expression, expected):
    assert datemath.evaluate(expression, NOW) == expected


@pytest.mark.parametrize("expression", ["NOW-XDAY", "NOW-1FORTNIGHT", "kemarin", "NOW*2DAYS"])
def test_bad_date_math_is_refused(expression):
    with pytest.raises(ValueError_):
        datemath.evaluate(expression, NOW)


@pytest.mark.parametrize(
    ("spec", "optional", "required"),
    [("2<-1 5<80%", 1, 1), ("2<-1 5<80%", 2, 2), ("2<-1 5<80%", 4, 3), ("2<-1 5<80%", 10, 8),
     ("100%", 3, 3), ("1", 4, 1), ("-1", 4, 3), ("-25%", 4, 3), (None, 2, 2)],
)
def test_minimum_should_match(spec, optional, required):
    assert dismax.minimum_should_match(spec, optional) == required


def test_dismax_clauses_keep_phrases_and_signs():
    found = dismax.clauses('+sawit "air bersih" -rahasia  padi')
    assert [(c.text, c.occur, c.is_phrase) for c in found] == [
        ("sawit", "must", False), ("air bersih", "should", True),
        ("rahasia", "must_not", False), ("padi", "should", False),
    ]
    # An unbalanced quote is read as plain words, as dismax forgives it.
    assert [c.text for c in dismax.clauses('"air bersih')] == ["air", "bersih"]


@pytest.mark.parametrize(
    ("pattern", "like"),
    [("penduduk*", "penduduk%"), ("pad?", "pad_"), ("100%_x*", "100\\%\\_x%"), ("a\\*b*", "a*b%")],
)
def test_wildcards_become_like_patterns(pattern, like):
    assert wildcard_to_like(pattern) == like


def test_schema_field_kinds_follow_ckan_schema():
    schema = load_schema()
    assert schema.field("tags").kind == "string" and schema.field("tags").multivalued
    assert schema.field("title").kind == "text"
    assert schema.field("extras_tingkat_penyajian").kind == "text"
    assert schema.field("tanggal_rilis_date").kind == "date"
    assert schema.field("name_ngram").kind == "ngram"
    assert schema.field("tingkat_penyajian").kind == "string"
    assert "text" in schema.copy_targets("res_description")


def test_documents_keep_typed_values_and_copies():
    row = build_row({
        "id": "x", "index_id": "i", "site_id": "default", "name": "sawit", "title": "Produksi Sawit",
        "tags": ["sawit", "perkebunan"], "res_format": ["CSV", "CSV", "XLSX"], "private": False,
        "metadata_modified": "2025-01-06T08:00:00.123456Z", "validated_data_dict": "{}",
    }, load_schema())
    assert row.fields["res_format"] == ["CSV", "XLSX"]
    terms = set(zip(row.term_fields, row.term_values))
    assert ("private", "false") in terms and ("tags", "perkebunan") in terms
    # Text fields are searched through text vectors, not as exact terms.
    assert "title" not in row.term_fields
    assert row.fields["name_ngram"] == ["sawit"] and row.fields["metadata_modified"] == ["2025-01-06T08:00:00.123456Z"]
    assert "Produksi Sawit" in row.text_a and "perkebunan" in row.text_b
    # Not-indexed stored fields are kept for results but never searched.
    assert row.stored["validated_data_dict"] == "{}" and "validated_data_dict" not in row.fields


def test_values_canonical_forms():
    assert canonical("number", "1.50") == canonical("number", 1.5) == "1.5"
    assert canonical("boolean", True) == canonical("boolean", "TRUE") == "true"
    assert canonical("date", "2025-01-06T09:00:00+01:00") == "2025-01-06T08:00:00.000000Z"


def _sql(query: str) -> tuple[str, list]:
    params = Params()
    sql = Translator(load_schema(), params, now=NOW).translate(parse(query))
    return sql, list(params.values.values()) + [value for _, _, value in params.lookups]


def test_values_are_bound_never_inlined():
    sql, values = _sql("name:\"x' OR '1'='1\" OR tags:\"'); DROP TABLE package; --\"")
    assert "DROP" not in sql and "'1'='1" not in sql
    assert any("DROP TABLE" in str(value) for value in values)


def test_syntax_errors_are_reported():
    with pytest.raises(QuerySyntaxError):
        parse("title:(tidak ditutup")
    with pytest.raises(QuerySyntaxError):
        _sql("metadata_modified:[kemarin TO NOW]")


def test_queries_parse_the_same_from_many_threads_at_once():
    """The portal serves requests on threads (`ckan run --threaded`, a threaded WSGI server): PLY's shared lexer
    made valid queries fail to parse when two threads parsed at once (the journeys gate saw /catalog.n3 and a group
    page answer 500)."""
    import threading

    queries = ['+capacity:public -dataset_type:harvest +state:(active)',
               '+permission_labels:("public" OR "member-12579fb2" OR "walidata")',
               'title:"jumlah penduduk" AND tags:kependudukan^2 OR metadata_modified:[2020-01-01T00:00:00Z TO NOW]']
    expected = {query: str(parse(query)) for query in queries}
    failures: list[str] = []
    start = threading.Barrier(8)

    def work(offset: int) -> None:
        start.wait()
        for round_ in range(300):
            query = queries[(offset + round_) % len(queries)]
            try:
                if str(parse(query)) != expected[query]:
                    failures.append(f"{query}: parsed differently")
            except QuerySyntaxError as error:
                failures.append(str(error))

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
