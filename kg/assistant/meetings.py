"""Meeting facts: who met whom, where and when, in the clauses of the article's sentences."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from kg.assistant.knowledge import _holder_jurisdiction
from kg.assistant.mentions import _NAME, STOP_WORDS
from kg.assistant.sentences import Sentence, _clauses
from kg.assistant.when import _DATE_EXPR, _date_in, _resolve

if TYPE_CHECKING:
    from kg.assistant.drafter import Drafter

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


def meetings(d: Drafter) -> None:
    """Who met whom: a meeting word and two or more people in one clause, not in the future.
    A following sentence saying others "also took part" adds them; proposals about the same
    encounter (one's participants within the other's, same or unknown date) are merged."""
    n = d.names
    last: dict[str, Any] | None = None
    for s in d.sents:
        if last is not None and _JOIN.search(s.text) and not _FUTURE.search(s.text):
            people = [(p, e) for p in d.in_sentence(s) if (e := d.person(p))]
            if people:
                for p, e in people:
                    if e not in last[n.participants]:
                        last[n.participants].append(e)
                        last["evidence"].append(d.ids[id(p)])
                last["evidence"].append(d.ev(s.start, _end(s), n.participants))
                continue
        for c in _clauses(s):
            f = _meeting(d, c, s)
            if f is not None:
                last = _merge(d, f)


def _end(s: Sentence) -> int:
    return s.end - (len(s.text) - len(s.text.rstrip()))


def _meeting(d: Drafter, c: Sentence, s: Sentence) -> dict[str, Any] | None:
    n = d.names
    people = [(p, e) for p in d.in_sentence(c) if (e := d.person(p))]
    distinct = list(dict.fromkeys(e for _, e in people))
    trig = next(((t, m) for t, rx in _MEETING if (m := rx.search(c.text))), None)
    if trig is None or len(distinct) < 2:
        return None
    ftype, m = trig
    if _FUTURE.search(c.text[max(0, m.start() - 45): m.start()]) or not _MEETING_PAST.search(c.text):
        return None  # "will meet", "expected to meet"; "asked them to lead the talks" is no encounter
    f: dict[str, Any] = {"id": "", "type": ftype, n.participants: distinct}
    evidence: list[Any] = [d.ev(s.start, _end(s))]
    for p, e in people:
        if d.ids[id(p)] not in evidence and not any(
                isinstance(x, str) and x.rsplit("-", 1)[0] == e for x in evidence):
            evidence.append(d.ids[id(p)])
    parties = []
    for e in distinct:
        jur = _holder_jurisdiction(d.k.reg, e, d.pub)
        gov = next((o.id for o in d.k.reg.entities.values()
                    if o.data.get("government_of") == jur), None) if jur else None
        if gov and gov not in parties:
            parties.append(gov)
    if parties:
        f[n.parties] = parties
    place = _PLACE.search(c.text)
    if place and not _DATE_EXPR.fullmatch(place.group(1)) and place.group(1).split()[-1] not in STOP_WORDS:
        f[n.place] = place.group(1)
    when = _date_in(c, d.pub, d.text) or _date_in(s, d.pub, d.text)
    if when:
        f[n.date_expression] = when[0]
        evidence.append(d.ev(*when[1], n.date_expression))
    else:
        f[n.date] = d.pub
        f["note"] = "no date found in the sentence; the publication date is assumed"
    f["evidence"] = evidence
    names = "-".join(e.split("-")[-1] for e in distinct[:3])
    f["id"] = d.fid(f"{ftype.lower()}-{names}")
    f["confidence"] = 0.7 if when else 0.55
    f["rule"] = "meeting"
    return f


def _merge(d: Drafter, f: dict[str, Any]) -> dict[str, Any]:
    n = d.names
    def day(x: dict[str, Any]) -> str | None:
        return _resolve(x[n.date_expression], d.pub) if n.date_expression in x else None

    for g in d.facts:
        if g.get("rule") != "meeting":
            continue
        a, b = set(f[n.participants]), set(g[n.participants])
        if not (a <= b or b <= a) or (day(f) and day(g) and day(f) != day(g)):
            continue
        for e in f[n.participants]:
            if e not in g[n.participants]:
                g[n.participants].append(e)
        for x in f["evidence"]:
            if x not in g["evidence"]:
                g["evidence"].append(x)
        for key in (n.parties, n.place):
            if key in f and key not in g:
                g[key] = f[key]
        for p in f.get(n.parties, []):
            if p not in g.get(n.parties, []):
                g.setdefault(n.parties, []).append(p)
        if n.date_expression in f and n.date_expression not in g:
            g[n.date_expression] = f[n.date_expression]
            g.pop(n.date, None)
            g.pop("note", None)
            g["confidence"] = f["confidence"]
        return g
    d.facts.append(f)
    return f
