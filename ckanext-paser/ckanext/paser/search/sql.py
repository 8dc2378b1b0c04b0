"""Bound parameters for generated SQL: user values never become SQL text."""
from __future__ import annotations

from typing import Any


class Params:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def bind(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f":{name}"


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
