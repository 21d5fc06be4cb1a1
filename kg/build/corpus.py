"""Finding a corpus: the input files under the given paths (with their stat signatures) and the registry.

Folders are searched recursively in name order; hidden folders, symlinked folders and store folders (a
TradeKG or Oxigraph store directory, and the store being built) are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from kg.annotations import ANNOTATION_SUFFIXES, SIDECAR_SUFFIXES
from kg.articles import ARTICLE_SUFFIXES
from kg.build.signature import _signature
from kg.errors import InputError, Problem
from kg.regcache import CACHE_NAME
from kg.store import LOCK_NAME, MANIFEST_CACHE

REGISTRY_NAMES = ("registry.yaml", "registry.yml", "registry.json")


class Entry(NamedTuple):
    """One input file found by :func:`discover`, as strings (a 100,000-article rebuild makes no Path objects)."""

    path: str  # as found (relative if the folder was given relative)
    abs_path: str  # resolved; the key of the build manifest
    stat: str  # "mtime_ns:size" of the file (and, for brat, of its companions), "" if it cannot be read


@dataclass
class Corpus:
    registry: Path
    entries: list[Entry]
    folders: list[Path]

    @property
    def files(self) -> list[Path]:
        return [Path(e.path) for e in self.entries]


_INPUT_SUFFIXES = ARTICLE_SUFFIXES + ANNOTATION_SUFFIXES


_STORE_FILES = frozenset({LOCK_NAME, MANIFEST_CACHE, CACHE_NAME})  # what TradeKG keeps in a store directory


def _is_store(names: set[str]) -> bool:
    """Whether a folder holding these file names is a store: TradeKG's files, or RocksDB's (Oxigraph's) pair
    CURRENT + IDENTITY. Its JSON registry cache is not an article, nor anything else kept there."""
    return not names.isdisjoint(_STORE_FILES) or ("CURRENT" in names and "IDENTITY" in names)


def _scan(folder: str, real: str, out: list[Entry], skip: str | None = None) -> None:
    """Input files under ``folder`` (resolved: ``real``) in name order, like ``os.walk`` (symlinked folders
    are not followed; hidden folders, store folders and the folder ``skip`` are skipped), with their stat
    from the directory scan.

    Written for speed: 100,000 files in about half a second here, most of it the stat calls.
    """
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=attrgetter("name"))
    except OSError as exc:
        raise InputError([Problem(folder, f"cannot list this folder ({exc.strerror or exc}); "
                                          "expected a readable folder of articles")]) from exc
    if _is_store({e.name for e in entries}):
        return
    subdirs = []
    append = out.append
    prefix = real + os.sep
    for e in entries:
        name = e.name
        if name[0] == ".":  # hidden files and folders
            continue
        try:
            is_dir = e.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if not e.is_symlink() and prefix + name != skip:
                subdirs.append(e)
            continue
        if not name.endswith(_INPUT_SUFFIXES) or name.endswith(SIDECAR_SUFFIXES) or name in REGISTRY_NAMES:
            continue
        try:
            st = e.stat()
        except OSError:  # a dangling symlink: the article checks report it
            sig = _signature(e.path, None)
        else:  # _signature, inlined for the common case (a rebuild scans every file)
            sig = (_signature(e.path, st) if name.endswith(ANNOTATION_SUFFIXES)
                   else f"{st.st_mtime_ns}:{st.st_size}")
        path = e.path
        append(Entry(path, os.path.realpath(path) if e.is_symlink() else prefix + name, sig))
    for d in subdirs:
        _scan(d.path, prefix + d.name, out, skip)


def discover(paths: Iterable[Path], registry: Path | None = None, store: Path | None = None) -> Corpus:
    """Article files under the given paths (folders are searched recursively) and the registry.

    Store folders are not searched (see :func:`_is_store`), nor ``store`` (the one being built) if given.
    """
    skip = os.path.realpath(store) if store is not None else None
    entries: list[Entry] = []
    folders: list[Path] = []
    problems: list[Problem] = []
    for p in paths:
        if p.is_dir():
            real = p.resolve()
            folders.append(real)
            _scan(str(p), str(real), entries, skip)
        elif p.is_file():
            if p.name not in REGISTRY_NAMES:
                try:
                    st: os.stat_result | None = p.stat()
                except OSError:
                    st = None
                entries.append(Entry(str(p), str(p.resolve()), _signature(str(p), st)))
        else:
            problems.append(Problem(str(p), "no such file or folder; expected an article file or a corpus folder"))
    if registry is None:
        candidates = [d / n for d in [*folders, *(Path(e.path).parent for e in entries)] for n in REGISTRY_NAMES]
        registry = next((c for c in candidates if c.is_file()), None)
        if registry is None and not problems:
            problems.append(Problem(str(next(iter(paths), ".")), "no registry.yaml found beside the articles; "
                                    "expected one, or pass --registry FILE"))
    if problems:
        raise InputError(problems)
    assert registry is not None
    return Corpus(registry, entries, folders)


def _corpus_relative(abs_path: str, folders: list[Path]) -> str:
    """The article's path relative to the corpus folder it was found in (its file name if given alone).

    Stored as ``tdo:sourceFile`` in the article's graph, so exports do not depend on where the
    corpus was checked out; the build manifest keeps the absolute path.
    """
    for folder in sorted(folders, key=lambda f: -len(str(f))):
        prefix = str(folder) + os.sep
        if abs_path.startswith(prefix):
            return abs_path[len(prefix):]
    return os.path.basename(abs_path)
