"""The write step: what a build puts in the store, one store transaction at a time.

Runs only after every changed article was checked. In order, each one ``replace_graphs`` or
``drop_graphs`` call: one transaction of an embedded store; on a SPARQL server, update requests of at
most ``max_update_bytes`` each (one server transaction per request, see
:meth:`kg.store.RemoteStore.replace_graphs`), written in the background while the next batch is read
from the spool if the build pipelines:

1. the ontology graph and the registry graph (with its entailments graph), those that changed, are
   missing from the store, or all if the build is forced; with their manifest rows;
2. the spooled articles in batches of about ``batch_quads`` quads (:func:`_write_batch`): each article's
   graph, its entailments graph (``<graph>/inferred``) and its manifest row, replacing the old ones
   (see :mod:`kg.build.prepare`); progress is reported after each batch;
3. the removals: graphs (and their entailments graphs) of articles gone from a corpus folder or whose
   file now holds another article id, with their manifest rows.

An embedded store writes a batch whole or not at all (a server, each request), so a failed or killed
build leaves whole articles, and the next build finishes the job. Then the manifest index, as it now is
in the store, is kept beside an embedded store (``manifest.cache``); a SPARQL server is asked for its quad
count instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from kg.article_rdf import entailments
from kg.build.corpus import Corpus
from kg.build.manifest import _Index
from kg.build.report import BuildReport
from kg.build.spool import _Spool
from kg.kg_graph import (
    CLEAR_PENDING,
    PENDING_NQUAD,
    SET_PENDING,
    Content,
    Touched,
    full_recompute,
    kg_additions,
    kg_pending,
    kg_update,
    parse_content,
    stored_content,
)
from kg.namespaces import (
    ONTOLOGY_FILE,
    ONTOLOGY_GRAPH,
    REGISTRY_GRAPH,
    REGISTRY_INFERRED_GRAPH,
    STORE_FORMAT,
    article_id_from_graph,
    inferred_graph_of,
)
from kg.ontology import Ontology
from kg.registry import Registry, registry_quads
from kg.store import GraphStore, GraphUpdate
from kg.store.marker import mark_new_store, mark_store_format, stored_format


def _ontology_nquads(onto: Ontology) -> str:
    nt = onto.graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    g = f" <{ONTOLOGY_GRAPH}> .\n"
    # lines end at "\n" only (a literal may hold U+2028 and others that str.splitlines breaks at)
    return "".join(line.rstrip()[:-1] + g for line in sorted(nt.split("\n")) if line.strip())


def _write(spool: _Spool, corpus: Corpus, onto: Ontology, reg: Registry, store: GraphStore, key: str,
           index: _Index,
           current_graphs: set[str], onto_hash: str, prune: bool, progress: Callable[[int, int], None] | None,
           batch_quads: int, n_articles: int, report: BuildReport, present: Callable[[str], bool],
           force: bool = False) -> BuildReport:
    """Write the checked corpus: ontology and registry if they changed (or are missing from the store, or
    ``force``), the spooled articles, removals."""
    # ---- the store format: kg.build.run refused an older store unless forced; a forced build rewrites every
    # graph and then recomputes the knowledge graph from all of them ----
    held, value = stored_format(store)
    legacy = held and value != STORE_FORMAT
    repair = held and kg_pending(store)  # a build died between source graphs and their knowledge graph
    pending = _Pending(store)

    # ---- write: ontology, registry, then articles in batches -------------
    mark_new_store(store)  # an upgrade (--force over an older store) is marked at the end, when it is complete
    updates: list[GraphUpdate] = []
    old_reg: list[Content] = []
    new_reg: list[Content] = []
    if (force or index.others.get(str(ONTOLOGY_GRAPH), {}).get("sourceHash") != onto_hash
            or not present(str(ONTOLOGY_GRAPH))):
        updates.append(GraphUpdate(str(ONTOLOGY_GRAPH), _ontology_nquads(onto),
                                   manifest=(("sourceHash", onto_hash), ("sourceFile", str(ONTOLOGY_FILE)))))
    if (force or index.others.get(str(REGISTRY_GRAPH), {}).get("sourceHash") != key
            or not present(str(REGISTRY_GRAPH))):
        rq = registry_quads(reg, onto)
        inferred = entailments(rq, str(REGISTRY_INFERRED_GRAPH), onto)
        if present(str(REGISTRY_GRAPH)):
            old_reg.append(stored_content(store, str(REGISTRY_GRAPH)))
        new_reg.append(parse_content(str(REGISTRY_GRAPH), rq.text(), inferred.text()))
        updates.append(GraphUpdate(str(REGISTRY_GRAPH), rq.text(), ((str(REGISTRY_INFERRED_GRAPH), inferred.text()),),
                                   manifest=(("sourceHash", key), ("sourceFile", str(corpus.registry.resolve())))))
    if updates:
        _replace(store, updates, old_reg, new_reg, not any(present(u.graph) for u in updates), pending)
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
            _write_batch(store, batch, batch_size, report, progress, n_articles, present, pending)
            batch, batch_size = [], 0
    if batch:
        _write_batch(store, batch, batch_size, report, progress, n_articles, present, pending)

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
        gone = kg_update([stored_content(store, g) for g in stale], [])
        pending.before(gone)
        store.drop_graphs(stale, {g: [inferred_graph_of(g)] for g in stale}, kg=gone)
        report.removed = [article_id_from_graph(g) or g for g in stale]
        index.remove(set(stale))
    if legacy or repair:
        full_recompute(store)  # also records the store format and removes the pending marker
    elif pending.recorded:
        store.update(" ;\n".join(op for op in (pending.touched.update(), CLEAR_PENDING) if op))
    mark_store_format(store)  # before the manifest copy: a write forgets it
    if store.capabilities.manifest_cache:
        store.remember_manifest(index.to_cache())  # the manifest as it now is in the store, saved beside it after the flush
    else:
        report.total_quads = store.quad_count()
    return report


class _Pending:
    """The pending marker (:data:`kg.kg_graph.SET_PENDING`): recorded while source graphs are in the store
    whose knowledge-graph update is not complete, removed after the build's last write; a build that finds
    it recomputes the knowledge graph (:func:`kg.kg_graph.full_recompute`). Two writes set it:

    * on a store without transactions (a SPARQL server), the first write whose graphs and knowledge-graph
      update are separate requests;
    * a bulk load of new graphs (:func:`_replace`) carries it, and ``touched`` collects the resources whose
      counts and derived facts the build recomputes at its end, once.
    """

    def __init__(self, store: GraphStore):
        self.store = store
        self.recorded = False
        self.touched = Touched()

    def before(self, kg: str) -> None:
        """Called before a write whose knowledge-graph update ``kg`` may be a request of its own."""
        if kg and not self.recorded and not self.store.capabilities.transactions:
            self.store.update(SET_PENDING)
            self.recorded = True


def _write_batch(store: GraphStore, batch: list[GraphUpdate], quads: int, report: BuildReport,
                 progress: Callable[[int, int], None] | None, total: int, present: Callable[[str], bool],
                 pending: _Pending) -> None:
    """Write one batch of article graphs (whole or not at all) with the knowledge graph's change, and report
    progress."""
    new = [parse_content(u.graph, u.nquads, "".join(text for _, text in u.extra_graphs)) for u in batch]
    old = [stored_content(store, u.graph) for u in batch if present(u.graph)]
    _replace(store, batch, old, new, not old, pending)
    report.quads_written += quads
    if progress:
        progress(len(report.built), total)


def _replace(store: GraphStore, updates: list[GraphUpdate], old: list[Content], new: list[Content], fresh: bool,
             pending: _Pending) -> None:
    """Replace the source graphs of ``updates`` (whose KG content was ``old`` and is ``new``) and bring the
    knowledge graph up to date.

    Graphs new to a store that bulk-loads (the first build of a corpus, new articles: ``fresh``) are one
    bulk load with the knowledge graph's new statements and the pending marker; the counts and derived
    facts they touch are recomputed once at the end of the build, which removes the marker. (A SPARQL
    update of the same quads is several times slower: 2,000 synthetic articles 16 s -> 94 s.) A build
    killed in between leaves the marker, and the next build recomputes the knowledge graph. Otherwise one
    :meth:`~kg.store.GraphStore.replace_graphs` with :func:`kg.kg_graph.kg_update`."""
    if fresh and store.capabilities.bulk_load:
        store.replace_graphs(updates, kg_data=kg_additions(new, pending.touched) + PENDING_NQUAD)
        pending.recorded = True
        return
    kg = kg_update(old, new)
    pending.before(kg)
    store.replace_graphs(updates, kg=kg)
