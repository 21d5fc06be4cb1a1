"""Writing output files whole or not at all.

Every file TradeKG writes for a user goes through this module:

- :func:`output` is the one way a command writes its ``-o``/``--output`` target.
  ``-`` is standard output; a character device or a FIFO (``/dev/null``, a
  named pipe) is written straight through; a symlink is followed, and its
  target is replaced (the symlink stays a symlink); a regular file, or a name
  that does not exist yet, is replaced atomically by :func:`replacing`; a
  folder (or a socket, a block device) is refused with an
  :class:`~kg.errors.OutputError` (exit 2) and nothing is written.
- :func:`replacing` writes the content to a temporary file beside the target
  and renames it over the target when complete, so a reader never sees half a
  file and a failure leaves the old file as it was.
- :class:`FileSet` (``with writing_all(...) as files``) writes several files
  all or nothing: every file goes to a temporary first, then all are renamed;
  on any failure the files this run created are removed and the ones it
  replaced get their old content back.

Permissions: a newly created file gets what ``open()`` would give it under the
umask (``0o666 & ~umask``); replacing an existing regular file keeps that
file's permission bits (as ``> file`` in a shell would). Ownership is the
writer's (the file is a new inode).

Failures are :class:`~kg.errors.OutputError` naming the file and the cause
(``No space left on device``), exit status 2. A closed pipe on standard output
is left as :class:`BrokenPipeError` for the command line to end quietly (see
:mod:`kg.cli`).
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from kg.errors import OutputError

STDOUT = "-"
"""The output name that means standard output."""


def is_stdout(target: str | Path | None) -> bool:
    """Whether ``target`` names standard output (``-``)."""
    return target is not None and str(target) == STDOUT


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _mode_for(path: Path) -> int:
    """The permission bits ``path`` should have after it is written (see the module docstring)."""
    try:
        st = os.stat(path)
    except OSError:
        return _new_file_mode()
    return stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else _new_file_mode()


def _cause(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _resolve(path: Path, what: str) -> tuple[Path, int | None]:
    """The file to write for ``path`` (symlinks followed) and its ``st_mode`` (None if it does not exist)."""
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return real, None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the {what} there ({_cause(exc)})") from exc
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path}: is a folder; expected a file name for the {what}")
    if not (stat.S_ISREG(mode) or stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        raise OutputError(f"{path}: is not a regular file, a character device or a FIFO; "
                          f"expected a file name for the {what}")
    return real, mode


def check_output(target: str | Path, what: str = "file") -> None:
    """Refuse early (:class:`~kg.errors.OutputError`) a target :func:`output` would refuse: a folder, a socket."""
    if not is_stdout(target):
        _resolve(Path(target), what)


@contextmanager
def replacing(path: Path, what: str = "file") -> Iterator[IO[bytes]]:
    """A binary handle whose content replaces ``path`` when the block completes.

    On any error the temporary file is removed and ``path`` is untouched; an ``OSError`` becomes an
    :class:`~kg.errors.OutputError` naming the file. Permissions as in the module docstring. The
    parent folder is created if missing. Use :func:`output` for a user's ``-o`` (it also handles
    ``-``, devices and symlinks).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with replacing(p) as f:
    ...     _ = f.write(b"whole")
    >>> p.read_text(), sorted(x.name for x in p.parent.iterdir())
    ('whole', ['out.txt'])
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the {what} there ({_cause(exc)}); "
                          "expected a writable folder") from exc
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: writing the {what} failed ({_cause(exc)}); nothing was written") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _stdout(what: str) -> Iterator[IO[bytes]]:
    try:
        sys.stdout.flush()  # text written before stays before
        buf = sys.stdout.buffer
        yield buf
        buf.flush()
    except BrokenPipeError:
        raise  # the reader went away: kg.cli ends quietly
    except OSError as exc:
        raise OutputError(f"standard output: writing the {what} failed ({_cause(exc)})") from exc


@contextmanager
def _through(path: Path, shown: Path, what: str) -> Iterator[IO[bytes]]:
    try:
        with open(path, "wb") as f:
            yield f
    except BrokenPipeError as exc:  # a FIFO whose reader left
        raise OutputError(f"{shown}: writing the {what} failed (the reader closed the pipe)") from exc
    except OSError as exc:
        raise OutputError(f"{shown}: writing the {what} failed ({_cause(exc)})") from exc


@contextmanager
def output(target: str | Path, what: str = "file") -> Iterator[IO[bytes]]:
    """A binary handle for a command's output ``target``; what it means is in the module docstring.

    ``-`` gives standard output (flushed at the end); a character device or FIFO is opened and
    written through (a failure there may leave part of the output, the message says so by not
    saying "nothing was written"); anything else that is not a folder is written with
    :func:`replacing` (beside a symlink's target, which keeps the symlink). Every failure is an
    :class:`~kg.errors.OutputError` (exit 2) naming the target and the cause, except a closed pipe
    on standard output, which stays :class:`BrokenPipeError` for :mod:`kg.cli`.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with output(d / "a.txt", "report") as f:
    ...     _ = f.write(b"ok")
    >>> with output(d, "report") as f:
    ...     pass
    Traceback (most recent call last):
    ...
    kg.errors.OutputError: ...: is a folder; expected a file name for the report
    """
    if is_stdout(target):
        with _stdout(what) as f:
            yield f
        return
    path = Path(target)
    real, mode = _resolve(path, what)
    if mode is not None and not stat.S_ISREG(mode):
        with _through(real, path, what) as f:
            yield f
        return
    with replacing(real, what) as f:
        yield f


def write_text(path: Path, text: str, what: str = "file") -> None:
    """Write ``text`` as UTF-8 to ``path`` whole or not at all (newlines as given); see :func:`output`."""
    with output(path, what) as f:
        f.write(text.encode("utf-8"))


class FileSet:
    """Several files written all or nothing: use :func:`writing_all`.

    :meth:`write` puts each file's content in a temporary file beside it; when the ``with`` block
    completes, all are renamed into place. If anything fails (writing, renaming, or an exception in
    the block), every temporary is removed, every file this run created is removed, and every file
    it replaced gets its previous content back, so "nothing was written" is true. Folders created
    for the files are removed again if they are left empty.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self._pending: list[tuple[Path, str]] = []  # (target, temporary)
        self._made_dirs: list[Path] = []
        self.paths: list[Path] = []

    def _mkdir(self, folder: Path) -> None:
        missing = [p for p in [folder, *folder.parents] if not p.exists()]
        folder.mkdir(parents=True, exist_ok=True)
        self._made_dirs.extend(missing)  # deepest first

    def write(self, path: Path, data: bytes | str) -> Path:
        """Stage ``data`` (str as UTF-8) for ``path``; returns ``path``."""
        real, mode = _resolve(path, self.what)
        if mode is not None and not stat.S_ISREG(mode):
            raise OutputError(f"{path}: is not a regular file; expected a file name for the {self.what}")
        if any(t == real for t, _ in self._pending):
            raise OutputError(f"{path}: written twice in one {self.what}")
        try:
            self._mkdir(real.parent)
            fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write the {self.what} there ({_cause(exc)}); "
                              "expected a writable folder") from exc
        self._pending.append((real, tmp))
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data.encode("utf-8") if isinstance(data, str) else data)
            os.chmod(tmp, _mode_for(real))
        except OSError as exc:
            raise OutputError(f"{path}: writing the {self.what} failed ({_cause(exc)}); "
                              "nothing was written") from exc
        self.paths.append(path)
        return path

    def _commit(self) -> None:
        done: list[tuple[Path, str | None]] = []  # (target, backup of its old content or None)
        try:
            for target, tmp in self._pending:
                backup = None
                if target.exists():
                    backup = tempfile.mktemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent)
                    try:
                        os.link(target, backup)
                    except OSError:  # no hard links here: copy
                        shutil.copy2(target, backup)
                done.append((target, backup))
                os.replace(tmp, target)
        except OSError as exc:
            for target, backup in reversed(done):
                try:
                    if backup is not None:
                        os.replace(backup, target)
                    else:
                        target.unlink(missing_ok=True)
                except OSError:
                    pass
                if backup is not None:  # still there if the target was never replaced (same inode)
                    Path(backup).unlink(missing_ok=True)
            raise OutputError(f"{target}: writing the {self.what} failed ({_cause(exc)}); "
                              "nothing was written") from exc
        for _, backup in done:
            if backup is not None:
                Path(backup).unlink(missing_ok=True)

    def _discard(self) -> None:
        for _, tmp in self._pending:
            Path(tmp).unlink(missing_ok=True)
        for d in self._made_dirs:
            try:
                d.rmdir()
            except OSError:
                pass


@contextmanager
def writing_all(what: str = "files") -> Iterator[FileSet]:
    """A :class:`FileSet` committed when the block completes, or rolled back entirely on any error.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with writing_all("export") as files:
    ...     _ = files.write(d / "a.txt", "A")
    ...     _ = files.write(d / "b.txt", b"B")
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt', 'b.txt']
    """
    files = FileSet(what)
    try:
        yield files
        files._commit()
    except BaseException:
        files._discard()
        raise
