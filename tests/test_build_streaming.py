"""Large builds: every changed article is checked and mapped once, spooled to a temporary file, and
written in batches by a background writer. The store must be exactly what a build in one batch writes,
a failed write must leave whole articles, and nothing is parsed twice."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg.build.run
import kg.store
from kg.build import build
from kg.errors import StoreError
from kg.namespaces import META_GRAPH
from kg.store import open_store
from kg.synth import write_corpus


def _quads(store_path: Path) -> set[str]:
    """Every quad but the ontology's (its OWL lists are blank nodes, labelled anew by each load)."""
    s = open_store(store_path, read_only=True)
    out = {str(q) for q in s.ox.quads_for_pattern(None, None, None, None) if "/graph/ontology" not in str(q.graph_name)}
    s.close()
    return out


def test_a_build_in_many_batches_writes_the_store_one_batch_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 8, seed=8)
    build([corpus], tmp_path / "one-batch")
    monkeypatch.setattr(kg.build.run, "BATCH_QUADS", 1)  # every article its own batch
    seen: list[tuple[int, int]] = []
    rep = build([corpus], tmp_path / "batched", progress=lambda d, t: seen.append((d, t)))
    assert len(rep.built) == 8
    assert seen == [(i, 8) for i in range(1, 9)], "progress is reported once per written batch, in order"
    assert _quads(tmp_path / "one-batch") == _quads(tmp_path / "batched")


def test_each_article_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6, seed=8)
    real, calls = kg.build.run.load_inputs, []

    def counting(path: Path, *args: object, **kw: object):  # type: ignore[no-untyped-def]
        calls.append(path.name)
        return real(path, *args, **kw)

    monkeypatch.setattr(kg.build.run, "load_inputs", counting)
    build([corpus], tmp_path / "store")
    assert sorted(calls) == sorted(p.name for p in corpus.rglob("*.json")), calls


def test_a_failed_batch_write_leaves_whole_articles_and_the_next_build_finishes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6, seed=8)
    build([corpus], tmp_path / "reference")
    monkeypatch.setattr(kg.build.run, "BATCH_QUADS", 1)
    real = kg.store.EmbeddedStore.replace_graphs
    calls = {"n": 0}

    def fail_third(self: kg.store.EmbeddedStore, updates: list[kg.store.GraphUpdate], kg: str = "",
                   kg_data: str = "") -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # ontology+registry, article 1, then this one fails
            raise StoreError(f"{self.path}: disk full (simulated)")
        real(self, updates, kg, kg_data)

    monkeypatch.setattr(kg.store.EmbeddedStore, "replace_graphs", fail_third)
    with pytest.raises(StoreError, match="disk full"):
        build([corpus], tmp_path / "store")
    s = open_store(tmp_path / "store", read_only=True)
    manifest = s.manifest()
    graphs = set(s.named_graphs())
    s.close()
    articles = {g for g in manifest if "/graph/article/" in g}
    assert len(articles) == 1, f"only the first article's batch was written: {sorted(articles)}"
    for g in articles:
        assert g in graphs and g + "/inferred" in graphs, "a written article has its graph, entailments and manifest row"
    monkeypatch.setattr(kg.store.EmbeddedStore, "replace_graphs", real)
    rep = build([corpus], tmp_path / "store")
    assert len(rep.built) == 5 and rep.unchanged == 1
    assert _quads(tmp_path / "store") == _quads(tmp_path / "reference")


def _copy(s: kg.store.EmbeddedStore) -> dict[str, dict[str, str]]:
    index = kg.build._Index.from_cache(s.read_manifest_cache())
    assert index is not None, "the build left a manifest copy beside the store"
    return index.rows()


def test_the_manifest_copy_beside_the_store_is_the_manifest(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6, seed=8)
    store = tmp_path / "store"
    build([corpus], store)
    s = open_store(store, read_only=True)
    assert (store / kg.store.MANIFEST_CACHE).is_file()
    assert _copy(s) == s.manifest(), "the copy written by the build equals the manifest graph"
    s.close()
    victim = sorted(corpus.rglob("*.json"))[0]
    victim.unlink()  # one article removed, one changed
    other = sorted(corpus.rglob("*.json"))[0]
    other.write_text(other.read_text(encoding="utf-8").replace('"title": "', '"title": "Edited: ', 1), encoding="utf-8")
    rep = build([corpus], store)
    assert len(rep.built) == 1 and len(rep.removed) == 1
    s = open_store(store, read_only=True)
    assert _copy(s) == s.manifest()
    s.close()


def test_any_other_write_removes_the_manifest_copy(tmp_path: Path) -> None:
    """A SPARQL update (here: deleting one article's manifest row) must not leave a stale copy that would
    make the next build skip the article."""
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 3, seed=8)
    store = tmp_path / "store"
    build([corpus], store)
    s = open_store(store, read_only=False)
    victim = next(g for g in s.manifest() if "/graph/article/" in g)
    s.update(f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{victim}> ?p ?o }} }}")
    s.flush()
    s.close()
    assert not (store / kg.store.MANIFEST_CACHE).exists()
    rep = build([corpus], store)
    assert [f"https://w3id.org/tradekg/graph/article/{a}" for a in rep.built] == [victim], rep.built
