"""Short names for RDF terms, for people to read: ``tdo:Tariff``, ``tdr:event/x``, or ``event/x``.

One function, :func:`short`, for every place that shows a term: the query table, the validation report,
the reasoner's explanations, the graph page and the network analysis. The callers differ in two ways,
which are its parameters:

- ``namespaces``: which namespaces are shortened. The default is the predeclared prefixes
  (:data:`kg.namespaces.PREFIXES`), giving prefixed names that can be pasted into a query. A namespace
  named ``""`` gives the local part alone: the graph page and ``tradekg analyze`` name resources by their
  path under ``tdr:`` (:data:`RESOURCE_IDS`, ``event/x``), the id ``--focus``/``--from`` accept.
- ``unknown``: an IRI in none of the namespaces is written ``<iri>`` (``"angle"``: a SPARQL/Turtle term,
  for the query table, the validation report and the reasoner) or as it is (``"plain"``: the page's and
  analysis's JSON ids, where the full IRI is itself the identifier).

``strict=True`` (the validation report) shortens an IRI only when its local part has no ``#``, which a
prefixed name cannot carry unescaped; such an IRI is then unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

import pyoxigraph as ox
from rdflib import BNode
from rdflib import Literal as RdfLiteral

from kg.namespaces import PREFIXES

RESOURCE_IDS: Final[Mapping[str, str]] = {"": PREFIXES["tdr"]}
"""Namespaces for :func:`short` giving a resource's path under ``tdr:`` (``event/x``), the graph page's ids."""


def short(term: object, namespaces: Mapping[str, str] = PREFIXES, *,
          unknown: Literal["angle", "plain"] = "angle", strict: bool = False) -> str:
    """A short readable form of an RDF term (pyoxigraph or rdflib) or of an IRI given as a string.

    An IRI becomes ``prefix:local`` with the longest matching namespace (``local`` alone for the prefix
    ``""``), else ``<iri>`` or the IRI itself (``unknown``); a blank node ``_:id``; a literal its lexical
    value; ``None`` the empty string.

    >>> short("https://w3id.org/tradekg/ontology#Tariff"), short(ox.NamedNode("http://example.org/a"))
    ('tdo:Tariff', '<http://example.org/a>')
    >>> short("https://w3id.org/tradekg/resource/event/x", RESOURCE_IDS), short("http://e.org/a", RESOURCE_IDS, unknown="plain")
    ('event/x', 'http://e.org/a')
    >>> short("https://w3id.org/tradekg/resource/a#b"), short("https://w3id.org/tradekg/resource/a#b", strict=True)
    ('tdr:a#b', '<https://w3id.org/tradekg/resource/a#b>')
    >>> short(ox.BlankNode("b1")), short(BNode("b2")), short(ox.Literal("3")), short(None)
    ('_:b1', '_:b2', '3', '')
    """
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        iri = term.value
    elif isinstance(term, str) and not isinstance(term, RdfLiteral):  # a plain string or an rdflib URIRef
        iri = str(term)
    else:
        return str(term)
    best = max(((p, ns) for p, ns in namespaces.items() if iri.startswith(ns)), key=lambda x: len(x[1]), default=None)
    if best is not None and not (strict and "#" in iri[len(best[1]):]):
        local = iri[len(best[1]):]
        return f"{best[0]}:{local}" if best[0] else local
    return f"<{iri}>" if unknown == "angle" else iri
