"""TradeKG: a knowledge graph of trade diplomacy built from annotated news articles.

The public API (the command line ``tradekg`` is built on it)::

    import kg
    report = kg.build_store([Path("articles")], Path("out/store"))  # check, then write; kg.InputError if invalid
    store = kg.open_store("out/store", read_only=True)
    library = kg.load_library()                                  # the queries/ library by name

Names are imported on first use, so ``import kg`` stays cheap. No public name is also the name of a
submodule (``kg.build`` and ``kg.export`` are modules; their entry points are ``build_store`` and
``export_store``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "build_store": "kg.build:build",
    "BuildReport": "kg.build",
    "open_store": "kg.store",
    "EmbeddedStore": "kg.store",
    "load_library": "kg.query",
    "LibraryQuery": "kg.query",
    "run_query": "kg.query",
    "export_store": "kg.export:export",
    "validate_store": "kg.validate",
    "ValidationResult": "kg.validate",
    "TradeKGError": "kg.errors",
    "Problem": "kg.errors",
    "InputError": "kg.errors",
    "StoreError": "kg.errors",
    "StoreLockedError": "kg.errors",
    "QueryError": "kg.errors",
    "EndpointError": "kg.errors",
    "OntologyError": "kg.errors",
    "OutputError": "kg.errors",
}

__all__ = [
    "__version__", "build_store", "BuildReport", "open_store", "EmbeddedStore", "load_library", "LibraryQuery",
    "run_query", "export_store", "validate_store", "ValidationResult", "TradeKGError", "Problem", "InputError",
    "StoreError", "StoreLockedError", "QueryError", "EndpointError", "OntologyError", "OutputError",
]
assert set(__all__) == {"__version__", *_EXPORTS}

if TYPE_CHECKING:  # pragma: no cover
    from kg.build import BuildReport
    from kg.build import build as build_store
    from kg.errors import (
        EndpointError,
        InputError,
        OntologyError,
        OutputError,
        Problem,
        QueryError,
        StoreError,
        StoreLockedError,
        TradeKGError,
    )
    from kg.export import export as export_store
    from kg.query import LibraryQuery, load_library, run_query
    from kg.store import EmbeddedStore, open_store
    from kg.validate import ValidationResult, validate_store


def __getattr__(name: str) -> Any:
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    module, _, attr = where.partition(":")
    value = getattr(importlib.import_module(module), attr or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
