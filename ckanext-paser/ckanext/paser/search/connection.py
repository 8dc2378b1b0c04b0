"""The pysolr connection contract (search, add, delete, commit) served from PostgreSQL.

CKAN builds documents and queries exactly as for Solr; this object stores the documents in
`paser_search_document` and answers the queries. Each call runs in its own short transaction on
CKAN's engine, so the index behaves like Solr's (committed independently of the caller's session).
"""
from __future__ import annotations

import copy
import hashlib
import itertools
import json
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
import pysolr
import sqlalchemy as sa
from ckan.common import config
from ckan.lib.search.common import SearchError, SearchQueryError
from psycopg2 import errorcodes

from . import dismax
from .datemath import utc_now
from .documents import DEFAULT_TEXT_FIELD, KEY_COLUMNS, UNDICTIONARIED_FIELDS, build_row
from .functions import FunctionTranslator, frange_filter
from .lucene import MAX_CLAUSES, MAX_DEPTH, QuerySyntaxError, Translator, negate, parse
from .schema import load_schema
from .sql import Params
from .values import ValueError_

log = logging.getLogger(__name__)

DEFAULT_QUERY_FIELDS = {"name", "title", "tags", "groups", "text"}
# Above this many "k of n" combinations a dismax query is matched clause by clause instead.
MAX_MM_COMBINATIONS = 64
_SORT_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")

UPSERT = sa.text(
    """
    INSERT INTO paser_search_document
        (index_id, id, site_id, stored, fields, codes, fulltext,
         metadata_modified, metadata_created, title_string, name, state, dataset_type, entity_type,
         capacity, permission_labels, content_hash, indexed_ts)
    VALUES (:index_id, :id, :site_id, CAST(:stored AS jsonb), CAST(:fields AS jsonb),
            paser_search_codes(CAST(:term_fields AS text[]), CAST(:term_values AS text[])),
            paser_search_weighted(:text_a, :text_b, :text_d),
            :metadata_modified, :metadata_created, :title_string, :name, :state, :dataset_type, :entity_type,
            :capacity, CAST(:permission_labels AS text[]), CAST(:content_hash AS uuid), now())
    ON CONFLICT (index_id) DO UPDATE SET
        id = EXCLUDED.id, site_id = EXCLUDED.site_id, stored = EXCLUDED.stored,
        fields = EXCLUDED.fields, codes = EXCLUDED.codes, fulltext = EXCLUDED.fulltext,
        metadata_modified = EXCLUDED.metadata_modified, metadata_created = EXCLUDED.metadata_created,
        title_string = EXCLUDED.title_string, name = EXCLUDED.name, state = EXCLUDED.state,
        dataset_type = EXCLUDED.dataset_type, entity_type = EXCLUDED.entity_type, capacity = EXCLUDED.capacity,
        permission_labels = EXCLUDED.permission_labels, content_hash = EXCLUDED.content_hash,
        indexed_ts = EXCLUDED.indexed_ts
    """
)
UNCHANGED = sa.text(
    """
    SELECT d.index_id
    FROM unnest(CAST(:ids AS text[]), CAST(:hashes AS uuid[])) AS given(index_id, content_hash)
    JOIN paser_search_document AS d ON d.index_id = given.index_id AND d.content_hash = given.content_hash
    """
)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value if item is not None and str(item).strip()]
    return [str(value)] if str(value).strip() else []


# Solr reads rows, start and the facet numbers as 32-bit integers and refuses larger ones.
INT_MAX = 2**31 - 1
# Parameters Solr reads as text: anything else (a JSON object or list sent to the API) is the caller's mistake.
TEXT_PARAMS = ("defType", "qf", "mm", "bf", "q.op", "facet", "facet.sort", "df")


def _as_int(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError) as error:
        raise SearchQueryError(f"{name} must be a whole number, got {value!r}") from error
    if not -INT_MAX - 1 <= number <= INT_MAX:
        raise SearchQueryError(f"{name} must be a whole number from {-INT_MAX - 1} to {INT_MAX}, got {value!r}")
    return number


def _check_text_params(q: Any, params: dict[str, Any]) -> None:
    """Refuse what PostgreSQL cannot hold (NUL, a lone surrogate) and non-text where Solr reads text."""
    if q is not None and not isinstance(q, str):
        raise SearchQueryError("q must be text")
    for name in TEXT_PARAMS:
        if params.get(name) is not None and not isinstance(params[name], str):
            raise SearchQueryError(f"{name} must be text")
    for name, value in [("q", q), *params.items()]:
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if not isinstance(item, str):
                continue
            if "\x00" in item:
                # PostgreSQL cannot hold NUL in text; Solr would not match it either.
                raise SearchQueryError("the query contains a NUL character")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as error:
                raise SearchQueryError(f"{name} contains an unpaired surrogate character") from error


def _primary_message(error: sa.exc.DBAPIError) -> str:
    diag = getattr(error.orig, "diag", None)
    message = getattr(diag, "message_primary", None)
    return message or type(error.orig).__name__


class ResultCache:
    """Recent answers of this process, valid while the index version is unchanged.

    Like Solr's query result and filter caches, which a commit invalidates: every write bumps the
    `paser_search_version` sequence after it commits, so a process never serves an answer older
    than the last write it can see.
    """

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[int, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, version: int) -> dict[str, Any] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] != version:
                return None
            self._entries.move_to_end(key)
            return copy.deepcopy(found[1])

    def put(self, key: str, version: int, decoded: dict[str, Any], size: int) -> None:
        with self._lock:
            self._entries[key] = (version, copy.deepcopy(decoded))
            self._entries.move_to_end(key)
            while len(self._entries) > size:
                self._entries.popitem(last=False)


RESULTS = ResultCache()

# Stands for the score column among sort keys.
SCORE = "score"

# The columns of a visibility class (migration 07): the filters CKAN adds to every query.
CLASS_COLUMNS = frozenset({"site_id", "state", "dataset_type", "entity_type", "capacity", "permission_labels"})
CLASS_COUNTS = "paser_search_class AS d JOIN paser_search_count AS c ON c.class_id = d.id"
_DOCUMENT_COLUMN = re.compile(r"\bd\.([A-Za-z_]+)")


def filters_visibility_only(where_sql: str) -> bool:
    """True when a translated query reads only visibility-class columns (as `*:*` with CKAN's filters).

    Every predicate reads document columns through the alias `d`, and the class table has the same
    columns, so such a query gives the same answer run over the classes.
    """
    return all(column in CLASS_COLUMNS for column in _DOCUMENT_COLUMN.findall(where_sql))
VERSION = sa.text("SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM paser_search_version")
BUMP_VERSION = sa.text("SELECT nextval('paser_search_version')")


class PostgresSearchConnection:
    url = "postgresql:paser_search"

    def __init__(self) -> None:
        self.schema = load_schema(config.get("ckanext.paser.search.solr_schema") or None)
        self.prefix_min_length = int(config.get("ckanext.paser.search.prefix_min_length") or 0)
        self.cache_size = int(config.get("ckanext.paser.search.cache_size") or 0)
        self.statement_timeout = int(config.get("ckanext.paser.search.statement_timeout") or 0)

    def _written(self) -> None:
        # After the commit, so that a reader who sees the new version also sees the new documents.
        with self._engine().connect() as connection:
            connection.execute(BUMP_VERSION)

    @staticmethod
    def _engine() -> sa.engine.Engine:
        from ckan.model import meta

        return meta.engine

    # Writing

    def add(self, docs: Iterable[dict[str, Any]], commit: bool | None = None, **kwargs: Any) -> str:
        try:
            rows = [build_row(doc, self.schema).as_params() for doc in docs]
        except ValueError_ as error:
            raise pysolr.SolrError(f"Document rejected: {error}") from error
        for row in rows:
            row["content_hash"] = hashlib.md5(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()
        if not rows:
            return ""
        with self._engine().begin() as connection:
            # CKAN re-indexes datasets whose document has not changed (twice per new dataset):
            # skip those, which saves the text vectors, term codes and index updates of a write.
            unchanged = set(connection.execute(UNCHANGED, {
                "ids": [row["index_id"] for row in rows], "hashes": [row["content_hash"] for row in rows],
            }).scalars())
            rows = [row for row in rows if row["index_id"] not in unchanged]
            if rows:
                connection.execute(UPSERT, rows)
        if rows:
            self._written()
        return ""

    def delete(self, id: Any = None, q: str | None = None, commit: bool | None = None, **kwargs: Any) -> str:
        if id is None and q is None:
            raise ValueError('You must specify "id" or "q".')
        params = Params()
        if id is not None:
            ids = id if isinstance(id, (list, tuple)) else [id]
            where = f"d.index_id = ANY(CAST({params.bind([str(item) for item in ids])} AS text[]))"
        else:
            # Solr's delete-by-query uses its default operator, OR.
            where = self._lucene(str(q), params, default_operator="OR")
        with self._engine().begin() as connection:
            params.resolve(connection)
            connection.execute(sa.text(f"DELETE FROM paser_search_document AS d WHERE {where}"), params.values)
        self._written()
        return ""

    def commit(self, *args: Any, **kwargs: Any) -> str:
        # Every add and delete is committed at once (Solr's near-real-time behaviour).
        return ""

    def optimize(self, *args: Any, **kwargs: Any) -> str:
        with self._engine().begin() as connection:
            connection.execute(sa.text("ANALYZE paser_search_document"))
        return ""

    def ping(self, *args: Any, **kwargs: Any) -> str:
        with self._engine().connect() as connection:
            connection.execute(sa.text("SELECT 1 FROM paser_search_document LIMIT 1"))
        return '{"status": "OK"}'

    # Querying

    def _lucene(self, query: str, params: Params, default_operator: str = "AND",
                translator: Translator | None = None) -> str:
        translator = translator or Translator(
            self.schema, params, now=utc_now(),
            default_operator=default_operator, prefix_min_length=self.prefix_min_length,
        )
        try:
            return translator.translate(parse(query))
        except QuerySyntaxError as error:
            raise SearchQueryError(str(error)) from error
        except RecursionError as error:  # parse() bounds the depth; this is the last line of defence
            raise SearchQueryError(tk._("The query is too complex: at most {limit} nested levels.").format(
                limit=MAX_DEPTH)) from error

    def _dismax(self, query: str, query_fields: str | None, mm: str | None, translator: Translator) -> str:
        fields = [part.split("^")[0] for part in (query_fields or "").split() if part.split("^")[0]]
        found = dismax.clauses(query)
        if not found:
            return "TRUE"
        if not fields or set(fields) <= DEFAULT_QUERY_FIELDS:
            targets = [DEFAULT_TEXT_FIELD]
            combined = self._dismax_tsquery(found, mm, translator)
            if combined is not None:
                return combined
        else:
            targets = fields

        def matcher(clause: dismax.Clause, rank: bool) -> str:
            method = translator.phrase if clause.is_phrase else translator.word
            return "(" + " OR ".join(method(target, clause.text, rank) for target in targets) + ")"

        required = [matcher(clause, True) for clause in found if clause.occur == "must"]
        prohibited = [matcher(clause, False) for clause in found if clause.occur == "must_not"]
        optional = [matcher(clause, True) for clause in found if clause.occur == "should"]
        parts = required + [negate(clause) for clause in prohibited]
        needed = dismax.minimum_should_match(mm, len(optional))
        if optional and needed == len(optional):
            parts.extend(optional)
        elif optional and needed > 0:
            counted = " + ".join(f"({clause})::int" for clause in optional)
            parts.append(f"(({' OR '.join(optional)}) AND ({counted}) >= {needed})")
        return "(" + " AND ".join(parts) + ")" if parts else "TRUE"

    @staticmethod
    def _dismax_tsquery(found: list[dismax.Clause], mm: str | None, translator: Translator) -> str | None:
        """A dismax query over the catch-all text as one tsquery, or None when that would be too large.

        "2 of a, b, c" becomes (a & b) | (a & c) | (b & c): a single match, which the text index
        answers and which reads each candidate's text vector once, where a sum of separate matches
        scans the table when one word is common.
        """
        def query(clause: dismax.Clause) -> str | None:
            return translator.text_query(clause.text, clause.is_phrase)

        required = [query(clause) for clause in found if clause.occur == "must"]
        optional = [query(clause) for clause in found if clause.occur == "should"]
        prohibited = [found_query for found_query in
                      (query(clause) for clause in found if clause.occur == "must_not") if found_query]
        needed = dismax.minimum_should_match(mm, len(optional))
        matchable = [item for item in optional if item is not None]
        if None in required or len(matchable) < needed:
            return "FALSE"  # a clause without any word can never match
        if math.comb(len(matchable), needed) > MAX_MM_COMBINATIONS:
            return None
        terms = list(required)
        if needed == len(matchable):
            terms.extend(matchable)
        elif needed > 0:
            terms.append("(" + " || ".join(
                "(" + " && ".join(combination) + ")" for combination in itertools.combinations(matchable, needed)
            ) + ")")
        parts = []
        if terms:
            parts.append(translator.text_match(DEFAULT_TEXT_FIELD, "(" + " && ".join(terms) + ")", rank=False))
            # Rank by every word that can match, as each optional clause adds to Solr's score.
            translator.rank_queries.extend(item for item in required + matchable if item is not None)
        parts.extend(negate(translator.text_match(DEFAULT_TEXT_FIELD, item, rank=False)) for item in prohibited)
        return "(" + " AND ".join(parts) + ")" if parts else "TRUE"

    def _filter(self, fq: str, params: Params, translator: Translator) -> str:
        fq = fq.strip()
        if not fq:
            return "TRUE"
        if fq.startswith("{!"):
            try:
                return frange_filter(fq, params)
            except QuerySyntaxError as error:
                raise SearchQueryError(str(error)) from error
        return self._lucene(fq, params, translator=translator)

    def _order(self, sort: str | None, ranked: bool, params: Params) -> list[tuple[str, str]]:
        """Sort keys as (SQL expression, direction); SCORE stands for the score column."""
        if not sort or not str(sort).strip():
            return [(SCORE, "DESC"), ("d.index_id", "")] if ranked else [("d.index_id", "")]
        keys = []
        for part in str(sort).split(","):
            words = part.split()
            if len(words) != 2 or words[1].lower() not in ("asc", "desc") or not _SORT_FIELD.match(words[0]):
                raise SearchQueryError(f'Invalid "sort" parameter: {part.strip()!r}')
            field, direction = words[0], words[1].upper()
            if field == "score":
                # Without a text query every score is equal: leave the order to the next key.
                if ranked:
                    keys.append((SCORE, direction))
            elif field in KEY_COLUMNS:
                keys.append((f"d.{KEY_COLUMNS[field]}", f"{direction} NULLS LAST"))
            elif self.schema.field(field).kind in ("text", "ngram") or field in UNDICTIONARIED_FIELDS:
                keys.append((
                    (f"(SELECT min(lower(value)) FROM jsonb_array_elements_text(d.fields -> {params.bind(field)}) "
                    "AS value)"), f"{direction} NULLS LAST"))
            else:
                value = "term.value::numeric" if self.schema.field(field).kind == "number" else 'term.value COLLATE "C"'
                keys.append((
                    (f"(SELECT min({value}) FROM unnest(d.codes) AS u(code) JOIN paser_search_term AS term "
                    f"ON term.code = u.code WHERE (u.code >> 32) = {params.bind_field(field)})"),
                    f"{direction} NULLS LAST"))
        return [*keys, ("d.index_id", "")]

    @staticmethod
    def _page_sql(where_sql: str, score_sql: str, keys: list[tuple[str, str]], ranked: bool, limits: str) -> str:
        """The page of documents; a ranked page also counts all matches (column `total`).

        Ranking scores every match anyway, so counting them in the same pass (a window count)
        saves a second scan of the text index. The scores and sort keys are computed in a
        subquery so that the window keeps only them, not the text vectors.
        """
        if not ranked:
            order = ", ".join(f"{'score' if expression == SCORE else expression} {direction}"
                              for expression, direction in keys)
            return (f"SELECT d.stored, {score_sql} AS score, NULL AS total FROM paser_search_document AS d "
                    f"WHERE {where_sql} ORDER BY {order} {limits}")
        columns = "".join(f", {expression} AS k{number}" for number, (expression, _) in enumerate(keys)
                          if expression != SCORE)
        order = ", ".join(f"{'m.score' if expression == SCORE else f'm.k{number}'} {direction}"
                          for number, (expression, direction) in enumerate(keys))
        return (f"SELECT m.stored, m.score, count(*) OVER () AS total FROM (SELECT d.stored, {score_sql} AS score"
                f"{columns} FROM paser_search_document AS d WHERE {where_sql} OFFSET 0) AS m ORDER BY {order} {limits}")

    def search(self, q: str | None = None, search_handler: str | None = None, **kwargs: Any) -> pysolr.Results:
        _check_text_params(q if q is not None else kwargs.get("q"), kwargs)
        params = Params()
        now = utc_now()
        translator = Translator(self.schema, params, now=now, prefix_min_length=self.prefix_min_length,
                                default_operator=str(kwargs.get("q.op") or "AND").upper())
        query = (q if q is not None else kwargs.get("q")) or "*:*"
        def_type = kwargs.get("defType") or "lucene"
        if def_type == "dismax":
            where = [self._dismax(query, kwargs.get("qf"), kwargs.get("mm"), translator)]
        elif def_type in ("lucene", "edismax"):
            if query.strip() in ("*:*", "*"):
                where = ["TRUE"]
            else:
                where = [self._lucene(query, params, translator=translator)]
        else:
            raise SearchQueryError(f"query parser {def_type!r} is not supported")
        # CKAN merges fq_list into fq before it calls us; fq_list is passed along but already applied.
        for fq in _as_list(kwargs.get("fq")):
            where.append(self._filter(fq, params, translator))
        where_sql = " AND ".join(where)

        rank_parts = []
        if translator.rank_queries:
            rank_parts.append(f"ts_rank(d.fulltext, ({' || '.join(translator.rank_queries)}))")
        if kwargs.get("bf"):
            try:
                rank_parts.append(f"coalesce({FunctionTranslator(params).translate(str(kwargs['bf']))}, 0)")
            except QuerySyntaxError as error:
                raise SearchQueryError(str(error)) from error
        score_sql = " + ".join(rank_parts) if rank_parts else "1.0"

        rows = _as_int(kwargs.get("rows"), "rows", 10)
        start = _as_int(kwargs.get("start"), "start", 0)
        if rows < 0 or start < 0:
            raise SearchQueryError("rows and start must not be negative")
        sort_keys = self._order(kwargs.get("sort"), bool(rank_parts), params)
        facet_fields = _as_list(kwargs.get("facet.field"))
        facet_on = str(kwargs.get("facet", "false")).lower() in ("true", "on", "1")
        wanted = self._wanted_fields(kwargs.get("fl"))

        docs_sql = self._page_sql(where_sql, score_sql, sort_keys, bool(rank_parts),
                                  f"LIMIT {params.bind(rows)} OFFSET {params.bind(start)}")
        by_class = not rank_parts and filters_visibility_only(where_sql)
        if by_class:
            count_sql = f"SELECT coalesce(sum(c.n), 0) FROM {CLASS_COUNTS} WHERE c.code = 0 AND {where_sql}"
        else:
            count_sql = f"SELECT count(*) FROM paser_search_document AS d WHERE {where_sql}"
        try:
            with self._engine().connect() as connection:
                if self.statement_timeout > 0:
                    # For this search's transaction only (the pool rolls it back when the connection returns).
                    connection.execute(sa.text("SELECT set_config('statement_timeout', :timeout, true)"),
                                       {"timeout": f"{self.statement_timeout}ms"})
                version = connection.execute(VERSION).scalar() if self.cache_size else 0
                params.resolve(connection)
                key = json.dumps([docs_sql, facet_on and facet_fields, wanted and sorted(wanted),
                                  {name: kwargs.get(name) for name in ("facet.limit", "facet.mincount", "facet.sort")},
                                  params.values], default=str, sort_keys=True)
                cached = RESULTS.get(key, version) if self.cache_size else None
                if cached is not None:
                    return pysolr.Results(cached)
                page = []
                if rank_parts and rows > 0:
                    page = connection.execute(sa.text(docs_sql), params.values).fetchall()
                hits = page[0].total if page else connection.execute(sa.text(count_sql), params.values).scalar() or 0
                if not rank_parts and rows > 0 and hits > start:
                    page = connection.execute(sa.text(docs_sql), params.values).fetchall()
                docs = [self._project(stored, float(score), wanted) for stored, score, _ in page]
                facets = {}
                if facet_on and facet_fields:
                    facets = self._facets(connection, where_sql, by_class, params, facet_fields, kwargs)
        except sa.exc.DataError as error:
            # A value the database cannot compare (e.g. a number range over text): the query's fault. Only the
            # primary message: the full one can quote the statement.
            raise SearchQueryError(f"invalid value in query: {_primary_message(error)}") from error
        except sa.exc.OperationalError as error:
            code = getattr(error.orig, "pgcode", None)
            if code == errorcodes.QUERY_CANCELED:
                raise SearchError(tk._("The search took too long; try a simpler query.")) from error
            if code == errorcodes.STATEMENT_TOO_COMPLEX:
                raise SearchQueryError(tk._("The query is too complex: at most {limit} clauses.").format(
                    limit=MAX_CLAUSES)) from error
            raise
        decoded = {
            "response": {"numFound": hits, "start": start, "docs": docs},
            "facet_counts": {"facet_queries": {}, "facet_fields": facets, "facet_ranges": {},
                             "facet_intervals": {}, "facet_heatmaps": {}},
            "responseHeader": {"status": 0, "params": {"q": query}},
        }
        if self.cache_size:
            RESULTS.put(key, version, decoded, self.cache_size)
        return pysolr.Results(decoded)

    @staticmethod
    def _wanted_fields(fl: Any) -> set[str] | None:
        names = {name for part in _as_list(fl) for name in re.split(r"[\s,]+", part) if name}
        if not names or "*" in names:
            return None if not names or names == {"*"} else names | {"*"}
        return names

    @staticmethod
    def _project(stored: Any, score: float, wanted: set[str] | None) -> dict[str, Any]:
        if isinstance(stored, str):
            stored = json.loads(stored)
        if wanted is None or "*" in wanted:
            doc = dict(stored)
        else:
            doc = {name: stored[name] for name in wanted if name in stored}
        if wanted and "score" in wanted:
            doc["score"] = score
        return doc

    def _facets(self, connection: Any, where_sql: str, by_class: bool, params: Params, fields: list[str],
                options: dict[str, Any]) -> dict[str, list[Any]]:
        limit = _as_int(options.get("facet.limit"), "facet.limit", 100)
        mincount = max(1, _as_int(options.get("facet.mincount"), "facet.mincount", 0))
        by_index = str(options.get("facet.sort") or ("count" if limit > 0 else "index")).lower() == "index"
        ordering = 'term.value COLLATE "C"' if by_index else 'counted.n DESC, term.value COLLATE "C"'
        facet_params = dict(params.values)
        facet_params.update({"facet_fields": fields, "facet_mincount": mincount, "facet_limit": limit})
        wanted = "ANY((SELECT ids FROM wanted)::bigint[])"
        if by_class:
            # Only visibility filters: add up the kept counts of the visible classes.
            counted = (f"SELECT c.code, sum(c.n) AS n FROM {CLASS_COUNTS} WHERE {where_sql}"
                       f" AND (c.code >> 32) = {wanted} GROUP BY c.code HAVING sum(c.n) >= :facet_mincount")
        else:
            # One pass over the matching rows counts the codes of every facet field; unnest() in the
            # select list (one ProjectSet) costs far less per row than a lateral join.
            counted = ("SELECT u.code, count(*) AS n FROM"
                       f" (SELECT unnest(d.codes) AS code FROM paser_search_document AS d WHERE {where_sql}) AS u"
                       f" WHERE (u.code >> 32) = {wanted} GROUP BY u.code HAVING count(*) >= :facet_mincount")
        # Only the counted codes are looked up in the dictionary.
        sql = (
            "WITH wanted AS (SELECT array_agg(id) AS ids FROM paser_search_field"
            " WHERE name = ANY(CAST(:facet_fields AS text[]))),"
            f" counted AS ({counted}),"
            " ranked AS (SELECT field.name AS field, term.value, counted.n,"
            f" row_number() OVER (PARTITION BY term.field_id ORDER BY {ordering}) AS position"
            " FROM counted JOIN paser_search_term AS term ON term.code = counted.code"
            " JOIN paser_search_field AS field ON field.id = term.field_id)"
            " SELECT field, value, n FROM ranked WHERE :facet_limit < 0 OR position <= :facet_limit"
            " ORDER BY field, position"
        )
        result: dict[str, list[Any]] = {field: [] for field in fields}
        for field, value, count in connection.execute(sa.text(sql), facet_params):
            result[field].extend([value, count])
        return result
