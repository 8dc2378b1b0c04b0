"""Lucene/Solr query syntax translated into SQL over `paser_search_document`.

Queries are parsed by luqum (a real Lucene grammar); each leaf becomes a predicate whose values are
bound parameters. Field semantics come from the Solr schema: string-like fields match exactly
through the `terms` array (GIN), text fields through text-search vectors, dates and numbers
compare as typed values.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import ckan.plugins.toolkit as tk
from luqum.exceptions import ParseError
from luqum.thread import parse as luqum_parse
from luqum.tree import (
    AndOperation,
    BaseGroup,
    Boost,
    Fuzzy,
    Item,
    Not,
    OrOperation,
    Phrase,
    Plus,
    Prohibit,
    Proximity,
    Range,
    Regex,
    SearchField,
    Term,
    UnknownOperation,
    Word,
)

from . import datemath
from .documents import ARRAY_COLUMNS, DEFAULT_TEXT_FIELD, KEY_COLUMNS, UNDICTIONARIED_FIELDS
from .schema import FieldSpec, SolrSchema
from .sql import Params, like_escape, wildcard_to_like
from .values import ValueError_, canonical, canonical_date

# Typed columns that make the most common sorts and date ranges use a b-tree index.
TIMESTAMP_COLUMNS = {"metadata_modified": "metadata_modified", "metadata_created": "metadata_created"}


class QuerySyntaxError(Exception):
    """A query a user wrote that cannot be understood; the message says why."""


class QueryTooComplexError(QuerySyntaxError):
    """A query beyond the bounds below: refused before it costs the parser, Python's stack or PostgreSQL's."""


# Bounds on one query string (q, or one fq). Parsing time grows faster than the number of tokens (10,000 words
# take luqum ~2 s), translation recurses once per nesting level (3,000 "(" or "a:" x 2,000 exhausted Python's
# stack), and PostgreSQL refuses expressions nested too deep. Solr refuses more than 1,024 clauses
# (maxBooleanClauses); CKAN's own filters (permission labels: one clause per organisation) stay far below these.
MAX_QUERY_LENGTH = 100_000
MAX_QUERY_TOKENS = 4_096
MAX_CLAUSES = 1_024
MAX_DEPTH = 64
_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"?|[()\[\]{}]|[^\s()\[\]{}"]+')


def negate(predicate: str) -> str:
    """NOT that also holds where the predicate is NULL (a document without the field), as in Lucene.

    Leaf predicates may be NULL on a missing column value; keeping them bare (no coalesce) lets
    PostgreSQL use the b-tree indexes of key columns.
    """
    return f"(({predicate}) IS NOT TRUE)"


def _check_size(query: str) -> None:
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryTooComplexError(
            tk._("The query is too long: at most {limit} characters.").format(limit=MAX_QUERY_LENGTH))
    for count, _match in enumerate(_TOKEN.finditer(query), start=1):
        if count > MAX_QUERY_TOKENS:
            raise QueryTooComplexError(
                tk._("The query is too complex: at most {limit} words and operators.").format(
                    limit=MAX_QUERY_TOKENS))


def _check_tree(tree: Item) -> None:
    """Depth and clause count of a parsed query, walked without recursion."""
    clauses = 0
    pending = [(tree, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise QueryTooComplexError(
                tk._("The query is too complex: at most {limit} nested levels.").format(limit=MAX_DEPTH))
        children = node.children
        if not children or isinstance(node, Range):
            clauses += 1
            if clauses > MAX_CLAUSES:
                raise QueryTooComplexError(
                    tk._("The query is too complex: at most {limit} clauses.").format(limit=MAX_CLAUSES))
            continue
        pending.extend((child, depth + 1) for child in children)


def parse(query: str) -> Item:
    _check_size(query)
    try:
        # luqum's thread-safe parse, a lexer per thread: PLY's one lexer keeps its state, and shared by the
        # threads of a threaded server valid queries failed to parse (a 500; luqum issue #72)
        tree = luqum_parse(query)
    except (ParseError, ValueError, TypeError) as error:
        shown = query if len(query) <= 200 else query[:200] + "..."
        raise QuerySyntaxError(f"cannot parse query {shown!r}: {error}") from error
    _check_tree(tree)
    return tree


def _unescape_field(name: str) -> str:
    return Word(name).unescaped_value if "\\" in name else name


def _phrase_text(node: Phrase) -> str:
    value = node.value
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return Word(value).unescaped_value if "\\" in value else value


@dataclass
class Translator:
    """Translates one parsed query; collects the text queries that should rank the results."""

    schema: SolrSchema
    params: Params
    now: datetime.datetime
    default_field: str = DEFAULT_TEXT_FIELD
    default_operator: str = "AND"
    prefix_min_length: int = 4
    rank_queries: list[str] = dataclass_field(default_factory=list)

    def translate(self, node: Item, field: str | None = None, rank: bool = True) -> str:
        if isinstance(node, SearchField):
            return self.translate(node.expr, _unescape_field(node.name), rank)
        if isinstance(node, BaseGroup):
            return f"({self.translate(node.expr, field, rank)})"
        if isinstance(node, AndOperation):
            return "(" + " AND ".join(self.translate(child, field, rank) for child in node.children) + ")"
        if isinstance(node, OrOperation):
            return "(" + " OR ".join(self.translate(child, field, rank) for child in node.children) + ")"
        if isinstance(node, UnknownOperation):
            return self._implicit(node, field, rank)
        if isinstance(node, Plus):
            return self.translate(node.a, field, rank)
        if isinstance(node, (Not, Prohibit)):
            return negate(self.translate(node.a, field, rank=False))
        if isinstance(node, Boost):
            return self.translate(node.expr, field, rank)
        if isinstance(node, Fuzzy):
            return self.translate(node.term, field, rank)
        if isinstance(node, Proximity):
            words = _phrase_text(node.term).split()
            return "(" + " AND ".join(self.word(field, word, rank) for word in words) + ")" if words else "FALSE"
        if isinstance(node, Range):
            return self.range(field or self.default_field, node)
        if isinstance(node, Regex):
            return self.regex(field or self.default_field, node.value[1:-1])
        if isinstance(node, Phrase):
            return self.phrase(field, _phrase_text(node), rank)
        if isinstance(node, Term):
            if node.value == "*":
                return self.exists(field)
            if node.has_wildcard():
                return self.wildcard(field or self.default_field, node.value)
            return self.word(field, node.unescaped_value, rank)
        raise QuerySyntaxError(f"unsupported query element {str(node)!r}")

    def _implicit(self, node: UnknownOperation, field: str | None, rank: bool) -> str:
        """Clauses without explicit AND/OR: +required, -prohibited, the rest by the default operator."""
        must: list[str] = []
        must_not: list[str] = []
        should: list[str] = []
        for child in node.children:
            if isinstance(child, Plus):
                must.append(self.translate(child.a, field, rank))
            elif isinstance(child, (Prohibit, Not)):
                must_not.append(self.translate(child.a, field, rank=False))
            elif self.default_operator == "AND":
                must.append(self.translate(child, field, rank))
            else:
                should.append(self.translate(child, field, rank))
        parts = must + [negate(clause) for clause in must_not]
        if should and not must:
            parts.append("(" + " OR ".join(should) + ")")
        return "(" + " AND ".join(parts) + ")" if parts else "TRUE"

    # Leaves

    def spec(self, field: str | None) -> FieldSpec:
        return self.schema.field(field or self.default_field)

    def text_vector(self, field: str) -> str:
        if field == DEFAULT_TEXT_FIELD:
            return "d.fulltext"
        return f"paser_search_field_vector(d.fields, {self.params.bind(field)})"

    def word(self, field: str | None, value: str, rank: bool = True) -> str:
        field = field or self.default_field
        spec = self.spec(field)
        if spec.kind == "ngram":
            return self.substring(field, value)
        if spec.kind == "text":
            query = self.text_query(value, is_phrase=False)
            return "FALSE" if query is None else self.text_match(field, query, rank)
        if field in TIMESTAMP_COLUMNS:
            moment = self._date(value)
            return f"(d.{TIMESTAMP_COLUMNS[field]} = {self.params.bind(moment)})"
        try:
            value = canonical(spec.kind, value)
        except ValueError_ as error:
            raise QuerySyntaxError(f"{field}: {error}") from error
        if field in ARRAY_COLUMNS:
            return f"({self.params.bind(value)} = ANY(d.{ARRAY_COLUMNS[field]}))"
        if field in UNDICTIONARIED_FIELDS:
            placeholder = self.params.bind(value)
            return self.where_values(field, lambda stored: f"{stored} = {placeholder}")
        return f"(d.codes @> ARRAY[CAST({self.params.bind_code(field, value)} AS bigint)])"

    def substring(self, field: str, value: str) -> str:
        """N-gram fields match every query word inside a value, ignoring case."""
        words = value.lower().split()
        if not words:
            return "FALSE"
        conditions = " AND ".join(
            f"lower(value) LIKE {self.params.bind('%' + like_escape(word) + '%')}" for word in words
        )
        return (
            f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(d.fields -> {self.params.bind(field)}) AS value "
            f"WHERE {conditions})"
        )

    def phrase(self, field: str | None, value: str, rank: bool = True) -> str:
        field = field or self.default_field
        if self.spec(field).kind == "ngram":
            return self.substring(field, value)
        if self.spec(field).kind == "text":
            query = self.text_query(value, is_phrase=True)
            return "FALSE" if query is None else self.text_match(field, query, rank)
        return self.word(field, value, rank)

    def text_query(self, value: str, is_phrase: bool) -> str | None:
        """The tsquery (SQL) for a word or phrase of a text field; None when it has no word at all."""
        if not any(char.isalnum() for char in value):
            return None
        if is_phrase:
            return f"paser_search_phrase({self.params.bind(value)})"
        with_prefix = 0 < self.prefix_min_length <= len(value)
        return f"paser_search_word({self.params.bind(value)}, {'true' if with_prefix else 'false'})"

    def text_match(self, field: str, query: str, rank: bool) -> str:
        """Documents whose text field matches a tsquery (SQL); the catch-all text also ranks by it."""
        if rank and field == DEFAULT_TEXT_FIELD:
            self.rank_queries.append(query)
        return f"({self.text_vector(field)} @@ {query})"

    def exists(self, field: str | None) -> str:
        if field in (None, "*"):
            return "TRUE"
        if field in KEY_COLUMNS:
            return f"(d.{KEY_COLUMNS[field]} IS NOT NULL)"
        if field in ARRAY_COLUMNS:
            return f"(cardinality(d.{ARRAY_COLUMNS[field]}) > 0)"
        if self.spec(field).kind in ("text", "ngram") or field in UNDICTIONARIED_FIELDS:
            return f"(d.fields ? {self.params.bind(field)})"
        return f"EXISTS (SELECT 1 FROM unnest(d.codes) AS u(code) WHERE (u.code >> 32) = {self.params.bind_field(field)})"

    def where_values(self, field: str, condition: Callable[[str], str]) -> str:
        """Documents with a value of `field` meeting `condition` (given the SQL of one value).

        Key fields are columns; dictionary fields select the codes whose value qualifies (the
        dictionary is scanned once, not each document); other fields read the stored values.
        """
        if field in KEY_COLUMNS and field not in TIMESTAMP_COLUMNS:
            return f"({condition('d.' + KEY_COLUMNS[field])})"
        if field in ARRAY_COLUMNS:
            return (f"EXISTS (SELECT 1 FROM unnest(d.{ARRAY_COLUMNS[field]}) AS stored(value) "
                    f"WHERE {condition('stored.value')})")
        if self.spec(field).kind in ("text", "ngram") or field in UNDICTIONARIED_FIELDS:
            return (
                f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(d.fields -> {self.params.bind(field)}) "
                f"AS stored(value) WHERE {condition('stored.value')})"
            )
        return (
            "(d.codes && ARRAY(SELECT term.code FROM paser_search_term AS term "
            f"WHERE term.field_id = {self.params.bind_field(field)} AND {condition('term.value')}))"
        )

    def wildcard(self, field: str, pattern: str) -> str:
        like = wildcard_to_like(pattern)
        if self.spec(field).kind in ("text", "ngram"):
            # Solr matches wildcards against the tokens of a text field.
            return (
                "EXISTS (SELECT 1 FROM jsonb_array_elements_text(d.fields -> "
                f"{self.params.bind(field)}) AS value, regexp_split_to_table(lower(value), '[^[:alnum:]]+') AS token "
                f"WHERE token LIKE {self.params.bind(like.lower())})"
            )
        placeholder = self.params.bind(like)
        return self.where_values(field, lambda value: f"{value} LIKE {placeholder}")

    def regex(self, field: str, pattern: str) -> str:
        anchored = f"('^(?:' || {self.params.bind(pattern)} || ')$')"
        return self.where_values(field, lambda value: f"{value} ~ {anchored}")

    def _date(self, value: str) -> datetime.datetime:
        try:
            return datemath.evaluate(value, self.now).replace(tzinfo=datetime.timezone.utc)
        except ValueError_ as error:
            raise QuerySyntaxError(str(error)) from error

    def range(self, field: str, node: Range) -> str:
        spec = self.spec(field)
        low = node.low.value if isinstance(node.low, Term) else str(node.low)
        high = node.high.value if isinstance(node.high, Term) else str(node.high)
        low = None if low == "*" else low.strip('"')
        high = None if high == "*" else high.strip('"')
        low_op = ">=" if node.include_low else ">"
        high_op = "<=" if node.include_high else "<"
        if field in TIMESTAMP_COLUMNS:
            column = f"d.{TIMESTAMP_COLUMNS[field]}"
            parts = [f"{column} IS NOT NULL"]
            if low is not None:
                parts.append(f"{column} {low_op} {self.params.bind(self._date(low))}")
            if high is not None:
                parts.append(f"{column} {high_op} {self.params.bind(self._date(high))}")
            return "(" + " AND ".join(parts) + ")"
        analysed = spec.kind in ("text", "ngram")
        if spec.kind == "date":
            bounds = [
                None if bound is None else canonical_date(self._date(bound).replace(tzinfo=None))
                for bound in (low, high)
            ]
        elif spec.kind == "number":
            try:
                bounds = [None if bound is None else canonical("number", bound) for bound in (low, high)]
            except ValueError_ as error:
                raise QuerySyntaxError(f"{field}: {error}") from error
        else:
            bounds = [None if bound is None else (bound.lower() if analysed else bound) for bound in (low, high)]
        placeholders = [
            None if bound is None
            else f"CAST({self.params.bind(bound)} AS numeric)" if spec.kind == "number"
            else self.params.bind(bound)
            for bound in bounds
        ]

        def condition(value: str) -> str:
            typed = f"{value}::numeric" if spec.kind == "number" else f"lower({value})" if analysed \
                else f'{value} COLLATE "C"'
            parts = ["TRUE"]
            if placeholders[0] is not None:
                parts.append(f"{typed} {low_op} {placeholders[0]}")
            if placeholders[1] is not None:
                parts.append(f"{typed} {high_op} {placeholders[1]}")
            return "(" + " AND ".join(parts) + ")"

        return self.where_values(field, condition)
