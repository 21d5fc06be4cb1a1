"""Scoring a draft against hand annotations fact family by fact family, one to one.

Each family says when a proposed fact is the same as a hand fact (a *key* or a similarity with a
threshold); hand and proposed facts are then paired one to one, best pairs first, so that one
encounter, one tariff or one quotation is counted once on each side. Used by the held-out
evaluation (``tradekg eval-assistant CORPUS --held-out FOLDER``) and printed after the
leave-one-out table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kg import dates
from kg.assistant.evaluate import MEETING_TYPES, Score

AGREEMENT_TYPES = ("Agreement", "JointStatement")
MEETING_JACCARD = 0.5
AGREEMENT_JACCARD = 0.5

FAMILIES = ("tariffs (rate)", "tariffs (rate, imposer, target)", "status changes (status, date)",
            "quotes (speaker)", "meetings (participants)", "agreements", "ids reused")


def f1(s: Score) -> float | None:
    p, r = s.precision, s.recall
    if p is None or r is None:
        return None
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def pair(gold: list[Any], proposed: list[Any], similarity: Callable[[Any, Any], float],
         threshold: float) -> Score:
    """Pairs hand and proposed items one to one, most similar first, keeping pairs with similarity
    >= ``threshold`` (and > 0); each paired item counts once as matched on its side."""
    cands = sorted(((similarity(g, p), i, j) for i, g in enumerate(gold) for j, p in enumerate(proposed)),
                   key=lambda t: (-t[0], t[1], t[2]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    for sim, i, j in cands:
        if sim <= 0 or sim < threshold or i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
    return Score(len(used_g), len(gold), len(used_p), len(proposed))


def _same(a: Any, b: Any) -> float:
    return 1.0 if a == b else 0.0


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def _day(x: dict[str, Any], published: str) -> str | None:
    """The date of a fact or status change: ``date``, else its ``date_expression`` resolved."""
    if x.get("date"):
        return str(x["date"])
    expr = x.get("date_expression")
    r = dates.resolve(str(expr), dt.date.fromisoformat(published)) if expr else None
    return r[0].isoformat() if r else None


def _tariffs(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in facts if f.get("type") == "Tariff" and f.get("rate") is not None]


def score_tariff_triples(gold: list[dict[str, Any]], proposed: list[dict[str, Any]]) -> Score:
    """A tariff is the same when its rate and imposer are equal and its targets are the same set."""
    def key(f: dict[str, Any]) -> tuple[float, str, frozenset[str]]:
        return float(f["rate"]), str(f.get("imposed_by")), frozenset(f.get("targets", []))
    return pair([key(f) for f in _tariffs(gold)], [key(f) for f in _tariffs(proposed)], _same, 1.0)


def score_tariff_rates(gold: list[dict[str, Any]], proposed: list[dict[str, Any]]) -> Score:
    """A tariff is the same when its rate is equal (one to one)."""
    return pair([float(f["rate"]) for f in _tariffs(gold)], [float(f["rate"]) for f in _tariffs(proposed)],
                _same, 1.0)


def score_status_changes(gold: list[dict[str, Any]], proposed: list[dict[str, Any]], published: str) -> Score:
    """A status change is the same when it belongs to a tariff of the same rate and has the same
    status and the same date."""
    def keys(facts: list[dict[str, Any]]) -> list[tuple[float, str, str | None]]:
        return [(float(f["rate"]), str(sc.get("status")), _day(sc, published))
                for f in _tariffs(facts) for sc in f.get("status_changes", [])]
    return pair(keys(gold), keys(proposed), lambda a, b: 1.0 if a == b and a[2] is not None else 0.0, 1.0)


def score_quotes(gold: list[dict[str, Any]], proposed: list[dict[str, Any]]) -> Score:
    """A quotation is the same when its quoted span overlaps the hand one and its speaker is the same
    (hand statements without a quoted span are left out)."""
    def quotes(facts: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
        return [(str(f.get("speaker")), int(q["span"][0]), int(q["span"][1])) for f in facts
                if f.get("type") == "Statement" and isinstance(q := f.get("quote"), dict) and q.get("span")]

    def sim(g: tuple[str, int, int], p: tuple[str, int, int]) -> float:
        overlap = min(g[2], p[2]) - max(g[1], p[1])
        return overlap / (max(g[2], p[2]) - min(g[1], p[1])) if g[0] == p[0] and overlap > 0 else 0.0
    return pair(quotes(gold), quotes(proposed), sim, 0.0)


def score_meeting_encounters(gold: list[dict[str, Any]], proposed: list[dict[str, Any]]) -> Score:
    """A meeting (Meeting, Talks, Summit, PhoneCall: any of them) is the same encounter when the
    participant sets have a Jaccard index of at least 0.5; one proposal per hand meeting."""
    def people(facts: list[dict[str, Any]]) -> list[list[str]]:
        return [list(f.get("participants", [])) for f in facts if f.get("type") in MEETING_TYPES]
    return pair(people(gold), people(proposed), jaccard, MEETING_JACCARD)


def score_agreements(gold: list[dict[str, Any]], proposed: list[dict[str, Any]]) -> Score:
    """An agreement or joint statement is the same when its participants and parties together have a
    Jaccard index of at least 0.5 with the hand one's."""
    def sides(facts: list[dict[str, Any]]) -> list[list[str]]:
        return [[*f.get("participants", []), *f.get("parties", [])] for f in facts
                if f.get("type") in AGREEMENT_TYPES]
    return pair(sides(gold), sides(proposed), jaccard, AGREEMENT_JACCARD)


def score_ids_reused(gold: list[dict[str, Any]], proposed: list[dict[str, Any]], known: set[str]) -> Score:
    """Facts the corpus already has: a hand fact whose id the corpus knows is recovered when the draft
    has a fact with that id; a drafted fact with a known id is right when the hand annotation has it."""
    return pair([f["id"] for f in gold if f.get("id") in known],
                [f["id"] for f in proposed if f.get("id") in known], _same, 1.0)


@dataclass
class FamilyScores:
    """One score per family (the names in ``FAMILIES``)."""

    scores: dict[str, Score] = field(default_factory=lambda: {name: Score() for name in FAMILIES})

    def add(self, other: FamilyScores) -> None:
        for name, s in other.scores.items():
            self.scores[name].add(s)


def score_families(gold: list[dict[str, Any]], proposed: list[dict[str, Any]], published: str,
                   known_ids: set[str]) -> FamilyScores:
    """The draft's facts ``proposed`` against the hand facts ``gold`` of one article."""
    return FamilyScores(dict(zip(FAMILIES, (
        score_tariff_rates(gold, proposed),
        score_tariff_triples(gold, proposed),
        score_status_changes(gold, proposed, published),
        score_quotes(gold, proposed),
        score_meeting_encounters(gold, proposed),
        score_agreements(gold, proposed),
        score_ids_reused(gold, proposed, known_ids)), strict=True)))


def _pct(x: float | None) -> str:
    return "    -" if x is None else f"{100 * x:5.1f}"


def family_report(total: FamilyScores) -> str:
    """A table: per family, hand facts, proposals, matched on each side, precision, recall and F1 (%)."""
    head = f"{'family':34} {'hand':>5} {'found':>6} {'drafted':>8} {'right':>6} {'P %':>6} {'R %':>6} {'F1 %':>6}"
    lines = [head, "-" * len(head)]
    for name in FAMILIES:
        s = total.scores[name]
        lines.append(f"{name:34} {s.gold:5d} {s.matched_gold:6d} {s.proposed:8d} {s.matched_proposed:6d} "
                     f"{_pct(s.precision):>6} {_pct(s.recall):>6} {_pct(f1(s)):>6}")
    return "\n".join(lines)


FAMILY_MATCHING = """\
families (hand and drafted facts paired one to one, best pairs first): a tariff (rate) has the same
rate; a tariff (rate, imposer, target) also the same imposed_by and the same set of targets; a status
change has the same status and date (date, else date_expression resolved against the publication
date) on a tariff of the same rate; a quote overlaps the hand quote's span with the same speaker; a
meeting (Meeting, Talks, Summit or PhoneCall) has participants with Jaccard >= 0.5, one proposal per
encounter; an agreement (Agreement or JointStatement) has participants and parties with Jaccard
>= 0.5; ids reused: hand facts whose id the corpus already has, found when the draft uses that id.
P = right / drafted, R = found / hand, F1 their harmonic mean; '-' where there is nothing to divide by."""
