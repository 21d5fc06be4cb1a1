"""Copying every graph between two stores (``tradekg push`` / ``pull``), manifest rows included."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import META_GRAPH, STORE_FORMAT, inferred_graph_of
from kg.sparql import insert_data
from kg.store.base import GraphStore, GraphUpdate
from kg.store.marker import mark_store_format, stored_format

REMOTE_BATCH_QUADS = 20_000  # quads per call of replace_graphs (and per progress step)


def _nquads_of(store: GraphStore, graph: str) -> str:
    quads = store.quads(graph)
    return (ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"").decode("utf-8")


@dataclass
class CopyReport:
    graphs: int = 0
    quads: int = 0
    dropped: list[str] | None = None
    default_quads: int = 0  # the default graph's (the knowledge graph, see kg.kg_graph)


def copy_default_graph(src: GraphStore, dst: GraphStore, batch_quads: int = REMOTE_BATCH_QUADS) -> int:
    """Replace the default graph of ``dst`` (the knowledge graph) by that of ``src``; the number of triples.

    The first update clears it and inserts the first ``batch_quads`` triples; on a server, each further
    batch is one more request. A source whose default graph is the union of its graphs has none of its own
    (its ``quads(None)`` is empty), and so neither has the copy.
    """
    text = (ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in src.quads(None)],
                         format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    lines = [line + "\n" for line in text.split("\n") if line]  # "\n" only: a literal may hold U+2028
    ops = ["CLEAR SILENT DEFAULT"]
    for i in range(0, len(lines), batch_quads):
        ops.append(insert_data([(None, "".join(lines[i:i + batch_quads]))]))
        dst.update(" ;\n".join(ops))
        ops = []
    if ops:
        dst.update(ops[0])
    return len(lines)


def copy_graphs(src: GraphStore, dst: GraphStore, prune: bool = False,
                progress: Callable[[int, int], None] | None = None, batch_quads: int = REMOTE_BATCH_QUADS) -> CopyReport:
    """Copy every named graph of ``src`` to ``dst`` (embedded or remote), with its manifest rows, and the
    default graph (the knowledge graph, replaced whole: see :func:`copy_default_graph`).

    An article graph and its ``/inferred`` graph travel together; each destination
    write replaces whole graphs, so readers of ``dst`` never see half an article.
    With ``prune``, graphs of ``dst`` that ``src`` lacks are dropped.
    """
    meta = str(META_GRAPH)
    graphs = [g for g in src.named_graphs() if g != meta]
    manifest = src.manifest()
    present = set(graphs)
    extras = {inferred_graph_of(g) for g in graphs} & present
    mains = [g for g in graphs if g not in extras]
    report = CopyReport()
    if dst.capabilities.background_writes:
        dst.pipeline = True  # read the next graphs while the server writes
    batch: list[GraphUpdate] = []
    size = 0
    for n, g in enumerate(mains, 1):
        text = _nquads_of(src, g)
        inferred = inferred_graph_of(g)
        extra = ((inferred, _nquads_of(src, inferred)),) if inferred in extras else ()
        rows = tuple(sorted(manifest.get(g, {}).items()))
        batch.append(GraphUpdate(g, text, extra, manifest=rows))
        q = text.count("\n") + sum(t.count("\n") for _, t in extra)
        size += q
        report.quads += q
        report.graphs += 1 + len(extra)
        if size >= batch_quads or n == len(mains):
            dst.replace_graphs(batch)
            batch, size = [], 0
            if progress:
                progress(n, len(mains))
    # manifest rows about graphs that are not themselves present (none in a TradeKG build, but keep them)
    orphans = [GraphUpdate(s, "", manifest=tuple(sorted(v.items()))) for s, v in manifest.items()
               if s not in present and s != meta]
    if orphans:
        dst.replace_graphs(orphans)
    if prune:
        keep = present | {meta}
        gone = [g for g in dst.named_graphs() if g not in keep]
        if gone:
            dst.drop_graphs(gone)
        report.dropped = gone
    report.default_quads = copy_default_graph(src, dst, batch_quads)
    if stored_format(src)[1] == STORE_FORMAT:
        mark_store_format(dst)  # the copy has the source's IRIs
    dst.flush()
    if dst.capabilities.background_writes:
        dst.pipeline = False
    return report
