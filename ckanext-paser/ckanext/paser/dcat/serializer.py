"""The portal's RDF serializer: ckanext-dcat's `RDFSerializer` on a lighter graph store, with a faster Turtle writer.

ckanext-dcat builds every document in a `ConjunctiveGraph`, rdflib's context-aware Memory store: each triple added
also goes into the per-context indexes and fires an event nothing listens to. Writing a catalogue page needs
neither, so the portal's serializer uses rdflib's `SimpleMemory` store (the three triple indexes only), where an
add costs half as much. A Paser page holds 2.3 times the triples of a plain DCAT-AP page, so this is where most of
its extra time went (docs/performance.md, "DCAT catalogue"). Turtle is written by Oxigraph (turtle.py), the other
formats by rdflib. What is written is the same graph.
"""
from __future__ import annotations

from typing import Any

from rdflib import Graph

from ckanext.dcat.processors import RDFSerializer

from .turtle import TURTLE_FORMATS, turtle

STORE = "SimpleMemory"


class CatalogueGraph(Graph):
    """A graph whose Turtle (returned as a document, as ckanext-dcat asks for it) is written by Oxigraph."""

    def serialize(self, destination: Any = None, format: str = "turtle", base: str | None = None,
                  encoding: str | None = None, **args: Any) -> Any:
        if destination is None and base is None and not args and format in TURTLE_FORMATS:
            written = turtle(self)
            if written is not None:
                return written if encoding else written.decode("utf-8")
        return super().serialize(destination, format, base, encoding, **args)


class CatalogueSerializer(RDFSerializer):
    """`RDFSerializer` with the same profiles, formats and graphs, on a lighter store, Turtle written by Oxigraph."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.g = CatalogueGraph(store=STORE)
