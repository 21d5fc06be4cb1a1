"""The query library is plain SPARQL 1.1 (issue "one knowledge graph", point 5).

Every ``queries/*.rq`` and ``queries/checks/*.rq`` declares its own prefixes, parses with no predeclared
ones, and runs as written on the knowledge graph (the store's default graph) in pyoxigraph
(``Store.read_only(DIR).query(text)``, no options) and in rdflib (a ``Dataset`` loaded from the store's
N-Quads dump, the KG its default graph); both give the same rows, and the expected answers in
``queries/NAME.yaml`` hold. Parameters are bound the way the CLI binds them: a ``VALUES`` block at the start
of the WHERE group (:func:`kg.sparql.bind_terms`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
import yaml
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli
from kg.namespaces import PREFIXES
from kg.query import LIBRARY_DIR, bind, compact, load_query_file
from kg.sparql import bind_terms
from tests.test_queries import KNOWN_FINDINGS, _gap  # type: ignore[import-not-found]

from .conftest import ARTICLES

FILES = sorted(LIBRARY_DIR.glob("*.rq")) + sorted(LIBRARY_DIR.glob("checks/*.rq"))
IDS = [p.relative_to(LIBRARY_DIR).as_posix() for p in FILES]


def _code(text: str) -> str:
    """The query without comments, IRIs and string literals (what is left holds the prefixed names)."""
    out = []
    for line in text.splitlines():
        line = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', line)  # strings first: they may hold '#'
        line = re.sub(r"<[^<>\s]*>", "<>", line)
        out.append(line.split("#", 1)[0])
    return "\n".join(out)


def _declared(text: str) -> dict[str, str]:
    return dict(re.findall(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", text))


def _used(text: str) -> set[str]:
    code = re.sub(r"(?im)^\s*PREFIX\s+\S*:\s*<>", "", _code(text))
    return set(re.findall(r"(?<![\w?$.:-])([A-Za-z][\w-]*):(?=[A-Za-z0-9_])", code))


# ---------------------------------------------------------------------------
# The files as text
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_declares_every_prefix_it_uses(path: Path) -> None:
    """Point 5: each file carries PREFIX lines for the prefixes it uses, with TradeKG's namespaces."""
    text = path.read_text(encoding="utf-8")
    declared, used = _declared(text), _used(text)
    assert used, f"{path}: no prefixed name found (the check is broken)"
    assert used <= set(declared), f"{path}: uses undeclared prefixes {sorted(used - set(declared))}"
    wrong = {p: iri for p, iri in declared.items() if PREFIXES.get(p) != iri}
    assert not wrong, f"{path}: prefixes that are not kg.namespaces.PREFIXES: {wrong}"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_parses_with_no_predeclared_prefixes(path: Path) -> None:
    """Point 5: the file parses (and runs on an empty store) in pyoxigraph with no options at all."""
    ox.Store().query(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_per_property_distinct_subqueries_or_engine_hints(path: Path) -> None:
    """Point 5: no `{ SELECT DISTINCT ... }` sub-queries (the bag-union idiom), no engine-specific header."""
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\{\s*SELECT\s+DISTINCT\b", _code(text), re.I), f"{path}: a SELECT DISTINCT sub-query"
    assert "bind-in-subqueries" not in text


def test_the_checks_see_what_they_are_meant_to() -> None:
    """The prefix check is not vacuous: an undeclared prefix and a DISTINCT sub-query are found."""
    bad = "PREFIX tdo: <https://w3id.org/tradekg/ontology#>\nSELECT ?x { { SELECT DISTINCT ?x { ?x a foaf:Person } } }"
    assert _used(bad) - set(_declared(bad)) == {"foaf"}
    assert re.search(r"\{\s*SELECT\s+DISTINCT\b", _code(bad))
    assert _used('PREFIX a: <x:>\nSELECT * { ?s ?p "b:c" . ?s ?p <http://e/d:e> } # f:g') == set()


# ---------------------------------------------------------------------------
# Running them: pyoxigraph and rdflib on the bundled corpus
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dataset(corpus_store: Path) -> rdflib.Dataset:
    """The store as an rdflib Dataset: the KG (the store's default graph) as its default graph, each named
    graph as a named graph; ``default_union=False`` so the default graph is only the KG."""
    nquads = ox.Store.read_only(str(corpus_store)).dump(format=ox.RdfFormat.N_QUADS)
    ds = rdflib.Dataset(default_union=False)
    ds.parse(data=nquads.decode("utf-8"), format="nquads")
    return ds


def _cases() -> list[Any]:
    """(file, case) for every expected-answer case, and a run without parameters (the file as written)."""
    out = []
    for path, rel in zip(FILES, IDS, strict=True):
        expected = path.with_suffix(".yaml")
        cases = yaml.safe_load(expected.read_text(encoding="utf-8"))["cases"] if expected.exists() else []
        splits = {k: v for c in cases for k, v in c.get("split", {}).items()}
        for case in cases:
            out.append(pytest.param(path, case, splits, id=f"{rel}:{case['name']}", marks=_gap(case)))
        if load_query_file(path).params or not cases:  # else the case already is the file as written
            out.append(pytest.param(path, None, splits, id=f"{rel}:unbound"))
    return out


def _bound_text(path: Path, case: dict[str, Any] | None) -> str:
    query = load_query_file(path)
    return bind_terms(query.text, bind(query, (case or {}).get("params") or {}) if case else {})


def _from_rdflib(term: Any) -> ox.NamedNode | ox.Literal | ox.BlankNode | None:
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode()
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)


def _cells(columns: list[str], rows: list[list[str]], splits: dict[str, str]) -> list[tuple[str, ...]]:
    """Rows as tuples; a GROUP_CONCAT column (``split`` in the expected file) as a sorted list."""
    return [tuple(splits[c].join(sorted(v.split(splits[c]))) if c in splits else v for c, v in zip(columns, r, strict=True))
            for r in rows]


@pytest.mark.parametrize("path, case, splits", _cases())
def test_runs_the_same_in_pyoxigraph_and_rdflib(corpus_store: Path, dataset: rdflib.Dataset, path: Path,
                                                 case: dict[str, Any] | None, splits: dict[str, str]) -> None:
    """Point 5's done-when: the file runs unchanged (parameters bound as the CLI binds them) in pyoxigraph
    with no options and in rdflib, both give the same rows, and those are the expected answer."""
    text = _bound_text(path, case)
    ox_result = ox.Store.read_only(str(corpus_store)).query(text)
    columns = [v.value for v in ox_result.variables]
    ox_rows = [[compact(sol[c]) for c in columns] for sol in ox_result]
    rdf_result = dataset.query(text)
    assert [str(v) for v in rdf_result.vars or []] == columns
    rdf_rows = [[compact(_from_rdflib(row[i])) for i in range(len(columns))] for row in rdf_result]
    assert Counter(_cells(columns, rdf_rows, splits)) == Counter(_cells(columns, ox_rows, splits))
    if path.parent.name == "checks":
        known = KNOWN_FINDINGS.get(f"checks/{path.stem}", [])
        assert ox_rows == known, f"{path}: the check finds defects in the bundled corpus beyond the known ones"
    if case is None:
        return
    picked = case.get("columns", columns)
    got = _cells(picked, [[r[columns.index(c)] for c in picked] for r in ox_rows], splits)
    if "count" in case:
        assert len(got) == case["count"]
        return
    expected = _cells(picked, [[str(v) for v in r] for r in case["rows"]], splits)
    assert (got == expected) if case.get("ordered") else (Counter(got) == Counter(expected))


# ---------------------------------------------------------------------------
# source-disagreements: contradictions apart from omissions
# ---------------------------------------------------------------------------

def _meeting_article(folder: Path, aid: str, day: str, participants: list[str]) -> None:
    names = {"donald-trump": "Trump", "shigeru-ishiba": "Ishiba"}
    who = " and ".join(names[p] for p in participants)
    text = f"{who} met in Washington on {day} to talk about tariffs.\n"

    def span(s: str) -> dict[str, Any]:
        i = text.index(s)
        return {"span": [i, i + len(s)], "text": s}

    fact = {"id": "kgq-talks", "type": "Talks", "participants": participants,
            "parties": ["us-government", "japan-government"], "date": day,
            "evidence": [span(f"{who} met in Washington on {day}")]}
    doc = {"format": "tradekg-article/1", "id": aid, "title": f"Talks {aid}", "publisher": "tradekg-desk",
           "published": "2025-06-01", "language": "en", "text_file": f"{aid}.txt", "mentions": [], "facts": [fact]}
    (folder / f"{aid}.txt").write_text(text, encoding="utf-8")
    (folder / f"{aid}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def test_source_disagreements_tells_a_contradiction_from_an_omission(tmp_path: Path) -> None:
    """Point 5: two articles give the same talks two dates (a contradiction) and participant lists one of
    which is part of the other (an omission); the `kind` column says which is which, in both engines."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "registry.yaml").write_bytes((ARTICLES / "registry.yaml").read_bytes())
    _meeting_article(folder, "kgq-a", "2025-05-01", ["donald-trump", "shigeru-ishiba"])
    _meeting_article(folder, "kgq-b", "2025-05-02", ["donald-trump"])
    store = tmp_path / "store"
    build([folder], store)
    text = (LIBRARY_DIR / "source-disagreements.rq").read_text(encoding="utf-8")
    result = ox.Store.read_only(str(store)).query(text)
    columns = [v.value for v in result.variables]
    rows = {tuple(compact(sol[c]) for c in ("fact", "kind", "aspect", "claim1", "article1", "claim2", "article2"))
            for sol in result}
    assert rows == {
        ("event:kgq-talks", "contradiction", "date", "2025-05-01", "article:kgq-a", "2025-05-02", "article:kgq-b"),
        ("event:kgq-talks", "omission", "participant list", "person:shigeru-ishiba", "article:kgq-a",
         "(not listed)", "article:kgq-b"),
    }
    ds = rdflib.Dataset(default_union=False)
    ds.parse(data=ox.Store.read_only(str(store)).dump(format=ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
    kinds = Counter(str(row[columns.index("kind")]) for row in ds.query(text))
    assert kinds == Counter({"contradiction": 1, "omission": 1})


# ---------------------------------------------------------------------------
# tradekg query: library queries read the knowledge graph, like ad-hoc SPARQL
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("timeout", ["0", "60"])
def test_the_cli_runs_a_library_query_on_the_knowledge_graph(runner: CliRunner, corpus_store: Path,
                                                               timeout: str) -> None:
    """Point 5: `tradekg query NAME` evaluates the file on the knowledge graph (it used the union of the
    named graphs, where a fact nine articles report matches nine times), so it answers exactly what the
    file answers in a standard engine (in process and in the timed child process)."""
    path = LIBRARY_DIR / "fact-evidence.rq"
    fact = "measure:us-uk-car-tariff-2025"
    result = runner.invoke(cli, ["query", "fact-evidence", "--store", str(corpus_store), "--param", f"fact={fact}",
                                 "-f", "json", "--timeout", timeout])
    assert result.exit_code == 0, result.stderr
    got = [{k: v["value"] for k, v in b.items()} for b in json.loads(result.stdout)["results"]["bindings"]]
    text = _bound_text(path, {"params": {"fact": fact}})
    direct = ox.Store.read_only(str(corpus_store)).query(text)
    want = [{v.value: sol[v].value for v in direct.variables if sol[v] is not None} for sol in direct]
    assert got == want and want
