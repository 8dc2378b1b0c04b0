"""Turtle and RDF/XML for the catalogue, written by Oxigraph (pyoxigraph) instead of rdflib's serializers.

rdflib's Turtle and "pretty" RDF/XML writers spend most of a catalogue page's time: they sort every subject and
predicate, count the references of every node to nest what they can, and look up the prefixed name of each term
again on every use (a page of 7,400 triples: 263 ms in Turtle, 410 ms in RDF/XML). Oxigraph writes both in Rust
(about 50 and 100 ms) from triples handed over subject by subject, with the graph's prefixes: Turtle grouped with
`;` and `,`, RDF/XML with typed node elements (`<dcat:Dataset rdf:about=…>`). The graph is the same; blank nodes
get labels (`_:N…`, `rdf:nodeID`) instead of being nested.

A term Oxigraph refuses (rdflib lets a malformed IRI or language tag through) makes `write()` return None, and
the caller falls back to rdflib's writer for that document. So does, in RDF/XML only, a text with a carriage
return (a description typed in a browser on Windows comes as CR LF): Oxigraph 0.5 writes it raw, and XML parsers
turn CR LF into LF, where rdflib writes `&#13;`.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

# rdflib's names of the formats Oxigraph writes here (ckanext-dcat's `url_to_rdflib_format` gives "turtle" for .ttl
# and "pretty-xml" for .xml and .rdf).
FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ttl": ox.RdfFormat.TURTLE, "text/turtle": ox.RdfFormat.TURTLE,
           "pretty-xml": ox.RdfFormat.RDF_XML, "xml": ox.RdfFormat.RDF_XML,
           "application/rdf+xml": ox.RdfFormat.RDF_XML}
# A prefix name (Turtle's PN_PREFIX, XML's NCName; ASCII); rdflib binds whatever it is given.
PREFIX_NAME = re.compile(r"^([A-Za-z]([\w.-]*\w)?)?$")


def _triples(graph: Graph, rdf_xml: bool = False) -> Iterator[ox.Triple]:
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
                if rdf_xml and "\r" in term:
                    raise ValueError("a carriage return Oxigraph's RDF/XML writer would not escape")
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


def write(graph: Graph, rdflib_format: str) -> bytes | None:
    """The graph in one of FORMATS (rdflib's name), UTF-8, with its bound prefixes; None when a term is not valid
    RDF for Oxigraph or cannot be written in that format."""
    try:
        rdf_format = FORMATS[rdflib_format]
        triples = list(_triples(graph, rdf_xml=rdf_format == ox.RdfFormat.RDF_XML))
        prefixes = {prefix: str(namespace) for prefix, namespace in graph.namespaces() if PREFIX_NAME.match(prefix)}
        return ox.serialize(triples, format=rdf_format, prefixes=prefixes)
    except (ValueError, SyntaxError):
        return None
