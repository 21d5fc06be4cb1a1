"""SHACL validation of the store with pySHACL, and a report a person can act on.

The asserted data (the same selection as the default export: registry and
article graphs) is copied into an in-memory rdflib graph, streamed out of the
store as N-Triples; pySHACL over an Oxigraph-backed graph is ~300x slower.
The ontology is pySHACL's ``ont_graph`` with RDFS inference, so shapes that
target a class (``sh:targetClass tdo:Meeting``) also check its subclasses.
With ``inference="none"`` the store's own entailment graphs (``.../inferred``,
written by the builder) are copied instead, which is much faster on big stores.

Each violation is reported with the focus node's label, the shape's message,
and the article file and quote the node came from.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.errors import OntologyError, TradeKGError
from kg.export import select_graphs, union_triples
from kg.namespaces import OA, ONTOLOGY_FILE, PROV, REVERSION, SH, SHAPES_FILE, TDO, is_inferred_graph
from kg.resources import path as resource_path
from kg.store.base import GraphStore
from kg.terms import short

INFERENCE_MODES = ("rdfs", "none")


@dataclass(frozen=True)
class Source:
    """Where a focus node came from: an article file (and a quote from it), or the registry."""

    file: str | None
    quote: str | None = None


@dataclass(frozen=True)
class Violation:
    focus: str  # compact, for people
    focus_iri: str
    label: str
    message: str
    severity: str
    path: str | None
    value: str | None
    shape: str
    sources: tuple[Source, ...] = ()
    graphs: tuple[str, ...] = ()  # named graphs that hold the node, when no article names it


@dataclass
class ValidationResult:
    conforms: bool
    triples: int
    shapes: int
    violations: list[Violation] = field(default_factory=list)
    report_graph: Graph | None = None
    findings: list[Violation] = field(default_factory=list)
    """Rows of the library's checks (``queries/checks/*-violation.rq``), reported as warnings: what a source
    claims that the registry contradicts, or data a question needs and lacks; they do not fail the check."""


def _derived_node(t: ox.Triple) -> bool:
    """A triple about or pointing at a node only the knowledge graph derives (a reversion after a term ends):
    not asserted data, so not validated against the shapes of reported facts."""
    return any(isinstance(n, ox.NamedNode) and n.value.startswith(_REVERSION) for n in (t.subject, t.object))


_REVERSION = str(REVERSION)


def store_graph(store: GraphStore, inference: str = "rdfs") -> Graph:
    """An in-memory rdflib copy of the asserted data (plus the store's entailment graphs if ``inference='none'``)."""
    stored = inference == "none"  # use the builder's entailments and the ontology's individuals instead of inferring
    selection = select_graphs(store, include_inferred=stored, include_ontology=stored)
    buf = io.BytesIO()
    ox.serialize((t for t in union_triples(store, selection) if not _derived_node(t)), buf, ox.RdfFormat.N_TRIPLES)
    g = Graph()
    g.parse(data=buf.getvalue(), format="nt")
    return g


def _load_turtle(path: Path, what: str) -> Graph:
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise OntologyError(f"{path}: no such {what} file") from exc
    except Exception as exc:  # rdflib raises many kinds; all mean the file is not valid Turtle
        raise OntologyError(f"{path}: cannot parse the {what} as Turtle: {exc}") from exc
    return g


def _path_text(report: Graph, path: Any) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return short(path, strict=True)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + short(inverse, strict=True)
    alt = report.value(path, SH.alternativePath)
    if alt is not None:
        return "|".join(_path_text(report, x) or "?" for x in report.items(alt))
    items = list(report.items(path))
    if items:
        return "/".join(_path_text(report, x) or "?" for x in items)
    return None


def shape_name(shapes: Graph, shape: Any) -> str:
    """The name of the node shape a result came from (climbing from a property shape), with the shapes' prefixes."""
    owner = shapes.value(predicate=SH.property, object=shape)
    if owner is not None:
        shape = owner
    if isinstance(shape, URIRef):
        try:
            return shapes.namespace_manager.qname(shape)
        except ValueError:
            return f"<{shape}>"
    return short(shape, strict=True)


def label_of(data: Graph, node: Any) -> str:
    for prop in (RDFS.label, SKOS.prefLabel):
        v = data.value(node, prop)
        if v is not None:
            return str(v)
    return short(node, strict=True)


def sources_of(data: Graph, node: Any, limit: int = 3) -> tuple[Source, ...]:
    """The article files (and quotes) a node came from: its evidence, else the article it was derived from."""
    found: list[Source] = []
    bodies = [node]
    if (node, RDF.type, TDO.Evidence) in data:  # evidence itself: report its own target
        evidences: Iterable[Any] = [node]
    else:
        evidences = data.subjects(OA.hasBody, node)
    for ev in sorted(set(evidences), key=str):
        for target in data.objects(ev, OA.hasTarget):
            article = data.value(target, OA.hasSource)
            quote = next((str(q) for sel in data.objects(target, OA.hasSelector) for q in data.objects(sel, OA.exact)), None)
            f = data.value(article, TDO.sourceFile) if article is not None else None
            found.append(Source(str(f) if f is not None else (short(article, strict=True) if article is not None else None), quote))
    if not found:
        for b in bodies:
            for article in sorted(data.objects(b, PROV.wasDerivedFrom), key=str):
                f = data.value(article, TDO.sourceFile)
                found.append(Source(str(f) if f is not None else short(article, strict=True)))
    return tuple(dict.fromkeys(found))[:limit]


def validate_graph(data: Graph, shapes_path: Path = SHAPES_FILE, ontology_path: Path = ONTOLOGY_FILE,
                   inference: str = "rdfs") -> ValidationResult:
    """Run pySHACL over ``data`` and collect readable violations."""
    from pyshacl import validate as pyshacl_validate

    if inference not in INFERENCE_MODES:
        raise TradeKGError(f"unknown inference mode {inference!r}; expected one of {', '.join(INFERENCE_MODES)}")
    shapes = _load_turtle(shapes_path, "SHACL shapes")
    ontology = _load_turtle(ontology_path, "ontology")
    n_shapes = len(set(shapes.subjects(RDF.type, SH.NodeShape)))
    triples = len(data)
    try:
        conforms, report, _text = pyshacl_validate(
            data, shacl_graph=shapes, ont_graph=ontology if inference == "rdfs" else None,
            inference=inference, abort_on_first=False, allow_warnings=False, advanced=True, inplace=False)
    except Exception as exc:  # pySHACL reports bad shapes with its own exception types
        raise OntologyError(f"{shapes_path}: pySHACL could not run the shapes: {exc}") from exc
    violations: list[Violation] = []
    top_level = [r for rep in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(rep, SH.result)]
    for result in top_level:  # nested sh:detail results explain these; they are not violations of their own
        focus = report.value(result, SH.focusNode)
        msg = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        violations.append(Violation(
            focus=short(focus, strict=True),
            focus_iri=str(focus),
            label=label_of(data, focus),
            message=str(msg) if msg is not None else "constraint violated",
            severity=str(report.value(result, SH.resultSeverity) or SH.Violation).rsplit("#", 1)[-1],
            path=_path_text(report, report.value(result, SH.resultPath)),
            value=short(value, strict=True) if isinstance(value, URIRef | BNode | Literal) else None,
            shape=shape_name(shapes, report.value(result, SH.sourceShape)),
            sources=sources_of(data, focus),
        ))
    violations.sort(key=lambda v: ((v.sources[0].file or "") if v.sources else "", v.label, v.message))
    return ValidationResult(bool(conforms), triples, n_shapes, violations, report)


def run_checks(store: GraphStore) -> list[Violation]:
    """Run every check of the query library (``checks/*-violation.rq``) and turn each row into a warning: its
    first column is the node, the others are named in the message."""
    from kg.query import load_library

    out: list[Violation] = []
    for name, q in sorted(load_library(resource_path("queries")).items()):
        if not name.startswith("checks/"):
            continue
        result = store.query(q.text, union=False)
        names = [v.value for v in result.variables]
        for row in result:
            cells = [row[n] for n in names]
            focus = cells[0]
            rest = ", ".join(f"{n} {short(c, strict=True) if not isinstance(c, ox.Literal) else c.value}"
                             for n, c in zip(names[1:], cells[1:], strict=True) if c is not None)
            focus_iri = focus.value if isinstance(focus, ox.NamedNode) else ""
            out.append(Violation(focus=short(focus, strict=True) if focus is not None else "?", focus_iri=focus_iri,
                                 label=q.title, message=f"{q.title}: {rest}" if rest else q.title,
                                 severity="Warning", path=None, value=None, shape=name))
    return out


def validate_store(store: GraphStore, shapes_path: Path = SHAPES_FILE, inference: str = "rdfs") -> ValidationResult:
    """Validate the asserted data of a store against the shapes, and run the library's checks (warnings)."""
    result = validate_graph(store_graph(store, inference), shapes_path, inference=inference)
    result.findings = run_checks(store)
    for i, v in enumerate(result.violations):
        if not v.sources and v.focus_iri.startswith(("http://", "https://", "urn:")):
            rows = store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{v.focus_iri}> ?p ?o }} }}", union=False)
            graphs = tuple(sorted(short(URIRef(r["g"].value), strict=True) for r in rows
                                  if not is_inferred_graph(str(r["g"].value))))
            result.violations[i] = replace(v, graphs=graphs)
    return result


def format_text(result: ValidationResult, relative_to: Path | None = None) -> str:
    """The human report: one block per violation, then a summary line."""

    def where(f: str | None) -> str:
        if f is None:
            return "the entity registry"
        if relative_to is not None:
            try:
                return str(Path(f).resolve().relative_to(relative_to.resolve()))
            except ValueError:
                pass
        return f

    lines: list[str] = []
    for v in result.violations:
        lines.append(f"{v.severity}: {v.label} ({v.focus})")
        lines.append(f"  {v.message}" + (f" [{v.path}]" if v.path else "") +
                     (f" (value: {v.value})" if v.value and v.value != v.focus else ""))
        if v.sources:
            for s in v.sources:
                lines.append(f"  from {where(s.file)}" + (f': "{s.quote}"' if s.quote else ""))
        elif v.graphs:
            lines.append(f"  in graph {', '.join(v.graphs)} (no article names this node)")
        else:
            lines.append("  no article names this node")
    for f in result.findings:
        lines.append(f"Warning: {f.focus} ({f.shape})")
        lines.append(f"  {f.message}")
    if result.findings:
        lines.append(f"{len(result.findings)} warning(s) from the library's checks (queries/checks), "
                     "which do not fail the check")
    if result.conforms:
        lines.append(f"conforms: {result.triples} triples satisfy {result.shapes} shapes")
    else:
        nodes = len({v.focus for v in result.violations})
        lines.append(f"does not conform: {len(result.violations)} violation(s) on {nodes} node(s) "
                     f"({result.triples} triples, {result.shapes} shapes)")
    return "\n".join(lines) + "\n"
