"""Validators of the input the portal's own actions and views take (navl, as CKAN's schemas use them), in one place.

What PostgreSQL cannot hold never reaches it: a NUL character (``\\x00``, as ``%00`` in a URL or ``\\u0000`` in
JSON) and a lone surrogate (``\\ud800`` in JSON: no UTF-8 encoding exists for it) make psycopg2 fail with a server
error, so :func:`clean_text` refuses them with a message. Whole numbers are bounded by PostgreSQL's ``bigint``
(an ``OFFSET`` beyond it is a server error too), and a value that should be text is never a list or an object
(``str({'a': 1})`` must not be stored as a note).

The action schemas live beside their actions (``checks/schema.py``, ``exports/schema.py``,
``exports/dump_request.py``); :func:`validate` runs one and raises CKAN's ``ValidationError``.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Invalid, missing

from .localization import N_

BIGINT_MAX = 2**63 - 1  # PostgreSQL's bigint, the type of LIMIT and OFFSET

NOT_TEXT = N_("Must be text.")
HAS_NUL = N_("Must not contain NUL characters.")
HAS_SURROGATE = N_("Must not contain unpaired surrogate characters.")
NOT_WHOLE_NUMBER = N_("Must be a whole number from {minimum} to {maximum}.")
NOT_BOOLEAN = N_("Must be true or false.")
NOT_TEXT_OR_LIST = N_("Must be text or a list of texts.")

_WHOLE_NUMBER = re.compile(r"\s*[+-]?\d{1,40}\s*")
_TRUE = ("true", "1", "yes", "y", "t", "on")
_FALSE = ("false", "0", "no", "n", "f", "off")

Validator = Callable[[Any, dict[str, Any]], Any]


def text_problem(value: str) -> str | None:
    """The msgid of what PostgreSQL could not store in ``value``; None when it is fine."""
    if "\x00" in value:
        return HAS_NUL
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # only a surrogate code point has no UTF-8 form
        return HAS_SURROGATE
    return None


def text_error(value: Any) -> str | None:
    """The translated reason why ``value`` is no storable text (for views); None when it is."""
    if not isinstance(value, str):
        return tk._(NOT_TEXT)
    problem = text_problem(value)
    return tk._(problem) if problem else None


def ignore_blank(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: dict[str, Any]) -> None:
    """CKAN's ignore_empty, but 0 and False are values (``limit=0`` is refused, not ignored)."""
    from ckan.lib.navl.dictization_functions import StopOnError

    value = data.get(key)
    if value is missing or value is None or value == "" or value == []:
        data.pop(key, None)
        raise StopOnError


def clean_text(value: Any, context: dict[str, Any]) -> Any:
    """Text PostgreSQL can store: no list or object, no NUL, no lone surrogate. Missing values pass."""
    if value is missing or value is None:
        return value
    if (error := text_error(value)) is not None:
        raise Invalid(error)
    return value


def stripped_text(value: Any, context: dict[str, Any]) -> Any:
    """:func:`clean_text` without surrounding white space."""
    value = clean_text(value, context)
    return value.strip() if isinstance(value, str) else value


def clean_text_or_list(value: Any, context: dict[str, Any]) -> Any:
    """One text or a list of texts (a comma-separated choice, or its list from JSON), each :func:`clean_text`."""
    if value is missing or value is None:
        return value
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, str):
                raise Invalid(tk._(NOT_TEXT_OR_LIST))
            clean_text(item, context)
        return value
    return clean_text(value, context)


def whole_number(minimum: int = 0, maximum: int = BIGINT_MAX) -> Validator:
    """A whole number (an int, or its digits as text) from ``minimum`` to ``maximum``; floats, booleans, lists
    and numbers beyond PostgreSQL's bigint are refused."""

    def validator(value: Any, context: dict[str, Any]) -> Any:
        if value is missing or value is None:
            return value
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
            number = int(value)
        else:
            number = None
        if number is None or not minimum <= number <= maximum:
            raise Invalid(tk._(NOT_WHOLE_NUMBER).format(minimum=minimum, maximum=maximum))
        return number

    return validator


def strict_boolean(value: Any, context: dict[str, Any]) -> Any:
    """true or false (also 1/0, yes/no, on/off); CKAN's boolean_validator turns any other text into False."""
    if value is missing or value is None:
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE:
        return True
    if isinstance(value, str) and value.strip().lower() in _FALSE:
        return False
    raise Invalid(tk._(NOT_BOOLEAN))


def one_of_or(choices: Iterable[str], message: str) -> Validator:
    """One of ``choices``; otherwise the translated ``message`` (a msgid)."""
    allowed = tuple(choices)

    def validator(value: Any, context: dict[str, Any]) -> Any:
        if value not in allowed:
            raise Invalid(tk._(message))
        return value

    return validator


def required(message: str) -> Validator:
    """Not empty; otherwise the translated ``message`` (a msgid)."""

    def validator(value: Any, context: dict[str, Any]) -> Any:
        if value is missing or value is None or value == "":
            raise Invalid(tk._(message))
        return value

    return validator


def at_most_characters(length: int, message: str) -> Validator:
    def validator(value: Any, context: dict[str, Any]) -> Any:
        if isinstance(value, str) and len(value) > length:
            raise Invalid(tk._(message))
        return value

    return validator


def validate(data_dict: dict[str, Any], schema: dict[str, Any], context: dict[str, Any] | None = None,
             ) -> dict[str, Any]:
    """``data_dict`` through ``schema``; CKAN's ``ValidationError`` (409 in the API) naming each bad field.

    Keys the schema does not know are left out. A list of objects where the schema expects a value is an error:
    navl would flatten it away from its key (into ``__junk``) and the key would look missing."""
    data, errors = tk.navl_validate(dict(data_dict), schema, dict(context or {}))
    for flat_key in data.pop("__junk", None) or {}:
        name = flat_key[0] if isinstance(flat_key, tuple) else flat_key
        if name in schema:
            errors[name] = [tk._(NOT_TEXT)]  # not what the key's own validators said about a missing value
    if errors:
        raise tk.ValidationError(errors)
    data.pop("__extras", None)
    # navl puts back the empty lists it was given, past ignore_empty: an empty list asks for nothing.
    return {key: value for key, value in data.items() if value != []}


def refuse_unstorable_request_text() -> None:
    """A blueprint's ``before_request``: 400 when a path or query value holds what :func:`clean_text` refuses
    (``%00``), before a view looks anything up with it."""
    import flask

    values = [*(flask.request.view_args or {}).items(), *flask.request.args.items(multi=True)]
    for name, value in values:
        if isinstance(value, str) and (problem := text_problem(value)) is not None:
            tk.abort(400, f"{name}: {tk._(problem)}")


def validators() -> dict[str, Any]:
    """Registered by name (IValidators), for scheming schemas and other plugins."""
    return {"paser_clean_text": clean_text, "paser_strict_boolean": strict_boolean}
