"""One draft in the making (:class:`Drafter`): the state the fact families (holdings, meetings, tariffs,
quotes) read and add to. Kept apart from :mod:`kg.assistant.draft`, which runs the families, so that the
families can name this class without importing the module that imports them."""

from __future__ import annotations

from collections import Counter
from typing import Any

from kg.assistant.fields import Fields
from kg.assistant.knowledge import Knowledge
from kg.assistant.mentions import Proposal, propose_mentions
from kg.assistant.sentences import Sentence, sentences
from kg.model import model
from kg.namespaces import slug


class Drafter:
    """One draft in the making: the article, its mention proposals and their ids, its sentences,
    and the facts the fact families add."""

    def __init__(self, k: Knowledge, text: str, published: str, article_id: str, threshold: float) -> None:
        self.k, self.text, self.pub, self.aid, self.threshold = k, text, published, article_id, threshold
        self.names = Fields.of(model())  # the model's names of the fields the fact families fill
        self.mentions = [p for p in propose_mentions(k, text, published) if p.confidence >= threshold]
        self.ids: dict[int, str] = {}
        counter: Counter[str] = Counter()
        for p in self.mentions:
            base = p.entity or slug(p.text)
            counter[base] += 1
            self.ids[id(p)] = f"{base}-{counter[base]}"
        self.sents = sentences(text)
        self.facts: list[dict[str, Any]] = []
        self.fact_ids: Counter[str] = Counter()

    def fid(self, base: str) -> str:
        base = slug(base)
        self.fact_ids[base] += 1
        n = self.fact_ids[base]
        return f"{self.aid}.{base}" + (f"-{n}" if n > 1 else "")

    def ev(self, a: int, b: int, role: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"span": [a, b], "text": self.text[a:b]}
        if role:
            out["role"] = role
        return out

    def in_sentence(self, s: Sentence) -> list[Proposal]:
        return [p for p in self.mentions if s.start <= p.start and p.end <= s.end]

    def person(self, p: Proposal) -> str | None:
        """The person a mention stands for: a person, or the holder of a post on the publication date."""
        if not p.entity:
            return None
        ent = self.k.reg.get(p.entity)
        if ent is None:
            return None
        if ent.section == "people":
            return ent.id
        if ent.section == "posts":  # "the prime minister said": the post's one holder on the publication date
            holders = self.k.reg.holders(ent.id, self.pub)
            return holders[0] if len(holders) == 1 else None
        return None
