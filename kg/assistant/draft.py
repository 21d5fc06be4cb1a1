"""The drafting assistant: proposes annotations for a new article, for a person to review.

Everything is rule-based (regular expressions over the text plus what the
registry and the already annotated corpus know); no model is downloaded.
Every proposal carries ``confidence`` (0-1) and ``rule`` (which rule made it):

* ``registry-name`` / ``registry-alias`` / ``corpus-surface``: a name, alias or an
  annotated surface form of a known entity. The confidence is how often that
  surface, where it occurs in the corpus, was annotated as that entity
  (Laplace-smoothed); forms the corpus never shows get a prior by rule;
* ``surname-after-name``: a registry person's surname after their full name;
* ``post-title``: a post title on its own ("the commerce secretary"); a
  generic title is resolved to the post whose holder on the publication date
  (registry holdings) or whose country the article mentions most;
* ``candidate-person`` / ``candidate-body`` / ``candidate-government``: names not
  in the registry that look like people (after a title, before "said"),
  agencies ("Ministry of ...") or governments ("the Korean government");
* facts: ``post-holding`` (a title right before its holder's name), ``tariff-rate``
  ("a 24% tariff"), ``rate-change`` ("cut from 27.5% to 15%"), ``pause`` ("paused
  for 90 days"), ``meeting`` (who met whom, where, when; dates resolved against the
  publication date by :func:`kg.dates.resolve`), ``quote`` (quoted words with the
  person the sentence says spoke them).

Only proposals with confidence >= ``threshold`` (default 0.5) go into the draft.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import dates
from kg.articles import Article
from kg.namespaces import slug
from kg.registry import Entity, Registry

THRESHOLD = 0.5
PRIORS = {"registry-name": 0.9, "registry-alias": 0.8, "corpus-surface": 0.75, "surname-after-name": 0.8,
          "post-title": 0.7, "case-insensitive": 0.6}
MENTION_SECTIONS = ("jurisdictions", "organisations", "posts", "people", "instruments")
PERSON_CLASSES = {"Person", "Official", "HeadOfState", "HeadOfGovernment", "Minister"}
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
_RATE = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)\s?(?:%|percent\b|per cent\b)")
_TARIFF_WORDS = re.compile(r"\b(tariffs?|duty|duties|levy|levies|charges?|rate|baseline|reciprocal)\b", re.I)
_DATE_EXPR = re.compile(
    r"\b(?:(?:on|last|next|this|since|from|until|by|before|after)\s+)?(?:"
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:\s+(?:morning|afternoon|evening|night))?"
    r"|(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2}(?!\d)"
    r"|\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"|today|yesterday|tomorrow)\b")
_MEETING = [("PhoneCall", re.compile(r"\b(?:by (?:tele)?phone|phone call|(?:tele)?phone talks|called)\b", re.I)),
            ("Summit", re.compile(r"\bsummit\b", re.I)),
            ("Talks", re.compile(r"\b(?:talks|round of|negotiations?)\b", re.I)),
            ("Meeting", re.compile(r"\b(?:met|meets|meeting|meet|spoke with|sat down with|hosted|received)\b", re.I))]
_MEETING_PAST = re.compile(r"\b(?:met|meets|meeting|held|holds?|spoke|speak|sat down|hosted|received|opened|talked|"
                           r"took part|joined|called|saw)\b", re.I)
_FUTURE = re.compile(r"\b(?:will|would|expected to|plans? to|could|may|might|is to|are to|wants? to|"
                     r"did not|didn't|not take part|nears?|before then)\b", re.I)
_JOIN = re.compile(r"\b(?:also took part|took part in the (?:meeting|talks)|attended the (?:meeting|talks|summit)|"
                   r"also attended|joined (?:the|them|him|her)|were present|also present|sat in)\b", re.I)
_PLACE = re.compile(rf"\b(?:in|at)\s+((?:the\s+)?{_NAME}(?:\s+{_NAME})*(?:,\s+D\.C\.)?)")
_QUOTE = re.compile(r"\"([^\"\n]{3,}?)\"|“([^”\n]{3,}?)”")
_SAY = re.compile(r"\b(said|says|wrote|told|added|posted|stated|declared|argued|warned|noted)\b")


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


# ---- mentions ------------------------------------------------------------------

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


# ---- facts -----------------------------------------------------------------------

@dataclass
class Sentence:
    start: int
    end: int
    text: str


_ABBREV = re.compile(r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|St|No|Gen|Sen|Rep|Gov|Jr|Sr|Inc|Co|Corp|Ltd|vs|etc|approx))$")
_BOUNDARY = re.compile(r"[.!?]+[\"”’)]*(?=\s+[\"“‘(]?[A-Z0-9])|\n")


def sentences(text: str) -> list[Sentence]:
    r"""Sentences (and headline lines): a stop followed by a capital, not after an abbreviation such as U.S.

    >>> [s.text for s in sentences("The U.S. and Japan met. Talks went on.\nNext")]
    ['The U.S. and Japan met.', 'Talks went on.', 'Next']
    """
    out: list[Sentence] = []
    start = 0

    def add(a: int, b: int) -> None:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append(Sentence(a, b, text[a:b]))

    for m in _BOUNDARY.finditer(text):
        if m.group(0) != "\n" and _ABBREV.search(text[start:m.start() + 1]):
            continue
        add(start, m.end())
        start = m.end()
    add(start, len(text))
    return out


def _resolve(expr: str, published: str) -> str | None:
    r = dates.resolve(expr, dt.date.fromisoformat(published))
    return r[0].isoformat() if r else None


def _date_in(s: Sentence, published: str, text: str) -> tuple[str, tuple[int, int]] | None:
    """The first date expression of a sentence that resolves ("until July 8" is an end, not a date)."""
    for m in _DATE_EXPR.finditer(s.text):
        expr = m.group(0)
        if re.match(r"(?:until|by|before)\b", expr):
            continue
        if _resolve(expr, published):
            return expr, (s.start + m.start(), s.start + m.end())
    return None


class _Drafter:
    def __init__(self, k: Knowledge, text: str, published: str, article_id: str, threshold: float):
        self.k, self.text, self.pub, self.aid, self.threshold = k, text, published, article_id, threshold
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
        self.holdings()
        self.meetings()
        self.tariffs()
        self.quotes()
        return self.facts

    # -- post holdings: "Treasury Secretary Scott Bessent" ------------------------------------
    def holdings(self) -> None:
        ms = self.mentions
        for a, b in zip(ms, ms[1:], strict=False):
            if not (a.entity and b.entity) or not re.fullmatch(r"\s+", self.text[a.end:b.start] or "x"):
                continue
            post, person = self.k.reg.get(a.entity), self.k.reg.get(b.entity)
            if post is None or person is None or post.section != "posts" or person.section != "people":
                continue
            if any(h.post == post.id and h.covers(self.pub) for h in self.k.reg.holdings_of(person.id)):
                self.facts.append({"id": self.fid(f"holding-{person.id}-{post.id}"), "type": "PostHolding",
                                   "person": person.id, "post": post.id,
                                   "evidence": [self.ids[id(a)], self.ids[id(b)]],
                                   "confidence": 0.9, "rule": "post-holding"})

    # -- meetings ---------------------------------------------------------------------
    def meetings(self) -> None:
        """Who met whom: a meeting word and two or more people in one clause, not in the future.
        A following sentence saying others "also took part" adds them; proposals about the same
        encounter (one's participants within the other's, same or unknown date) are merged."""
        last: dict[str, Any] | None = None
        for s in self.sents:
            if last is not None and _JOIN.search(s.text) and not _FUTURE.search(s.text):
                people = [(p, e) for p in self.in_sentence(s) if (e := self.person(p))]
                if people:
                    for p, e in people:
                        if e not in last["participants"]:
                            last["participants"].append(e)
                            last["evidence"].append(self.ids[id(p)])
                    last["evidence"].append(self.ev(s.start, self._end(s), "participants"))
                    continue
            for c in _clauses(s):
                f = self.meeting(c, s)
                if f is not None:
                    last = self.merge(f)

    def _end(self, s: Sentence) -> int:
        return s.end - (len(s.text) - len(s.text.rstrip()))

    def meeting(self, c: Sentence, s: Sentence) -> dict[str, Any] | None:
        people = [(p, e) for p in self.in_sentence(c) if (e := self.person(p))]
        distinct = list(dict.fromkeys(e for _, e in people))
        trig = next(((t, m) for t, rx in _MEETING if (m := rx.search(c.text))), None)
        if trig is None or len(distinct) < 2:
            return None
        ftype, m = trig
        if _FUTURE.search(c.text[max(0, m.start() - 45): m.start()]) or not _MEETING_PAST.search(c.text):
            return None  # "will meet", "expected to meet"; "asked them to lead the talks" is no encounter
        f: dict[str, Any] = {"id": "", "type": ftype, "participants": distinct}
        evidence: list[Any] = [self.ev(s.start, self._end(s))]
        for p, e in people:
            if self.ids[id(p)] not in evidence and not any(
                    isinstance(x, str) and x.rsplit("-", 1)[0] == e for x in evidence):
                evidence.append(self.ids[id(p)])
        parties = []
        for e in distinct:
            jur = _holder_jurisdiction(self.k.reg, e, self.pub)
            gov = next((o.id for o in self.k.reg.entities.values()
                        if o.data.get("government_of") == jur), None) if jur else None
            if gov and gov not in parties:
                parties.append(gov)
        if parties:
            f["parties"] = parties
        place = _PLACE.search(c.text)
        if place and not _DATE_EXPR.fullmatch(place.group(1)) and place.group(1).split()[-1] not in STOP_WORDS:
            f["place"] = place.group(1)
        when = _date_in(c, self.pub, self.text) or _date_in(s, self.pub, self.text)
        if when:
            f["date_expression"] = when[0]
            evidence.append(self.ev(*when[1], "date_expression"))
        else:
            f["date"] = self.pub
            f["note"] = "no date found in the sentence; the publication date is assumed"
        f["evidence"] = evidence
        names = "-".join(e.split("-")[-1] for e in distinct[:3])
        f["id"] = self.fid(f"{ftype.lower()}-{names}")
        f["confidence"] = 0.7 if when else 0.55
        f["rule"] = "meeting"
        return f

    def merge(self, f: dict[str, Any]) -> dict[str, Any]:
        def day(x: dict[str, Any]) -> str | None:
            return _resolve(x["date_expression"], self.pub) if "date_expression" in x else None

        for g in self.facts:
            if g.get("rule") != "meeting":
                continue
            a, b = set(f["participants"]), set(g["participants"])
            if not (a <= b or b <= a) or (day(f) and day(g) and day(f) != day(g)):
                continue
            for e in f["participants"]:
                if e not in g["participants"]:
                    g["participants"].append(e)
            for x in f["evidence"]:
                if x not in g["evidence"]:
                    g["evidence"].append(x)
            for key in ("parties", "place"):
                if key in f and key not in g:
                    g[key] = f[key]
            for p in f.get("parties", []):
                if p not in g.get("parties", []):
                    g.setdefault("parties", []).append(p)
            if "date_expression" in f and "date_expression" not in g:
                g["date_expression"] = f["date_expression"]
                g.pop("date", None)
                g.pop("note", None)
                g["confidence"] = f["confidence"]
            return g
        self.facts.append(f)
        return f

    # -- tariffs --------------------------------------------------------------------------
    def jurisdictions_in(self, s: Sentence) -> list[str]:
        out = []
        for p in self.in_sentence(s):
            if p.entity:
                j = _holder_jurisdiction(self.k.reg, p.entity, self.pub)
                if j and j not in out:
                    out.append(j)
        return out

    def article_jurisdictions(self) -> Counter[str]:
        c: Counter[str] = Counter()
        for p in self.mentions:
            if p.entity:
                j = _holder_jurisdiction(self.k.reg, p.entity, self.pub)
                if j:
                    c[j] += 1
        return c

    def tariffs(self) -> None:
        counts = self.article_jurisdictions()
        people: Counter[str] = Counter()
        for p in self.mentions:
            if p.entity and (e := self.k.reg.get(p.entity)) is not None and e.section == "people":
                j = _holder_jurisdiction(self.k.reg, p.entity, self.pub)
                if j:
                    people[j] += 1
        # who imposes, when a sentence does not say: the country whose officials the article names most
        imposer_default = next((j for j, _ in (people + counts).most_common() if self._imposes(j)), None)
        all_partners = next((e.id for e in self.k.reg.entities.values()
                             if e.section == "jurisdictions" and e.cls == "Jurisdiction"), None)
        by_rate: dict[float, dict[str, Any]] = {}
        last: dict[str, Any] | None = None
        for s in self.sents:
            status_words = _status(s.text)
            changes = list(re.finditer(r"from\s+(\d{1,3}(?:\.\d+)?)\s?%\s+to\s+(\d{1,3}(?:\.\d+)?)\s?%", s.text))
            handled: set[int] = set()
            for m in changes:
                old, new = _num(m.group(1)), _num(m.group(2))
                f = self._tariff(by_rate, old, s, imposer_default, all_partners, counts, m.start())
                status = "Cut" if new < old else "Raised"
                f["status_changes"].append(self._status(status, s, new_rate=new, span=(m.start(), m.end())))
                f["rule"] = "rate-change"
                handled.update(range(m.start(), m.end()))
                last = f
            paused_rates: set[int] = set()
            for m, kind in rate_phrases(s.text):
                if m.start() in handled:
                    continue
                why = not_a_measure(s.text, m)
                if why == "standing duty" and last is not None and re.search(
                        r"\b(?:on top of|in addition to)\b", s.text, re.I):
                    last.setdefault("rate_basis", "OnTopOfExisting")  # the new measure adds to the standing duty
                if why:
                    continue
                rate = _num(m.group(1))
                paused_here = [f for f in by_rate.values() if f is not by_rate.get(rate) and any(
                    sc["status"] == "Paused" and any(isinstance(e, dict) and s.start <= e["span"][0] < s.end
                                                     for e in sc["evidence"]) for sc in f["status_changes"])]
                interim = False  # the baseline that applies while another rate is paused
                if kind.startswith("baseline") and "Paused" in status_words and (paused_here or last is not None):
                    target = paused_here[0] if paused_here else last
                    for sc in target["status_changes"] if target else []:
                        if sc["status"] == "Paused" and "new_rate" not in sc:
                            sc["new_rate"] = rate  # "suspended ..., leaving the 10% baseline": the rate meanwhile
                            sc["evidence"].append(self.ev(s.start + m.start(), s.start + m.end(), "new_rate"))
                    interim = target is not None and any(sc["status"] == "Paused" for sc in target["status_changes"])
                if not interim and kind.endswith("-to") and last is not None and last is not by_rate.get(rate):
                    last["status_changes"].append(self._status("Cut" if rate < last["rate"] else "Raised", s,
                                                               new_rate=rate, span=(m.start(), m.end())))
                    continue
                hits, n_seen = self.k.tariff_rates.get(kind, (0, 0))
                conf = round((hits + 0.75 * 2) / (n_seen + 2), 3)
                if conf < self.threshold and rate not in by_rate:
                    continue  # the corpus rarely annotates this kind of rate phrase as a tariff
                f = self._tariff(by_rate, rate, s, imposer_default, all_partners, counts, m.start())
                f["confidence"] = round(max(conf, f["confidence"]) if len(f["evidence"]) > 1 else conf, 3)
                f["rule"] = f"tariff-rate ({kind}: {hits}/{n_seen} in the corpus)"
                f["evidence"].append(self.ev(s.start + m.start(), s.start + m.end(), "rate"))
                clause = next((c for c in _clauses(s) if c.start <= s.start + m.start() < c.end), s)
                if interim:  # "suspended ..., leaving the 10% baseline in place": the baseline is what applies now
                    f["status_changes"].append(self._status("InEffect", clause, rule="interim-rate", whole=s))
                    continue  # the paused measure stays the one the next sentence speaks of
                for st in _status(clause.text):  # the words of the rate's own clause
                    if st == "Paused":
                        paused_rates.add(id(f))
                        self._pause([f], s, clause)
                    else:
                        f["status_changes"].append(self._status(st, clause, whole=s))
                last = f
            if "Paused" in status_words and not paused_rates and last is not None:
                self._pause([last], s, s)  # "the tariff has been paused for 90 days": the one just named
        for f in by_rate.values():
            if not f["status_changes"]:
                f["status_changes"].append({"status": "Announced", "date": self.pub, "evidence": [f["evidence"][0]],
                                            "confidence": 0.3, "rule": "default-status"})
            seen: set[tuple[str, str]] = set()
            uniq = []
            for sc in f["status_changes"]:
                key = (sc["status"], sc.get("date") or sc.get("date_expression", ""))
                if key not in seen:
                    seen.add(key)
                    uniq.append(sc)
            f["status_changes"] = uniq
            self.facts.append(f)

    def _pause(self, target: list[dict[str, Any]], s: Sentence, clause: Sentence) -> None:
        for f in target:
            if not any(sc["status"] == "Paused" and any(isinstance(e, dict) and s.start <= e["span"][0] < s.end
                                                        for e in sc["evidence"]) for sc in f["status_changes"]):
                f["status_changes"].append(self._status("Paused", clause, rule="pause", whole=s))

    def _imposes(self, jur: str) -> bool:
        ent = self.k.reg.get(jur)
        return ent is not None and ent.cls in ("Country", "InternationalOrganisation")

    def _tariff(self, by_rate: dict[float, dict[str, Any]], rate: float, s: Sentence, imposer_default: str | None,
                all_partners: str | None, counts: Counter[str], at: int) -> dict[str, Any]:
        if rate in by_rate:
            known = by_rate[rate]
            known["evidence"].append(self.ev(s.start, s.end))
            known["confidence"] = round(min(0.9, known["confidence"] + 0.05), 3)
            return known
        jurs = self.jurisdictions_in(s)
        agents = [j for p in self.in_sentence(s) if p.entity and (e := self.k.reg.get(p.entity)) is not None
                  and e.section in ("people", "posts", "organisations")
                  and (j := _holder_jurisdiction(self.k.reg, p.entity, self.pub))]
        imposer = agents[0] if agents else imposer_default or (jurs[0] if jurs else None)
        marked = [j for p in self.in_sentence(s) if p.entity and re.search(
            r"\b(?:on|from|against|for|to)\s+$", self.text[max(0, p.start - 12):p.start])
            and (j := _holder_jurisdiction(self.k.reg, p.entity, self.pub)) and j != imposer and self._imposes(j)]
        targets = list(dict.fromkeys(marked)) or [j for j in jurs if j != imposer and self._imposes(j)]
        if re.search(r"\b(?:universal|baseline|all countries|all trading partners|nearly all|all imports|"
                     r"covers all)\b", s.text, re.I) and all_partners:
            targets = [all_partners]
        if not targets:
            targets = [j for j, _ in counts.most_common() if j != imposer and self._imposes(j)][:1]
        f: dict[str, Any] = {"id": self.fid(f"tariff-{str(rate).replace('.', '-')}"), "type": "Tariff",
                             "imposed_by": imposer or "unknown", "targets": targets or ["unknown"], "rate": rate,
                             "evidence": [self.ev(s.start, s.end)],
                             "status_changes": [], "confidence": 0.75, "rule": "tariff-rate"}
        if imposer is None or not targets:
            f["note"] = "imposing or targeted jurisdiction not found; fill in imposed_by/targets"
            f["confidence"] = 0.4
        by_rate[rate] = f
        return f

    def _status(self, status: str, s: Sentence, new_rate: float | None = None, span: tuple[int, int] | None = None,
                rule: str = "status-words", whole: Sentence | None = None) -> dict[str, Any]:
        """A dated status from the words of clause ``s`` (its evidence: the ``whole`` sentence)."""
        sc: dict[str, Any] = {"status": status}
        when = _date_in(s, self.pub, self.text)
        sc["date"] = (_resolve(when[0], self.pub) if when else None) or self.pub  # the format asks for a date
        if when:
            sc["date_expression"] = when[0]
        days = re.search(r"\bfor\s+(\d{1,3})\s*(?:-\s*)?days?\b", s.text)
        until = re.search(r"\buntil\s+((?:January|February|March|April|May|June|July|August|September|October|"
                          r"November|December)\s+\d{1,2})", s.text)
        if status == "Paused":
            start = _resolve(when[0], self.pub) if when else self.pub
            if until and _resolve(until.group(1), self.pub):
                sc["until"] = _resolve(until.group(1), self.pub)
            elif days and start:
                sc["until"] = (dt.date.fromisoformat(start) + dt.timedelta(days=int(days.group(1)) - 1)).isoformat()
            if sc.get("until") and start and sc["until"] < start:
                sc.pop("until")
        if new_rate is not None:
            sc["new_rate"] = new_rate
        w = whole or s
        sc["evidence"] = [self.ev(s.start + span[0], s.start + span[1], "new_rate") if span else self.ev(w.start, w.end)]
        sc["confidence"] = 0.6 if when else 0.45
        sc["rule"] = rule if new_rate is None else "rate-change"
        return sc

    # -- quotes -----------------------------------------------------------------------------
    def quotes(self) -> None:
        for m in _QUOTE.finditer(self.text):
            g = 1 if m.group(1) is not None else 2
            words = m.group(g)
            qs, qe = m.start(g), m.end(g)
            sent = next((s for s in self.sents if s.start <= m.start() < s.end), None)
            if sent is None:
                continue
            around = [s for s in self.sents if s.start <= m.end() and s.end >= m.start()]
            tail = self.text[m.end(): m.end() + 120]
            say = _SAY.search(tail[:60]) or _SAY.search(self.text[max(sent.start, m.start() - 80): m.start()])
            if say is None or len(words.split()) < 4:
                continue  # scare quotes ("reciprocal") are not statements
            span_end = max(s.end for s in around)
            nxt = next((s for s in self.sents if s.start >= span_end), None)
            window = [p for p in self.mentions if (sent.start <= p.start < span_end + 80)]
            speakers = [(p, self.person(p)) for p in window if self.person(p)]
            if not speakers:
                continue
            # the speaker nearest the verb of saying
            pos = m.end() + (say.start() if say.re is _SAY and tail[:60].find(say.group(0)) >= 0 else 0)
            p, speaker = min(speakers, key=lambda x: abs(x[0].start - pos))
            ctx = self.text[m.end(): (nxt.end if nxt else span_end)].lower() + self.text[sent.start:m.start()].lower()
            channel = ("SocialMediaPost" if re.search(r"\b(?:wrote on|posted|truth social|on x\b|social media)", ctx)
                       else "Parliament" if re.search(r"\b(?:parliament|lawmakers|diet)\b", ctx)
                       else "PressConference" if re.search(r"\b(?:told reporters|news conference|press conference)\b", ctx)
                       else "Interview" if re.search(r"\binterview\b", ctx) else "Remarks")
            f: dict[str, Any] = {"id": self.fid(f"statement-{speaker}"), "type": "Statement", "speaker": speaker,
                                 "channel": channel, "quote": {"span": [qs, qe], "text": words},
                                 "evidence": [self.ids[id(p)]], "confidence": 0.65, "rule": "quote"}
            when = _date_in(sent, self.pub, self.text)
            if when:
                f["date_expression"] = when[0]
            self.facts.append(f)


_TO_BEFORE = re.compile(r"\b(?:to|down to|falls to|fall to|cut to|lowered to|reduced to|back to)\s+(?:the\s+)?$")

# A rate that is not a measure the article reports, whatever tariff word stands near it:
_STANDING = re.compile(r"\b(?:standard|normal|ordinary|usual|MFN|most[- ]favou?red[- ]nation)\b", re.I)  # the MFN duty
_DEMAND = re.compile(r"\b(?:wants?|wanted|wanting|ask(?:s|ed|ing)?|seek(?:s|ing)?|sought|calls? for|called for|"
                     r"calling for|urg(?:es?|ed|ing)|demand(?:s|ed|ing)?|press(?:es|ed|ing)? for|push(?:es|ed|ing)? for|"
                     r"hop(?:es?|ed|ing) (?:for|to)|propos(?:es?|ed|ing))\b", re.I)
_HYPOTHETICAL = re.compile(r"\b(?:if|unless|could|might|threaten(?:s|ed|ing)?)\b", re.I)  # not "would": reported speech
_DETERMINER = re.compile(r"\b(?:the|a|an|its|their|his|her|this|that)\s+(?:\S+\s+){0,3}$", re.I)
_PHRASE_END = re.compile(r"[,;.:]|\s(?:and|but|or|while|as)\s")


def own_status(sentence: str, m: re.Match[str]) -> list[str]:
    """The statuses the rate's own phrase reports: its modifiers ("the suspended 24% rate"), the
    rest of its noun phrase or relative clause ("the 10% baseline that goods pay now") and an
    appositive after a comma ("the 25% tariffs on vehicles, in force since April 3").

    >>> m = _RATE.search("Japan wants the suspended 24% rate dropped")
    >>> own_status("Japan wants the suspended 24% rate dropped", m)
    ['Paused']
    >>> m = _RATE.search("Japan wants the 25% car tariff lifted and the suspended 24% rate dropped")
    >>> own_status("Japan wants the 25% car tariff lifted and the suspended 24% rate dropped", m)
    []
    """
    head = sentence[max(0, m.start() - 40):m.start()]
    det = _DETERMINER.search(head)
    pre = head[det.start():] if det else ""
    rest = sentence[m.end():]
    end = _PHRASE_END.search(rest)
    post = rest[:end.start()] if end else rest
    if end and end.group(0) == ",":  # an appositive: ", in force since April 3," / ", which stays in force"
        after = rest[end.end():]
        stop = _PHRASE_END.search(after)
        post += " " + (after[:stop.start()] if stop else after)
    return _status(pre + " " + post)


def background(sentence: str, m: re.Match[str]) -> str | None:
    """Why a rate near a tariff word is not a tariff the article reports, or None when it may be one.

    * "standing duty": the ordinary (MFN) duty a new measure comes on top of ("the standard 2.5% tariff");
      it is the new measure's rate basis, not a measure of the news;
    * "position": the object of what someone wants, asks, seeks or proposes ("Japan wants the 25%
      tariff lifted") -- a negotiating position -- unless the rate's own phrase reports a status
      ("the suspended 24% rate", "the 25% tariffs, in force since April 3");
    * "hypothetical": a rate after "if/unless", "could/might" or a threat in its clause ("could face a
      35% tariff if talks fail"), again unless its own phrase reports a status ("the 10% baseline that
      goods pay now"). "Would" alone is left alone: in reported speech it announces ("said he would
      impose a 25% tariff").

    >>> s = "Seoul wants the 25% tariff lifted, but the standard 8% tariff stays; cars could face 40% duties"
    >>> [(m.group(1), background(s, m)) for m in _RATE.finditer(s)]
    [('25', 'position'), ('8', 'standing duty'), ('40', 'hypothetical')]
    """
    head = sentence[max(0, m.start() - 40):m.start()]
    det = _DETERMINER.search(head)
    if _STANDING.search(head[det.start():] if det else head[-15:]):
        return "standing duty"
    cut = max((x.end() for x in _CLAUSE.finditer(sentence, 0, m.start())), default=0)
    before = sentence[cut:m.start()]
    if _DEMAND.search(before) and not own_status(sentence, m):
        return "position"
    if _HYPOTHETICAL.search(before) and not own_status(sentence, m):
        return "hypothetical"
    return None


def rate_phrases(sentence: str) -> list[tuple[re.Match[str], str]]:
    """Rates in a sentence that sit near a tariff word, with the kind of phrase: the nearest tariff
    word, and "-to" when the rate is where something goes ("down to the 10% baseline").

    >>> [(m.group(1), kind) for m, kind in rate_phrases("a 24% tariff, down to the 10% baseline; 3% growth")]
    [('24', 'tariff'), ('10', 'baseline-to')]
    """
    out = []
    for m in _RATE.finditer(sentence):
        lo, hi = max(0, m.start() - 40), m.end() + 40
        lo = max(lo, sentence.rfind(";", 0, m.start()) + 1)  # stay inside the clause
        semi = sentence.find(";", m.end())
        hi = min(hi, semi) if semi >= 0 else hi
        words = [(abs((lo + w.start()) - m.end()) if lo + w.start() >= m.end() else m.start() - (lo + w.end()),
                  w.group(1).lower()) for w in _TARIFF_WORDS.finditer(sentence[lo:hi])]
        if not words:
            continue
        word = min(words)[1]
        word = {"tariffs": "tariff", "duties": "duty", "levies": "levy", "charges": "charge"}.get(word, word)
        to = bool(_TO_BEFORE.search(sentence[max(0, m.start() - 30): m.start()]))
        out.append((m, word + ("-to" if to else "")))
    return out


_COMBINED = re.compile(r"\b(?:combined|a total of|in total)\s+(\d{1,3}(?:\.\d+)?)\s?%")


def not_a_measure(sentence: str, m: re.Match[str]) -> str | None:
    """Why the rate ``m`` of ``sentence`` is no tariff of the article's own (None: it may be one):
    the reasons of :func:`background`, or "quoted" (a rate inside someone's quoted words is theirs
    to state, a statement's quote) or "part of a combined rate" ("a combined 27.5%: the 25% duty
    plus the 2.5% charge" is one rate).

    >>> s = 'Cars pay a combined 27.5%: the 25% duty plus the 2.5% charge, "a 10% tariff" said one.'
    >>> [(m.group(1), not_a_measure(s, m)) for m in _RATE.finditer(s)]
    [('27.5', None), ('25', 'part of a combined rate'), ('2.5', 'part of a combined rate'), ('10', 'quoted')]
    """
    if any(q.start() <= m.start() < q.end() for q in _QUOTE.finditer(sentence)):
        return "quoted"
    combined = _COMBINED.search(sentence)
    if combined and m.start() > combined.end():
        return "part of a combined rate"
    return background(sentence, m)


def _learn_tariff_phrases(arts: list[Article]) -> dict[str, tuple[int, int]]:
    """How often each kind of rate phrase in the corpus, where :func:`not_a_measure` does not rule
    it out, is the rate of an annotated tariff."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for art in arts:
        gold = {float(f["rate"]) for f in art.data["facts"] if f["type"] == "Tariff" and "rate" in f}
        for sent in sentences(art.text):
            for m, kind in rate_phrases(sent.text):
                if not_a_measure(sent.text, m):
                    continue
                counts[kind][1] += 1
                counts[kind][0] += float(m.group(1)) in gold
    return {k: (h, n) for k, (h, n) in counts.items()}


_CLAUSE = re.compile(r";|,?\s+\b(?:as|while|whereas|after|before|when|but)\b\s+")


def _clauses(s: Sentence) -> list[Sentence]:
    """A sentence cut at "as", "while", "after", ... so two encounters in one sentence stay apart."""
    out, start = [], 0
    for m in _CLAUSE.finditer(s.text):
        out.append(Sentence(s.start + start, s.start + m.start(), s.text[start:m.start()]))
        start = m.end()
    out.append(Sentence(s.start + start, s.end, s.text[start:]))
    return [c for c in out if c.text.strip()]


def _status(sentence: str) -> list[str]:
    out = []
    low = sentence.lower()
    if re.search(r"\b(?:paused?|suspend(?:ed|s)?|suspension|postponed)\b", low):
        out.append("Paused")
    if re.search(r"\b(?:took effect|takes effect|in force|in effect|remains? in place|stays? in place|"
                 r"continues? to apply|still faces?|faces?|pays? now|(?:now|currently|still) pays?)\b", low):
        out.append("InEffect")
    if re.search(r"\b(?:announced|unveiled|imposed|imposing|slapped|signed|sets?|ordered)\b", low):
        out.append("Announced")
    return out


def _num(s: str) -> float | int:
    v = float(s)
    return int(v) if v.is_integer() else v


# ---- the draft --------------------------------------------------------------------------

def draft(k: Knowledge, text: str, published: str, article_id: str, title: str | None = None,
          publisher: str | None = None, language: str = "en", threshold: float = THRESHOLD) -> dict[str, Any]:
    """A ``tradekg-article/1`` draft of proposals for ``text`` (text inline; the caller may swap in text_file)."""
    d = _Drafter(k, text, published, article_id, threshold)
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


# ---- leave-one-out evaluation ------------------------------------------------------------

MEETING_TYPES = ("Meeting", "Talks", "Summit", "PhoneCall")


@dataclass
class Score:
    """Matched / gold / proposed counts of one kind of annotation."""

    matched_gold: int = 0
    gold: int = 0
    matched_proposed: int = 0
    proposed: int = 0

    def add(self, other: Score) -> None:
        self.matched_gold += other.matched_gold
        self.gold += other.gold
        self.matched_proposed += other.matched_proposed
        self.proposed += other.proposed

    @property
    def recall(self) -> float | None:
        return self.matched_gold / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.matched_proposed / self.proposed if self.proposed else None


def score_mentions(gold: list[dict[str, Any]], proposed: list[dict[str, Any]]) -> Score:
    """A proposed mention matches a hand mention with the same [start, end) and the same entity
    (both without entity counts as the same)."""
    g = Counter((tuple(m["span"]), m.get("entity")) for m in gold)
    p = Counter((tuple(m["span"]), m.get("entity")) for m in proposed)
    both = sum((g & p).values())
    return Score(both, sum(g.values()), both, sum(p.values()))


def score_tariffs(gold: list[dict[str, Any]], proposed: list[dict[str, Any]]) -> Score:
    """A hand tariff is recovered when some proposed tariff has the same rate value; a proposed
    tariff is correct when some hand tariff has its rate (hand tariffs without a rate are left out)."""
    gr = [float(f["rate"]) for f in gold if f["type"] == "Tariff" and "rate" in f]
    pr = [float(f["rate"]) for f in proposed if f["type"] == "Tariff" and "rate" in f]
    return Score(sum(r in pr for r in gr), len(gr), sum(r in gr for r in pr), len(pr))


def score_meetings(gold: list[dict[str, Any]], proposed: list[dict[str, Any]]) -> Score:
    """Participants of meetings (Meeting, Talks, Summit, PhoneCall), matched set to set.

    Each hand meeting is paired with the proposed meeting sharing most participants with it; its
    participants found in that proposal count as recovered. Symmetrically, each proposed meeting
    is paired with the hand meeting sharing most participants; its participants that are in that
    hand meeting count as correct. No proposal: nothing recovered."""
    gs = [set(f.get("participants", [])) for f in gold if f["type"] in MEETING_TYPES]
    ps = [set(f.get("participants", [])) for f in proposed if f["type"] in MEETING_TYPES]

    def best(a: set[str], pool: list[set[str]]) -> int:
        return max((len(a & b) for b in pool), default=0)

    return Score(sum(best(g, ps) for g in gs), sum(len(g) for g in gs),
                 sum(best(p, gs) for p in ps), sum(len(p) for p in ps))


@dataclass
class ArticleScore:
    article: str
    mentions: Score
    tariffs: Score
    meetings: Score


def _referenced(arts: list[Article]) -> set[str]:
    """Registry ids the articles refer to anywhere (mentions, fact fields, outlets)."""
    out: set[str] = set()

    def walk(x: Any) -> None:
        if isinstance(x, str):
            out.add(x)
        elif isinstance(x, list):
            for y in x:
                walk(y)
        elif isinstance(x, dict):
            for key, y in x.items():
                if key not in ("text", "summary", "note", "title", "scope", "place", "outcome", "date_expression"):
                    walk(y)

    for a in arts:
        walk(a.data)
    return out


def registry_of(reg: Registry, arts: list[Article]) -> Registry:
    """The registry cut down to what ``arts`` refer to, plus what those entries need
    (the government of a post, the country of a government, a person's posts)."""
    keep = {e for e in _referenced(arts) if e in reg.entities}
    changed = True
    while changed:
        before = len(keep)
        for eid in list(keep):
            d = reg.entities[eid].data
            keep.update(v for k2 in ("post_in", "government_of", "part_of", "broader") if (v := d.get(k2)))
            keep.update(h.post for h in reg.holdings_of(eid))
        changed = len(keep) != before
    return Registry(reg.path, {k2: v for k2, v in reg.entities.items() if k2 in keep},
                    [h for h in reg.holdings if h.person in keep], reg.digest)


def leave_one_out(reg: Registry, corpus: list[Article], threshold: float = THRESHOLD,
                  registry_from_rest: bool = False) -> list[ArticleScore]:
    """Draft each article with the knowledge of every other one (and the registry), and score the draft.

    With ``registry_from_rest`` the registry is cut down to the entities the other articles refer
    to, so entities only the held-out article names are new to the assistant."""
    from kg import assistant  # build_knowledge looked up on the package, where tests replace it

    out = []
    for art in corpus:
        rest = [a for a in corpus if a.id != art.id]
        k = assistant.build_knowledge(registry_of(reg, rest) if registry_from_rest else reg, rest)
        d = draft(k, art.text, art.published, art.id, publisher=art.data["publisher"], threshold=threshold)
        gold_m = [{"span": [m.span.start, m.span.end], "entity": m.entity} for m in art.mentions.values()]
        out.append(ArticleScore(art.id, score_mentions(gold_m, d["mentions"]),
                                score_tariffs(art.data["facts"], d["facts"]),
                                score_meetings(art.data["facts"], d["facts"])))
    return out


def _pct(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def report(scores: list[ArticleScore]) -> str:
    """A table of recall and precision per article and overall (micro-averaged)."""
    head = (f"{'article':42} {'mentions R':>10} {'P':>6}  {'tariffs R':>9} {'P':>6}  {'meetings R':>10} {'P':>6}")
    lines = [head, "-" * len(head)]
    total = ArticleScore("overall", Score(), Score(), Score())
    for s in scores:
        total.mentions.add(s.mentions)
        total.tariffs.add(s.tariffs)
        total.meetings.add(s.meetings)
    for s in [*scores, total]:
        if s is total:
            lines.append("-" * len(head))
        lines.append(f"{s.article[:42]:42} {_pct(s.mentions.recall):>10} {_pct(s.mentions.precision):>6}  "
                     f"{_pct(s.tariffs.recall):>9} {_pct(s.tariffs.precision):>6}  "
                     f"{_pct(s.meetings.recall):>10} {_pct(s.meetings.precision):>6}")
    t = total
    lines.append("")
    lines.append(f"overall counts: mentions {t.mentions.matched_gold}/{t.mentions.gold} recovered, "
                 f"{t.mentions.matched_proposed}/{t.mentions.proposed} proposals right; tariff rates "
                 f"{t.tariffs.matched_gold}/{t.tariffs.gold} recovered, {t.tariffs.matched_proposed}/"
                 f"{t.tariffs.proposed} right; meeting participants {t.meetings.matched_gold}/{t.meetings.gold} "
                 f"recovered, {t.meetings.matched_proposed}/{t.meetings.proposed} right")
    return "\n".join(lines)


MATCHING = """\
matching: a mention is right when a hand mention has the same [start, end) and the same entity;
a hand tariff is recovered when a proposed tariff has its rate value (and a proposed tariff is right
when a hand tariff has its rate); meeting participants are compared set to set, each hand meeting
with the proposed meeting sharing most participants (and each proposal with the hand meeting
sharing most). Recall = recovered / hand annotations; precision = right / proposals."""


def corpus_from_folder(folder: Path, onto: Any, reg: Registry) -> list[Article]:
    """The checked articles under ``folder`` (TradeKG articles, brat and Label Studio exports)."""
    from kg.annotations import load_inputs
    from kg.build import discover

    corpus = discover([folder], registry=Path(reg.path))
    out: list[Article] = []
    for path in corpus.files:
        out.extend(a for a, _ in load_inputs(path, onto, reg))
    return out


def corpus_from_store(store_path: Path, onto: Any, reg: Registry) -> list[Article]:
    """The articles of a store, rebuilt from their graphs."""
    from kg.annotations.store_articles import article_dicts
    from kg.articles import check_article
    from kg.store import open_store

    store = open_store(store_path, read_only=True)
    return [check_article(d, "", store_path / f"{d['id']}.yaml", f"{store_path} ({d['id']})", onto, reg)
            for d in article_dicts(store)]
