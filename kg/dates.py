"""Resolving relative date expressions ("on Wednesday") against a publication date."""

from __future__ import annotations

import datetime as dt
import re

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]


def parse_iso(value: str) -> dt.date | None:
    """A strict YYYY-MM-DD date, or None.

    >>> parse_iso("2025-04-16"), parse_iso("2025-02-30")
    (datetime.date(2025, 4, 16), None)
    """
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def resolve(expression: str, published: dt.date) -> tuple[dt.date, str] | None:
    """Resolve a relative date expression against the publication date.

    Weekdays resolve to the nearest such day within three days either side of
    publication (news writes "on Wednesday" for this week's Wednesday); month
    names with a day ("in February", "on April 2") to that date in the
    publication year, or the year before if it would lie more than 60 days in
    the future. Returns the date and a sentence saying how it was resolved.

    >>> resolve("on Wednesday", dt.date(2025, 4, 16))[0]
    datetime.date(2025, 4, 16)
    >>> resolve("last Friday", dt.date(2025, 4, 16))[0]
    datetime.date(2025, 4, 11)
    >>> resolve("on April 2", dt.date(2025, 4, 16))[0]
    datetime.date(2025, 4, 2)
    """
    text = expression.lower().strip()
    base = published.isoformat()
    if re.search(r"\btoday\b", text):
        return published, f"'{expression}' = publication date {base}"
    if re.search(r"\byesterday\b", text):
        return published - dt.timedelta(days=1), f"'{expression}' = day before publication date {base}"
    if re.search(r"\btomorrow\b", text):
        return published + dt.timedelta(days=1), f"'{expression}' = day after publication date {base}"
    for i, name in enumerate(_MONTHS):
        m = re.search(rf"\b{name}\s+(\d{{1,2}})\b", text) or re.search(rf"\b(\d{{1,2}})\s+{name}\b", text)
        if m:
            year = published.year
            try:
                day = dt.date(year, i + 1, int(m.group(1)))
            except ValueError:
                return None
            if (day - published).days > 60:
                day = dt.date(year - 1, i + 1, int(m.group(1)))
            return day, f"'{expression}' = {day.isoformat()} in the year of publication date {base}"
    for i, name in enumerate(_WEEKDAYS):
        if re.search(rf"\b{name}\b", text):
            delta = (i - published.weekday()) % 7
            if re.search(r"\blast\b", text):
                delta = delta - 7 if delta > 0 else -7
            elif re.search(r"\bnext\b", text):
                delta = delta if delta > 0 else 7
            elif delta > 3:
                delta -= 7
            day = published + dt.timedelta(days=delta)
            return day, (f"'{expression}' = the {name.capitalize()} nearest publication date "
                         f"{base} ({published.strftime('%A')})")
    return None
