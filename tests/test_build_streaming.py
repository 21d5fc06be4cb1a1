"""A build of more articles than KEEP_CHECKED loads each article again to write it (flat memory);
the store must be exactly what the in-memory path writes."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.build
from kg.build import build
from kg.errors import InputError
from kg.store import open_store
from kg.synth import write_corpus


def _quads(store_path: Path) -> set[str]:
    """Every quad but the ontology's (its OWL lists are blank nodes, labelled anew by each load)."""
    s = open_store(store_path, read_only=True)
    out = {str(q) for q in s.ox.quads_for_pattern(None, None, None, None) if "/graph/ontology" not in str(q.graph_name)}
    s.close()
    return out


def test_streamed_build_writes_the_same_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 8, seed=8)
    build([corpus], tmp_path / "kept")
    monkeypatch.setattr(kg.build, "KEEP_CHECKED", 3)
    seen: list[tuple[int, int]] = []
    rep = build([corpus], tmp_path / "streamed", progress=lambda d, t: seen.append((d, t)))
    assert len(rep.built) == 8 and seen[-1] == (8, 8)
    assert _quads(tmp_path / "kept") == _quads(tmp_path / "streamed")


def test_streamed_build_refuses_a_file_changed_after_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6, seed=8)
    monkeypatch.setattr(kg.build, "KEEP_CHECKED", 2)
    victim = sorted(corpus.rglob("*.json"))[-1]
    real = kg.build.load_inputs
    calls = {"n": 0}

    def load_then_edit(path: Path, *args: object, **kw: object):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 6:  # the check has read every file: now someone edits the last one
            victim.write_text(victim.read_text(encoding="utf-8").replace('"title": "', '"title": "Edited: ', 1),
                              encoding="utf-8")
        return real(path, *args, **kw)

    monkeypatch.setattr(kg.build, "load_inputs", load_then_edit)
    with pytest.raises(InputError, match="changed while the build was writing"):
        build([corpus], tmp_path / "store")
    s = open_store(tmp_path / "store", read_only=True)
    written = {g.value for g in s.ox.named_graphs() if isinstance(g, ox.NamedNode)}
    s.close()
    assert not any(victim.stem in g for g in written), "the edited article must not be half-written"
