"""SPARQL text, with no I/O: the tokenizer, the query form, binding parameters, syntax-error
locations and the SPARQL Update text both stores send.

Substitutions are bound by a ``VALUES`` block injected at the start of the
query's outermost WHERE group; terms are written by pyoxigraph, so they are
escaped. Values are never pasted anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import pyoxigraph as ox

from kg import nquads as nq
from kg.errors import QueryError
from kg.namespaces import META_GRAPH, PREFIXES, TDO

# ---------------------------------------------------------------------------
# Tokens, query form and where to bind values
# ---------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][A-Za-z_0-9\u00b7-\uffff]+)
      | (?P<word>[A-Za-z_][A-Za-z_0-9-]*(?::[^\s{}()<>"']*)?)
      | (?P<open>\{) | (?P<close>\}) | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
READ_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_FORMS = READ_FORMS
_LETTERS = re.compile(r"[A-Za-z]+")
_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*$")


def _tokens(sparql: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, offset) of each token that matters for structure; comments and spaces are dropped."""
    for m in _TOKEN_RE.finditer(sparql):
        kind = m.lastgroup or "other"
        if kind == "comment" or (kind == "other" and m.group().isspace()):
            continue
        yield kind, m.group(), m.start()


def query_form(sparql: str, *, require_read: bool = False) -> str | None:
    """The query's form: its first keyword after the prologue (comments, PREFIX and BASE), upper-cased, or None.

    Keywords inside comments, strings and IRIs do not count. With ``require_read``, the form must be
    SELECT, ASK, CONSTRUCT or DESCRIBE (what a SPARQL server is asked to answer), else a QueryError.

    >>> query_form("# hi\\nPREFIX a: <http://x#y>\\n select * {}"), query_form("DROP ALL"), query_form("{")
    ('SELECT', 'DROP', None)
    >>> query_form('PREFIX ex: <http://e/> # SELECT in a comment\\nask { ?s ex:p "CONSTRUCT" }')
    'ASK'
    """
    toks = _tokens(sparql)
    form: str | None = None
    for kind, text, _ in toks:
        word = _LETTERS.match(text) if kind == "word" else None
        form = word.group(0).upper() if word else None
        if form not in ("PREFIX", "BASE"):
            break
        # skip the declaration: PREFIX name: <iri> / BASE <iri>
        for kind2, _, _ in toks:
            if kind2 == "iri":
                break
        else:
            break
        form = None
    if require_read and form not in READ_FORMS:
        raise QueryError("the query has no SELECT, ASK, CONSTRUCT or DESCRIBE; expected a SPARQL 1.1 query")
    return form


def _where_group_start(sparql: str) -> int | None:
    """Offset just after the ``{`` that opens the outermost WHERE group, or None (e.g. ``CONSTRUCT WHERE``)."""
    toks = list(_tokens(sparql))
    i = next((n for n, (k, t, _) in enumerate(toks) if k == "word" and t.upper() in _FORMS), None)
    if i is None:
        return None
    form = toks[i][1].upper()
    j = i + 1
    if form == "CONSTRUCT":
        if j < len(toks) and toks[j][0] == "word" and toks[j][1].upper() == "WHERE":
            return None  # short form: the group is also the template; VALUES cannot go inside
        depth = 0
        while j < len(toks):  # skip the template
            if toks[j][0] == "open":
                depth += 1
            elif toks[j][0] == "close":
                depth -= 1
                if depth == 0:
                    j += 1
                    break
            j += 1
    for kind, _, offset in toks[j:]:
        if kind == "open":
            return offset + 1
    return None


def _values_block(names: list[str], substitutions: dict[str, Any]) -> str:
    return ("VALUES (" + " ".join(f"?{n}" for n in names) + ") { ("
            + " ".join(_term(substitutions[n], n) for n in names) + ") }")


def _term(value: Any, name: str) -> str:
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return str(value)
    raise QueryError(f"cannot bind ?{name} to {value!r} on a SPARQL server: expected an IRI or a literal")


def bind_values(sparql: str, substitutions: dict[str, Any] | None) -> str:
    """Bind variables by a ``VALUES`` block at the start of the outermost WHERE group (standard SPARQL 1.1:
    any engine runs the result; a sub-query does not see the block, its variables are its own).

    >>> print(bind_values('SELECT ?n WHERE { ?p <http://e/name> ?n }', {"p": ox.NamedNode("http://e/a")}))
    SELECT ?n WHERE {
    VALUES (?p) { (<http://e/a>) }
     ?p <http://e/name> ?n }
    >>> bind_values('ASK { ?s ?p ?o }', {"o": ox.Literal('say "hi" }')})
    'ASK {\\nVALUES (?o) { ("say \\\\"hi\\\\" }") }\\n ?s ?p ?o }'
    """
    if not substitutions:
        return sparql
    names = list(substitutions)
    for n in names:
        if not _VAR_NAME.match(n):
            raise QueryError(f"cannot bind {n!r}: expected a variable name (letters, digits, _)")
    block = _values_block(names, substitutions)
    at = _where_group_start(sparql)
    if at is None:  # no group to open (CONSTRUCT WHERE, DESCRIBE <x>): a trailing VALUES clause
        return sparql.rstrip() + "\n" + block + "\n"
    return sparql[:at] + "\n" + block + "\n" + sparql[at:]


def bind_terms(sparql: str, substitutions: dict[str, Any] | None) -> str:
    """Bind variables to RDF terms with a ``VALUES`` block at the start of the outermost WHERE group.

    The terms are serialised by pyoxigraph, so a value can never change the query. Oxigraph plans
    a leading VALUES far better than its own ``substitutions`` (which it joins last: 1.55 s against
    0.24 s for ``fact-evidence`` on a 1,000-article store). The query is parsed unchanged first (in an
    empty in-memory store), so syntax errors keep the user's line and column.
    """
    if not substitutions:
        return sparql
    ox.Store().query(sparql, prefixes=PREFIXES)  # raises SyntaxError with the user's positions
    for name in substitutions:
        if not re.search(rf"[?$]{re.escape(name)}(?![A-Za-z0-9_])", sparql):
            raise QueryError(f"parameter {name} is not a variable of the query (no ?{name} in it); "
                             "expected the name of one of its variables")
    return bind_values(sparql, substitutions)


# ---------------------------------------------------------------------------
# Syntax errors
# ---------------------------------------------------------------------------

def syntax_error(exc: Exception, text: str, source: str) -> QueryError:
    """A QueryError naming line and column, showing the line with a caret under the position."""
    msg = str(exc)
    m = re.match(r"error at (\d+):(\d+): (.*)", msg, re.S)
    if not m:
        return QueryError(f"{source}: invalid SPARQL: {msg}")
    line, col, what = int(m.group(1)), int(m.group(2)), m.group(3)
    what = _tidy_expected(what)
    lines = text.splitlines() or [""]
    line = max(1, min(line, len(lines)))
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + min(col - 1, len(lines[line - 1]))
    tok = re.compile(r"\S+").match(text, offset) if offset < len(text) else None
    if tok:
        near = f" at {tok.group(0)!r}"
    else:
        # Oxigraph points just after the token it could not use: show that token
        before = list(re.finditer(r"\S+", text[:offset]))
        if not before:
            return QueryError(f"{source}: SPARQL syntax error: the query is empty")
        offset = before[-1].start()
        word = before[-1].group(0)
        near = f" at {word!r}"
    line = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    col = offset - line_start + 1
    src = lines[line - 1] if line <= len(lines) else ""
    caret = " " * (col - 1) + "^"
    return QueryError(f"{source}:{line}:{col}: SPARQL syntax error{near}: {what}\n  {src}\n  {caret}")


def _tidy_expected(what: str) -> str:
    """Keep the keywords of Oxigraph's 'expected one of ...' list, drop its character classes."""
    what = " ".join(what.split())
    if what.startswith("expected"):
        items = re.split(r",\s(?=[A-Za-z'\[])", what.removeprefix("expected one of ").removeprefix("expected "))
        words = [w for w in items if re.fullmatch(r"[A-Za-z][A-Za-z ]*", w)]
        if "Prefix not found" in words:
            return "unknown prefix (predeclared: " + ", ".join(PREFIXES) + "; or add a PREFIX line)"
        if words:
            return "the parser expected " + ("one of " if len(words) > 1 else "") + ", ".join(words)
        return "unexpected input"
    return what[:300]


# ---------------------------------------------------------------------------
# SPARQL Update text (both stores)
# ---------------------------------------------------------------------------

def graph_lines_to_triples(nquads_text: str, graph: str) -> str:
    """N-Quads lines of one graph -> N-Triples (the graph term removed); every line ends in a newline.

    Lines end at ``\\n`` only: a literal may hold U+2028, U+0085 and other characters that
    ``str.splitlines`` breaks at, and a line cut there would break (or change) the update.

    >>> graph_lines_to_triples('<http://e/a> <http://e/b> "c" <http://e/g> .\\n<x:s> <x:p> <x:o> <http://e/g> .', "http://e/g")
    '<http://e/a> <http://e/b> "c" .\\n<x:s> <x:p> <x:o> .\\n'
    """
    suffix = f" <{graph}> .\n"
    out = []
    for line in nquads_text.split("\n"):
        if not line:
            continue
        line += "\n"
        out.append(line[: -len(suffix)] + " .\n" if line.endswith(suffix) else line)
    return "".join(out)


def manifest_rows(graph: str, manifest: Sequence[tuple[str, str]]) -> str:
    """The manifest rows about ``graph`` as N-Triples lines (``tdo:`` property local name, value)."""
    return "".join(f"<{graph}> <{TDO[k]}> {nq.lit(v)} .\n" for k, v in manifest)


def delete_manifest_update(graph: str) -> str:
    """Remove the manifest rows about ``graph`` from the meta graph."""
    return f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}"


def replace_manifest_update(graph: str, manifest: Sequence[tuple[str, str]]) -> str:
    """Replace the manifest rows about ``graph`` (remove them, then insert ``manifest`` if any)."""
    rows = manifest_rows(graph, manifest)
    return delete_manifest_update(graph) + (f" ;\nINSERT DATA {{ GRAPH <{META_GRAPH}> {{\n{rows}}} }}" if rows else "")


def insert_data(triples_by_graph: Sequence[tuple[str | None, str]]) -> str:
    """One ``INSERT DATA`` of N-Triples text per graph (None: the default graph); "" if there is nothing."""
    blocks = [text if g is None else f"GRAPH {nq.iri(g)} {{\n{text}}}\n" for g, text in triples_by_graph if text]
    return "INSERT DATA {\n" + "".join(blocks) + "}" if blocks else ""


def insert_nquads(nquads_text: str) -> str:
    """``INSERT DATA`` of N-Quads text (a line without a graph is in the default graph); "" if it is empty."""
    by_graph: dict[str | None, list[ox.Triple]] = {}
    for q in ox.parse(nquads_text, format=ox.RdfFormat.N_QUADS):
        g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None
        by_graph.setdefault(g, []).append(ox.Triple(q.subject, q.predicate, q.object))
    return insert_data([(g, "".join(f"{t} .\n" for t in ts)) for g, ts in by_graph.items()])


def replace_graph_update(graph: str, contents: Sequence[tuple[str, str]], manifest: Sequence[tuple[str, str]]) -> str:
    """The SPARQL Update that replaces ``contents`` ((graph, N-Quads text) pairs: ``graph`` and the graphs
    that go with it) whole, and the manifest rows about ``graph``.

    >>> print(replace_graph_update("http://e/g", [("http://e/g", "<x:s> <x:p> <x:o> <http://e/g> .\\n")], [("hash", "1")]))
    DROP SILENT GRAPH <http://e/g> ;
    DELETE WHERE { GRAPH <https://w3id.org/tradekg/graph/meta> { <http://e/g> ?p ?o } } ;
    INSERT DATA {
    GRAPH <http://e/g> {
    <x:s> <x:p> <x:o> .
    }
    GRAPH <https://w3id.org/tradekg/graph/meta> {
    <http://e/g> <https://w3id.org/tradekg/ontology#hash> "1" .
    }
    }
    """
    parts = [f"DROP SILENT GRAPH {nq.iri(g)}" for g, _ in contents]
    parts.append(delete_manifest_update(graph))
    body = insert_data([*((g, graph_lines_to_triples(t, g)) for g, t in contents if t),
                        (str(META_GRAPH), manifest_rows(graph, manifest))])
    if body:
        parts.append(body)
    return " ;\n".join(parts)


def drop_graphs_update(graphs: Sequence[str], with_extra: dict[str, list[str]] | None = None) -> str:
    """One SPARQL update removing the graphs, their extra graphs and their manifest rows."""
    parts = []
    for g in graphs:
        parts += [f"DROP SILENT GRAPH <{x}>" for x in [g, *(with_extra or {}).get(g, [])]]
        parts.append(delete_manifest_update(g))
    return " ;\n".join(parts)
