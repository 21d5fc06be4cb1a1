"""Held-out evaluation of the assistant: draft each article of a frozen set with the knowledge of a
corpus that does not contain it, and score the drafts per article and per fact family."""

from __future__ import annotations

from dataclasses import dataclass

from kg.articles import Article
from kg.assistant.draft import THRESHOLD, draft
from kg.assistant.evaluate import ArticleScore, report, score_meetings, score_mentions, score_tariffs
from kg.assistant.families import FamilyScores, family_report, score_families
from kg.errors import InputError, Problem
from kg.registry import Registry


@dataclass
class HeldOut:
    """The scores of a held-out set: the leave-one-out style table per article, and per family."""

    articles: list[ArticleScore]
    families: FamilyScores

    def report(self) -> str:
        return report(self.articles) + "\n\nper fact family (all held-out articles):\n" + family_report(self.families)


def held_out(reg: Registry, corpus: list[Article], held: list[Article], threshold: float = THRESHOLD) -> HeldOut:
    """Draft each article of ``held`` with knowledge built from ``corpus`` alone, and score it.

    An article id present in both is refused: the held-out set must be unknown to the assistant."""
    from kg.assistant import knowledge  # build_knowledge looked up on its module, where tests replace it

    ids = {a.id for a in corpus}
    both = [a for a in held if a.id in ids]
    if both:
        raise InputError([Problem(a.file, f"article id {a.id!r} is both in the corpus and in the held-out set; "
                                          "a held-out article must be unknown to the assistant") for a in both])
    k = knowledge.build_knowledge(reg, corpus)
    known_ids = {str(f["id"]) for a in corpus for f in a.data.get("facts", [])}
    scores: list[ArticleScore] = []
    total = FamilyScores()
    for art in held:
        d = draft(k, art.text, art.published, art.id, publisher=art.data["publisher"], threshold=threshold)
        gold_m = [{"span": [m.span.start, m.span.end], "entity": m.entity} for m in art.mentions.values()]
        scores.append(ArticleScore(art.id, score_mentions(gold_m, d["mentions"]),
                                   score_tariffs(art.data["facts"], d["facts"]),
                                   score_meetings(art.data["facts"], d["facts"])))
        total.add(score_families(art.data["facts"], d["facts"], art.published, known_ids))
    return HeldOut(scores, total)
