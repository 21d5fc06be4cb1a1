"""A SPARQL 1.1 server as the store: :class:`RemoteStore`, speaking the SPARQL 1.1 Protocol over :mod:`kg.store.http`.

The store speaks only the W3C protocols, so the same code works with Oxigraph
server, Apache Jena Fuseki, GraphDB, Virtuoso or Amazon Neptune:

* reading: SPARQL 1.1 Protocol (``POST`` form-encoded ``query=``), results as
  SPARQL JSON (SELECT/ASK) or N-Triples (CONSTRUCT/DESCRIBE), parsed by pyoxigraph
  into the same result objects :class:`kg.store.EmbeddedStore` returns;
* writing: SPARQL 1.1 Update. Each request replaces whole graphs (``DROP SILENT
  GRAPH`` + ``INSERT DATA``) together with their manifest rows; servers apply a
  request as one transaction, so a reader sees an article's old graph or its new
  one, never half of it. A graph too big for one request (Oxigraph server accepts
  at most 1 MiB per update) is sent with a Graph Store Protocol ``PUT``.
  ``TRADEKG_ENDPOINT_WRITE=gsp`` sends every graph with ``PUT`` (fine on servers
  whose PUT is one transaction, e.g. Fuseki; Oxigraph 0.5 clears then loads in two).

"Union" queries (the default graph = all graphs, as in the embedded store) are
sent the way the server supports, chosen by ``TRADEKG_ENDPOINT_UNION``:
``param`` (Oxigraph's ``union-default-graph`` query parameter), ``server`` (the
server's default graph already is the union: GraphDB, Virtuoso, Neptune, Fuseki
with ``tdb2:unionDefaultGraph true``), ``dataset`` (standard protocol: every
named graph listed as ``default-graph-uri`` and ``named-graph-uri``; fine for
small stores) or ``auto`` (the default: probe once with one triple of a named graph).

Queries are bound by :func:`kg.sparql.bind_values`; requests go through :class:`kg.store.http.HttpTransport`
(retries, credentials, deadline, answer cap, redaction).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

import pyoxigraph as ox

from kg import nquads as nq
from kg.errors import EndpointError, QueryError, StoreError
from kg.namespaces import META_GRAPH, TDO, sparql_prologue
from kg.sparql import (
    bind_values,
    drop_graphs_update,
    graph_lines_to_triples,
    insert_data,
    insert_nquads,
    query_form,
    replace_graph_update,
    replace_manifest_update,
)
from kg.store.base import Capabilities, GraphUpdate
from kg.store.http import Answer, HttpTransport, check_url, sibling

ENV_UNION = "TRADEKG_ENDPOINT_UNION"
ENV_WRITE = "TRADEKG_ENDPOINT_WRITE"

UNION_MODES = ("auto", "param", "server", "dataset")
WRITE_MODES = ("update", "gsp")
MAX_UPDATE_BYTES = 1_000_000  # Oxigraph server refuses SPARQL bodies over 1 MiB

JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"
N_TRIPLES = "application/n-triples"
_RDF_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


# ---------------------------------------------------------------------------
# Result objects shaped like pyoxigraph's
# ---------------------------------------------------------------------------

class RemoteTriples:
    """CONSTRUCT/DESCRIBE results: iterate :class:`pyoxigraph.Triple`; ``serialize`` like ``QueryTriples``."""

    def __init__(self, triples: list[ox.Triple]):
        self._triples = triples

    def __iter__(self) -> Iterator[ox.Triple]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def serialize(self, output: Any = None, format: ox.RdfFormat | None = None) -> bytes | None:
        return ox.serialize(self._triples, output, format or ox.RdfFormat.N_TRIPLES)


def _prologue_line() -> str:
    """The predeclared prefixes on one line with no newline, so the server's line numbers match the user's query."""
    return sparql_prologue().replace("\n", " ")


class RemoteStore:
    """A SPARQL 1.1 server used as the TradeKG store (a :class:`kg.store.base.GraphStore`)."""

    kind = "remote"

    def __init__(self, endpoint: str, update_url: str | None = None, gsp_url: str | None = None,
                 timeout: float = 30.0, retries: int = 4, backoff: float = 0.5, union: str | None = None,
                 write: str | None = None, max_update_bytes: int = MAX_UPDATE_BYTES, read_only: bool = False,
                 max_answer_bytes: int | None = None):
        check_url(endpoint, "--endpoint")
        for u, option in ((update_url, "--update-endpoint"), (gsp_url, "--gsp-endpoint")):
            if u is not None:
                check_url(u, option)
        self.endpoint = endpoint
        self.update_url = update_url or sibling(endpoint, "update") or endpoint
        self.gsp_url = gsp_url or sibling(endpoint, "store")
        self.read_only = read_only
        self.capabilities = Capabilities(background_writes=True)
        self.max_update_bytes = max_update_bytes
        union = (union or os.environ.get(ENV_UNION) or "auto").lower()
        if union not in UNION_MODES:
            raise StoreError(f"{ENV_UNION}={union!r}: expected one of {', '.join(UNION_MODES)}")
        write = (write or os.environ.get(ENV_WRITE) or "update").lower()
        if write not in WRITE_MODES:
            raise StoreError(f"{ENV_WRITE}={write!r}: expected one of {', '.join(WRITE_MODES)}")
        self.union_mode = union
        self.write_mode = write
        self.graphs_written = 0  # graphs (articles with their /inferred graph) confirmed by the server
        self._http = HttpTransport(timeout, retries, backoff, max_answer_bytes)
        self._lock = threading.Lock()
        self.pipeline = False  # replace_graphs returns at once; the write runs while the caller maps the next batch
        self._executor: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None
        self._tls = threading.local()

    def describe(self) -> str:
        return self.endpoint

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    def _send(self, method: str, url: str, **kw: Any) -> Answer:
        """One request through the transport (see :meth:`kg.store.http.HttpTransport.send`), after a
        background write of this store: requests stay in order, and its error comes first."""
        if self._pending is not None and not getattr(self._tls, "worker", False):
            self._drain()
        return self._http.send(method, url, **kw)

    # ---- union default graph ------------------------------------------------
    def _union_params(self) -> list[tuple[str, str]]:
        mode = self._resolve_union()
        if mode == "param":
            return [("union-default-graph", "")]
        if mode == "dataset":
            graphs = self.named_graphs()
            return [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]
        return []

    def _resolve_union(self) -> str:
        if self.union_mode != "auto":
            return self.union_mode
        with self._lock:
            if self.union_mode != "auto":
                return self.union_mode
            named = "GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o))"
            # a triple of a named graph that the default graph lacks (the default graph holds the knowledge
            # graph, so most named triples are in it too): there is one unless the default graph is the union
            rows = list(self._post_query(f"SELECT ?s ?p ?o WHERE {{ {named} FILTER NOT EXISTS {{ ?s ?p ?o }} }} LIMIT 1", []))
            if not rows:
                if not list(self._post_query(f"SELECT ?s WHERE {{ {named} }} LIMIT 1", [])):
                    return "param"  # empty store: nothing to tell apart; decide on the next call
                self.union_mode = "server"
            else:
                s, p, o = rows[0]["s"], rows[0]["p"], rows[0]["o"]
                ask = f"ASK {{ {s} {p} {o} }}"
                try:
                    self.union_mode = "param" if bool(self._post_query(ask, [("union-default-graph", "")])) else "dataset"
                except (QueryError, EndpointError):
                    self.union_mode = "dataset"
            return self.union_mode

    # ---- reading --------------------------------------------------------------
    def _post_query(self, sparql: str, params: list[tuple[str, str]], form: str | None = None) -> Any:
        form = form or query_form(sparql, require_read=True)
        accept = N_TRIPLES if form in ("CONSTRUCT", "DESCRIBE") else f"{JSON_RESULTS}, {XML_RESULTS};q=0.8"
        body = urlencode([("query", sparql), *params]).encode("ascii")
        resp = self._send("POST", self.endpoint, what="query", content=body,
                          headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
        parsed: Any = None
        try:
            if form in ("CONSTRUCT", "DESCRIBE"):
                fmt = _RDF_TYPES.get(ctype, ox.RdfFormat.N_TRIPLES)
                return RemoteTriples([ox.Triple(q.subject, q.predicate, q.object)
                                      for q in ox.parse(resp.content, format=fmt)])
            fmt_r = ox.QueryResultsFormat.XML if "xml" in ctype else ox.QueryResultsFormat.JSON
            parsed = ox.parse_query_results(resp.content, format=fmt_r)
            if isinstance(parsed, ox.QueryBoolean):
                return parsed
            for _ in parsed:  # solutions are parsed lazily: read them all once, so a cut-off answer fails here
                pass
            return ox.parse_query_results(resp.content, format=fmt_r)
        except (SyntaxError, ValueError, OSError) as exc:
            parsed = None  # drop pyoxigraph's unsendable solutions here, not from another thread with the traceback
            raise EndpointError(self._http.redact(f"POST {self.endpoint} (query) failed: the server's answer "
                                                  f"({ctype or 'no content type'}, {len(resp.content)} bytes) could "
                                                  f"not be read: {exc}")) from exc

    def query(self, sparql: str, substitutions: dict[str, Any] | None = None, union: bool = True) -> Any:
        """Run a query; results are pyoxigraph ``QuerySolutions``/``QueryBoolean`` or :class:`RemoteTriples`."""
        form = query_form(sparql, require_read=True)
        text = _prologue_line() + bind_values(sparql, substitutions)
        return self._post_query(text, self._union_params() if union else [], form)

    def _select(self, sparql: str) -> list[Any]:
        return list(self._post_query(sparql, [], "SELECT"))

    def named_graphs(self) -> list[str]:
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return sorted(r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode))

    def quad_count(self, graph: str | None = None) -> int:
        """The quads of one named graph, or of the whole store: every named graph and the server's own default
        graph (the knowledge graph), except on a server whose default graph is the union of the others
        (``union_mode == "server"``), which cannot tell its own default graph apart: there, the named graphs'."""
        if graph is not None:
            q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {nq.iri(graph)} {{ ?s ?p ?o }} }}"
            return int(self._select(q)[0]["n"].value)
        n = int(self._select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"].value)
        if self._resolve_union() != "server":  # the default graph is a graph of its own
            n += int(self._select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].value)
        return n

    def manifest(self) -> dict[str, dict[str, str]]:
        """Graph IRI -> {property local name: value} from the meta graph."""
        tdo = str(TDO)
        rows = self._select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{META_GRAPH}> {{ ?s ?p ?o }} }}")
        out: dict[str, dict[str, str]] = {}
        for r in rows:
            s, p = r["s"], r["p"]
            if isinstance(s, ox.NamedNode) and p.value.startswith(tdo) and s.value != str(META_GRAPH):
                out.setdefault(s.value, {})[p.value[len(tdo):]] = r["o"].value  # not the store format marker
        return out

    def contains_graph(self, graph: str) -> bool:
        return bool(self._post_query(f"ASK {{ GRAPH {nq.iri(graph)} {{ ?s ?p ?o }} }}", [], "ASK"))

    def quads(self, graph: str | None) -> Iterator[ox.Quad]:
        """The quads of one named graph (a CONSTRUCT over the query endpoint), or with None those of the
        server's own default graph (none if its default graph is the union of the others)."""
        if graph is None:
            if self._resolve_union() == "server":
                return iter([])
            triples = self._post_query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", [], "CONSTRUCT")
            return iter([ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples])
        g = ox.NamedNode(graph)
        triples = self._post_query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {nq.iri(graph)} {{ ?s ?p ?o }} }}",
                                   [], "CONSTRUCT")
        return iter([ox.Quad(t.subject, t.predicate, t.object, g) for t in triples])

    def read_manifest_cache(self) -> object:
        """None: a server keeps no copy of the manifest (``capabilities.manifest_cache`` is False)."""
        return None

    def remember_manifest(self, rows: object) -> None:
        """Nothing to do: a server keeps no copy of the manifest."""

    def dump_nquads(self, out: IO[bytes]) -> None:
        """Every named graph (and the server's own default graph, unless it is the union) as N-Quads."""
        for g in self.named_graphs():
            ox.serialize(self.quads(g), out, ox.RdfFormat.N_QUADS)
        ox.serialize(self.quads(None), out, ox.RdfFormat.N_QUADS)

    # ---- writing --------------------------------------------------------------
    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.endpoint}: the store was opened read-only")

    def _post_update(self, sparql: str, what: str = "update", idempotent: bool = True) -> None:
        self._send("POST", self.update_url, what=what, content=sparql.encode("utf-8"),
                   headers={"Content-Type": "application/sparql-update; charset=utf-8"}, idempotent=idempotent)

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update (predeclared prefixes included) as one request."""
        self._check_writable()
        self._post_update(_prologue_line() + sparql, idempotent=False)

    @staticmethod
    def _update_text(u: GraphUpdate) -> str:
        """The SPARQL Update that replaces one graph, its extra graphs and its manifest rows."""
        return replace_graph_update(u.graph, [(u.graph, u.nquads), *u.extra_graphs], u.manifest)

    def _put_graph(self, graph: str, nquads_text: str) -> None:
        if not self.gsp_url:
            raise EndpointError(f"{self.endpoint}: graph <{graph}> needs a Graph Store Protocol URL "
                                "(too big for one update, or TRADEKG_ENDPOINT_WRITE=gsp); pass --gsp-endpoint URL")
        if nquads_text:
            self._send("PUT", self.gsp_url, what=f"graph <{graph}>", params={"graph": graph},
                       content=graph_lines_to_triples(nquads_text, graph).encode("utf-8"),
                       headers={"Content-Type": f"{N_TRIPLES}; charset=utf-8"})
        else:
            self._send("DELETE", self.gsp_url, what=f"graph <{graph}>", params={"graph": graph}, ok_statuses=(404,))

    def _write_with_gsp(self, u: GraphUpdate) -> None:
        for g, text in [(u.graph, u.nquads), *u.extra_graphs]:
            self._put_graph(g, text)
        self._post_update(replace_manifest_update(u.graph, u.manifest), what=f"manifest of <{u.graph}>")

    def _drain(self) -> None:
        """Wait for the background write, re-raising its error (which names the graphs not written)."""
        fut, self._pending = self._pending, None
        if fut is not None:
            fut.result()

    def settle(self) -> None:
        """Wait for the background write and forget its outcome (an error is already on its way)."""
        try:
            self._drain()
        except Exception:  # noqa: BLE001 - reported by whoever is raising
            pass

    def _in_worker(self, updates: list[GraphUpdate], kg: str, kg_data: str) -> None:
        self._tls.worker = True
        self._replace_now(updates, kg, kg_data)

    def replace_graphs(self, updates: list[GraphUpdate], kg: str = "", kg_data: str = "") -> None:
        """Replace each graph with its extra graphs and manifest row; each request is one server transaction.

        ``kg_data`` (N-Quads to add) and ``kg`` (the knowledge graph's maintenance,
        :func:`kg.kg_graph.kg_update`) are one more request after
        the graphs' requests: a batch may need several requests anyway, so on a server the graphs and the
        knowledge graph are not one transaction (the build marks the knowledge graph pending until it is
        written, and repairs it if a build died in between, see :mod:`kg.build.write`).

        With ``pipeline`` set, the write runs in the background and this returns at
        once; the next request of any kind waits for it and raises its error.
        """
        self._check_writable()
        if not self.pipeline:
            self._replace_now(updates, kg, kg_data)
            return
        self._drain()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="tradekg-write")
        self._pending = self._executor.submit(self._in_worker, updates, kg, kg_data)

    def _replace_now(self, updates: list[GraphUpdate], kg: str = "", kg_data: str = "") -> None:
        """Write now (see :meth:`replace_graphs`).

        Updates are packed into SPARQL Update requests of at most ``max_update_bytes``;
        an update that alone is bigger goes by Graph Store ``PUT``. If a request
        fails, the graphs of earlier requests stay written (and recorded in the
        manifest), and the error names the graphs that were not written.
        """
        self._check_writable()
        pending: list[tuple[GraphUpdate, str | None]] = []
        for u in updates:
            text = None if self.write_mode == "gsp" else self._update_text(u)
            pending.append((u, text if text is not None and len(text.encode("utf-8")) <= self.max_update_bytes else None))
        i = 0
        while i < len(pending):
            u, text = pending[i]
            try:
                if text is None:
                    self._write_with_gsp(u)
                    self.graphs_written += 1
                    i += 1
                    continue
                chunk, size = [text], len(text.encode("utf-8"))
                j = i + 1
                while j < len(pending) and pending[j][1] is not None:
                    n = len(pending[j][1].encode("utf-8")) + 3  # type: ignore[union-attr]
                    if size + n > self.max_update_bytes:
                        break
                    chunk.append(pending[j][1])  # type: ignore[arg-type]
                    size += n
                    j += 1
                self._post_update(" ;\n".join(chunk), what=f"writing {j - i} graph(s)")
                self.graphs_written += j - i
                i = j
            except EndpointError as exc:
                failed = [p[0].graph for p in pending[i:]]
                shown = ", ".join(f"<{g}>" for g in failed[:5]) + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
                err = EndpointError(f"{exc}\n  not written: {shown}; the {self.graphs_written} graph(s) written before "
                                    "are complete and recorded; run the same command again to finish")
                err.failed_graphs = failed  # type: ignore[attr-defined]
                raise err from exc
        tail = [op for op in (insert_nquads(kg_data) if kg_data else "", kg) if op]
        if tail:
            self._post_update(" ;\n".join(tail), what="updating the knowledge graph")

    def drop_graphs(self, graphs: list[str], with_extra: dict[str, list[str]] | None = None, kg: str = "") -> None:
        """Remove graphs and their manifest rows, with ``kg`` (see :meth:`replace_graphs`), in one request."""
        self._check_writable()
        if not graphs:
            return
        self._post_update(drop_graphs_update(graphs, with_extra) + (" ;\n" + kg if kg else ""),
                          what=f"dropping {len(graphs)} graph(s)")

    def load_rdf(self, path: Path, fmt: ox.RdfFormat, to_graph: str | None = None) -> None:
        """Add an RDF file's triples/quads: all of it or nothing, as one update request.

        The whole file is parsed first, so a syntax error changes nothing. A file
        too big for one update request is sent graph by graph with Graph Store
        ``POST`` (each graph is one transaction; the file as a whole is not).
        """
        self._check_writable()
        try:
            parsed = list(ox.parse(path=str(path), format=fmt))
        except (SyntaxError, OSError, ValueError) as exc:
            raise StoreError(f"{path}: {exc}") from exc
        by_graph: dict[str | None, list[ox.Triple]] = {}
        for q in parsed:
            g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else to_graph
            by_graph.setdefault(g, []).append(ox.Triple(q.subject, q.predicate, q.object))
        texts = {g: (ox.serialize(ts, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8") for g, ts in by_graph.items()}
        body = insert_data(list(texts.items())) or "INSERT DATA {\n}"
        if len(body.encode("utf-8")) <= self.max_update_bytes or not self.gsp_url:
            self._post_update(body, what=f"loading {path}", idempotent=False)
            return
        for g, t in texts.items():
            self._send("POST", self.gsp_url, what=f"loading {path} into {g or 'the default graph'}",
                       params={"graph": g} if g else {"default": ""}, content=t.encode("utf-8"),
                       headers={"Content-Type": f"{N_TRIPLES}; charset=utf-8"})

    def optimize(self) -> None:
        raise StoreError(f"{self.endpoint}: a SPARQL server manages its own storage; there is nothing to compact")

    def flush(self) -> None:
        """Wait for a background write; every request the server acknowledged is durable."""
        self._drain()

    def close(self) -> None:
        self.settle()
        if self._executor is not None:
            self._executor.shutdown()
        self._http.close()
