"""What the assistant knows: surface forms of registry entities and of the corpus's mentions, with the
rate at which the corpus annotates each form, and how to find those forms in a text."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.articles import Article
from kg.assistant.rates import _learn_tariff_phrases
from kg.registry import Entity, Registry

PRIORS = {"registry-name": 0.9, "registry-alias": 0.8, "corpus-surface": 0.75, "surname-after-name": 0.8,
          "post-title": 0.7, "case-insensitive": 0.6}
MENTION_SECTIONS = ("jurisdictions", "organisations", "posts", "people", "instruments")


@dataclass
class Surface:
    text: str
    entity: str | None
    type: str
    rule: str


@dataclass
class Knowledge:
    """What the assistant knows: the registry, and surface forms with their annotation rates from a corpus."""

    reg: Registry
    surfaces: list[Surface]
    # (text, entity, context) -> (hits, seen): how often the form, where the corpus has it, was annotated
    # as that entity; context is the word before ("in", "to", ...) or "*" for all contexts
    rates: dict[tuple[str, str | None, str], tuple[int, int]] = field(default_factory=dict)
    types: dict[tuple[str, str | None], Counter[str]] = field(default_factory=dict)
    strip_the: bool = True  # annotators leave a leading "the" out of mention spans
    tariff_rates: dict[str, tuple[int, int]] = field(default_factory=dict)  # rate phrase kind -> (hits, seen)

    def confidence(self, text: str, entity: str | None, rule: str, ctx: str = "*") -> float:
        prior = PRIORS.get(rule, 0.6)
        hits, seen = self.rates.get((text, entity, ctx), (0, 0))
        if seen < 2:
            hits, seen = self.rates.get((text, entity, "*"), (0, 0))
        if seen == 0:
            return prior
        return round((hits + prior * 2) / (seen + 2), 3)  # smoothed towards the rule's prior


def _mention_type(reg: Registry, ent: Entity) -> str:
    return ent.cls or "Organisation"


def build_knowledge(reg: Registry, corpus: Iterable[Article] = ()) -> Knowledge:
    """Surface forms from the registry (names, aliases) and from the corpus's mentions,
    with the rate at which each form was annotated where it occurs in the corpus."""
    surfaces: list[Surface] = []
    seen: set[tuple[str, str | None]] = set()

    def add(text: str, entity: str | None, typ: str, rule: str) -> None:
        text = text.strip()
        if len(text) < 2 or (text, entity) in seen:
            return
        seen.add((text, entity))
        surfaces.append(Surface(text, entity, typ, rule))

    for ent in reg.entities.values():
        if ent.section not in MENTION_SECTIONS:
            continue
        typ = _mention_type(reg, ent)
        add(ent.name, ent.id, typ, "registry-name")
        for a in ent.aliases:
            add(a, ent.id, typ, "registry-alias")
    arts = list(corpus)
    types: dict[tuple[str, str | None], Counter[str]] = defaultdict(Counter)
    for art in arts:
        for m in art.mentions.values():
            add(m.span.text, m.entity, m.type, "corpus-surface")
            types[(m.span.text, m.entity)][m.type] += 1
    k = Knowledge(reg, surfaces, {}, dict(types))
    texts = [m.span.text for a in arts for m in a.mentions.values()]
    if texts:
        k.strip_the = sum(t.lower().startswith("the ") for t in texts) < 0.2 * len(texts)
    # annotation rates: match every known form in each corpus article and compare with its mentions
    counts: dict[tuple[str, str | None, str], list[int]] = defaultdict(lambda: [0, 0])
    for art in arts:
        gold = {(m.span.start, m.span.end, m.entity) for m in art.mentions.values()}
        for start, end, t, cands, ctx in _raw(k, art.text):
            for e in {c.entity for c in cands}:
                hit = (start, end, e) in gold
                for key in ((t, e, ctx), (t, e, "*")):
                    counts[key][1] += 1
                    counts[key][0] += hit
    k.rates = {key: (h, s) for key, (h, s) in counts.items()}
    k.tariff_rates = _learn_tariff_phrases(arts)
    return k


def _pattern(k: Knowledge) -> tuple[re.Pattern[str], dict[str, list[Surface]]]:
    cached = getattr(k, "_pattern_cache", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    by_lower: dict[str, list[Surface]] = defaultdict(list)
    for s in k.surfaces:
        by_lower[s.text.lower()].append(s)
    alts = sorted(by_lower, key=len, reverse=True)
    pat = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(a) for a in alts) + r")(?![\w])", re.I)
    k._pattern_cache = (pat, by_lower)  # type: ignore[attr-defined]
    return pat, by_lower


def _holder_jurisdiction(reg: Registry, eid: str, day: str) -> str | None:
    """The jurisdiction an entity acts for: a person's post's government's country, etc."""
    ent = reg.get(eid)
    seen = 0
    while ent is not None and seen < 6:
        seen += 1
        if ent.section == "jurisdictions":
            return ent.id
        if ent.section == "people":
            posts = [h.post for h in reg.holdings_of(ent.id) if h.covers(day)]
            ent = reg.get(posts[0]) if posts else None
        elif ent.section == "posts":
            ent = reg.get(ent.data.get("post_in", ""))
        elif ent.section == "organisations":
            nxt = ent.data.get("government_of") or ent.data.get("part_of")
            ent = reg.get(nxt) if nxt else None
        else:
            return None
    return None


_CTX_WORDS = {"in", "to", "at", "from", "of", "with", "the", "by", "for"}


def _raw(k: Knowledge, text: str) -> list[tuple[int, int, str, list[Surface], str]]:
    """Every match of a known form: start, end, words (a leading "the" dropped when annotators do),
    the known forms it can be, and the word before it (for context-dependent rates)."""
    pat, by_lower = _pattern(k)
    out = []
    for m in pat.finditer(text):
        start, t = m.start(), m.group(0)
        cands = by_lower[t.lower()]
        if t.isupper() and len(t) > 4 and not any(c.text == t for c in cands):
            continue  # a shouted headline ("TRUMP'S TARIFFS") is not a mention
        if k.strip_the and t[:4].lower() == "the " and len(t) > 6:
            start, t = start + 4, t[4:]
        before = re.search(r"(\w+)\W*$", text[max(0, start - 20):start])
        word = before.group(1).lower() if before else ""
        out.append((start, m.end(), t, cands, word if word in _CTX_WORDS else "-"))
    return out
