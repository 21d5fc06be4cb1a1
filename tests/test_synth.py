"""The synthetic corpus generator: valid articles that build, shared facts and officials, determinism."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from kg.articles import load_article
from kg.build import build
from kg.cli import cli
from kg.ontology import load_ontology
from kg.registry import load_registry
from kg.synth import Universe, write_corpus

N = 40


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "corpus"
    write_corpus(out, N, seed=5)
    return out


def test_every_article_passes_the_checker(corpus: Path) -> None:
    onto = load_ontology()
    reg = load_registry(corpus / "registry.yaml", onto)
    files = sorted(corpus.rglob("*.json"))
    assert len(files) == N
    for f in files:
        art = load_article(f, onto, reg)  # raises InputError with every problem if anything is off
        assert art.facts and art.mentions, f"{f.name} should have facts and mentions"
        for m in art.mentions.values():
            assert art.text[m.span.start:m.span.end] == m.span.text


def test_corpus_builds_without_errors(corpus: Path, tmp_path: Path) -> None:
    rep = build([corpus], tmp_path / "store")
    assert len(rep.built) == N and rep.quads_written > 0
    again = build([corpus], tmp_path / "store")
    assert again.built == [] and again.unchanged == N, "a second build must skip every unchanged article"


def test_registry_is_of_realistic_size() -> None:
    reg = Universe(seed=5).registry()
    assert len(reg["jurisdictions"]) >= 200
    assert sum(1 for o in reg["organisations"] if o["class"] == "Government") >= 200
    assert len(reg["people"]) >= 3000
    movers = [p for p in reg["people"] if len({h["post"] for h in p["holdings"]}) > 1]
    assert movers, "some officials should change posts over the years"
    u = Universe(seed=5)
    assert len(u.meetings) >= 1000 and len(u.tariffs) >= 1000


def test_facts_and_officials_recur_across_articles() -> None:
    u = Universe(seed=5)
    facts: Counter[str] = Counter()
    people: Counter[str] = Counter()
    for i in range(400):
        art = u.article(i)
        facts.update({f["id"] for f in art["facts"]})
        people.update({m["entity"] for m in art["mentions"] if m["type"] not in ("Post", "Country", "MediaOutlet",
                                                                                   "LegalInstrument", "Government")
                       and "entity" in m})
    assert max(facts.values()) >= 2, "some fact ids should be shared by several articles so facts merge"
    assert max(people.values()) >= 3, "some officials should appear in many articles"


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 15, seed=9)
    write_corpus(tmp_path / "b", 15, seed=9)
    write_corpus(tmp_path / "c", 15, seed=10)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_a_longer_corpus_extends_a_shorter_one(tmp_path: Path) -> None:
    """Article i does not depend on N: the first 10 of a 20-article corpus are those of a 10-article one."""
    write_corpus(tmp_path / "short", 10, seed=4)
    write_corpus(tmp_path / "long", 20, seed=4)
    short, long = _digest(tmp_path / "short"), _digest(tmp_path / "long")
    assert all(long[k] == v for k, v in short.items())


def test_rerun_leaves_identical_files_untouched(tmp_path: Path) -> None:
    write_corpus(tmp_path / "x", 5, seed=2)
    first = {p: p.stat().st_mtime_ns for p in (tmp_path / "x").rglob("*.json")}
    write_corpus(tmp_path / "x", 5, seed=2)
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "x").rglob("*.json")} == first


def test_cli_writes_a_corpus(runner, tmp_path: Path) -> None:
    res = runner.invoke(cli, ["synth", "--articles", "3", "--seed", "1", "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "registry.yaml").is_file()
    assert len(list((tmp_path / "out").rglob("*.json"))) == 3
    assert "3 articles" in res.output
    doc = json.loads(next((tmp_path / "out").rglob("*.json")).read_text(encoding="utf-8"))
    assert doc["format"] == "tradekg-article/1"
