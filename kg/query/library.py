"""The query library: ``queries/NAME.rq`` files, their headers and parameters, and the QUERY argument.

A library query is a ``queries/NAME.rq`` file whose leading comment lines are
its header::

    # title: Officials at a meeting
    # question: Which officials took part in a given meeting, with their posts
    #   and governments?
    # param: meeting iri required -- the meeting, e.g. tdr:event/us-japan-talks-2025-04-16
    # param: date date = today -- the day to ask about

A parameter is ``NAME TYPE`` followed by ``required`` (the default),
``optional`` (left unbound: matches anything) or ``= DEFAULT``. How the values
are typed and bound is :mod:`kg.query.params`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kg import resources
from kg.errors import QueryError

LIBRARY_DIR = resources.path("queries")
PARAM_TYPES = ("iri", "date", "string", "integer", "decimal", "boolean")
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
"""The first keywords of a SPARQL UPDATE (what :func:`kg.sparql.query_form` returns for one)."""
QUERY_KEYWORDS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})
_PARAM_RE = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[a-z]+)"
    r"(?:\s+(?P<req>required|optional)|\s*=\s*(?P<default>\S+))?\s*(?:--\s*(?P<desc>.*))?$"
)


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
        tuple(QUERY_KEYWORDS | UPDATE_KEYWORDS | {"PREFIX", "BASE"}))
    if not looks_like_text:
        p = Path(spec)
        if p.is_file():
            q = load_query_file(p)
            return q.text, q, str(p)
        known = ", ".join(sorted(n for n in lib if "/" not in n)) or "(the library is empty)"
        raise QueryError(f"{spec!r} is neither a query file, a library query nor SPARQL text; "
                         f"library queries: {known} (see: tradekg queries)")
    return spec, None, "<query>"

