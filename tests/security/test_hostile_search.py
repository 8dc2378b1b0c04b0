"""Hostile input to the search: package_search (action API, GET and JSON), the /dataset/ page, the group and
organisation lists and the autocomplete. Every answer is a 4xx with a message or a 2xx, never a 5xx, a hang, a
traceback or SQL text; anonymous visitors never see the private dataset; nothing stored changes.

First one regression test per defect found on the demo portal (ckanext-spatial's endless bounding-box loop, date
math out of range, deep nesting, blank or mistyped parameters, NUL and lone surrogates, ``sort=,``), then
property-based tests (hypothesis, derandomized) generating Lucene and parameter values. The catalogue is the one
of tests/search (six datasets of three organisations, one private and tertutup, one with a bounding box), built
once for the module. Run with ``-s`` to see how many requests were made.
"""
from __future__ import annotations

import concurrent.futures
import hashlib
import json
import re
import time
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from search.conftest import build_catalogue

SEARCH = "/api/3/action/package_search"
PRIVATE = "petani-penerima-bantuan"
SPATIAL = "produksi-kelapa-sawit"
# Each request must answer within this many seconds (the slowest legitimate one here takes a fraction of one).
MAX_SECONDS = 5.0
TRACE_OR_SQL = re.compile(
    r"Traceback \(most recent call last\)|psycopg2|sqlalchemy|\bSELECT\b.{1,200}\bFROM\b|paser_search_document|"
    r"Internal Server Error|\bLINE \d+:", re.IGNORECASE | re.DOTALL)
REQUESTS: Counter[str] = Counter()
SLOWEST: dict[str, float] = {}


@pytest.fixture(scope="module")
def catalogue(reset_bundle_db, reset_index):
    return build_catalogue(reset_bundle_db, reset_index)


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    total = sum(REQUESTS.values())
    print(f"\nhostile search: {total} requests " + ", ".join(f"{key} {count}" for key, count in sorted(REQUESTS.items()))
          + "; slowest " + ", ".join(f"{key} {seconds:.2f} s" for key, seconds in sorted(SLOWEST.items())))


def stored_state() -> str:
    """A digest of the datasets and of the search documents (and how many rows each table has)."""
    from ckan.model import meta

    with meta.engine.connect() as connection:
        parts = [
            connection.execute(sa.text(
                "SELECT count(*) || ':' || coalesce(md5(string_agg(md5(p::text), ',' ORDER BY p.id)), '') "
                "FROM package AS p")).scalar(),
            connection.execute(sa.text(
                "SELECT count(*) || ':' || coalesce(md5(string_agg(md5(d::text), ',' ORDER BY d.index_id)), '') "
                "FROM paser_search_document AS d")).scalar(),
            connection.execute(sa.text("SELECT count(*) FROM resource")).scalar(),
            connection.execute(sa.text("SELECT count(*) FROM paser_search_term")).scalar(),
        ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


@pytest.fixture(scope="module")
def app(catalogue):
    """One test app for the module (CKAN's fixture builds one per test, ~1.4 s each): these tests only read."""
    from ckan.tests import helpers

    return helpers._get_test_app()


@pytest.fixture(scope="module", autouse=True)
def before(catalogue) -> str:
    """The stored state once the catalogue is built, before any request of this module."""
    return stored_state()


@pytest.fixture(scope="module")
def private_id(catalogue) -> str:
    return catalogue.datasets[PRIVATE]["id"]


def request(app, channel: str, method: str, url: str, params: Any) -> Any:
    """One request, counted and timed; the answer checked for what must never be in it."""
    started = time.monotonic()
    if method == "GET":
        response = app.get(url, query_string=params)
    else:
        response = app.post(url, data=json.dumps(params), content_type="application/json")
    elapsed = time.monotonic() - started
    REQUESTS[channel] += 1
    SLOWEST[channel] = max(SLOWEST.get(channel, 0.0), elapsed)
    body = response.get_data(as_text=True)
    assert response.status_code < 500, (url, params, response.status_code, body[:500])
    assert elapsed < MAX_SECONDS, (url, params, elapsed)
    assert not TRACE_OR_SQL.search(body), (url, params, body[:1000])
    return response


def assert_no_private(response, private_id: str) -> None:
    """Neither the private dataset's id, title or name, nor its only tag ("bantuan") as a facet."""
    body = response.get_data(as_text=True)
    assert private_id not in body
    assert "Penerima Bantuan Pupuk" not in body
    if response.content_type.startswith("application/json") and response.json.get("success"):
        result = response.json["result"]
        names = [item.get("name") for item in result.get("results", []) if isinstance(item, dict)]
        assert PRIVATE not in names
        assert "bantuan" not in (result.get("facets") or {}).get("tags", {})


def call_with_timeout(function, seconds: float):
    """Run ``function`` in a thread: a request that never ends fails the test instead of hanging the suite."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(function).result(timeout=seconds)
    except concurrent.futures.TimeoutError:
        pytest.fail(f"no answer within {seconds} s")
    finally:
        pool.shutdown(wait=False)


# The defects found on the demo portal

ENDLESS_BOXES = ["1e308,1e308,1e309,1e309", "inf,-inf,inf,-inf", "-inf,0,0,1", "1e300,0,1e301,1",
                 "nan,nan,nan,nan", "1e12,0,1e12,1"]


@pytest.mark.parametrize("box", ENDLESS_BOXES)
def test_a_box_that_never_wraps_is_refused_at_once(app, catalogue, box):
    response = call_with_timeout(lambda: app.get(SEARCH, query_string={"ext_bbox": box}), 10)
    assert response.status_code == 409
    assert response.json["error"]["__type"] == "Validation Error"
    assert response.json["error"]["ext_bbox"]
    page = call_with_timeout(lambda: app.get("/dataset/", query_string={"ext_bbox": box}), 10)
    assert page.status_code == 200
    assert 'id="search-error"' in page.get_data(as_text=True)


@pytest.mark.parametrize("box", ["1,2,3", "a,b,c,d", "116.6,-2.4,115.5,-1.3", "115,-95,116,-1", "-800,0,0,1"])
def test_a_malformed_or_absurd_box_is_a_validation_error(app, catalogue, box):
    response = request(app, "regression", "GET", SEARCH, {"ext_bbox": box})
    assert response.status_code == 409
    assert response.json["error"]["ext_bbox"]
    response = request(app, "regression", "POST", SEARCH, {"extras": {"ext_bbox": box.split(",")}})
    assert response.status_code == 409


def test_a_sensible_box_still_finds_the_dataset_inside_it(app, catalogue):
    for params in ({"ext_bbox": "115.5,-2.4,116.6,-1.3"}, {"ext_bbox": "475.5,-2.4,476.6,-1.3"}):
        names = {item["name"] for item in request(app, "regression", "GET", SEARCH, params).json["result"]["results"]}
        assert names == {SPATIAL}
    listed = request(app, "regression", "POST", SEARCH, {"extras": {"ext_bbox": [115.5, -2.4, 116.6, -1.3]}})
    assert [item["name"] for item in listed.json["result"]["results"]] == [SPATIAL]


@pytest.mark.parametrize("query", [
    "metadata_modified:[* TO NOW+1000000000YEARS]",
    "metadata_created:[NOW-3000YEARS TO *]",
    "metadata_modified:[2020-01-01T00:00:00Z+99999999999999999999DAYS TO *]",
    "metadata_modified:[* TO NOW+\u00b2DAYS]",
    "metadata_modified:NOW+10000YEARS",
])
def test_date_math_out_of_range_is_a_query_error(app, catalogue, query):
    response = request(app, "regression", "GET", SEARCH, {"q": query})
    assert response.status_code == 400
    assert response.json["error"]["__type"] == "Search Query Error"
    assert request(app, "regression", "GET", "/dataset/", {"q": query}).status_code == 400


@pytest.mark.parametrize("query", [
    "title:" + "(" * 3000 + "padi" + ")" * 3000,
    "a:" * 2000 + "b",
    " AND ".join(["tags:padi"] * 5000),
    "name:" + " ".join(["x"] * 6000),
    "title:" + "x" * 200_000,
], ids=["3000-parentheses", "2000-fields", "5000-clauses", "6000-words", "200000-characters"])
def test_deep_or_huge_queries_are_refused_as_too_complex(app, catalogue, query):
    for params in ({"q": query}, {"fq": query}):
        response = request(app, "regression", "POST", SEARCH, params)
        assert response.status_code in (400, 409)
        # "too long" / "too complex", in whichever language: the message gives the bound it exceeds.
        assert re.search(r"\b(64|1024|4096|100000)\b", json.dumps(response.json["error"]))
    assert request(app, "regression", "GET", "/dataset/", {"q": query[:60_000]}).status_code in (200, 400)


def test_a_query_within_the_bounds_still_answers(app, catalogue):
    query = "tags:padi AND (" + " OR ".join(["name:luas-panen-padi"] * 500) + ")"
    names = {item["name"] for item in request(app, "regression", "GET", SEARCH, {"q": query}).json["result"]["results"]}
    assert names == {"luas-panen-padi"}
    nested = "title:" + "(" * 40 + "padi" + ")" * 40
    assert request(app, "regression", "GET", SEARCH, {"q": nested}).json["result"]["count"] == 1


@pytest.mark.parametrize(("method", "params", "named"), [
    ("GET", {"start": ""}, "start"),
    ("GET", {"rows": " "}, "rows"),
    ("GET", {"facet.mincount": ""}, "facet.mincount"),
    ("GET", {"start": "99999999999999999999999"}, "start"),
    ("POST", {"rows": {"a": 1}}, "rows"),
    ("POST", {"include_private": "maybe"}, "include_private"),
    ("POST", {"include_drafts": "maybe"}, "include_drafts"),
    ("POST", {"use_default_schema": "maybe"}, "use_default_schema"),
    ("POST", {"extras": "x"}, "extras"),
    ("POST", {"extras": {"ext_bbox": 5}}, "extras"),
    ("POST", {"fl": [1, 2]}, "fl"),
    ("POST", {"q": "tani", "defType": "dismax", "mm": {"a": 1}}, "mm"),
    ("POST", {"q": {"a": 1}}, "q"),
    ("GET", {"q": "a\x00b"}, "q"),
    ("GET", {"fq": "name:a\x00"}, "fq"),
    ("GET", {"sort": "name\x00 asc"}, "sort"),
    ("POST", {"q": "name:\ud800"}, "q"),
    ("POST", {"facet.field": ["tags\x00"]}, "facet.field"),
])
def test_bad_parameters_are_validation_errors_naming_them(app, catalogue, method, params, named):
    response = request(app, "regression", method, SEARCH, params)
    assert response.status_code == 409
    assert response.json["error"]["__type"] == "Validation Error"
    assert named in response.json["error"]


@pytest.mark.parametrize("params", [{"sort": ","}, {"sort": " "}, {"sort": "title_string asc,"}])
def test_the_dataset_page_answers_a_blank_sort_part_with_a_message(app, catalogue, params):
    assert request(app, "regression", "GET", "/dataset/", params).status_code == 400


@pytest.mark.parametrize("params", [{"q": "tani\x00"}, {"tags": "padi\x00"}, {"page": "999999999999999999"},
                                    {"ext_bbox": "1,2,3"}])
def test_the_dataset_page_renders_a_search_error(app, catalogue, params):
    response = request(app, "regression", "GET", "/dataset/", params)
    assert response.status_code == 200
    assert 'id="search-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize(("action", "params", "named"), [
    ("group_list", {"all_fields": "true", "include_dataset_count": "true", "q": "a\x00"}, "q"),
    ("organization_list", {"all_fields": "true", "include_dataset_count": "maybe"}, "include_dataset_count"),
    ("organization_list", {"sort": ","}, "sort"),
    ("organization_list", {"limit": " "}, "limit"),
    ("organization_show", {"id": "distan", "include_datasets": "maybe"}, "include_datasets"),
    ("group_show", {"id": "ekonomi\x00"}, "id"),
])
def test_group_and_organisation_actions_refuse_bad_input(app, catalogue, action, params, named):
    response = request(app, "regression", "GET", f"/api/3/action/{action}", params)
    assert response.status_code == 409
    assert named in response.json["error"]


@pytest.mark.parametrize("url", ["/group/", "/organization/", "/dinas/", "/kecamatan/"])
def test_group_and_organisation_list_pages_flash_a_message_for_a_nul(app, catalogue, url):
    assert request(app, "regression", "GET", url, {"q": "dinas\x00"}).status_code == 200


def test_the_autocomplete_refuses_a_nul(app, catalogue):
    assert request(app, "regression", "GET", "/api/2/util/dataset/autocomplete",
                   {"incomplete": "padi\x00"}).status_code == 400
    assert request(app, "regression", "GET", "/api/2/util/dataset/autocomplete",
                   {"incomplete": "padi", "limit": "banyak"}).status_code == 400
    assert request(app, "regression", "GET", "/api/3/action/package_autocomplete",
                   {"q": "padi\x00"}).status_code == 409
    found = request(app, "regression", "GET", "/api/2/util/dataset/autocomplete", {"incomplete": "padi"})
    assert [item["name"] for item in found.json["ResultSet"]["Result"]] == ["luas-panen-padi"]


# Property-based: generated Lucene and parameter values

FIELDS = ["title", "name", "tags", "text", "notes", "organization", "groups", "res_format", "metadata_modified",
          "metadata_created", "num_resources", "capacity", "permission_labels", "private", "extras_x", "minx",
          "id", "state", "dataset_type", "klasifikasi", "cakupan_kecamatan", "_version_", "*", "a\\:b", "x-y.z"]
WORDS = st.sampled_from(["padi", "tani", "petani", "penduduk", "bantuan", "sawit", "64.01", "2024", "*", "?", "-1",
                         "1e308", "NaN", "inf", "\u00e9", "\u0130", "\U0001f600", "\u00b2", "'", "\\\\", "OR", "AND",
                         "NOT", "TO", "NOW", "x" * 300, "\udc80"])
DATES = st.one_of(
    st.just("*"), st.just("NOW"),
    st.builds(lambda sign, amount, unit, rounding: f"NOW{sign}{amount}{unit}{rounding}",
              st.sampled_from("+-"), st.integers(0, 10**30), st.sampled_from(["YEARS", "DAY", "MILLI", "HOURS", "X"]),
              st.sampled_from(["", "/DAY", "/YEAR", "/X"])),
    st.sampled_from(["2024-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "99999-01-01",
                     "2024-02-30T00:00:00Z", "1e999999999", "-5"]),
)
BOUNDS = st.one_of(DATES, WORDS, st.integers(-10**40, 10**40).map(str),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr))


def _leaf(field: str | None, body: str) -> str:
    return f"{field}:{body}" if field else body


LEAVES = st.one_of(
    st.builds(_leaf, st.none() | st.sampled_from(FIELDS), WORDS),
    st.builds(lambda field, low, high, left, right: f"{field}:{left}{low} TO {high}{right}",
              st.sampled_from(FIELDS), BOUNDS, BOUNDS, st.sampled_from("[{"), st.sampled_from("]}")),
    st.builds(lambda field, word, edit: f"{field}:{word}~{edit}", st.sampled_from(FIELDS), WORDS,
              st.sampled_from(["", "1", "2", "0.5", "99999999999"])),
    st.builds(lambda words, distance: f'"{" ".join(words)}"~{distance}', st.lists(WORDS, max_size=4),
              st.sampled_from(["1", "5", "99999999999999999999"])),
    st.builds(lambda word, boost: f"{word}^{boost}", WORDS, st.sampled_from(["2", "0", "-1", "1e309", "x"])),
    st.builds(lambda field, pattern: f"{field}:/{pattern}/", st.sampled_from(FIELDS),
              st.sampled_from(["(a*)*b", "[", "a{99999}", ".*", "(((", "\\", "a|b|c"])),
    st.builds(lambda field, word: f"{field}:*{word}*", st.sampled_from(FIELDS), WORDS),
    st.sampled_from(["{!frange l=0 u=1}div(minx,maxx)", "{!lucene}padi", "{!func}1", "{!geofilt}", '"', "(", ")",
                     "[", "]", "{", "}", "\\", ":", "*:*", "-", "+", "!", "&&", "||", "^", "~", '""', "[* TO *]",
                     "_val_:1", "_query_:x"]),
)


def _combine(children: list[str], operator: str) -> str:
    return f" {operator} ".join(children) if operator.strip() else " ".join(children)


LUCENE = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.builds(_combine, st.lists(inner, min_size=2, max_size=4),
                  st.sampled_from(["AND", "OR", "", "&&", "||", "AND NOT"])),
        inner.map(lambda text: f"({text})"),
        inner.map(lambda text: f"-{text}"),
        inner.map(lambda text: f"NOT {text}"),
        st.builds(lambda field, text: f"{field}:({text})", st.sampled_from(FIELDS), inner),
    ),
    max_leaves=12,
)
NESTED = st.builds(lambda depth, opener, closed, core: opener * depth + core + (")" * depth if closed else ""),
                   st.integers(1, 5000), st.sampled_from(["(", "a:", "NOT ", "-", "+", "title:("]), st.booleans(),
                   st.sampled_from(["padi", "a:b", "*", ""]))
RAW = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from('()[]{}:"\\*?~^!+-/\x00'),
              max_size=80)
QUERIES = st.one_of(LUCENE, NESTED, RAW, st.builds(lambda a, b: a + b, LUCENE, RAW))

# JSON values the API may receive where the search expects a text or a number.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=2),
    max_leaves=4,
)
NUMBER_TEXTS = st.one_of(st.sampled_from(["", " ", "-1", "0", "1e3", "1.5", "0x10", "99999999999999999999", "١٢",
                                          "\x00", "9223372036854775808", "2147483648"]),
                         st.integers(-(2**64), 2**64).map(str))
BOX_TEXTS = st.one_of(
    st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.sampled_from(
        ["1e308", "-1e309", "inf", "nan", "", "x", "180", "-180", "720.0001", "91"])), min_size=0, max_size=6).map(
        ",".join),
    st.sampled_from(["115.5,-2.4,116.6,-1.3", "0,0,0,0", "-720,-90,720,90"]),
)
PARAMETERS = {
    "start": NUMBER_TEXTS, "rows": NUMBER_TEXTS, "facet.limit": NUMBER_TEXTS, "facet.mincount": NUMBER_TEXTS,
    "sort": st.one_of(st.sampled_from([",", " ", "score desc", "title_string asc", "name asc,", "x y z",
                                       "geodist() asc", "metadata_modified desc, name asc", "rank", "name\x00 asc"]),
                      RAW),
    "fq": QUERIES, "q": QUERIES,
    "facet.field": st.sampled_from(['["tags"]', "tags", '["tags", "organization"]', '[1]', '{"a": 1}', "[]",
                                    '["' + "x" * 500 + '"]']),
    "ext_bbox": BOX_TEXTS,
    "include_private": st.sampled_from(["true", "false", "maybe", "", "1", "yes", "\x00"]),
    "include_drafts": st.sampled_from(["true", "false", "maybe"]),
    "defType": st.sampled_from(["lucene", "dismax", "edismax", "func", "frange", "", "xmlparser"]),
    "qf": st.sampled_from(["title^2 notes", "name", "", "x^y", "text^1e309"]),
    "mm": st.sampled_from(["1", "2<-25%", "100%", "-1", "x", "99999999999"]),
    "q.op": st.sampled_from(["AND", "OR", "XOR", ""]),
    "fl": st.sampled_from(["name", "*", "name,score", "", "x y"]),
    "facet": st.sampled_from(["true", "false", "x"]),
    "bf": st.sampled_from(["div(minx,maxx)", "div(", "log(0)", "sum(1", ""]),
}
GET_PARAMETERS = st.fixed_dictionaries({}, optional=PARAMETERS)
JSON_PARAMETERS = st.fixed_dictionaries({}, optional={
    **PARAMETERS,
    **{name: JSON_VALUES for name in ("start", "rows", "q", "fq", "sort", "extras", "include_private", "fl",
                                      "facet.field", "fq_list", "include_deleted", "mm", "qf")},
    "q": QUERIES | JSON_VALUES,
    "extras": st.one_of(JSON_VALUES, st.fixed_dictionaries({"ext_bbox": BOX_TEXTS | JSON_VALUES})),
})
SETTINGS = settings(derandomize=True, database=None, deadline=10_000, print_blob=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.filter_too_much])


def _without_surrogates(params: dict[str, Any]) -> dict[str, Any]:
    """A URL cannot carry a lone surrogate (it has no UTF-8 form); only JSON can."""
    return {key: value for key, value in params.items()
            if not isinstance(value, str) or not re.search("[\ud800-\udfff]", value)}


@settings(SETTINGS, max_examples=110)
@given(query=QUERIES, as_filter=st.booleans())
def test_generated_lucene_never_breaks_the_search(app, catalogue, private_id, query, as_filter):
    params = {"fq" if as_filter else "q": query}
    response = request(app, "lucene", "POST", SEARCH, params)
    assert_no_private(response, private_id)
    if response.status_code != 200:
        assert response.status_code in (400, 409)
        assert response.json["error"]["__type"] in ("Search Query Error", "Search Error", "Validation Error")


@settings(SETTINGS, max_examples=90)
@given(params=GET_PARAMETERS, as_json=JSON_PARAMETERS, use_json=st.booleans())
def test_generated_parameters_never_break_the_search(app, catalogue, private_id, params, as_json, use_json):
    if use_json:
        response = request(app, "parameters", "POST", SEARCH, as_json)
    else:
        response = request(app, "parameters", "GET", SEARCH, _without_surrogates(params))
    assert_no_private(response, private_id)
    if response.status_code != 200:
        assert response.status_code in (400, 409)


@settings(SETTINGS, max_examples=60)
@given(params=GET_PARAMETERS, page=st.sampled_from(["/dataset/", "/organization/distan", "/group/ekonomi",
                                                     "/group/", "/organization/"]))
def test_generated_input_never_breaks_the_search_pages(app, catalogue, private_id, params, page):
    response = request(app, "pages", "GET", page, _without_surrogates(params))
    assert response.status_code in (200, 400, 404)
    assert_no_private(response, private_id)


def test_zz_nothing_stored_changed(catalogue, before):
    """After every request above (the module's last test): the datasets and the search index are as built."""
    assert stored_state() == before
