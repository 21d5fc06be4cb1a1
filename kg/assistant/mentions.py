"""Mention proposals: known entities by name, alias or annotated surface form, surnames after a full name,
and candidate people, agencies and governments the registry does not know."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from kg.assistant.knowledge import PRIORS, Knowledge, Surface, _holder_jurisdiction, _mention_type, _raw
from kg.namespaces import slug

TITLE_WORDS = ("President", "Prime Minister", "Minister", "Secretary", "Chancellor", "Ambassador", "Commissioner",
               "Governor", "Senator", "Representative", "Premier", "Spokesperson", "spokesperson", "Chairman",
               "Chair", "Envoy", "negotiator", "minister", "secretary", "president", "chancellor", "ambassador")
STOP_WORDS = {"The", "A", "An", "In", "On", "At", "As", "But", "And", "For", "Of", "To", "After", "Before", "Since",
              "Under", "While", "When", "If", "Until", "This", "That", "These", "Those", "It", "Its", "Their", "They",
              "He", "She", "We", "Officials", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
              "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December", "Prime", "Minister", "Secretary", "President", "Trade", "Group",
              "Economic", "Section", "Executive", "Order", "Act", "Deal", "Japanese", "American", "British",
              "Chinese", "European", "Stock", "Cars", "Talks", "Treasury", "Commerce", "Liberation", "Day", "Seven"}
_WORD = r"[^\W\d_]"
_NAME = rf"[A-Z]{_WORD}+(?:-[A-Z]{_WORD}+)?"


@dataclass
class Proposal:
    start: int
    end: int
    text: str
    entity: str | None
    type: str
    confidence: float
    rule: str
    note: str | None = None


def _choose(k: Knowledge, cands: list[Surface], matched: str, day: str, context: Counter[str],
            ctx: str = "*") -> Surface | None:
    exact = [s for s in cands if s.text in (matched, "the " + matched, "The " + matched)]
    pool = exact or [s for s in cands if len(s.text.split()) > 1 or s.text.lower() == s.text]
    if not pool:
        return None
    ents = {s.entity for s in pool}
    if len(ents) > 1:
        # several entities share this form: prefer a post whose holder today is in the article,
        # else the entity whose jurisdiction the article mentions most, else the corpus's favourite
        def score(s: Surface) -> tuple[int, int, int]:  # noqa: B023
            holder = 0
            if s.entity and (ent := k.reg.get(s.entity)) and ent.section == "posts":
                holder = sum(context[p] for p in k.reg.holders(ent.id, day))
            jur = _holder_jurisdiction(k.reg, s.entity or "", day)
            return holder, context[jur] if jur else 0, int(100 * k.confidence(matched, s.entity, s.rule, ctx))
        pool = sorted(pool, key=score, reverse=True)
    return pool[0]


def _dictionary(k: Knowledge, text: str, published: str, use_rates: bool = True) -> list[Proposal]:
    """Known entities by name, alias or annotated surface form; surnames after the full name."""
    raw = _raw(k, text)
    # a first pass for context: which entities does the article name unambiguously?
    context: Counter[str] = Counter()
    for _, _, t, cands, _ in raw:
        ents = {s.entity for s in cands if s.text == t}
        if len(ents) == 1 and None not in ents:
            e = next(iter(ents))
            context[e] += 1  # type: ignore[index]
            jur = _holder_jurisdiction(k.reg, e, published)  # type: ignore[arg-type]
            if jur:
                context[jur] += 1
    out: list[Proposal] = []
    named: set[str] = set()
    for start, end, t, cands, ctx in raw:
        s = _choose(k, cands, t, published, context, ctx)
        if s is None:
            continue
        rule = s.rule if s.text.lower() in (t.lower(), "the " + t.lower()) and (
            s.text == t or s.text[4:] == t) else "case-insensitive"
        if s.entity and (ent := k.reg.get(s.entity)) is not None and ent.section == "posts" and t[:1].islower():
            rule = "post-title"
        typ = k.types.get((t, s.entity), Counter()).most_common(1)
        conf = k.confidence(t, s.entity, rule, ctx) if use_rates else 1.0
        note = None
        if s.entity and (ent := k.reg.get(s.entity)) is not None and ent.section == "posts":
            holders = k.reg.holders(ent.id, published)
            if holders:
                note = f"held on {published} by {', '.join(holders)}"
        out.append(Proposal(start, end, t, s.entity, typ[0][0] if typ else s.type, conf, rule, note))
        if s.entity:
            named.add(s.entity)
    out.extend(_surnames(k, text, published, out, named))
    return sorted(out, key=lambda p: p.start)


def _surnames(k: Knowledge, text: str, published: str, found: list[Proposal], named: set[str]) -> list[Proposal]:
    taken = [(p.start, p.end) for p in found]
    out = []
    for eid in named:
        ent = k.reg.get(eid)
        if ent is None or ent.section != "people":
            continue
        surname = ent.name.split()[-1]
        if surname in ent.aliases or len(surname) < 3:
            continue  # the alias matcher already finds it
        first = min((p.end for p in found if p.entity == eid), default=None)
        if first is None:
            continue
        for m in re.finditer(rf"(?<![\w]){re.escape(surname)}(?![\w])", text):
            if m.start() >= first and not any(a < m.end() and m.start() < b for a, b in taken):
                out.append(Proposal(m.start(), m.end(), surname, eid, _mention_type(k.reg, ent),
                                    PRIORS["surname-after-name"], "surname-after-name"))
    return out


def _candidates(text: str, taken: list[tuple[int, int]]) -> list[Proposal]:
    """Names the registry does not know that look like people, agencies or governments."""
    out: list[Proposal] = []

    def free(a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y in taken + [(p.start, p.end) for p in out])

    titles = "|".join(sorted((re.escape(t) for t in TITLE_WORDS), key=len, reverse=True))
    person = re.compile(rf"(?:(?:{titles})\s+)({_NAME}(?:\s+{_NAME}){{1,2}})|({_NAME}(?:\s+{_NAME}){{1,2}})"
                        rf"(?=,?\s+(?:said|says|told|added|wrote)\b)")
    for m in person.finditer(text):
        g = 1 if m.group(1) else 2
        name = m.group(g)
        words = name.split()
        if any(w in STOP_WORDS for w in words) or not free(m.start(g), m.end(g)):
            continue
        out.append(Proposal(m.start(g), m.end(g), name, None, "Official" if g == 1 else "Person", 0.6,
                            "candidate-person", f"not in the registry: add it as people: id {slug(name)}"))
        surname = words[-1]
        for s in re.finditer(rf"(?<![\w]){re.escape(surname)}(?![\w])", text):
            if s.start() > m.end(g) and free(s.start(), s.end()):
                out.append(Proposal(s.start(), s.end(), surname, None, "Official" if g == 1 else "Person", 0.55,
                                    "candidate-person", f"surname of {name}, not in the registry"))
    body = re.compile(rf"\b((?:Ministry|Department|Office|Bureau|Agency|Commission)\s+(?:of|for)\s+(?:the\s+)?"
                      rf"{_NAME}(?:\s+(?:and\s+)?{_NAME})*|{_NAME}(?:\s+{_NAME})*\s+(?:Ministry|Department|Agency))\b")
    for m in body.finditer(text):
        if free(m.start(1), m.end(1)) and m.group(1).split()[0] not in STOP_WORDS - {"Trade", "Economic", "Commerce"}:
            out.append(Proposal(m.start(1), m.end(1), m.group(1), None, "GovernmentBody", 0.55, "candidate-body",
                                f"not in the registry: add it as organisations: id {slug(m.group(1))}, "
                                "class GovernmentBody"))
    gov = re.compile(rf"\bthe\s+({_NAME}\s+government)\b")
    for m in gov.finditer(text):
        if free(m.start(1), m.end(1)):
            out.append(Proposal(m.start(1), m.end(1), m.group(1), None, "Government", 0.5, "candidate-government",
                                "not in the registry: add it as organisations: class Government"))
    return out


def propose_mentions(k: Knowledge, text: str, published: str) -> list[Proposal]:
    known = _dictionary(k, text, published)
    cands = _candidates(text, [(p.start, p.end) for p in known])
    return sorted(known + cands, key=lambda p: p.start)
