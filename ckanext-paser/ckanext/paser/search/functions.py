"""Solr function queries (`{!frange l=0 u=1}div(...)`, `bf`) as SQL arithmetic.

ckanext-spatial's bbox search filters and ranks with such functions over minx/maxx/miny/maxy.
The grammar is parsed with pyparsing; numbers and field names are bound parameters.
"""
from __future__ import annotations

from typing import Any

import pyparsing as pp

from .lucene import QuerySyntaxError
from .sql import Params

_identifier = pp.Word(pp.alphas + "_", pp.alphanums + "_.-")
_number = pp.pyparsing_common.fnumber
_expression = pp.Forward()
_call = pp.Group(_identifier + pp.Suppress("(") + pp.Optional(pp.delimited_list(_expression)) + pp.Suppress(")"))
_expression <<= _call | _number | _identifier

_NUMERIC_TEXT = r"^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$"
_VARIADIC = {"add": "+", "sum": "+", "mul": "*", "product": "*"}
_UNARY = {"abs": "abs", "sqrt": "sqrt", "log": "log", "ln": "ln", "exp": "exp", "floor": "floor", "ceil": "ceil"}


def _local_params(text: str) -> tuple[str, dict[str, str], str]:
    """`{!frange l=0 u=1}body` -> ("frange", {"l": "0", "u": "1"}, "body"), via CKAN's own parser."""
    from ckan.lib.search.query import _parse_local_params

    end = text.find("}")
    if not text.startswith("{!") or end < 0:
        raise QuerySyntaxError(f"not a local-params query: {text!r}")
    try:
        parts = _parse_local_params(text[: end + 1])
    except Exception as error:  # pyparsing raises several kinds
        raise QuerySyntaxError(f"cannot parse local parameters {text[: end + 1]!r}: {error}") from error
    kind = ""
    options: dict[str, str] = {}
    for part in parts:
        if isinstance(part, str):
            kind = part
        else:
            options[part[0]] = part[1]
    kind = options.pop("type", kind)
    return kind, options, text[end + 1:]


class FunctionTranslator:
    def __init__(self, params: Params) -> None:
        self.params = params

    def translate(self, text: str) -> str:
        try:
            parsed = _expression.parse_string(text.strip(), parse_all=True)
        except pp.ParseException as error:
            raise QuerySyntaxError(f"cannot parse function {text!r}: {error}") from error
        return self._node(parsed[0])

    def _field(self, name: str) -> str:
        # A field's value through the term dictionary; a missing or non-numeric value counts as 0, as in Solr.
        return (
            "coalesce((SELECT min(CASE WHEN term.value ~ '" + _NUMERIC_TEXT + "' THEN term.value::float8 END) "
            "FROM unnest(d.codes) AS u(code) JOIN paser_search_term AS term ON term.code = u.code "
            f"WHERE (u.code >> 32) = {self.params.bind_field(name)}), 0)"
        )

    def _node(self, node: Any) -> str:
        if isinstance(node, (int, float)):
            return f"CAST({self.params.bind(float(node))} AS float8)"
        if isinstance(node, str):
            return self._field(node)
        name, *arguments = list(node)
        args = [self._node(argument) for argument in arguments]
        name = name.lower()
        if name in _VARIADIC and args:
            return "(" + f" {_VARIADIC[name]} ".join(args) + ")"
        if name == "sub" and len(args) == 2:
            return f"({args[0]} - {args[1]})"
        if name == "div" and len(args) == 2:
            return f"({args[0]} / NULLIF({args[1]}, 0))"
        if name in ("max", "min") and args:
            return f"{'GREATEST' if name == 'max' else 'LEAST'}({', '.join(args)})"
        if name in _UNARY and len(args) == 1:
            return f"{_UNARY[name]}({args[0]})"
        if name == "pow" and len(args) == 2:
            return f"power({args[0]}, {args[1]})"
        raise QuerySyntaxError(f"unsupported function {name}() with {len(args)} arguments")


def frange_filter(text: str, params: Params) -> str:
    """A `{!frange}` filter query as a SQL predicate."""
    kind, options, body = _local_params(text.strip())
    if kind != "frange":
        raise QuerySyntaxError(f"query parser {kind!r} is not supported by the PostgreSQL search backend")
    value = FunctionTranslator(params).translate(body)
    conditions = []
    if "l" in options:
        operator = ">=" if options.get("incl", "true").lower() == "true" else ">"
        conditions.append(f"{value} {operator} {_bound(options['l'], params)}")
    if "u" in options:
        operator = "<=" if options.get("incu", "true").lower() == "true" else "<"
        conditions.append(f"{value} {operator} {_bound(options['u'], params)}")
    return "coalesce(" + (" AND ".join(conditions) or "TRUE") + ", false)"


def _bound(text: str, params: Params) -> str:
    try:
        return f"CAST({params.bind(float(text))} AS float8)"
    except ValueError as error:
        raise QuerySyntaxError(f"frange bound is not a number: {text!r}") from error
