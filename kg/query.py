"""Running SPARQL: the query library, safe parameters, result formats and time limits.

A library query is a ``queries/NAME.rq`` file whose leading comment lines are
its header::

    # title: Officials at a meeting
    # question: Which officials took part in a given meeting, with their posts
    #   and governments?
    # param: meeting iri required -- the meeting, e.g. tdr:event/us-japan-talks-2025-04-16
    # param: date date = today -- the day to ask about

A parameter is ``NAME TYPE`` followed by ``required`` (the default),
``optional`` (left unbound: matches anything) or ``= DEFAULT``. Values are
bound as typed RDF terms (serialised by pyoxigraph into a ``VALUES`` block at
the start of the WHERE group, see :func:`kg.sparql.bind_terms`), never pasted
into the query text; a parameter must be one of the query's variables.
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import re
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, TypeVar, cast

import pyoxigraph as ox

from kg import resources
from kg.errors import OutputError, QueryError, TradeKGError
from kg.fileio import output
from kg.namespaces import PREFIXES, XSD
from kg.sparql import bind_terms, query_form, subquery_params, syntax_error

LIBRARY_DIR = resources.path("queries")
PARAM_TYPES = ("iri", "date", "string", "integer", "decimal", "boolean")
FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "ntriples")
DEFAULT_TIMEOUT = 300.0
MAX_TIMEOUT = 1_000_000.0  # seconds; a longer wait does not fit the operating system's poll
TABLE_MAX_ROWS = 1000  # the terminal table shows at most this many rows; the other formats give all
_CHUNK = 1 << 16  # bytes the timed child process sends at a time

_RESULTS_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {"table": ox.RdfFormat.TURTLE, "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                  "xml": ox.RdfFormat.RDF_XML}
_UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_QUERY_KEYWORDS = {"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"}
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PARAM_RE = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[a-z]+)"
    r"(?:\s+(?P<req>required|optional)|\s*=\s*(?P<default>\S+))?\s*(?:--\s*(?P<desc>.*))?$"
)
_PREFIXED_RE = re.compile(r"^(?P<prefix>[A-Za-z][A-Za-z0-9_-]*)?:(?P<local>\S*)$")


# ---------------------------------------------------------------------------
# The library
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    """One declared parameter of a library query."""

    name: str
    type: str
    default: str | None = None
    optional: bool = False
    description: str = ""

    def describe(self) -> str:
        how = f"= {self.default}" if self.default is not None else ("optional" if self.optional else "required")
        return f"{self.name} ({self.type}, {how})"


@dataclass(frozen=True)
class LibraryQuery:
    """A named query of the library: its file, header and text."""

    name: str
    path: Path
    title: str
    question: str
    params: tuple[Param, ...]
    text: str
    header: dict[str, str] = field(default_factory=dict)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def parse_header(text: str, path: str) -> tuple[dict[str, str], tuple[Param, ...]]:
    """The ``# key: value`` lines at the top of a query file and its parameters.

    >>> h, ps = parse_header("# title: T\\n# question: Who\\n#   met whom?\\n# param: d date = today -- day\\nSELECT", "q.rq")
    >>> h["question"], ps[0].describe()
    ('Who met whom?', 'd (date, = today)')
    """
    header: dict[str, str] = {}
    params: list[Param] = []
    last: str | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            if header:
                break
            continue
        if not stripped.startswith("#"):
            break
        body = stripped[1:]
        m = re.match(r"^\s?([a-z][a-z-]*):\s*(.*)$", body)
        if m and not body.startswith("   "):
            key, value = m.group(1), m.group(2).strip()
            if key == "param":
                pm = _PARAM_RE.match(value)
                if not pm or pm.group("type") not in PARAM_TYPES:
                    raise QueryError(f"{path}:{lineno}: bad parameter declaration {value!r}; expected "
                                     f"'# param: NAME TYPE [required|optional|= DEFAULT] -- description' "
                                     f"with TYPE one of {', '.join(PARAM_TYPES)}")
                if any(p.name == pm.group("name") for p in params):
                    raise QueryError(f"{path}:{lineno}: parameter {pm.group('name')!r} is declared twice")
                params.append(Param(pm.group("name"), pm.group("type"), pm.group("default"),
                                    pm.group("req") == "optional", (pm.group("desc") or "").strip()))
                last = None
            else:
                header[key] = value
                last = key
        elif last is not None and body.strip():
            header[last] = (header[last] + " " + body.strip()).strip()
    undeclared = sorted(n for n in subquery_params(text) if not any(p.name == n for p in params))
    if undeclared:
        raise QueryError(f"{path}: '# bind-in-subqueries:' names {', '.join(undeclared)}, which "
                         f"{'is not a declared parameter' if len(undeclared) == 1 else 'are not declared parameters'}; "
                         "expected names from its '# param:' lines")
    return header, tuple(params)


def load_query_file(path: Path, name: str | None = None) -> LibraryQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read the query file: {exc}") from exc
    header, params = parse_header(text, str(path))
    return LibraryQuery(name or path.stem, path, header.get("title", path.stem), header.get("question", ""),
                        params, text, header)


def load_library(directory: Path = LIBRARY_DIR) -> dict[str, LibraryQuery]:
    """Every ``NAME.rq`` in the library folder (check queries under ``checks/`` as ``checks/NAME``)."""
    out: dict[str, LibraryQuery] = {}
    if not directory.is_dir():
        return out
    for path in sorted(directory.glob("*.rq")) + sorted(directory.glob("checks/*.rq")):
        rel = path.relative_to(directory).with_suffix("").as_posix()
        q = load_query_file(path, rel)
        if not q.header.get("title"):
            raise QueryError(f"{path}:1: the query has no '# title:' header line; expected a title, "
                             "a question and its parameters at the top")
        out[rel] = q
    return out


def resolve(spec: str, library: Mapping[str, LibraryQuery] | None = None) -> tuple[str, LibraryQuery | None, str]:
    """Turn a QUERY argument into (text, library entry or None, display name).

    QUERY is a ``.rq``/``.sparql`` file path, a library name, or SPARQL text.
    """
    lib = load_library() if library is None else library
    if spec in lib:
        q = lib[spec]
        return q.text, q, str(q.path)
    looks_like_text = any(c in spec for c in "{}\n ") or spec.strip().upper().startswith(
        tuple(_QUERY_KEYWORDS | _UPDATE_KEYWORDS | {"PREFIX", "BASE"}))
    if not looks_like_text:
        p = Path(spec)
        if p.is_file():
            q = load_query_file(p)
            return q.text, q, str(p)
        known = ", ".join(sorted(n for n in lib if "/" not in n)) or "(the library is empty)"
        raise QueryError(f"{spec!r} is neither a query file, a library query nor SPARQL text; "
                         f"library queries: {known} (see: tradekg queries)")
    return spec, None, "<query>"


# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------

def expand_iri(value: str) -> str | None:
    """A full IRI for ``<...>``, a prefixed name (``tdr:person/x`` allowed) or an absolute IRI.

    >>> expand_iri("tdr:event/us-japan-talks-2025-04-16")
    'https://w3id.org/tradekg/resource/event/us-japan-talks-2025-04-16'
    >>> expand_iri("<http://example.org/a>"), expand_iri("plain words")
    ('http://example.org/a', None)
    """
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        return v[1:-1]
    m = _PREFIXED_RE.match(v)
    if m and (m.group("prefix") or "") in PREFIXES:
        return PREFIXES[m.group("prefix") or ""] + m.group("local")
    if re.match(r"^(https?|urn|mailto|file):\S+$", v):
        return v
    return None


def to_term(name: str, value: str, type_: str | None) -> ox.NamedNode | ox.Literal:
    """Bind one ``--param`` value as a typed RDF term (``type_`` None: guess from the value)."""
    if type_ is None:
        type_ = _guess_type(value)
        if type_ == "string" and len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
    try:
        if type_ == "iri":
            iri = expand_iri(value)
            if iri is None:
                raise ValueError("expected <IRI>, a prefixed name such as tdr:person/donald-trump "
                                 f"(prefixes: {', '.join(PREFIXES)}) or an absolute IRI")
            return ox.NamedNode(iri)
        if type_ == "date":
            if value == "today":
                value = dt.date.today().isoformat()
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError("expected a date YYYY-MM-DD (or 'today')")
            dt.date.fromisoformat(value)
            return ox.Literal(value, datatype=ox.NamedNode(str(XSD.date)))
        if type_ == "integer":
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(str(XSD.integer)))
        if type_ == "decimal":
            return ox.Literal(str(Decimal(value)), datatype=ox.NamedNode(str(XSD.decimal)))
        if type_ == "boolean":
            if value not in ("true", "false"):
                raise ValueError("expected true or false")
            return ox.Literal(value, datatype=ox.NamedNode(str(XSD.boolean)))
        return ox.Literal(value)
    except (ValueError, InvalidOperation) as exc:
        raise QueryError(f"--param {name}={value}: not a valid {type_}: {exc}") from exc


def _guess_type(value: str) -> str:
    if expand_iri(value) is not None and not re.fullmatch(r"[A-Za-z]:.*", value):
        return "iri"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return "date"
    if re.fullmatch(r"[+-]?\d+", value):
        return "integer"
    if re.fullmatch(r"[+-]?\d*\.\d+", value):
        return "decimal"
    return "string"


def parse_param_args(args: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["name=value", ...]`` to a dict; the value may contain ``=``."""
    out: dict[str, str] = {}
    for a in args:
        name, sep, value = a.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"--param {a!r}: expected NAME=VALUE, e.g. --param date=2025-04-20")
        if name in out:
            raise QueryError(f"--param {name} is given twice")
        out[name] = value
    return out


def bind(query: LibraryQuery | None, raw: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """Typed terms for the given parameters, with defaults; checks names and required ones."""
    if query is None or not query.params:
        if query is not None and raw:
            raise QueryError(f"{query.path}: the query declares no parameters, but got {', '.join(raw)}")
        return {k: to_term(k, v, None) for k, v in raw.items()}
    unknown = [k for k in raw if query.param(k) is None]
    if unknown:
        raise QueryError(f"{query.name}: unknown parameter {', '.join(unknown)}; expected "
                         + ", ".join(p.describe() for p in query.params))
    out: dict[str, ox.NamedNode | ox.Literal] = {}
    for p in query.params:
        if p.name in raw:
            out[p.name] = to_term(p.name, raw[p.name], p.type)
        elif p.default is not None:
            out[p.name] = to_term(p.name, p.default, p.type)
        elif not p.optional:
            example = {"iri": "tdr:...", "date": "2025-04-20", "integer": "3"}.get(p.type, "...")
            raise QueryError(f"{query.name}: missing required parameter {p.name} ({p.type}"
                             + (f": {p.description}" if p.description else "")
                             + f"); give --param {p.name}={example}")
    return out


# ---------------------------------------------------------------------------
# Running and rendering
# ---------------------------------------------------------------------------

@dataclass
class Outcome:
    """What a query produced: the form, and for ASK the answer; the bytes were written."""

    form: str
    boolean: bool | None = None
    rows: int | None = None


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    r"""``text`` with control characters (but tab and newline) shown as ``\xNN``, for a terminal.

    >>> visible("\x1b[31mred\x00")
    '\\x1b[31mred\\x00'
    """
    return _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def compact(term: Any) -> str:
    """A short readable form of a term for the table: prefixed IRIs, plain literal values."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        best = max(((p, ns) for p, ns in PREFIXES.items() if iri.startswith(ns)), key=lambda x: len(x[1]), default=None)
        return f"{best[0]}:{iri[len(best[1]):]}" if best else f"<{iri}>"
    if isinstance(term, ox.Literal):
        return visible(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return visible(str(term))


class _OutputFailed(TradeKGError):
    """Writing to the output (not the query) failed; :func:`run_query` re-raises the output's own error."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


# Characters XML 1.0 cannot contain, not even as character references, as UTF-8 bytes. Oxigraph writes them
# raw; markup cannot contain them, so any occurrence in its XML output is inside a value.
_XML_BAD_RE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
_XML_MARK_RE = re.compile(rb'<result>|<binding name="([^"]*)">|rdf:(?:about|nodeID)="([^"]*)"')


class _XmlGuard:
    """Watches XML output as it is written and stops at a character XML 1.0 cannot carry.

    It keeps the row number and variable (SPARQL results) or subject (RDF/XML) last seen, to say where.
    """

    def __init__(self, rdf: bool):
        self.rdf = rdf
        self.rows = 0
        self.where = ""
        self.tail = b""  # the end of the previous piece: markup may be split between pieces

    def __call__(self, data: bytes) -> None:
        buf = self.tail + data
        bad = _XML_BAD_RE.search(buf)
        stop = bad.start() if bad else len(buf)
        for m in _XML_MARK_RE.finditer(buf, 0, stop):
            if m.end() <= len(self.tail):
                continue  # seen with the previous piece
            if m.group(0) == b"<result>":
                self.rows += 1
            else:
                self.where = (m.group(1) or m.group(2) or b"").decode("utf-8", "replace")
        self.tail = buf[-300:]
        if bad:
            char = bad.group(0).decode("utf-8")
            if self.rdf:
                where = f"a literal of {self.where}" if self.where else "a literal"
                use = "use --format ntriples or turtle"
            else:
                where = f"row {self.rows}, ?{self.where}"
                use = "use --format json, csv or tsv"
            raise QueryError(f"{where}: the value contains U+{ord(char):04X}, a character XML 1.0 cannot "
                             f"carry (not even escaped), so the XML would be broken; {use} for this data")


class _Sink:
    """The output as pyoxigraph's serialisers see it: an optional check of each piece, and errors of the
    output itself kept apart from errors of the query."""

    def __init__(self, out: IO[bytes], check: Callable[[bytes], None] | None = None):
        self.out = out
        self.check = check
        self.last = b""
        self.error: BaseException | None = None

    def write(self, data: bytes) -> int:
        data = bytes(data)
        if self.check is not None:
            self.check(data)
        try:
            self.out.write(data)
        except BaseException as exc:
            self.error = exc
            raise
        if data:
            self.last = data[-1:]
        return len(data)

    def flush(self) -> None:
        pass

    @property
    def io(self) -> IO[bytes]:
        """This sink typed as the binary file pyoxigraph's serialisers take (they only call write)."""
        return cast(IO[bytes], self)

    def run(self, step: Callable[[], Any]) -> Any:
        """Call ``step`` (which writes here); an error of the output comes out as :class:`_OutputFailed`."""
        try:
            return step()
        except BaseException as exc:
            if self.error is not None:
                raise _OutputFailed(self.error) from exc
            raise


def render(result: Any, fmt: str, out: IO[bytes], width: int = 160, hide: frozenset[str] = frozenset()) -> Outcome:
    """Write pyoxigraph query results to ``out`` in ``fmt``, as they come (never the whole result in memory).

    ``hide``: columns the table leaves out (the bound parameters, whose value the user gave). The table shows
    at most :data:`TABLE_MAX_ROWS` rows and counts the rest. XML output stops with a :class:`QueryError` at a
    value XML 1.0 cannot carry (a control character, U+FFFE, U+FFFF).
    """
    sink = _Sink(out)
    if isinstance(result, ox.QueryBoolean):
        value = bool(result)
        if fmt in _RESULTS_FORMATS:
            sink.run(lambda: result.serialize(sink.io, _RESULTS_FORMATS[fmt]))
            if fmt in ("csv", "tsv"):
                sink.run(lambda: sink.write(b"\n"))
        else:
            sink.run(lambda: sink.write(b"true\n" if value else b"false\n"))
        return Outcome("ASK", boolean=value)
    if not isinstance(result, ox.QuerySolutions) and not hasattr(result, "variables"):  # CONSTRUCT/DESCRIBE
        if fmt not in _GRAPH_FORMATS:
            raise QueryError(f"CONSTRUCT/DESCRIBE results are RDF triples; --format {fmt} is for SELECT; "
                             "use --format turtle (default), ntriples or xml")
        rdf_format = _GRAPH_FORMATS[fmt]
        prefixes = PREFIXES if rdf_format == ox.RdfFormat.TURTLE else None
        sink.check = _XmlGuard(rdf=True) if rdf_format == ox.RdfFormat.RDF_XML else None
        sink.run(lambda: ox.serialize(result, sink.io, rdf_format, prefixes=prefixes))
        return Outcome("CONSTRUCT")
    if fmt in _RESULTS_FORMATS:
        sink.check = _XmlGuard(rdf=False) if fmt == "xml" else None
        sink.run(lambda: result.serialize(sink.io, _RESULTS_FORMATS[fmt]))
        if fmt in ("csv", "tsv") and sink.last != b"\n":
            sink.run(lambda: sink.write(b"\r\n" if fmt == "csv" else b"\n"))
        return Outcome("SELECT")
    if fmt != "table":
        raise QueryError(f"--format {fmt} is for CONSTRUCT/DESCRIBE results; use table, csv, tsv, json or xml")
    return _render_table(result, sink, width, hide)


def _render_table(result: Any, sink: _Sink, width: int, hide: frozenset[str]) -> Outcome:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    names = [v.value for v in result.variables]
    shown = [i for i, n in enumerate(names) if n not in hide] or list(range(len(names)))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for i in shown:
        table.add_column(names[i], overflow="fold")
    count = 0
    for row in result:
        count += 1
        if count <= TABLE_MAX_ROWS:
            table.add_row(*(compact(row[i]) for i in shown))
    buf = io.StringIO()
    Console(file=buf, width=width, no_color=True, highlight=False, emoji=False).print(table)
    if count > TABLE_MAX_ROWS:
        buf.write(f"({TABLE_MAX_ROWS} of {count} rows shown; use --format csv, tsv, json or xml for all of them)\n")
    sink.run(lambda: sink.write(buf.getvalue().encode("utf-8")))
    return Outcome("SELECT", rows=count)


def _evaluate(store: ox.Store, text: str, bindings: Mapping[str, Any], union: bool) -> Any:
    return store.query(bind_terms(text, dict(bindings)), prefixes=PREFIXES, use_default_graph_as_union=union)


def _explain_runtime(exc: Exception, bindings: Mapping[str, Any], source: str) -> QueryError:
    msg = str(exc)
    if "SELECT projection" in msg:
        var = re.search(r"variable \?(\w+)", msg)
        name = var.group(1) if var else "?"
        return QueryError(f"{source}: parameter {name} must appear in the SELECT clause (Oxigraph binds "
                          "parameters like a VALUES clause over the whole query, so the variable must be "
                          f"projected, and be grouped with GROUP BY if the query aggregates): {msg}")
    return QueryError(f"{source}: the query failed: {msg}")


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
    except _OutputFailed:
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


def run_query(store: Any, text: str, out: IO[bytes], bindings: Mapping[str, Any] | None = None,
              fmt: str = "table", timeout: float | None = None, source: str = "<query>",
              union: bool = True, width: int = 160) -> Outcome:
    """Run a read query on ``store`` and write its results to ``out``.

    With a ``timeout`` (seconds) and an embedded store, the query runs in a
    child process on a read-only view of the store and is killed at the
    deadline; without one it runs here.
    """
    bindings = dict(bindings or {})
    form = query_form(text)
    if form in _UPDATE_KEYWORDS:
        raise QueryError(f"{source}: this is a SPARQL UPDATE ({form}); updates are refused unless "
                         "--allow-update is given")
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    path = store.capabilities.local_path
    if timeout and path is not None:
        return _run_with_deadline(path, text, out, bindings, fmt, timeout, source, union, width)
    try:
        if path is None:
            # check the syntax here, so errors name the user's lines (a server sees a prologue added)
            ox.Store().query(text, prefixes=PREFIXES)
        result = store.query(text, substitutions=bindings, union=union)
        return render(result, fmt, out, width, frozenset(bindings))
    except _OutputFailed as exc:
        raise exc.error from None
    except SyntaxError as exc:
        raise syntax_error(exc, text, source) from exc
    except (RuntimeError, OSError, ValueError) as exc:
        raise _explain_runtime(exc, bindings, source) from exc


def _run_with_deadline(path: Path, text: str, out: IO[bytes], bindings: Mapping[str, Any], fmt: str,
                       timeout: float, source: str, union: bool, width: int) -> Outcome:
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
        raise _explain_runtime(RuntimeError(payload), bindings, source)
    return payload  # type: ignore[no-any-return]


def run_update(store_path: Path, text: str, source: str = "<update>", wait: bool = False) -> tuple[int, int]:
    """Apply a SPARQL UPDATE to the embedded store under its writer lock; (quads before, after)."""
    from kg.store import open_store, write_lock

    with write_lock(store_path, wait=wait):
        store = open_store(store_path, read_only=False)
        before = store.quad_count()
        try:
            store.update(text)
        except SyntaxError as exc:
            raise syntax_error(exc, text, source) from exc
        except (RuntimeError, OSError, ValueError) as exc:
            raise QueryError(f"{source}: the update failed and was not applied: {exc}") from exc
        store.flush()
        return before, store.quad_count()


T = TypeVar("T")


def write_output(target: str, produce: Callable[[IO[bytes]], T]) -> T:
    """Call ``produce(fileobj)`` writing to stdout (``-``, as it comes) or to a file, whole or not at all."""
    if target == "-":
        stdout = getattr(sys.stdout, "buffer", None)
        if stdout is None:  # a text-only stdout (some embedding): decode once at the end
            buf = io.BytesIO()
            result = produce(buf)
            sys.stdout.write(buf.getvalue().decode("utf-8"))
            sys.stdout.flush()
            return result
        sys.stdout.flush()
        result = produce(stdout)
        stdout.flush()
        return result
    dest = Path(target)
    if dest.is_dir():
        raise OutputError(f"{target}: is a directory; expected a file to write the query results to, "
                          f"e.g. -o {dest / 'results.csv'}")
    with output(dest, "query results") as f:  # a device, FIFO or symlink is written through
        return produce(f)
