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
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kg import __version__
from kg.annotations import load_inputs
from kg.build.changes import _changes, _graph_presence
from kg.build.corpus import Corpus, discover
from kg.build.manifest import _load_index
from kg.build.prepare import _prepare
from kg.build.report import BuildReport
from kg.build.signature import _fingerprint, _regular_within_limit
from kg.build.spool import _Spool, _store_dir
from kg.build.write import _write
from kg.errors import InputError, Problem, StoreError
from kg.namespaces import ONTOLOGY_FILE, article_graph
from kg.ontology import Ontology, load_ontology
from kg.regcache import load_registry_cached
from kg.registry import Registry, load_registry
from kg.source import max_bytes
from kg.store import GraphStore, StoreSpec, writing
from kg.store.marker import check_store_format

BATCH_QUADS = 100_000
OPTIMIZE_MIN_QUADS = 1_000_000  # a build writing this many quads compacts the store after (optimize=None)
BUILD_FORMAT = "2"  # bump when the mapping (or the manifest's signatures, 2: text files) changes so every graph is rebuilt


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
    if getattr(store, "union_mode", None) == "server":
        # its default graph is the union of the others: the knowledge graph's upkeep would read every article
        # graph as one bag of statements, each fact once per article (28 articles: over 10 minutes)
        raise StoreError(f"{store.describe()}: the server's default graph is the union of all graphs, so it cannot "
                         "hold TradeKG's knowledge graph (a knowledge graph in a named graph is not supported yet); "
                         "build into an embedded store and copy it with: tradekg push --store DIR --endpoint URL")
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
