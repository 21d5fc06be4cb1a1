"""Architecture issue (one term shortener): ``kg.terms.short`` gives each caller the names it showed before."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from kg.query import compact
from kg.terms import RESOURCE_IDS, short

TDR = "https://w3id.org/tradekg/resource/"


def test_prefixed_names_for_queries_and_reports() -> None:
    """Architecture issue: the query table, validation report and reasoner name IRIs by the longest prefix,
    unknown IRIs as <iri>; the report leaves a local part with '#' unshortened."""
    assert compact(ox.NamedNode(TDR + "event/x")) == "event:x"  # one prefix per resource kind
    assert compact(ox.NamedNode("http://example.org/a")) == "<http://example.org/a>"
    assert compact(ox.Literal("a\x00b")) == "a\\x00b" and compact(None) == ""
    assert short(URIRef(TDR + "a#b"), strict=True) == f"<{TDR}a#b>"
    assert short(URIRef(TDR + "a#b")) == "tdr:a#b"
    assert short(BNode("n1"), strict=True) == "_:n1" and short(Literal("7"), strict=True) == "7"


def test_resource_ids_for_the_graph_page() -> None:
    """Architecture issue: the graph page and analyze show a resource's path under tdr:, other IRIs as they are."""
    assert short(TDR + "person/ada", RESOURCE_IDS, unknown="plain") == "person/ada"
    assert short("https://w3id.org/tradekg/ontology#Tariff", RESOURCE_IDS, unknown="plain") \
        == "https://w3id.org/tradekg/ontology#Tariff"


def test_reasoner_explanations_keep_their_names() -> None:
    """Architecture issue: the reasoner shows IRIs prefixed or in <...>, and other terms as quoted strings."""
    from kg.reason import _short

    assert _short(URIRef("http://www.w3.org/2002/07/owl#Thing")) == "owl:Thing"
    assert _short(URIRef("http://example.org/x")) == "<http://example.org/x>"
    assert _short(BNode("N1")) == "'N1'"
