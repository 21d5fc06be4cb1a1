"""tradekg export / import: formats, graph selection, round trips (blank nodes included), stability, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.build import build
from kg.cli import cli
from kg.namespaces import META_GRAPH, ONTOLOGY_GRAPH, PREFIXES, REGISTRY_GRAPH, article_graph, article_inferred_graph
from kg.store import open_store

from .conftest import SEED_ID

RDFLIB_FORMAT = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "ntriples": "nt", "jsonld": "json-ld"}
EXT = {"turtle": "ttl", "trig": "trig", "nquads": "nq", "ntriples": "nt", "jsonld": "jsonld"}
ALL_FORMATS = list(EXT)

BNODE_TRIG = """\
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:alice ex:knows [ ex:name "Bob" ; ex:knows [ ex:name "Carol"@en ] ] ;
    ex:list ( 1 2.5 "three" ) .
_:shared ex:age "42"^^xsd:integer .
ex:g1 { ex:alice ex:said _:s . _:s ex:text "hello\\nworld" ; ex:to _:shared2 . }
ex:g2 { _:shared2 ex:name "Dan" . ex:dan ex:knows [ ex:name "Eve" ] . }
"""


def graph_of(path: Path, fmt: str) -> Graph:
    g = Graph()
    g.parse(path, format=RDFLIB_FORMAT[fmt])
    return g


def dataset_of(path: Path, fmt: str) -> Dataset:
    ds = Dataset()
    ds.parse(path, format=RDFLIB_FORMAT[fmt])
    return ds


def graphs_by_name(ds: Dataset) -> dict[str, Graph]:
    out: dict[str, Graph] = {}
    for ctx in ds.graphs():
        if len(ctx):
            g = Graph()
            for t in ctx:
                g.add(t)
            out[str(ctx.identifier)] = g
    return out


def assert_same_dataset(a: Dataset, b: Dataset) -> None:
    ga, gb = graphs_by_name(a), graphs_by_name(b)
    assert sorted(ga) == sorted(gb), "the two files name different graphs"
    for name in ga:
        assert isomorphic(ga[name], gb[name]), f"graph {name} differs"


def export(runner, store: Path, out: Path, *extra: str) -> None:
    result = runner.invoke(cli, ["export", "--store", str(store), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    assert out.is_file()


def import_(runner, file: Path, store: Path, *extra: str):
    return runner.invoke(cli, ["import", str(file), "--store", str(store), *extra])


@pytest.mark.parametrize("fmt", ALL_FORMATS, ids=ALL_FORMATS)
def test_round_trip_of_the_corpus_is_isomorphic(runner, corpus_store: Path, tmp_path: Path, fmt: str) -> None:
    """export -> import into an empty store -> export gives the same graph(s)."""
    first = tmp_path / f"first.{EXT[fmt]}"
    export(runner, corpus_store, first)
    result = import_(runner, first, tmp_path / "store2")
    assert result.exit_code == 0, result.output
    second = tmp_path / f"second.{EXT[fmt]}"
    export(runner, tmp_path / "store2", second)
    if fmt in ("trig", "nquads"):
        assert_same_dataset(dataset_of(first, fmt), dataset_of(second, fmt))
    else:
        assert isomorphic(graph_of(first, fmt), graph_of(second, fmt))
    assert len(graph_of(first, fmt) if fmt not in ("trig", "nquads") else dataset_of(first, fmt)) > 1000


@pytest.mark.parametrize("fmt", ALL_FORMATS, ids=ALL_FORMATS)
def test_round_trip_keeps_blank_nodes(runner, tmp_path: Path, fmt: str) -> None:
    """A file with blank nodes (nested, lists, shared across graphs) survives export -> import."""
    src = tmp_path / "bnodes.trig"
    src.write_text(BNODE_TRIG, encoding="utf-8")
    assert import_(runner, src, tmp_path / "s1").exit_code == 0
    exported = tmp_path / f"out.{EXT[fmt]}"
    export(runner, tmp_path / "s1", exported)
    assert import_(runner, exported, tmp_path / "s2").exit_code == 0
    again = tmp_path / f"again.{EXT[fmt]}"
    export(runner, tmp_path / "s2", again)
    original = Dataset()
    original.parse(src, format="trig")
    if fmt in ("trig", "nquads"):
        assert_same_dataset(original, dataset_of(exported, fmt))
        assert_same_dataset(dataset_of(exported, fmt), dataset_of(again, fmt))
    else:  # a format of triples holds the default graph (the knowledge graph of a TradeKG store)
        default = Graph()
        for s, p, o in original.default_graph:
            default.add((s, p, o))
        assert isomorphic(default, graph_of(exported, fmt))
        assert isomorphic(graph_of(exported, fmt), graph_of(again, fmt))


def test_turtle_is_byte_stable_and_uses_the_ontology_prefixes(runner, corpus_copy: Path, tmp_path: Path) -> None:
    """Same store -> identical bytes; a second store built from the same articles -> identical bytes."""
    a, b, c = tmp_path / "a.ttl", tmp_path / "b.ttl", tmp_path / "c.ttl"
    first, other = tmp_path / "first-store", tmp_path / "other-store"
    build([corpus_copy], first)
    build([corpus_copy], other)
    export(runner, first, a)
    export(runner, first, b)
    export(runner, other, c)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() == c.read_bytes()
    declared = dict(re.findall(r"^@prefix (\w*): <([^>]*)> \.$", a.read_text(encoding="utf-8"), flags=re.M))
    assert declared == PREFIXES


def test_default_selection_is_asserted_data_only(runner, corpus_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.trig"
    export(runner, corpus_store, out)
    names = set(graphs_by_name(dataset_of(out, "trig")))
    store = open_store(corpus_store, read_only=True)
    try:
        articles = {g for g in store.named_graphs() if g.startswith(article_graph("x")[:-1]) and not g.endswith("/inferred")}
    finally:
        store.close()
    assert article_graph(SEED_ID) in articles
    assert names == {str(DATASET_DEFAULT_GRAPH_ID), str(REGISTRY_GRAPH)} | articles


def test_include_flags_add_entailments_ontology_and_manifest(runner, corpus_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "inf.trig"
    export(runner, corpus_store, out, "--include-inferred", "--include-ontology")
    names = set(graphs_by_name(dataset_of(out, "trig")))
    assert {article_inferred_graph(SEED_ID), str(ONTOLOGY_GRAPH)} <= names
    assert str(META_GRAPH) not in names
    full = tmp_path / "all.nq"
    export(runner, corpus_store, full, "--all")
    store = open_store(corpus_store, read_only=True)
    try:
        assert set(graphs_by_name(dataset_of(full, "nquads"))) == {*store.named_graphs(), str(DATASET_DEFAULT_GRAPH_ID)}
        assert sum(1 for _ in dataset_of(full, "nquads").quads()) == store.quad_count()
    finally:
        store.close()


def test_one_article_graph(runner, corpus_store: Path, tmp_path: Path) -> None:
    """--graph ARTICLE gives exactly that article's named graph."""
    out = tmp_path / "one.ttl"
    export(runner, corpus_store, out, "--graph", SEED_ID)
    store = open_store(corpus_store, read_only=True)
    try:
        expected = Graph()
        for q in store.quads(article_graph(SEED_ID)):
            expected.parse(data=ox.serialize([q.triple], None, ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    finally:
        store.close()
    assert isomorphic(graph_of(out, "turtle"), expected)


def test_stdout_export(runner, corpus_store: Path) -> None:
    result = runner.invoke(cli, ["export", "--store", str(corpus_store), "-o", "-", "--format", "ntriples",
                                 "--graph", SEED_ID])
    assert result.exit_code == 0
    g = Graph().parse(data=result.stdout, format="nt")
    assert (None, None, URIRef("https://w3id.org/tradekg/ontology#Tariff")) in g


def test_unknown_extension_and_unknown_article_write_nothing(runner, corpus_store: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["export", "--store", str(corpus_store), "-o", str(tmp_path / "x.txt")])
    assert result.exit_code == 2
    assert "x.txt" in result.output and "--format" in result.output
    assert not (tmp_path / "x.txt").exists()
    keep = tmp_path / "keep.ttl"
    keep.write_text("old content\n")
    result = runner.invoke(cli, ["export", "--store", str(corpus_store), "-o", str(keep), "--graph", "no-such-article"])
    assert result.exit_code == 2
    assert "no-such-article" in result.output
    assert keep.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.ttl"]


def test_broken_import_names_line_and_column_and_changes_nothing(runner, tmp_path: Path) -> None:
    store = tmp_path / "s"
    good = tmp_path / "good.ttl"
    good.write_text('<http://example.org/a> <http://example.org/p> "x" .\n')
    assert import_(runner, good, store).exit_code == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text('<http://example.org/b> <http://example.org/p> "y" .\n'
                   '<http://example.org/c> <http://example.org/p> "unterminated .\n')
    result = import_(runner, bad, store)
    assert result.exit_code == 2
    assert f"{bad}:2:" in result.output, result.output
    s = open_store(store, read_only=True)
    try:
        assert s.quad_count() == 1
    finally:
        s.close()


def test_import_into_a_named_graph_and_refusals(runner, tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    good.write_text('<http://example.org/a> <http://example.org/p> "x" .\n')
    result = import_(runner, good, tmp_path / "s", "--graph", "http://example.org/g")
    assert result.exit_code == 0, result.output
    s = open_store(tmp_path / "s", read_only=True)
    try:
        assert s.named_graphs() == ["http://example.org/g"]
    finally:
        s.close()
    trig = tmp_path / "x.trig"
    trig.write_text("<http://example.org/g> { <http://example.org/a> <http://example.org/p> 1 . }\n")
    result = import_(runner, trig, tmp_path / "s", "--graph", "http://example.org/g")
    assert result.exit_code == 2 and "names its own graphs" in result.output
    result = import_(runner, tmp_path / "missing.ttl", tmp_path / "s")
    assert result.exit_code == 2 and "no such file" in result.output


@pytest.mark.server
def test_export_from_a_sparql_endpoint_matches_the_embedded_export(runner, corpus_store: Path, tmp_path: Path) -> None:
    """The exporter only uses store methods a remote store also has: an Oxigraph server gives the same TriG bytes."""
    import shutil
    import socket
    import subprocess
    import time

    import httpx

    exe = shutil.which("oxigraph") or str(Path(__import__("sys").executable).parent / "oxigraph")
    if not Path(exe).exists():
        pytest.skip("the oxigraph server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([exe, "serve-read-only", "--location", str(corpus_store), "--bind", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        local, remote = tmp_path / "local.trig", tmp_path / "remote.trig"
        export(runner, corpus_store, local)
        result = runner.invoke(cli, ["export", "--endpoint", f"http://127.0.0.1:{port}/query", "-o", str(remote)])
        assert result.exit_code == 0, result.output
        assert remote.read_bytes() == local.read_bytes()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_import_of_a_missing_file_creates_no_store(runner, tmp_path: Path) -> None:
    result = import_(runner, tmp_path / "missing.nq", tmp_path / "new-store")
    assert result.exit_code == 2
    assert not (tmp_path / "new-store").exists()


def _quads(store_path: Path, default_only: bool = False) -> set[str]:
    db = ox.Store.read_only(str(store_path))
    graph = ox.DefaultGraph() if default_only else None
    return {str(q) for q in db.quads_for_pattern(None, None, None, graph)}


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld"])
def test_a_format_of_triples_is_the_knowledge_graph(runner, corpus_store: Path, tmp_path: Path, fmt: str) -> None:
    """Issue 16 point 6: Turtle, N-Triples and JSON-LD export the knowledge graph (the store's default graph),
    not the union of the named graphs (which holds the articles' evidence layer), and say so."""
    out = tmp_path / f"kg.{EXT[fmt]}"
    result = runner.invoke(cli, ["export", "--store", str(corpus_store), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert re.search(rf"\d+ triples: the knowledge graph \({fmt}\)", result.output), result.output
    db = ox.Store.read_only(str(corpus_store))
    kg = ox.serialize([q.triple for q in db.quads_for_pattern(None, None, None, ox.DefaultGraph())], None,
                      ox.RdfFormat.N_TRIPLES)
    expected = Graph().parse(data=kg.decode(), format="nt")
    assert len(expected) > 1000
    assert isomorphic(graph_of(out, fmt), expected)


@pytest.mark.parametrize("everything", [False, True], ids=["default", "all"])
def test_trig_export_reimported_gives_the_same_quads(runner, corpus_store: Path, tmp_path: Path, everything: bool) -> None:
    """Issue 16 point 6: a TriG export holds the knowledge graph as its default graph beside the article graphs;
    imported into an empty store it gives the same quads (with --all: the whole store)."""
    out = tmp_path / "dump.trig"
    export(runner, corpus_store, out, *(["--all"] if everything else []))
    restored = tmp_path / "restored"
    assert import_(runner, out, restored).exit_code == 0
    got = _quads(restored)
    assert _quads(restored, True) == _quads(corpus_store, True)
    if everything:  # the ontology's blank nodes get new labels: compare the rest, and the number of quads
        whole = _quads(corpus_store)
        assert len(got) == len(whole)
        assert {q for q in got if "_:" not in q} == {q for q in whole if "_:" not in q}
    else:
        store = open_store(corpus_store, read_only=True)
        try:
            named = {str(q) for g in [str(REGISTRY_GRAPH), *(g for g in store.named_graphs() if "/article/" in g
                                                              and not g.endswith("/inferred"))] for q in store.quads(g)}
        finally:
            store.close()
        assert got == _quads(corpus_store, True) | named
