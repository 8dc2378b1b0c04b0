"""Canonical string forms of indexed values, shared by indexing and querying so both sides agree."""
from __future__ import annotations

import datetime
import decimal
from typing import Any

import dateutil.parser

from .schema import FieldKind


class ValueError_(ValueError):
    """A value that cannot be read as the field's type."""


def canonical_date(value: Any) -> str:
    """UTC ISO-8601 with fixed width, so dates compare correctly as strings."""
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime(value.year, value.month, value.day)
    else:
        try:
            moment = dateutil.parser.isoparse(str(value).strip())
        except (ValueError, OverflowError) as error:
            raise ValueError_(f"not a date: {value!r}") from error
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def canonical_number(value: Any) -> str:
    try:
        number = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation as error:
        raise ValueError_(f"not a number: {value!r}") from error
    if not number.is_finite():
        raise ValueError_(f"not a finite number: {value!r}")
    try:
        normal = number.normalize()
    except ArithmeticError as error:  # decimal.Overflow: an exponent beyond the context's (1e999999999)
        raise ValueError_(f"number out of range: {value!r}") from error
    return format(normal, "f")


def canonical_boolean(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip().lower()
    if text in ("true", "t", "1", "yes", "on"):
        return "true"
    if text in ("false", "f", "0", "no", "off"):
        return "false"
    raise ValueError_(f"not a boolean: {value!r}")


def as_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return canonical_date(value)
    # PostgreSQL text cannot hold NUL; Solr's XML update format cannot either.
    return str(value).replace("\x00", "")


def canonical(kind: FieldKind, value: Any) -> str:
    """The form a value of this field kind is stored and compared in."""
    if kind == "date":
        return canonical_date(value)
    if kind == "number":
        return canonical_number(value)
    if kind == "boolean":
        return canonical_boolean(value)
    return as_string(value)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [item for item in value if item is not None]
    return [value]
