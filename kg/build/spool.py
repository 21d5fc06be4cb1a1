"""The spool: checked, mapped articles kept in an anonymous temporary file between the check pass and the
write pass (so neither holds the corpus in memory; a killed build leaves no spool behind)."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kg.build.prepare import _Prepared
from kg.errors import StoreError
from kg.store import GraphStore


def _store_dir(store: GraphStore) -> Path | None:
    """The embedded store's directory (for the build's temporary spool; None for a SPARQL endpoint)."""
    return store.capabilities.local_path


class _Spool:
    """Mapped articles in an anonymous temporary file, each pickled on its own, read back in order."""

    def __init__(self, folder: Path | None):
        self.folder = folder if folder is not None and folder.is_dir() else None
        try:
            self.file = tempfile.TemporaryFile(dir=self.folder)
        except OSError as exc:
            raise self._failed(exc) from exc
        self.count = 0

    def _failed(self, exc: OSError) -> StoreError:
        where = self.folder or Path(tempfile.gettempdir())
        return StoreError(f"{where}: spooling the checked articles there failed ({exc.strerror or exc}); "
                          "nothing was written to the store; free some space and build again")

    def add(self, prep: _Prepared) -> None:
        data = pickle.dumps(prep, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.file.write(len(data).to_bytes(8, "little"))
            self.file.write(data)
        except OSError as exc:
            raise self._failed(exc) from exc
        self.count += 1

    def read(self) -> Iterator[_Prepared]:
        try:
            self.file.flush()
        except OSError as exc:
            raise self._failed(exc) from exc
        self.file.seek(0)
        for _ in range(self.count):
            size = int.from_bytes(self.file.read(8), "little")
            yield pickle.loads(self.file.read(size))

    def close(self) -> None:
        self.file.close()
