"""Writing query results: every format (table, csv, tsv, json, xml, turtle, ntriples), as the rows come.

:func:`render` streams pyoxigraph results to a binary file (the whole result is never held in memory);
XML output is watched for characters XML 1.0 cannot carry; errors of the output itself are kept apart
from errors of the query (:class:`OutputFailed`). :func:`write_output` is the ``-o FILE`` / standard
output end.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar, cast

import pyoxigraph as ox

from kg.errors import OutputError, OutputFailed, QueryError
from kg.fileio import output
from kg.namespaces import PREFIXES
from kg.terms import short

FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "ntriples")
TABLE_MAX_ROWS = 1000  # the terminal table shows at most this many rows; the other formats give all

_RESULTS_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {"table": ox.RdfFormat.TURTLE, "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                  "xml": ox.RdfFormat.RDF_XML}


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
    r"""A table cell: the term shortened by :func:`kg.terms.short` (prefixed IRIs, plain literal values), its
    control characters made visible (IRIs and blank node ids cannot contain any; pyoxigraph refuses them).

    >>> compact(ox.NamedNode("https://w3id.org/tradekg/ontology#Tariff")), compact(ox.Literal("a\x1b"))
    ('tdo:Tariff', 'a\\x1b')
    """
    return visible(short(term))


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
        """Call ``step`` (which writes here); an error of the output comes out as :class:`OutputFailed`."""
        try:
            return step()
        except BaseException as exc:
            if self.error is not None:
                raise OutputFailed(self.error) from exc
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
