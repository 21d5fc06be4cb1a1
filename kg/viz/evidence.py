"""The evidence behind facts: each supporting quote with its article, date, outlet and link.

Evidence is a ``tdo:Evidence`` Web Annotation whose body is the fact and whose
target selects the exact words of an article (``oa:TextQuoteSelector``): it is read from the article
graphs (:func:`kg.evidence.evidence_records`); the articles' titles, dates, outlets and links from the
knowledge graph.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kg.evidence import Evidence, evidence_records
from kg.model import model
from kg.store.base import GraphStore

ARTICLE_QUERY = """
SELECT ?art ?title ?issued ?publisher ?url WHERE {
  VALUES ?art { %s }
  ?art a tdo:NewsArticle .
  OPTIONAL { ?art dcterms:title ?title }
  OPTIONAL { ?art dcterms:issued ?issued }
  OPTIONAL { ?art dcterms:publisher ?publisher }
  OPTIONAL { ?art schema:url ?url }
}"""

Quote = Evidence
"""The graph page's name for a piece of evidence (:class:`kg.evidence.Evidence`)."""

ROLE_OF_PROPERTY = {prop: field_name for field_name, (prop, _) in model().field_properties().items()}
"""Property IRI -> the article field (evidence role) it was mapped from, e.g. tdo:participant -> participants."""


@dataclass(frozen=True)
class ArticleInfo:
    iri: str
    title: str
    date: str | None
    publisher: str | None  # IRI
    url: str | None


def _v(term: Any) -> str | None:
    return None if term is None else str(term.value)


def load_evidence(store: GraphStore, facts: set[str]) -> tuple[dict[str, list[Quote]], dict[str, ArticleInfo]]:
    """Quotes by fact IRI (for the given facts) and the articles they come from."""
    by_fact: dict[str, dict[str, Quote]] = defaultdict(dict)
    for q in evidence_records(store, facts):
        by_fact[q.fact].setdefault(q.id, q)
    wanted = {q.article for qs in by_fact.values() for q in qs.values()}
    articles: dict[str, ArticleInfo] = {}
    values = " ".join(f"<{a}>" for a in sorted(wanted))
    for r in store.query(ARTICLE_QUERY % values, union=False) if wanted else ():  # the articles, from the KG
        a = r["art"].value
        articles[a] = ArticleInfo(iri=a, title=_v(r["title"]) or a, date=_v(r["issued"]),
                                      publisher=_v(r["publisher"]), url=_v(r["url"]))
    out = {f: sorted(qs.values(), key=lambda q: (articles[q.article].date or "", q.article, q.start or 0, q.id))
           for f, qs in by_fact.items()}
    return out, articles


def edge_quotes(quotes: dict[str, list[Quote]], facts: list[str], source: str, prop: str, target: str) -> list[Quote]:
    """The quotes that support one edge ``source --prop--> target``.

    An edge comes from a fact (one of its ends, or a hidden fact such as a post
    holding). Its quotes are the fact's evidence that names the other end
    (a mention of it), that supports the field the property was mapped from
    (``role``), or that supports the whole fact (no role, no mention). Evidence
    for other fields of the same fact (the place of a meeting, for a
    participant edge) is left out.
    """
    role = ROLE_OF_PROPERTY.get(prop)
    out: list[Quote] = []
    for f in facts:
        other = target if f == source else source if f == target else None
        for q in quotes.get(f, []):
            if other is None:  # a hidden fact (holding, status change): all its evidence
                out.append(q)
            elif q.mentioned is not None:
                if q.mentioned == other:
                    out.append(q)
            elif q.role is None or q.role == role:
                out.append(q)
    seen: set[str] = set()
    return [q for q in out if not (q.id in seen or seen.add(q.id))]  # type: ignore[func-returns-value]
