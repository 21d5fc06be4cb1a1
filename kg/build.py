"""Building the store from a corpus of annotated articles.

All articles are checked before anything is written; a single invalid article
stops the build with every problem listed and the store untouched. Unchanged
articles are skipped, changed ones are replaced graph by graph, and articles
gone from a corpus folder are removed.

An article is unchanged when every file it reads is: the article file, and the
text file it names (``text_file:``), or for brat the ``.ann`` with its ``.txt``
and ``.meta.yaml``. The manifest records their stat signature (a text file's
with the name the parsed article gives it) and a hash of their bytes; a
differing stat makes the build compare the hash, and a differing hash rebuilds.
An unchanged article whose graph is missing from the store (dropped behind the
build's back) is rebuilt too; ``force`` rebuilds every article.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from kg import __version__
from kg.annotations import ANNOTATION_SUFFIXES, SIDECAR_SUFFIXES, companion_files, load_inputs
from kg.article_rdf import article_quads, entailments
from kg.articles import ARTICLE_SUFFIXES, Article
from kg.errors import InputError, Problem, StoreError
from kg.namespaces import (
    ONTOLOGY_FILE,
    ONTOLOGY_GRAPH,
    REGISTRY_GRAPH,
    REGISTRY_INFERRED_GRAPH,
    article_graph,
    article_id_from_graph,
    article_inferred_graph,
    inferred_graph_of,
)
from kg.ontology import Ontology, load_ontology
from kg.regcache import CACHE_NAME, load_registry_cached
from kg.registry import Registry, load_registry, registry_quads
from kg.source import max_bytes
from kg.store import LOCK_NAME, MANIFEST_CACHE, GraphStore, GraphUpdate, StoreSpec, writing
from kg.store.marker import check_store_format, mark_new_store, mark_store_format

REGISTRY_NAMES = ("registry.yaml", "registry.yml", "registry.json")
BATCH_QUADS = 100_000
OPTIMIZE_MIN_QUADS = 1_000_000  # a build writing this many quads compacts the store after (optimize=None)
BUILD_FORMAT = "2"  # bump when the mapping (or the manifest's signatures, 2: text files) changes so every graph is rebuilt


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


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    quads_written: int = 0
    total_quads: int | None = None  # counted by SPARQL endpoints; an embedded store would need a full scan
    optimize_seconds: float | None = None  # the store was compacted after writing, in this many seconds

    def summary(self) -> str:
        total = f", {self.total_quads} in the store" if self.total_quads is not None else ""
        compacted = f"; store compacted in {self.optimize_seconds:.1f} s" if self.optimize_seconds is not None else ""
        return (f"{len(self.built)} article graph(s) written, {self.unchanged} unchanged, "
                f"{len(self.removed)} removed; {self.quads_written} quads written{total}{compacted}")


_INPUT_SUFFIXES = ARTICLE_SUFFIXES + ANNOTATION_SUFFIXES


def _signature(path: str, st: os.stat_result | None) -> str:
    """The stat signature of an input file and of the files that belong to it (brat's .txt, .meta.yaml)."""
    sig = f"{st.st_mtime_ns}:{st.st_size}" if st is not None else ""
    if not path.endswith(ANNOTATION_SUFFIXES):
        return sig
    return ";".join([sig, *(_stat_sig(c) for c in companion_files(Path(path)))])


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


def _ontology_nquads(onto: Ontology) -> str:
    nt = onto.graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    g = f" <{ONTOLOGY_GRAPH}> .\n"
    return "".join(line[:-2] + g for line in sorted(nt.splitlines(keepends=True)) if line.strip())


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a build lists its inputs and compares them with the
    manifest: that makes two small tuples per article and no cycles, and the collector's passes over
    them took about 0.1 s of a one-article rebuild at 100,000 articles. Mapping articles runs with it on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build(paths: list[Path], store_path: Path, registry: Path | None = None, prune: bool = True,
          wait: bool = False, progress: Callable[[int, int], None] | None = None,
          optimize: bool | None = False, force: bool = False) -> BuildReport:
    """Build the articles under ``paths`` into the embedded store at ``store_path`` (see the module docstring).

    ``optimize``: compact the store after writing (True), never (False, the default here), or when this
    build wrote at least :data:`OPTIMIZE_MIN_QUADS` quads (None, what ``tradekg build`` does).
    ``force``: rebuild every article (and the ontology and registry graphs) whatever the manifest says.
    """
    max_bytes()  # a malformed TRADEKG_MAX_ARTICLE_BYTES is an error even when no file needs reading
    with _collector_paused():
        corpus = discover(paths, registry, store_path)
    onto = load_ontology()
    if _regular_within_limit(corpus.registry):
        with _collector_paused():
            reg = load_registry_cached(corpus.registry, onto, store_path)  # parsed once per registry version
    else:  # the cache would read it whole to hash it; the loader refuses it with a clear message
        reg = load_registry(corpus.registry, onto)
    # the session flushes and closes the store, also after an error (an InputError's traceback kept the
    # store open and locked in this process)
    with writing(store_path, wait=wait) as store:
        report = _build(corpus, onto, reg, store, prune, progress, force=force)
        if optimize or (optimize is None and report.quads_written >= OPTIMIZE_MIN_QUADS):
            t = time.perf_counter()
            store.optimize()
            report.optimize_seconds = time.perf_counter() - t
        return report


REMOTE_BATCH_QUADS = 20_000  # quads per batch written to a SPARQL server (per progress step)


def build_to_endpoint(paths: list[Path], spec: StoreSpec | GraphStore, registry: Path | None = None,
                      prune: bool = True, progress: Callable[[int, int], None] | None = None,
                      batch_quads: int = REMOTE_BATCH_QUADS, pipeline: bool = True,
                      force: bool = False) -> BuildReport:
    """Check the articles and write them to a SPARQL server; returns a :class:`BuildReport`.

    ``spec`` is a :class:`kg.store.StoreSpec` with an endpoint, or an open server store
    (:class:`kg.store.RemoteStore`). Like the embedded build: everything is checked first,
    unchanged articles are skipped (the manifest lives in the server's
    ``tdg:meta`` graph), so re-running after a failure finishes the job.
    With ``pipeline`` (and a store that can write in the background), each batch is written
    while the next one is mapped.
    """
    if isinstance(spec, StoreSpec) and spec.endpoint is None:
        raise StoreError(f"{spec.describe()}: not a SPARQL endpoint; use kg.build.build for a store directory")
    corpus = discover(paths, registry)
    onto = load_ontology()
    reg = load_registry(corpus.registry, onto)
    if isinstance(spec, StoreSpec):
        with writing(spec) as store:
            return _build_to_server(corpus, onto, reg, store, prune, progress, batch_quads, pipeline, force)
    return _build_to_server(corpus, onto, reg, spec, prune, progress, batch_quads, pipeline, force)


def _build_to_server(corpus: Corpus, onto: Ontology, reg: Registry, store: GraphStore, prune: bool,
                     progress: Callable[[int, int], None] | None, batch_quads: int, pipeline: bool,
                     force: bool) -> BuildReport:
    if store.capabilities.local_path is not None:
        raise StoreError(f"{store.describe()}: not a SPARQL endpoint; use kg.build.build for a store directory")
    before = store.pipeline
    store.pipeline = pipeline and store.capabilities.background_writes
    try:
        report = _build(corpus, onto, reg, store, prune, progress, batch_quads=batch_quads, force=force)
        store.flush()
        return report
    except BaseException:
        store.settle()
        raise
    finally:
        store.pipeline = before


_ARTICLE_ROW = ("sourceFile", "sourceStat", "sourceHash", "buildKey")


class _Index:
    """The build manifest as a build uses it: article rows by source file, other rows by graph.

    ``files`` maps a source key (the article file's resolved path) to (graph, stat, hash, build key);
    ``others`` holds every other row as {property: value} (the ontology's, the registry's, and article
    rows that share a source key). This is also the form of the copy beside an embedded store: 100,000
    tuples load in a fraction of the time of 100,000 dicts.
    """

    def __init__(self, files: dict[str, tuple[str, str, str, str]], others: dict[str, dict[str, str]]):
        self.files = files
        self.others = others
        self._by_graph: dict[str, str] | None = None  # graph -> source key, made when first needed

    @classmethod
    def from_rows(cls, rows: dict[str, dict[str, str]]) -> _Index:
        files: dict[str, tuple[str, str, str, str]] = {}
        others: dict[str, dict[str, str]] = {}
        for g, row in rows.items():
            src = row.get("sourceFile")
            if src and set(row) == set(_ARTICLE_ROW) and src not in files and article_id_from_graph(g) is not None:
                files[src] = (g, row["sourceStat"], row["sourceHash"], row["buildKey"])
            else:
                others[g] = row
        return cls(files, others)

    @classmethod
    def from_cache(cls, data: object) -> _Index | None:
        """The index from the store's copy, or None if it is not one (another version wrote it)."""
        if (isinstance(data, tuple) and len(data) == 3 and data[0] == "tradekg-manifest/1"
                and isinstance(data[1], dict) and isinstance(data[2], dict)):
            return cls(data[1], data[2])
        return None

    def to_cache(self) -> tuple[str, dict[str, tuple[str, str, str, str]], dict[str, dict[str, str]]]:
        return ("tradekg-manifest/1", self.files, self.others)

    def rows(self) -> dict[str, dict[str, str]]:
        """The manifest as :meth:`kg.store.EmbeddedStore.manifest` gives it (graph -> {property: value})."""
        out = {g: dict(row) for g, row in self.others.items()}
        for src, (g, st, digest, key) in self.files.items():
            out[g] = dict(zip(_ARTICLE_ROW, (src, st, digest, key), strict=True))
        return out

    def record(self, update: GraphUpdate) -> None:
        """The row a written graph update put in the manifest (replacing the graph's old row)."""
        if self._by_graph is None:
            self._by_graph = {rec[0]: src for src, rec in self.files.items()}
        moved = self._by_graph.pop(update.graph, None)
        if moved is not None:
            del self.files[moved]
        self.others.pop(update.graph, None)
        row = dict(update.manifest)
        src = row.get("sourceFile")
        if src and set(row) == set(_ARTICLE_ROW):
            old = self.files.get(src)
            if old is not None:  # the file held another article id: keep its row until it is pruned
                self.others[old[0]] = dict(zip(_ARTICLE_ROW, (src, *old[1:]), strict=True))
                del self._by_graph[old[0]]
            self.files[src] = (update.graph, row["sourceStat"], row["sourceHash"], row["buildKey"])
            self._by_graph[update.graph] = src
        else:
            self.others[update.graph] = row

    def remove(self, graphs: set[str]) -> None:
        for g in graphs:
            self.others.pop(g, None)
        for src in [src for src, rec in self.files.items() if rec[0] in graphs]:
            del self.files[src]
        self._by_graph = None

    def sources(self) -> Iterator[tuple[str, str]]:
        """(graph, source file) of every row that has one."""
        for src, rec in self.files.items():
            yield rec[0], src
        for g, row in self.others.items():
            if row.get("sourceFile"):
                yield g, row["sourceFile"]


def _load_index(store: GraphStore) -> _Index:
    """The manifest index: from the copy beside an embedded store if it is there, else read from the store.

    Reading the manifest graph decodes four quads per article (seconds at 100,000 articles).
    """
    if store.capabilities.manifest_cache:
        index = _Index.from_cache(store.read_manifest_cache())
        if index is not None:
            return index
    return _Index.from_rows(store.manifest())


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


def _build(corpus: Corpus, onto: Ontology, reg: Registry, store: GraphStore, prune: bool,
           progress: Callable[[int, int], None] | None, batch_quads: int | None = None,
           force: bool = False) -> BuildReport:
    report = BuildReport()
    batch_quads = batch_quads or BATCH_QUADS
    if not force:
        check_store_format(store)  # --force is the upgrade: it rewrites every graph
    with _collector_paused():
        index = _load_index(store)
    onto_text = ONTOLOGY_FILE.read_bytes()
    onto_hash = hashlib.sha256(onto_text).hexdigest()
    key = hashlib.sha256(f"{BUILD_FORMAT}|{__version__}|{onto_hash}|{reg.digest}".encode()).hexdigest()

    # ---- find what changed, then check it all before writing anything ----
    present = _graph_presence(store)
    with _collector_paused():
        to_build, seen_graphs, current_graphs = _changes(corpus, index, key, report, present, force)
    problems: list[Problem] = []
    # Check every changed article; while none has failed, map each one to its graphs at once and spool
    # the result to an anonymous temporary file, so the write pass neither holds the corpus in memory
    # nor parses it a second time (a killed build leaves no spool behind).
    spool = _Spool(_store_dir(store))
    try:
        n_articles = 0
        for path, abs_path, own, stat_sig in to_build:
            display = str(path)
            try:
                loaded = load_inputs(path, onto, reg, display)  # TradeKG articles, brat .ann, Label Studio exports
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            for art, source_key in loaded:
                other = seen_graphs.get(article_graph(art.id))
                if other is not None and other != display:
                    problems.append(Problem(display, f"article id {art.id!r} is already used by {other}; "
                                                     "expected each article to have its own id"))
                    continue
                seen_graphs[article_graph(art.id)] = display
                n_articles += 1
                if not problems:
                    sig, digest = _fingerprint(abs_path, stat_sig, own, art)
                    spool.add(_prepare(art, source_key, digest, sig, key, corpus, onto, reg))
        if problems:
            raise InputError(problems)
        return _write(spool, corpus, onto, reg, store, key, index, current_graphs,
                      onto_hash, prune, progress, batch_quads, n_articles, report, present, force)
    finally:
        spool.close()


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


def _write(spool: _Spool, corpus: Corpus, onto: Ontology, reg: Registry, store: GraphStore, key: str,
           index: _Index,
           current_graphs: set[str], onto_hash: str, prune: bool, progress: Callable[[int, int], None] | None,
           batch_quads: int, n_articles: int, report: BuildReport, present: Callable[[str], bool],
           force: bool = False) -> BuildReport:
    """Write the checked corpus: ontology and registry if they changed (or are missing from the store, or
    ``force``), the spooled articles, removals."""
    # ---- write: ontology, registry, then articles in batches -------------
    mark_new_store(store)  # an upgrade (--force over an older store) is marked at the end, when it is complete
    updates: list[GraphUpdate] = []
    if (force or index.others.get(str(ONTOLOGY_GRAPH), {}).get("sourceHash") != onto_hash
            or not present(str(ONTOLOGY_GRAPH))):
        updates.append(GraphUpdate(str(ONTOLOGY_GRAPH), _ontology_nquads(onto),
                                   manifest=(("sourceHash", onto_hash), ("sourceFile", str(ONTOLOGY_FILE)))))
    if (force or index.others.get(str(REGISTRY_GRAPH), {}).get("sourceHash") != key
            or not present(str(REGISTRY_GRAPH))):
        rq = registry_quads(reg, onto)
        inferred = entailments(rq, str(REGISTRY_INFERRED_GRAPH), onto)
        updates.append(GraphUpdate(str(REGISTRY_GRAPH), rq.text(), ((str(REGISTRY_INFERRED_GRAPH), inferred.text()),),
                                   manifest=(("sourceHash", key), ("sourceFile", str(corpus.registry.resolve())))))
    if updates:
        store.replace_graphs(updates)
        for u in updates:
            index.record(u)
        report.quads_written += sum(u.nquads.count("\n") + sum(t.count("\n") for _, t in u.extra_graphs) for u in updates)

    stale: list[str] = []
    batch: list[GraphUpdate] = []
    batch_size = 0
    for prep in spool.read():
        old = index.files.get(prep.source_key)
        if old is not None and old[0] != prep.update.graph:
            stale.append(old[0])  # the file now holds another article id
        current_graphs.add(prep.update.graph)
        batch.append(prep.update)
        index.record(prep.update)
        batch_size += prep.quads
        report.built.append(prep.article_id)
        if batch_size >= batch_quads:
            _write_batch(store, batch, batch_size, report, progress, n_articles)
            batch, batch_size = [], 0
    if batch:
        _write_batch(store, batch, batch_size, report, progress, n_articles)

    # ---- remove graphs whose article left the corpus ---------------------
    if prune:
        folders = [str(f) + os.sep for f in corpus.folders]
        listed = {e.abs_path for e in corpus.entries}
        for g, src in index.sources():
            if g in current_graphs or article_id_from_graph(g) is None:
                continue
            if src not in listed and any(src.startswith(f) for f in folders):
                stale.append(g)
    stale = sorted(set(stale) - current_graphs)
    if stale:
        store.drop_graphs(stale, {g: [inferred_graph_of(g)] for g in stale})
        report.removed = [article_id_from_graph(g) or g for g in stale]
        index.remove(set(stale))
    mark_store_format(store)  # before the manifest copy: a write forgets it
    if store.capabilities.manifest_cache:
        store.remember_manifest(index.to_cache())  # the manifest as it now is in the store, saved beside it after the flush
    else:
        report.total_quads = store.quad_count()
    return report


def _write_batch(store: GraphStore, batch: list[GraphUpdate], quads: int, report: BuildReport,
                 progress: Callable[[int, int], None] | None, total: int) -> None:
    """Write one batch of article graphs (whole or not at all) and report progress."""
    store.replace_graphs(batch)
    report.quads_written += quads
    if progress:
        progress(len(report.built), total)


def _store_dir(store: GraphStore) -> Path | None:
    """The embedded store's directory (for the build's temporary spool; None for a SPARQL endpoint)."""
    return store.capabilities.local_path


@dataclass(frozen=True)
class _Prepared:
    """One checked article, mapped: its graph update (graph, entailments, manifest row) and quad count."""

    article_id: str
    source_key: str
    update: GraphUpdate
    quads: int


def _prepare(art: Article, source_key: str, digest: str, sig: str, key: str, corpus: Corpus, onto: Ontology,
             reg: Registry) -> _Prepared:
    w, inferred = article_quads(art, onto, reg, _corpus_relative(source_key, corpus.folders))
    update = GraphUpdate(article_graph(art.id), w.text(), ((article_inferred_graph(art.id), inferred.text()),),
                         manifest=(("sourceFile", source_key), ("sourceHash", digest), ("sourceStat", sig),
                                   ("buildKey", key)))
    return _Prepared(art.id, source_key, update, len(w) + len(inferred))


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
