"""Field semantics read from a Solr schema.xml, so the backend matches fields the way Solr would.

The schema is data: CKAN ships it (`ckan/config/solr/schema.xml`) and the production Solr core
uses the same file, which keeps both backends interchangeable.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Literal
from xml.etree import ElementTree

# "ngram" is a text field analysed into n-grams (CKAN's name_ngram/title_ngram): it matches substrings.
FieldKind = Literal["string", "text", "ngram", "date", "number", "boolean", "binary"]

_KIND_BY_CLASS: dict[str, FieldKind] = {
    "solr.StrField": "string",
    "solr.TextField": "text",
    "solr.BoolField": "boolean",
    "solr.BinaryField": "binary",
    "solr.DatePointField": "date",
    "solr.TrieDateField": "date",
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    multivalued: bool
    indexed: bool
    stored: bool


def _kind_of(solr_class: str) -> FieldKind:
    if solr_class in _KIND_BY_CLASS:
        return _KIND_BY_CLASS[solr_class]
    if solr_class.endswith("PointField") or solr_class.startswith("solr.Trie"):
        return "number"
    return "string"


def _flag(element: ElementTree.Element, name: str, default: bool) -> bool:
    value = element.get(name)
    return default if value is None else value.lower() == "true"


class SolrSchema:
    """Fields, dynamic fields and copy fields of one schema.xml."""

    def __init__(self, path: str) -> None:
        root = ElementTree.parse(path).getroot()
        types: dict[str, tuple[FieldKind, bool]] = {}
        for element in root.iter():
            if element.tag.lower() == "fieldtype":
                kind = _kind_of(element.get("class", ""))
                analysis = " ".join(part.get("class", "") for part in element.iter())
                if kind == "text" and "NGram" in analysis:
                    kind = "ngram"
                types[element.get("name", "")] = (kind, _flag(element, "multiValued", False))
        self.fields: dict[str, FieldSpec] = {}
        self.dynamic_fields: list[tuple[str, FieldSpec]] = []
        self.copy_fields: list[tuple[str, str]] = []
        for element in root.iter():
            tag = element.tag
            if tag in ("field", "dynamicField"):
                kind, type_multivalued = types.get(element.get("type", ""), ("string", False))
                spec = FieldSpec(
                    name=element.get("name", ""),
                    kind=kind,
                    multivalued=_flag(element, "multiValued", type_multivalued),
                    indexed=_flag(element, "indexed", True),
                    stored=_flag(element, "stored", True),
                )
                if tag == "field":
                    self.fields[spec.name] = spec
                else:
                    self.dynamic_fields.append((spec.name, spec))
            elif tag == "copyField":
                self.copy_fields.append((element.get("source", ""), element.get("dest", "")))
        # Solr tries dynamic patterns longest first.
        self.dynamic_fields.sort(key=lambda item: len(item[0]), reverse=True)
        # Field names are few and looked up for every document and query.
        self._field_cache: dict[str, FieldSpec] = {}
        self._copy_cache: dict[str, tuple[str, ...]] = {}

    @staticmethod
    def _matches(pattern: str, name: str) -> bool:
        if pattern == "*":
            return True
        if pattern.startswith("*"):
            return name.endswith(pattern[1:])
        if pattern.endswith("*"):
            return name.startswith(pattern[:-1])
        return pattern == name

    def field(self, name: str) -> FieldSpec:
        if name not in self._field_cache:
            self._field_cache[name] = self._resolve(name)
        return self._field_cache[name]

    def _resolve(self, name: str) -> FieldSpec:
        if name in self.fields:
            return self.fields[name]
        for pattern, spec in self.dynamic_fields:
            if self._matches(pattern, name):
                return FieldSpec(name, spec.kind, spec.multivalued, spec.indexed, spec.stored)
        return FieldSpec(name, "string", False, True, False)

    def copy_targets(self, name: str) -> tuple[str, ...]:
        if name not in self._copy_cache:
            self._copy_cache[name] = tuple(
                dest for source, dest in self.copy_fields if self._matches(source, name)
            )
        return self._copy_cache[name]


def default_schema_path() -> str:
    import ckan

    return os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml")


@functools.lru_cache(maxsize=4)
def load_schema(path: str | None = None) -> SolrSchema:
    return SolrSchema(path or default_schema_path())
