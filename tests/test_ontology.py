"""The ontology: every term documented in English, loadable by owlready2, consistent under HermiT."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.namespaces import ONTOLOGY_FILE, TDO

GRAPH = Graph().parse(ONTOLOGY_FILE, format="turtle")
TERMS = sorted({s for s in GRAPH.subjects() if isinstance(s, URIRef) and str(s).startswith(str(TDO))}, key=str)


def _english(term: URIRef, prop: URIRef) -> list[str]:
    return [str(o) for o in GRAPH.objects(term, prop) if isinstance(o, Literal) and o.language == "en" and str(o).strip()]


def test_the_ontology_declares_terms() -> None:
    assert len(TERMS) > 50 and TDO.Official in TERMS and TDO.inForce in TERMS


@pytest.mark.parametrize("term", TERMS, ids=[str(t)[len(str(TDO)):] for t in TERMS])
def test_every_term_has_an_english_label_and_comment(term: URIRef) -> None:
    assert _english(term, RDFS.label), f"{term} has no English rdfs:label"
    assert _english(term, RDFS.comment), f"{term} has no English rdfs:comment"


@pytest.mark.parametrize("term", TERMS, ids=[str(t)[len(str(TDO)):] for t in TERMS])
def test_every_term_is_typed(term: URIRef) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, SKOS.ConceptScheme,
             OWL.NamedIndividual}
    assert set(GRAPH.objects(term, RDF.type)) & kinds, f"{term} is not declared as a class, property or individual"


@pytest.mark.slow
def test_the_ontology_loads_in_owlready2_and_is_consistent_under_hermit(tmp_path: Path) -> None:
    """owlready2 cannot read Turtle: convert to RDF/XML; HermiT (Java 17) must find it consistent."""
    import owlready2

    rdfxml = tmp_path / "tradekg.owl"
    GRAPH.serialize(rdfxml, format="xml")
    world = owlready2.World()
    onto = world.get_ontology(f"file://{rdfxml}").load()
    official = onto.search_one(iri=str(TDO.Official))
    assert official is not None and onto.search_one(iri=str(TDO.HeadOfGovernment)) in official.subclasses()
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)  # raises if inconsistent
    assert not list(world.inconsistent_classes()), "HermiT found unsatisfiable classes"
    # the reasoner sees the hierarchy: a head of government is a person
    person = onto.search_one(iri=str(TDO.Person))
    assert person in onto.search_one(iri=str(TDO.HeadOfGovernment)).ancestors()
