"""The Satu Data vocabularies (klasifikasi, jadwal pemutakhiran, jenis data, tingkat penyajian...) as the dataset
schema defines them: ``schemas/dataset.yaml`` is their one source. Harvesters, validators and the DCAT profile read
the codes and labels here rather than keeping copies, so a choice added to the schema is known everywhere."""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "dataset.yaml"


@functools.cache
def _choices_of() -> dict[str, tuple[dict, ...]]:
    with SCHEMA.open(encoding="utf-8") as handle:
        schema = yaml.safe_load(handle)
    return {field["field_name"]: tuple(field["choices"])
            for field in schema["dataset_fields"] + schema.get("resource_fields", []) if field.get("choices")}


def codes(field_name: str) -> tuple[str, ...]:
    """The values a select field of the dataset schema accepts, in the schema's order."""
    return tuple(choice["value"] for choice in _choices_of()[field_name])


def labels(field_name: str, language: str = "id") -> dict[str, str]:
    """Code -> the schema's label in ``language``."""
    return {choice["value"]: choice["label"][language] if isinstance(choice["label"], dict) else choice["label"]
            for choice in _choices_of()[field_name]}


KLASIFIKASI = codes("klasifikasi")
FREQUENCIES = codes("frequency")
JENIS_DATA = codes("jenis_data")
