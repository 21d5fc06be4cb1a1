"""Concurrency: one writer at a time, and readers see whole articles only.

A build of the changed corpus (see :mod:`tests.test_crash`) runs in a child
process and is held at a chosen store write (the wrapper waits for a file), so
the tests know the first build holds the store while they act:

- a second ``tradekg build`` on the same store refuses at once with exit 2 and
  a message naming the other build's pid and ``--wait``, and writes nothing;
- ``tradekg build --wait`` queues behind the first, then finds nothing left to do;
- a reader opening the store read-only during the build sees every article
  wholly old or wholly new, both at a held mid-point and while it runs freely.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import cli
from tests.conftest import ROOT
from tests.test_crash import (
    N_NEW_EXTRA,
    N_OLD,
    SMALL_BATCH,
    articles_of,
    assert_same_store,
    assert_whole_articles,
    graphs_of,
    run_tradekg,
    start_wrapper,
    write_corpus,
)

pytestmark = pytest.mark.slow
TOTAL = N_OLD + N_NEW_EXTRA


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("concurrency")
    corpus = base / "corpus"
    write_corpus(corpus, "old")
    old_store = base / "old-store"
    assert run_tradekg(["build", str(corpus), "--store", str(old_store), "-q"]).returncode == 0
    old = articles_of(graphs_of(old_store))
    write_corpus(corpus, "new")
    new_store = base / "new-store"
    shutil.copytree(old_store, new_store)
    assert run_tradekg(["build", str(corpus), "--store", str(new_store), "-q"]).returncode == 0
    return {"base": base, "corpus": corpus, "old_store": old_store, "new_store": new_store, "old": old,
            "new": articles_of(graphs_of(new_store))}


class HeldBuild:
    """A build of the new corpus held at store write ``at`` until :meth:`release`."""

    def __init__(self, states: dict[str, Any], store: Path, at: int, extra: list[str] | None = None):
        self.reached = store.parent / f"{store.name}.reached"
        self.release_file = store.parent / f"{store.name}.release"
        self.proc = start_wrapper(states["base"], ["build", str(states["corpus"]), "--store", str(store), *(extra or [])],
                                  {"BATCH_QUADS": str(SMALL_BATCH), "KILL_MODE": "hold", "KILL_AT": str(at),
                                   "HOLD_REACHED": str(self.reached), "HOLD_RELEASE": str(self.release_file)})
        deadline = time.monotonic() + 180
        while not self.reached.exists():
            assert self.proc.poll() is None, f"the first build ended early: {self.proc.communicate()}"
            assert time.monotonic() < deadline, "the first build never reached its hold point"
            time.sleep(0.05)
        self.pid = int(self.reached.read_text())

    def release(self) -> tuple[int, str, str]:
        self.release_file.write_text("go")
        out, err = self.proc.communicate(timeout=300)
        return self.proc.returncode, out, err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.communicate()


@pytest.fixture
def store(states: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "store"
    shutil.copytree(states["old_store"], path)
    return path


def test_second_build_refuses_while_the_first_writes(states: dict[str, Any], store: Path, runner: CliRunner) -> None:
    first = HeldBuild(states, store, at=3)
    try:
        before = articles_of(graphs_of(store))  # a reader can open the store while it is held
        res = runner.invoke(cli, ["build", str(states["corpus"]), "--store", str(store), "-q"])
        assert res.exit_code == 2, res.output
        assert f"another TradeKG build (pid {first.pid}) is writing to this store" in res.output
        assert "--wait" in res.output
        assert articles_of(graphs_of(store)) == before, "the refused build wrote nothing"
        # the same from a separate process (the real command line)
        r = run_tradekg(["build", str(states["corpus"]), "--store", str(store), "-q"])
        assert r.returncode == 2 and f"pid {first.pid}" in r.stderr, r.stderr
    finally:
        code, _, err = first.release()
    assert code == 0, err
    assert_same_store(store, states["new_store"])


def test_build_with_wait_queues_behind_the_running_build(states: dict[str, Any], store: Path) -> None:
    first = HeldBuild(states, store, at=2)
    second = subprocess.Popen([sys.executable, "-m", "kg", "build", str(states["corpus"]), "--store", str(store),
                               "--wait"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3)
        assert second.poll() is None, f"--wait should wait for the lock: {second.communicate()}"
        code, _, err = first.release()
        assert code == 0, err
        out, err2 = second.communicate(timeout=300)
    finally:
        first.kill()
        if second.poll() is None:
            second.kill()
    assert second.returncode == 0, err2
    assert f"0 article graph(s) written, {len(states['new'])} unchanged" in out, out
    assert_same_store(store, states["new_store"])


def test_reader_at_a_held_mid_point_sees_whole_articles(states: dict[str, Any], store: Path) -> None:
    first = HeldBuild(states, store, at=TOTAL // 2)
    try:
        n_old, n_new = assert_whole_articles(store, states["old"], states["new"])
        assert 0 < n_new < TOTAL and n_old + n_new == TOTAL, (n_old, n_new)
    finally:
        code, _, err = first.release()
    assert code == 0, err
    assert assert_whole_articles(store, states["old"], states["new"]) == (0, TOTAL)


def test_readers_during_a_running_build_see_whole_articles(states: dict[str, Any], store: Path) -> None:
    proc = start_wrapper(states["base"], ["build", str(states["corpus"]), "--store", str(store), "-q"],
                         {"BATCH_QUADS": str(SMALL_BATCH)})
    snapshots: list[tuple[int, int]] = []
    try:
        while proc.poll() is None:
            snapshots.append(assert_whole_articles(store, states["old"], states["new"]))
    finally:
        _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert len(snapshots) >= 2, snapshots
    print(f"{len(snapshots)} read-only snapshots during the build, (old, new) articles: {snapshots}")
    assert_same_store(store, states["new_store"])
