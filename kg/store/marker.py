"""The store format marker: ``tdg:meta tdo:storeFormat "N"`` in the meta graph, written by every build.

A store whose data was built with other IRIs (an older TradeKG) would answer queries wrongly, so opening
one to read it or to build into it stops with the one command that upgrades it. A store without a
manifest (new, empty, or holding only imported files) has nothing to upgrade.
"""

from __future__ import annotations

from kg.errors import StoreError
from kg.namespaces import META_GRAPH, STORE_FORMAT, STORE_FORMAT_PROPERTY
from kg.store.base import GraphStore

_READ = (f"SELECT ?v WHERE {{ GRAPH <{META_GRAPH}> {{ ?s ?p ?o "
         f"OPTIONAL {{ <{META_GRAPH}> <{STORE_FORMAT_PROPERTY}> ?v }} }} }} LIMIT 1")


def stored_format(store: GraphStore) -> tuple[bool, str | None]:
    """(whether the store holds a build manifest, the value of its format marker or None)."""
    for row in store.query(_READ):
        v = row["v"]
        return True, (str(v.value) if v is not None else None)
    return False, None


def check_store_format(store: GraphStore) -> None:
    """Refuse a store built by another TradeKG store format (one line: where, and the command that upgrades it)."""
    held, value = stored_format(store)
    if not held or value == STORE_FORMAT:
        return
    where = store.describe()
    if value is not None and value.isdigit() and int(value) > int(STORE_FORMAT):
        raise StoreError(f"{where}: the store has format {value}, newer than this TradeKG's ({STORE_FORMAT}); "
                         "use the TradeKG that built it")
    option = "--store" if store.capabilities.local_path is not None else "--endpoint"
    raise StoreError(f"{where}: the store was built by an older TradeKG (store format {value or 'unmarked'}, "
                     f"expected {STORE_FORMAT}: its resource IRIs differ); upgrade it with: "
                     f"tradekg build --force {option} {where} ARTICLES...")


def mark_new_store(store: GraphStore) -> None:
    """Write the marker into a store that holds no build yet, before the first write of a build: a build
    stopped half-way leaves a store of this format, which the next build finishes."""
    if not stored_format(store)[0]:
        mark_store_format(store)


def format_update() -> str:
    """The SPARQL Update operations that record the current format marker (replacing any other)."""
    triple = f"<{META_GRAPH}> <{STORE_FORMAT_PROPERTY}>"
    return (f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ {triple} ?v }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{ {triple} \"{STORE_FORMAT}\" }} }}")


def mark_store_format(store: GraphStore) -> None:
    """Write the current format marker unless the store already has it."""
    if stored_format(store)[1] != STORE_FORMAT:
        store.update(format_update())
