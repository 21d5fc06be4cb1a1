"""Post-holding facts: a post title right before its holder's name ("Treasury Secretary Scott Bessent")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.assistant.drafter import Drafter


def holdings(d: Drafter) -> None:
    """PostHolding facts for each post mention followed directly by its holder's name."""
    n = d.names
    ms = d.mentions
    for a, b in zip(ms, ms[1:], strict=False):
        if not (a.entity and b.entity) or not re.fullmatch(r"\s+", d.text[a.end:b.start] or "x"):
            continue
        post, person = d.k.reg.get(a.entity), d.k.reg.get(b.entity)
        if post is None or person is None or post.section != "posts" or person.section != "people":
            continue
        if any(h.post == post.id and h.covers(d.pub) for h in d.k.reg.holdings_of(person.id)):
            d.facts.append({"id": d.fid(f"holding-{person.id}-{post.id}"), "type": "PostHolding",
                            n.person: person.id, n.post: post.id,
                            "evidence": [d.ids[id(a)], d.ids[id(b)]],
                            "confidence": 0.9, "rule": "post-holding"})
