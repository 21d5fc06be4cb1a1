"""Query parameters: ``--param NAME=VALUE`` arguments typed as RDF terms per the query's header.

Values are bound as typed RDF terms (serialised by pyoxigraph into a ``VALUES`` block at
the start of the WHERE group, see :func:`kg.sparql.bind_terms`), never pasted
into the query text; a parameter must be one of the query's variables.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.namespaces import PREFIXES, XSD
from kg.query.library import LibraryQuery

_PREFIXED_RE = re.compile(r"^(?P<prefix>[A-Za-z][A-Za-z0-9_-]*)?:(?P<local>\S*)$")


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



def explain_runtime(exc: Exception, bindings: Mapping[str, Any], source: str) -> QueryError:
    """A query's run-time error as a :class:`QueryError` naming ``source``; Oxigraph's complaint about a bound
    parameter that the SELECT clause leaves out is explained in terms of ``--param``."""
    msg = str(exc)
    if "SELECT projection" in msg:
        var = re.search(r"variable \?(\w+)", msg)
        name = var.group(1) if var else "?"
        return QueryError(f"{source}: parameter {name} must appear in the SELECT clause (Oxigraph binds "
                          "parameters like a VALUES clause over the whole query, so the variable must be "
                          f"projected, and be grouped with GROUP BY if the query aggregates): {msg}")
    return QueryError(f"{source}: the query failed: {msg}")
