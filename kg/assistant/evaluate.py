"""Leave-one-out evaluation of the assistant: draft each article from the others, score the draft
against the hand annotations, and report recall and precision."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from kg.articles import Article
from kg.assistant.draft import THRESHOLD, draft
from kg.registry import Registry

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
    from kg.assistant import knowledge  # build_knowledge looked up on its module, where tests replace it

    out = []
    for art in corpus:
        rest = [a for a in corpus if a.id != art.id]
        k = knowledge.build_knowledge(registry_of(reg, rest) if registry_from_rest else reg, rest)
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
