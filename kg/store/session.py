"""Sessions with a store: who may write, and what happens at the end.

``with writing(where) as store:`` holds the writer lock of an embedded store (refusing at once, or waiting
with ``wait=True``), and at the end flushes and closes the store, also after an error (what was written
stays durable; the error is the one reported). ``with reading(where) as store:`` opens it read-only and
closes it. ``where`` is a :class:`kg.store.spec.StoreSpec` or the directory of an embedded store.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import StoreLockedError
from kg.store.base import GraphStore
from kg.store.spec import StoreSpec

LOCK_NAME = "tradekg.lock"


@contextmanager
def write_lock(path: Path, wait: bool = False) -> Iterator[None]:
    """Hold the store's writer lock; refuse at once (or wait) if another process has it."""
    path.mkdir(parents=True, exist_ok=True)
    lock_path = path / LOCK_NAME
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            raise StoreLockedError(f"{path}: another TradeKG build (pid {holder}) is writing to this store; "
                                   "wait for it to finish, or pass --wait to queue behind it") from exc
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


def _spec(where: StoreSpec | Path) -> StoreSpec:
    return where if isinstance(where, StoreSpec) else StoreSpec(path=Path(where))


@contextmanager
def writing(where: StoreSpec | Path, *, wait: bool = False) -> Iterator[GraphStore]:
    """The store open for writing, under its writer lock if it is a directory; flushed and closed at the end."""
    spec = _spec(where)
    with write_lock(spec.path, wait=wait) if spec.path is not None else contextlib.nullcontext():
        store = spec.open(read_only=False)
        try:
            yield store
        except BaseException:
            with contextlib.suppress(Exception):
                store.flush()  # keep what was written durable (a server: wait for a background write)
            raise
        else:
            store.flush()
        finally:
            store.close()


@contextmanager
def reading(where: StoreSpec | Path) -> Iterator[GraphStore]:
    """The store open read-only (no lock: readers never wait for a writer); closed at the end."""
    store = _spec(where).open(read_only=True)
    try:
        yield store
    finally:
        store.close()
