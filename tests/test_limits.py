"""Limits: an article over the size limit, a file built to blow up the parser, or a query that runs too long is a
clear error (exit 2) in bounded time and memory — never a hang or an out-of-memory kill.

The size limit is ``TRADEKG_MAX_ARTICLE_BYTES`` (default 5,000,000 bytes per
article, text or registry file); the query limit is ``tradekg query --timeout``.
Each command runs in a child process with a wall-clock guard, so a regression
fails the test instead of hanging the suite.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from kg.source import DEFAULT_MAX_BYTES
from kg.store import open_store
from tests.conftest import ARTICLES, ROOT, SEED_ID

GUARD = 120  # seconds: far above what any of these needs; reaching it means a hang
MEMORY = 3 * 1024**3  # bytes of address space the child may use


def tradekg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_DATA, (MEMORY, MEMORY))

    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=GUARD, preexec_fn=limit_memory)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("registry.yaml", f"{SEED_ID}.yaml"):
        shutil.copy(ARTICLES / name, folder)
    shutil.copy(ARTICLES / yaml.safe_load((ARTICLES / f"{SEED_ID}.yaml").read_text())["text_file"], folder)
    return folder


@pytest.fixture
def built(corpus: Path, tmp_path: Path) -> tuple[Path, bytes]:
    """A store built from the seed corpus, and its canonical dump."""
    store = tmp_path / "store"
    r = tradekg("build", str(corpus), "--store", str(store), "-q")
    assert r.returncode == 0, r.stderr
    return store, dump(store)


def dump(store: Path) -> bytes:
    s = open_store(store, read_only=True)
    out = io.BytesIO()
    s.dump_nquads(out)
    s.close()
    return b"".join(sorted(out.getvalue().splitlines(keepends=True)))


# ------------------------------------------------------------ article size ----
def test_default_limit_is_documented() -> None:
    assert DEFAULT_MAX_BYTES == 5_000_000
    assert "TRADEKG_MAX_ARTICLE_BYTES" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("which", ["article", "text"])
def test_file_over_the_configured_limit_is_refused(corpus: Path, built: tuple[Path, bytes], which: str) -> None:
    store, before = built
    limit = 20_000
    big = corpus / "big.yaml"
    doc = yaml.safe_load((corpus / f"{SEED_ID}.yaml").read_text(encoding="utf-8"))
    doc["id"] = "big"
    if which == "article":
        doc["note"] = "n" * limit
    else:
        seed_text = (corpus / doc["text_file"]).read_text(encoding="utf-8")
        doc["text_file"] = "big.txt"
        (corpus / "big.txt").write_text(seed_text + "x" * limit, encoding="utf-8")
    big.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    r = tradekg("build", str(corpus), "--store", str(store), env={"TRADEKG_MAX_ARTICLE_BYTES": str(limit)})
    assert r.returncode == 2, r.stderr
    name = "big.yaml" if which == "article" else "big.txt"
    assert name in r.stderr and f"over the limit of {limit} bytes" in r.stderr and "TRADEKG_MAX_ARTICLE_BYTES" in r.stderr
    assert dump(store) == before
    # the same corpus builds with a limit that fits it
    r = tradekg("build", str(corpus), "--store", str(store), "-q", env={"TRADEKG_MAX_ARTICLE_BYTES": str(10 * limit)})
    assert r.returncode == 0, r.stderr


def test_huge_sparse_file_is_refused_without_reading_it(corpus: Path, built: tuple[Path, bytes]) -> None:
    """A 20 GB file (sparse: it takes no disk) is refused from its size; reading it would exhaust memory."""
    store, before = built
    with (corpus / "huge.yaml").open("wb") as f:
        f.truncate(20 * 1024**3)
    t0 = time.monotonic()
    r = tradekg("build", str(corpus), "--store", str(store))
    assert r.returncode == 2, r.stderr
    assert "huge.yaml" in r.stderr and "over the limit of 5000000 bytes" in r.stderr
    assert time.monotonic() - t0 < GUARD
    assert dump(store) == before


def test_huge_registry_is_refused_without_reading_it(corpus: Path, built: tuple[Path, bytes]) -> None:
    store, before = built
    (corpus / "registry.yaml").unlink()
    with (corpus / "registry.yaml").open("wb") as f:
        f.truncate(20 * 1024**3)
    r = tradekg("build", str(corpus), "--store", str(store))
    assert r.returncode == 2, r.stderr[-2000:]
    assert "registry.yaml" in r.stderr and "over the limit of 5000000 bytes" in r.stderr
    assert dump(store) == before


@pytest.mark.parametrize("value", ["abc", "-5", "0", "1e6"])
def test_malformed_limit_is_a_clear_error(corpus: Path, built: tuple[Path, bytes], value: str) -> None:
    store, before = built
    r = tradekg("build", str(corpus), "--store", str(store), env={"TRADEKG_MAX_ARTICLE_BYTES": value})
    assert r.returncode == 2, r.stderr
    assert "TRADEKG_MAX_ARTICLE_BYTES" in r.stderr and "positive whole number" in r.stderr
    assert "Traceback" not in r.stderr
    assert dump(store) == before


# ------------------------------------------------------- parser blow-ups ----
def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


BOMBS = {
    "billion-laughs.yaml": (_billion_laughs(), "YAML alias"),  # 9**10 strings if expanded
    "self-alias.yaml": ("a: &a [*a, *a]\n", "YAML alias"),
    "deep.yaml": ("a: " + "[" * 50_000 + "]" * 50_000 + "\n", "nesting depth"),
    "deep.json": ("[" * 200_000 + "]" * 200_000, "nested"),
    "digits.json": ('{"rate": ' + "9" * 100_000 + "}", "digits"),
    "digits.yaml": ("rate: " + "9" * 100_000 + "\n", "digits"),
    "float.yaml": ("rate: 1" + "0" * 400 + ".0\n", "format"),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_parser_bombs_are_refused_in_bounded_time_and_memory(corpus: Path, built: tuple[Path, bytes],
                                                              name: str) -> None:
    store, before = built
    text, expected = BOMBS[name]
    (corpus / name).write_text(text, encoding="utf-8")
    r = tradekg("build", str(corpus), "--store", str(store))
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert name in r.stderr and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert expected in r.stderr or "the document" in r.stderr or "expected" in r.stderr, r.stderr[-2000:]
    assert dump(store) == before


# ----------------------------------------------------------- query timeout ----
def test_query_over_its_timeout_is_stopped_with_a_clear_error(built: tuple[Path, bytes]) -> None:
    """A three-way cross product of every quad (about 10**10 rows) with --timeout 2: stopped, exit 2, store intact."""
    store, before = built
    t0 = time.monotonic()
    r = tradekg("query", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "--store", str(store),
                "--timeout", "2")
    elapsed = time.monotonic() - t0
    assert r.returncode == 2, r.stderr
    assert "did not finish within 2 s" in r.stderr and "--timeout" in r.stderr
    assert elapsed < GUARD
    assert dump(store) == before
    r = tradekg("query", "ASK { ?s ?p ?o }", "--store", str(store), "--timeout", "30")
    assert r.returncode == 0, r.stderr
