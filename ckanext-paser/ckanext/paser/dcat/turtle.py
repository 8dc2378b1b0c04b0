"""Turtle for the catalogue, written by Oxigraph (pyoxigraph) instead of rdflib's Turtle serializer.

rdflib's Turtle writer spends most of a catalogue page's time: it sorts every subject and predicate, counts the
references of every node, and looks up the prefixed name of each term again on every use. Oxigraph writes Turtle
in Rust, with the graph's prefixes and subject/predicate grouping (`;`, `,`), from triples handed over subject by
subject. The graph is the same; blank nodes get labels (`_:N…`) instead of being nested in `[ … ]`.

A term Oxigraph refuses (rdflib lets a malformed IRI or language tag through) makes `turtle()` return None, and
the caller falls back to rdflib's writer for that document.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

# rdflib's names of the Turtle format (`url_to_rdflib_format` gives "turtle" for .ttl and text/turtle).
TURTLE_FORMATS = frozenset({"turtle", "ttl", "text/turtle"})
# A Turtle prefix name (PN_PREFIX, ASCII); rdflib binds whatever it is given.
PREFIX_NAME = re.compile(r"^([A-Za-z]([\w.-]*\w)?)?$")


def _triples(graph: Graph) -> Iterator[ox.Triple]:
    """Subject by subject (URIs first, in order, then blank nodes), rdf:type first, so that the writer can group
    them; the order is stable from one request to the next."""
    cache: dict[Node, ox.NamedNode | ox.BlankNode | ox.Literal] = {}

    def convert(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        # Predicates, classes, agencies and regions repeat on every dataset of a page: converted once.
        converted = cache.get(term)
        if converted is None:
            if isinstance(term, URIRef):
                converted = ox.NamedNode(str(term))
            elif isinstance(term, BNode):
                converted = ox.BlankNode(str(term))
            elif isinstance(term, Literal):
                converted = ox.Literal(str(term), language=term.language,
                                       datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
            else:
                raise ValueError(f"not an RDF term: {term!r}")
            cache[term] = converted
        return converted

    subjects = sorted(set(graph.subjects()), key=lambda node: (isinstance(node, BNode), str(node)))
    for subject in subjects:
        ox_subject = convert(subject)
        pairs = sorted(graph.predicate_objects(subject), key=lambda pair: (pair[0] != RDF.type, str(pair[0])))
        for predicate, value in pairs:
            yield ox.Triple(ox_subject, convert(predicate), convert(value))


def turtle(graph: Graph) -> bytes | None:
    """The graph as UTF-8 Turtle with its bound prefixes, or None when a term is not valid RDF for Oxigraph."""
    try:
        triples = list(_triples(graph))
        prefixes = {prefix: str(namespace) for prefix, namespace in graph.namespaces() if PREFIX_NAME.match(prefix)}
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    except (ValueError, SyntaxError):
        return None
