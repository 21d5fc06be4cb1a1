"""Ontology documentation: Turtle, RDF/XML for Protégé, and an HTML page generated from the ontology.

The page is built from ``ontology/tradekg.ttl`` itself (labels, comments,
hierarchy, domains and ranges, display hints, vocabularies) and from the SHACL
shapes, so it cannot drift from them. It is one self-contained file (inline
CSS and an inline SVG diagram of the class hierarchy, no scripts, no network).
pyLODE was tried first: 3.4.1 installs, but it did not import in our setup
(it reads its own pyproject.toml at import time), so the page is generated here.
"""

from __future__ import annotations

import html
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.errors import OntologyError
from kg.namespaces import ONTOLOGY_FILE, ONTOLOGY_IRI, SH, SHAPES_FILE, TDO
from kg.ontology import Ontology, load_ontology

DCTERMS_NS = "http://purl.org/dc/terms/"
VANN_NS = "http://purl.org/vocab/vann/"


def export_ontology(out_dir: Path, ontology_file: Path = ONTOLOGY_FILE, shapes_file: Path = SHAPES_FILE) -> list[Path]:
    """Write the ontology as Turtle and RDF/XML, the SHACL shapes, and ``index.html``; return the paths."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OntologyError(f"{out_dir}: cannot create the folder: {exc}") from exc
    onto = load_ontology(ontology_file)
    shapes = Graph()
    if shapes_file.exists():
        try:
            shapes.parse(shapes_file, format="turtle")
        except Exception as exc:  # rdflib raises many kinds
            raise OntologyError(f"{shapes_file}: cannot parse the shapes: {exc}") from exc
    written: list[Path] = []

    def put(name: str, data: bytes) -> None:
        target = out_dir / name
        tmp = out_dir / f".{name}.tmp"
        tmp.write_bytes(data)
        tmp.replace(target)
        written.append(target)

    put("tradekg.ttl", ontology_file.read_bytes())
    put("tradekg.owl", rdf_xml(onto.graph))
    if shapes_file.exists():
        shutil.copyfile(shapes_file, out_dir / "shapes.ttl")
        written.append(out_dir / "shapes.ttl")
    put("index.html", render_html(onto, shapes).encode("utf-8"))
    return written


def rdf_xml(g: Graph) -> bytes:
    """The ontology as RDF/XML (what Protégé and owlready2 read best), with its prefixes, by Oxigraph's writer."""
    triples = ox.parse(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    used = {str(t) for triple in g for t in triple if isinstance(t, URIRef)} | {str(t) for t in g.predicates()}
    prefixes = {p: str(n) for p, n in g.namespace_manager.namespaces() if p and any(u.startswith(str(n)) for u in used)}
    out = ox.serialize(triples, None, ox.RdfFormat.RDF_XML, prefixes=prefixes)
    assert out is not None
    return out


# ---- the class diagram ----------------------------------------------------

@dataclass(frozen=True)
class Box:
    iri: str
    label: str
    x: float
    y: float
    colour: str


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _tdo(iri: str) -> bool:
    return iri.startswith(str(TDO))


def _direct_supers(onto: Ontology, cls: str) -> list[str]:
    return sorted(str(o) for o in onto.graph.objects(URIRef(cls), RDFS.subClassOf)
                  if isinstance(o, URIRef) and _tdo(str(o)))


def _text_colour(bg: str) -> str:
    """Black or white, whichever reads better on ``bg`` (#rrggbb).

    >>> _text_colour("#1f3f78"), _text_colour("#ffbe7d")
    ('#ffffff', '#000000')
    """
    try:
        r, g, b = (int(bg[i:i + 2], 16) for i in (1, 3, 5))
    except ValueError:
        return "#000000"
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#ffffff"


def class_diagram(onto: Ontology) -> str:
    """An inline SVG of the tdo class hierarchy: a left-to-right tree, a dashed line for a second superclass."""
    classes = [c for c in sorted(onto.classes) if _tdo(c)]
    supers = {c: _direct_supers(onto, c) for c in classes}
    children: dict[str, list[str]] = {c: [] for c in classes}
    for c in classes:
        if supers[c]:
            children.setdefault(supers[c][0], []).append(c)
    roots = [c for c in classes if not supers[c]]
    by_label = lambda c: onto.label(c).lower()  # noqa: E731
    col_w, row_h, box_w, box_h, pad = 205, 30, 185, 22, 10
    boxes: dict[str, Box] = {}
    row = 0

    def place(c: str, depth: int) -> float:
        nonlocal row
        kids = sorted(children.get(c, []), key=by_label)
        if kids:
            ys = [place(k, depth + 1) for k in kids]
            y = (ys[0] + ys[-1]) / 2
        else:
            y = pad + row * row_h
            row += 1
        colour = onto.annotation(c, TDO.displayColor) or "#dddddd"
        boxes[c] = Box(c, onto.label(c), pad + depth * col_w, y, colour)
        return y

    for r in sorted(roots, key=by_label):
        place(r, 0)
    width = pad * 2 + (max((int((b.x - pad) / col_w) for b in boxes.values()), default=0)) * col_w + box_w
    height = pad * 2 + row * row_h
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="Class hierarchy of the TradeKG ontology">',
             "<title>Class hierarchy of the TradeKG ontology (a line joins a class to its superclass on the left; "
             "dashed: a second superclass)</title>"]
    for c in classes:
        b = boxes[c]
        for i, s in enumerate(supers[c]):
            p = boxes[s]
            x1, y1, x2, y2 = p.x + box_w, p.y + box_h / 2, b.x, b.y + box_h / 2
            mid = (x1 + x2) / 2
            dash = ' stroke-dasharray="4 3"' if i > 0 else ""
            parts.append(f'<path d="M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" '
                         f'fill="none" stroke="#888"{dash}/>')
    for c in classes:
        b = boxes[c]
        fg = _text_colour(b.colour)
        parts.append(f'<a href="#{html.escape(_local(c))}"><g class="cls">'
                     f'<rect x="{b.x:.0f}" y="{b.y:.0f}" width="{box_w}" height="{box_h}" rx="5" fill="{html.escape(b.colour)}" stroke="#444"/>'
                     f'<text x="{b.x + box_w / 2:.0f}" y="{b.y + box_h / 2 + 4:.0f}" text-anchor="middle" fill="{fg}">'
                     f'{html.escape(b.label)}</text></g></a>')
    parts.append("</svg>")
    return "\n".join(parts)


# ---- the page ---------------------------------------------------------------

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{margin-bottom:.2rem} h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
.entity{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.entity h3{margin:.2rem 0} .iri{font-family:ui-monospace,monospace;font-size:.85rem;color:#555;word-break:break-all}
table.meta{border-collapse:collapse;margin-top:.4rem} table.meta th{text-align:left;vertical-align:top;padding:.15rem 1rem .15rem 0;color:#555;font-weight:600;white-space:nowrap}
table.meta td{padding:.15rem 0} .swatch{display:inline-block;width:.9rem;height:.9rem;border:1px solid #444;vertical-align:middle;border-radius:2px}
.diagram text{font-size:12px} .diagram a:hover rect{stroke-width:2.5} nav ul{columns:3} code{font-size:.9em}
"""


def _e(s: object) -> str:
    return html.escape(str(s))


class _Page:
    def __init__(self, onto: Ontology, shapes: Graph):
        self.onto = onto
        self.g = onto.graph
        self.shapes = shapes
        self.nm = onto.graph.namespace_manager

    def name(self, term: object) -> str:
        if isinstance(term, URIRef):
            try:
                return self.nm.qname(term)
            except ValueError:
                return str(term)
        return str(term)

    def link(self, term: object) -> str:
        """A link to a term: in-page for tdo terms, to the IRI for external ones."""
        if isinstance(term, BNode):
            items = list(self.g.items(term))
            return "(" + " ∘ ".join(self.link(i) for i in items) + ")" if items else "(anonymous)"
        if not isinstance(term, URIRef):
            return _e(term)
        iri = str(term)
        if _tdo(iri):
            return f'<a href="#{_e(_local(iri))}"><code>{_e(self.name(term))}</code></a>'
        return f'<a href="{_e(iri)}"><code>{_e(self.name(term))}</code></a>'

    def links(self, terms: Iterable[object]) -> str:
        return ", ".join(self.link(t) for t in sorted(set(terms), key=str))

    def terms_of(self, *types: URIRef) -> list[URIRef]:
        found = {s for t in types for s in self.g.subjects(RDF.type, t) if isinstance(s, URIRef) and _tdo(str(s))}
        return sorted(found, key=lambda s: self.onto.label(str(s)).lower())

    def entity(self, term: URIRef, kind: str, rows: list[tuple[str, str]]) -> str:
        iri = str(term)
        comment = self.g.value(term, RDFS.comment)
        rows = [(k, v) for k, v in rows if v]
        table = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows)
        return (f'<section class="entity" id="{_e(_local(iri))}"><h3>{_e(self.onto.label(iri))} '
                f'<small>({_e(kind)})</small></h3><div class="iri">{_e(iri)}</div>'
                + (f"<p>{_e(comment)}</p>" if comment else "")
                + (f'<table class="meta">{table}</table>' if table else "") + "</section>")

    def class_section(self, c: URIRef) -> str:
        g = self.g
        colour = self.onto.annotation(str(c), TDO.displayColor)
        shape = self.onto.annotation(str(c), TDO.displayShape)
        shown = self.onto.annotation(str(c), TDO.displayInGraph)
        hint = ""
        if colour or shape or shown:
            hint = (f'<span class="swatch" style="background:{_e(colour)}"></span> {_e(colour)} ' if colour else "") + \
                   (f"shape {_e(shape)}" if shape else "") + (f"; drawn on the graph page: {_e(shown)}" if shown else "")
        shapes = [s for s in self.shapes.subjects(SH.targetClass, c)]
        return self.entity(c, "class", [
            ("superclasses", self.links(g.objects(c, RDFS.subClassOf))),
            ("subclasses", self.links(g.subjects(RDFS.subClassOf, c))),
            ("properties (domain)", self.links(g.subjects(RDFS.domain, c))),
            ("used as range of", self.links(g.subjects(RDFS.range, c))),
            ("members", self.links(s for s in g.subjects(RDF.type, c) if isinstance(s, URIRef))),
            ("display (inherited)", hint),
            ("SHACL shapes", ", ".join(f'<a href="#shape-{_e(_local(str(s)))}">{_e(_local(str(s)))}</a>' for s in shapes)),
        ])

    def property_section(self, p: URIRef, kind: str) -> str:
        g = self.g
        traits = [self.name(t) for t in g.objects(p, RDF.type) if t not in (OWL.ObjectProperty, OWL.DatatypeProperty,
                                                                             OWL.AnnotationProperty)]
        return self.entity(p, kind, [
            ("domain", self.links(g.objects(p, RDFS.domain))),
            ("range", self.links(g.objects(p, RDFS.range))),
            ("subproperty of", self.links(g.objects(p, RDFS.subPropertyOf))),
            ("inverse of", self.links([*g.objects(p, OWL.inverseOf), *g.subjects(OWL.inverseOf, p)])),
            ("property chain", self.links(g.objects(p, OWL.propertyChainAxiom))),
            ("characteristics", _e(", ".join(sorted(traits)))),
        ])

    def scheme_section(self, scheme: URIRef) -> str:
        members = sorted(self.g.subjects(SKOS.inScheme, scheme), key=lambda s: self.onto.label(str(s)).lower())
        rows = []
        for m in members:
            force = self.g.value(m, TDO.inForce)
            rows.append(f'<tr id="{_e(_local(str(m)))}"><td><code>{_e(self.name(m))}</code></td><td>{_e(self.onto.label(str(m)))}</td>'
                        f"<td>{_e(self.g.value(m, RDFS.comment) or '')}</td><td>{_e(force) if force is not None else ''}</td></tr>")
        head = "<tr><th>term</th><th>label</th><th>meaning</th><th>in force</th></tr>"
        body = f'<table class="meta">{head}{"".join(rows)}</table>' if rows else "<p>Its concepts live in the entity registry.</p>"
        comment = self.g.value(scheme, RDFS.comment)
        return (f'<section class="entity" id="{_e(_local(str(scheme)))}"><h3>{_e(self.onto.label(str(scheme)))} '
                f'<small>(concept scheme)</small></h3><div class="iri">{_e(scheme)}</div>'
                + (f"<p>{_e(comment)}</p>" if comment else "") + body + "</section>")

    def shapes_section(self) -> str:
        out = []
        for s in sorted({s for s in self.shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}, key=str):
            targets = self.links(self.shapes.objects(s, SH.targetClass))
            messages = sorted({str(m) for m in self.shapes.objects(s, SH.message)} |
                              {str(m) for ps in self.shapes.objects(s, SH.property) for m in self.shapes.objects(ps, SH.message)})
            items = "".join(f"<li>{_e(m)}</li>" for m in messages)
            out.append(f'<section class="entity" id="shape-{_e(_local(str(s)))}"><h3>{_e(_local(str(s)))} '
                       f'<small>(SHACL node shape)</small></h3><div class="iri">{_e(s)}</div>'
                       f"<p>{_e(self.shapes.value(s, RDFS.comment) or '')}</p>"
                       + (f"<p>Targets: {targets}</p>" if targets else "<p>Used by other shapes.</p>")
                       + (f"<ul>{items}</ul>" if items else "") + "</section>")
        return "".join(out)

    def render(self) -> str:
        g = self.g
        ont = URIRef(ONTOLOGY_IRI)
        title = g.value(ont, URIRef(DCTERMS_NS + "title")) or g.value(ont, RDFS.label) or "Ontology"
        meta_rows = [
            ("IRI", f"<code>{_e(ont)}</code>"),
            ("version", _e(g.value(ont, OWL.versionInfo) or "")),
            ("version IRI", f"<code>{_e(g.value(ont, OWL.versionIRI) or '')}</code>"),
            ("preferred prefix", f"<code>{_e(g.value(ont, URIRef(VANN_NS + 'preferredNamespacePrefix')) or '')}:</code> = "
                                 f"<code>{_e(g.value(ont, URIRef(VANN_NS + 'preferredNamespaceUri')) or '')}</code>"),
            ("created", _e(g.value(ont, URIRef(DCTERMS_NS + "created")) or "")),
            ("creator", _e(g.value(ont, URIRef(DCTERMS_NS + "creator")) or "")),
            ("licence", self.link(g.value(ont, URIRef(DCTERMS_NS + "license")))),
            ("files", '<a href="tradekg.ttl">Turtle</a> · <a href="tradekg.owl">RDF/XML (Protégé)</a> · '
                      '<a href="shapes.ttl">SHACL shapes</a>'),
        ]
        classes = self.terms_of(OWL.Class)
        objprops = self.terms_of(OWL.ObjectProperty)
        dataprops = self.terms_of(OWL.DatatypeProperty)
        annprops = self.terms_of(OWL.AnnotationProperty)
        schemes = self.terms_of(SKOS.ConceptScheme)
        nav = "".join(f'<li><a href="#{_e(_local(str(c)))}">{_e(self.onto.label(str(c)))}</a></li>' for c in classes)
        sections = [
            f"<h1>{_e(title)}</h1>",
            f"<p>{_e(g.value(ont, RDFS.comment) or '')}</p>",
            f'<table class="meta">{"".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in meta_rows)}</table>',
            '<h2 id="diagram">Class diagram</h2>',
            "<p>The classes of the ontology, each a box in its display colour; a line joins a class to its "
            "superclass on the left (dashed: a second superclass). Click a class for its details.</p>",
            class_diagram(self.onto),
            f'<h2 id="classes">Classes ({len(classes)})</h2><nav><ul>{nav}</ul></nav>',
            *(self.class_section(c) for c in classes),
            f'<h2 id="object-properties">Object properties ({len(objprops)})</h2>',
            *(self.property_section(p, "object property") for p in objprops),
            f'<h2 id="datatype-properties">Datatype properties ({len(dataprops)})</h2>',
            *(self.property_section(p, "datatype property") for p in dataprops),
            f'<h2 id="annotation-properties">Annotation properties ({len(annprops)})</h2>',
            *(self.property_section(p, "annotation property") for p in annprops),
            f'<h2 id="vocabularies">Vocabularies ({len(schemes)})</h2>',
            *(self.scheme_section(s) for s in schemes),
            '<h2 id="shapes">Constraints (SHACL shapes)</h2>',
            "<p>What the data must satisfy; <code>tradekg validate</code> checks it.</p>",
            self.shapes_section(),
            "<h2>Namespaces</h2>",
            '<table class="meta">' + "".join(f"<tr><th>{_e(p)}:</th><td><code>{_e(n)}</code></td></tr>"
                                            for p, n in sorted(self.nm.namespaces()) if p) + "</table>",
        ]
        return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
                f"<title>{_e(title)}</title><style>{CSS}</style></head><body>\n"
                + "\n".join(sections) + "\n</body></html>\n")


def render_html(onto: Ontology | None = None, shapes: Graph | None = None) -> str:
    """The documentation page as one self-contained HTML string."""
    onto = onto or load_ontology()
    if shapes is None:
        shapes = Graph()
        if SHAPES_FILE.exists():
            shapes.parse(SHAPES_FILE, format="turtle")
    return _Page(onto, shapes).render()
