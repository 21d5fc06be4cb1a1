"""Building the corpus into the embedded store: layout, provenance, idempotence, replacement, removal."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli
from kg.namespaces import META_GRAPH, ONTOLOGY_GRAPH, REGISTRY_GRAPH, article_graph
from kg.store import EmbeddedStore, open_store
from tests.conftest import ARTICLES, SEED_ID

SEED_GRAPH = article_graph(SEED_ID)


def dump(path: Path) -> list[str]:
    """Canonical N-Quads of a store (sorted lines)."""
    s = open_store(path, read_only=True)
    buf = io.BytesIO()
    s.dump_nquads(buf)
    return sorted(buf.getvalue().decode().splitlines())


def graph_lines(lines: list[str], graph: str) -> list[str]:
    return [line for line in lines if line.endswith(f"<{graph}> .")]


def rows(store: EmbeddedStore, sparql: str) -> list[tuple[str, ...]]:
    return sorted(tuple(t.value for t in r) for r in store.query(sparql))


def test_seed_officials_with_posts_and_governments(corpus_store: Path) -> None:
    """Issue 2's acceptance query: the five officials of the seed article, their posts and governments."""
    s = open_store(corpus_store, read_only=True)
    got = rows(s, f"""
        SELECT DISTINCT ?name ?post ?government WHERE {{
          GRAPH <{SEED_GRAPH}> {{ ?ev oa:hasBody ?h }}
          ?h a tdo:PostHolding ; tdo:holder/rdfs:label ?name ; tdo:post ?p .
          ?p rdfs:label ?post ; tdo:postIn/tdo:partOf* ?g .
          ?g a tdo:Government ; rdfs:label ?government .
        }}""")
    assert got == [
        ("Donald Trump", "President of the United States", "Government of the United States"),
        ("Jamieson Greer", "United States Trade Representative", "Government of the United States"),
        ("Ryōsei Akazawa", "Minister in charge of Economic Revitalization (Japan)", "Government of Japan"),
        ("Scott Bessent", "United States Secretary of the Treasury", "Government of the United States"),
        ("Shigeru Ishiba", "Prime Minister of Japan", "Government of Japan"),
    ]


def test_store_layout_one_graph_per_article(corpus_store: Path) -> None:
    s = open_store(corpus_store, read_only=True)
    graphs = set(s.named_graphs())
    assert {str(ONTOLOGY_GRAPH), str(REGISTRY_GRAPH), str(META_GRAPH), SEED_GRAPH, SEED_GRAPH + "/inferred"} <= graphs
    n_articles = len([p for p in ARTICLES.glob("*.yaml") if p.name != "registry.yaml"])
    assert len([g for g in graphs if "/graph/article/" in g and not g.endswith("/inferred")]) == n_articles


def test_every_fact_has_evidence_with_exact_quote_and_offsets(corpus_store: Path) -> None:
    s = open_store(corpus_store, read_only=True)
    text = (ARTICLES / "000_6e84929fbd525953.txt").read_text(encoding="utf-8")
    facts = rows(s, f"""SELECT DISTINCT ?f WHERE {{ GRAPH <{SEED_GRAPH}> {{ ?f tdo:factId ?id }} }}""")
    assert len(facts) >= 10
    evidence = rows(s, f"""
        SELECT ?f ?exact ?start ?end WHERE {{ GRAPH <{SEED_GRAPH}> {{
          ?e a tdo:Evidence ; oa:hasBody ?f ; oa:hasTarget ?t .
          ?t oa:hasSource ?article ; oa:hasSelector ?q , ?p .
          ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end . }} }}""")
    supported = {e[0] for e in evidence}
    assert {f[0] for f in facts} <= supported
    for _, exact, start, end in evidence:
        assert text[int(start):int(end)] == exact


def test_relative_date_resolved_and_recorded(corpus_store: Path) -> None:
    s = open_store(corpus_store, read_only=True)
    got = rows(s, f"""SELECT ?d ?expr ?how WHERE {{ GRAPH <{SEED_GRAPH}> {{
        <https://w3id.org/tradekg/resource/event/us-japan-talks-2025-04-16> tdo:date ?d ;
            tdo:dateExpression ?expr ; tdo:dateResolution ?how }} }}""")
    assert got[0][:2] == ("2025-04-16", "on Wednesday")
    assert "2025-04-16" in got[0][2]


def test_class_hierarchy_visible_to_queries(corpus_store: Path) -> None:
    """A HeadOfGovernment is returned when asking for Official and Person (materialised entailments)."""
    s = open_store(corpus_store, read_only=True)
    ishiba = "https://w3id.org/tradekg/resource/person/shigeru-ishiba"
    for cls in ("HeadOfGovernment", "Official", "Person"):
        assert (ishiba,) in rows(s, f"SELECT ?x WHERE {{ ?x a tdo:{cls} }}")


def test_rebuild_is_idempotent(corpus_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "s"
    first = build([corpus_copy], store)
    before = dump(store)
    again = build([corpus_copy], store)
    assert again.built == [] and again.unchanged == len(first.built)
    assert dump(store) == before
    # touching a file without changing it rewrites nothing either
    seed = corpus_copy / f"{SEED_ID}.yaml"
    seed.write_bytes(seed.read_bytes())
    assert build([corpus_copy], store).built == []
    assert dump(store) == before


def test_changing_one_article_replaces_only_its_graph(corpus_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "s"
    build([corpus_copy], store)
    before = dump(store)
    seed = corpus_copy / f"{SEED_ID}.yaml"
    seed.write_text(seed.read_text(encoding="utf-8").replace("title: Japan braces", "title: JAPAN braces"),
                    encoding="utf-8")
    report = build([corpus_copy], store)
    assert report.built == [SEED_ID]
    after = dump(store)
    changed = set(before) ^ set(after)
    assert changed and all(SEED_GRAPH in line or str(META_GRAPH) in line or "/tradekg/graph/" not in line  # or the KG
                               for line in changed)
    assert any("JAPAN braces" in line for line in after)
    assert not any("JAPAN braces" in line for line in before)


def test_deleting_an_article_removes_its_graph(corpus_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "s"
    build([corpus_copy], store)
    (corpus_copy / f"{SEED_ID}.yaml").unlink()
    report = build([corpus_copy], store)
    assert report.removed == [SEED_ID]
    lines = dump(store)
    assert not graph_lines(lines, SEED_GRAPH) and not graph_lines(lines, SEED_GRAPH + "/inferred")
    assert not [line for line in lines if line.startswith(f"<{SEED_GRAPH}>")]


def test_building_one_file_keeps_the_others(corpus_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "s"
    build([corpus_copy], store)
    before = dump(store)
    build([corpus_copy / f"{SEED_ID}.yaml"], store)
    assert dump(store) == before


def test_invalid_article_changes_nothing(corpus_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "s"
    build([corpus_copy], store)
    before = dump(store)
    seed = corpus_copy / f"{SEED_ID}.yaml"
    seed.write_text(seed.read_text(encoding="utf-8").replace("rate: 24", "rate: 2400"), encoding="utf-8")
    (corpus_copy / "zz-new.yaml").write_text("format: tradekg-article/1\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "kg", "build", str(corpus_copy), "--store", str(store)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "rate 2400 is out of range" in result.stderr and "zz-new.yaml" in result.stderr
    assert dump(store) == before


def test_optimize_compacts_after_writing_and_changes_no_quad(corpus_copy: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """``optimize``: False never compacts, True always (even with nothing to write), None when the build
    wrote at least OPTIMIZE_MIN_QUADS quads. Compaction leaves the quads and the manifest copy as they were."""
    store = tmp_path / "s"
    plain = build([corpus_copy], store)
    assert plain.optimize_seconds is None and "compacted" not in plain.summary()
    before = dump(store)
    forced = build([corpus_copy], store, optimize=True)
    assert forced.built == [] and forced.optimize_seconds is not None
    assert "store compacted in" in forced.summary()
    assert dump(store) == before
    assert (store / "manifest.cache").is_file()  # a later rebuild still finds what changed from the copy
    seed = corpus_copy / f"{SEED_ID}.yaml"
    seed.write_text(seed.read_text(encoding="utf-8").replace("title:", "title: (updated)", 1), encoding="utf-8")
    monkeypatch.setattr("kg.build.run.OPTIMIZE_MIN_QUADS", 10**9)
    small = build([corpus_copy], store, optimize=None)
    assert small.built and small.optimize_seconds is None  # below the threshold: not compacted
    seed.write_text(seed.read_text(encoding="utf-8").replace("title: (updated)", "title:", 1), encoding="utf-8")
    monkeypatch.setattr("kg.build.run.OPTIMIZE_MIN_QUADS", 1)
    large = build([corpus_copy], store, optimize=None)
    assert large.built and large.optimize_seconds is not None

    def content(lines: list[str]) -> list[str]:  # the seed file's mtime changed; nothing else may
        return [line for line in lines if "#sourceStat>" not in line]

    assert content(dump(store)) == content(before)


def test_optimize_with_an_endpoint_is_a_usage_error() -> None:
    out = CliRunner().invoke(cli, ["build", "articles", "--endpoint", "http://127.0.0.1:9/sparql", "--optimize"])
    assert out.exit_code == 2
    assert "--optimize compacts an embedded store" in out.output


def test_python_dash_m_and_console_script_agree() -> None:
    a = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, text=True)
    b = subprocess.run([str(Path(sys.executable).parent / "tradekg"), "--help"], capture_output=True, text=True)
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout and "build" in a.stdout
