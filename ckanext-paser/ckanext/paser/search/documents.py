"""Turning a Solr index document (as CKAN builds it) into a row of the PostgreSQL index."""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from .schema import SolrSchema
from .values import ValueError_, as_list, as_string, canonical

# Weights follow CKAN's dismax query fields (name^4 title^4 tags^2 groups^2 text).
WEIGHT_A_FIELDS = frozenset({"name", "title"})
WEIGHT_B_FIELDS = frozenset({"tags", "groups"})
# to_tsvector refuses strings over 1 MB; Solr would index the start of such a text anyway.
MAX_TEXT_CHARS = 400_000
DEFAULT_TEXT_FIELD = "text"
# Exact-match fields kept in columns of their own (b-tree indexed) rather than the term dictionary.
KEY_COLUMNS = {name: name for name in (
    "id", "index_id", "name", "title_string", "metadata_modified", "metadata_created",
    # Filters CKAN adds to every query.
    "site_id", "state", "dataset_type", "entity_type", "capacity",
)}
# Multivalued key fields, kept as text[] columns.
ARRAY_COLUMNS = {"permission_labels": "permission_labels"}
# Fields whose values are (nearly) unique to each document stay out of the term dictionary, which
# would otherwise grow by several rows for every dataset written; they are matched through their
# columns or their stored values instead. Faceting on them would be meaningless anyway.
UNDICTIONARIED_FIELDS = frozenset(KEY_COLUMNS) | frozenset(ARRAY_COLUMNS) | {
    "url", "res_url", "ckan_url", "download_url", "urls"}
# Key columns filled from the document as they are (text), besides the typed ones set explicitly.
TEXT_COLUMNS = ("name", "state", "dataset_type", "entity_type", "capacity")


@dataclass
class IndexRow:
    index_id: str
    id: str
    site_id: str
    stored: dict[str, Any]
    fields: dict[str, list[str]]
    # Exact-match terms (string, date, number and boolean fields) as parallel lists; the database
    # turns them into term-dictionary codes.
    term_fields: list[str]
    term_values: list[str]
    text_a: str
    text_b: str
    text_d: str
    metadata_modified: datetime.datetime | None
    metadata_created: datetime.datetime | None
    title_string: str | None
    columns: dict[str, str | None]
    permission_labels: list[str]

    def as_params(self) -> dict[str, Any]:
        return {
            "index_id": self.index_id,
            "id": self.id,
            "site_id": self.site_id,
            "stored": json.dumps(self.stored, default=as_string),
            "fields": json.dumps(self.fields),
            "term_fields": self.term_fields,
            "term_values": self.term_values,
            "text_a": self.text_a[:MAX_TEXT_CHARS],
            "text_b": self.text_b[:MAX_TEXT_CHARS],
            "text_d": self.text_d[:MAX_TEXT_CHARS],
            "metadata_modified": self.metadata_modified,
            "metadata_created": self.metadata_created,
            "title_string": self.title_string,
            "permission_labels": self.permission_labels,
            **self.columns,
        }


def _timestamp(values: list[str]) -> datetime.datetime | None:
    if not values:
        return None
    return datetime.datetime.strptime(values[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc
    )


def build_row(doc: dict[str, Any], schema: SolrSchema) -> IndexRow:
    """Index a document the way Solr would with this schema: typed values, copy fields, stored fields.

    Raises ValueError_ for a value that does not fit its field type, as Solr rejects such a document.
    """
    if not doc.get("index_id") and not doc.get("id"):
        raise ValueError_("document without index_id or id")
    stored: dict[str, Any] = {}
    fields: dict[str, list[str]] = {}
    term_fields: list[str] = []
    term_values: list[str] = []
    texts: dict[str, list[str]] = {"A": [], "B": [], "D": []}

    for name, raw in doc.items():
        spec = schema.field(name)
        values = as_list(raw)
        if not values:
            continue
        # Solr counts a document once per distinct value (two CSV resources: one res_format hit).
        canonical_values = list(dict.fromkeys(canonical(spec.kind, value) for value in values))
        if spec.stored:
            if spec.kind == "date":
                stored[name] = canonical_values if spec.multivalued else canonical_values[0]
            else:
                stored[name] = raw
        if spec.indexed:
            fields[name] = canonical_values
            if spec.kind not in ("text", "ngram") and name not in UNDICTIONARIED_FIELDS:
                term_fields.extend(name for _ in canonical_values)
                term_values.extend(canonical_values)
        if name == DEFAULT_TEXT_FIELD or DEFAULT_TEXT_FIELD in schema.copy_targets(name):
            weight = "A" if name in WEIGHT_A_FIELDS else "B" if name in WEIGHT_B_FIELDS else "D"
            texts[weight].extend(as_string(value) for value in values)
            if weight != "D":
                texts["D"].extend(as_string(value) for value in values)

        # Copy fields other than the catch-all text field are queried on their own (name_ngram).
        for dest in schema.copy_targets(name):
            dest_spec = schema.field(dest)
            if dest != DEFAULT_TEXT_FIELD and dest not in doc and dest_spec.indexed:
                copied = fields.setdefault(dest, [])
                copied.extend(value for value in (as_string(item) for item in values) if value not in copied)

    title = doc.get("title_string")
    return IndexRow(
        index_id=str(doc.get("index_id") or doc["id"]),
        id=str(doc.get("id") or doc["index_id"]),
        site_id=str(doc.get("site_id") or ""),
        stored=stored,
        fields=fields,
        term_fields=term_fields,
        term_values=term_values,
        text_a="\n".join(texts["A"]),
        text_b="\n".join(texts["B"]),
        text_d="\n".join(texts["D"]),
        metadata_modified=_timestamp(fields.get("metadata_modified", [])),
        metadata_created=_timestamp(fields.get("metadata_created", [])),
        title_string=str(title) if title else None,
        columns={column: (fields.get(column) or [None])[0] for column in TEXT_COLUMNS},
        permission_labels=fields.get("permission_labels", []),
    )
