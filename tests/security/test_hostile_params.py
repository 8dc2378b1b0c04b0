"""Hostile parameters against the bundle's own actions and views, core's DataStore dump (served through the
portal's checks) and the upstream views the portal guards: every answer a 4xx or a 2xx, never a 5xx, a traceback or
SQL text, within a bounded time, and nothing stored changes.

First the defects found on the demo portal, one regression test each (NUL bytes, a huge offset, a lone surrogate or
an object as a flag note, bad dump options, ``changes_multiple`` with a dataset id, an unknown dictionary field);
then property-based tests (hypothesis, derandomized) over every GET-callable ``paser_*`` action and the views.

The catalogue: Disdukcapil's and BPS's 2024 population of the regency (a cross-producer flag), each table loaded
into the DataStore and checked by a real RQ worker, and a kecamatan organisation.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from io import BytesIO
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers
from ckan.tests.pytest_ckan.fixtures import FakeFileStorage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from in_process_jobs import run_jobs
from portal_text import as_the_portal_says

WALIDATA_ORG = "diskominfostaper"
DUKCAPIL_CSV = "kode_wilayah,nama_wilayah,tahun,jumlah_penduduk\n64.01,Kabupaten Paser,2024,309667\n"
BPS_CSV = "kode_wilayah,nama_wilayah,tahun,jumlah_penduduk\n64.01,Kabupaten Paser,2024,292948\n"
TABLE = {"format": "CSV", "kolom_wilayah": "kode_wilayah", "jenis_kode_wilayah": "kode_kemendagri",
         "kolom_periode": "tahun", "kolom_nilai": "jumlah_penduduk", "satuan": "jiwa"}
SYSADMIN, WALIDATA, EDITOR, OUTSIDER = "admin-portal", "walidata-editor", "operator-bps", "warga"

# A response must answer within this many seconds (the slowest legitimate one here takes well under one).
MAX_SECONDS = 5.0
# SQL as psycopg2 and core print it: quoted identifiers, LINE markers, the statements' keywords.
TRACE_OR_SQL = re.compile(r"Traceback \(most recent call last\)|psycopg2|sqlalchemy|\bSELECT\b[^<]{0,400}\bFROM\b|"
                          r"\bCREATE TABLE\b|\bLINE \d+:|array_to_string|Internal Server Error")
REQUESTS: Counter[str] = Counter()

# Every GET-callable action of the bundle, with the parameters it reads.
ACTIONS = {
    "paser_resource_check_show": ("id", "resource_id"),
    "paser_flag_list": ("dataset_id", "resource_id", "organization", "kecamatan", "indicator", "rule", "status",
                        "severity", "sort", "limit", "offset"),
    "paser_flag_show": ("id",),
    "paser_indicator_figures": ("indicator", "limit", "offset"),
    "paser_kecamatan_figures": ("kecamatan", "limit", "offset"),
    "paser_daftar_data": ("limit", "offset"),
}
DUMP_OPTIONS = ("format", "offset", "limit", "bom", "filters", "q", "distinct", "plain", "language", "fields",
                "sort", "excel")


def _dataset(user: str, org: str, name: str, csv: str) -> dict[str, Any]:
    context = {"user": user, "ignore_auth": False}
    dataset = helpers.call_action("package_create", dict(context), name=name, title=name, owner_org=org,
                                  jenis_data="statistik", klasifikasi="terbuka", tingkat_penyajian="kabupaten",
                                  satuan="jiwa", kode_indikator="2.12.01")
    resource = helpers.call_action("resource_create", dict(context), package_id=dataset["id"], url="upload",
                                   upload=FakeFileStorage(BytesIO(csv.encode()), f"{name}.csv"), name=f"{name}.csv",
                                   **TABLE)
    return {**dataset, "resource": resource}


@pytest.fixture(scope="module")
def world(reset_bundle_db, reset_index, reset_redis) -> dict[str, Any]:
    reset_bundle_db()
    reset_index()
    reset_redis()
    for name in (WALIDATA, "operator-disdukcapil", EDITOR, OUTSIDER):
        factories.User(name=name)
    factories.Sysadmin(name=SYSADMIN)
    factories.Organization(name=WALIDATA_ORG, users=[{"name": WALIDATA, "capacity": "editor"}])
    factories.Organization(name="disdukcapil", users=[{"name": "operator-disdukcapil", "capacity": "editor"}])
    factories.Organization(name="bps-paser", users=[{"name": EDITOR, "capacity": "editor"}])
    helpers.call_action("organization_create", {"user": SYSADMIN}, type="kecamatan", name="kecamatan-tanah-grogot",
                        title="Kecamatan Tanah Grogot", kode_kemendagri="64.01.04", kode_bps="6401040")
    dukcapil = _dataset("operator-disdukcapil", "disdukcapil", "penduduk-dukcapil", DUKCAPIL_CSV)
    bps = _dataset(EDITOR, "bps-paser", "penduduk-bps", BPS_CSV)
    run_jobs()
    tokens = {name: helpers.call_action("api_token_create", {"user": name}, user=name, name="uji")["token"]
              for name in (SYSADMIN, WALIDATA, EDITOR, OUTSIDER)}
    site = {"user": SYSADMIN, "ignore_auth": True}
    flags = helpers.call_action("paser_flag_list", dict(site), rule="cross_producer")["results"]
    assert len(flags) == 1
    assert helpers.call_action("datastore_search", dict(site), resource_id=bps["resource"]["id"])["total"] == 1
    return {"dukcapil": dukcapil, "bps": bps, "flag": flags[0], "tokens": tokens}


@pytest.fixture(scope="module")
def app(world) -> Any:
    """One test app for the module (CKAN's ``app`` fixture builds one per test, 2.5 s each)."""
    return helpers._get_test_app()


def _headers(world: dict[str, Any], who: str | None) -> dict[str, str]:
    return {"Authorization": world["tokens"][who]} if who else {}


def _check(response: Any, seconds: float, what: str) -> str:
    """No 5xx, no traceback or SQL text, answered in time; the body."""
    body = response.get_data().decode("utf-8", "replace")
    assert response.status_code < 500, f"{what}: {response.status_code} {body[:300]}"
    assert not TRACE_OR_SQL.search(body), f"{what}: {body[:500]}"
    assert seconds < MAX_SECONDS, f"{what}: {seconds:.1f} s"
    return body


def _get(app: Any, world: dict[str, Any], url: str, who: str | None = WALIDATA, **kwargs: Any) -> tuple[Any, str]:
    started = time.monotonic()
    response = app.get(url, headers=_headers(world, who), **kwargs)
    REQUESTS["GET"] += 1
    return response, _check(response, time.monotonic() - started, url)


def _post_json(app: Any, world: dict[str, Any], action: str, body: Any, who: str | None = SYSADMIN,
               ) -> tuple[Any, str]:
    started = time.monotonic()
    response = app.post(f"/api/3/action/{action}", data=json.dumps(body).encode("ascii"),
                        headers={**_headers(world, who), "Content-Type": "application/json"})
    REQUESTS["POST"] += 1
    return response, _check(response, time.monotonic() - started, f"{action} {body!r:.200}")


def stored_state() -> str:
    """A digest of everything a request could change: flags, their history, figures, checks, datasets, the
    DataStore's rows and its data dictionary."""
    from ckan.model import meta
    from ckanext.datastore.backend.postgres import get_write_engine

    digest = hashlib.sha256()
    with meta.engine.connect() as connection:
        for query in ("SELECT id, status, note, updated FROM paser_flag ORDER BY id",
                      "SELECT count(*), max(id) FROM paser_flag_history",
                      "SELECT count(*) FROM paser_figure",
                      "SELECT resource_id, status, checked_at FROM paser_resource_check ORDER BY resource_id",
                      "SELECT id, metadata_modified, state, private FROM package ORDER BY id",
                      "SELECT count(*) FROM activity"):
            digest.update(repr(connection.execute(sa.text(query)).all()).encode())
    with get_write_engine().connect() as connection:
        tables = connection.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE '\\_%' "
            "ORDER BY tablename")).scalars().all()
        for table in tables:
            digest.update(repr(connection.execute(sa.text(f'SELECT * FROM "{table}" ORDER BY _id')).all()).encode())
            digest.update(repr(connection.execute(sa.text(
                "SELECT obj_description(CAST(:t AS regclass)), "
                "array_agg(col_description(CAST(:t AS regclass), attnum) ORDER BY attnum) "
                "FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) AND attnum > 0"),
                {"t": f'"{table}"'}).all()).encode())
    return digest.hexdigest()


# --- regression tests of the defects found on the demo portal ---------------------------------------------

NUL_PARAMS = [(action, name) for action, names in ACTIONS.items() for name in names]


@pytest.mark.parametrize("action,name", NUL_PARAMS, ids=[f"{a}-{n}" for a, n in NUL_PARAMS])
def test_a_nul_byte_in_any_action_parameter_is_a_validation_error(app, world, action, name):
    from ckanext.paser.validation import HAS_NUL, NOT_WHOLE_NUMBER

    params = {"indicator": "2.12.01", "kecamatan": "64.01.04", "id": world["flag"]["id"], name: "a\x00b"}
    if action == "paser_resource_check_show" and name == "resource_id":
        params.pop("id")
    wanted = {key: value for key, value in params.items() if key in ACTIONS[action]}
    response, _body = _get(app, world, f"/api/3/action/{action}", query_string=wanted)
    assert response.status_code == 409
    if name in ("limit", "offset"):  # no whole number
        maximum = 1000 if (action, name) != ("paser_flag_list", "limit") and name == "limit" else 2**63 - 1
        minimum = 1 if maximum == 1000 else 0
        assert response.json["error"][name] == [as_the_portal_says(app, NOT_WHOLE_NUMBER).format(
            minimum=minimum, maximum=maximum)]
    else:
        assert response.json["error"][name] == [as_the_portal_says(app, HAS_NUL)]


@pytest.mark.parametrize("url", [
    "/ekspor/indikator/%00.csv", "/ekspor/kecamatan/%00.csv", "/ekspor/daftar-data.csv?excel=%00",
    "/flag/%00", "/walidata?rule=%00"])
def test_a_nul_byte_in_a_bundle_page_is_a_bad_request(app, world, url):
    from ckanext.paser.validation import HAS_NUL

    response, body = _get(app, world, url)
    assert response.status_code == 400
    assert as_the_portal_says(app, HAS_NUL) in body


def test_a_nul_byte_as_the_dumped_table_is_not_found(app, world):
    for suffix in ("", "?format=xlsx", "?format=json", "?excel=1"):
        response, body = _get(app, world, "/datastore/dump/%00" + suffix)
        assert response.status_code == 404
        assert as_the_portal_says(app, "DataStore resource not found") in body


@pytest.mark.parametrize("value", ["9223372036854775808", "-1", "abc", "1.5", "99999999999999999999999"])
def test_offsets_beyond_bigint_negative_or_not_whole_are_refused(app, world, value):
    from ckanext.paser.validation import NOT_WHOLE_NUMBER

    for action in ("paser_flag_list", "paser_daftar_data"):
        response, _body = _get(app, world, f"/api/3/action/{action}", query_string={"offset": value})
        assert response.status_code == 409
        assert response.json["error"]["offset"] == [
            as_the_portal_says(app, NOT_WHOLE_NUMBER).format(minimum=0, maximum=2**63 - 1)]


def test_a_huge_flag_list_limit_is_capped_not_refused(app, world):
    everything = helpers.call_action("paser_flag_list", {"user": SYSADMIN, "ignore_auth": True})
    response, _body = _get(app, world, "/api/3/action/paser_flag_list",
                           query_string={"limit": "9223372036854775807"})
    assert response.status_code == 200
    assert len(response.json["result"]["results"]) == response.json["result"]["count"] == everything["count"] > 0


@pytest.mark.parametrize("note", ["\ud800", "catatan \udfff", {"a": 1}, ["catatan"], [{"a": 1}], 5, "a\x00b"])
def test_a_flag_note_must_be_storable_text(app, world, note):
    from ckanext.paser.validation import HAS_NUL, HAS_SURROGATE, NOT_TEXT

    before = stored_state()
    response, _body = _post_json(app, world, "paser_flag_update",
                                 {"id": world["flag"]["id"], "status": "acknowledged", "note": note})
    assert response.status_code == 409
    expected = (HAS_SURROGATE if isinstance(note, str) and "\x00" not in note
                else HAS_NUL if isinstance(note, str) else NOT_TEXT)
    assert response.json["error"]["note"] == [as_the_portal_says(app, expected)]
    assert stored_state() == before
    site = {"user": SYSADMIN, "ignore_auth": True}
    assert helpers.call_action("paser_flag_show", site, id=world["flag"]["id"])["status"] == "open"


DUMP_COMBINATIONS = [
    ("format=xlsx&limit=-1", 400, "limit"), ("sort=nope", 400, "sort"), ("offset=-5", 400, "offset"),
    ("limit=abc", 400, "limit"), ("format=nope", 400, "format"), ("q=%00", 400, "q"),
    ('q={"nope":"x"}', 400, "q"), ('q={"jumlah_penduduk":1}', 400, "q"), ("fields=nope", 400, "fields"),
    ("fields=_id,nope", 400, "fields"), ("filters=notjson", 400, "filters"), ("filters=[1]", 400, "filters"),
    ('filters={"nope":1}', 400, "filters"), ('filters={"tahun":{"a":1}}', 400, "filters"), ("bom=maybe", 400, "bom"),
    ("offset=9223372036854775808", 400, "offset"), ("limit=9223372036854775808", 400, "limit"),
    ("format=xlsx&sort=nope", 400, "sort"), ("format=xlsx&offset=-5", 400, "offset"),
    ("format=tsv&sort=nope", 400, "sort"), ("format=json&sort=nope", 400, "sort"),
    ("format=xml&fields=nope", 400, "fields"), ("excel=1&sort=nope", 400, "sort"),
    ("excel=1&offset=-5", 400, "offset"), ("format=csv&excel=1&limit=-1", 400, "limit"),
    ("distinct=maybe", 400, "distinct"), ("plain=maybe", 400, "plain"), ("q=a&language=nope", 400, "language"),
    ("q=a&language=%00", 400, "language"), ("sort=jumlah_penduduk%20sideways", 400, "sort"),
    ("sort=_id%20desc;drop", 400, "sort"), ("format=xlsx&filters=notjson", 400, "filters"),
    ("q=(((&plain=false", 400, "q"), ('q={"nama_wilayah":"a&"}&plain=false&format=xlsx', 400, "q"),
    ("q=a:b&plain=false", 200, None), ("q=Paser&plain=false", 200, None), ("limit=0", 200, None),
    ("q=Paser&format=json", 400, None),  # core's lists query breaks on its rank column: no SQL shown
    ("format=json&limit=1&offset=1", 200, None),
]


@pytest.mark.parametrize("query,status,option", DUMP_COMBINATIONS, ids=[query for query, *_ in DUMP_COMBINATIONS])
def test_bad_dump_options_are_a_bad_request_with_a_message(app, world, query, status, option):
    resource_id = world["bps"]["resource"]["id"]
    response, body = _get(app, world, f"/datastore/dump/{resource_id}?{query}", who=None)
    assert response.status_code == status, body[:300]
    if option:
        assert f"{option}:" in body  # the option is named, with the reason


def test_dump_messages_name_the_table_columns(app, world):
    from ckanext.paser.exports.dump_request import UNKNOWN_COLUMNS

    resource_id = world["bps"]["resource"]["id"]
    _response, body = _get(app, world, f"/datastore/dump/{resource_id}?fields=nope", who=None)
    columns = "_id, kode_wilayah, nama_wilayah, tahun, jumlah_penduduk"
    assert as_the_portal_says(app, UNKNOWN_COLUMNS).format(names="nope", columns=columns) in body.replace("&#39;", "'")


def _activities(world: dict[str, Any], name: str) -> list[str]:
    site = {"user": SYSADMIN, "ignore_auth": True}
    return [activity["id"] for activity in helpers.call_action("package_activity_list", site, id=world[name]["id"])]


def test_changes_multiple_with_bad_ids_is_a_client_error(app, world):
    from ckanext.paser.guards.activity_changes import CHOOSE_TWO_VERSIONS, DIFFERENT_OBJECTS

    dataset_id = world["bps"]["id"]
    newest, *_rest, oldest = _activities(world, "bps")
    other = _activities(world, "dukcapil")[0]
    cases = [
        (f"new_id={dataset_id}&old_id={dataset_id}", 404, "Activity not found"),
        ("", 400, CHOOSE_TWO_VERSIONS),
        (f"new_id={newest}", 400, CHOOSE_TWO_VERSIONS),
        ("new_id=%00&old_id=%00", 400, "Must not contain NUL characters."),
        (f"new_id={newest}&old_id={other}", 400, DIFFERENT_OBJECTS),
        (f"new_id={oldest}&old_id={newest}", 400, CHOOSE_TWO_VERSIONS),  # reversed, no current_new_id
    ]
    for path in ("/dataset/changes_multiple", "/organization/changes_multiple", "/group/changes_multiple"):
        for query, status, msgid in cases:
            response, body = _get(app, world, f"{path}?{query}", who=OUTSIDER)
            assert response.status_code == status, (path, query, body[:300])
            assert as_the_portal_says(app, msgid) in body
    response, body = _get(app, world, f"/dataset/changes_multiple?new_id={newest}&old_id={oldest}", who=SYSADMIN)
    assert response.status_code == 200 and world["bps"]["name"] in body


@pytest.mark.parametrize("field", ["fields__0", "info__0", "fields__0__id", "fields__0__type", "nope",
                                   "info__99999999__label", "info__0__label\x00"])
def test_an_unknown_field_in_the_data_dictionary_form_is_refused(app, world, field):
    from ckanext.paser.guards.datastore_dictionary import UNKNOWN_FORM_FIELD

    dataset, resource_id = world["bps"], world["bps"]["resource"]["id"]
    before = stored_state()
    started = time.monotonic()
    response = app.post(f"/dataset/{dataset['id']}/dictionary/{resource_id}", headers=_headers(world, SYSADMIN),
                        data={"info__0__label": "Kode", field: "x"})
    REQUESTS["POST"] += 1
    body = _check(response, time.monotonic() - started, field)
    assert response.status_code == 400
    shown = field if "\x00" not in field else repr(field)
    assert as_the_portal_says(app, UNKNOWN_FORM_FIELD).format(name=shown) in body.replace("&#39;", "'")
    assert stored_state() == before


def test_a_nul_in_a_data_dictionary_label_is_refused(app, world):
    from ckanext.paser.validation import HAS_NUL

    dataset, resource_id = world["bps"], world["bps"]["resource"]["id"]
    before = stored_state()
    response = app.post(f"/dataset/{dataset['id']}/dictionary/{resource_id}", headers=_headers(world, SYSADMIN),
                        data={"info__0__label": "Ko\x00de"})
    REQUESTS["POST"] += 1
    assert response.status_code == 400 and as_the_portal_says(app, HAS_NUL) in response.get_data(as_text=True)
    assert stored_state() == before


# --- property-based: hostile values everywhere --------------------------------------------------------------

HOSTILE_TEXTS = ["\x00", "a\x00b", "%00", "9223372036854775808", "-9223372036854775809", "-1", "0", "1e309",
                 "NaN", "inf", "", " ", "[]", "{}", '{"a": 1}', "null", "true", "' OR 1=1 --", "((((", "*:*",
                 "\u202e", "ﬀ", "x" * 3000, "1" * 400, "kecamatan-", "..", "../../etc/passwd", "%s%s%n"]
# Text that fits a URL: hypothesis' text() leaves out surrogates (category Cs), which no URL can carry.
url_text = st.one_of(st.sampled_from(HOSTILE_TEXTS), st.text(max_size=40),
                     st.integers(min_value=-2**70, max_value=2**70).map(str),
                     st.floats(allow_nan=True, allow_infinity=True).map(str))
json_value = st.recursive(
    st.one_of(url_text, st.just("\ud800"), st.just("a\udfffb"), st.integers(min_value=-2**70, max_value=2**70),
              st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none()),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(max_size=5), children, max_size=2)),
    max_leaves=4)

HYPOTHESIS = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _params(names: tuple[str, ...]) -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.sampled_from([*names, "extra"]), url_text, min_size=1, max_size=4)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_get_actions_survive_hostile_query_strings(app, world, action):
    before = stored_state()

    @HYPOTHESIS
    @given(params=_params(ACTIONS[action]), who=st.sampled_from([None, WALIDATA, EDITOR]))
    def hostile(params: dict[str, str], who: str | None) -> None:
        response, _body = _get(app, world, f"/api/3/action/{action}", who=who, query_string=params)
        assert response.status_code in (200, 400, 403, 404, 409)

    hostile()
    assert stored_state() == before


@pytest.mark.parametrize("action", [*ACTIONS, "paser_flag_update"])
def test_actions_survive_hostile_json(app, world, action):
    names = ACTIONS.get(action, ("id", "status", "note"))
    before = stored_state()

    @HYPOTHESIS
    @given(data=st.data(), who=st.sampled_from([None, WALIDATA, SYSADMIN]))
    def hostile(data: st.DataObject, who: str | None) -> None:
        body = data.draw(st.dictionaries(st.sampled_from([*names, "extra"]), json_value, min_size=1, max_size=4))
        if action == "paser_flag_update":
            # Hostile, never a valid change: the status is no status, so nothing may be stored.
            body["status"] = data.draw(json_value.filter(
                lambda value: value not in ("open", "acknowledged", "resolved")))
        response, _text = _post_json(app, world, action, body, who=who)
        assert response.status_code in (200, 400, 403, 404, 409)

    hostile()
    assert stored_state() == before


def _views(world: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """(URL, query parameters it reads); ``{}`` in a URL is a path value drawn too."""
    resource_id = world["bps"]["resource"]["id"]
    return [
        ("/ekspor/indikator/{}.csv", ("excel", "gaya")), ("/ekspor/kecamatan/{}.csv", ("excel", "gaya")),
        ("/ekspor/daftar-data.csv", ("excel", "gaya")), ("/flag/{}", ()), ("/walidata", ("rule", "status", "severity")),
        (f"/datastore/dump/{resource_id}", DUMP_OPTIONS), ("/datastore/dump/{}", ("format",)),
        ("/organization/kecamatan-tanah-grogot", ("page", "q", "sort")),
        ("/organization/bps-paser", ("page", "q", "sort")),
    ]


@pytest.mark.parametrize("index", range(9), ids=["indikator", "kecamatan", "daftar-data", "flag", "walidata",
                                                  "dump-options", "dump-id", "kecamatan-page", "dinas-page"])
def test_views_survive_hostile_parameters(app, world, index):
    url_pattern, names = _views(world)[index]
    path_value = url_text.filter(lambda text: text not in ("", ".", "..") and "/" not in text)
    before = stored_state()

    @HYPOTHESIS
    @given(data=st.data(), who=st.sampled_from([None, WALIDATA, EDITOR]))
    def hostile(data: st.DataObject, who: str | None) -> None:
        url = url_pattern.format(quote(data.draw(path_value), safe="")) if "{}" in url_pattern else url_pattern
        params = data.draw(st.dictionaries(st.sampled_from([*names, "extra"]), url_text, max_size=4))
        response, _body = _get(app, world, url, who=who, query_string=params)
        assert response.status_code in (200, 302, 400, 403, 404, 409)

    hostile()
    assert stored_state() == before


def test_zz_request_counts(capsys):
    """The counts of this module's requests (the issue's closing note quotes them)."""
    with capsys.disabled():
        print(f"\nhostile parameters: {sum(REQUESTS.values())} requests ({dict(REQUESTS)})")
    assert sum(REQUESTS.values()) > 0
