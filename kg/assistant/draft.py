"""The draft: mention proposals and the facts drawn from them, as a ``tradekg-article/1`` document."""

from __future__ import annotations

from typing import Any

from kg.assistant.drafter import Drafter
from kg.assistant.holdings import holdings
from kg.assistant.knowledge import Knowledge
from kg.assistant.meetings import meetings
from kg.assistant.quotes import quotes
from kg.assistant.tariffs import tariffs

THRESHOLD = 0.5


def draft(k: Knowledge, text: str, published: str, article_id: str, title: str | None = None,
          publisher: str | None = None, language: str = "en", threshold: float = THRESHOLD) -> dict[str, Any]:
    """A ``tradekg-article/1`` draft of proposals for ``text`` (text inline; the caller may swap in text_file)."""
    d = Drafter(k, text, published, article_id, threshold)
    for family in (holdings, meetings, tariffs, quotes):  # each adds its facts to d.facts
        family(d)
    facts = d.facts
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
