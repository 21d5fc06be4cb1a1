"""Mapping a checked article to RDF: its named graph and the graph of its RDFS entailments.

Every fact node gets Web Annotation evidence (``tdo:Evidence``) whose target is
the article text span (TextQuoteSelector + TextPositionSelector, code points),
and the outlet the article attributed it to.
"""

from __future__ import annotations

from kg import nquads as nq
from kg.articles import Article, Fact, Span, split_ref
from kg.model import Field, model
from kg.namespaces import (
    DCTERMS,
    OA,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    TDO,
    article_graph,
    article_inferred_graph,
    article_iri,
    commitment_iri,
    entity_iri,
    evidence_iri,
    mention_iri,
    selector_iri,
    status_change_iri,
    target_iri,
)
from kg.ontology import Ontology
from kg.registry import Registry

CONTEXT = 32  # characters of prefix/suffix kept in a TextQuoteSelector

T = str(RDF.type)
LABEL = str(RDFS.label)

# field of a fact -> (ontology property, kind of value), for the shipped model; the mapper reads
# kg.model.model() when it runs, so a field added to ontology/model.yaml is written without code here.
FIELD_PROPERTIES: dict[str, tuple[str, str]] = model().field_properties()


def fact_iri(fact: Fact, reg: Registry, published: str) -> str:
    if fact.family == "PostHolding":
        # the article checker made sure a holding covers the publication date
        person, post = fact.data["person"], fact.data["post"]
        return next(h.iri for h in reg.holdings_of(person) if h.post == post and h.covers(published))
    kind = "measure" if fact.family == "TradeMeasure" else "event"
    return entity_iri(kind, fact.id)


class _Mapper:
    def __init__(self, art: Article, onto: Ontology, reg: Registry, source_file: str):
        self.a = art
        self.onto = onto
        self.reg = reg
        self.w = nq.GraphWriter(article_graph(art.id))
        self.art = article_iri(art.id)
        self.source_file = source_file
        self.n_ev = 0
        self.props = model().field_properties()

    def ent(self, eid: str) -> str:
        return self.reg.entities[eid].iri

    def name(self, eid: str) -> str:
        return self.reg.entities[eid].name

    def run(self) -> nq.GraphWriter:
        a, w, s = self.a, self.w, self.art
        d = a.data
        w.add_iri(s, T, str(TDO.NewsArticle))
        w.add(s, str(DCTERMS.title), nq.lit(d["title"]))
        w.add(s, LABEL, nq.lit(d["title"]))
        w.add_iri(s, str(DCTERMS.publisher), self.ent(d["publisher"]))
        w.add(s, str(DCTERMS.issued), nq.date(d["published"]))
        w.add(s, str(DCTERMS.language), nq.lit(d["language"]))
        if d.get("url"):
            w.add(s, str(SCHEMA.url), nq.iri(d["url"]))
        w.add(s, str(TDO.text), nq.lit(a.text))
        w.add(s, str(TDO.sourceFile), nq.lit(self.source_file))
        for o in d.get("cites", []):
            w.add_iri(s, str(TDO.citesOutlet), self.ent(o))
        for m in a.mentions.values():
            mi = mention_iri(a.id, m.id)
            w.add_iri(mi, T, str(TDO.Mention))
            w.add_iri(mi, str(OA.motivatedBy), str(OA.identifying))
            w.add(mi, str(TDO.mentionId), nq.lit(m.id))
            w.add_iri(mi, str(TDO.mentionType), str(TDO[m.type]))
            if m.entity:
                w.add_iri(mi, str(OA.hasBody), self.ent(m.entity))
            w.add_iri(mi, str(OA.hasTarget), self.target(target_iri(mi), m.span))
        for f in a.facts:
            self.fact(f)
        return w

    def target(self, ti: str, sp: Span) -> str:
        w, text = self.w, self.a.text
        w.add_iri(ti, T, str(OA.SpecificResource))
        w.add_iri(ti, str(OA.hasSource), self.art)
        q, p = selector_iri(ti, "quote"), selector_iri(ti, "position")
        w.add_iri(ti, str(OA.hasSelector), q)
        w.add_iri(ti, str(OA.hasSelector), p)
        w.add_iri(q, T, str(OA.TextQuoteSelector))
        w.add(q, str(OA.exact), nq.lit(sp.text))
        w.add(q, str(OA.prefix), nq.lit(text[max(0, sp.start - CONTEXT): sp.start]))
        w.add(q, str(OA.suffix), nq.lit(text[sp.end: sp.end + CONTEXT]))
        w.add_iri(p, T, str(OA.TextPositionSelector))
        w.add(p, str(OA.start), nq.integer(sp.start))
        w.add(p, str(OA.end), nq.integer(sp.end))
        return ti

    def evidence(self, body: str, spans: list[Span], default_outlet: str | None, fact_id: str) -> None:
        for sp in spans:
            self.n_ev += 1
            ei = evidence_iri(self.a.id, fact_id, self.n_ev)
            w = self.w
            w.add_iri(ei, T, str(TDO.Evidence))
            w.add_iri(ei, str(OA.motivatedBy), str(OA.describing))
            w.add_iri(ei, str(OA.hasBody), body)
            if sp.mention:
                w.add_iri(ei, str(OA.hasTarget), target_iri(mention_iri(self.a.id, sp.mention)))
                w.add_iri(mention_iri(self.a.id, sp.mention), str(TDO.supports), body)
            else:
                w.add_iri(ei, str(OA.hasTarget), self.target(target_iri(ei), sp))
            if sp.role:
                w.add(ei, str(TDO.role), nq.lit(sp.role))
            outlet = sp.attributed_to or default_outlet
            if outlet:
                w.add_iri(ei, str(TDO.attributedTo), self.ent(outlet))
            w.add_iri(ei, str(PROV.wasDerivedFrom), self.art)

    def value(self, s: str, key: str, v: object) -> None:
        self.write(s, *self.props[key], v)

    def write(self, s: str, prop: str, kind: str, v: object) -> None:
        """One field value of a simple kind (kg.model.SIMPLE_KINDS) as triples of ``prop``."""
        w = self.w
        if kind == "entities":
            for x in v:  # type: ignore[attr-defined]
                w.add_iri(s, prop, self.ent(x))
        elif kind == "entity":
            w.add_iri(s, prop, self.ent(str(v)))
        elif kind == "text":
            w.add(s, prop, nq.lit(str(v)))
        elif kind == "texts":
            for x in v:  # type: ignore[attr-defined]
                w.add(s, prop, nq.lit(str(x)))
        elif kind == "integer":
            w.add(s, prop, nq.integer(int(v)))  # type: ignore[call-overload]
        elif kind == "decimal":
            w.add(s, prop, nq.decimal(v))  # type: ignore[arg-type]
        elif kind == "date":
            w.add(s, prop, nq.date(str(v)))
        elif kind == "vocab":
            w.add_iri(s, prop, str(TDO[str(v)]))
        elif kind == "measure_refs":
            for x in v:  # type: ignore[attr-defined]
                w.add_iri(s, prop, entity_iri("measure", str(x)))

    def fact(self, f: Fact) -> None:
        w, d = self.w, f.data
        s = fact_iri(f, self.reg, self.a.published)
        outlet = d.get("attributed_to")
        if f.family != "PostHolding":
            w.add_iri(s, T, str(TDO[f.type]))
            w.add(s, str(TDO.factId), nq.lit(f.id))
            w.add(s, LABEL, nq.lit(self.label(f), "en"))
            w.add_iri(s, str(PROV.wasDerivedFrom), self.art)
            for key, v in d.items():
                if key in self.props:
                    self.value(s, key, v)
            if f.date:
                w.add(s, str(TDO.date), nq.date(f.date))
            if f.date_resolution:
                w.add(s, str(TDO.dateResolution), nq.lit(f.date_resolution))
            if d.get("issued_at"):
                w.add_iri(s, str(TDO.issuedAt), entity_iri("event", d["issued_at"]))
            self.deal_links(s, f)
            if f.quote:
                w.add(s, str(TDO.quotedText), nq.lit(f.quote.text))
                self.evidence(s, [Span(f.quote.start, f.quote.end, f.quote.text, "quote", f.quote.attributed_to)],
                              outlet, f.id)
        self.evidence(s, f.evidence, outlet, f.id)
        for sc in f.status_changes:
            si = status_change_iri(f.id, sc["status"], sc["date"])
            w.add_iri(si, T, str(TDO.StatusChange))
            w.add_iri(si, str(TDO.measure), s)
            w.add_iri(s, str(TDO.statusChange), si)
            w.add_iri(si, str(TDO.status), str(TDO[sc["status"]]))
            w.add(si, str(TDO.date), nq.date(sc["date"]))
            w.add(si, LABEL, nq.lit(self.status_label(f, sc), "en"))
            w.add_iri(si, str(PROV.wasDerivedFrom), self.art)
            if sc.get("until"):
                w.add(si, str(TDO.effectiveUntil), nq.date(sc["until"]))
            if sc.get("new_rate") is not None:
                w.add(si, str(TDO.newRatePercent), nq.decimal(sc["new_rate"]))
            if sc.get("instrument"):
                w.add_iri(si, str(TDO.legalInstrument), self.ent(sc["instrument"]))
            if sc.get("date_expression"):
                w.add(si, str(TDO.dateExpression), nq.lit(sc["date_expression"]))
            if sc.get("date_resolution"):
                w.add(si, str(TDO.dateResolution), nq.lit(sc["date_resolution"]))
            if sc.get("announced"):  # issue 17: announced on one day, in effect on another
                w.add(si, str(TDO.announcementDate), nq.date(sc["announced"]))
            if sc.get("announced_expression"):
                w.add(si, str(TDO.announcementExpression), nq.lit(sc["announced_expression"]))
            self.evidence(si, sc["evidence"], sc.get("attributed_to") or outlet, f.id)

    # ---- agreements, commitments, political events, statements about facts (issue 17, deals) ----
    def ref_iri(self, ref: str) -> str:
        """A fact reference (kg.articles.split_ref): this article's fact by its family, event:ID or
        measure:ID, or a bare id of another article's fact, an event."""
        kind, fid = split_ref(ref)
        if kind is None:
            here = next((g for g in self.a.facts if g.id == fid), None)
            kind = "measure" if here is not None and here.family == "TradeMeasure" else "event"
        return entity_iri(kind, fid)

    def deal_links(self, s: str, f: Fact) -> None:
        """reached_at, about, starts_holding / ends_holding and commitments of a fact."""
        w, d = self.w, f.data
        if d.get("reached_at"):
            w.add_iri(s, str(TDO.reachedAt), self.ref_iri(d["reached_at"]))
        for ref in d.get("about", []):
            w.add_iri(s, str(TDO.about), self.ref_iri(ref))
        for key, prop in (("starts_holding", TDO.startsHolding), ("ends_holding", TDO.endsHolding)):
            for hid in d.get(key, []):
                w.add_iri(s, str(prop), entity_iri("holding", hid))
        m = model()
        for cm in f.commitments:
            ci = commitment_iri(f.id, cm["local"])
            w.add_iri(ci, T, str(TDO.Commitment))
            w.add_iri(s, str(TDO.commitment), ci)
            w.add_iri(ci, str(PROV.wasDerivedFrom), self.art)
            for key, fd in m.commitment_fields.items():
                if fd.mapped and fd.iri and cm.get(key) is not None:
                    self.write(ci, fd.iri, fd.kind, cm[key])
            for mid in cm.get("measures", []):
                w.add_iri(ci, str(TDO.changesMeasure), entity_iri("measure", mid))
            if m.commitment_label is not None:
                w.add(ci, LABEL, nq.lit(self.commitment_label(cm), "en"))
            self.evidence(ci, cm["evidence"], cm.get("attributed_to") or d.get("attributed_to"), f.id)

    def commitment_label(self, cm: dict[str, object]) -> str:
        """A commitment's rdfs:label, from the model's commitment template."""
        m = model()
        assert m.commitment_label is not None
        return m.commitment_label.render(lambda n: self.label_text(m.commitment_fields[n], cm.get(n), frozenset()))

    def label(self, f: Fact, seen: frozenset[str] = frozenset()) -> str:
        """The fact's rdfs:label, from its family's template in the model."""
        m = model()
        fam = m.families[f.family]
        if fam.label is None:  # a holding: no node of its own
            return f.id
        fields = {**m.common, **fam.fields}
        values = {**f.data, "type": f.type}
        values.update({n: f.date for n, d in fields.items() if d.kind == "fact_date"})
        return fam.label.render(lambda n: self.label_text(fields[n], values.get(n), seen | {f.id}))

    def status_label(self, f: Fact, sc: dict[str, object]) -> str:
        """A status change's rdfs:label, from the model's status_change template."""
        m = model()
        values = {**sc, "measure": f.id}
        return m.status_label.render(lambda n: self.label_text(m.status_fields[n], values.get(n), frozenset()))

    def label_text(self, field: Field, v: object, seen: frozenset[str]) -> str | None:
        """A field value as label text (see the top of ontology/model.yaml); None when it has none."""
        if v is None or v == "" or v == []:
            return None
        if field.name == "type":
            return self.onto.label(str(TDO[str(v)]))
        if field.kind == "entity":
            return self.name(str(v))
        if field.kind == "entities":
            return ", ".join(self.name(x) for x in v)  # type: ignore[attr-defined]
        if field.kind == "texts":
            return ", ".join(str(x) for x in v)  # type: ignore[attr-defined]
        if field.kind == "decimal":
            return format(v, "g")
        if field.kind == "vocab":
            return self.onto.label(str(TDO[str(v)]))
        if field.kind == "fact_ref":
            ref = next((g for g in self.a.facts if g.id == v), None)
            return self.label(ref, seen) if ref is not None and ref.id not in seen else str(v)
        return str(v)


def article_quads(art: Article, onto: Ontology, reg: Registry, source_file: str) -> tuple[nq.GraphWriter, nq.GraphWriter]:
    """The article's graph and the graph of its RDFS entailments."""
    w = _Mapper(art, onto, reg, source_file).run()
    return w, entailments(w, article_inferred_graph(art.id), onto)


def entailments(w: nq.GraphWriter, graph: str, onto: Ontology) -> nq.GraphWriter:
    """rdf:type and sub-property entailments of a graph's triples, from the ontology's hierarchy.

    Kept in a separate named graph so asserted and inferred triples stay apart.
    """
    out = nq.GraphWriter(graph)
    seen: set[str] = set()
    t = f"<{T}>"
    for line in w.lines:
        s_end = line.index("> ") + 1
        subj = line[:s_end]
        p_end = line.index("> ", s_end + 1) + 1
        pred = line[s_end + 1: p_end]
        obj = line[p_end + 1: line.rindex(" <")]
        if pred == t:
            supers = onto.superclasses.get(obj[1:-1])
            if supers:
                for c in supers:
                    key = f"{subj} {t} <{c}>"
                    if c != obj[1:-1] and key not in seen:
                        seen.add(key)
                        out.lines.append(f"{key} <{graph}> .\n")
        else:
            supers = onto.superproperties.get(pred[1:-1])
            if supers and len(supers) > 1:
                for sp in supers:
                    key = f"{subj} <{sp}> {obj}"
                    if sp != pred[1:-1] and key not in seen:
                        seen.add(key)
                        out.lines.append(f"{key} <{graph}> .\n")
    return out
