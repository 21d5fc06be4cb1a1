"""Tariff rates in a sentence: which rates near a tariff word are measures the article reports, the
status words of a phrase, and how often the corpus annotates each kind of rate phrase as a tariff."""

from __future__ import annotations

import re
from collections import defaultdict

from kg.articles import Article
from kg.assistant.sentences import _CLAUSE, QUOTE, sentences

_RATE = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)\s?(?:%|percent\b|per cent\b)")
_TARIFF_WORDS = re.compile(r"\b(tariffs?|duty|duties|levy|levies|charges?|rate|baseline|reciprocal)\b", re.I)
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
    if any(q.start() <= m.start() < q.end() for q in QUOTE.finditer(sentence)):
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
