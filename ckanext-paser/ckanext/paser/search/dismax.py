"""The dismax query parser's simple syntax: words, "phrases", +required and -prohibited, with mm."""
from __future__ import annotations

import math
import shlex
from dataclasses import dataclass


@dataclass(frozen=True)
class Clause:
    text: str
    occur: str  # "must", "must_not" or "should"
    is_phrase: bool


def clauses(query: str) -> list[Clause]:
    try:
        lexer = shlex.shlex(query, posix=True)
        lexer.whitespace_split = True
        lexer.quotes = '"'
        lexer.escape = ""
        lexer.commenters = ""
        tokens = list(lexer)
    except ValueError:
        # An unbalanced quote: dismax is forgiving, so read the words plainly.
        tokens = query.replace('"', " ").split()
    found = []
    for token in tokens:
        occur = "should"
        if token[:1] in "+-" and len(token) > 1:
            occur = "must" if token[0] == "+" else "must_not"
            token = token[1:]
        if token.strip():
            found.append(Clause(token, occur, " " in token.strip()))
    return found


def minimum_should_match(spec: str | None, optional: int) -> int:
    """How many of `optional` clauses must match under Solr's mm syntax (e.g. '2<-1 5<80%')."""
    if optional == 0:
        return 0
    spec = (spec or "100%").strip()
    if "<" in spec:
        chosen = None
        for condition in spec.split():
            limit, _, rule = condition.partition("<")
            if optional > int(limit):
                chosen = rule
        if chosen is None:
            return optional
        spec = chosen
    if spec.endswith("%"):
        percent = int(spec[:-1])
        count = math.floor(optional * abs(percent) / 100)
        required = count if percent >= 0 else optional - count
    else:
        number = int(spec)
        required = number if number >= 0 else optional + number
    return max(0, min(optional, required))
