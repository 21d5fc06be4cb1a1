"""Change detection: which inputs to build, comparing each with its manifest row and the store's graphs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kg.build.corpus import Corpus
from kg.build.manifest import _Index
from kg.build.report import BuildReport
from kg.build.signature import _TEXT_SIG, _file_sig, _own_hash, _read_capped, _text_of_sig, _with_text
from kg.store import GraphStore


def _graph_presence(store: GraphStore) -> Callable[[str], bool]:
    """Whether the store has a named graph: one lookup per graph asked about in an embedded store (about
    2.5 microseconds); a SPARQL server's graphs are listed with one query, when first asked."""
    if store.capabilities.fast_lookup:
        # a method of the store object, not of the raw database: an InputError's traceback keeps this alive,
        # and a closure holding the raw ox.Store kept the store locked in this process after close()
        return store.contains_graph
    listed: set[str] = set()
    asked = False

    def present(g: str) -> bool:
        nonlocal asked
        if not asked:
            listed.update(store.named_graphs())
            asked = True
        return g in listed

    return present


def _changes(corpus: Corpus, index: _Index, key: str, report: BuildReport, present: Callable[[str], bool],
             force: bool = False) -> tuple[list[tuple[Path, str, str, str]], dict[str, str], set[str]]:
    """The inputs to build (path, resolved path, own hash, stat), the article graphs seen (graph -> file)
    and the graphs of unchanged inputs; counts the unchanged ones in ``report``.

    An input is unchanged if its manifest row has this build's key and either the same stat signature
    (its own and its text file's) or, failing that, the same hash of its bytes and its text file's; and
    its graph is still in the store. With ``force`` nothing is unchanged.
    """
    to_build: list[tuple[Path, str, str, str]] = []
    seen_graphs: dict[str, str] = {}  # article graph -> the file that has it (article ids are unique)
    current_graphs: set[str] = set()
    files = index.files
    for entry in corpus.entries:
        rec = None if force else files.get(entry.abs_path)
        own = ""
        if rec is not None and rec[3] == key:
            stored = rec[1]
            same = stored == entry.stat
            if not same:
                text = _text_of_sig(entry.abs_path, stored)
                same = (text is not None and stored.startswith(entry.stat + _TEXT_SIG)
                        and _file_sig(text[1]) == text[0])
                if not same:  # touched: compare the content
                    own = _own_hash(Path(entry.path))
                    same = rec[2] == _with_text(own, _read_capped(Path(text[1])) if text is not None else None)
            if same and present(rec[0]):
                current_graphs.add(rec[0])
                seen_graphs[rec[0]] = entry.path
                report.unchanged += 1
                continue
        path = Path(entry.path)
        to_build.append((path, entry.abs_path, own or _own_hash(path), entry.stat))
    return to_build, seen_graphs, current_graphs
