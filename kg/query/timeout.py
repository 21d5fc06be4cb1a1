"""The time limit: a query on an embedded store runs in a forked child process that is killed at the deadline.

The child opens the store read-only, renders the results and sends the bytes to the parent through a pipe
in pieces of about :data:`_CHUNK` bytes, so the output streams; then an ("ok", outcome) or an error message.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from kg.errors import QueryError
from kg.namespaces import PREFIXES
from kg.query.params import explain_runtime
from kg.query.render import Outcome, OutputFailed, render
from kg.sparql import bind_terms, syntax_error

DEFAULT_TIMEOUT = 300.0
MAX_TIMEOUT = 1_000_000.0  # seconds; a longer wait does not fit the operating system's poll
_CHUNK = 1 << 16  # bytes the timed child process sends at a time


def _evaluate(store: ox.Store, text: str, bindings: Mapping[str, Any], union: bool) -> Any:
    return store.query(bind_terms(text, dict(bindings)), prefixes=PREFIXES, use_default_graph_as_union=union)


class _PipeOut:
    """The timed child's output: pieces of about :data:`_CHUNK` bytes sent to the parent as they are made."""

    def __init__(self, conn: Any):
        self.conn = conn
        self.buf = bytearray()

    def write(self, data: bytes) -> int:
        self.buf += data
        if len(self.buf) >= _CHUNK:
            self.send()
        return len(data)

    def send(self) -> None:
        if self.buf:
            self.conn.send(("data", bytes(self.buf), None))
            self.buf.clear()


def _child(path: str, text: str, bindings: dict[str, str], union: bool, fmt: str, width: int,
           conn: Any) -> None:
    """Run in a child process: open the store read-only, run, send the output in pieces, then
    ("ok", outcome) or an error."""
    try:
        terms = {k: _term_from_nt(v) for k, v in bindings.items()}
        store = ox.Store.read_only(path)
        pipe = _PipeOut(conn)
        outcome = render(_evaluate(store, text, terms, union), fmt, cast(IO[bytes], pipe), width, frozenset(terms))
        pipe.send()
        conn.send(("ok", outcome, None))
    except OutputFailed:
        pass  # the parent stopped reading: it reports why
    except SyntaxError as exc:
        conn.send(("syntax", str(exc), None))
    except QueryError as exc:
        conn.send(("query", str(exc), None))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as a QueryError
        conn.send(("runtime", str(exc), None))
    finally:
        conn.close()


def _term_from_nt(s: str) -> Any:
    return next(iter(ox.parse(f"<urn:s> <urn:p> {s} .", ox.RdfFormat.N_TRIPLES))).object


def run_with_deadline(path: Path, text: str, out: IO[bytes], bindings: Mapping[str, Any], fmt: str,
                      timeout: float, source: str, union: bool, width: int) -> Outcome:
    """Run the query in a child process on a read-only view of the store at ``path``, copying its output to
    ``out`` as it comes; stop it at ``timeout`` seconds with a :class:`QueryError` naming ``source``."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    nt = {k: str(v) for k, v in bindings.items()}
    proc = ctx.Process(target=_child, args=(str(path), text, nt, union, fmt, width, send), daemon=True)
    proc.start()
    send.close()
    deadline = time.monotonic() + timeout
    try:
        while True:
            if not recv.poll(max(0.0, deadline - time.monotonic())):
                raise QueryError(f"{source}: the query did not finish within {timeout:g} s and was stopped; "
                                 "narrow it (LIMIT, more specific patterns) or give a larger --timeout")
            try:
                status, payload, data = recv.recv()
            except EOFError as exc:
                raise QueryError(f"{source}: the query process ended without an answer "
                                 f"(exit code {proc.exitcode}); the store at {path} may be unreadable") from exc
            if status != "data":
                break
            out.write(payload)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        recv.close()
    if status == "syntax":
        raise syntax_error(SyntaxError(payload), text, source)
    if status == "query":
        raise QueryError(payload)
    if status == "runtime":
        raise explain_runtime(RuntimeError(payload), bindings, source)
    return payload  # type: ignore[no-any-return]

