"""The draft: mention proposals and the facts drawn from them, as a ``tradekg-article/1`` document."""

from __future__ import annotations

from collections import Counter
from typing import Any

from kg.assistant.fields import Fields
from kg.assistant.holdings import holdings
from kg.assistant.knowledge import Knowledge
from kg.assistant.meetings import meetings
from kg.assistant.mentions import Proposal, propose_mentions
from kg.assistant.quotes import quotes
from kg.assistant.sentences import Sentence, sentences
from kg.assistant.tariffs import tariffs
from kg.model import model
from kg.namespaces import slug

THRESHOLD = 0.5


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

    def run(self) -> list[dict[str, Any]]:
        holdings(self)
        meetings(self)
        tariffs(self)
        quotes(self)
        return self.facts


def draft(k: Knowledge, text: str, published: str, article_id: str, title: str | None = None,
          publisher: str | None = None, language: str = "en", threshold: float = THRESHOLD) -> dict[str, Any]:
    """A ``tradekg-article/1`` draft of proposals for ``text`` (text inline; the caller may swap in text_file)."""
    d = Drafter(k, text, published, article_id, threshold)
    facts = d.run()
    mentions = []
    for p in d.mentions:
        m: dict[str, Any] = {"id": d.ids[id(p)], "type": p.type, "span": [p.start, p.end], "text": p.text}
        if p.entity:
            m["entity"] = p.entity
        m["confidence"] = round(p.confidence, 3)
        m["rule"] = p.rule + (f" ({p.note})" if p.note else "")
        mentions.append(m)
    first_line = text.split("\n", 1)[0].strip()
    return {"format": "tradekg-article/1", "id": article_id, "title": title or first_line or article_id,
            "publisher": publisher or "unknown-publisher", "published": published, "language": language,
            "note": "Draft by tradekg annotate: every proposal has a confidence and the rule that made it; "
                    "review, correct, then delete confidence/rule.", "text": text,
            "mentions": mentions, "facts": facts}
