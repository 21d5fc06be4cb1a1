"""Reading evidence: ``tdo:Evidence`` Web Annotations, whose body is a fact and whose target selects the
exact words of an article (``oa:TextQuoteSelector``, with an ``oa:TextPositionSelector`` for the offsets).

:func:`evidence_records` reads every piece of evidence of a store with one query (:data:`EVIDENCE_QUERY`),
as :class:`Evidence` records. The graph page and ``tradekg analyze`` read evidence this way
(:mod:`kg.viz.evidence`). Three other readers work on graphs already in memory and keep their own
traversal: the validation report (:func:`kg.validate.sources_of`, an rdflib copy of the store, one node at a
time) and the annotation exports (:mod:`kg.annotations.store_articles`, :mod:`kg.annotations.webanno`: one
article graph as a dict, evidence and mentions sharing their targets, in build order).
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass
from typing import Any

from kg.store.base import GraphStore

EVIDENCE_QUERY = """
SELECT DISTINCT ?ev ?body ?exact ?prefix ?suffix ?start ?role ?outlet ?art ?mentioned WHERE { GRAPH ?g {
  ?ev a tdo:Evidence ; oa:hasBody ?body ; oa:hasTarget ?t .
  ?t oa:hasSource ?art ; oa:hasSelector ?q .
  ?q a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL { ?q oa:prefix ?prefix }
  OPTIONAL { ?q oa:suffix ?suffix }
  OPTIONAL { ?t oa:hasSelector ?pos . ?pos a oa:TextPositionSelector ; oa:start ?start }
  OPTIONAL { ?ev tdo:role ?role }
  OPTIONAL { ?ev tdo:attributedTo ?outlet }
  OPTIONAL { ?m a tdo:Mention ; oa:hasTarget ?t ; oa:hasBody ?mentioned }
} }"""
"""One row per piece of evidence (and per mention sharing its target): the variables of :class:`Evidence`.
Evidence is what an article claims, so it is read from the article graphs (the knowledge graph has none)."""


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: the words, where they are, and who said it according to whom."""

    id: str
    fact: str
    exact: str
    prefix: str
    suffix: str
    start: int | None
    role: str | None
    outlet: str | None  # IRI of the outlet the article attributes it to
    article: str
    mentioned: str | None  # entity named by the quoted words, when the evidence is a mention


def _v(term: Any) -> str | None:
    return None if term is None else str(term.value)


def evidence_records(store: GraphStore, facts: Container[str] | None = None) -> Iterator[Evidence]:
    """Every row of :data:`EVIDENCE_QUERY` as an :class:`Evidence` (an evidence IRI may come more than once);
    with ``facts``, only the evidence of those facts (the other rows are not looked at)."""
    for r in store.query(EVIDENCE_QUERY, union=False):
        if facts is not None and r["body"].value not in facts:
            continue
        yield Evidence(id=r["ev"].value, fact=r["body"].value, exact=r["exact"].value, prefix=_v(r["prefix"]) or "",
                       suffix=_v(r["suffix"]) or "", start=int(r["start"].value) if r["start"] is not None else None,
                       role=_v(r["role"]), outlet=_v(r["outlet"]), article=r["art"].value,
                       mentioned=_v(r["mentioned"]))
