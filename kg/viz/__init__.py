"""The interactive graph page: extraction from the store, layout, and the self-contained HTML writer.

>>> from kg.viz import DEFAULT_MAX_NODES
>>> DEFAULT_MAX_NODES
5000
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from kg.errors import GraphTooLargeError, QueryError
from kg.ontology import Ontology, load_ontology
from kg.store.base import GraphStore
from kg.viz.evidence import load_evidence
from kg.viz.extract import Extraction, aliases, ego, extract, extract_triples, resolve_entity
from kg.viz.page import View, payload, write_page

DEFAULT_MAX_NODES = 5000
"""Above this many nodes ``tradekg viz`` refuses and asks for --focus (or --query)."""


@dataclass(frozen=True)
class PageReport:
    path: Path
    nodes: int
    edges: int
    quotes: int

    def summary(self) -> str:
        return f"{self.path}: {self.nodes} nodes, {self.edges} edges, {self.quotes} evidence quotes"


def select(store: GraphStore, onto: Ontology, focus: str | None = None, depth: int = 2,
           query: str | None = None, query_name: str = "query") -> tuple[Extraction, nx.MultiDiGraph, View]:
    """The extraction and the part of it to draw, with a title describing the view."""
    source = store.describe()
    if query is not None:
        try:
            result = store.query(query, union=False)  # over the knowledge graph, as `tradekg query`
        except (SyntaxError, OSError, ValueError) as exc:
            raise QueryError(f"{query_name}: the query failed: {exc}") from exc
        if not hasattr(result, "__iter__") or type(result).__name__ in ("QuerySolutions", "QueryBoolean"):
            raise QueryError(f"{query_name}: expected a CONSTRUCT or DESCRIBE query (a graph to draw), "
                             f"got a {type(result).__name__.replace('Query', '').lower()} result")
        ex = extract_triples(store, onto, result)
        view = View("TradeKG graph: " + Path(query_name).name, f"CONSTRUCT result of {query_name}", source)
    else:
        ex = extract(store, onto)
        view = View("TradeKG graph", "the whole graph", source)
    g = ex.graph
    if focus is not None:
        center = resolve_entity(g, focus, aliases(store))
        g = ego(g, center, depth)
        label = g.nodes[center]["label"]
        view = View(f"TradeKG graph: {label}", f"{label} and everything within {depth} step(s)", source)
    return ex, g, view


def graph_page(store: GraphStore, out: Path, focus: str | None = None, depth: int = 2, query: str | None = None,
               query_name: str = "query", max_nodes: int = DEFAULT_MAX_NODES, onto: Ontology | None = None) -> PageReport:
    """Write the graph page of the store (or of a focus / CONSTRUCT view of it) to ``out``."""
    onto = onto or load_ontology()
    ex, g, view = select(store, onto, focus=focus, depth=depth, query=query, query_name=query_name)
    n = g.number_of_nodes()
    if n > max_nodes:
        raise GraphTooLargeError(
            f"{view.description} has {n} nodes, more than --max-nodes {max_nodes}; a page this big freezes the "
            "browser, so no page was written. Draw part of it with --focus ENTITY --depth N (for example "
            "--focus shigeru-ishiba --depth 2) or --query FILE.rq, or raise --max-nodes if you accept a slow page.")
    facts = {f for _, d in g.nodes(data=True) for f in d.get("facts", [])} | \
            {f for _, _, d in g.edges(data=True) for f in d.get("facts", [])}
    quotes, articles = load_evidence(store, facts)
    data = payload(ex, onto, quotes, articles, view, g)
    write_page(data, out)
    return PageReport(out, len(data["nodes"]), len(data["edges"]), len(data["quotes"]))


__all__ = ["DEFAULT_MAX_NODES", "GraphTooLargeError", "PageReport", "graph_page", "select"]
