"""The graph page without a browser: what is drawn, validity dates, escaping, views, refusals, offline assets."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from kg.cli import cli
from kg.namespaces import ONTOLOGY_FILE, TDO
from kg.ontology import load_ontology
from kg.store import open_store
from kg.viz.extract import StatusChange, extract, in_force_intervals, valid_on
from kg.viz.page import View, json_for_html, payload, render

TDR = "https://w3id.org/tradekg/resource/"
ISHIBA = TDR + "person/shigeru-ishiba"
JAPAN_TARIFF = TDR + "measure/us-reciprocal-tariff-japan-2025"
DATA_RE = re.compile(r'<script id="tradekg-data" type="application/json">(.*?)</script>', re.S)


def page_data(path: Path) -> dict[str, Any]:
    m = DATA_RE.search(path.read_text(encoding="utf-8"))
    assert m, f"{path} has no data block"
    return json.loads(m.group(1))


def run(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(cli, list(args))


@pytest.fixture(scope="module")
def corpus_page(corpus_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("viz") / "graph.html"
    result = CliRunner().invoke(cli, ["viz", "--store", str(corpus_store), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(rf"{re.escape(str(out))}: \d+ nodes, \d+ edges, \d+ evidence quotes\n", result.output)
    return out


@pytest.fixture(scope="module")
def extraction(corpus_store: Path) -> Any:
    return extract(open_store(corpus_store, read_only=True), load_ontology())


# ---- what is drawn ----------------------------------------------------------------------------

def test_hidden_classes_are_not_nodes(extraction: Any) -> None:
    """Post holdings, status changes, evidence and articles say displayInGraph false (or nothing): no nodes."""
    kinds = {n[len(TDR):].split("/", 1)[0] for n in extraction.graph}
    assert {"person", "post", "org", "jurisdiction", "event", "measure"} <= kinds
    assert not kinds & {"holding", "article"}
    assert not any("/status/" in n for n in extraction.graph)


def test_node_style_comes_from_the_ontology(corpus_page: Path) -> None:
    """Colours and shapes are the ontology's tdo:displayColor/displayShape, inherited along rdfs:subClassOf."""
    onto = Graph().parse(ONTOLOGY_FILE)
    data = page_data(corpus_page)
    by_label = {c["label"]: c for c in data["classes"]}
    assert by_label["tariff"]["color"] == str(onto.value(TDO.Tariff, TDO.displayColor))
    assert by_label["tariff"]["shape"] == str(onto.value(TDO.TradeMeasure, TDO.displayShape))  # inherited
    assert by_label["minister"]["color"] == str(onto.value(TDO.Official, TDO.displayColor))  # Minister has none
    assert by_label["minister"]["shape"] == str(onto.value(TDO.Person, TDO.displayShape))  # two levels up
    ishiba = next(n for n in data["nodes"] if n["iri"] == ISHIBA)
    assert data["classes"][ishiba["cls"]]["iri"] == str(TDO.HeadOfGovernment)
    relation_labels = {r["iri"]: r["label"] for r in data["relations"]}
    assert relation_labels[str(TDO.participant)] == str(onto.value(TDO.participant, URIRef(
        "http://www.w3.org/2000/01/rdf-schema#label")))


def test_post_holding_edge_carries_the_holding_dates(extraction: Any, corpus_store: Path) -> None:
    store = open_store(corpus_store, read_only=True)
    rows = list(store.query(f"SELECT ?start ?end WHERE {{ ?h tdo:holder <{ISHIBA}> ; "
                            f"tdo:post <{TDR}post/prime-minister-of-japan> ; tdo:startDate ?start . "
                            "OPTIONAL { ?h tdo:endDate ?end } }", union=False))  # the KG: each holding once
    expected = sorted([r["start"].value, r["end"].value if r["end"] else None] for r in rows)
    edge = extraction.graph.edges[ISHIBA, TDR + "post/prime-minister-of-japan", str(TDO.heldPost)]
    assert sorted(edge["valid"]) == expected
    assert all(f.startswith(TDR + "holding/") for f in edge["facts"])


def test_paused_tariff_is_hidden_during_the_pause(extraction: Any) -> None:
    valid = extraction.graph.nodes[JAPAN_TARIFF]["valid"]
    # read from the knowledge graph's derived validity: in effect on 2025-04-09 only; paused from 2025-04-10
    # until 2025-07-08 (004), paused again from 2025-07-09 until 2025-07-31 (018, EO 14316), replaced by the
    # 25% of the July 7 letter from 2025-08-01 (018)
    assert valid_on(valid, "2025-04-09")
    assert not valid_on(valid, "2025-05-01")
    assert not valid_on(valid, "2025-07-08")
    assert not valid_on(valid, "2025-07-20")  # the extended pause
    assert not valid_on(valid, "2025-08-05")  # superseded, not back in force
    assert not valid_on(valid, "2025-04-01")  # only announced


S = StatusChange


@pytest.mark.parametrize("changes, expected", [
    ([], None),
    ([S("a", "Announced", "2025-04-02")], []),
    ([S("e", "InEffect", "2025-04-05", in_force=True)], [["2025-04-05", None]]),
    ([S("e", "InEffect", "2025-04-09", in_force=True), S("p", "Paused", "2025-04-10", until="2025-07-08")],
     [["2025-04-09", "2025-04-09"], ["2025-07-09", None]]),
    ([S("e", "InEffect", "2025-04-09", in_force=True), S("p", "Paused", "2025-04-10", until="2025-07-08"),
      S("r", "Resumed", "2025-06-01", in_force=True)],
     [["2025-04-09", "2025-04-09"], ["2025-06-01", None]]),
    ([S("e", "InEffect", "2025-04-09", in_force=True), S("p", "Paused", "2025-04-10", until="2025-07-08"),
      S("x", "Revoked", "2025-08-01")],
     [["2025-04-09", "2025-04-09"], ["2025-07-09", "2025-07-31"]]),
    ([S("e", "InEffect", "2025-04-09", in_force=True), S("c", "Cut", "2025-05-14", in_force=True)],
     [["2025-04-09", None]]),
    ([S("p", "Paused", "2025-04-10")], []),  # paused with no term: not in force from then on
], ids=["no-changes", "announced-only", "in-effect", "pause-lapses", "resumed-early", "revoked-after-pause",
        "cut-stays-in-force", "open-pause"])
def test_in_force_intervals(changes: list[StatusChange], expected: Any) -> None:
    assert in_force_intervals(changes) == expected


def test_meetings_exist_from_their_date(extraction: Any) -> None:
    talks = extraction.graph.nodes[TDR + "event/us-japan-talks-2025-04-16"]
    assert talks["valid"] == [["2025-04-16", None]]


# ---- the HTML file ------------------------------------------------------------------------------

class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_page_loads_nothing_from_the_network(corpus_page: Path) -> None:
    text = corpus_page.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(text)
    scripts = [a for t, a in parser.tags if t == "script"]
    assert len(scripts) == 3 and not any("src" in a for a in scripts), "all scripts inline, none loaded"
    assert not [a for t, a in parser.tags if t in ("link", "img", "iframe", "object", "embed")]
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", text, re.I)
    assert "sourceMappingURL" not in text
    csp = next(a["content"] for t, a in parser.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp and "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-inline" not in csp.split(
        "script-src")[1].split(";")[0]
    assert "@version 9." in text  # vis-network itself is inlined


def test_data_block_cannot_be_broken_out_of() -> None:
    hostile = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">&amp;\u2028'
    text = json_for_html({"title": hostile})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"title": hostile}


def test_hostile_strings_stay_inside_the_data_block(corpus_store: Path) -> None:
    onto = load_ontology()
    ex = extract(open_store(corpus_store, read_only=True), onto)
    bad = "</script><script>alert(1)</script>"
    for n in ex.graph:
        ex.graph.nodes[n]["label"] = bad
    html = render(payload(ex, onto, {}, {}, View(f"Title {bad}", bad, bad)))
    assert html.count("</script>") == 3, "only the data, vis-network and page scripts end a script element"
    assert "<title>Title &lt;/script&gt;" in html
    m = DATA_RE.search(html)
    assert m and all(n["label"] == bad for n in json.loads(m.group(1))["nodes"])


def test_evidence_in_the_page(corpus_page: Path, corpus_store: Path) -> None:
    """Each quote of a node is the store's oa:exact for that fact, with the article's title, date and publisher."""
    data = page_data(corpus_page)
    node = next(n for n in data["nodes"] if n["iri"] == JAPAN_TARIFF)
    store = open_store(corpus_store, read_only=True)
    expected = {r["exact"].value for r in store.query(
        f"SELECT ?exact WHERE {{ ?ev a tdo:Evidence ; oa:hasBody ?b ; oa:hasTarget/oa:hasSelector/oa:exact ?exact . "
        f"FILTER(?b = <{JAPAN_TARIFF}> || EXISTS {{ ?b tdo:measure <{JAPAN_TARIFF}> }}) }}")}
    shown = {data["quotes"][i]["exact"] for i in node["ev"]}
    assert shown == expected
    for i in node["ev"]:
        article = data["articles"][data["quotes"][i]["article"]]
        assert article["title"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", article["date"]) and article["publisher"]
        assert article["url"] is None or article["url"].startswith(("http://", "https://"))


# ---- views and refusals ------------------------------------------------------------------------------

@pytest.mark.parametrize("entity", ["shigeru-ishiba", "Shigeru Ishiba", "person/shigeru-ishiba", ISHIBA, "Ishiba"],
                         ids=["id", "label", "kind-id", "iri", "alias"])
def test_focus_draws_the_ego_graph(runner: CliRunner, corpus_store: Path, extraction: Any, tmp_path: Path,
                                   entity: str) -> None:
    out = tmp_path / "focus.html"
    result = run(runner, "viz", "--store", str(corpus_store), "-o", str(out), "--focus", entity, "--depth", "1")
    assert result.exit_code == 0, result.output
    g = extraction.graph
    expected = {ISHIBA} | set(g.successors(ISHIBA)) | set(g.predecessors(ISHIBA))
    data = page_data(out)
    assert {n["iri"] for n in data["nodes"]} == expected
    assert data["view"]["title"] == "TradeKG graph: Shigeru Ishiba"


@pytest.mark.parametrize("entity, message", [
    ("nobody-at-all", "no entity in the graph matches 'nobody-at-all'"),
    ("statement of", "matches"),
], ids=["unknown", "ambiguous"])
def test_focus_on_unknown_or_ambiguous_entity(runner: CliRunner, corpus_store: Path, tmp_path: Path, entity: str,
                                              message: str) -> None:
    out = tmp_path / "x.html"
    result = run(runner, "viz", "--store", str(corpus_store), "-o", str(out), "--focus", entity)
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_query_view_draws_a_construct_result(runner: CliRunner, corpus_store: Path, tmp_path: Path) -> None:
    rq = tmp_path / "targets.rq"
    rq.write_text("CONSTRUCT { ?m tdo:targets ?j . ?m rdfs:label ?l } WHERE { ?m tdo:targets ?j ; rdfs:label ?l }\n",
                  encoding="utf-8")
    out = tmp_path / "q.html"
    result = run(runner, "viz", "--store", str(corpus_store), "-o", str(out), "--query", str(rq))
    assert result.exit_code == 0, result.output
    store = open_store(corpus_store, read_only=True)
    triples = {(r["m"].value, r["j"].value) for r in store.query("SELECT DISTINCT ?m ?j WHERE { ?m tdo:targets ?j }")}
    data = page_data(out)
    assert {n["iri"] for n in data["nodes"]} == {x for t in triples for x in t}
    assert {(data["nodes"][e["from"]]["iri"], data["nodes"][e["to"]]["iri"]) for e in data["edges"]} == triples
    tariff = next(n for n in data["nodes"] if n["iri"] == JAPAN_TARIFF)
    assert data["classes"][tariff["cls"]]["label"] == "tariff" and tariff["ev"], "class and evidence from the store"


def test_query_view_refuses_a_select(runner: CliRunner, corpus_store: Path, tmp_path: Path) -> None:
    rq = tmp_path / "select.rq"
    rq.write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1", encoding="utf-8")
    result = run(runner, "viz", "--store", str(corpus_store), "-o", str(tmp_path / "x.html"), "--query", str(rq))
    assert result.exit_code == 2
    assert "expected a CONSTRUCT or DESCRIBE query" in result.output and str(rq) in result.output


def test_big_graph_is_refused_and_the_old_page_kept(runner: CliRunner, corpus_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.html"
    out.write_text("previous page", encoding="utf-8")
    result = run(runner, "viz", "--store", str(corpus_store), "-o", str(out), "--max-nodes", "10")
    assert result.exit_code == 2
    assert "more than --max-nodes 10" in result.output and "--focus ENTITY --depth N" in result.output
    assert out.read_text(encoding="utf-8") == "previous page"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"], "no temporary file left behind"


def test_missing_store_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "viz", "--store", str(tmp_path / "nope"), "-o", str(tmp_path / "x.html"))
    assert result.exit_code == 2
    assert "no TradeKG store here" in result.output


def test_bench_page_has_the_requested_size(tmp_path: Path) -> None:
    from bench.page_bench import bench_page

    data = page_data(bench_page(120, tmp_path / "b.html"))
    assert len(data["nodes"]) == 120 and len(data["edges"]) == 2 * (120 - 2)
    assert all(isinstance(n["x"], float) for n in data["nodes"])


def test_layout_is_deterministic(corpus_store: Path, tmp_path: Path, corpus_page: Path) -> None:
    again = tmp_path / "again.html"
    CliRunner().invoke(cli, ["viz", "--store", str(corpus_store), "-o", str(again)])
    first, second = page_data(corpus_page), page_data(again)
    assert [(n["x"], n["y"], n["size"]) for n in first["nodes"]] == [(n["x"], n["y"], n["size"]) for n in second["nodes"]]


def test_unwritable_output_is_a_clear_error(runner: CliRunner, corpus_store: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run(runner, "viz", "--store", str(corpus_store), "-o", str(blocker / "graph.html"))
    assert result.exit_code == 2
    assert f"{blocker / 'graph.html'}: cannot write the page there" in result.output


def test_query_with_a_syntax_error(runner: CliRunner, corpus_store: Path, tmp_path: Path) -> None:
    rq = tmp_path / "broken.rq"
    rq.write_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ", encoding="utf-8")
    result = run(runner, "viz", "--store", str(corpus_store), "-o", str(tmp_path / "x.html"), "--query", str(rq))
    assert result.exit_code == 2
    assert f"{rq}: the query failed" in result.output
    assert not (tmp_path / "x.html").exists()


class _KGOnly:
    """A store that refuses queries over the union of the named graphs (the KG is the default graph)."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def query(self, sparql: str, substitutions: Any = None, union: bool = True) -> Any:
        assert not union, f"read the union of the named graphs: {sparql[:120]}"
        return self._store.query(sparql, substitutions, union=False)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_page_and_analysis_read_the_knowledge_graph(corpus_store: Path, tmp_path: Path) -> None:
    """Issue 16 point 6: the graph page, `analyze` and `analyze --path` read entities, facts and edges from
    the knowledge graph (the default graph) and evidence from the article graphs by GRAPH patterns, never
    the union of the named graphs with their own deduplication; the page is the one the union gave
    (tests/drawn.py asks the named graphs)."""
    from kg.analyze import analyse, path_between
    from kg.viz import graph_page

    store = _KGOnly(open_store(corpus_store, read_only=True))
    report = graph_page(store, tmp_path / "g.html")  # type: ignore[arg-type]
    assert report.nodes > 0 and report.edges > 0 and report.quotes > 0
    assert analyse(store)["nodes"] == report.nodes  # type: ignore[arg-type]
    steps = path_between(store, "shigeru-ishiba", "howard-lutnick")["steps"]  # type: ignore[arg-type]
    assert any(link["quote"] for s in steps for link in s.get("links", []))
