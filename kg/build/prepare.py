"""One checked article mapped to what the write step stores for it (:class:`_Prepared`).

Its :class:`kg.store.GraphUpdate` replaces the article's graph and its entailments graph
(``<graph>/inferred``) and sets its manifest row (source file, hash, stat signature, build key).
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.article_rdf import article_quads
from kg.articles import Article
from kg.build.corpus import Corpus, _corpus_relative
from kg.namespaces import article_graph, article_inferred_graph
from kg.ontology import Ontology
from kg.registry import Registry
from kg.store import GraphUpdate


@dataclass(frozen=True)
class _Prepared:
    """One checked article, mapped: its graph update (graph, entailments, manifest row) and quad count."""

    article_id: str
    source_key: str
    update: GraphUpdate
    quads: int


def _prepare(art: Article, source_key: str, digest: str, sig: str, key: str, corpus: Corpus, onto: Ontology,
             reg: Registry) -> _Prepared:
    w, inferred = article_quads(art, onto, reg, _corpus_relative(source_key, corpus.folders))
    update = GraphUpdate(article_graph(art.id), w.text(), ((article_inferred_graph(art.id), inferred.text()),),
                         manifest=(("sourceFile", source_key), ("sourceHash", digest), ("sourceStat", sig),
                                   ("buildKey", key)))
    return _Prepared(art.id, source_key, update, len(w) + len(inferred))
