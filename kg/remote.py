"""A SPARQL 1.1 server as the store: :class:`RemoteStore` (the build into it is :func:`kg.build.build_to_endpoint`).

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

Substitutions are bound by a ``VALUES`` block injected at the start of the
query's outermost WHERE group; terms are written by pyoxigraph, so they are
escaped. Values are never pasted anywhere else.

Credentials come only from the environment: ``TRADEKG_ENDPOINT_USER`` and
``TRADEKG_ENDPOINT_PASSWORD`` (HTTP basic) or ``TRADEKG_ENDPOINT_TOKEN`` (bearer);
they are never written into a message (a server's error page quoting them is redacted).

Every request is bounded as a whole by ``timeout`` (connecting, sending, and reading
the entire answer: a deadline, not a limit per read), and at most
``TRADEKG_ENDPOINT_MAX_BYTES`` (default 512 MiB) of an answer are read. Only a 2xx
answer is a success; redirects are never followed, for reads or writes (a write
must be acknowledged by the URL it was sent to, and a redirected POST would lose
its body or carry the credentials elsewhere): the error names where it points.
"""

from __future__ import annotations

import base64
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

import httpcore
import httpx
import pyoxigraph as ox

from kg import __version__
from kg import nquads as nq
from kg.errors import EndpointError, QueryError, StoreError, TradeKGError
from kg.namespaces import META_GRAPH, TDO, sparql_prologue
from kg.sparql import (
    bind_values,
    drop_graphs_update,
    graph_lines_to_triples,
    insert_data,
    query_form,
    replace_graph_update,
    replace_manifest_update,
)
from kg.store import GraphUpdate

ENV_USER = "TRADEKG_ENDPOINT_USER"
ENV_PASSWORD = "TRADEKG_ENDPOINT_PASSWORD"
ENV_TOKEN = "TRADEKG_ENDPOINT_TOKEN"
ENV_UNION = "TRADEKG_ENDPOINT_UNION"
ENV_WRITE = "TRADEKG_ENDPOINT_WRITE"
ENV_MAX_BYTES = "TRADEKG_ENDPOINT_MAX_BYTES"

UNION_MODES = ("auto", "param", "server", "dataset")
WRITE_MODES = ("update", "gsp")
MAX_UPDATE_BYTES = 1_000_000  # Oxigraph server refuses SPARQL bodies over 1 MiB
MAX_ANSWER_BYTES = 512 * 1024 * 1024  # what is read of one answer, at most (TRADEKG_ENDPOINT_MAX_BYTES)
ERROR_BODY_BYTES = 64 * 1024  # what is read of an error page (500 characters of it are shown)
REMOTE_BATCH_QUADS = 20_000  # articles per progress step / per call of replace_graphs

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


@dataclass
class _Failure:
    url: str
    status: int | None
    detail: str


def _prologue_line() -> str:
    """The predeclared prefixes on one line with no newline, so the server's line numbers match the user's query."""
    return sparql_prologue().replace("\n", " ")


class _Redactor:
    """Replaces credentials in a message by ``***``; its repr shows none of them."""

    def __init__(self, secrets: list[str]):
        self._secrets = sorted({s for s in secrets if len(s) >= 3}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for s in self._secrets:
            text = text.replace(s, "***")
        return text

    def __repr__(self) -> str:
        return f"_Redactor({len(self._secrets)} hidden)"


def _credential(name: str, token: bool = False) -> str:
    """The variable's value, checked usable in an HTTP header; the error never shows it."""
    value = os.environ.get(name, "")
    if token:
        ok, expected = all(0x21 <= ord(c) <= 0x7E for c in value), "visible ASCII characters only (no spaces)"
    else:
        ok, expected = (not any(0xD800 <= ord(c) <= 0xDFFF or ord(c) < 0x20 or ord(c) == 0x7F for c in value)
                        and not (name == ENV_USER and ":" in value)), "UTF-8 text without control characters" + (
            " or ':'" if name == ENV_USER else "")
    if not ok:
        raise StoreError(f"{name} cannot be used in an HTTP header: expected {expected} (its value is not shown)")
    return value


def _auth_from_env() -> tuple[httpx.Auth | None, dict[str, str], _Redactor]:
    token = _credential(ENV_TOKEN, token=True)
    if token:
        return None, {"Authorization": f"Bearer {token}"}, _Redactor([token])
    user = _credential(ENV_USER)
    if user:
        password = _credential(ENV_PASSWORD)
        basic = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return httpx.BasicAuth(user, password), {}, _Redactor([password, basic])
    return None, {}, _Redactor([])


def _shown_url(u: str) -> str:
    """A URL as given, with anything that could be credentials (``user:pass@``) hidden."""
    return re.sub(r"(?<=//)[^/@]*@", "***@", u)


def _check_url(u: str, option: str) -> str:
    """``u`` if it is an absolute http(s) URL with a host, else a StoreError naming ``option``."""
    expected = "expected an http(s) URL such as http://127.0.0.1:7878/query"
    if not u or any(c.isspace() for c in u):
        raise StoreError(f"{option} {_shown_url(u)!r}: not a URL (empty or with spaces); {expected}")
    try:
        url = httpx.URL(u)
        if url.port is not None and not 0 < url.port < 65536:
            raise ValueError(f"port {url.port} is not between 1 and 65535")
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise StoreError(f"{option} {_shown_url(u)!r}: not a valid URL ({exc}); {expected}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise StoreError(f"{option} {_shown_url(u)!r}: not an http(s) URL with a host; {expected}")
    if url.userinfo:
        raise StoreError(f"{_shown_url(u)}: credentials in the URL are refused; set {ENV_USER}/{ENV_PASSWORD} "
                         f"or {ENV_TOKEN} in the environment")
    return u


def _max_answer_bytes(given: int | None) -> int:
    if given is not None:
        return given
    raw = os.environ.get(ENV_MAX_BYTES, "").strip()
    if not raw:
        return MAX_ANSWER_BYTES
    if not raw.isdigit() or int(raw) <= 0:
        raise StoreError(f"{ENV_MAX_BYTES}={raw!r}: expected a positive whole number of bytes, e.g. 1000000000")
    return int(raw)


# ---------------------------------------------------------------------------
# A deadline for each request as a whole
# ---------------------------------------------------------------------------

_deadline = threading.local()  # .at: time.monotonic() by which the current request of this thread must be done


def _left(timeout: float | None, expired: type[Exception]) -> float | None:
    """The time this socket operation may take: its own timeout, cut to what is left before the deadline."""
    at = getattr(_deadline, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise expired("the request's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname,
                                                     _left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, with every connect, read and write cut to the current request's deadline."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_tcp(host, port, _left(timeout, httpcore.ConnectTimeout),
                                                       local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(path, _left(timeout, httpcore.ConnectTimeout),
                                                               socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _with_deadlines(client: httpx.Client) -> httpx.Client:
    """Give the client's connection pools the deadline backend (httpx has no public hook for it; if a
    future httpx moves it, the deadline is still checked between the chunks of an answer)."""
    for transport in [client._transport, *client._mounts.values()]:
        pool = getattr(transport, "_pool", None)
        if pool is not None and hasattr(pool, "_network_backend"):
            pool._network_backend = _DeadlineBackend()
    return client


class _AnswerTooBig(TradeKGError):
    """Internal signal: the answer passed the size cap (turned into an EndpointError naming the URL)."""


class _Unreadable(TradeKGError):
    """Internal signal: the answer could not be read (turned into an EndpointError naming the URL)."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def _cut_off_detail(exc: Exception, size: int) -> str:
    name = type(exc).__name__
    if isinstance(exc, httpx.DecodingError):
        return f"its compressed body is corrupt ({name}: {exc})"
    return f"the connection closed after {size} bytes, before the whole answer arrived ({name}: {exc or 'no detail'})"


@dataclass
class _Answer:
    """A server's answer, read whole (within the cap and the deadline)."""

    status_code: int
    reason_phrase: str
    headers: httpx.Headers
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def _sibling(url: str, name: str) -> str | None:
    """``http://h/ds/query`` -> ``http://h/ds/NAME`` (Oxigraph, Fuseki layout); None unless the URL ends in /query.

    >>> _sibling("http://127.0.0.1:7878/query", "update"), _sibling("http://h:8890/sparql", "update")
    ('http://127.0.0.1:7878/update', None)
    """
    u = httpx.URL(url)
    path = u.path.rstrip("/")
    if path.endswith("/query"):
        return str(u.copy_with(path=path.rsplit("/", 1)[0] + "/" + name, query=None))
    return None


class RemoteStore:
    """A SPARQL 1.1 server used as the TradeKG store; same reading interface as :class:`kg.store.EmbeddedStore`."""

    kind = "remote"

    def __init__(self, endpoint: str, update_url: str | None = None, gsp_url: str | None = None,
                 timeout: float = 30.0, retries: int = 4, backoff: float = 0.5, union: str | None = None,
                 write: str | None = None, max_update_bytes: int = MAX_UPDATE_BYTES, read_only: bool = False,
                 max_answer_bytes: int | None = None):
        _check_url(endpoint, "--endpoint")
        for u, option in ((update_url, "--update-endpoint"), (gsp_url, "--gsp-endpoint")):
            if u is not None:
                _check_url(u, option)
        if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
            raise StoreError(f"HTTP timeout {timeout!r}: expected a number of seconds greater than 0")
        self.max_answer_bytes = _max_answer_bytes(max_answer_bytes)
        self.endpoint = endpoint
        self.update_url = update_url or _sibling(endpoint, "update") or endpoint
        self.gsp_url = gsp_url or _sibling(endpoint, "store")
        self.timeout = timeout
        self.retries = max(1, retries)
        self.backoff = backoff
        self.read_only = read_only
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
        auth, headers, self._redact = _auth_from_env()
        self._client = _with_deadlines(httpx.Client(timeout=httpx.Timeout(timeout), auth=auth, follow_redirects=False,
                                                    headers={"User-Agent": f"tradekg/{__version__}", **headers}))
        self._lock = threading.Lock()
        self.pipeline = False  # replace_graphs returns at once; the write runs while the caller maps the next batch
        self._executor: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None
        self._tls = threading.local()

    def describe(self) -> str:
        return self.endpoint

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    # ---- HTTP with retries -------------------------------------------------
    def _send(self, method: str, url: str, *, what: str,
              content: bytes | None = None, headers: dict[str, str] | None = None,
              params: dict[str, str] | None = None, ok_statuses: tuple[int, ...] = (),
              idempotent: bool = True) -> _Answer:
        """One request; connection errors, timeouts, cut-off answers and 5xx are retried with exponential backoff.

        Only a 2xx (or one of ``ok_statuses``) is a success; a redirect is an error naming
        where it points. Each attempt, answer included, must be done within ``timeout``
        seconds, and at most ``max_answer_bytes`` of the answer are read.

        A request that is not ``idempotent`` (a user's update) is not re-sent once
        the server may have received it (timeout, dropped connection): only when the
        connection could not be made or the server answered 5xx.
        """
        if self._pending is not None and not getattr(self._tls, "worker", False):
            self._drain()  # requests stay in order: a background write finishes (or fails) first
        failure = _Failure(url, None, "")
        for attempt in range(self.retries):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            _deadline.at = time.monotonic() + self.timeout
            try:
                resp = self._exchange(method, url, content=content, headers=headers, params=params)
            except _AnswerTooBig:
                failure = _Failure(url, None, f"the answer is bigger than {self.max_answer_bytes} bytes, the most "
                                              f"TradeKG reads; narrow the query, or raise {ENV_MAX_BYTES}")
                break
            except httpx.TimeoutException as exc:
                failure = _Failure(url, None, f"no answer within {self.timeout:g} s (timeout), counting the whole "
                                              "request and its answer; raise --http-timeout if the server is just slow")
                if not idempotent and not isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
                    failure.detail += "; not re-sent, it may have been applied: check before running it again"
                    break
                continue
            except _Unreadable as exc:
                failure = _Failure(url, exc.status, f"the server's answer (HTTP {exc.status}) could not be read: "
                                                    f"{exc.detail}")
                if not idempotent:
                    failure.detail += "; not re-sent, it may have been applied: check before running it again"
                    break
                continue
            except httpx.TransportError as exc:
                failure = _Failure(url, None, f"cannot reach the server ({type(exc).__name__}: {exc or 'no detail'})")
                if not idempotent and not isinstance(exc, httpx.ConnectError):
                    break
                continue
            finally:
                _deadline.at = None
            if 200 <= resp.status_code < 300 or resp.status_code in ok_statuses:
                return resp
            body = resp.text.strip().replace("\n", " ")[:500]
            failure = _Failure(url, resp.status_code, f"HTTP {resp.status_code} {resp.reason_phrase}"
                                                      + (f": {body}" if body else ""))
            if 300 <= resp.status_code < 400:
                where = resp.headers.get("location")
                failure.detail = (f"HTTP {resp.status_code} {resp.reason_phrase}, a redirect"
                                  + (f" to {_shown_url(where)}" if where else "")
                                  + "; redirects are not followed (the server must answer at the URL it was sent "
                                  "to): give the URL the server wants")
            if resp.status_code < 500:
                break
        status = f"status {failure.status}" if failure.status else "no HTTP status"
        tries = f" after {attempt + 1} attempt(s)" if failure.status is None or failure.status >= 500 else ""
        msg = self._redact(f"{method} {url} ({what}) failed{tries}: {failure.detail} [{status}]")
        if failure.status in (401, 403) and "read-only" not in failure.detail.lower():
            msg += f"; the server wants credentials: set {ENV_USER}/{ENV_PASSWORD} or {ENV_TOKEN}"
        if failure.status == 400 and what in ("query", "update"):
            raise QueryError(msg)
        err = EndpointError(msg)
        err.status = failure.status  # type: ignore[attr-defined]
        err.url = url  # type: ignore[attr-defined]
        raise err

    def _exchange(self, method: str, url: str, *, content: bytes | None, headers: dict[str, str] | None,
                  params: dict[str, str] | None) -> _Answer:
        """Send, and read the whole answer: at most ``max_answer_bytes`` of a 2xx, the start of anything else."""
        request = self._client.build_request(method, url, content=content, headers=headers, params=params)
        resp = self._client.send(request, stream=True)
        try:
            ok = 200 <= resp.status_code < 300
            limit = self.max_answer_bytes if ok else ERROR_BODY_BYTES
            chunks: list[bytes] = []
            size = 0
            try:
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        if ok:
                            raise _AnswerTooBig()
                        chunks.append(chunk[: len(chunk) - (size - limit)])
                        break
                    chunks.append(chunk)
                    _left(None, httpx.ReadTimeout)  # the deadline, also if the backend could not be hooked
            except httpx.TimeoutException:
                raise
            except (httpx.TransportError, httpx.DecodingError) as exc:
                if ok:  # (an error page cut short: what arrived is enough to report it)
                    raise _Unreadable(resp.status_code, _cut_off_detail(exc, size)) from exc
            return _Answer(resp.status_code, resp.reason_phrase, resp.headers, b"".join(chunks))
        finally:
            resp.close()

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
            probe = ("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o)) } LIMIT 1")
            rows = list(self._post_query(probe, []))
            if not rows:
                return "param"  # empty store: nothing to tell apart; decide on the next call
            s, p, o = rows[0]["s"], rows[0]["p"], rows[0]["o"]
            ask = f"ASK {{ {s} {p} {o} }}"
            if bool(self._post_query(ask, [])):
                self.union_mode = "server"
            else:
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
            raise EndpointError(self._redact(f"POST {self.endpoint} (query) failed: the server's answer "
                                             f"({ctype or 'no content type'}, {len(resp.content)} bytes) could not "
                                             f"be read: {exc}")) from exc

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
            if isinstance(s, ox.NamedNode) and p.value.startswith(tdo):
                out.setdefault(s.value, {})[p.value[len(tdo):]] = r["o"].value
        return out

    def quads(self, graph: str) -> Iterator[ox.Quad]:
        """The quads of one named graph (a CONSTRUCT over the query endpoint)."""
        g = ox.NamedNode(graph)
        triples = self._post_query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {nq.iri(graph)} {{ ?s ?p ?o }} }}",
                                   [], "CONSTRUCT")
        return iter([ox.Quad(t.subject, t.predicate, t.object, g) for t in triples])

    def dump_nquads(self, out: IO[bytes]) -> None:
        """Every named graph (and the server's own default graph, unless it is the union) as N-Quads."""
        for g in self.named_graphs():
            ox.serialize(self.quads(g), out, ox.RdfFormat.N_QUADS)
        if self._resolve_union() != "server":
            triples = self._post_query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", [], "CONSTRUCT")
            ox.serialize([ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples],
                         out, ox.RdfFormat.N_QUADS)

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

    def _settle(self) -> None:
        """Wait for the background write and forget its outcome (an error is already on its way)."""
        try:
            self._drain()
        except Exception:  # noqa: BLE001 - reported by whoever is raising
            pass

    def _in_worker(self, updates: list[GraphUpdate]) -> None:
        self._tls.worker = True
        self._replace_now(updates)

    def replace_graphs(self, updates: list[GraphUpdate]) -> None:
        """Replace each graph with its extra graphs and manifest row; each request is one server transaction.

        With ``pipeline`` set, the write runs in the background and this returns at
        once; the next request of any kind waits for it and raises its error.
        """
        self._check_writable()
        if not self.pipeline:
            self._replace_now(updates)
            return
        self._drain()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="tradekg-write")
        self._pending = self._executor.submit(self._in_worker, updates)

    def _replace_now(self, updates: list[GraphUpdate]) -> None:
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

    def drop_graphs(self, graphs: list[str], with_extra: dict[str, list[str]] | None = None) -> None:
        """Remove graphs and their manifest rows (one request)."""
        self._check_writable()
        if not graphs:
            return
        self._post_update(drop_graphs_update(graphs, with_extra), what=f"dropping {len(graphs)} graph(s)")

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

    def flush(self) -> None:
        """Wait for a background write; every request the server acknowledged is durable."""
        self._drain()

    def close(self) -> None:
        self._settle()
        if self._executor is not None:
            self._executor.shutdown()
        self._client.close()


# ---------------------------------------------------------------------------
# Building straight to a server
# ---------------------------------------------------------------------------

# ---------------------------------------------------------------------------
# Copying between stores (push / pull)
# ---------------------------------------------------------------------------

def _nquads_of(store: Any, graph: str) -> str:
    quads = store.quads(graph)
    return (ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"").decode("utf-8")


@dataclass
class CopyReport:
    graphs: int = 0
    quads: int = 0
    dropped: list[str] | None = None


def copy_graphs(src: Any, dst: Any, prune: bool = False,
                progress: Callable[[int, int], None] | None = None, batch_quads: int = REMOTE_BATCH_QUADS) -> CopyReport:
    """Copy every named graph of ``src`` to ``dst`` (embedded or remote), with its manifest rows.

    An article graph and its ``/inferred`` graph travel together; each destination
    write replaces whole graphs, so readers of ``dst`` never see half an article.
    With ``prune``, graphs of ``dst`` that ``src`` lacks are dropped.
    """
    meta = str(META_GRAPH)
    graphs = [g for g in src.named_graphs() if g != meta]
    manifest = src.manifest()
    present = set(graphs)
    extras = {g for g in graphs if g.endswith("/inferred") and g[: -len("/inferred")] in present}
    mains = [g for g in graphs if g not in extras]
    report = CopyReport()
    if isinstance(dst, RemoteStore):
        dst.pipeline = True  # read the next graphs while the server writes
    batch: list[GraphUpdate] = []
    size = 0
    for n, g in enumerate(mains, 1):
        text = _nquads_of(src, g)
        extra = ((g + "/inferred", _nquads_of(src, g + "/inferred")),) if g + "/inferred" in extras else ()
        rows = tuple(sorted(manifest.get(g, {}).items()))
        batch.append(GraphUpdate(g, text, extra, manifest=rows))
        q = text.count("\n") + sum(t.count("\n") for _, t in extra)
        size += q
        report.quads += q
        report.graphs += 1 + len(extra)
        if size >= batch_quads or n == len(mains):
            dst.replace_graphs(batch)
            batch, size = [], 0
            if progress:
                progress(n, len(mains))
    # manifest rows about graphs that are not themselves present (none in a TradeKG build, but keep them)
    orphans = [GraphUpdate(s, "", manifest=tuple(sorted(v.items()))) for s, v in manifest.items()
               if s not in present and s != meta]
    if orphans:
        dst.replace_graphs(orphans)
    if prune:
        keep = present | {meta}
        gone = [g for g in dst.named_graphs() if g not in keep]
        if gone:
            dst.drop_graphs(gone)
        report.dropped = gone
    dst.flush()
    if isinstance(dst, RemoteStore):
        dst.pipeline = False
    return report


# ---------------------------------------------------------------------------
# Running an Oxigraph server (serve command, tests, benchmarks)
# ---------------------------------------------------------------------------

def find_oxigraph() -> str:
    """The ``oxigraph`` server binary: next to this Python (a venv), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise StoreError("the Oxigraph server is not installed: expected an 'oxigraph' command beside "
                     f"{sys.executable} or on PATH; install it with: pip install oxigraph")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_ready(url: str, proc: subprocess.Popen[bytes] | None = None, timeout: float = 20.0) -> None:
    """Poll ``url`` until the server answers; raise StoreError with its output if it exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
            raise StoreError(f"the Oxigraph server exited with status {proc.returncode} before answering at {url}"
                             + (f": {err}" if err else ""))
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise StoreError(f"the Oxigraph server did not answer at {url} within {timeout:g} s")


def start_oxigraph(location: Path, port: int, read_only: bool = False,
                   extra_args: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
    """Start ``oxigraph serve`` (or ``serve-read-only``) on 127.0.0.1:PORT and wait until it answers."""
    cmd = [find_oxigraph(), "serve-read-only" if read_only else "serve", "--location", str(location),
           "--bind", f"127.0.0.1:{port}", *extra_args]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/", proc)
    except BaseException:
        stop_process(proc)
        raise
    return proc


def stop_process(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stderr:
        proc.stderr.close()


@contextmanager
def oxigraph_server(location: Path, port: int | None = None, read_only: bool = False) -> Iterator[str]:
    """An Oxigraph server on a store directory for the duration of the block; yields its query URL."""
    port = port or free_port()
    proc = start_oxigraph(location, port, read_only)
    try:
        yield f"http://127.0.0.1:{port}/query"
    finally:
        stop_process(proc)
