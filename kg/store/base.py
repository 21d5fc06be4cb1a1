"""What every store offers: the :class:`GraphStore` interface and the :class:`Capabilities` it declares.

Modelled on rdflib's ``rdflib/store.py``: one interface, and flags saying what a
backend can do beyond it, so callers ask ``store.capabilities`` instead of
probing for attributes. The backends are :class:`kg.store.embedded.EmbeddedStore`
(an Oxigraph directory) and :class:`kg.store.sparql_protocol.RemoteStore` (a
SPARQL 1.1 server).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

import pyoxigraph as ox


@dataclass(frozen=True)
class GraphUpdate:
    """A named graph's full new content, with the manifest values that go with it."""

    graph: str
    nquads: str  # N-Quads lines of the graph (may be empty)
    extra_graphs: tuple[tuple[str, str], ...] = ()  # (graph, nquads) written in the same transaction
    manifest: tuple[tuple[str, str], ...] = ()  # (tdo property local name, value) about the graph in the meta graph


@dataclass(frozen=True)
class Capabilities:
    """What a store can do beyond the :class:`GraphStore` interface."""

    local_path: Path | None = None
    """The store's directory on this machine (a query can run in a child process on a read-only view
    of it, and a writer holds its lock); None for a server."""
    bulk_load: bool = False
    """Graphs that do not exist yet are written with one bulk load (much faster than SPARQL Update)."""
    manifest_cache: bool = False
    """:meth:`GraphStore.read_manifest_cache` and :meth:`GraphStore.remember_manifest` keep a copy of the
    build manifest beside the store; otherwise they return None and do nothing."""
    transactions: bool = False
    """Each call of ``replace_graphs``, ``drop_graphs``, ``update`` or ``load_rdf`` is one transaction
    (all or nothing); otherwise each request is, and a large call may take several."""
    compaction: bool = False
    """:meth:`GraphStore.optimize` compacts the store; otherwise it refuses."""
    background_writes: bool = False
    """Setting ``pipeline`` makes ``replace_graphs`` return at once while the write runs; the next
    request (or ``flush``) waits for it and raises its error."""
    fast_lookup: bool = False
    """:meth:`GraphStore.contains_graph` costs microseconds (no round trip to a server)."""
    kg_graph: str | None = None
    """Where the knowledge graph lives (:mod:`kg.kg_graph`): None is the store's default graph (Oxigraph,
    embedded or served). A server whose default graph is the union of all graphs (Virtuoso, Fuseki with
    unionDefaultGraph) would name a graph here (``tdg:kg``) and readers pass it as ``default-graph-uri``;
    only the default-graph case is implemented and tested."""


@runtime_checkable
class GraphStore(Protocol):
    """A TradeKG store: named graphs (one per article), with the build manifest in the meta graph."""

    capabilities: Capabilities
    read_only: bool
    pipeline: bool

    def describe(self) -> str:
        """Where the store is (its directory or its URL), for messages."""
        ...

    # ---- reading -------------------------------------------------------
    def query(self, sparql: str, substitutions: dict[str, Any] | None = None, union: bool = True) -> Any:
        """Run a read query; results are pyoxigraph's (solutions, boolean, or triples)."""
        ...

    def named_graphs(self) -> list[str]:
        ...

    def contains_graph(self, graph: str) -> bool:
        ...

    def quad_count(self, graph: str | None = None) -> int:
        ...

    def manifest(self) -> dict[str, dict[str, str]]:
        """Graph IRI -> {property local name: value} from the meta graph."""
        ...

    def quads(self, graph: str | None) -> Iterator[ox.Quad]:
        """The quads of one named graph, or of the default graph if ``graph`` is None."""
        ...

    def dump_nquads(self, out: IO[bytes]) -> None:
        ...

    def read_manifest_cache(self) -> object:
        ...

    def remember_manifest(self, rows: object) -> None:
        ...

    # ---- writing -------------------------------------------------------
    def replace_graphs(self, updates: list[GraphUpdate], kg: str = "", kg_data: str = "") -> None:
        """Replace each graph whole, with its extra graphs and its manifest row; add ``kg_data`` (N-Quads to
        add, such as the knowledge graph's new statements, :func:`kg.kg_graph.kg_additions`); then apply
        ``kg``, the SPARQL Update operations maintaining the knowledge graph (:func:`kg.kg_graph.kg_update`)."""
        ...

    def drop_graphs(self, graphs: list[str], with_extra: dict[str, list[str]] | None = None, kg: str = "") -> None:
        ...

    def update(self, sparql: str) -> None:
        ...

    def load_rdf(self, path: Path, fmt: ox.RdfFormat, to_graph: str | None = None) -> None:
        ...

    def optimize(self) -> None:
        ...

    def flush(self) -> None:
        """Make every write durable (and wait for a background write, raising its error)."""
        ...

    def settle(self) -> None:
        """Wait for a background write and forget its outcome (when an error is already on its way)."""
        ...

    def close(self) -> None:
        ...
