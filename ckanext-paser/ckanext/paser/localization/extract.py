"""Babel extractor for ckanext-scheming YAML schemas and presets.

Scheming shows a label as is when it is a ``{en: ..., id: ...}`` dict and runs a plain string through gettext.
The bundle's schemas use dicts; a plain string that slips in becomes a msgid here, so the catalogue
completeness test asks for its translation instead of the form showing English on the Indonesian site.

A plain-string ``form_placeholder`` is an example value in no language (``64.01.04``, ``https://``,
``dinas@paserkab.go.id``) and is not extracted; a placeholder in words is written as a dict like a label.
"""
from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

# Keys whose values scheming passes through `scheming_language_text` (ckanext/scheming/templates, helpers.py).
TRANSLATABLE_KEYS = frozenset({
    "label", "repeating_label", "help_text", "form_placeholder", "upload_label", "form_alert_warning",
    "label_time", "label_tz",
})
LANGUAGE_NEUTRAL_WHEN_PLAIN = frozenset({"form_placeholder"})
# Keys that are text only inside a form page header (`start_form_page: {title: ..., description: ...}`).
FORM_PAGE_KEYS = frozenset({"title", "description"})

Extracted = tuple[int, str | None, str, list[str]]


def translatable_nodes(node: yaml.Node, parent_key: str | None = None) -> Iterator[tuple[str, yaml.Node]]:
    """(key, value node) for every text shown to users anywhere in a composed scheming YAML document."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            if key.value in TRANSLATABLE_KEYS or (parent_key == "start_form_page" and key.value in FORM_PAGE_KEYS):
                yield key.value, value
            else:
                yield from translatable_nodes(value, key.value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from translatable_nodes(item, parent_key)


def extract_scheming(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[Extracted]:
    """Babel extraction method: plain-string labels, help texts and placeholders of a scheming YAML file."""
    document = yaml.compose(fileobj.read().decode(options.get("encoding", "utf-8")), Loader=yaml.SafeLoader)
    if document is None:
        return
    for key, value in translatable_nodes(document):
        if key in LANGUAGE_NEUTRAL_WHEN_PLAIN:
            continue
        if isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:str" and value.value.strip():
            yield value.start_mark.line + 1, None, value.value, []
