"""SPARQL UPDATE on an embedded store, in a writer session (the store's lock, flushed and closed at the end)."""

from __future__ import annotations

from pathlib import Path

from kg.errors import QueryError
from kg.sparql import syntax_error
from kg.store.session import writing


def run_update(store_path: Path, text: str, source: str = "<update>", wait: bool = False) -> tuple[int, int]:
    """Apply a SPARQL UPDATE to the embedded store under its writer lock; (quads before, after).

    A failed update changes nothing (Oxigraph applies an update whole or not at all) and is a
    :class:`QueryError` naming ``source``, or the syntax error at its line.
    """
    with writing(store_path, wait=wait) as store:
        before = store.quad_count()
        try:
            store.update(text)
        except SyntaxError as exc:
            raise syntax_error(exc, text, source) from exc
        except (RuntimeError, OSError, ValueError) as exc:
            raise QueryError(f"{source}: the update failed and was not applied: {exc}") from exc
        return before, store.quad_count()
