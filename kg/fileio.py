"""Writing output files whole or not at all.

Every file TradeKG writes for a user (exports, the graph page, GraphML/GEXF,
converted articles) goes through :func:`replacing`: the content is written to a
temporary file in the same folder and renamed over the target when complete,
so a reader never sees half a file and a failure leaves the old file as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from kg.errors import OutputError


@contextmanager
def replacing(path: Path, what: str = "file") -> Iterator[IO[bytes]]:
    """A binary handle whose content replaces ``path`` when the block completes.

    On any error the temporary file is removed and ``path`` is untouched; an ``OSError`` becomes an
    :class:`~kg.errors.OutputError` naming the file. The file gets the permissions a newly created
    file would have (the temporary file starts private).

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
        raise OutputError(f"{path}: cannot write the {what} there ({exc.strerror or exc}); "
                          "expected a writable folder") from exc
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: writing the {what} failed ({exc.strerror or exc}); nothing was written") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str, what: str = "file") -> None:
    """Write ``text`` as UTF-8 to ``path`` whole or not at all (newlines as given)."""
    with replacing(path, what) as f:
        f.write(text.encode("utf-8"))
