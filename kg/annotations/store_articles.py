"""Reading annotated articles back out of the store.

Each article graph holds the text (``tdo:text``), its mentions (``tdo:Mention``)
and the evidence of its facts (``tdo:Evidence``), all as W3C Web Annotations.
:func:`article_dicts` rebuilds ``tradekg-article/1`` dicts from them (every
span resolved), so annotations made here can be written for annotation tools;
:func:`annotation_nodes` gives the raw annotations for the Web Annotation export.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from kg.model import model
from kg.namespaces import (
    DCTERMS,
    OA,
    RDF,
    REGISTRY_GRAPH,
    SCHEMA,
    TDO,
    TDR,
    article_id_from_graph,
    fact_id_from_evidence,
    is_inferred_graph,
    parse_evidence_iri,
    slug,
)

Triples = dict[str, dict[str, list[Any]]]
_RDF_TYPE, _TDO = str(RDF.type), str(TDO)
MEASURE_NS = f"{TDR}measure/"


@dataclass
class Value:
    """An RDF term: an IRI (``iri=True``) or a literal with its datatype."""

    value: str
    iri: bool
    datatype: str | None = None


def _term(t: Any) -> Value:
    kind = type(t).__name__
    if kind == "Literal":
        return Value(t.value, False, t.datatype.value if t.datatype is not None else None)
    return Value(t.value, kind == "NamedNode")


def article_graphs(store: Any) -> list[str]:
    """Names of the article graphs in the store (not their /inferred graphs), sorted."""
    rows = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?a a tdo:NewsArticle } }")
    return sorted(str(r["g"].value) for r in rows if article_id_from_graph(str(r["g"].value))
                  and not is_inferred_graph(str(r["g"].value)))


def graph_triples(store: Any, graph: str) -> Triples:
    out: Triples = {}
    for r in store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"):
        out.setdefault(str(r["s"].value), {}).setdefault(str(r["p"].value), []).append(_term(r["o"]))
    return out


def holdings(store: Any) -> dict[str, tuple[str, str]]:
    """Holding IRI -> (person id, post id), from the registry graph."""
    q = (f"SELECT ?h ?person ?post WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?h tdo:holder ?person ; tdo:post ?post }} }}")
    return {str(r["h"].value): (_local(str(r["person"].value)), _local(str(r["post"].value))) for r in store.query(q)}


def entity_names(store: Any) -> dict[str, str]:
    """Registry id -> name (rdfs:label), from the registry graph."""
    q = f"SELECT ?e ?n WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?e rdfs:label ?n }} }}"
    return {_local(str(r["e"].value)): str(r["n"].value) for r in store.query(q)}


def _fact_id_of(evidence_iri: str) -> str:
    return fact_id_from_evidence(evidence_iri)


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _one(node: dict[str, list[Value]], prop: Any) -> Value | None:
    vals = node.get(str(prop))
    return vals[0] if vals else None


def _num(v: Value) -> int | float:
    f = float(v.value)
    return int(f) if f.is_integer() else f


def _is_a(node: dict[str, list[Value]], cls: Any) -> bool:
    return any(v.value == str(cls) for v in node.get(_RDF_TYPE, []))


class _Rebuilder:
    def __init__(self, g: Triples, hold: dict[str, tuple[str, str]]):
        self.g, self.hold = g, hold
        self.mention_of_target: dict[str, str] = {}
        self.reverse = {prop: (fld, kind) for fld, (prop, kind) in model().field_properties().items()}

    def span(self, target: str) -> tuple[int, int, str]:
        node = self.g[target]
        start = end = -1
        text = ""
        for sel in node.get(str(OA.hasSelector), []):
            s = self.g.get(sel.value, {})
            if _is_a(s, OA.TextPositionSelector):
                start, end = int(_one(s, OA.start).value), int(_one(s, OA.end).value)  # type: ignore[union-attr]
            elif _is_a(s, OA.TextQuoteSelector):
                text = str(_one(s, OA.exact).value)  # type: ignore[union-attr]
        return start, end, text

    def run(self) -> dict[str, Any]:
        g = self.g
        art_iri = next(s for s, n in g.items() if _is_a(n, TDO.NewsArticle))
        a = g[art_iri]
        art: dict[str, Any] = {
            "format": "tradekg-article/1", "id": _local(art_iri), "title": _one(a, DCTERMS.title).value,  # type: ignore[union-attr]
            "publisher": _local(_one(a, DCTERMS.publisher).value),  # type: ignore[union-attr]
            "published": str(_one(a, DCTERMS.issued).value), "language": _one(a, DCTERMS.language).value,  # type: ignore[union-attr]
        }
        if _one(a, SCHEMA.url):
            art["url"] = _one(a, SCHEMA.url).value  # type: ignore[union-attr]
        if a.get(str(TDO.citesOutlet)):
            art["cites"] = sorted(_local(v.value) for v in a[str(TDO.citesOutlet)])
        art["text"] = _one(a, TDO.text).value  # type: ignore[union-attr]
        mentions = []
        for _s, n in g.items():
            if _is_a(n, TDO.Mention):
                target = _one(n, OA.hasTarget).value  # type: ignore[union-attr]
                start, end, text = self.span(target)
                mid = str(_one(n, TDO.mentionId).value)  # type: ignore[union-attr]
                self.mention_of_target[target] = mid
                m: dict[str, Any] = {"id": mid, "type": _local(_one(n, TDO.mentionType).value),  # type: ignore[union-attr]
                                     "span": [start, end], "text": text}
                if _one(n, OA.hasBody):
                    m["entity"] = _local(_one(n, OA.hasBody).value)  # type: ignore[union-attr]
                mentions.append(m)
        art["mentions"] = sorted(mentions, key=lambda m: (m["span"][0], m["id"]))
        # evidence by body, in build order (the number at the end of the IRI)
        ev: dict[str, list[tuple[int, dict[str, Any], str]]] = {}
        for s, n in g.items():
            if _is_a(n, TDO.Evidence):
                body = _one(n, OA.hasBody).value  # type: ignore[union-attr]
                ev.setdefault(body, []).append((parse_evidence_iri(s)[2], n, s))
        for items in ev.values():
            items.sort(key=lambda x: x[0])
        facts: list[tuple[int, dict[str, Any]]] = []
        for s, n in g.items():
            if _one(n, TDO.factId) is not None:
                facts.append(self.fact(s, n, ev))
        for body, items in ev.items():
            if body in self.hold:
                person, post = self.hold[body]
                f = {"id": _fact_id_of(items[0][2]), "type": "PostHolding", "person": person, "post": post}
                f.update(self.evidence(items, None))
                facts.append((items[0][0], f))
        art["facts"] = [f for _, f in sorted(facts, key=lambda x: x[0])]
        return art

    def evidence(self, items: list[tuple[int, dict[str, Any], str]], default: str | None,
                 skip_quote: str | None = None) -> dict[str, Any]:
        """{'evidence': [...], 'attributed_to'?: outlet} from evidence nodes."""
        outlets = [(_local(_one(n, TDO.attributedTo).value) if _one(n, TDO.attributedTo) else None)  # type: ignore[union-attr]
                   for _, n, _s in items]
        mention_outlets = [o for (_, n, _s), o in zip(items, outlets, strict=False)
                           if _one(n, OA.hasTarget).value in self.mention_of_target]  # type: ignore[union-attr]
        common = Counter(mention_outlets or outlets).most_common(1)
        outlet = common[0][0] if common else None
        out: list[Any] = []
        for (_, n, _s), o in zip(items, outlets, strict=False):
            target = _one(n, OA.hasTarget).value  # type: ignore[union-attr]
            if target in self.mention_of_target:
                out.append(self.mention_of_target[target])
                continue
            start, end, text = self.span(target)
            item: dict[str, Any] = {"span": [start, end], "text": text}
            role = _one(n, TDO.role)
            if role is not None:
                item["role"] = role.value
            if o is not None and o != outlet:
                item["attributed_to"] = o
            out.append(item)
        res: dict[str, Any] = {"evidence": out}
        if outlet is not None and outlet != default:
            res["attributed_to"] = outlet
        return res

    def fact(self, s: str, n: dict[str, list[Value]], ev: dict[str, list[tuple[int, dict[str, Any], str]]]
             ) -> tuple[int, dict[str, Any]]:
        ftype = next(_local(v.value) for v in n[_RDF_TYPE] if v.value.startswith(_TDO))
        f: dict[str, Any] = {"id": str(_one(n, TDO.factId).value), "type": ftype}  # type: ignore[union-attr]
        for prop, vals in n.items():
            if prop not in self.reverse:
                continue
            fld, kind = self.reverse[prop]
            f[fld] = _value(kind, vals)
        if _one(n, TDO.date) is not None and _one(n, TDO.dateResolution) is None:
            f["date"] = str(_one(n, TDO.date).value)  # type: ignore[union-attr]
        if _one(n, TDO.issuedAt) is not None:
            f["issued_at"] = _local(_one(n, TDO.issuedAt).value)  # type: ignore[union-attr]
        f.update(self.deal_fields(n, ev))
        items = list(ev.get(s, []))
        quoted = _one(n, TDO.quotedText)
        if quoted is not None:
            for i, (_, e, _s) in enumerate(items):
                t = _one(e, OA.hasTarget).value  # type: ignore[union-attr]
                role = _one(e, TDO.role)
                if role is not None and role.value == "quote" and \
                        t not in self.mention_of_target and self.span(t)[2] == quoted.value:
                    start, end, text = self.span(t)
                    f["quote"] = {"span": [start, end], "text": text}
                    items.pop(i)
                    break
        first = min((x[0] for x in ev.get(s, [])), default=10**9)
        f.update(self.evidence(items, None))
        status: list[tuple[int, dict[str, Any]]] = []
        for sv in n.get(str(TDO.statusChange), []):
            sn = self.g[sv.value]
            sc: dict[str, Any] = {"status": _local(_one(sn, TDO.status).value)}  # type: ignore[union-attr]
            if _one(sn, TDO.dateResolution) is None:
                sc["date"] = str(_one(sn, TDO.date).value)  # type: ignore[union-attr]
            for prop, key in ((TDO.dateExpression, "date_expression"), (TDO.effectiveUntil, "until"),
                              (TDO.announcementDate, "announced"), (TDO.announcementExpression, "announced_expression")):
                if _one(sn, prop) is not None:
                    sc[key] = str(_one(sn, prop).value)  # type: ignore[union-attr]
            if _one(sn, TDO.newRatePercent) is not None:
                sc["new_rate"] = _num(_one(sn, TDO.newRatePercent))  # type: ignore[arg-type]
            if _one(sn, TDO.legalInstrument) is not None:
                sc["instrument"] = _local(_one(sn, TDO.legalInstrument).value)  # type: ignore[union-attr]
            sitems = ev.get(sv.value, [])
            sc.update(self.evidence(sitems, f.get("attributed_to")))
            status.append((min((x[0] for x in sitems), default=10**9), sc))
        if status:
            f["status_changes"] = [sc for _, sc in sorted(status, key=lambda x: x[0])]
        return first, f


    # ---- agreements, commitments, political events, statements about facts (issue 17, deals) ----
    def ref(self, iri: str) -> str:
        """A fact reference as the article writes it: a bare id for this article's facts and other
        articles' events, measure:ID for another article's measure."""
        local = _local(iri)
        here = _one(self.g.get(iri, {}), TDO.factId) is not None
        return f"measure:{local}" if not here and iri.startswith(str(MEASURE_NS)) else local

    def deal_fields(self, n: dict[str, list[Value]], ev: dict[str, list[tuple[int, dict[str, Any], str]]]
                    ) -> dict[str, Any]:
        """reached_at, about, starts_holding / ends_holding and commitments of a fact node."""
        out: dict[str, Any] = {}
        if _one(n, TDO.reachedAt) is not None:
            out["reached_at"] = self.ref(_one(n, TDO.reachedAt).value)  # type: ignore[union-attr]
        if n.get(str(TDO.about)):
            out["about"] = sorted(self.ref(v.value) for v in n[str(TDO.about)])
        for key, prop in (("starts_holding", TDO.startsHolding), ("ends_holding", TDO.endsHolding)):
            if n.get(str(prop)):
                out[key] = sorted(_local(v.value) for v in n[str(prop)])
        cfields = {f.iri: f for f in model().commitment_fields.values() if f.mapped and f.iri}
        found: list[tuple[int, str, dict[str, Any]]] = []
        for cv in n.get(str(TDO.commitment), []):
            cn = self.g.get(cv.value, {})
            cm: dict[str, Any] = {f.name: _value(f.kind, cn[iri]) for iri, f in cfields.items() if cn.get(iri)}
            local = cv.value.rsplit(":", 1)[-1]
            if local != slug(f"{cm.get('by')}-{cm.get('kind')}"):
                cm = {"id": local, **cm}
            if cn.get(str(TDO.changesMeasure)):
                cm["measures"] = sorted(_local(v.value) for v in cn[str(TDO.changesMeasure)])
            items = ev.get(cv.value, [])
            cm.update(self.evidence(items, None))
            found.append((min((x[0] for x in items), default=10**9), cv.value, cm))
        if found:
            out["commitments"] = [cm for _, _, cm in sorted(found, key=lambda x: (x[0], x[1]))]
        return out


def _value(kind: str, vals: list[Value]) -> Any:
    """A field value of a simple kind (kg.model.SIMPLE_KINDS) from the RDF terms of its property."""
    if kind in ("entities", "measure_refs"):
        return sorted(_local(v.value) for v in vals)
    if kind in ("entity", "vocab"):
        return _local(vals[0].value)
    if kind == "texts":
        return sorted(str(v.value) for v in vals)
    if kind == "integer":
        return int(vals[0].value)
    if kind == "decimal":
        return _num(vals[0])
    return str(vals[0].value)


def article_dicts(store: Any) -> list[dict[str, Any]]:
    """Every article in the store as a ``tradekg-article/1`` dict with spans, in id order."""
    hold = holdings(store)
    return [_Rebuilder(graph_triples(store, g), hold).run() for g in article_graphs(store)]
