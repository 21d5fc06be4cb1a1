"""W3C Web Annotation (JSON-LD) export of the mentions and evidence held in the store.

One ``AnnotationCollection`` per article: every ``tdo:Mention`` (motivation
``identifying``, body the entity) and every ``tdo:Evidence`` (motivation
``describing``, body the fact) becomes an ``Annotation`` whose target is the
article with a ``TextQuoteSelector`` (exact, prefix, suffix) and a
``TextPositionSelector`` (start, end in code points), as in
https://www.w3.org/TR/annotation-model/. TradeKG's own details (mention type,
evidence role, attributed outlet) are kept under the ``tdo:`` prefix.
"""

from __future__ import annotations

from typing import Any

from kg.annotations.store_articles import Triples, Value, _is_a, _one, article_graphs, graph_triples
from kg.namespaces import DCTERMS, OA, TDO

CONTEXT = ["http://www.w3.org/ns/anno.jsonld", {"tdo": str(TDO)}]


def _selectors(g: Triples, target: str) -> list[dict[str, Any]]:
    out = []
    for sel in g.get(target, {}).get(str(OA.hasSelector), []):
        s = g.get(sel.value, {})
        if _is_a(s, OA.TextQuoteSelector):
            q: dict[str, Any] = {"type": "TextQuoteSelector", "exact": _one(s, OA.exact).value}  # type: ignore[union-attr]
            for key, prop in (("prefix", OA.prefix), ("suffix", OA.suffix)):
                v = _one(s, prop)
                if v is not None:
                    q[key] = v.value
            out.append(q)
        elif _is_a(s, OA.TextPositionSelector):
            out.append({"type": "TextPositionSelector", "start": int(_one(s, OA.start).value),  # type: ignore[union-attr]
                        "end": int(_one(s, OA.end).value)})  # type: ignore[union-attr]
    return sorted(out, key=lambda x: x["type"] != "TextQuoteSelector")


def collection(g: Triples) -> dict[str, Any]:
    """The Web Annotation collection of one article graph."""
    art = next(s for s, n in g.items() if _is_a(n, TDO.NewsArticle))
    items = []
    for s, n in sorted(g.items()):
        mention, evidence = _is_a(n, TDO.Mention), _is_a(n, TDO.Evidence)
        if not (mention or evidence):
            continue
        target = _one(n, OA.hasTarget).value  # type: ignore[union-attr]
        a: dict[str, Any] = {"id": s, "type": "Annotation",
                             "motivation": "identifying" if mention else "describing",
                             "target": {"type": "SpecificResource", "source": art, "selector": _selectors(g, target)}}
        body: Value | None = _one(n, OA.hasBody)
        if body is not None:
            a["body"] = body.value
        if mention:
            a["tdo:mentionType"] = {"id": _one(n, TDO.mentionType).value}  # type: ignore[union-attr]
            a["tdo:mentionId"] = _one(n, TDO.mentionId).value  # type: ignore[union-attr]
        else:
            for key, prop in (("tdo:role", TDO.role),):
                v = _one(n, prop)
                if v is not None:
                    a[key] = v.value
            v = _one(n, TDO.attributedTo)
            if v is not None:
                a["tdo:attributedTo"] = {"id": v.value}
        items.append(a)
    items.sort(key=lambda a: (a["motivation"] != "identifying", a["target"]["selector"][-1].get("start", 0), a["id"]))
    title = _one(g[art], DCTERMS.title)
    return {"@context": CONTEXT, "id": art + "/annotations", "type": "AnnotationCollection",
            "label": title.value if title else art, "total": len(items),
            "first": {"type": "AnnotationPage", "id": art + "/annotations/page1", "items": items}}


def collections(store: Any) -> list[tuple[str, dict[str, Any]]]:
    """(article id, collection) for every article in the store."""
    out = []
    for gname in article_graphs(store):
        coll = collection(graph_triples(store, gname))
        out.append((gname.rsplit("/", 1)[1], coll))
    return out
