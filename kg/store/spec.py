"""Where the graph lives: :class:`StoreSpec`, the factory of stores (the command line's ``--store``/``--endpoint``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.store.base import GraphStore
from kg.store.marker import check_store_format


@dataclass(frozen=True)
class StoreSpec:
    """Where the graph lives: an embedded store directory or a SPARQL endpoint."""

    path: Path | None = None
    endpoint: str | None = None
    update_endpoint: str | None = None
    gsp_endpoint: str | None = None
    timeout: float = 30.0

    def describe(self) -> str:
        return self.endpoint or str(self.path)

    def open(self, *, read_only: bool) -> GraphStore:
        """The store: :class:`kg.store.embedded.EmbeddedStore` or :class:`kg.store.sparql_protocol.RemoteStore`."""
        if self.endpoint is not None:
            from kg.store.sparql_protocol import RemoteStore  # httpx is imported only for a server

            remote = RemoteStore(self.endpoint, update_url=self.update_endpoint, gsp_url=self.gsp_endpoint,
                                 timeout=self.timeout)
            if read_only:
                check_store_format(remote)  # a store built with other IRIs would answer wrongly
            return remote
        from kg.store.embedded import open_store

        assert self.path is not None
        return open_store(self.path, read_only=read_only)
