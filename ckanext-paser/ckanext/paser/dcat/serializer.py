"""The portal's RDF serializer: ckanext-dcat's `RDFSerializer` on a lighter graph store, with faster writers.

ckanext-dcat builds every document in a `ConjunctiveGraph`, rdflib's context-aware Memory store: each triple added
also goes into the per-context indexes and fires an event nothing listens to. Writing a catalogue page needs
neither, so the portal's serializer uses rdflib's `SimpleMemory` store (the three triple indexes only), where an
add costs half as much. A Paser page holds 2.3 times the triples of a plain DCAT-AP page, so this is where most of
its extra time went (docs/performance.md, "DCAT catalogue"). Turtle and RDF/XML are written by Oxigraph
(oxigraph_writer.py), JSON-LD, N3 and N-Triples by rdflib. What is written is the same graph.

`SimpleMemory` yields its matches straight from its index dictionaries, so a caller that changes the graph while
iterating a match breaks it (`RuntimeError: dictionary changed size during iteration`). ckanext-dcat's profiles do
that (euro_dcat_ap_3 rewrites every `dcat:byteSize` in the loop that finds them, so every distribution with a size
broke the catalogue); rdflib's `Memory` store, which they are written against, copies each level's keys before
yielding. `IterationSafeMemory` gives that guarantee on the light store: a match is read whole, then yielded.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rdflib import Graph
from rdflib.plugins.stores.memory import SimpleMemory

from ckanext.dcat.processors import RDFSerializer

from . import oxigraph_writer


class IterationSafeMemory(SimpleMemory):
    """`SimpleMemory` whose matches may be iterated while the graph changes (as with rdflib's `Memory`)."""

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[Any]:  # type: ignore[override]
        # A list of the matches, then an iterator over it: adding or removing triples in the loop no longer
        # touches the dictionaries being walked. The matches are the same, in the same order.
        return iter(list(super().triples(triple_pattern, context)))


class CatalogueGraph(Graph):
    """A graph whose Turtle and RDF/XML (returned as a document, as ckanext-dcat asks for them) Oxigraph writes."""

    def serialize(self, destination: Any = None, format: str = "turtle", base: str | None = None,
                  encoding: str | None = None, **args: Any) -> Any:
        if destination is None and base is None and not args and format in oxigraph_writer.FORMATS:
            written = oxigraph_writer.write(self, format)
            if written is not None:
                return written if encoding else written.decode("utf-8")
        return super().serialize(destination, format, base, encoding, **args)


class CatalogueSerializer(RDFSerializer):
    """`RDFSerializer` with the same profiles, formats and graphs, on a lighter store, Turtle and RDF/XML written
    by Oxigraph."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.g = CatalogueGraph(store=IterationSafeMemory())
