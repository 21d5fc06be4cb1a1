"""OWL reasoning over the store with owlready2 and HermiT.

The ontology and the asserted data (the registry and every article graph) are
handed to HermiT, which checks that they are consistent and classifies every
individual. Two traps of the stack are handled here: owlready2 cannot read
Turtle, so the graph is written as RDF/XML; and HermiT rejects ``xsd:date``, so
date literals are given to the reasoner as ``xsd:dateTime`` at midnight.

Inferred types that the store does not already hold (asserted, or in the RDFS
``/inferred`` graphs the builder writes) go into their own named graph,
:data:`kg.namespaces.REASONER_GRAPH`, replaced on every run.

An inconsistency is explained in plain words: which individual, which property
or class, and which axiom of the ontology it breaks. Common causes are checked
directly; otherwise the smallest set of individuals whose statements conflict
is found by asking HermiT about halves of the data (QuickXplain).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg import nquads as nq
from kg.errors import OntologyError, StoreError
from kg.namespaces import REASONER_GRAPH, graph_role
from kg.ontology import load_ontology
from kg.store.base import GraphStore
from kg.store.embedded import EmbeddedStore
from kg.terms import short

Triple = tuple[object, object, object]
MAX_EXPLAIN_CALLS = 40  # HermiT runs spent on narrowing an inconsistency down


@dataclass
class Conflict:
    """One explained inconsistency."""

    individuals: list[str]
    statements: list[str]
    axioms: list[str]
    why: str

    def __str__(self) -> str:
        lines = [f"  - {self.why}"]
        lines += [f"      data:  {s}" for s in self.statements]
        lines += [f"      axiom: {a}" for a in self.axioms]
        return "\n".join(lines)


@dataclass
class ReasonReport:
    consistent: bool
    individuals: int = 0
    triples: int = 0
    inferred: list[tuple[str, str]] = field(default_factory=list)  # (individual, class) new to the store
    conflicts: list[Conflict] = field(default_factory=list)
    seconds: float = 0.0
    written: bool = False

    def summary(self) -> str:
        if not self.consistent:
            head = (f"INCONSISTENT: the data contradicts the ontology ({self.triples} triples, "
                    f"{self.seconds:.1f} s); nothing was written.")
            return head + "\n" + "\n".join(str(c) for c in self.conflicts)
        where = f"written to {REASONER_GRAPH}" if self.written else "not written (--no-write)"
        return (f"consistent: {self.individuals} individuals, {self.triples} triples checked by HermiT in "
                f"{self.seconds:.1f} s; {len(self.inferred)} inferred types new to the store, {where}")


def _short(term: object) -> str:
    """:func:`kg.terms.short` of the term's text, but a blank node or literal outside the known namespaces is
    shown as a Python string literal (``'N1f...'``), as the explanations always have."""
    text = short(str(term))
    return repr(str(term)) if text.startswith("<") and not isinstance(term, URIRef) else text


def _to_rdflib(term: Any) -> object:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    if dt == str(XSD.date):  # HermiT does not support xsd:date
        return Literal(f"{term.value}T00:00:00", datatype=XSD.dateTime)
    if dt == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(dt))


def data_graphs(store: GraphStore) -> list[str]:
    """The asserted data graphs: the registry and every article graph (not inferred, meta or reasoner)."""
    graphs = store.named_graphs()
    return [g for g in graphs if graph_role(g) in ("registry", "article")]


def load_data(store: GraphStore) -> list[Triple]:
    out: set[Triple] = set()
    for g in data_graphs(store):
        for q in store.quads(g):
            out.add((_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object)))
    # owlready2 reports the types of declared individuals only: declare every resource the data describes
    for s in {t[0] for t in out if isinstance(t[0], URIRef)}:
        out.add((s, RDF.type, OWL.NamedIndividual))
    return sorted(out, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))


def _ontology_graph() -> Graph:
    g = Graph()
    for s, p, o in load_ontology().graph:
        if isinstance(o, Literal) and o.datatype == XSD.date:
            o = Literal(f"{o}T00:00:00", datatype=XSD.dateTime)
        g.add((s, p, o))
    return g


class _Hermit:
    """Runs HermiT through owlready2 on the ontology plus a set of data triples."""

    def __init__(self) -> None:
        self.onto = _ontology_graph()
        self.calls = 0

    def _write(self, data: Iterable[Triple], path: str) -> None:
        g = Graph()
        for t in self.onto:
            g.add(t)
        for d in data:
            g.add(d)  # type: ignore[arg-type]
        g.serialize(path, format="xml")

    def run(self, data: Iterable[Triple], classify: bool = False) -> tuple[bool, list[tuple[str, str]]]:
        """(consistent, [(individual IRI, class IRI)] if classify)."""
        import owlready2

        self.calls += 1
        fd, path = tempfile.mkstemp(suffix=".owl", prefix="tradekg-reason-")
        os.close(fd)
        try:
            self._write(data, path)
            world = owlready2.World()
            try:
                onto = world.get_ontology(f"file://{path}").load()
            except Exception as exc:  # noqa: BLE001 - owlready2 raises many kinds
                raise OntologyError(f"owlready2 could not read the data as OWL: {exc}") from exc
            try:
                with onto:
                    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
            except owlready2.OwlReadyInconsistentOntologyError:
                return False, []
            except owlready2.OwlReadyJavaError as exc:
                raise OntologyError(f"HermiT failed: {str(exc).strip()[:2000]}") from exc
            types: list[tuple[str, str]] = []
            if classify:
                for ind in world.individuals():
                    for cls in ind.INDIRECT_is_a:
                        iri = getattr(cls, "iri", None)
                        if iri and iri != str(OWL.Thing):
                            types.append((ind.iri, iri))
            world.close()
            return True, types
        finally:
            os.unlink(path)


def _datatype_ok(lit: Literal, rng: URIRef) -> bool:
    """Whether a literal can be a value of the datatype ``rng`` (the cases this ontology uses)."""
    dt = lit.datatype or (RDF.langString if lit.language else XSD.string)
    if rng == XSD.string:
        return dt == XSD.string
    if rng in (XSD.decimal, XSD.integer):
        numeric = {XSD.decimal, XSD.integer, XSD.int, XSD.long, XSD.nonNegativeInteger, XSD.positiveInteger}
        if dt not in numeric:
            return False
        try:
            v = Decimal(str(lit))
        except InvalidOperation:
            return False
        return rng == XSD.decimal or v == v.to_integral_value()
    if rng == XSD.dateTime:
        return dt in (XSD.dateTime, XSD.date)
    return True


def _direct_conflicts(onto: Graph, data: list[Triple]) -> list[Conflict]:
    """Causes of inconsistency checked without the reasoner: functional data properties with
    several values, and data property values outside the property's datatype range."""
    out: list[Conflict] = []
    functional = {p for p in onto.subjects(RDF.type, OWL.FunctionalProperty)
                  if (p, RDF.type, OWL.DatatypeProperty) in onto}
    ranges: dict[Any, Any] = {p: r for p, r in onto.subject_objects(RDFS.range)
              if (p, RDF.type, OWL.DatatypeProperty) in onto and str(r).startswith(str(XSD))}
    values: dict[tuple[object, object], list[object]] = defaultdict(list)
    for s, p, o in data:
        if p in functional:
            values[(s, p)].append(o)
        if p in ranges and isinstance(o, Literal) and not _datatype_ok(o, ranges[p]):  # type: ignore[index]
            dt = o.datatype or (RDF.langString if o.language else XSD.string)
            out.append(Conflict([str(s)], [f"{_short(s)} {_short(p)} {o.n3()}"],
                                [f"{_short(p)} rdfs:range {_short(ranges[p])}"],  # type: ignore[index]
                                f"{_short(s)} has {_short(p)} {str(o)!r} (a {_short(dt)}), but the ontology says "
                                f"every value of {_short(p)} is an {_short(ranges[p])}"))  # type: ignore[index]
    for (s, p), vs in values.items():
        if len(set(vs)) > 1:
            out.append(Conflict([str(s)], [f"{_short(s)} {_short(p)} {v.n3()}" for v in sorted(set(vs), key=str)],  # type: ignore[attr-defined]
                                [f"{_short(p)} a owl:FunctionalProperty"],
                                f"{_short(s)} has {len(set(vs))} different values of {_short(p)}, but the "
                                f"ontology allows at most one (it is a functional property)"))
    return out


def _axioms_about(onto: Graph, terms: set[object]) -> list[str]:
    """Ontology axioms (not labels or comments) mentioning the given properties and classes."""
    keep = {RDFS.domain, RDFS.range, RDFS.subClassOf, RDFS.subPropertyOf, OWL.inverseOf, OWL.disjointWith,
            OWL.propertyChainAxiom, OWL.equivalentClass}
    out: list[str] = []
    for t in sorted(terms, key=str):
        for p, o in onto.predicate_objects(t):  # type: ignore[arg-type]
            if p in keep or (p == RDF.type and o in (OWL.FunctionalProperty, OWL.InverseFunctionalProperty)):
                out.append(f"{_short(t)} {_short(p)} {_short(o)}")
    return out


def _quickxplain(hermit: _Hermit, groups: list[list[Triple]]) -> list[list[Triple]] | None:
    """A minimal subset of the groups that is inconsistent with the ontology (Junker's QuickXplain),
    or None when the budget of HermiT runs is spent first."""

    def inconsistent(gs: list[list[Triple]]) -> bool:
        if hermit.calls >= MAX_EXPLAIN_CALLS:
            raise TimeoutError
        return not hermit.run([t for g in gs for t in g])[0]

    def qx(background: list[list[Triple]], delta: bool, cands: list[list[Triple]]) -> list[list[Triple]]:
        if delta and inconsistent(background):
            return []
        if len(cands) == 1:
            return cands
        half = len(cands) // 2
        c1, c2 = cands[:half], cands[half:]
        d2 = qx(background + c1, bool(c1), c2)
        d1 = qx(background + d2, bool(d2), c1)
        return d1 + d2

    try:
        return qx([], False, groups)
    except TimeoutError:
        return None


def explain(hermit: _Hermit, data: list[Triple]) -> list[Conflict]:
    """Plain-word explanations of why ontology + data are inconsistent."""
    direct = _direct_conflicts(hermit.onto, data)
    if direct:
        return direct
    by_subject: dict[object, list[Triple]] = defaultdict(list)
    for t in data:
        by_subject[t[0]].append(t)
    groups = list(by_subject.values())
    found = _quickxplain(hermit, groups)
    if not found:
        return [Conflict([], [], [], "HermiT found the data inconsistent with the ontology, and the conflict could "
                         f"not be narrowed down within {MAX_EXPLAIN_CALLS} reasoner runs")]
    subjects = [str(g[0][0]) for g in found]
    statements = [f"{_short(s)} {_short(p)} {o.n3() if isinstance(o, Literal) else _short(o)}"  # type: ignore[attr-defined]
                  for g in found for s, p, o in g if p not in (RDFS.label, RDFS.comment)]
    terms: set[object] = {p for g in found for _, p, _ in g} | {o for g in found for _, p, o in g if p == RDF.type}
    return [Conflict(subjects, statements[:30], _axioms_about(hermit.onto, terms)[:30],
                     "these statements about " + ", ".join(_short(URIRef(s)) for s in subjects)
                     + " cannot all be true under the ontology's axioms below (a smallest such set)")]


def _existing_types(store: EmbeddedStore) -> set[tuple[str, str]]:
    rdf_type = ox.NamedNode(str(RDF.type))
    out: set[tuple[str, str]] = set()
    for q in store.ox.quads_for_pattern(None, rdf_type, None, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode) \
                and q.graph_name != ox.NamedNode(str(REASONER_GRAPH)):
            out.add((q.subject.value, q.object.value))
    return out


def reason(store_path: Path, write: bool = True, wait: bool = False) -> ReasonReport:
    """Check the store with HermiT; write the new inferred types unless ``write`` is False."""
    from kg.store import GraphUpdate, open_store, writing

    t0 = time.monotonic()
    store = open_store(store_path, read_only=True)
    data = load_data(store)
    if not data:
        raise StoreError(f"{store_path}: the store holds no registry or article graphs; build it first")
    existing = _existing_types(store)
    del store
    hermit = _Hermit()
    consistent, types = hermit.run(data, classify=True)
    report = ReasonReport(consistent, triples=len(data))
    if not consistent:
        report.conflicts = explain(hermit, data)
        report.seconds = time.monotonic() - t0
        return report
    resources = {str(s) for s, _, _ in data if isinstance(s, URIRef)}
    new = sorted({(i, c) for i, c in types if i in resources and (i, c) not in existing})
    report.individuals = len({i for i, _ in types})
    report.inferred = new
    if write:
        graph = str(REASONER_GRAPH)
        text = "".join(f"{nq.iri(i)} {nq.iri(str(RDF.type))} {nq.iri(c)} <{graph}> .\n" for i, c in new)
        with writing(store_path, wait=wait) as w:
            w.replace_graphs([GraphUpdate(graph, text, manifest=(("sourceFile", "tradekg reason (HermiT)"),))])
        report.written = True
    report.seconds = time.monotonic() - t0
    return report

