"""Conformance with RDF tools this project did not write.

- Every export format (written by Oxigraph) is parsed by rdflib and by Debian's ``rapper`` (raptor2) and
  gives the same graphs as Oxigraph's own parser; every format written by rdflib is parsed by Oxigraph
  (and rapper) and gives rdflib's graphs back.
- The ontology's RDF/XML (for Protégé) reads back, in rapper, rdflib and owlready2, as the Turtle ontology.
- The library queries (queries/*.rq) and some fixed SELECTs, run by a second SPARQL engine (rdflib over
  the exported TriG, default graph = union) give the same answers as ``tradekg query`` on the store.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import OWL, RDF, XSD

from kg.cli import cli
from kg.namespaces import ONTOLOGY_FILE, ONTOLOGY_GRAPH, PREFIXES
from kg.ontology import load_ontology
from kg.query import load_library

EXT = {"turtle": "ttl", "trig": "trig", "nquads": "nq", "ntriples": "nt", "jsonld": "jsonld"}
OX = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS,
      "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
RDFLIB = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}
RAPPER = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "ntriples": "ntriples", "rdfxml": "rdfxml"}
DATASET = {"trig", "nquads", "jsonld-dataset"}
FORMATS = list(EXT)
needs_rapper = pytest.mark.skipif(shutil.which("rapper") is None, reason="rapper (raptor2-utils) not installed; .ci/run installs it")

Graphs = dict[str, Graph]  # graph name ("" = default graph) -> triples


# ---- turning each parser's output into comparable rdflib graphs ---------------

def _norm(t: Any) -> Any:
    """RDF 1.1: "x" and "x"^^xsd:string are the same literal."""
    if isinstance(t, Literal) and t.datatype == XSD.string:
        return Literal(str(t))
    return t


def _from_ox(t: Any) -> Any:
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    return _norm(Literal(t.value, datatype=URIRef(t.datatype.value)))


def by_oxigraph(path: Path, fmt: str) -> Graphs:
    out: Graphs = {}
    for q in ox.parse(path=str(path), format=OX[fmt]):
        name = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        out.setdefault(name, Graph()).add((_from_ox(q.subject), _from_ox(q.predicate), _from_ox(q.object)))
    return out


def by_rdflib(path: Path, fmt: str) -> Graphs:
    ds = Dataset()
    ds.parse(path, format=RDFLIB[fmt])
    out: Graphs = {}
    for s, p, o, g in ds.quads():
        name = "" if g is None or str(g) == "urn:x-rdflib:default" else str(g)
        out.setdefault(name, Graph()).add((_norm(s), p, _norm(o)))
    return out


def by_rapper(path: Path, fmt: str, tmp: Path) -> Graphs:
    """rapper parses the file and writes N-Quads, which Oxigraph reads (only a line format in between)."""
    proc = subprocess.run(["rapper", "-q", "-i", RAPPER[fmt], "-o", "nquads", str(path)],
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    out_file = tmp / f"rapper-{path.name}.nq"
    out_file.write_bytes(proc.stdout)
    return by_oxigraph(out_file, "nquads")


def union(graphs: Graphs) -> Graph:
    g = Graph()
    for part in graphs.values():
        for t in part:
            g.add(t)
    return g


def assert_iso(a: Graph, b: Graph, what: str) -> None:
    if isomorphic(a, b):
        return
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    raise AssertionError(f"{what}: {len(only_a)} triples only in the first, {len(only_b)} only in the second; e.g. "
                         f"{sorted(only_a)[:3]} / {sorted(only_b)[:3]}")


def assert_same(a: Graphs, b: Graphs, fmt: str, what: str) -> None:
    if fmt in DATASET:
        assert sorted(k for k, g in a.items() if len(g)) == sorted(k for k, g in b.items() if len(g)), what
        for name in a:
            assert_iso(a[name], b[name], f"{what}, graph {name or '(default)'}")
    else:
        assert_iso(union(a), union(b), what)


# ---- fixtures -------------------------------------------------------------------

@pytest.fixture(scope="module")
def exports(corpus_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The corpus exported by `tradekg export` in every format (everything: --all)."""
    from click.testing import CliRunner

    d = tmp_path_factory.mktemp("exports")
    out = {}
    for fmt, ext in EXT.items():
        path = d / f"corpus.{ext}"
        result = CliRunner().invoke(cli, ["export", "--store", str(corpus_store), "-o", str(path), "--all"])
        assert result.exit_code == 0, result.output
        out[fmt] = path
    return out


@pytest.fixture(scope="module")
def rdflib_written(exports: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same data written by rdflib's serializers."""
    d = tmp_path_factory.mktemp("rdflib-written")
    ds = Dataset()
    ds.parse(exports["nquads"], format="nquads")
    g = Graph()
    for s, p, o, _ in ds.quads():
        g.add((s, p, o))
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri, override=True)
        ds.bind(prefix, iri, override=True)
    out = {}
    for fmt, ext in EXT.items():
        path = d / f"rdflib.{ext}"
        if fmt in ("trig", "nquads"):
            ds.serialize(path, format=RDFLIB[fmt], encoding="utf-8")
        else:
            g.serialize(path, format=RDFLIB[fmt], encoding="utf-8")
        out[fmt] = path
    return out


# ---- parsers other than the writer -----------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS, ids=FORMATS)
def test_rdflib_reads_what_oxigraph_wrote(exports: dict[str, Path], fmt: str) -> None:
    reference = by_oxigraph(exports[fmt], fmt)
    assert sum(len(g) for g in reference.values()) > 1000
    assert_same(by_rdflib(exports[fmt], fmt), reference, fmt, f"rdflib vs Oxigraph on {exports[fmt].name}")


@needs_rapper
@pytest.mark.parametrize("fmt", [f for f in FORMATS if f in RAPPER], ids=[f for f in FORMATS if f in RAPPER])
def test_rapper_reads_what_oxigraph_wrote(exports: dict[str, Path], fmt: str, tmp_path: Path) -> None:
    assert_same(by_rapper(exports[fmt], fmt, tmp_path), by_oxigraph(exports[fmt], fmt), fmt,
                f"rapper vs Oxigraph on {exports[fmt].name}")


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMATS)
def test_oxigraph_reads_what_rdflib_wrote(rdflib_written: dict[str, Path], fmt: str) -> None:
    assert_same(by_oxigraph(rdflib_written[fmt], fmt), by_rdflib(rdflib_written[fmt], fmt), fmt,
                f"Oxigraph vs rdflib on {rdflib_written[fmt].name}")


@needs_rapper
@pytest.mark.parametrize("fmt", [f for f in FORMATS if f in RAPPER], ids=[f for f in FORMATS if f in RAPPER])
def test_rapper_reads_what_rdflib_wrote(rdflib_written: dict[str, Path], fmt: str, tmp_path: Path) -> None:
    assert_same(by_rapper(rdflib_written[fmt], fmt, tmp_path), by_rdflib(rdflib_written[fmt], fmt), fmt,
                f"rapper vs rdflib on {rdflib_written[fmt].name}")


def test_triple_exports_are_the_knowledge_graph_of_the_dataset(exports: dict[str, Path]) -> None:
    """Turtle, N-Triples and JSON-LD hold exactly the knowledge graph (TriG's default graph) and, with --all,
    the ontology graph TriG holds."""
    graphs = by_oxigraph(exports["trig"], "trig")
    expected = union({name: graphs[name] for name in ("", str(ONTOLOGY_GRAPH))})
    for fmt in ("turtle", "ntriples", "jsonld"):
        assert_iso(union(by_rdflib(exports[fmt], fmt)), expected, f"{fmt} vs the TriG's knowledge graph and ontology")


# ---- the ontology for Protégé --------------------------------------------------

@pytest.fixture(scope="module")
def ontology_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    d = tmp_path_factory.mktemp("ontology")
    result = CliRunner().invoke(cli, ["export-ontology", "-o", str(d)])
    assert result.exit_code == 0, result.output
    return d


def test_export_ontology_writes_its_files(ontology_dir: Path) -> None:
    assert sorted(p.name for p in ontology_dir.iterdir()) == ["index.html", "shapes.ttl", "tradekg.owl", "tradekg.ttl"]
    assert (ontology_dir / "tradekg.ttl").read_bytes() == ONTOLOGY_FILE.read_bytes()


def test_rdf_xml_is_the_ontology_for_rdflib_and_rapper(ontology_dir: Path, tmp_path: Path) -> None:
    turtle = by_oxigraph(ONTOLOGY_FILE, "turtle")
    owl = ontology_dir / "tradekg.owl"
    assert_same(by_rdflib(owl, "rdfxml"), turtle, "rdfxml", "rdflib reading tradekg.owl vs the Turtle ontology")
    if shutil.which("rapper"):
        assert_same(by_rapper(owl, "rdfxml", tmp_path), turtle, "rdfxml", "rapper reading tradekg.owl")


def test_owlready2_loads_the_rdf_xml_like_protege_would(ontology_dir: Path) -> None:
    import owlready2

    world = owlready2.World()
    onto = world.get_ontology((ontology_dir / "tradekg.owl").as_uri()).load()
    names = {c.name for c in onto.classes()}
    expected = set(load_ontology().tdo_classes())
    assert expected <= names, f"classes owlready2 did not see: {expected - names}"
    assert {p.name for p in onto.object_properties()} >= {"holder", "participant", "imposedBy", "measure"}


def test_html_page_documents_every_term_offline(ontology_dir: Path) -> None:
    page = (ontology_dir / "index.html").read_text(encoding="utf-8")
    onto = load_ontology()
    g = onto.graph
    for cls in onto.tdo_classes():
        assert f'id="{cls}"' in page, f"class {cls} has no section"
        assert f'href="#{cls}"' in page
    for p in set(g.subjects(RDF.type, OWL.ObjectProperty)) | set(g.subjects(RDF.type, OWL.DatatypeProperty)):
        local = str(p).rsplit("#", 1)[-1]
        assert f'id="{local}"' in page, f"property {local} has no section"
    svg = re.search(r"<svg .*?</svg>", page, flags=re.S)
    assert svg is not None, "no inline SVG class diagram"
    assert len(re.findall(r"<rect ", svg.group(0))) == len(onto.tdo_classes())
    # nothing loaded from the network: no scripts, stylesheets or images by URL
    assert "<script" not in page
    assert not re.search(r'<(link|img|iframe)\b', page)
    assert "tds:MeetingShape" not in page and 'id="shape-MeetingShape"' in page


# ---- a second SPARQL engine ------------------------------------------------------

FIXED_SELECTS = {
    "quads-per-graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "officials-and-posts": """SELECT ?person ?name ?post ?start ?end WHERE {
        ?person a tdo:Official ; rdfs:label ?name .
        ?h tdo:holder ?person ; tdo:post ?post ; tdo:startDate ?start .
        OPTIONAL { ?h tdo:endDate ?end } }""",
    "quotes-per-fact": """SELECT ?fact ?file ?quote WHERE { GRAPH ?g {
        ?ev a tdo:Evidence ; oa:hasBody ?fact ; oa:hasTarget ?t .
        ?t oa:hasSource/tdo:sourceFile ?file ; oa:hasSelector/oa:exact ?quote } }""",  # the evidence: article graphs
    "tariffs-at-least-10": """SELECT DISTINCT ?t ?rate ?imposer WHERE {
        ?t a tdo:Tariff ; tdo:ratePercent ?rate ; tdo:imposedBy ?imposer FILTER(?rate >= 10) }""",
    "meetings-per-month": """SELECT ?month (COUNT(DISTINCT ?m) AS ?meetings) (MAX(?d) AS ?last) WHERE {
        ?m a tdo:Meeting ; tdo:date ?d BIND(SUBSTR(STR(?d), 1, 7) AS ?month) } GROUP BY ?month""",
    "statements-not-in-parliament": """SELECT DISTINCT ?s ?speaker WHERE {
        ?s a tdo:Statement ; tdo:speaker ?speaker FILTER NOT EXISTS { ?s tdo:channel tdo:Parliament } }""",
}


def _example_params(q: Any) -> dict[str, str]:
    """Each parameter bound to the example its header gives ('e.g. VALUE')."""
    out = {}
    for p in q.params:
        m = re.search(r"e\.g\.\s+(\S+)", p.description)
        if m:
            out[p.name] = m.group(1).rstrip(",;")
    return out


def _library_cases() -> list[tuple[str, dict[str, str]]]:
    cases = []
    for name, q in sorted(load_library().items()):
        params = _example_params(q)
        if all(p.name in params or p.optional or p.default is not None for p in q.params):
            cases.append((name, params))
            if any(p.optional for p in q.params):
                cases.append((name, {k: v for k, v in params.items() if not q.param(k).optional}))  # type: ignore[union-attr]
    return cases


LIBRARY_CASES = _library_cases()


def _key(term: Any) -> str:
    """A comparable form of a result term; numbers by value, blank nodes all alike."""
    if term is None:
        return "UNBOUND"
    if isinstance(term, BNode):
        return "_:b"
    if isinstance(term, Literal):
        dt = str(term.datatype) if term.datatype else ""
        if dt.startswith(str(XSD)) and dt[len(str(XSD)):] in ("integer", "decimal", "double", "float", "int", "long"):
            try:
                return f"number:{Decimal(str(term))}".rstrip("0").rstrip(".")
            except InvalidOperation:
                pass
        return f"{term!s}|{term.language or ''}|{'' if dt == str(XSD.string) else dt}"
    return str(term)


def _from_json(b: dict[str, str] | None) -> Any:
    if b is None:
        return None
    if b["type"] == "uri":
        return URIRef(b["value"])
    if b["type"] == "bnode":
        return BNode(b["value"])
    return Literal(b["value"], lang=b.get("xml:lang"), datatype=URIRef(b["datatype"]) if "datatype" in b else None)


@pytest.fixture(scope="module")
def second_engine(exports: dict[str, Path]) -> Dataset:
    ds = Dataset(default_union=True)
    ds.parse(exports["trig"], format="trig")
    return ds


_CONCAT_RE = re.compile(r'GROUP_CONCAT\s*\((?:DISTINCT\s+)?\?\w+\s*;\s*separator\s*=\s*"([^"]*)"\s*\)\s*AS\s+\?(\w+)',
                        flags=re.I)


def _concat_columns(text: str) -> dict[str, str]:
    """Variables that are GROUP_CONCATs, with their separators: SPARQL leaves the order of the parts open."""
    return {var: sep for sep, var in _CONCAT_RE.findall(text)}


def _row(values: dict[str, Any], names: list[str], concat: dict[str, str]) -> tuple[str, ...]:
    out = []
    for v in names:
        k = _key(values.get(v))
        if v in concat and isinstance(values.get(v), Literal):
            k = concat[v].join(sorted(str(values[v]).split(concat[v]))) + "|concat"
        out.append(k)
    return tuple(out)


def _with_values(text: str, bindings: dict[str, Any]) -> str:
    """The query with its parameters as a VALUES block at the start of the outer WHERE.

    rdflib's initBindings do not reach into property paths early enough: one library query took 520 s
    that way and 1 s with VALUES, which has the same meaning as Oxigraph's substitutions here.
    """
    if not bindings:
        return text
    names = " ".join(f"?{k}" for k in bindings)
    row = " ".join(v.n3() for v in bindings.values())
    block = f" VALUES ({names}) {{ ({row}) }} "
    new, n = re.subn(r"(?i)\bWHERE\s*\{", lambda m: m.group(0) + block, text, count=1)
    assert n == 1, "no WHERE { in the query"
    return new


def _tradekg_query(runner: Any, store: Path, text_or_name: str, params: dict[str, str]) -> tuple[list[str], list[tuple[str, ...]]]:
    args = ["query", text_or_name, "--store", str(store), "-f", "json"]
    for k, v in params.items():
        args += ["--param", f"{k}={v}"]
    result = runner.invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    if "boolean" in data:
        return ["ask"], [(str(data["boolean"]),)]
    names = data["head"]["vars"]
    text = load_library()[text_or_name].text if text_or_name in load_library() else text_or_name
    concat = _concat_columns(text)
    rows = [_row({v: _from_json(row.get(v)) for v in names}, names, concat) for row in data["results"]["bindings"]]
    return names, sorted(rows)


def _rdflib_query(ds: Dataset, text: str, params: dict[str, Any], names: list[str]) -> list[tuple[str, ...]]:
    result = ds.query(_with_values(text, params), initNs=PREFIXES)
    if result.type == "ASK":
        return [(str(result.askAnswer),)]
    concat = _concat_columns(text)
    return sorted(_row({v: row[v] for v in names}, names, concat) for row in result)


def _rdflib_bindings(q: Any, params: dict[str, str]) -> dict[str, Any]:
    from kg.query import bind

    out = {}
    for k, term in bind(q, params).items():
        out[k] = URIRef(term.value) if isinstance(term, ox.NamedNode) else _from_ox(term)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name,params", LIBRARY_CASES,
                         ids=[f"{n}{'+' + ','.join(p) if p else ''}" for n, p in LIBRARY_CASES])
def test_library_query_same_answers_in_rdflib(runner, corpus_store: Path, second_engine: Dataset, name: str,
                                              params: dict[str, str]) -> None:
    q = load_library()[name]
    names, expected = _tradekg_query(runner, corpus_store, name, params)
    got = _rdflib_query(second_engine, q.text, _rdflib_bindings(q, params), names)
    assert got == expected, f"{name} {params}: rdflib gave {len(got)} rows, tradekg query {len(expected)}"


def test_library_has_queries_to_compare() -> None:
    assert len(LIBRARY_CASES) >= 5, "the query library is (nearly) empty"


@pytest.mark.parametrize("name", sorted(FIXED_SELECTS), ids=sorted(FIXED_SELECTS))
def test_fixed_select_same_answers_in_rdflib(runner, corpus_store: Path, second_engine: Dataset, name: str) -> None:
    text = FIXED_SELECTS[name]
    names, expected = _tradekg_query(runner, corpus_store, text, {})
    assert expected, f"{name} returned nothing; the comparison would be vacuous"
    got = _rdflib_query(second_engine, text, {}, names)
    assert got == expected
