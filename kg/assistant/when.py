"""Dates in a sentence: the first date expression that resolves against the publication date."""

from __future__ import annotations

import datetime as dt
import re

from kg import dates
from kg.assistant.sentences import Sentence

_DATE_EXPR = re.compile(
    r"\b(?:(?:on|last|next|this|since|from|until|by|before|after)\s+)?(?:"
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:\s+(?:morning|afternoon|evening|night))?"
    r"|(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2}(?!\d)"
    r"|\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"|today|yesterday|tomorrow)\b")


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
