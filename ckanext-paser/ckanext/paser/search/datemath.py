"""Solr date math (`NOW`, `NOW/DAY-7DAYS`, `2024-01-01T00:00:00Z+1YEAR`) evaluated to a moment in UTC."""
from __future__ import annotations

import datetime

import ckan.plugins.toolkit as tk
from dateutil.relativedelta import relativedelta

from .values import ValueError_, canonical_date

_UNITS = {
    "YEAR": "years", "YEARS": "years",
    "MONTH": "months", "MONTHS": "months",
    "DAY": "days", "DAYS": "days", "DATE": "days",
    "HOUR": "hours", "HOURS": "hours",
    "MINUTE": "minutes", "MINUTES": "minutes",
    "SECOND": "seconds", "SECONDS": "seconds",
    "MILLI": "microseconds", "MILLIS": "microseconds",
    "MILLISECOND": "microseconds", "MILLISECONDS": "microseconds",
}
# Solr dates run from year -292,000,000 to 292,000,000; Python's from 1 to 9999. An amount beyond this many
# units cannot stay within those years (a 9999-year span, in milliseconds, has 15 digits).
_MAX_AMOUNT_DIGITS = 15
_DIGITS = "0123456789"  # str.isdigit() also accepts "²", which int() refuses
_ROUND_ORDER = ["years", "months", "days", "hours", "minutes", "seconds", "microseconds"]


def utc_now() -> datetime.datetime:
    """Now as a naive UTC datetime, the form Solr's NOW takes here."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _round_down(moment: datetime.datetime, unit: str) -> datetime.datetime:
    keep = _ROUND_ORDER.index(unit)
    fields = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "microsecond": 0}
    names = ["month", "day", "hour", "minute", "second", "microsecond"]
    return moment.replace(**{name: fields[name] for name in names[keep:]})


def _split_base(expression: str) -> tuple[str, str]:
    if expression.startswith("NOW"):
        return "NOW", expression[3:]
    end = expression.find("Z")
    if end < 0:
        return expression, ""
    return expression[: end + 1], expression[end + 1:]


def evaluate(expression: str, now: datetime.datetime) -> datetime.datetime:
    """A naive UTC datetime for a Solr date expression."""
    base, math = _split_base(expression.strip())
    if base == "NOW":
        moment = now
    else:
        moment = datetime.datetime.strptime(canonical_date(base), "%Y-%m-%dT%H:%M:%S.%fZ")
    position = 0
    while position < len(math):
        operator = math[position]
        if operator not in "+-/":
            raise ValueError_(f"invalid date math at {math[position:]!r} in {expression!r}")
        position += 1
        digits_start = position
        if operator != "/":
            while position < len(math) and math[position] in _DIGITS:
                position += 1
            if position == digits_start:
                raise ValueError_(f"date math needs a number after {operator!r} in {expression!r}")
            if position - digits_start > _MAX_AMOUNT_DIGITS:
                raise ValueError_(_out_of_range(expression))
        amount = int(math[digits_start:position]) if operator != "/" else 0
        unit_start = position
        while position < len(math) and math[position].isalpha():
            position += 1
        unit = _UNITS.get(math[unit_start:position].upper())
        if unit is None:
            raise ValueError_(f"unknown date math unit {math[unit_start:position]!r} in {expression!r}")
        if operator == "/":
            moment = _round_down(moment, unit)
        else:
            if unit == "microseconds":
                amount *= 1000
            try:
                delta = relativedelta(**{unit: amount})
                moment = moment + delta if operator == "+" else moment - delta
            except (ValueError, OverflowError) as error:  # beyond year 1 or 9999
                raise ValueError_(_out_of_range(expression)) from error
    return moment


def _out_of_range(expression: str) -> str:
    return tk._("Date out of range (years 1 to 9999): {expression}").format(expression=expression)
