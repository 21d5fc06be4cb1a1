"""Resource IRIs: one module mints and parses them, and every one is a prefixed name (Architecture issue,
"one module owns every IRI"; Knowledge-graph issue, point 4, "prefixed names for every resource").
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.build import build
from kg.cli import cli
from kg.namespaces import (
    META_GRAPH,
    PREFIXES,
    STORE_FORMAT,
    STORE_FORMAT_PROPERTY,
    TDR,
    evidence_iri,
    mention_iri,
    prefixed_name,
    selector_iri,
    status_change_iri,
    target_iri,
)

from .conftest import ARTICLES, ROOT, SEED_ID

PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def _resource_iris(store_path: Path) -> set[str]:
    store = ox.Store.read_only(str(store_path))
    out = set()
    for q in store:
        for term in (q.subject, q.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(str(TDR)):
                out.add(term.value)
    return out


def test_every_resource_iri_is_a_prefixed_name_the_sparql_parser_reads_back(corpus_store: Path) -> None:
    """KG issue point 4: every resource IRI of a store built from articles/ is ``prefix:local`` with the
    predeclared prefixes, and pyoxigraph's SPARQL parser turns that name back into the same IRI; asking about a
    subject by its prefixed name gives the same answer as by its full IRI."""
    iris = _resource_iris(corpus_store)
    assert len(iris) > 100
    names = {iri: prefixed_name(iri) for iri in iris}
    assert not [i for i, n in names.items() if n is None], "resource IRIs with no prefixed name"
    kinds = {n.split(":", 1)[0] for n in names.values() if n}
    assert {"event", "measure", "person", "status", "mention", "evidence", "target", "selector"} <= kinds, kinds
    store = ox.Store.read_only(str(corpus_store))
    by_name = sorted(names.items())
    values = " ".join(str(n) for _, n in by_name)
    parsed = [r["x"].value for r in store.query(f"{PROLOGUE}SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}")]
    assert parsed == [iri for iri, _ in by_name]
    subjects = {q.subject.value for q in store if isinstance(q.subject, ox.NamedNode)} & iris
    for iri in sorted(subjects)[:: max(1, len(subjects) // 200)]:  # a spread of 200 subjects, one query each
        full = store.query(f"ASK {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}")
        short = store.query(f"{PROLOGUE}ASK {{ GRAPH ?g {{ {names[iri]} ?p ?o }} }}")
        assert bool(full) and bool(short), iri


def test_predeclared_prefixes_do_not_clash() -> None:
    """KG issue point 4: no prefix name is declared twice for different namespaces, and the W3C ``org:``
    keeps its namespace (the organisation kind has its own prefix)."""
    assert PREFIXES["org"] == "http://www.w3.org/ns/org#"
    assert PREFIXES["organisation"] == f"{TDR}org/"
    assert len(set(PREFIXES.values())) == len(PREFIXES)


def test_sub_resource_iris_are_flat_and_valid_prefixed_names() -> None:
    """KG issue point 4: status changes, mentions, evidence, targets and selectors of ids with dots and
    digits are still prefixed names (no '/' in the local part, no trailing '.'). One '.' per name: Oxigraph 0.5's
    SPARQL parser misreads a local part with two (valid SPARQL; see docs/queries.md)."""
    ev = evidence_iri("a1", "f-2.x", 12)
    for iri in (status_change_iri("m.1", "InEffect", "2025-04-05"), mention_iri("a1", "m.2"), ev,
                target_iri(ev), selector_iri(target_iri(mention_iri("a", "b")), "position")):
        name = prefixed_name(iri)
        assert name is not None and "/" not in name, iri
        got = ox.Store().query(f"{PROLOGUE}SELECT ?x WHERE {{ VALUES ?x {{ {name} }} }}")
        assert [r["x"].value for r in got] == [iri]


FORBIDDEN = ("/inferred", "/mention/", "/evidence/", "/status/", "w3id.org/tradekg")
ALLOWED: dict[str, set[str]] = {
    "kg/commands/export.py": {"/inferred"},  # --include-inferred's help text tells users which graphs it adds
}
"""Module -> fragments it may spell in code outside docstrings, in prose only (never to mint or parse an IRI)."""


def _docstrings(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def test_only_kg_namespaces_spells_iris_and_graph_roles() -> None:
    """Architecture issue: '/inferred', '/mention/', '/evidence/', '/status/' and the TradeKG base IRI appear in
    the code (string literals, f-string parts; not docstrings) of kg/namespaces.py only."""
    found = []
    for path in sorted((ROOT / "kg").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "kg/namespaces.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                found += [f"{rel}:{node.lineno}: {frag}" for frag in FORBIDDEN
                          if frag in node.value and frag not in ALLOWED.get(rel, set())]
    assert not found, "\n".join(found)


def _one_article_corpus(tmp_path: Path, article_id: str = SEED_ID, entity_id: str | None = None) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    registry = (ARTICLES / "registry.yaml").read_text(encoding="utf-8")
    if entity_id:
        registry = registry.replace("  - id: joe-biden\n", f"  - id: {entity_id}\n", 1)
    (folder / "registry.yaml").write_text(registry, encoding="utf-8")
    text = (ARTICLES / f"{SEED_ID}.yaml").read_text(encoding="utf-8")
    (folder / f"{SEED_ID}.yaml").write_text(text.replace(f"id: {SEED_ID}\n", f"id: {article_id}\n", 1), encoding="utf-8")
    for txt in ARTICLES.glob("000_*.txt"):
        shutil.copy(txt, folder / txt.name)
    return folder


@pytest.mark.parametrize("article_id, entity_id, where", [("seed.", None, "000-japan-braces-for-trade-talks.yaml"),
                                                          (SEED_ID, "joe.", "registry.yaml")], ids=["article", "registry"])
def test_an_id_ending_with_a_dot_is_refused_with_its_place(runner: CliRunner, tmp_path: Path, article_id: str,
                                                           entity_id: str | None, where: str) -> None:
    """KG issue point 4: an id ending with '.' cannot end a prefixed name, so the checker refuses it (file, line)."""
    folder = _one_article_corpus(tmp_path, article_id, entity_id)
    result = runner.invoke(cli, ["build", str(folder), "--store", str(tmp_path / "store")])
    assert result.exit_code == 2, result.output
    bad = article_id if entity_id is None else entity_id
    assert where in result.output and repr(bad)[1:-1] in result.output, result.output
    assert not (tmp_path / "store" / "CURRENT").exists() or not _resource_iris(tmp_path / "store")


def test_turtle_export_writes_prefixed_names_and_round_trips(runner: CliRunner, corpus_store: Path,
                                                             tmp_path: Path) -> None:
    """KG issue point 4: the Turtle export writes resources as prefixed names and parses back to the same graph."""
    out = tmp_path / "x.ttl"
    result = runner.invoke(cli, ["export", "--store", str(corpus_store), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    body = [line for line in text.splitlines() if not line.startswith("@prefix")]
    assert not [line for line in body if f"<{TDR}" in line], "a resource IRI written in full"
    assert "event:us-japan-talks-2025-04-16" in text and "status:" in text and "evidence:" in text
    nt = tmp_path / "x.nt"
    assert runner.invoke(cli, ["export", "--store", str(corpus_store), "-o", str(nt)]).exit_code == 0
    assert isomorphic(Graph().parse(out, format="turtle"), Graph().parse(nt, format="nt"))


# ---- the store format marker ---------------------------------------------------------------

def _without_marker(store_path: Path, value: str | None = None) -> None:
    store = ox.Store(str(store_path))
    marker = ox.Quad(ox.NamedNode(str(META_GRAPH)), ox.NamedNode(str(STORE_FORMAT_PROPERTY)),
                     ox.Literal(STORE_FORMAT), ox.NamedNode(str(META_GRAPH)))
    assert marker in store, "every build writes the marker"
    store.remove(marker)
    if value is not None:
        store.add(ox.Quad(marker.subject, marker.predicate, ox.Literal(value), marker.graph_name))
    store.flush()
    del store


@pytest.mark.parametrize("old", [None, "1"], ids=["unmarked", "older"])
def test_a_store_of_an_older_format_is_refused_with_the_upgrade_command(runner: CliRunner, tmp_path: Path,
                                                                       old: str | None) -> None:
    """Architecture/KG issue: sub-resource IRIs changed, so reading or building into a store built before (no
    marker, or an older one) stops with one line naming the store and the command that upgrades it (exit 2)."""
    folder = _one_article_corpus(tmp_path)
    store = tmp_path / "store"
    build([folder], store)
    _without_marker(store, old)
    upgrade = f"tradekg build --force --store {store} ARTICLES..."
    for args in (["query", "--store", str(store), "ASK { ?s ?p ?o }"], ["build", str(folder), "--store", str(store)],
                 ["export", "--store", str(store), "-o", str(tmp_path / "x.ttl")]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        lines = [x for x in result.output.splitlines() if x.strip()]
        assert len(lines) == 1 and str(store) in lines[0] and upgrade in lines[0], (args, result.output)
    assert not (tmp_path / "x.ttl").exists()
    assert runner.invoke(cli, ["build", "--force", str(folder), "--store", str(store)]).exit_code == 0
    result = runner.invoke(cli, ["query", "--store", str(store), "ASK { event:us-japan-talks-2025-04-16 ?p ?o }"])
    assert result.exit_code == 0, result.output


def test_an_empty_store_needs_no_marker(runner: CliRunner, tmp_path: Path) -> None:
    """Only stores that hold a build are checked: an empty store opens for reading and building."""
    store = tmp_path / "store"
    ox.Store(str(store)).flush()
    result = runner.invoke(cli, ["query", "--store", str(store), "SELECT * WHERE { ?s ?p ?o }"])
    assert result.exit_code == 0, result.output
    folder = _one_article_corpus(tmp_path)
    assert runner.invoke(cli, ["build", str(folder), "--store", str(store)]).exit_code == 0


@pytest.mark.parametrize("old", [None, "1"], ids=["unmarked", "older"])
def test_serve_refuses_a_store_of_an_older_format(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  old: str | None) -> None:
    """Issue 16 point 6: `tradekg serve` gives a standard client the knowledge graph as the default graph, so a
    store built before it (no KG) is refused like the other read commands: exit 2, one line with the upgrade
    command, and no server is started."""
    import kg.commands.remote

    def no_server(*args: object, **kwargs: object) -> None:
        raise AssertionError("a server was started")

    monkeypatch.setattr(kg.commands.remote.subprocess, "Popen", no_server)
    folder = _one_article_corpus(tmp_path)
    store = tmp_path / "store"
    build([folder], store)
    _without_marker(store, old)
    from kg.store.server import free_port

    result = runner.invoke(cli, ["serve", "--store", str(store), "--port", str(free_port())])
    assert result.exit_code == 2, result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and f"tradekg build --force --store {store} ARTICLES..." in lines[0], result.output
