"""Network analysis of the drawn graph: central officials and governments, communities, paths, GraphML/GEXF.

The graph analysed is the one the page draws (:mod:`kg.viz.extract`): people,
posts, governments, meetings, statements and measures are nodes; a meeting
links its participants and parties, a statement its speaker, a tariff the
jurisdictions it is imposed by and targets. Centrality is computed on the
undirected simple graph: degree, and betweenness (exact up to 1,000 nodes,
estimated from 200 seeded samples above). Communities are Louvain
communities with a fixed seed, so runs agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import networkx as nx
from rich.console import Console
from rich.table import Table

from kg.errors import NoPathError
from kg.fileio import replacing
from kg.namespaces import TDO
from kg.ontology import Ontology, load_ontology
from kg.store.base import GraphStore
from kg.terms import RESOURCE_IDS, short
from kg.viz import select
from kg.viz.evidence import edge_quotes, load_evidence
from kg.viz.extract import Extraction, resolve_entity
from kg.viz.layout import SEED, centrality
from kg.viz.page import property_label

OFFICIALS = str(TDO.Official)
GOVERNMENTS = (str(TDO.Government), str(TDO.GovernmentBody))


def communities(g: nx.Graph, seed: int = SEED) -> list[set[Any]]:
    """Louvain communities (seeded), largest first; ties broken by their smallest member.

    >>> [sorted(c) for c in communities(nx.barbell_graph(4, 0))]
    [[0, 1, 2, 3], [4, 5, 6, 7]]
    """
    if g.number_of_edges() == 0:
        return [{v} for v in sorted(g.nodes, key=str)]
    found = nx.community.louvain_communities(g, seed=seed)
    return sorted(found, key=lambda c: (-len(c), min(str(v) for v in c)))


def _simple(g: nx.MultiDiGraph) -> nx.Graph:
    """The undirected simple graph, nodes and edges inserted in sorted order (so ties break the same way)."""
    u = nx.Graph()
    u.add_nodes_from(sorted(g.nodes))
    u.add_edges_from(sorted({(min(a, b), max(a, b)) for a, b in g.edges() if a != b}))
    return u


def _row(g: nx.MultiDiGraph, onto: Ontology, n: str, deg: dict[Any, int], bc: dict[Any, float]) -> dict[str, Any]:
    d = g.nodes[n]
    return {"id": short(n, RESOURCE_IDS, unknown="plain"), "iri": n, "label": d["label"], "class": onto.label(d["cls"]) if d["cls"] else "",
            "degree": deg.get(n, 0), "betweenness": round(bc.get(n, 0.0), 4)}


def analyse(store: GraphStore, top: int = 10, focus: str | None = None, depth: int = 2,
            onto: Ontology | None = None) -> dict[str, Any]:
    """Rankings of officials and governments, and communities, as a JSON-ready dict."""
    onto = onto or load_ontology()
    _, g, view = select(store, onto, focus=focus, depth=depth)
    u = _simple(g)
    deg, bc = centrality(u)

    def ranking(classes: tuple[str, ...]) -> list[dict[str, Any]]:
        members = [n for n, d in g.nodes(data=True) if d["cls"] and any(onto.is_subclass(d["cls"], c) for c in classes)]
        members.sort(key=lambda n: (-bc.get(n, 0.0), -deg.get(n, 0), g.nodes[n]["label"]))
        return [_row(g, onto, n, deg, bc) for n in members[:top]]

    comms = []
    for i, c in enumerate(communities(u), start=1):
        if len(c) < 2:
            continue
        members = sorted(c, key=lambda n: (-deg.get(n, 0), g.nodes[n]["label"]))
        classes: dict[str, int] = {}
        for n in c:
            label = onto.label(g.nodes[n]["cls"]) if g.nodes[n]["cls"] else "other"
            classes[label] = classes.get(label, 0) + 1
        comms.append({"community": i, "size": len(c),
                      "central": [g.nodes[n]["label"] for n in members[:top]],
                      "classes": dict(sorted(classes.items(), key=lambda kv: (-kv[1], kv[0])))})
    return {
        "view": view.description, "source": view.source,
        "nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
        "betweenness": "exact" if u.number_of_nodes() <= 1000 else "estimated from 200 sampled sources",
        "officials": ranking((OFFICIALS,)),
        "governments": ranking(GOVERNMENTS),
        "communities": comms,
        "isolated": sum(1 for n in u if u.degree(n) == 0),
    }


def path_between(store: GraphStore, a: str, b: str, onto: Ontology | None = None) -> dict[str, Any]:
    """The shortest connection between two entities, each step with its relation and a supporting quote."""
    onto = onto or load_ontology()
    ex, g, _ = select(store, onto)
    from kg.viz.extract import aliases

    names = aliases(store)
    src, dst = resolve_entity(g, a, names), resolve_entity(g, b, names)
    try:
        nodes = nx.shortest_path(_simple(g), src, dst)
    except nx.NetworkXNoPath:
        src_id, dst_id = short(src, RESOURCE_IDS, unknown="plain"), short(dst, RESOURCE_IDS, unknown="plain")
        raise NoPathError(f"{g.nodes[src]['label']} ({src_id}) and {g.nodes[dst]['label']} ({dst_id}) "
                          "are not connected in the graph") from None
    facts = {f for x, y in zip(nodes, nodes[1:], strict=False) for d in _edges_between(g, x, y) for f in d[3].get("facts", [])}
    quotes, articles = load_evidence(store, facts)
    steps: list[dict[str, Any]] = []
    for i, n in enumerate(nodes):
        step: dict[str, Any] = {"node": _node_info(ex, g, onto, n)}
        if i + 1 < len(nodes):
            links = []
            for s, o, p, d in _edges_between(g, n, nodes[i + 1]):
                qs = edge_quotes(quotes, d.get("facts", []), s, p, o)
                q = qs[0] if qs else None
                art = articles.get(q.article) if q else None
                links.append({"relation": property_label(onto, p), "property": p, "forward": s == n,
                              "valid": d.get("valid"),
                              "quote": q.exact if q else None,
                              "article": art.title if art else None, "date": art.date if art else None,
                              "url": art.url if art else None,
                              "via": [ex.labels.get(f, short(f, RESOURCE_IDS, unknown="plain")) for f in d.get("facts", []) if f not in (s, o)]})
            step["links"] = links
        steps.append(step)
    return {"from": short(src, RESOURCE_IDS, unknown="plain"), "to": short(dst, RESOURCE_IDS, unknown="plain"), "length": len(nodes) - 1, "steps": steps}



def _edges_between(g: nx.MultiDiGraph, x: str, y: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    out = [(x, y, k, d) for k, d in (g.get_edge_data(x, y) or {}).items()]
    out += [(y, x, k, d) for k, d in (g.get_edge_data(y, x) or {}).items()]
    return sorted(out, key=lambda e: (e[2], e[0]))


def _node_info(ex: Extraction, g: nx.MultiDiGraph, onto: Ontology, n: str) -> dict[str, Any]:
    d = g.nodes[n]
    info: dict[str, Any] = {"id": short(n, RESOURCE_IDS, unknown="plain"), "label": d["label"], "class": onto.label(d["cls"]) if d["cls"] else ""}
    for p, v, is_iri in ex.properties.get(n, []):
        if not is_iri and p in (str(TDO.date), str(TDO.startDate)):
            info["date"] = v
    if n in ex.statuses:
        info["status"] = [f"{c.date} {onto.label(c.status)}" + (f" until {c.until}" if c.until else "")
                          for c in ex.statuses[n]]
    return info


# ---- printing ------------------------------------------------------------------------

def print_analysis(report: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    console.print(f"[bold]{report['view']}[/] of {report['source']}: {report['nodes']} nodes, {report['edges']} edges "
                  f"({report['isolated']} unconnected); betweenness {report['betweenness']}")
    for key, title in (("officials", "Most central officials"), ("governments", "Most central governments and bodies")):
        t = Table(title=title, title_justify="left")
        for col, just in (("#", "right"), ("label", "left"), ("class", "left"), ("id", "left"),
                          ("degree", "right"), ("betweenness", "right")):
            t.add_column(col, justify=just)  # type: ignore[arg-type]
        for i, r in enumerate(report[key], start=1):
            t.add_row(str(i), r["label"], r["class"], r["id"], str(r["degree"]), f"{r['betweenness']:.4f}")
        console.print(t)
    t = Table(title="Communities (Louvain, seeded)", title_justify="left")
    t.add_column("#", justify="right")
    t.add_column("size", justify="right")
    t.add_column("most connected members")
    t.add_column("classes")
    for c in report["communities"]:
        t.add_row(str(c["community"]), str(c["size"]), "; ".join(c["central"][:6]),
                  ", ".join(f"{k} {v}" for k, v in c["classes"].items()))
    console.print(t)


def print_path(result: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    console.print(f"[bold]{result['from']}[/] to [bold]{result['to']}[/]: {result['length']} step(s)")
    for step in result["steps"]:
        n = step["node"]
        extra = f", {n['date']}" if n.get("date") else ""
        status = f" [{'; '.join(n['status'])}]" if n.get("status") else ""
        console.print(f"  [bold]{n['label']}[/] ({n['class']}{extra}){status}", markup=True)
        for link in step.get("links", []):
            arrow = f"--{link['relation']}-->" if link["forward"] else f"<--{link['relation']}--"
            console.print(f"      {arrow}", markup=False)
            if link["quote"]:
                console.print(f"        \"{link['quote']}\" ({link['article']}, {link['date']})", markup=False)
            for via in link["via"]:
                console.print(f"        via {via}", markup=False)


# ---- export --------------------------------------------------------------------------------

def export_graph(store: GraphStore, out: Path | None, fmt: str, focus: str | None = None, depth: int = 2,
                 stdout: IO[bytes] | None = None, onto: Ontology | None = None) -> tuple[int, int]:
    """Write the drawn graph as GraphML or GEXF with labels, classes, centrality and communities as attributes."""
    onto = onto or load_ontology()
    _, g, _ = select(store, onto, focus=focus, depth=depth)
    u = _simple(g)
    deg, bc = centrality(u)
    community = {n: i for i, c in enumerate(communities(u), start=1) for n in c}
    h = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        valid = d.get("valid")
        h.add_node(n, label=d["label"], **{"class": onto.label(d["cls"]) if d["cls"] else "",
                                             "class_iri": d["cls"] or "", "iri": n, "degree": deg.get(n, 0),
                                             "betweenness": float(bc.get(n, 0.0)), "community": community.get(n, 0),
                                             "valid": _valid_text(valid)})
    for s, o, p, d in g.edges(keys=True, data=True):
        h.add_edge(s, o, key=p, label=property_label(onto, p), property=p, valid=_valid_text(d.get("valid")))
    writer = nx.write_graphml if fmt == "graphml" else nx.write_gexf
    if out is None:
        assert stdout is not None
        writer(h, stdout)
    else:
        with replacing(out, f"{fmt} file") as f:
            writer(h, f)
    return h.number_of_nodes(), h.number_of_edges()


def _valid_text(valid: list[list[Any]] | None) -> str:
    """Validity as text for graph tools: '' (always) or 'start/end;...' with '..' for open ends.

    >>> _valid_text([["2025-04-09", "2025-04-09"], ["2025-07-09", None]])
    '2025-04-09/2025-04-09;2025-07-09/..'
    """
    if valid is None:
        return ""
    return ";".join(f"{s or '..'}/{e or '..'}" for s, e in valid)
