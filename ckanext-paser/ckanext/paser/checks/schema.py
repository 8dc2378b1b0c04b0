"""Input schemas of the checks' actions (navl, as ckanext-harvest keeps them in ``logic/schema.py``): what each
parameter may be before an action looks anything up. Choices that depend on data (a dataset, a kecamatan) are
checked by the actions, which answer "not found"."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ..localization import N_
from ..validation import (
    at_most_characters,
    clean_text,
    clean_text_or_list,
    ignore_blank,
    one_of_or,
    required,
    stripped_text,
    whole_number,
)
from . import flags

NOTE_LENGTH = 2000
CHOOSE_STATUS = N_("Choose a status: open, acknowledged or resolved.")
WRITE_NOTE = N_("Write a note: why the status changes.")
NOTE_TOO_LONG = N_("The note is longer than 2000 characters.")


def _ignore_missing() -> Any:
    return tk.get_validator("ignore_missing")


def resource_check_show_schema() -> dict[str, Any]:
    return {"id": [_ignore_missing(), clean_text], "resource_id": [_ignore_missing(), clean_text]}


def flag_list_schema() -> dict[str, Any]:
    text = [ignore_blank, clean_text]
    choices = [ignore_blank, clean_text_or_list]
    return {
        "dataset_id": text, "resource_id": text, "organization": text, "kecamatan": text, "indicator": text,
        "rule": choices, "status": choices, "severity": choices,
        "sort": [ignore_blank, stripped_text],
        "limit": [ignore_blank, whole_number(0)],
        "offset": [ignore_blank, whole_number(0)],
    }


def flag_show_schema() -> dict[str, Any]:
    return {"id": [tk.get_validator("not_empty"), clean_text]}


def flag_update_schema() -> dict[str, Any]:
    return {
        "id": [tk.get_validator("not_empty"), clean_text],
        "status": [tk.get_validator("default")(""), stripped_text, one_of_or(flags.STATUSES, CHOOSE_STATUS)],
        "note": [tk.get_validator("default")(""), stripped_text, required(WRITE_NOTE),
                 at_most_characters(NOTE_LENGTH, NOTE_TOO_LONG)],
    }
