"""The ontology as data: classes, their hierarchy, display hints and vocabularies.

Everything the builder, the shapes, the page and the queries need to know about
terms is read from ``ontology/tradekg.ttl`` here, once per process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.errors import OntologyError
from kg.namespaces import ONTOLOGY_FILE, TDO


@dataclass(frozen=True)
class Ontology:
    graph: Graph
    classes: frozenset[str]
    superclasses: dict[str, frozenset[str]]  # class -> all superclasses incl. itself (tdo and external)
    superproperties: dict[str, frozenset[str]]  # property -> all superproperties incl. itself
    labels: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)

    # ---- classes -------------------------------------------------------
    def class_iri(self, local_name: str) -> str | None:
        """The tdo class named ``local_name`` (e.g. ``"Talks"``), or None."""
        iri = str(TDO[local_name])
        return iri if iri in self.classes else None

    def tdo_classes(self) -> list[str]:
        """Local names of all tdo classes, sorted."""
        return sorted(c[len(str(TDO)):] for c in self.classes if c.startswith(str(TDO)))

    def is_subclass(self, cls: str, of: str) -> bool:
        return of in self.superclasses.get(cls, frozenset({cls}))

    def subclasses_of(self, of: str) -> list[str]:
        """Local names of the tdo classes that are ``of`` or below it."""
        return sorted(
            c[len(str(TDO)):]
            for c in self.classes
            if c.startswith(str(TDO)) and of in self.superclasses.get(c, frozenset())
        )

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    # ---- vocabularies (SKOS individuals of a tdo class) -----------------
    def individuals(self, cls_local: str) -> dict[str, str]:
        """Local name -> IRI of the named individuals of ``tdo:cls_local``."""
        out: dict[str, str] = {}
        for s in self.graph.subjects(RDF.type, TDO[cls_local]):
            out[str(s)[len(str(TDO)):]] = str(s)
        return out

    def annotation(self, iri: str, prop: URIRef) -> str | None:
        """The value of an annotation property on ``iri``, following rdfs:subClassOf upwards."""
        chain = sorted(
            self.superclasses.get(iri, frozenset({iri})),
            key=lambda c: -len(self.superclasses.get(c, frozenset())),
        )
        for c in chain:
            v = self.graph.value(URIRef(c), prop)
            if v is not None:
                return str(v)
        return None


def _closure(direct: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}

    def visit(node: str, seen: set[str]) -> set[str]:
        result = {node}
        for parent in direct.get(node, ()):
            if parent not in seen:
                result |= visit(parent, seen | {parent})
        return result

    for node in direct:
        out[node] = frozenset(visit(node, {node}))
    return out


def load_ontology(path: Path = ONTOLOGY_FILE) -> Ontology:
    return _load(str(path))


@lru_cache(maxsize=4)
def _load(path: str) -> Ontology:
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many kinds
        raise OntologyError(f"{path}: cannot parse the ontology: {exc}") from exc
    classes: set[str] = {str(c) for c in g.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    sub: dict[str, set[str]] = {c: set() for c in classes}
    for s, o in g.subject_objects(RDFS.subClassOf):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            sub.setdefault(str(s), set()).add(str(o))
            sub.setdefault(str(o), set())
    props: dict[str, set[str]] = {}
    for ptype in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for p in g.subjects(RDF.type, ptype):
            props.setdefault(str(p), set())
    for s, o in g.subject_objects(RDFS.subPropertyOf):
        props.setdefault(str(s), set()).add(str(o))
        props.setdefault(str(o), set())
    labels = {str(s): str(o) for s, o in g.subject_objects(RDFS.label) if isinstance(o, Literal)}
    for s, o in g.subject_objects(SKOS.prefLabel):
        labels.setdefault(str(s), str(o))
    comments = {str(s): str(o) for s, o in g.subject_objects(RDFS.comment)}
    return Ontology(
        graph=g,
        classes=frozenset(classes),
        superclasses=_closure(sub),
        superproperties=_closure(props),
        labels=labels,
        comments=comments,
    )
