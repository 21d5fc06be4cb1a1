"""Output paths (-o) and output-side I/O failures: findings 5, 6, 13 (output side) and 14."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg import fileio
from kg.cli import cli
from kg.errors import OutputError
from tests.conftest import ROOT


def _tradekg(args: list[str], cwd: Path, **kw: Any) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, env=env, check=False, **kw)


def _one_line_error(text: str) -> None:
    assert "Traceback" not in text
    lines = [x for x in text.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), text


# ---- finding 5: devices, FIFOs and symlinks are written to, not replaced ------------------

def test_symlink_to_a_regular_file_stays_a_symlink(runner: CliRunner, corpus_store: Path, tmp_path: Path) -> None:
    """Finding 5: -o through a symlink replaces the target's content; the symlink stays a symlink."""
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "data.nt"
    real.write_text("PREVIOUS-CONTENT\n")
    link = tmp_path / "link.nt"
    link.symlink_to(real)
    r = runner.invoke(cli, ["export", "--store", str(corpus_store), "-o", str(link)])
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text().startswith("<") and "PREVIOUS-CONTENT" not in real.read_text()
    assert sorted(p.name for p in real_dir.iterdir()) == ["data.nt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.nt", "real"]


def test_symlink_to_a_character_device_is_written_through(runner: CliRunner, corpus_store: Path,
                                                          tmp_path: Path) -> None:
    """Finding 5: -o naming (a link to) /dev/null writes into the device; nothing becomes a regular file."""
    link = tmp_path / "sink.ttl"
    link.symlink_to(os.devnull)
    r = runner.invoke(cli, ["export", "--store", str(corpus_store), "-o", str(link)])
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and stat.S_ISCHR(os.stat(link).st_mode)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_fifo_is_written_through(runner: CliRunner, corpus_store: Path, tmp_path: Path) -> None:
    """Finding 5: -o naming a FIFO writes into the pipe (its reader gets the export); the FIFO stays a FIFO."""
    fifo = tmp_path / "pipe.nt"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = runner.invoke(cli, ["export", "--store", str(corpus_store), "-o", str(fifo)])
    if not stat.S_ISFIFO(os.lstat(fifo).st_mode):  # the bug: the reader would wait forever; release it
        pytest.fail(f"the FIFO was replaced by a regular file ({r.output})")
    reader.join(60)
    assert r.exit_code == 0, r.output
    assert got and got[0].count(b"\n") > 10 and got[0].startswith(b"<")


# ---- finding 6: folders, '-' and file modes -----------------------------------------------

@pytest.mark.parametrize("args", [
    ["export"], ["viz"], ["graph-export", "--format", "graphml"], ["validate", "--inference", "none"],
])
def test_existing_folder_as_output_file_is_exit_2(runner: CliRunner, corpus_store: Path, tmp_path: Path,
                                                  args: list[str]) -> None:
    """Finding 6: -o EXISTING_DIR for a command writing one file is exit 2 with a message naming it."""
    folder = tmp_path / "outdir"
    folder.mkdir()
    r = runner.invoke(cli, [*args, "--store", str(corpus_store), "-o", str(folder)])
    assert r.exit_code == 2, r.output
    assert "outdir" in r.output and "Traceback" not in r.output
    assert list(folder.iterdir()) == []


def test_annotate_existing_folder_as_output_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    """Finding 6: annotate -o EXISTING_DIR is exit 2."""
    text = tmp_path / "new.txt"
    text.write_text("The minister met the ambassador on Monday.\n")
    folder = tmp_path / "drafts"
    folder.mkdir()
    r = runner.invoke(cli, ["annotate", str(text), "--registry", str(ROOT / "articles" / "registry.yaml"),
                            "--published", "2025-01-06", "-o", str(folder)])
    assert r.exit_code == 2, r.output
    assert "drafts" in r.output and list(folder.iterdir()) == []


@pytest.mark.parametrize("args", [
    ["export-ontology", "-o", "-"],
    ["synth", "--articles", "1", "-o", "-"],
    ["export-annotations", "--format", "brat", "--store", "STORE", "-o", "-"],
    ["import-annotations", "--from", "brat", "IN", "-o", "-"],
])
def test_dash_for_a_folder_of_files_is_a_usage_error(runner: CliRunner, corpus_store: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    """Finding 6: '-' for a command writing several files is a usage error naming the option; no folder '-'."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    args = [str(corpus_store) if a == "STORE" else str(tmp_path / "in") if a == "IN" else a for a in args]
    r = runner.invoke(cli, args)
    assert r.exit_code == 2, r.output
    assert "-o" in r.output and "standard output" in r.output
    assert not (tmp_path / "-").exists()


def test_viz_dash_writes_the_page_to_standard_output(runner: CliRunner, corpus_store: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 6: viz -o - writes the page to standard output, not to a file named '-'."""
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(cli, ["viz", "--store", str(corpus_store), "-o", "-"])
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "-").exists()
    assert r.stdout.lstrip().lower().startswith("<!doctype html") and r.stdout.rstrip().endswith("</html>")


def test_new_file_mode_follows_the_umask_and_replaced_file_keeps_its_mode(runner: CliRunner, corpus_store: Path,
                                                                          tmp_path: Path) -> None:
    """Finding 6: a new output file gets 0o666 & ~umask; replacing a regular file keeps its permission bits."""
    old = os.umask(0o027)
    try:
        fresh = tmp_path / "fresh.nt"
        kept = tmp_path / "kept.nt"
        kept.write_text("PREVIOUS-CONTENT\n")
        kept.chmod(0o604)
        for target in (fresh, kept):
            r = runner.invoke(cli, ["export", "--store", str(corpus_store), "-o", str(target)])
            assert r.exit_code == 0, r.output
    finally:
        os.umask(old)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640
    assert stat.S_IMODE(kept.stat().st_mode) == 0o604
    assert "PREVIOUS-CONTENT" not in kept.read_text()


# ---- finding 13 (output side): full disk, full or closed standard output ------------------

def test_full_device_as_output_is_one_line_exit_2(runner: CliRunner, corpus_store: Path, tmp_path: Path) -> None:
    """Finding 13: -o naming (a link to) /dev/full is one line naming the cause, exit 2; the device stays."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    link = tmp_path / "full.ttl"
    link.symlink_to("/dev/full")
    r = runner.invoke(cli, ["export", "--store", str(corpus_store), "-o", str(link)])
    assert r.exit_code == 2, r.output
    _one_line_error(r.stderr)
    assert "No space left on device" in r.stderr and "full.ttl" in r.stderr
    assert link.is_symlink() and stat.S_ISCHR(os.stat(link).st_mode)


class _FullFile:
    """A file object whose writes fail as on a full disk."""

    def __init__(self, f: Any) -> None:
        self._f = f

    def write(self, data: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._f.close()


@pytest.mark.parametrize("args", [["export", "-o", "OUT/a.ttl"], ["viz", "-o", "OUT/a.html"],
                                  ["graph-export", "-o", "OUT/a.gexf"]])
def test_full_disk_writing_a_file_is_one_line_exit_2(runner: CliRunner, corpus_store: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    """Finding 13: a full disk while writing -o FILE is one line naming the file and cause, exit 2, nothing left."""
    out = tmp_path / "out"
    out.mkdir()
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda *a, **k: _FullFile(real_fdopen(*a, **k)))
    r = runner.invoke(cli, [*args[:-1], args[-1].replace("OUT", str(out)), "--store", str(corpus_store)])
    assert r.exit_code == 2, r.output
    _one_line_error(r.stderr)
    assert "No space left on device" in r.stderr
    assert list(out.iterdir()) == []


def test_standard_output_full_is_one_line_exit_2(corpus_store: Path, tmp_path: Path) -> None:
    """Finding 13: `export -o - > /dev/full` (and a command printing with click) is one line, exit 2."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    for args in (["export", "--store", str(corpus_store), "-o", "-"], ["queries"]):
        with open("/dev/full", "wb") as full:
            p = _tradekg(args, tmp_path, stdout=full, stderr=subprocess.PIPE)
        err = p.stderr.decode()
        assert p.returncode == 2, err
        lines = [x for x in err.splitlines() if x.startswith("error: ")]
        assert "Traceback" not in err and len(lines) == 1 and "standard output" in lines[0]
        assert "No space left on device" in lines[0]


def test_closed_pipe_on_standard_output_stops_quietly(corpus_store: Path, tmp_path: Path) -> None:
    """Finding 13: `export -o - | head -1`: no message, no traceback, exit 141 as for SIGPIPE."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-m", "kg", "export", "--store", str(corpus_store), "-o", "-",
                          "--format", "nquads", "--all"], cwd=tmp_path, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    first = p.stdout.readline()
    p.stdout.close()  # the reader goes away, as head does
    err = p.stderr.read().decode()
    p.wait()
    assert first.startswith(b"<")
    assert p.returncode == 141, err
    assert err == ""


# ---- finding 14: export-annotations writes its files all or nothing -----------------------

def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", ["brat", "webannotation"])
@pytest.mark.parametrize("stage", ["write", "rename"])
def test_export_annotations_failure_on_nth_file_leaves_folder_as_it_was(
        runner: CliRunner, corpus_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str,
        stage: str) -> None:
    """Finding 14: a failure on the Nth file of export-annotations leaves no file behind and restores replaced ones."""
    out = tmp_path / "ann"
    r = runner.invoke(cli, ["export-annotations", "--store", str(corpus_store), "--format", fmt, "-o", str(out)])
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in out.iterdir())
    assert len(names) >= 3
    # a previous export with one file changed and one missing, plus a file of the user's
    (out / names[0]).write_text("previous version\n")
    (out / names[1]).unlink()
    (out / "mine.txt").write_text("keep me\n")
    before = _snapshot(out)

    calls = {"n": 0}
    fail_at = 3
    if stage == "write":
        real_fdopen = os.fdopen

        def fdopen(*a: Any, **k: Any) -> Any:
            calls["n"] += 1
            f = real_fdopen(*a, **k)
            return _FullFile(f) if calls["n"] == fail_at else f
        monkeypatch.setattr(os, "fdopen", fdopen)
    else:
        real_replace = os.replace

        def replace(src: Any, dst: Any) -> None:
            calls["n"] += 1
            if calls["n"] == fail_at:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            real_replace(src, dst)
        monkeypatch.setattr(os, "replace", replace)
    r = runner.invoke(cli, ["export-annotations", "--store", str(corpus_store), "--format", fmt, "-o", str(out)])
    monkeypatch.undo()
    assert calls["n"] >= fail_at
    assert r.exit_code == 2, r.output
    _one_line_error(r.stderr)
    assert "nothing was written" in r.stderr
    assert _snapshot(out) == before


def test_export_annotations_failure_removes_the_folder_it_created(runner: CliRunner, corpus_store: Path,
                                                                  tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 14: when export-annotations fails, a folder it created for the files is gone again."""
    out = tmp_path / "new" / "ann"
    real_replace = os.replace
    calls = {"n": 0}

    def replace(src: Any, dst: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    r = runner.invoke(cli, ["export-annotations", "--store", str(corpus_store), "--format", "brat", "-o", str(out)])
    monkeypatch.undo()
    assert r.exit_code == 2, r.output
    assert not (tmp_path / "new").exists()


def test_writing_all_restores_every_replaced_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 14: kg.fileio.writing_all puts back the old content of files it had already replaced."""
    for name in "abc":
        (tmp_path / name).write_text(f"old {name}")
    real_replace = os.replace
    calls = {"n": 0}

    def replace(src: Any, dst: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError, match="nothing was written"):
        with fileio.writing_all("test") as files:
            for name in "abcd":
                files.write(tmp_path / name, f"new {name}")
    monkeypatch.undo()
    assert _snapshot(tmp_path) == {n: f"old {n}".encode() for n in "abc"}
