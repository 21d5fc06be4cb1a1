"""One contract for every store (architecture issue, part 3): the same tests run on each backend.

A backend is one fixture away: add its name to ``BACKENDS`` and a branch to ``store`` that yields a fresh,
empty, writable store and cleans up after it. The server backend is a real ``oxigraph serve`` on
127.0.0.1, started with :mod:`kg.store.server` and stopped by its PID when the test ends.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import nquads as nq
from kg.errors import EndpointError, StoreError
from kg.namespaces import META_GRAPH
from kg.store import GraphStore, GraphUpdate, open_store
from kg.store.server import free_port, start_oxigraph, stop_process

BACKENDS = ["embedded", pytest.param("server", marks=pytest.mark.server)]

G1, G2 = "http://e.test/graph/a1", "http://e.test/graph/a2"


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    if request.param == "embedded":
        s = open_store(tmp_path / "store", read_only=False)
        try:
            yield s
        finally:
            s.close()
        return
    from kg.store.sparql_protocol import RemoteStore

    port = free_port()
    proc = start_oxigraph(tmp_path / "oxigraph", port)
    try:
        remote = RemoteStore(f"http://127.0.0.1:{port}/query", retries=2, backoff=0.01)
        try:
            yield remote
        finally:
            remote.close()
    finally:
        stop_process(proc)  # terminates this server's PID (then kills it if it does not stop)


def _nq(graph: str, *triples: tuple[str, str, str]) -> str:
    return "".join(f"<{s}> <{p}> {nq.lit(o)} <{graph}> .\n" for s, p, o in triples)


def _update(graph: str, *objects: str, extra: tuple[str, ...] = (), row: str = "1") -> GraphUpdate:
    main = _nq(graph, *((f"{graph}/s", "http://e.test/p", o) for o in objects))
    extras = ((graph + "/inferred", _nq(graph + "/inferred", *((f"{graph}/s", "http://e.test/q", o) for o in extra))),
              ) if extra else ()
    return GraphUpdate(graph, main, extras, manifest=(("sourceHash", row),))


def _objects(store: GraphStore, graph: str) -> set[str]:
    return {q.object.value for q in store.quads(graph)}


def test_replace_graphs_then_read_everything_back(store: GraphStore) -> None:
    """Architecture issue part 3: what replace_graphs writes, every reading method gives back."""
    store.replace_graphs([_update(G1, "x", "y", extra=("z",)), _update(G2, "w", row="2")])
    store.flush()
    assert store.named_graphs() == sorted([G1, G1 + "/inferred", G2, str(META_GRAPH)])
    assert store.quad_count(G1) == 2 and store.quad_count(G1 + "/inferred") == 1
    assert store.quad_count() == 6  # 4 article quads + 2 manifest rows
    assert _objects(store, G1) == {"x", "y"} and _objects(store, G1 + "/inferred") == {"z"}
    assert all(q.graph_name == ox.NamedNode(G2) for q in store.quads(G2))
    assert store.manifest() == {G1: {"sourceHash": "1"}, G2: {"sourceHash": "2"}}
    rows = store.query("SELECT ?o WHERE { ?s <http://e.test/p> ?o } ORDER BY ?o")  # union of the graphs
    assert [r["o"].value for r in rows] == ["w", "x", "y"]
    assert bool(store.query("ASK { GRAPH ?g { ?s <http://e.test/q> \"z\" } }"))
    bound = store.query("SELECT ?o WHERE { ?s <http://e.test/p> ?o }", substitutions={"s": ox.NamedNode(G2 + "/s")})
    assert [r["o"].value for r in bound] == ["w"]
    assert store.contains_graph(G1) and not store.contains_graph("http://e.test/graph/none")


def test_replacing_a_graph_replaces_it_whole(store: GraphStore) -> None:
    """Architecture issue part 3: a second replace leaves nothing of the first (graph, extra graph, manifest row)."""
    store.replace_graphs([_update(G1, "old1", "old2", extra=("old3",), row="1")])
    store.replace_graphs([_update(G1, "new", extra=("new-inferred",), row="2")])
    store.flush()
    assert _objects(store, G1) == {"new"}
    assert _objects(store, G1 + "/inferred") == {"new-inferred"}
    assert store.manifest() == {G1: {"sourceHash": "2"}}
    store.replace_graphs([GraphUpdate(G1, "", (), manifest=(("sourceHash", "3"),))])
    store.flush()
    assert store.quad_count(G1) == 0 and store.manifest()[G1] == {"sourceHash": "3"}


def test_drop_graphs_removes_graphs_extras_and_manifest_rows(store: GraphStore) -> None:
    """Architecture issue part 3: drop_graphs takes the graph, the extra graphs named with it, and its row."""
    store.replace_graphs([_update(G1, "x", extra=("z",)), _update(G2, "w", row="2")])
    store.drop_graphs([G1], {G1: [G1 + "/inferred"]})
    store.flush()
    assert store.named_graphs() == sorted([G2, str(META_GRAPH)])
    assert store.manifest() == {G2: {"sourceHash": "2"}}


def test_update_applies_a_sparql_update(store: GraphStore) -> None:
    """Architecture issue part 3: update runs SPARQL Update text with the predeclared prefixes."""
    store.update(f'INSERT DATA {{ GRAPH <{G1}> {{ <{G1}/s> rdfs:label "hello" }} }}')
    store.flush()
    assert _objects(store, G1) == {"hello"}


def test_load_rdf_keeps_named_graphs_and_honours_to_graph(store: GraphStore, tmp_path: Path) -> None:
    """Architecture issue part 3: load_rdf adds a file's quads to their graphs, a file of triples to ``to_graph``."""
    quads = tmp_path / "data.nq"
    quads.write_text(_nq(G1, (f"{G1}/s", "http://e.test/p", "from-nq")), encoding="utf-8")
    triples = tmp_path / "data.ttl"
    triples.write_text(f'<{G2}/s> <http://e.test/p> "from-ttl" .\n', encoding="utf-8")
    store.load_rdf(quads, ox.RdfFormat.N_QUADS)
    store.load_rdf(triples, ox.RdfFormat.TURTLE, to_graph=G2)
    store.flush()
    assert _objects(store, G1) == {"from-nq"} and _objects(store, G2) == {"from-ttl"}


def test_dump_nquads_round_trips(store: GraphStore) -> None:
    """Architecture issue part 3: dump_nquads writes back exactly the quads that were written."""
    updates = [_update(G1, "x", 'quote " and \\ back', extra=("z",)), _update(G2, "w\nline", row="2")]
    store.replace_graphs(updates)
    store.flush()
    buf = io.BytesIO()
    store.dump_nquads(buf)
    dumped = set(ox.parse(buf.getvalue(), format=ox.RdfFormat.N_QUADS))
    expected = set(ox.parse("".join(u.nquads + "".join(t for _, t in u.extra_graphs) for u in updates),
                            format=ox.RdfFormat.N_QUADS))
    meta = {q for q in dumped if q.graph_name == ox.NamedNode(str(META_GRAPH))}
    assert dumped - meta == expected
    assert {(q.subject.value, q.object.value) for q in meta} == {(G1, "1"), (G2, "2")}


def test_declared_capabilities_are_true(store: GraphStore, tmp_path: Path) -> None:
    """Architecture issue part 3: what ``store.capabilities`` declares is what the store does."""
    caps = store.capabilities
    store.replace_graphs([_update(G1, "x")])
    if caps.local_path is not None:  # a directory on this machine, readable on its own
        store.flush()
        assert (caps.local_path / "CURRENT").is_file()
    if caps.manifest_cache:
        store.remember_manifest(("copy", 1))
        store.flush()
        assert store.read_manifest_cache() == ("copy", 1)
    else:
        store.remember_manifest(("copy", 1))
        assert store.read_manifest_cache() is None
    if caps.compaction:
        store.optimize()
        assert _objects(store, G1) == {"x"}
    else:
        with pytest.raises(StoreError):
            store.optimize()
    if caps.background_writes:
        store.pipeline = True
        store.replace_graphs([_update(G2, "later")])
        store.flush()
        store.pipeline = False
        assert _objects(store, G2) == {"later"}
    if caps.transactions:  # a failing call changes nothing, even the updates before the bad one
        bad = GraphUpdate(G2, f"<{G2}/s> <http://e.test/p> not-a-term <{G2}> .\n")
        with pytest.raises((StoreError, EndpointError, SyntaxError)):
            store.replace_graphs([_update("http://e.test/graph/a3", "y"), bad])
        assert not store.contains_graph("http://e.test/graph/a3")
