"""Writing the graph page: one self-contained HTML file that needs no network.

vis-network's JavaScript and CSS are read from the installed ``pyvis``
package and inlined, with the page's own script and style from
``kg/viz/assets``. The graph travels as JSON in a
``<script type="application/json">`` block with ``<``, ``>`` and ``&``
escaped, so nothing in the data (an article title with ``</script>``) can end
the block; the page's script puts every string into the document with
``textContent``. A Content-Security-Policy allows only the page's own two
inline scripts (by hash) and no network at all.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib.namespace import RDFS

from kg.errors import AssetError
from kg.fileio import write_text
from kg.namespaces import TDO
from kg.ontology import Ontology
from kg.terms import RESOURCE_IDS, short
from kg.viz.evidence import ArticleInfo, Quote, edge_quotes
from kg.viz.extract import Extraction
from kg.viz.layout import PAGE_BETWEENNESS_SAMPLES, centrality, positions, sizes

ASSETS = Path(__file__).resolve().parent / "assets"
DEFAULT_COLOR = "#97a5b3"
DEFAULT_SHAPE = "dot"
VIS_SHAPES = {"dot", "box", "diamond", "star", "triangle", "triangleDown", "square", "ellipse", "hexagon",
              "circle", "database", "text"}


ALIAS = str(TDO.alias)
SHOWN_ELSEWHERE = {str(RDFS.label), str(TDO.statusChange)}
"""Properties the side panel shows in its own way (the heading, the status history), not in the property list."""


def property_label(onto: Ontology, prop: str) -> str:
    """The property's rdfs:label, or its local name spelt out for terms outside the ontology.

    >>> from kg.ontology import load_ontology
    >>> property_label(load_ontology(), "http://www.w3.org/ns/prov#wasDerivedFrom")
    'was derived from'
    """
    if prop in onto.labels:
        return onto.labels[prop]
    local = re.split(r"[#/]", prop)[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).lower()


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's (JavaScript, CSS) as shipped inside pyvis, newest version first, source-map line removed."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent
    found = sorted(lib.glob("**/vis-*/vis-network.min.js"),
                   key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.parent.name)), reverse=True)
    if not found:
        raise AssetError(f"{lib}: no vis-*/vis-network.min.js in the pyvis package; reinstall pyvis>=0.3.2")
    js_path = found[0]
    css_path = js_path.with_name("vis-network.css")
    js = re.sub(r"//# sourceMappingURL=\S*", "", js_path.read_text(encoding="utf-8"))
    css = css_path.read_text(encoding="utf-8") if css_path.exists() else ""
    css = re.sub(r"/\*# sourceMappingURL=\S* \*/", "", css)
    if re.search(r"</script", js, re.IGNORECASE):
        raise AssetError(f"{js_path}: contains '</script' and cannot be inlined")
    return js, css


def json_for_html(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` become ``\\u003c`` etc.

    >>> json_for_html({"t": "</script><img src=x onerror=alert(1)>&"})
    '{"t": "\\\\u003c/script\\\\u003e\\\\u003cimg src=x onerror=alert(1)\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(", ", ": "), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@dataclass
class View:
    """What is drawn and how it was chosen (shown in the page header)."""

    title: str
    description: str
    source: str


def payload(ex: Extraction, onto: Ontology, quotes: dict[str, list[Quote]], articles: dict[str, ArticleInfo],
            view: View, g: nx.MultiDiGraph | None = None) -> dict[str, Any]:
    """The JSON the page script reads: classes, relations, nodes, edges, quotes and articles."""
    g = ex.graph if g is None else g
    pos = positions(g)
    deg, bc = centrality(g, samples=PAGE_BETWEENNESS_SAMPLES)
    size = sizes(deg, bc)
    labels = ex.labels

    classes: list[dict[str, Any]] = []
    class_index: dict[str, int] = {}
    for cls in sorted({d["cls"] for _, d in g.nodes(data=True)}, key=lambda c: (onto.label(c) if c else "~", c)):
        shape = (onto.annotation(cls, TDO.displayShape) if cls else None) or DEFAULT_SHAPE
        class_index[cls] = len(classes)
        classes.append({"iri": cls, "label": onto.label(cls) if cls else "other",
                        "color": (onto.annotation(cls, TDO.displayColor) if cls else None) or DEFAULT_COLOR,
                        "shape": shape if shape in VIS_SHAPES else DEFAULT_SHAPE,
                        "comment": onto.comments.get(cls, "")})
    relations: list[dict[str, Any]] = []
    rel_index: dict[str, int] = {}
    for p in sorted({k for _, _, k in g.edges(keys=True)}, key=lambda p: (onto.label(p), p)):
        rel_index[p] = len(relations)
        relations.append({"iri": p, "label": property_label(onto, p), "comment": onto.comments.get(p, "")})

    quote_list: list[dict[str, Any]] = []
    quote_index: dict[str, int] = {}
    article_list: list[dict[str, Any]] = []
    article_index: dict[str, int] = {}

    def q_ref(q: Quote) -> int:
        if q.id not in quote_index:
            if q.article not in article_index:
                a = articles.get(q.article)
                article_index[q.article] = len(article_list)
                url = a.url if a and a.url and re.match(r"^https?://", a.url) else None
                article_list.append({"iri": q.article, "title": a.title if a else q.article,
                                     "date": a.date if a else None,
                                     "publisher": labels.get(a.publisher, a.publisher) if a and a.publisher else None,
                                     "url": url})
            quote_index[q.id] = len(quote_list)
            quote_list.append({"exact": q.exact, "prefix": q.prefix, "suffix": q.suffix, "role": q.role,
                               "outlet": labels.get(q.outlet, q.outlet) if q.outlet else None,
                               "fact": labels.get(q.fact, short(q.fact, RESOURCE_IDS, unknown="plain")), "article": article_index[q.article]})
        return quote_index[q.id]

    node_ids = {n: i for i, n in enumerate(sorted(g.nodes))}
    nodes: list[dict[str, Any]] = []
    for n, i in node_ids.items():
        d = g.nodes[n]
        props = []
        for p, v, is_iri in ex.properties.get(n, []):
            if p in SHOWN_ELSEWHERE:
                continue
            if is_iri:
                props.append([property_label(onto, p), labels.get(v, short(v, RESOURCE_IDS, unknown="plain")), node_ids.get(v), v])
            else:
                props.append([property_label(onto, p), v, None, None])
        status = [{"date": c.date, "status": onto.label(c.status), "until": c.until, "inForce": c.in_force,
                   "rate": c.new_rate, "instrument": labels.get(c.instrument, c.instrument) if c.instrument else None}
                  for c in ex.statuses.get(n, [])]
        ev = [q_ref(q) for f in d.get("facts", [n]) for q in quotes.get(f, [])]
        x, y = pos[n]
        nodes.append({"id": i, "iri": n, "short": short(n, RESOURCE_IDS, unknown="plain"), "label": d["label"], "cls": class_index[d["cls"]],
                      "x": x, "y": y, "size": size.get(n, 10), "degree": deg.get(n, 0),
                      "betweenness": round(bc.get(n, 0.0), 4), "valid": d.get("valid"), "props": props,
                      "status": status, "ev": sorted(set(ev), key=ev.index),
                      "aliases": sorted(v for p, v, is_iri in ex.properties.get(n, []) if p == ALIAS and not is_iri)})
    edges: list[dict[str, Any]] = []
    for s, o, p, d in sorted(g.edges(keys=True, data=True), key=lambda e: (node_ids[e[0]], node_ids[e[1]], e[2])):
        ev = [q_ref(q) for q in edge_quotes(quotes, d.get("facts", []), s, p, o)]
        facts = [labels.get(f, short(f, RESOURCE_IDS, unknown="plain")) for f in d.get("facts", []) if f not in (s, o)]
        edges.append({"id": len(edges), "from": node_ids[s], "to": node_ids[o], "rel": rel_index[p],
                      "valid": d.get("valid"), "facts": facts, "ev": ev})
    # the days on which something appears or disappears: the date slider steps through these
    days = sorted({d for item in [*nodes, *edges] for start, end in (item["valid"] or [])
                   for d in (start, _day_after(end) if end else None) if d})
    return {
        "format": "tradekg-graph-page/1",
        "view": {"title": view.title, "description": view.description, "source": view.source,
                 "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")},
        "dateRange": [days[0], days[-1]] if days else None, "changeDays": days,
        "classes": classes, "relations": relations, "nodes": nodes, "edges": edges,
        "quotes": quote_list, "articles": article_list,
    }


def _day_after(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def render(data: dict[str, Any]) -> str:
    """The page's HTML for a payload."""
    vis_js, vis_css = vis_assets()
    page_js = (ASSETS / "page.js").read_text(encoding="utf-8")
    page_css = (ASSETS / "page.css").read_text(encoding="utf-8")
    template = (ASSETS / "page.html").read_text(encoding="utf-8")
    csp = (f"default-src 'none'; script-src {_csp_hash(vis_js)} {_csp_hash(page_js)}; "
           "style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'; "
           "form-action 'none'; base-uri 'none'")
    parts = {
        "TITLE": html.escape(data["view"]["title"]),
        "CSP": html.escape(csp),
        "VIS_CSS": vis_css.replace("</", "<\\/"),
        "PAGE_CSS": page_css,
        "VIS_JS": vis_js,
        "PAGE_JS": page_js,
        "DATA": json_for_html(data),
    }
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: parts[m.group(1)], template)


def write_page(data: dict[str, Any], out: Path) -> Path:
    """Write the page with :func:`kg.fileio.output`: atomically to a file, or ``-`` for standard output."""
    write_text(out, render(data), "page")
    return out
