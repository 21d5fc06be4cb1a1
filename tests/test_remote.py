"""A SPARQL server as the store: RemoteStore against a real ``oxigraph serve`` and against a fake server for faults.

Real-server tests start ``oxigraph serve`` on a free port on 127.0.0.1 over a
directory in tmp_path and always stop it in a finaliser. Fault tests use a tiny
``http.server`` in a thread that answers 503, 4xx, or hangs, so retries and
timeouts are checked deterministically.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.build import build, build_to_endpoint
from kg.cli import cli
from kg.errors import EndpointError, QueryError, StoreError
from kg.namespaces import META_GRAPH, PREFIXES, TDG, TDR
from kg.sparql import bind_values
from kg.store import GraphUpdate, open_store
from kg.store.copy import copy_default_graph, copy_graphs
from kg.store.server import free_port, start_oxigraph, stop_process, wait_until_ready
from kg.store.sparql_protocol import RemoteStore

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
QUERIES = ROOT / "queries"
SEED = ARTICLES / "000-japan-braces-for-trade-talks.yaml"
SEED_TEXT = ARTICLES / "000_6e84929fbd525953.txt"

pytestmark = pytest.mark.server


# ---------------------------------------------------------------------------
# A real Oxigraph server
# ---------------------------------------------------------------------------

@dataclass
class Server:
    location: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    extra_args: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    def start(self) -> Server:
        self.proc = start_oxigraph(self.location, self.port, extra_args=self.extra_args)
        return self

    def kill(self) -> None:
        """Kill -9: no chance to finish anything."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc:
            stop_process(self.proc)

    def store(self, **kw: Any) -> RemoteStore:
        return RemoteStore(self.url, **kw)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(tmp_path / "oxigraph").start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot of the bundled corpus, so both stores are built from the very same files."""
    dest = tmp_path_factory.mktemp("corpus") / "articles"
    shutil.copytree(ARTICLES, dest)
    return dest


@pytest.fixture(scope="module")
def corpus_server(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Iterator[Server]:
    """A server holding the bundled corpus, built with build_to_endpoint; tests must not write to it."""
    srv = Server(tmp_path_factory.mktemp("corpus-server") / "oxigraph").start()
    try:
        build_to_endpoint([corpus], srv.store())
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    """The same corpus in an embedded store."""
    path = tmp_path_factory.mktemp("corpus-embedded") / "store"
    build([corpus], path)
    return path


def _dataset(store: Any) -> rdflib.Dataset:
    buf = io.BytesIO()
    store.dump_nquads(buf)
    ds = rdflib.Dataset()
    ds.parse(data=buf.getvalue().decode("utf-8"), format="nquads")
    return ds


def assert_same_graphs(a: Any, b: Any) -> None:
    """Both stores hold the same named graphs, each isomorphic."""
    da, db = _dataset(a), _dataset(b)
    names_a = {str(g.identifier) for g in da.graphs() if len(g)}
    names_b = {str(g.identifier) for g in db.graphs() if len(g)}
    assert names_a == names_b, f"graphs only in one store: {sorted(names_a ^ names_b)}"
    for name in sorted(names_a):
        ga, gb = da.graph(rdflib.URIRef(name)), db.graph(rdflib.URIRef(name))
        assert isomorphic(ga, gb), f"graph <{name}> differs: {len(ga)} vs {len(gb)} triples"


def make_corpus(folder: Path, n: int, variant: int = 1) -> dict[str, str]:
    """``n`` copies of the seed article with ids copy-000...; variant 2 lacks one fact (so counts differ)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ARTICLES / "registry.yaml", folder / "registry.yaml")
    shutil.copy(SEED_TEXT, folder / SEED_TEXT.name)
    text = SEED.read_text(encoding="utf-8")
    if variant == 2:
        text, k = re.subn(r"- id: holding-ishiba-pm\n(?:  .*\n)+", "", text, count=1)
        assert k == 1, "the seed article no longer has fact holding-ishiba-pm; update make_corpus"
    ids = {}
    for i in range(n):
        aid = f"copy-{i:03d}"
        (folder / f"{aid}.yaml").write_text(text.replace("id: 000-japan-braces-for-trade-talks", f"id: {aid}", 1),
                                            encoding="utf-8")
        ids[aid] = f"{TDG}article/{aid}"
    return ids


# ---------------------------------------------------------------------------
# Building to a server
# ---------------------------------------------------------------------------

def test_server_build_holds_the_same_graphs_as_the_embedded_build(corpus_server: Server, embedded: Path) -> None:
    assert_same_graphs(corpus_server.store(), open_store(embedded, read_only=True))


def test_server_quad_count_and_manifest_match_embedded(corpus_server: Server, embedded: Path) -> None:
    remote, local = corpus_server.store(), open_store(embedded, read_only=True)
    assert remote.quad_count() == local.quad_count()
    assert remote.named_graphs() == local.named_graphs()
    assert remote.manifest() == local.manifest()
    g = str(META_GRAPH)
    assert remote.quad_count(g) == local.quad_count(g)


def test_rebuild_to_server_is_idempotent(server: Server, tmp_path: Path) -> None:
    make_corpus(tmp_path / "c", 3)
    first = build_to_endpoint([tmp_path / "c"], server.store())
    again = build_to_endpoint([tmp_path / "c"], server.store())
    assert (len(first.built), first.unchanged) == (3, 0)
    assert (again.built, again.unchanged, again.quads_written) == ([], 3, 0)
    assert again.total_quads == first.total_quads == server.store().quad_count()


def test_removed_article_is_pruned_from_server(server: Server, tmp_path: Path) -> None:
    ids = make_corpus(tmp_path / "c", 3)
    build_to_endpoint([tmp_path / "c"], server.store())
    (tmp_path / "c" / "copy-001.yaml").unlink()
    report = build_to_endpoint([tmp_path / "c"], server.store())
    assert report.removed == ["copy-001"]
    graphs = server.store().named_graphs()
    assert ids["copy-001"] not in graphs and ids["copy-001"] + "/inferred" not in graphs
    assert ids["copy-000"] in graphs


def test_cli_build_with_endpoint(runner: Any, server: Server, tmp_path: Path) -> None:
    make_corpus(tmp_path / "c", 2)
    result = runner.invoke(cli, ["build", str(tmp_path / "c"), "--endpoint", server.url])
    assert result.exit_code == 0, result.output
    assert f"{server.url}: 2 article graph(s) written" in result.output
    again = runner.invoke(cli, ["build", str(tmp_path / "c"), "--endpoint", server.url])
    assert "0 article graph(s) written, 2 unchanged" in again.output


def test_cli_build_with_endpoint_and_invalid_article_writes_nothing(runner: Any, server: Server, tmp_path: Path) -> None:
    make_corpus(tmp_path / "c", 2)
    (tmp_path / "c" / "copy-001.yaml").write_text("format: tradekg-article/1\nid: copy-001\n", encoding="utf-8")
    result = runner.invoke(cli, ["build", str(tmp_path / "c"), "--endpoint", server.url])
    assert result.exit_code == 2
    assert "copy-001.yaml" in result.output and "nothing was written" in result.output
    assert server.store().named_graphs() == []


# ---------------------------------------------------------------------------
# The same answers as the embedded store
# ---------------------------------------------------------------------------

OWN_QUERIES = {
    "union-count-by-predicate": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
    "graphs-and-sizes": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "labels-of-people": "SELECT ?x ?label WHERE { ?x a tdo:Person ; rdfs:label ?label }",
    "optional-and-filter": ("SELECT ?m ?text ?e WHERE { ?m a tdo:Mention . OPTIONAL { ?m ?p ?e FILTER(isIRI(?e)) } "
                            "?m ?q ?text FILTER(isLiteral(?text) && CONTAINS(STR(?text), 'a')) }"),
    "ask-mention": "ASK { ?m a tdo:Mention }",
    "ask-false": "ASK { ?m a tdo:NoSuchClass }",
    "construct-people": "CONSTRUCT { ?x rdfs:label ?l } WHERE { ?x a tdo:Person ; rdfs:label ?l }",
    "construct-where": "CONSTRUCT WHERE { ?x a tdo:Person }",
    "describe-graph-meta": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH tdg:meta { ?s ?p ?o } }",
}


def _library() -> list[Any]:
    cases = [pytest.param(q, id=f"own:{name}") for name, q in OWN_QUERIES.items()]
    for rq in sorted(QUERIES.glob("*.rq")) if QUERIES.is_dir() else []:
        cases.append(pytest.param(rq, id=f"queries/{rq.name}"))
    return cases


def _canon(result: Any) -> Any:
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return "select", names, Counter(
            tuple("_:b" if isinstance(row[n], ox.BlankNode) else str(row[n]) if row[n] is not None else None
                  for n in names) for row in result)
    g = rdflib.Graph()
    data = b"".join(ox.serialize([t], format=ox.RdfFormat.N_TRIPLES) for t in result)
    g.parse(data=data.decode("utf-8"), format="nt")
    return g


@pytest.mark.parametrize("query", _library())
def test_library_query_gives_the_same_answer_on_server_and_embedded(
        query: str | Path, corpus_server: Server, embedded: Path) -> None:
    text = query.read_text(encoding="utf-8") if isinstance(query, Path) else query
    union = not isinstance(query, Path)  # the library's files read the knowledge graph (the default graph)
    local = _canon(open_store(embedded, read_only=True).query(text, union=union))
    remote = _canon(corpus_server.store().query(text, union=union))
    if isinstance(local, rdflib.Graph):
        assert isomorphic(local, remote), f"CONSTRUCT results differ: {len(local)} vs {len(remote)} triples"
    else:
        assert local == remote, (f"only on the embedded store: {list((local[2] - remote[2]).items())[:3]}; "
                                 f"only on the server: {list((remote[2] - local[2]).items())[:3]}")


SUBSTITUTED = [
    pytest.param("SELECT ?x ?label WHERE { ?x rdfs:label ?label }", {"x": ox.NamedNode(f"{TDR}person/donald-trump")},
                 id="iri"),
    pytest.param("SELECT ?label ?x WHERE { ?x rdfs:label ?label }", {"label": ox.Literal("Donald Trump", language="en")},
                 id="language-literal"),
    pytest.param("SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": ox.NamedNode(str(META_GRAPH))}, id="graph"),
]


@pytest.fixture(scope="module")
def union_server(tmp_path_factory: pytest.TempPathFactory, embedded: Path) -> Iterator[Server]:
    """A server whose default graph is already the union of all graphs (as GraphDB, Virtuoso, Neptune), filled
    by copying the embedded store (a build refuses such a server: see the test below)."""
    srv = Server(tmp_path_factory.mktemp("union-server") / "oxigraph", extra_args=("--union-default-graph",)).start()
    try:
        src = open_store(embedded, read_only=True)
        try:
            dst = srv.store(union="server")
            copy_graphs(src, dst)
            copy_default_graph(src, dst)
        finally:
            src.close()
        yield srv
    finally:
        srv.stop()


def test_a_build_refuses_a_server_whose_default_graph_is_the_union(union_server: Server, corpus: Path) -> None:
    """Finding 16.2 (remote): a server whose default graph is the union of all graphs cannot hold the knowledge
    graph in it; a build says so (exit 2 at the command line) instead of running its upkeep over every
    article graph, and points to push."""
    with pytest.raises(StoreError, match="union of all graphs.*tradekg push"):
        build_to_endpoint([corpus], union_server.store(union="server"))


UNION_QUERIES = ["union-count-by-predicate", "graphs-and-sizes", "labels-of-people", "construct-people"]


@pytest.mark.parametrize("mode", ["dataset", "server-auto"])
@pytest.mark.parametrize("name", UNION_QUERIES)
def test_other_union_strategies_give_the_same_answers(name: str, mode: str, corpus_server: Server,
                                                      union_server: Server, embedded: Path) -> None:
    """The standard-protocol fallback (every graph as default-graph-uri) and a union-by-default server.

    The standard protocol can name only named graphs, not the server's default graph (the knowledge graph):
    its union is that of the named graphs, so the embedded store answers over the same graphs. A server
    whose default graph is the union cannot count its own default graph apart: its quad count is that of
    the named graphs (the embedded count less the knowledge graph)."""
    remote = corpus_server.store(union="dataset") if mode == "dataset" else union_server.store()
    store = open_store(embedded, read_only=True)
    if mode == "dataset":
        named = [ox.NamedNode(g) for g in store.named_graphs()]
        local = _canon(store.ox.query(OWN_QUERIES[name], prefixes=PREFIXES, default_graph=named))
    else:
        local = _canon(store.query(OWN_QUERIES[name]))
    answer = _canon(remote.query(OWN_QUERIES[name]))
    if mode == "server-auto":
        assert remote.union_mode == "server"
        assert remote.quad_count() == store.quad_count() - sum(1 for _ in store.quads(None))
    if isinstance(local, rdflib.Graph):
        assert isomorphic(local, answer)
    else:
        assert local == answer


def test_auto_union_picks_the_oxigraph_parameter(corpus_server: Server) -> None:
    store = corpus_server.store()
    assert store.union_mode == "auto"
    store.query("ASK { ?s ?p ?o }")
    assert store.union_mode == "param"


@pytest.mark.parametrize(("query", "subs"), SUBSTITUTED)
def test_substitutions_give_the_same_answer(query: str, subs: dict[str, Any], corpus_server: Server,
                                            embedded: Path) -> None:
    local = _canon(open_store(embedded, read_only=True).query(query, subs))
    remote = _canon(corpus_server.store().query(query, subs))
    assert remote == local and sum(remote[2].values()) > 0


def test_substituted_value_is_escaped_not_pasted(corpus_server: Server) -> None:
    """A value that looks like SPARQL stays a literal: nothing matches, nothing is changed."""
    store = corpus_server.store()
    before = store.quad_count()
    evil = ox.Literal('x" } } ; DROP ALL ; SELECT * { "')
    rows = list(store.query("SELECT ?label WHERE { ?x rdfs:label ?label }", {"label": evil}))
    assert rows == []
    assert store.quad_count() == before


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE {\nVALUES (?s) { (<http://e/a>) }\n ?s ?p ?o }",
                 id="select"),
    pytest.param("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                 "CONSTRUCT { ?s ?p ?o } WHERE {\nVALUES (?s) { (<http://e/a>) }\n ?s ?p ?o }", id="construct"),
    pytest.param("SELECT * # { in a comment\nFROM <http://e/g> { ?s ?p '{' }",
                 "SELECT * # { in a comment\nFROM <http://e/g> {\nVALUES (?s) { (<http://e/a>) }\n ?s ?p '{' }",
                 id="braces-in-comment-iri-string"),
    pytest.param("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }\nVALUES (?s) { (<http://e/a>) }\n",
                 id="construct-where-trailing-values"),
])
def test_bind_values_places_the_block(query: str, expected: str) -> None:
    assert bind_values(query, {"s": ox.NamedNode("http://e/a")}) == expected


@pytest.mark.parametrize(("subs", "message"), [
    pytest.param({"s": ox.BlankNode()}, "expected an IRI or a literal", id="blank-node"),
    pytest.param({"s": "http://e/a"}, "expected an IRI or a literal", id="plain-string"),
    pytest.param({"s p": ox.NamedNode("http://e/a")}, "expected a variable name", id="bad-name"),
])
def test_bind_values_refuses_unsafe_input(subs: dict[str, Any], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        bind_values("SELECT * { ?s ?p ?o }", subs)


def test_bad_query_is_a_query_error_naming_the_url(corpus_server: Server) -> None:
    with pytest.raises(QueryError) as err:
        corpus_server.store().query("SELECT ?s WHERE { ?s ?p }")
    assert corpus_server.url in str(err.value) and "400" in str(err.value)


# ---------------------------------------------------------------------------
# Readers never see half an article; a killed server loses nothing
# ---------------------------------------------------------------------------

COUNTS_BY_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _counts(store: RemoteStore) -> dict[str, int]:
    return {r["g"].value: int(r["n"].value) for r in store.query(COUNTS_BY_GRAPH, union=False)}


def test_concurrent_reader_sees_each_article_graph_old_or_new(server: Server, tmp_path: Path) -> None:
    ids = make_corpus(tmp_path / "c", 12, variant=1)
    build_to_endpoint([tmp_path / "c"], server.store())
    old = _counts(server.store())
    make_corpus(tmp_path / "c", 12, variant=2)
    expected = [g for aid, base in ids.items() for g in (base, base + "/inferred")]
    observations: list[dict[str, int]] = []
    done = threading.Event()

    def read() -> None:
        reader = server.store()
        while not done.is_set():
            observations.append(_counts(reader))
            time.sleep(0.005)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        build_to_endpoint([tmp_path / "c"], server.store(), batch_quads=1)  # one article per write
    finally:
        done.set()
        thread.join()
    new = _counts(server.store())
    assert all(old[g] != new[g] for g in ids.values()), "variant 2 should change every article's size"
    bad = [(g, seen[g] if g in seen else "absent") for seen in observations for g in expected
           if seen.get(g) not in (old[g], new[g])]
    assert bad == [], f"a reader saw partial article graphs: {bad[:5]}"
    mixed = [s for s in observations if {s[g] == old[g] for g in ids.values()} == {True, False}]
    assert mixed, f"the reader never caught the rebuild half-way ({len(observations)} observations); test is void"


@pytest.mark.parametrize("pipeline", [False, True], ids=["write-then-map", "pipelined"])
def test_killed_server_gives_clear_error_and_rebuild_completes(server: Server, tmp_path: Path, pipeline: bool) -> None:
    ids = make_corpus(tmp_path / "c", 6)
    store = server.store(retries=2, backoff=0.05, timeout=5)
    calls: list[int] = []

    def kill_after_first_batch(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 1:
            server.kill()

    with pytest.raises(EndpointError) as err:
        build_to_endpoint([tmp_path / "c"], store, progress=kill_after_first_batch, batch_quads=1, pipeline=pipeline)
    msg = str(err.value)
    assert f"http://127.0.0.1:{server.port}/" in msg and "cannot reach the server" in msg and "after 2 attempt(s)" in msg
    # without pipelining the first article was confirmed before the kill; pipelined, it may have been in flight
    first_lost = f"not written: <{ids['copy-000']}>" in msg
    assert f"not written: <{ids['copy-001']}>" in msg or (pipeline and first_lost)
    server.start()
    report = build_to_endpoint([tmp_path / "c"], server.store())
    assert len(report.built) + report.unchanged == 6 and len(report.built) >= 5
    if not pipeline:
        assert report.unchanged == 1
    reference = tmp_path / "reference"
    build([tmp_path / "c"], reference)
    assert server.store().quad_count() == open_store(reference, read_only=True).quad_count()
    assert_same_graphs(server.store(), open_store(reference, read_only=True))


# ---------------------------------------------------------------------------
# push / pull
# ---------------------------------------------------------------------------

def test_push_then_pull_round_trips_every_graph(runner: Any, server: Server, embedded: Path, tmp_path: Path) -> None:
    pushed = runner.invoke(cli, ["push", "--store", str(embedded), "--endpoint", server.url])
    assert pushed.exit_code == 0, pushed.output
    assert_same_graphs(server.store(), open_store(embedded, read_only=True))
    pulled = runner.invoke(cli, ["pull", "--endpoint", server.url, "--store", str(tmp_path / "pulled")])
    assert pulled.exit_code == 0, pulled.output
    assert_same_graphs(open_store(tmp_path / "pulled", read_only=True), open_store(embedded, read_only=True))
    m = re.search(r"(\d+) quads there now", pushed.output)
    assert m and int(m.group(1)) == open_store(embedded, read_only=True).quad_count()


def test_push_keeps_other_graphs_unless_prune(runner: Any, server: Server, embedded: Path) -> None:
    other = "http://example.org/someone-elses-graph"
    server.store().update(f"INSERT DATA {{ GRAPH <{other}> {{ <http://e/a> <http://e/b> 'c' }} }}")
    runner.invoke(cli, ["push", "--store", str(embedded), "--endpoint", server.url], catch_exceptions=False)
    assert other in server.store().named_graphs()
    result = runner.invoke(cli, ["push", "--store", str(embedded), "--endpoint", server.url, "--prune"])
    assert "1 dropped" in result.output
    assert other not in server.store().named_graphs()
    assert_same_graphs(server.store(), open_store(embedded, read_only=True))


def test_push_replaces_the_knowledge_graph_of_the_server(runner: Any, server: Server, embedded: Path) -> None:
    """Finding 16 (KG): push copies the default graph (the knowledge graph) too, replacing what the server held
    there; pull brings it back."""
    server.store().update("INSERT DATA { <http://e/stale> <http://e/p> 'left over' }")
    pushed = runner.invoke(cli, ["push", "--store", str(embedded), "--endpoint", server.url])
    assert pushed.exit_code == 0, pushed.output
    local = set(open_store(embedded, read_only=True).quads(None))
    assert local and set(server.store().quads(None)) == local
    assert f"the knowledge graph ({len(local)} triples)" in pushed.output


def test_pushed_store_answers_a_query_after_rebuild_of_one_article(server: Server, tmp_path: Path) -> None:
    """Build locally, push, rebuild one article to the server: the server's manifest makes it incremental."""
    make_corpus(tmp_path / "c", 3)
    build([tmp_path / "c"], tmp_path / "local")
    from kg.store import copy_graphs

    copy_graphs(open_store(tmp_path / "local", read_only=True), server.store())
    report = build_to_endpoint([tmp_path / "c"], server.store())
    assert (report.built, report.unchanged) == ([], 3)


# ---------------------------------------------------------------------------
# Faults, deterministically: a fake server
# ---------------------------------------------------------------------------

@dataclass
class Fake:
    url: str
    requests: list[tuple[str, str, dict[str, str], bytes]]
    plan: list[Callable[[BaseHTTPRequestHandler], None]]


EMPTY_SELECT = json.dumps({"head": {"vars": ["s", "p", "o"]}, "results": {"bindings": []}}).encode()


def answer(status: int, body: bytes = b"", ctype: str = "application/sparql-results+json") -> Callable[[Any], None]:
    def respond(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        try:
            h.end_headers()
            h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            pass
    return respond


def hang(seconds: float) -> Callable[[Any], None]:
    def respond(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        answer(200, EMPTY_SELECT)(h)
    return respond


@pytest.fixture
def fake() -> Iterator[Fake]:
    """An HTTP server answering each request with the next planned response (the last one repeats)."""
    state = Fake("", [], [])

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            state.requests.append((self.command, self.path, dict(self.headers), body))
            plan = state.plan
            (plan.pop(0) if len(plan) > 1 else plan[0])(self)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/ds/query"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_5xx_is_retried_then_named_with_url_and_status(fake: Fake) -> None:
    fake.plan = [answer(503, b"overloaded", "text/plain")]
    store = RemoteStore(fake.url, retries=3, backoff=0.01)
    with pytest.raises(EndpointError) as err:
        store.named_graphs()
    assert len(fake.requests) == 3
    msg = str(err.value)
    assert fake.url in msg and "503" in msg and "overloaded" in msg and "after 3 attempt(s)" in msg


def test_5xx_then_success_returns_the_answer(fake: Fake) -> None:
    fake.plan = [answer(502), answer(503), answer(200, EMPTY_SELECT)]
    assert RemoteStore(fake.url, retries=4, backoff=0.01).manifest() == {}
    assert len(fake.requests) == 3


def test_slow_server_times_out_with_a_clear_error(fake: Fake) -> None:
    fake.plan = [hang(2.0)]
    store = RemoteStore(fake.url, retries=2, backoff=0.01, timeout=0.3)
    with pytest.raises(EndpointError) as err:
        store.named_graphs()
    assert fake.url in str(err.value) and "no answer within 0.3 s (timeout)" in str(err.value)
    assert len(fake.requests) == 2


def test_user_update_that_timed_out_is_not_sent_twice(fake: Fake) -> None:
    """It may have been applied: re-sending an INSERT of blank nodes would add them twice."""
    fake.plan = [hang(1.0)]
    store = RemoteStore(fake.url, retries=3, backoff=0.01, timeout=0.3)
    with pytest.raises(EndpointError, match="not re-sent, it may have been applied"):
        store.update("INSERT DATA { [] <http://e/p> 1 }")
    assert len(fake.requests) == 1


def test_query_error_position_is_the_same_as_embedded(corpus_server: Server) -> None:
    """The predeclared prefixes are sent on the query's first line, so later line numbers are the user's."""
    query = "SELECT ?s\nWHERE {\n  ?s ?p ?o FILTER(\n}"
    with pytest.raises(SyntaxError) as local:
        ox.Store().query(query)
    where = re.match(r"error at (\d+:\d+)", str(local.value))
    assert where and where.group(1).startswith("4:")
    with pytest.raises(QueryError) as err:
        corpus_server.store().query(query)
    assert f"error at {where.group(1)}" in str(err.value)


def test_server_down_is_named(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(EndpointError) as err:
        RemoteStore(url, retries=2, backoff=0.01).quad_count()
    assert url in str(err.value) and "cannot reach the server" in str(err.value)


@pytest.mark.parametrize(("status", "error", "text"), [
    pytest.param(400, QueryError, "status 400", id="400-query-error"),
    pytest.param(401, EndpointError, "TRADEKG_ENDPOINT_TOKEN", id="401-says-how-to-authenticate"),
    pytest.param(404, EndpointError, "status 404", id="404"),
])
def test_4xx_is_not_retried(fake: Fake, status: int, error: type[Exception], text: str) -> None:
    fake.plan = [answer(status, b"no", "text/plain")]
    with pytest.raises(error) as err:
        RemoteStore(fake.url, retries=3, backoff=0.01).query("SELECT * { ?s ?p ?o }")
    assert text in str(err.value) and fake.url in str(err.value)
    assert len(fake.requests) == 1


@pytest.mark.parametrize(("env", "expected"), [
    pytest.param({"TRADEKG_ENDPOINT_USER": "ana", "TRADEKG_ENDPOINT_PASSWORD": "s3cret"},
                 "Basic " + base64.b64encode(b"ana:s3cret").decode(), id="basic"),
    pytest.param({"TRADEKG_ENDPOINT_TOKEN": "tok123"}, "Bearer tok123", id="bearer"),
])
def test_credentials_come_from_the_environment(fake: Fake, monkeypatch: pytest.MonkeyPatch,
                                               env: dict[str, str], expected: str) -> None:
    for k in ("TRADEKG_ENDPOINT_USER", "TRADEKG_ENDPOINT_PASSWORD", "TRADEKG_ENDPOINT_TOKEN"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    fake.plan = [answer(200, EMPTY_SELECT)]
    RemoteStore(fake.url).manifest()
    assert fake.requests[0][2].get("Authorization") == expected


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(StoreError, match="credentials in the URL are refused") as err:
        RemoteStore("http://ana:s3cret@127.0.0.1:1/query")
    assert "s3cret" not in str(err.value)


def test_update_and_gsp_urls_default_to_siblings_of_query_url(fake: Fake) -> None:
    store = RemoteStore(fake.url)
    assert (store.update_url, store.gsp_url) == (fake.url[:-len("query")] + "update", fake.url[:-len("query")] + "store")


def test_failed_upload_names_the_graph_and_keeps_earlier_ones(fake: Fake) -> None:
    """Three articles in three update requests; the second fails: it is named, the first stays written."""
    fake.plan = [answer(204), answer(500, b"disk full", "text/plain")]
    updates = [GraphUpdate(f"{TDG}article/a{i}", f"<http://e/s> <http://e/p> \"{i}\" <{TDG}article/a{i}> .\n",
                           manifest=(("sourceHash", str(i)),)) for i in range(3)]
    one = len(RemoteStore._update_text(updates[0]).encode())
    store = RemoteStore(fake.url, retries=2, backoff=0.01, max_update_bytes=one + 1)
    with pytest.raises(EndpointError) as err:
        store.replace_graphs(updates)
    msg = str(err.value)
    assert f"not written: <{TDG}article/a1>, <{TDG}article/a2>" in msg and "disk full" in msg
    assert f"<{TDG}article/a0>" not in msg.split("not written:")[1]
    assert store.graphs_written == 1
    first = fake.requests[0][3].decode()
    assert f"DROP SILENT GRAPH <{TDG}article/a0>" in first and "INSERT DATA" in first and "a1" not in first


def test_write_request_is_one_update_per_chunk_with_manifest(fake: Fake) -> None:
    fake.plan = [answer(204)]
    store = RemoteStore(fake.url)
    g = f"{TDG}article/a"
    store.replace_graphs([GraphUpdate(g, f"<http://e/s> <http://e/p> \"v\" <{g}> .\n",
                                      ((g + "/inferred", f"<http://e/s> a <http://e/C> <{g}/inferred> .\n"),),
                                      manifest=(("sourceHash", "h"),))])
    (method, path, headers, body), = fake.requests
    assert (method, path) == ("POST", "/ds/update")
    assert headers["Content-Type"].startswith("application/sparql-update")
    text = body.decode()
    for part in (f"DROP SILENT GRAPH <{g}>", f"DROP SILENT GRAPH <{g}/inferred>", f"GRAPH <{g}> {{\n<http://e/s>",
                 f"<{g}> <https://w3id.org/tradekg/ontology#sourceHash> \"h\""):
        assert part in text


def test_gsp_write_mode_puts_whole_graphs(server: Server, tmp_path: Path) -> None:
    make_corpus(tmp_path / "c", 2)
    store = server.store(write="gsp")
    build_to_endpoint([tmp_path / "c"], store)
    build([tmp_path / "c"], tmp_path / "reference")
    assert_same_graphs(server.store(), open_store(tmp_path / "reference", read_only=True))


def test_graph_bigger_than_one_update_goes_by_put(server: Server, tmp_path: Path) -> None:
    make_corpus(tmp_path / "c", 2)
    build_to_endpoint([tmp_path / "c"], server.store(max_update_bytes=10_000))
    build([tmp_path / "c"], tmp_path / "reference")
    assert_same_graphs(server.store(), open_store(tmp_path / "reference", read_only=True))


# ---------------------------------------------------------------------------
# tradekg serve
# ---------------------------------------------------------------------------

def _serve(store: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    exe = Path(sys.executable).parent / "tradekg"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "kg"]
    return subprocess.Popen([*cmd, "serve", "--store", str(store), "--port", str(port), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def serve_proc() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_serve_is_read_only_prints_urls_and_stops_on_ctrl_c(embedded: Path, serve_proc: list[Any]) -> None:
    port = free_port()
    proc = _serve(embedded, port)
    serve_proc.append(proc)
    wait_until_ready(f"http://127.0.0.1:{port}/", timeout=30)
    url = f"http://127.0.0.1:{port}/query"
    remote = RemoteStore(url, retries=1)
    assert remote.quad_count() == open_store(embedded, read_only=True).quad_count()
    with pytest.raises(EndpointError) as err:
        remote.update("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }")
    assert "403" in str(err.value) and "read-only" in str(err.value)
    put = httpx.put(f"http://127.0.0.1:{port}/store", params={"graph": "http://e/g"},
                    content=b"<http://e/a> <http://e/b> <http://e/c> .\n", headers={"Content-Type": "application/n-triples"})
    assert put.status_code == 403
    proc.send_signal(signal.SIGINT)
    out, err_text = proc.communicate(timeout=30)
    assert proc.returncode == 0, err_text
    assert f"query page:      http://127.0.0.1:{port}/" in out and "read-only" in out
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=1)


def _serving_copy(embedded: Path, tmp_path: Path, serve_proc: list[Any]) -> tuple[Path, int, subprocess.Popen[str]]:
    """A copy of the embedded store served by `tradekg serve --allow-update`, its server answering."""
    store = tmp_path / "store"
    shutil.copytree(embedded, store)
    port = free_port()
    proc = _serve(store, port, "--allow-update")
    serve_proc.append(proc)
    wait_until_ready(f"http://127.0.0.1:{port}/", timeout=30)
    return store, port, proc


def test_serve_allow_update_accepts_updates_and_locks_the_store(embedded: Path, tmp_path: Path,
                                                               serve_proc: list[Any], runner: Any) -> None:
    store, port, proc = _serving_copy(embedded, tmp_path, serve_proc)
    remote = RemoteStore(f"http://127.0.0.1:{port}/query")
    remote.update("INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> <http://e/c> } }")
    assert remote.quad_count("http://e/g") == 1
    blocked = runner.invoke(cli, ["build", str(ARTICLES), "--store", str(store)])
    assert blocked.exit_code == 2 and "another TradeKG build" in blocked.output
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert open_store(store, read_only=True).quad_count("http://e/g") == 1


def test_serve_stopped_the_moment_its_server_answers_stops_cleanly(embedded: Path, tmp_path: Path,
                                                                   serve_proc: list[Any]) -> None:
    """SIGTERM as soon as the Oxigraph server answers (before `serve` may have printed anything): exit 0,
    the server stopped with it, the lock released (a SIGTERM in that window used to kill `serve` only)."""
    store, port, proc = _serving_copy(embedded, tmp_path, serve_proc)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert proc.returncode == 0
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
    rep = build([ARTICLES], store)  # raises StoreLockedError if `serve` left its lock behind
    assert len(rep.built) + rep.unchanged == len([p for p in ARTICLES.glob("*.yaml") if p.name != "registry.yaml"])


def test_serve_without_a_store_says_how_to_build_one(runner: Any, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["serve", "--store", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "tradekg build articles --store" in result.output


def test_serve_reports_a_busy_port(embedded: Path, corpus_server: Server, runner: Any) -> None:
    result = runner.invoke(cli, ["serve", "--store", str(embedded), "--port", str(corpus_server.port)])
    assert result.exit_code == 2 and f"port {corpus_server.port}" in result.output


def test_missing_oxigraph_binary_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import kg.store.server as server

    monkeypatch.setattr(server.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(StoreError, match="pip install oxigraph"):
        server.find_oxigraph()


def test_environment_is_clean_of_credentials_in_subprocess_commands() -> None:
    """The command line has no option that takes a secret."""
    for name in ("push", "pull", "build", "serve"):
        opts = {o for p in cli.commands[name].params for o in getattr(p, "opts", [])}
        assert not {o for o in opts if re.search("pass|token|user|auth", o)}, (name, opts)

