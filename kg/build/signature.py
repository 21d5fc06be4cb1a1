"""Input signatures and hashes: what the build manifest records of each input file.

An input's stat signature is ``MTIME_NS:SIZE`` of the file (and, for brat, of its ``.txt`` and
``.meta.yaml``); if its article names a text file (``text_file:``), ``|text=MTIME_NS:SIZE=NAME`` of that
file follows. Its hash covers the file's bytes, its companions', and the text as loaded. Files are read
for hashing only up to the size limit and only if regular (never a FIFO or device).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from kg.annotations import ANNOTATION_SUFFIXES, companion_files
from kg.articles import Article
from kg.source import max_bytes


def _signature(path: str, st: os.stat_result | None) -> str:
    """The stat signature of an input file and of the files that belong to it (brat's .txt, .meta.yaml)."""
    sig = f"{st.st_mtime_ns}:{st.st_size}" if st is not None else ""
    if not path.endswith(ANNOTATION_SUFFIXES):
        return sig
    return ";".join([sig, *(_stat_sig(c) for c in companion_files(Path(path)))])


def _stat_sig(path: Path) -> str:
    st = path.stat()
    return f"{st.st_mtime_ns}:{st.st_size}"


def _read_capped(path: Path) -> bytes:
    """A file's bytes for hashing, never more than the size limit (+1) and never from a FIFO or device.

    Reading whole files here, before the checks, let a 20 GB file exhaust memory;
    an oversized or special file is reported by the article checks instead.
    """
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return b""
        with path.open("rb") as fh:
            return fh.read(max_bytes() + 1)
    except OSError:
        return b""


def _regular_within_limit(path: Path) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size <= max_bytes()


def _own_hash(path: Path) -> str:
    """A hash of an input file and of the files that belong to it (brat's .txt and .meta.yaml), each with
    its suffix and length, so that bytes moved from one of them to another are a change."""
    data = _read_capped(path)
    h = hashlib.sha256(len(data).to_bytes(8, "little"))
    h.update(data)
    for c in companion_files(path):
        data = _read_capped(c)
        h.update(b"\0" + c.name[len(path.stem):].encode("utf-8", "surrogateescape") + b"\0"
                 + len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _with_text(own: str, text: bytes | None) -> str:
    """The input hash: the file's own hash, and the bytes of the text file its article names (if any)."""
    if text is None:
        return own
    h = hashlib.sha256(own.encode("ascii") + b"\0text\0")
    h.update(text)
    return h.hexdigest()


_TEXT_SIG = "|text="
"""In a manifest signature, what follows the input's own stat: ``MTIME:SIZE=NAME`` of the text file the
article names (NAME as its ``text_file:`` gives it, relative to the article's folder)."""


def _file_sig(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return ""
    return f"{st.st_mtime_ns}:{st.st_size}"


def _text_of_sig(abs_path: str, stored: str) -> tuple[str, str] | None:
    """(recorded stat, path) of the text file in a manifest signature, None if it records none."""
    _, found, rest = stored.partition(_TEXT_SIG)
    if not found:
        return None
    sig, _, name = rest.partition("=")
    return sig, os.path.join(os.path.dirname(abs_path), name)


def _fingerprint(abs_path: str, stat_sig: str, own: str, art: Article) -> tuple[str, str]:
    """(signature, hash) of a loaded article's inputs: those of its file (``stat_sig``, ``own``) and, if its
    text came from ``text_file:``, the text file's stat and the text as loaded.

    The text file's stat is taken after the article was loaded; if its bytes now differ from the loaded
    text (it was edited meanwhile), the stat is recorded as "?" so the next build compares the content.
    """
    name = art.data.get("text_file")
    if "text" in art.data or not isinstance(name, str):
        return stat_sig, own
    loaded = art.text.encode("utf-8")
    text_file = os.path.join(os.path.dirname(abs_path), name)
    sig = _file_sig(text_file)
    if _read_capped(Path(text_file)) != loaded:
        sig = "?"
    return f"{stat_sig}{_TEXT_SIG}{sig}={name}", _with_text(own, loaded)
