"""Bad or hostile queries get a clear search error through the API, never a 500, and change nothing."""
from __future__ import annotations

import pytest
from ckan import model

SEARCH = "/api/3/action/package_search"


@pytest.mark.parametrize(
    "params",
    [
        {"q": "title:(unbalanced"},
        {"q": "tags:air AND"},
        {"fq": "metadata_modified:[kemarin TO NOW]"},
        {"fq": "metadata_modified:[NOW-1FORTNIGHT TO NOW]"},
        {"fq": 'metadata_created:"bukan tanggal"'},
        {"sort": "title_string sideways"},
        {"sort": "title_string asc; DROP TABLE package"},
        {"fq": "{!frange l=0 u=1}div(minx"},
        {"q": "nama\x00berbahaya"},
    ],
)
def test_bad_query_is_a_clear_client_error(app, catalogue, params):
    response = app.get(SEARCH, query_string=params)
    assert response.status_code in (400, 409)
    body = response.json
    assert body["success"] is False
    assert body["error"]["__type"] in ("Search Query Error", "Search Error", "Validation Error")


def test_bad_rows_is_a_validation_error(app, catalogue):
    response = app.get(SEARCH, query_string={"rows": "banyak"})
    assert response.status_code == 409
    assert "rows" in response.json["error"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "'; DROP TABLE package; --"},
        {"q": "name:\"x' OR '1'='1\""},
        {"fq": "tags:\"'); DELETE FROM paser_search_document; --\""},
        {"fq": "name:*'||pg_sleep(5)||'*"},
        {"q": "title:/.*'; DROP TABLE package; --/"},
        {"fq": "extras_x\\'y:[a TO z]"},
        {"sort": "\"title_string\" asc"},
    ],
)
def test_injection_attempts_match_nothing_and_harm_nothing(app, catalogue, params):
    response = app.get(SEARCH, query_string=params)
    assert response.status_code in (200, 400, 409)
    if response.status_code == 200:
        assert response.json["result"]["count"] == 0
    # The catalogue is intact.
    assert model.Session.query(model.Package).filter_by(state="active").count() == 6
    assert app.get(SEARCH).json["result"]["count"] == 5


def test_search_page_shows_an_error_not_a_crash(app, catalogue):
    response = app.get("/dataset/", query_string={"q": "title:(tidak ditutup"})
    assert response.status_code in (200, 400)
    assert "Traceback" not in response.get_data(as_text=True)
