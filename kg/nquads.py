"""Writing RDF terms and quads as N-Quads text, fast and safely escaped.

The builder produces each graph as N-Quads lines and hands them to the store
in one transaction; this keeps Python object churn out of the hot path.
"""

from __future__ import annotations

import re
from decimal import Decimal

from kg.namespaces import XSD

_ESC = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_ESC_RE = re.compile(r'[\\"\n\r\t\b\f]')
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')

XSD_DATE = str(XSD.date)
XSD_DECIMAL = str(XSD.decimal)
XSD_INTEGER = str(XSD.integer)
XSD_BOOLEAN = str(XSD.boolean)


def iri(value: str) -> str:
    """An IRI term; refuses characters that cannot appear in an IRI."""
    if _BAD_IRI.search(value):
        raise ValueError(f"not a valid IRI: {value!r}")
    return f"<{value}>"


def _escape(text: str) -> str:
    return _ESC_RE.sub(lambda m: _ESC[m.group(0)], text)


def lit(value: str, lang: str | None = None) -> str:
    """A string literal (xsd:string, or rdf:langString with ``lang``)."""
    if lang:
        return f'"{_escape(value)}"@{lang}'
    return f'"{_escape(value)}"'


def typed(value: str, datatype: str) -> str:
    return f'"{_escape(value)}"^^<{datatype}>'


def date(value: str) -> str:
    return typed(value, XSD_DATE)


def decimal(value: float | int | Decimal) -> str:
    d = Decimal(str(value)).normalize()
    s = format(d, "f")
    if "." not in s:
        s += ".0"
    return typed(s, XSD_DECIMAL)


def integer(value: int) -> str:
    return typed(str(int(value)), XSD_INTEGER)


def boolean(value: bool) -> str:
    return typed("true" if value else "false", XSD_BOOLEAN)


class GraphWriter:
    """Collects the triples of one named graph as N-Quads lines."""

    __slots__ = ("graph", "lines", "_g")

    def __init__(self, graph: str):
        self.graph = graph
        self._g = iri(graph)
        self.lines: list[str] = []

    def add(self, s: str, p: str, o: str) -> None:
        """Add a triple; ``s`` and ``p`` are IRIs (plain strings), ``o`` an N-Triples term."""
        self.lines.append(f"<{s}> <{p}> {o} {self._g} .\n")

    def add_iri(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"<{s}> <{p}> <{o}> {self._g} .\n")

    def text(self) -> str:
        return "".join(self.lines)

    def __len__(self) -> int:
        return len(self.lines)
