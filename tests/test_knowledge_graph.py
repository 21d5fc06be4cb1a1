"""The knowledge graph (issue 16): each statement once, in the graph plain SPARQL sees by default.

Finding 16.1: plain SPARQL counted a fact once per article that reported it (a bag union of the article
graphs), and a standard client of ``tradekg serve`` saw an empty default graph. Finding 16.2: the KG is
maintained on every write (adds, edits, removals, killed builds) and equals a fresh build's. Finding 16.3:
derived intervals and current values. Finding 16.7: a store of the previous version is refused with the
command that upgrades it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg.build.run
from kg.build import build
from kg.cli import cli
from kg.kg_graph import full_recompute
from kg.namespaces import META_GRAPH, TDO, entity_iri, sparql_prologue
from kg.store import EmbeddedStore, open_store
from kg.store.server import free_port, stop_process, wait_until_ready

from .conftest import ARTICLES, ROOT

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?m a tdo:Tariff }"
JOIN = "SELECT ?m ?g ?l WHERE { ?m a tdo:Tariff ; tdo:imposedBy ?g ; rdfs:label ?l }"
PROLOGUE = sparql_prologue()


def tariff_ids(folder: Path) -> set[str]:
    """The distinct tariffs the article files report, read from the YAML (not from any graph)."""
    out: set[str] = set()
    for f in folder.glob("*.yaml"):
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and doc.get("format", "").startswith("tradekg-article"):
            out |= {x["id"] for x in doc.get("facts", []) if x.get("type") == "Tariff"}
    return out


def kg_lines(store: Path) -> list[str]:
    """The store's default graph (the KG) as sorted N-Quads lines (read with pyoxigraph itself, which does not
    refuse a store of an older format)."""
    db = ox.Store.read_only(str(store))
    return sorted(str(q) for q in db.quads_for_pattern(None, None, None, ox.DefaultGraph()))


# ------------------------------------------------------------ finding 16.1 --
def test_plain_sparql_counts_each_tariff_once(corpus_store: Path, runner: Any) -> None:
    """Finding 16.1: COUNT of tariffs and a three-pattern join give one row per tariff, through
    `tradekg query` and through pyoxigraph opening the store with no options."""
    n = len(tariff_ids(ARTICLES))
    assert n >= 2
    r = runner.invoke(cli, ["query", COUNT, "--store", str(corpus_store), "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[1] == str(n)
    r = runner.invoke(cli, ["query", JOIN, "--store", str(corpus_store), "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert len([x for x in r.output.splitlines()[1:] if x.strip() and "row" not in x]) == n
    store = ox.Store.read_only(str(corpus_store))
    assert int(next(iter(store.query(PROLOGUE + COUNT)))["n"].value) == n
    assert len(list(store.query(PROLOGUE + JOIN))) == n


def test_the_kg_holds_no_evidence_layer(corpus_store: Path) -> None:
    """Finding 16.1: the article graphs keep the evidence; the knowledge graph has no annotation, mention,
    target or selector node, and no statement pointing at one, while the article graphs do have them."""
    from kg.namespaces import EVIDENCE, MENTION, OA, SELECTOR, TARGET

    store = ox.Store.read_only(str(corpus_store))
    layer = tuple(str(ns) for ns in (MENTION, EVIDENCE, TARGET, SELECTOR))
    kg_quads = list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert kg_quads
    leaked = [q for q in kg_quads if q.subject.value.startswith(layer)
              or (isinstance(q.object, ox.NamedNode) and q.object.value.startswith(layer))
              or q.object == ox.NamedNode(str(OA.Annotation))]
    assert leaked == []
    in_articles = [q for q in store.quads_for_pattern(None, None, ox.NamedNode(str(OA.Annotation)), None)
                   if not isinstance(q.graph_name, ox.DefaultGraph)]
    assert in_articles


def test_standard_client_of_serve_sees_the_kg(corpus_store: Path, tmp_path: Path) -> None:
    """Finding 16.1: a plain HTTP client of `tradekg serve` (no default-graph-uri) counts each tariff once."""
    n = len(tariff_ids(ARTICLES))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(corpus_store), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/", proc)  # type: ignore[arg-type]
        url = f"http://127.0.0.1:{port}/query"
        accept = {"Accept": "application/sparql-results+json"}
        got = httpx.get(url, params={"query": PROLOGUE + COUNT}, headers=accept, timeout=30).json()
        assert int(got["results"]["bindings"][0]["n"]["value"]) == n
        got = httpx.post(url, content=(PROLOGUE + JOIN).encode(), timeout=30,
                         headers={**accept, "Content-Type": "application/sparql-query"}).json()
        assert len(got["results"]["bindings"]) == n
    finally:
        stop_process(proc)  # type: ignore[arg-type]


# ------------------------------------------------------- small corpus of our own --
def write_article(folder: Path, aid: str, measure: str = "kg-tariff", start: str = "2025-03-01",
                  pause: str = "2025-04-01", until: str | None = "2025-04-30", target: str = "japan",
                  supersedes: tuple[str, ...] = ()) -> None:
    """One article: a 20% tariff by the United States on ``target``, in effect from ``start``, paused
    (to 10%) from ``pause`` until ``until`` inclusive (superseding the measures ``supersedes``)."""
    name = {"japan": "Japan", "china": "China"}[target]
    text = (f"The United States put a 20% tariff on goods from {name}. It took effect on {start} "
            f"and was paused on {pause}" + (f" until {until}" if until else "") + ".\n")

    def span(s: str) -> dict[str, Any]:
        i = text.index(s)
        return {"span": [i, i + len(s)], "text": s}

    paused: dict[str, Any] = {"status": "Paused", "date": pause, "new_rate": 10,
                              "evidence": [span(f"paused on {pause}")]}
    if until:
        paused["until"] = until
    doc = {"format": "tradekg-article/1", "id": aid, "title": f"Tariff news {aid}", "publisher": "tradekg-desk",
           "published": "2025-05-01", "language": "en", "text_file": f"{aid}.txt", "mentions": [],
           "facts": [{"id": measure, "type": "Tariff", "imposed_by": "united-states", "targets": [target], "rate": 20,
                      "evidence": [span(f"a 20% tariff on goods from {name}")],
                      "status_changes": [
                          {"status": "InEffect", "date": start, "evidence": [span(f"took effect on {start}")]},
                          paused], **({"supersedes": list(supersedes)} if supersedes else {})}]}
    (folder / f"{aid}.txt").write_text(text, encoding="utf-8")
    (folder / f"{aid}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


@pytest.fixture
def small(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "registry.yaml").write_bytes((ARTICLES / "registry.yaml").read_bytes())
    return folder


def rows(store: Path, sparql: str) -> list[dict[str, str]]:
    s = ox.Store.read_only(str(store))
    res = s.query(PROLOGUE + sparql)
    names = [v.value for v in res.variables]
    return [{n: sol[n].value for n in names if sol[n] is not None} for sol in res]


def test_provenance_is_one_pattern(small: Path, tmp_path: Path) -> None:
    """Finding 16.1: `reportedIn` names every article reporting a fact and `sourceCount` counts them,
    and dropping an article lowers the count."""
    write_article(small, "kg-one")
    write_article(small, "kg-two")
    write_article(small, "kg-three", measure="kg-other", target="china")
    store = tmp_path / "store"
    build([small], store)
    m = entity_iri("measure", "kg-tariff")
    got = rows(store, f"SELECT ?a WHERE {{ <{m}> tdo:reportedIn ?a }} ORDER BY ?a")
    assert [r["a"] for r in got] == [entity_iri("article", "kg-one"), entity_iri("article", "kg-two")]
    assert rows(store, f"SELECT ?n WHERE {{ <{m}> tdo:sourceCount ?n }}") == [{"n": "2"}]
    (small / "kg-two.yaml").unlink()
    build([small], store)
    assert rows(store, f"SELECT ?n WHERE {{ <{m}> tdo:sourceCount ?n }}") == [{"n": "1"}]
    (small / "kg-one.yaml").unlink()
    build([small], store)
    assert rows(store, f"SELECT ?p WHERE {{ <{m}> ?p ?o }}") == [], "no article reports it: it left the KG"


def test_as_of_is_a_range_filter(small: Path, tmp_path: Path) -> None:
    """Finding 16.3: validFrom/validUntil (exclusive) on status changes answer "status as of D" with one
    range filter; currentStatus/currentRate are one pattern."""
    write_article(small, "kg-one", start="2025-03-01", pause="2025-04-01", until="2025-04-30")
    store = tmp_path / "store"
    build([small], store)
    m = entity_iri("measure", "kg-tariff")
    as_of = ("SELECT ?st WHERE {{ <{m}> tdo:statusChange ?c . ?c tdo:status ?st ; tdo:validFrom ?f "
             "OPTIONAL {{ ?c tdo:validUntil ?u }} FILTER(?f <= \"{d}\"^^xsd:date && (!BOUND(?u) || \"{d}\"^^xsd:date < ?u)) }}")
    expect = {"2025-02-28": [], "2025-03-01": [str(TDO.InEffect)], "2025-03-31": [str(TDO.InEffect)],
              "2025-04-01": [str(TDO.Paused)], "2025-04-30": [str(TDO.Paused)],
              "2025-05-01": [str(TDO.InEffect)]}  # issue 17: the term ended, a derived reversion to in effect
    for day, want in expect.items():
        assert [r["st"] for r in rows(store, as_of.format(m=m, d=day))] == want, day
    assert rows(store, f"SELECT ?s ?r WHERE {{ <{m}> tdo:currentStatus ?s ; tdo:currentRate ?r }}") == [
        {"s": str(TDO.InEffect), "r": "20"}]
    write_article(small, "kg-one", start="2025-03-01", pause="2025-04-01", until=None)  # an open-ended pause
    build([small], store)
    assert [r["st"] for r in rows(store, as_of.format(m=m, d="2026-01-01"))] == [str(TDO.Paused)]


def test_maintained_kg_equals_full_recompute(corpus_copy: Path, tmp_path: Path) -> None:
    """Finding 16.2: after builds that add, edit and remove articles, the KG equals full_recompute's."""
    store = tmp_path / "store"
    build([corpus_copy], store)
    first = kg_lines(store)
    assert first
    victim = sorted(corpus_copy.glob("0*.yaml"))[1]
    text = victim.read_text(encoding="utf-8")
    victim.write_text(text.replace("\ntitle: ", "\ntitle: Revised ", 1),
                      encoding="utf-8")
    build([corpus_copy], store)
    sorted(corpus_copy.glob("0*.yaml"))[2].unlink()
    build([corpus_copy], store)
    maintained = kg_lines(store)
    s = open_store(store, read_only=False)
    full_recompute(s)
    s.flush()
    s.close()
    assert kg_lines(store) == maintained


# ------------------------------------------------------------ finding 16.7 --
def test_previous_version_store_is_refused_with_the_upgrade_command(small: Path, tmp_path: Path, runner: Any) -> None:
    """Finding 16.7: a store without the knowledge graph (no storeFormat) is refused by query and build,
    exit 2, naming `tradekg build --force`; that command upgrades it."""
    write_article(small, "kg-one")
    store = tmp_path / "store"
    build([small], store)
    s = open_store(store, read_only=False)  # what the previous version wrote: no KG, no format marker
    s.update(f"CLEAR DEFAULT ; DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}> tdo:storeFormat ?f }} }}")
    s.flush()
    s.close()
    r = runner.invoke(cli, ["query", COUNT, "--store", str(store)])
    assert r.exit_code == 2 and "tradekg build --force" in r.output, r.output
    r = runner.invoke(cli, ["build", str(small), "--store", str(store)])
    assert r.exit_code == 2 and "tradekg build --force" in r.output, r.output
    assert kg_lines(store) == []
    r = runner.invoke(cli, ["build", "--force", str(small), "--store", str(store)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["query", COUNT, "--store", str(store), "--format", "csv"])
    assert r.exit_code == 0 and r.output.splitlines()[1] == "1", r.output


# ------------------------------------------------------------ finding 16.2 --
class _Killed(BaseException):
    """A build stopped at a store write (as by SIGKILL: each write is one transaction)."""


POOL = ["kg-p0", "kg-p1", "kg-p2", "kg-p3"]
DATES = ["2025-03-01", "2025-03-15", "2025-04-01"]
OPS = st.lists(st.one_of(
    st.tuples(st.just("put"), st.sampled_from(POOL), st.sampled_from(DATES), st.sampled_from(["japan", "china"]),
              st.sampled_from(["kg-m0", "kg-m1"]), st.sampled_from(["2025-04-30", None, "2025-05-10"]),
              st.sampled_from([(), ("kg-tariff",)])),
    st.tuples(st.just("remove"), st.sampled_from(POOL)),
    st.tuples(st.just("kill"), st.integers(1, 4), st.booleans(), st.sampled_from(["replace_graphs", "update"])),
), min_size=1, max_size=5)


@settings(max_examples=14, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=OPS)
def test_property_kg_equals_a_fresh_build(ops: list[tuple[Any, ...]], tmp_path_factory: pytest.TempPathFactory,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 16.2: random adds, edits (a date, a participant, the measure), removals and builds killed at
    a store write (graphs, or the update of counts and derived facts that follows a bulk load), each followed
    by a build: the KG equals that of a fresh build of the same corpus."""
    tmp = tmp_path_factory.mktemp("prop")
    folder = tmp / "articles"
    folder.mkdir()
    (folder / "registry.yaml").write_bytes((ARTICLES / "registry.yaml").read_bytes())
    store = tmp / "store"
    monkeypatch.setattr(kg.build.run, "BATCH_QUADS", 500)  # about one article per transaction
    write_article(folder, "kg-base")
    build([folder], store)
    for step, op in enumerate(ops):
        if op[0] == "put":
            _, aid, day, target, measure, until, sup = op  # issue 17: terms (reversions) and supersession
            write_article(folder, aid, measure=measure, start=day, target=target, until=until, supersedes=sup)
        elif op[0] == "remove":
            for f in folder.glob(f"{op[1]}.*"):
                f.unlink()
        else:
            _, at, after, method = op  # a write of graphs, or an update (the counts and derived facts)
            write_article(folder, "kg-base", start=DATES[at % len(DATES)], target=["japan", "china"][at % 2])
            calls = 0
            orig = getattr(EmbeddedStore, method)

            def killing(self: EmbeddedStore, *args: Any, _at: int = at, _after: bool = after, _orig: Any = orig,
                        **kw: Any) -> None:
                nonlocal calls
                calls += 1
                if calls == _at and not _after:
                    raise _Killed()
                _orig(self, *args, **kw)
                if calls == _at:
                    raise _Killed()

            with monkeypatch.context() as m:
                m.setattr(EmbeddedStore, method, killing)
                try:
                    build([folder], store)
                except _Killed:
                    pass
        build([folder], store)
        fresh = tmp / f"fresh-{step}"
        build([folder], fresh)
        assert kg_lines(store) == kg_lines(fresh), f"after {ops[:step + 1]}"


def test_a_build_killed_before_its_counts_leaves_the_marker_and_the_next_build_repairs(
        small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 16.2 (bulk loading): new articles are bulk-loaded with their KG statements and the pending
    marker; the counts and derived facts follow in a later write. A build killed before that write leaves
    the marker and no counts; the next build, with nothing changed, recomputes the KG."""
    from kg.kg_graph import kg_pending

    write_article(small, "kg-a")
    store = tmp_path / "store"
    fresh = tmp_path / "fresh"
    build([small], fresh)
    orig = EmbeddedStore.update

    def killed(self: EmbeddedStore, sparql: str) -> None:
        if "kgPending" in sparql and "sourceCount" in sparql:
            raise _Killed()
        orig(self, sparql)

    with monkeypatch.context() as m:
        m.setattr(EmbeddedStore, "update", killed)
        with pytest.raises(_Killed):
            build([small], store)
    s = open_store(store, read_only=False)
    assert kg_pending(s), "the marker was written with the graphs"
    s.close()
    assert not any("sourceCount" in line for line in kg_lines(store)), "the counts were not written"
    assert kg_lines(store) != kg_lines(fresh)
    rep = build([small], store)
    assert rep.built == [], "nothing changed"
    assert kg_lines(store) == kg_lines(fresh)
    s = open_store(store, read_only=False)
    assert not kg_pending(s)
    s.close()
