"""The draft: mention proposals and the facts drawn from them, as a ``tradekg-article/1`` document."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

from kg.assistant.knowledge import Knowledge, _holder_jurisdiction
from kg.assistant.mentions import _NAME, STOP_WORDS, Proposal, propose_mentions
from kg.assistant.quotes import _QUOTE
from kg.assistant.rates import _num, _status, not_a_measure, rate_phrases
from kg.assistant.sentences import Sentence, _clauses, sentences
from kg.assistant.when import _DATE_EXPR, _date_in, _resolve
from kg.namespaces import slug

THRESHOLD = 0.5
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
_SAY = re.compile(r"\b(said|says|wrote|told|added|posted|stated|declared|argued|warned|noted)\b")


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
