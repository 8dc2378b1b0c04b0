"""Bound parameters for generated SQL: user values never become SQL text."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

# A code or field id that matches nothing: a term the dictionary has never seen.
UNKNOWN = -1

RESOLVE = sa.text(
    """
    SELECT given.name, field.id, term.code
    FROM unnest(CAST(:names AS text[]), CAST(:fields AS text[]), CAST(:term_values AS text[]))
         AS given(name, field, value)
    LEFT JOIN paser_search_field AS field ON field.name = given.field
    LEFT JOIN paser_search_term AS term
           ON term.field_id = field.id AND given.value IS NOT NULL AND term.value_hash = md5(given.value)::uuid
    """
)


class Params:
    """Bound values of one statement, including term codes and field ids looked up before it runs.

    Codes are resolved to literal numbers (not subqueries) so that PostgreSQL's statistics on the
    codes column tell a common term (state:active) from a rare one and plan each accordingly.
    """

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self._lookups: list[tuple[str, str, str | None]] = []

    def bind(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f":{name}"

    def bind_code(self, field: str, value: str) -> str:
        placeholder = self.bind(UNKNOWN)
        self._lookups.append((placeholder[1:], field, value))
        return placeholder

    def bind_field(self, field: str) -> str:
        placeholder = self.bind(UNKNOWN)
        self._lookups.append((placeholder[1:], field, None))
        return placeholder

    @property
    def lookups(self) -> list[tuple[str, str, str | None]]:
        """Pending (placeholder, field, value) look-ups; value is None for a field id."""
        return list(self._lookups)

    def resolve(self, connection: Any) -> None:
        if not self._lookups:
            return
        names, fields, values = (list(column) for column in zip(*self._lookups))
        wants_code = {name for name, _, value in self._lookups if value is not None}
        rows = connection.execute(RESOLVE, {"names": names, "fields": fields, "term_values": values})
        for name, field_id, code in rows:
            found = code if name in wants_code else field_id
            self.values[name] = UNKNOWN if found is None else found
        self._lookups.clear()


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def wildcard_to_like(pattern: str) -> str:
    """Lucene wildcards (* and ?) as a LIKE pattern; escaped and other characters literal."""
    out = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\" and position + 1 < len(pattern):
            out.append(like_escape(pattern[position + 1]))
            position += 2
            continue
        out.append("%" if char == "*" else "_" if char == "?" else like_escape(char))
        position += 1
    return "".join(out)
