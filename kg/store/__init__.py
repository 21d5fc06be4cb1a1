"""The stores of the graph: one interface (:class:`GraphStore`, with its :class:`Capabilities`), two backends.

* :mod:`kg.store.base`: the interface, the capability flags and :class:`GraphUpdate`;
* :mod:`kg.store.embedded`: :class:`EmbeddedStore`, an Oxigraph directory;
* :mod:`kg.store.sparql_protocol`: :class:`RemoteStore`, a SPARQL 1.1 server, over
  :mod:`kg.store.http` (retries, credentials, deadlines, answer cap, redaction);
* :mod:`kg.store.spec`: :class:`StoreSpec`, which store a command means;
* :mod:`kg.store.session`: ``writing``/``reading`` sessions and the writer lock;
* :mod:`kg.store.copy`: copying graphs between stores (push/pull);
* :mod:`kg.store.server`: running an Oxigraph server (serve, tests, benchmarks).

The server modules import httpx, so they are loaded when first used (``from kg.store import RemoteStore`` works).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kg.store.base import Capabilities, GraphStore, GraphUpdate
from kg.store.copy import CopyReport, copy_graphs
from kg.store.embedded import BULK_ATOMIC_MAX, MANIFEST_CACHE, EmbeddedStore, forget_manifest_cache, open_store
from kg.store.session import LOCK_NAME, reading, write_lock, writing
from kg.store.spec import StoreSpec

if TYPE_CHECKING:
    from kg.store.sparql_protocol import RemoteStore

_LAZY = {"RemoteStore": "kg.store.sparql_protocol"}

__all__ = ["BULK_ATOMIC_MAX", "LOCK_NAME", "MANIFEST_CACHE", "Capabilities", "CopyReport", "EmbeddedStore",
           "GraphStore", "GraphUpdate", "RemoteStore", "StoreSpec", "copy_graphs", "forget_manifest_cache",
           "open_store", "reading", "write_lock", "writing"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kg.store' has no attribute {name!r}")
