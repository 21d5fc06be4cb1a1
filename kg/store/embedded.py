"""The embedded store: an on-disk Oxigraph store with one named graph per article.

Writes are SPARQL updates, which Oxigraph applies as one transaction each, so
an article's graph, its entailments and its manifest row change together or
not at all. A lock file keeps a second writer out (see :mod:`kg.store.session`).
"""

from __future__ import annotations

import marshal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from pyoxigraph import Quad, RdfFormat  # for annotations: in the class body, `ox` is its property

from kg import nquads as nq
from kg.errors import StoreError, StoreLockedError
from kg.fileio import replacing
from kg.namespaces import META_GRAPH, PREFIXES, TDO
from kg.sparql import bind_terms, drop_graphs_update, insert_nquads, replace_graph_update
from kg.store.base import Capabilities, GraphUpdate
from kg.store.marker import check_store_format

MANIFEST_CACHE = "manifest.cache"
"""A copy of the build manifest beside the store, written by a build after its last write and removed
before any write, so a rebuild of a large corpus does not decode the whole manifest graph."""
BULK_ATOMIC_MAX = 900_000
"""Fresh graphs under this many quads are written with one bulk load, which Oxigraph ingests atomically
(its bulk loader makes one set of files per 1,000,000 quads); larger writes use a transaction."""


def _open_read_only(path: Path, attempts: int = 5) -> ox.Store:
    """Open read-only; retry briefly when a concurrent writer removed a file the open was reading.

    RocksDB's read-only open lists the store's files and then opens them; a build compacting at that
    moment can delete one in between ("No such file or directory"). A fresh open sees the new list.
    """
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            if attempt == attempts - 1 or "no such file" not in str(exc).lower():
                raise
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


class EmbeddedStore:
    """An Oxigraph store in a directory. Open with :func:`open_store`."""

    kind = "embedded"
    pipeline = False  # writes are never in the background (capabilities.background_writes is False)

    def __init__(self, path: Path, read_only: bool = False):
        self.path = path
        self.read_only = read_only
        self.capabilities = Capabilities(local_path=path, bulk_load=True, manifest_cache=True, transactions=True,
                                         compaction=True, fast_lookup=True)
        self._cache_removed = False  # the manifest cache is gone for this session's writes
        self._pending_cache: object = None
        try:
            if read_only:
                if not (path / "CURRENT").exists():
                    raise StoreError(f"{path}: no TradeKG store here; build one with: tradekg build ARTICLES --store {path}")
                self._store = _open_read_only(path)
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as exc:
            msg = str(exc)
            if "lock" in msg.lower():
                raise StoreLockedError(f"{path}: the store is open for writing in another process ({msg}); "
                                       "wait for it to finish or stop it") from exc
            raise StoreError(f"{path}: cannot open the store: {msg}") from exc
        except RuntimeError as exc:  # RocksDB reports a damaged or foreign directory as RuntimeError
            raise StoreError(f"{path}: cannot open the store: {exc}; expected a TradeKG store directory "
                             "(if it is damaged, build into a new directory with: tradekg build ARTICLES --store NEW)"
                             ) from exc
        if read_only:
            check_store_format(self)  # a store built with other IRIs would answer wrongly

    @property
    def ox(self) -> ox.Store:
        return self._store

    def describe(self) -> str:
        return str(self.path)

    # ---- reading -------------------------------------------------------
    def query(self, sparql: str, substitutions: dict[str, Any] | None = None, union: bool = True) -> Any:
        """Run a query; ``substitutions`` (variable name -> RDF term) are bound safely, see :func:`bind_terms`."""
        return self._store.query(bind_terms(sparql, substitutions), prefixes=PREFIXES,
                                 use_default_graph_as_union=union)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def contains_graph(self, graph: str) -> bool:
        return bool(self._store.contains_named_graph(ox.NamedNode(graph)))

    def quad_count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def manifest(self) -> dict[str, dict[str, str]]:
        """Graph IRI -> {property local name: value} from the meta graph."""
        out: dict[str, dict[str, str]] = {}
        tdo, meta = str(TDO), str(META_GRAPH)  # the meta graph's own row (the store format) is not a graph's
        for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(meta)):
            obj = q.object
            if (isinstance(q.subject, ox.NamedNode) and q.predicate.value.startswith(tdo)
                    and isinstance(obj, (ox.Literal, ox.NamedNode)) and q.subject != q.graph_name):  # not the marker
                out.setdefault(q.subject.value, {})[q.predicate.value[len(tdo):]] = obj.value
        return out

    def read_manifest_cache(self) -> object:
        """The manifest copy the last build left beside the store (see :mod:`kg.build`), or None.

        Only a writer holding the store's lock (the build) may rely on it: every write through this class
        removes the copy first, and a build writes it again only after its last write and a flush.
        """
        try:
            return marshal.loads((self.path / MANIFEST_CACHE).read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None

    def remember_manifest(self, rows: object) -> None:
        """The manifest as the build left it; written beside the store at the next :meth:`flush`
        (unless nothing was written since the copy there was made)."""
        if not self._cache_removed and (self.path / MANIFEST_CACHE).exists():
            return
        self._pending_cache = rows

    def dump_nquads(self, out: IO[bytes]) -> None:
        self._store.dump(out, ox.RdfFormat.N_QUADS)

    def quads(self, graph: str | None) -> Iterator[Quad]:
        """Stream the quads of one named graph, or of the default graph if ``graph`` is None (used by :mod:`kg.export`)."""
        g = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
        return iter(self._store.quads_for_pattern(None, None, None, g))

    def load_rdf(self, path: Path, fmt: RdfFormat, to_graph: str | None = None) -> None:
        """Load an RDF file in one transaction: all of it or, on any error, nothing (used by :mod:`kg.export`)."""
        self._check_writable()
        target = ox.NamedNode(to_graph) if to_graph else None
        self._store.load(path=str(path), format=fmt, to_graph=target)

    # ---- writing -------------------------------------------------------
    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: the store was opened read-only")
        self._pending_cache = None
        if not self._cache_removed:
            forget_manifest_cache(self.path)
            self._cache_removed = True

    def _is_fresh(self, u: GraphUpdate) -> bool:
        """True if none of the update's graphs exists yet and the graph has no manifest row."""
        meta = ox.NamedNode(str(META_GRAPH))
        if next(iter(self._store.quads_for_pattern(ox.NamedNode(u.graph), None, None, meta)), None) is not None:
            return False
        return not any(self._store.contains_named_graph(ox.NamedNode(g))
                       for g in (u.graph, *(g for g, _ in u.extra_graphs)))

    def replace_graphs(self, updates: list[GraphUpdate], kg: str = "", kg_data: str = "") -> None:
        """Replace each graph (and its extra graphs and manifest row) in one transaction, with ``kg_data``
        (N-Quads to add) and ``kg`` (the SPARQL Update operations that maintain the knowledge graph, see
        :mod:`kg.kg_graph`) after them. New graphs with no ``kg`` are bulk-loaded, ``kg_data`` with them."""
        self._check_writable()
        if updates and not kg and all(self._is_fresh(u) for u in updates):
            # nothing to remove: one N-Quads load, applied all at once (see below), which parses
            # far faster than the same quads as SPARQL INSERT DATA
            meta = f" <{META_GRAPH}> .\n"
            chunks: list[str] = []
            for u in updates:
                chunks.append(u.nquads)
                chunks.extend(text for _, text in u.extra_graphs)
                chunks.extend(f"<{u.graph}> <{TDO[k]}> {nq.lit(v)}{meta}" for k, v in u.manifest)
            chunks.append(kg_data)
            data = "".join(chunks)
            try:
                if data.count("\n") < BULK_ATOMIC_MAX:
                    # Oxigraph's bulk loader writes sorted files and ingests them into RocksDB in one
                    # atomic step when the input is under its batch size (1,000,000 quads): the graphs
                    # and their manifest rows appear together or not at all, without the per-quad
                    # transaction bookkeeping of Store.load (10,000 articles: 155 s -> see bench/README.md)
                    self._store.bulk_load(data, ox.RdfFormat.N_QUADS)
                else:
                    self._store.load(data, ox.RdfFormat.N_QUADS)
            except (OSError, SyntaxError) as exc:
                raise StoreError(f"{self.path}: writing {len(updates)} graph(s) failed, nothing was changed: {exc}") from exc
            return
        parts = [replace_graph_update(u.graph, [(u.graph, u.nquads), *u.extra_graphs], u.manifest) for u in updates]
        if kg_data:
            parts.append(insert_nquads(kg_data))
        if kg:
            parts.append(kg)
        if parts:
            try:
                self._store.update(" ;\n".join(parts))
            except (OSError, SyntaxError) as exc:
                raise StoreError(f"{self.path}: writing {len(updates)} graph(s) failed, nothing was changed: {exc}") from exc

    def drop_graphs(self, graphs: list[str], with_extra: dict[str, list[str]] | None = None, kg: str = "") -> None:
        """Remove graphs and their manifest rows in one transaction (with ``kg``, see :meth:`replace_graphs`)."""
        self._check_writable()
        if graphs:
            self._store.update(drop_graphs_update(graphs, with_extra) + (" ;\n" + kg if kg else ""))

    def update(self, sparql: str) -> None:
        self._check_writable()
        self._store.update(sparql, prefixes=PREFIXES)

    def flush(self) -> None:
        if not self.read_only:
            self._store.flush()
            if self._pending_cache is not None:
                with replacing(self.path / MANIFEST_CACHE, "manifest copy") as f:
                    f.write(marshal.dumps(self._pending_cache))  # type: ignore[arg-type]
                self._pending_cache = None
                self._cache_removed = False

    def optimize(self) -> None:
        """Compact the store (RocksDB's full compaction): after a large build the new data sits in many
        unmerged files, and queries read them all (10,000 articles: tariffs-between 1,259 -> 570 ms).
        The data does not change, so the manifest copy stays valid."""
        if self.read_only:
            raise StoreError(f"{self.path}: the store was opened read-only")
        self._store.optimize()

    def settle(self) -> None:
        """Nothing to wait for: every write is done when its call returns."""

    def close(self) -> None:
        del self._store


def forget_manifest_cache(path: Path) -> None:
    """Remove the manifest copy beside a store (before anything writes to it)."""
    try:
        (path / MANIFEST_CACHE).unlink()
    except FileNotFoundError:
        pass


def open_store(path: Path | str, *, read_only: bool) -> EmbeddedStore:
    """The embedded store in ``path``; every caller says ``read_only=True`` to read or ``read_only=False`` to write."""
    return EmbeddedStore(Path(path), read_only=read_only)
