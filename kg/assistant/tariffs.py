"""Tariff facts: rates, rate changes and pauses, with who imposes them on whom and their dated statuses."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from kg.assistant.knowledge import _holder_jurisdiction
from kg.assistant.rates import _num, _status, not_a_measure, rate_phrases
from kg.assistant.sentences import Sentence, _clauses
from kg.assistant.when import _date_in, _resolve

if TYPE_CHECKING:
    from kg.assistant.drafter import Drafter


def _jurisdictions_in(d: Drafter, s: Sentence) -> list[str]:
    out = []
    for p in d.in_sentence(s):
        if p.entity:
            j = _holder_jurisdiction(d.k.reg, p.entity, d.pub)
            if j and j not in out:
                out.append(j)
    return out


def _article_jurisdictions(d: Drafter) -> Counter[str]:
    c: Counter[str] = Counter()
    for p in d.mentions:
        if p.entity:
            j = _holder_jurisdiction(d.k.reg, p.entity, d.pub)
            if j:
                c[j] += 1
    return c


def tariffs(d: Drafter) -> None:
    """Tariff facts: each rate the article reports, its imposer and targets, and its status changes."""
    n = d.names
    counts = _article_jurisdictions(d)
    people: Counter[str] = Counter()
    for p in d.mentions:
        if p.entity and (e := d.k.reg.get(p.entity)) is not None and e.section == "people":
            j = _holder_jurisdiction(d.k.reg, p.entity, d.pub)
            if j:
                people[j] += 1
    # who imposes, when a sentence does not say: the country whose officials the article names most
    imposer_default = next((j for j, _ in (people + counts).most_common() if _imposes(d, j)), None)
    all_partners = next((e.id for e in d.k.reg.entities.values()
                         if e.section == "jurisdictions" and e.cls == "Jurisdiction"), None)
    by_rate: dict[float, dict[str, Any]] = {}
    last: dict[str, Any] | None = None
    for s in d.sents:
        status_words = _status(s.text)
        changes = list(re.finditer(r"from\s+(\d{1,3}(?:\.\d+)?)\s?%\s+to\s+(\d{1,3}(?:\.\d+)?)\s?%", s.text))
        handled: set[int] = set()
        for m in changes:
            old, new = _num(m.group(1)), _num(m.group(2))
            f = _tariff(d, by_rate, old, s, imposer_default, all_partners, counts, m.start())
            status = "Cut" if new < old else "Raised"
            f[n.status_changes].append(_dated_status(d, status, s, new_rate=new, span=(m.start(), m.end())))
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
                last.setdefault(n.rate_basis, "OnTopOfExisting")  # the new measure adds to the standing duty
            if why:
                continue
            rate = _num(m.group(1))
            paused_here = [f for f in by_rate.values() if f is not by_rate.get(rate) and any(
                sc[n.sc_status] == "Paused" and any(isinstance(e, dict) and s.start <= e["span"][0] < s.end
                                                 for e in sc["evidence"]) for sc in f[n.status_changes])]
            interim = False  # the baseline that applies while another rate is paused
            if kind.startswith("baseline") and "Paused" in status_words and (paused_here or last is not None):
                target = paused_here[0] if paused_here else last
                for sc in target[n.status_changes] if target else []:
                    if sc[n.sc_status] == "Paused" and n.sc_new_rate not in sc:
                        sc[n.sc_new_rate] = rate  # "suspended ..., leaving the 10% baseline": the rate meanwhile
                        sc["evidence"].append(d.ev(s.start + m.start(), s.start + m.end(), n.sc_new_rate))
                interim = target is not None and any(sc[n.sc_status] == "Paused" for sc in target[n.status_changes])
            if not interim and kind.endswith("-to") and last is not None and last is not by_rate.get(rate):
                last[n.status_changes].append(_dated_status(d, "Cut" if rate < last[n.rate] else "Raised", s,
                                                            new_rate=rate, span=(m.start(), m.end())))
                continue
            hits, n_seen = d.k.tariff_rates.get(kind, (0, 0))
            conf = round((hits + 0.75 * 2) / (n_seen + 2), 3)
            if conf < d.threshold and rate not in by_rate:
                continue  # the corpus rarely annotates this kind of rate phrase as a tariff
            f = _tariff(d, by_rate, rate, s, imposer_default, all_partners, counts, m.start())
            f["confidence"] = round(max(conf, f["confidence"]) if len(f["evidence"]) > 1 else conf, 3)
            f["rule"] = f"tariff-rate ({kind}: {hits}/{n_seen} in the corpus)"
            f["evidence"].append(d.ev(s.start + m.start(), s.start + m.end(), n.rate))
            clause = next((c for c in _clauses(s) if c.start <= s.start + m.start() < c.end), s)
            if interim:  # "suspended ..., leaving the 10% baseline in place": the baseline is what applies now
                f[n.status_changes].append(_dated_status(d, "InEffect", clause, rule="interim-rate", whole=s))
                continue  # the paused measure stays the one the next sentence speaks of
            for st in _status(clause.text):  # the words of the rate's own clause
                if st == "Paused":
                    paused_rates.add(id(f))
                    _pause(d, [f], s, clause)
                else:
                    f[n.status_changes].append(_dated_status(d, st, clause, whole=s))
            last = f
        if "Paused" in status_words and not paused_rates and last is not None:
            _pause(d, [last], s, s)  # "the tariff has been paused for 90 days": the one just named
    for f in by_rate.values():
        if not f[n.status_changes]:
            f[n.status_changes].append({n.sc_status: "Announced", n.sc_date: d.pub, "evidence": [f["evidence"][0]],
                                        "confidence": 0.3, "rule": "default-status"})
        seen: set[tuple[str, str]] = set()
        uniq = []
        for sc in f[n.status_changes]:
            key = (sc[n.sc_status], sc.get(n.sc_date) or sc.get(n.sc_date_expression, ""))
            if key not in seen:
                seen.add(key)
                uniq.append(sc)
        f[n.status_changes] = uniq
        d.facts.append(f)


def _pause(d: Drafter, target: list[dict[str, Any]], s: Sentence, clause: Sentence) -> None:
    n = d.names
    for f in target:
        if not any(sc[n.sc_status] == "Paused" and any(isinstance(e, dict) and s.start <= e["span"][0] < s.end
                                                    for e in sc["evidence"]) for sc in f[n.status_changes]):
            f[n.status_changes].append(_dated_status(d, "Paused", clause, rule="pause", whole=s))


def _imposes(d: Drafter, jur: str) -> bool:
    ent = d.k.reg.get(jur)
    return ent is not None and ent.cls in ("Country", "InternationalOrganisation")


def _tariff(d: Drafter, by_rate: dict[float, dict[str, Any]], rate: float, s: Sentence, imposer_default: str | None,
            all_partners: str | None, counts: Counter[str], at: int) -> dict[str, Any]:
    n = d.names
    if rate in by_rate:
        known = by_rate[rate]
        known["evidence"].append(d.ev(s.start, s.end))
        known["confidence"] = round(min(0.9, known["confidence"] + 0.05), 3)
        return known
    jurs = _jurisdictions_in(d, s)
    agents = [j for p in d.in_sentence(s) if p.entity and (e := d.k.reg.get(p.entity)) is not None
              and e.section in ("people", "posts", "organisations")
              and (j := _holder_jurisdiction(d.k.reg, p.entity, d.pub))]
    imposer = agents[0] if agents else imposer_default or (jurs[0] if jurs else None)
    marked = [j for p in d.in_sentence(s) if p.entity and re.search(
        r"\b(?:on|from|against|for|to)\s+$", d.text[max(0, p.start - 12):p.start])
        and (j := _holder_jurisdiction(d.k.reg, p.entity, d.pub)) and j != imposer and _imposes(d, j)]
    targets = list(dict.fromkeys(marked)) or [j for j in jurs if j != imposer and _imposes(d, j)]
    if re.search(r"\b(?:universal|baseline|all countries|all trading partners|nearly all|all imports|"
                 r"covers all)\b", s.text, re.I) and all_partners:
        targets = [all_partners]
    if not targets:
        targets = [j for j, _ in counts.most_common() if j != imposer and _imposes(d, j)][:1]
    f: dict[str, Any] = {"id": d.fid(f"tariff-{str(rate).replace('.', '-')}"), "type": "Tariff",
                         n.imposed_by: imposer or "unknown", n.targets: targets or ["unknown"], n.rate: rate,
                         "evidence": [d.ev(s.start, s.end)],
                         n.status_changes: [], "confidence": 0.75, "rule": "tariff-rate"}
    if imposer is None or not targets:
        f["note"] = "imposing or targeted jurisdiction not found; fill in imposed_by/targets"
        f["confidence"] = 0.4
    by_rate[rate] = f
    return f


def _dated_status(d: Drafter, status: str, s: Sentence, new_rate: float | None = None,
                  span: tuple[int, int] | None = None, rule: str = "status-words",
                  whole: Sentence | None = None) -> dict[str, Any]:
    """A dated status from the words of clause ``s`` (its evidence: the ``whole`` sentence)."""
    n = d.names
    sc: dict[str, Any] = {n.sc_status: status}
    when = _date_in(s, d.pub, d.text)
    sc[n.sc_date] = (_resolve(when[0], d.pub) if when else None) or d.pub  # the format asks for a date
    if when:
        sc[n.sc_date_expression] = when[0]
    days = re.search(r"\bfor\s+(\d{1,3})\s*(?:-\s*)?days?\b", s.text)
    until = re.search(r"\buntil\s+((?:January|February|March|April|May|June|July|August|September|October|"
                      r"November|December)\s+\d{1,2})", s.text)
    if status == "Paused":
        start = _resolve(when[0], d.pub) if when else d.pub
        if until and _resolve(until.group(1), d.pub):
            sc[n.sc_until] = _resolve(until.group(1), d.pub)
        elif days and start:
            sc[n.sc_until] = (dt.date.fromisoformat(start) + dt.timedelta(days=int(days.group(1)) - 1)).isoformat()
        if sc.get(n.sc_until) and start and sc[n.sc_until] < start:
            sc.pop(n.sc_until)
    if new_rate is not None:
        sc[n.sc_new_rate] = new_rate
    w = whole or s
    sc["evidence"] = [d.ev(s.start + span[0], s.start + span[1], n.sc_new_rate) if span else d.ev(w.start, w.end)]
    sc["confidence"] = 0.6 if when else 0.45
    sc["rule"] = rule if new_rate is None else "rate-change"
    return sc
