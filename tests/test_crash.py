"""Crash safety: a build killed with SIGKILL leaves every article whole, and the next build repairs the rest.

A corpus of copies of the seed article is built (the *old* state), then
changed: most articles get a new title, some are removed, some are added (the
*new* state). The new build runs as ``tradekg build`` in a child process and is
killed with SIGKILL

- at exact points: before, during and after its first, middle and last store
  transaction (a small wrapper counts the store's write calls and kills the
  process there; it also makes batches small so there are many transactions),
- and after timed delays spread over the length of an uninterrupted build.

After each kill the store must open, and each article must be wholly old or
wholly new: its graph, its ``/inferred`` graph and its manifest row, compared
with reference stores built without interruption. The next build must finish
and give the same quads as an uninterrupted build.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.namespaces import META_GRAPH, article_graph, article_id_from_graph
from kg.store import open_store
from tests.conftest import ARTICLES, ROOT, SEED_ID

pytestmark = pytest.mark.slow

N_OLD = 12  # articles copy-000 .. copy-011
KEEP = 10  # copy-000 .. 009 survive (retitled), 010 .. 011 are removed, 012 .. 013 added
N_NEW_EXTRA = 2
SMALL_BATCH = 1500  # quads per transaction in the killed builds: about one article each

WRAPPER = r'''
"""Run tradekg, killing this process with SIGKILL at one store write (KILL_MODE before/during/after, KILL_AT n),
or holding it there until a file appears (KILL_MODE hold). Prints the number of write calls when it finishes."""
import os, signal, sys, threading, time
from pathlib import Path
import kg.build.run, kg.store

mode, at = os.environ.get("KILL_MODE", "none"), int(os.environ.get("KILL_AT", "0"))
if os.environ.get("BATCH_QUADS"):  # small transactions, so a build makes many
    import inspect
    batch, orig_build = int(os.environ["BATCH_QUADS"]), kg.build.run._build
    kg.build.run.BATCH_QUADS = batch
    if "batch_quads" in inspect.signature(orig_build).parameters:
        def small_batches(*args, **kwargs):
            kwargs.setdefault("batch_quads", batch)
            return orig_build(*args, **kwargs)
        kg.build.run._build = small_batches
calls = 0

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def wrap(name):
    orig = getattr(kg.store.EmbeddedStore, name)
    def write(self, *args, **kwargs):
        global calls
        calls += 1
        if calls == at:
            if mode == "before":
                die()
            if mode == "during":
                threading.Timer(float(os.environ.get("KILL_DELAY", "0.002")), die).start()
            if mode == "hold":
                tmp = Path(os.environ["HOLD_REACHED"] + ".tmp")
                tmp.write_text(str(os.getpid()))
                tmp.replace(os.environ["HOLD_REACHED"])  # atomic: the test never reads it half-written
                while not Path(os.environ["HOLD_RELEASE"]).exists():
                    time.sleep(0.02)
        result = orig(self, *args, **kwargs)
        if calls == at and mode == "after":
            die()
        return result
    setattr(kg.store.EmbeddedStore, name, write)

for name in ("replace_graphs", "drop_graphs"):
    wrap(name)
import atexit
atexit.register(lambda: print(f"store-write-calls={calls}", file=sys.stderr))
from kg.cli import cli
cli(prog_name="tradekg")
'''


# ----------------------------------------------------------------- corpus --
def write_corpus(folder: Path, state: str) -> None:
    """The old or new corpus in ``folder`` (files are rewritten only where they change, like an editor would)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("registry.yaml",):
        if not (folder / name).exists():
            shutil.copy(ARTICLES / name, folder / name)
    seed = (ARTICLES / f"{SEED_ID}.yaml").read_text(encoding="utf-8")
    import yaml

    text_file = yaml.safe_load(seed)["text_file"]
    if not (folder / text_file).exists():
        shutil.copy(ARTICLES / text_file, folder / text_file)
    ids = range(N_OLD) if state == "old" else [*range(KEEP), *range(N_OLD, N_OLD + N_NEW_EXTRA)]
    for f in folder.glob("copy-*.yaml"):
        if int(f.stem.split("-")[1]) not in ids:
            f.unlink()
    for i in ids:
        doc = seed.replace(f"id: {SEED_ID}", f"id: copy-{i:03d}", 1)
        if state == "new":
            doc = doc.replace("\ntitle: ", "\ntitle: (updated) ", 1)
        p = folder / f"copy-{i:03d}.yaml"
        if not p.exists() or p.read_text(encoding="utf-8") != doc:
            p.write_text(doc, encoding="utf-8")


def run_tradekg(args: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def start_wrapper(tmp: Path, args: list[str], env: dict[str, str]) -> subprocess.Popen:
    script = tmp / "killable_tradekg.py"
    script.write_text(WRAPPER, encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script), *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **env})


# ---------------------------------------------------------------- compare --
Article = tuple[frozenset[str], frozenset[str], frozenset[str]]


def graphs_of(store: Path) -> dict[str, list[Any]]:
    """Quads of the store grouped by named graph."""
    s = open_store(store, read_only=True)
    try:
        out = io.BytesIO()
        s.dump_nquads(out)
    finally:
        s.close()
    by_graph: dict[str, list[Any]] = defaultdict(list)
    for q in ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS):
        by_graph[q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""].append(q)
    return by_graph


def articles_of(by_graph: dict[str, list[Any]]) -> dict[str, Article]:
    """Per article id: (its graph, its /inferred graph, its manifest rows), as sets of N-Quads lines."""
    meta = by_graph.get(str(META_GRAPH), [])
    ids = {article_id_from_graph(g) for g in by_graph if article_id_from_graph(g)}
    ids |= {article_id_from_graph(q.subject.value) for q in meta if article_id_from_graph(q.subject.value)}
    out: dict[str, Article] = {}
    for aid in ids:
        g = article_graph(aid)
        for q in by_graph.get(g, []) + by_graph.get(g + "/inferred", []):
            assert not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode), \
                "article graphs have no blank nodes, so comparing sets of lines is comparing graphs"
        out[aid] = (frozenset(map(str, by_graph.get(g, []))), frozenset(map(str, by_graph.get(g + "/inferred", []))),
                    frozenset(str(q) for q in meta if q.subject.value == g))
    return out


EMPTY: Article = (frozenset(), frozenset(), frozenset())


def assert_whole_articles(store: Path, old: dict[str, Article], new: dict[str, Article]) -> tuple[int, int]:
    """Every article in ``store`` is wholly its old or wholly its new version; return (#old, #new) of changed ones."""
    now = articles_of(graphs_of(store))
    n_old = n_new = 0
    for aid in sorted(set(old) | set(new) | set(now)):
        got = now.get(aid, EMPTY)
        o, n = old.get(aid, EMPTY), new.get(aid, EMPTY)
        assert got in (o, n), (f"article {aid} is neither its old nor its new version: "
                               f"{len(got[0])}/{len(got[1])}/{len(got[2])} quads (graph/inferred/manifest), "
                               f"old {len(o[0])}/{len(o[1])}/{len(o[2])}, new {len(n[0])}/{len(n[1])}/{len(n[2])}")
        if o != n:
            n_old += got == o
            n_new += got == n
    return n_old, n_new


def assert_same_store(a: Path, b: Path) -> None:
    """Same named graphs with the same triples (blank-node graphs compared as graphs, the rest line by line)."""
    ga, gb = graphs_of(a), graphs_of(b)
    assert sorted(ga) == sorted(gb)
    for g in ga:
        la, lb = (sorted(f"{q.subject} {q.predicate} {q.object} .\n" for q in x[g]) for x in (ga, gb))
        if la == lb:
            continue
        ra, rb = Graph().parse(data="".join(la), format="nt"), Graph().parse(data="".join(lb), format="nt")
        assert isomorphic(ra, rb), f"graph {g} differs"


# --------------------------------------------------------------- fixtures --
@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The corpus folder, an old store, and reference stores of the old and new corpus built without interruption."""
    base = tmp_path_factory.mktemp("crash")
    corpus = base / "corpus"
    write_corpus(corpus, "old")
    old_store = base / "old-store"
    r = run_tradekg(["build", str(corpus), "--store", str(old_store), "-q"])
    assert r.returncode == 0, r.stderr
    old = articles_of(graphs_of(old_store))
    write_corpus(corpus, "new")
    new_store = base / "new-store"
    shutil.copytree(old_store, new_store)
    t0 = time.monotonic()
    r = run_tradekg(["build", str(corpus), "--store", str(new_store), "-q"])
    duration = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    new = articles_of(graphs_of(new_store))
    fresh = base / "fresh-store"  # a build of the new corpus into an empty store gives the same quads
    assert run_tradekg(["build", str(corpus), "--store", str(fresh), "-q"]).returncode == 0
    assert_same_store(new_store, fresh)
    changed = {a for a in set(old) | set(new) if old.get(a, EMPTY) != new.get(a, EMPTY)}
    assert len(changed) == N_OLD + N_NEW_EXTRA, "every article changes, so old and new are told apart"
    # how many store writes an (unkilled) build of the new corpus makes with small batches
    probe = base / "probe-store"
    shutil.copytree(old_store, probe)
    proc = start_wrapper(base, ["build", str(corpus), "--store", str(probe), "-q"], {"BATCH_QUADS": str(SMALL_BATCH)})
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    calls = int(err.rsplit("store-write-calls=", 1)[1].split()[0])
    assert calls >= 6, f"expected several store transactions, got {calls}"
    assert_same_store(probe, new_store)
    return {"base": base, "corpus": corpus, "old_store": old_store, "new_store": new_store, "old": old, "new": new,
            "calls": calls, "duration": duration}


def killed_then_rebuilt(states: dict[str, Any], name: str, env: dict[str, str], delay: float | None = None) -> tuple[int, int]:
    """Copy the old store, run the new build until it is killed, check whole articles, rebuild, compare."""
    store = states["base"] / f"victim-{name}"
    shutil.copytree(states["old_store"], store)
    args = ["build", str(states["corpus"]), "--store", str(store), "-q"]
    proc = start_wrapper(states["base"], args, {"BATCH_QUADS": str(SMALL_BATCH), **env})
    if delay is not None:
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=300)
    if env.get("KILL_MODE") in ("before", "during", "after"):
        assert proc.returncode == -signal.SIGKILL, f"the build was meant to be killed at write {env.get('KILL_AT')}"
    mix = assert_whole_articles(store, states["old"], states["new"])
    r = run_tradekg(["build", str(states["corpus"]), "--store", str(store), "-q"])
    assert r.returncode == 0, f"the build after the kill failed: {r.stderr}"
    assert_same_store(store, states["new_store"])
    shutil.rmtree(store)
    return mix


# ------------------------------------------------------------------ tests --
POINTS = [("before", "first"), ("during", "first"), ("after", "first"), ("during", "middle"), ("after", "middle"),
          ("before", "last"), ("during", "last"), ("after", "last")]


@pytest.mark.parametrize(("mode", "where"), POINTS, ids=[f"{m}-{w}-write" for m, w in POINTS])
def test_sigkill_at_a_store_write_leaves_whole_articles(states: dict[str, Any], mode: str, where: str) -> None:
    at = {"first": 1, "middle": max(2, states["calls"] // 2), "last": states["calls"]}[where]
    n_old, n_new = killed_then_rebuilt(states, f"{mode}-{where}", {"KILL_MODE": mode, "KILL_AT": str(at)})
    total = N_OLD + N_NEW_EXTRA
    assert n_old + n_new == total
    if mode == "before" and where == "first":
        assert n_new == 0, "killed before its first write, the build changed nothing"
    if mode == "after" and where == "last":
        assert n_old == 0, "killed after its last write, everything is new"
    if where == "middle" and mode == "after":
        assert 0 < n_new < total, "killed half-way, some articles are new and some old"


@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.8], ids=lambda f: f"at-{int(f * 100)}pct")
def test_sigkill_after_a_delay_leaves_whole_articles(states: dict[str, Any], fraction: float) -> None:
    """Killed at a moment, not a chosen write: the delay is a fraction of an uninterrupted build's time plus start-up."""
    delay = fraction * (states["duration"] + 0.5)
    n_old, n_new = killed_then_rebuilt(states, f"timed-{int(fraction * 100)}", {}, delay=delay)
    print(f"killed after {delay:.2f} s: {n_old} articles old, {n_new} new")


def test_sigkill_of_the_first_ever_build_leaves_a_store_that_builds(states: dict[str, Any], tmp_path: Path) -> None:
    """Killed while writing into an empty store: it opens, holds whole articles, and the next build completes."""
    store = tmp_path / "store"
    proc = start_wrapper(tmp_path, ["build", str(states["corpus"]), "--store", str(store), "-q"],
                         {"BATCH_QUADS": str(SMALL_BATCH), "KILL_MODE": "after", "KILL_AT": "3"})
    proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL
    n_old, n_new = assert_whole_articles(store, {}, states["new"])
    assert 0 < n_new < N_KEEP_AND_NEW, (n_old, n_new)
    assert run_tradekg(["build", str(states["corpus"]), "--store", str(store), "-q"]).returncode == 0
    assert_same_store(store, states["new_store"])


N_KEEP_AND_NEW = KEEP + N_NEW_EXTRA


@pytest.mark.parametrize("damage", ["garbage-current", "truncated-files"])
def test_a_damaged_store_is_a_clear_error(states: dict[str, Any], tmp_path: Path, damage: str) -> None:
    """A store damaged outside TradeKG (disk error, partial copy) is reported, not a traceback."""
    store = tmp_path / "store"
    shutil.copytree(states["old_store"], store)
    if damage == "garbage-current":
        (store / "CURRENT").write_text("garbage\n")
    else:
        for f in store.iterdir():
            if f.name.startswith("MANIFEST") or f.suffix == ".sst":
                f.write_bytes(f.read_bytes()[:7])
    for args in (["build", str(states["corpus"]), "--store", str(store), "-q"],
                 ["query", "ASK { ?s ?p ?o }", "--store", str(store), "--timeout", "0"]):
        r = run_tradekg(args)
        assert r.returncode == 2, (args[0], r.returncode, r.stderr[-1500:])
        assert "Traceback" not in r.stderr and str(store) in r.stderr and "cannot open the store" in r.stderr
