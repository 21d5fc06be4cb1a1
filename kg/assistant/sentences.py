"""Cutting a text into sentences (and headline lines), and a sentence into clauses."""

from __future__ import annotations

import re
from dataclasses import dataclass

QUOTE = re.compile(r"\"([^\"\n]{3,}?)\"|“([^”\n]{3,}?)”")
"""A quotation in straight or curly double quotes (the quote families and the rate rules both look for them)."""


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


_CLAUSE = re.compile(r";|,?\s+\b(?:as|while|whereas|after|before|when|but)\b\s+")


def _clauses(s: Sentence) -> list[Sentence]:
    """A sentence cut at "as", "while", "after", ... so two encounters in one sentence stay apart."""
    out, start = [], 0
    for m in _CLAUSE.finditer(s.text):
        out.append(Sentence(s.start + start, s.start + m.start(), s.text[start:m.start()]))
        start = m.end()
    out.append(Sentence(s.start + start, s.end, s.text[start:]))
    return [c for c in out if c.text.strip()]
