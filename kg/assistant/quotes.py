"""Statement facts: quoted words and the person the sentence says spoke them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from kg.assistant.sentences import QUOTE
from kg.assistant.when import _date_in

if TYPE_CHECKING:
    from kg.assistant.drafter import Drafter

_SAY = re.compile(r"\b(said|says|wrote|told|added|posted|stated|declared|argued|warned|noted)\b")


def quotes(d: Drafter) -> None:
    """Statement facts: each quotation of four words or more with a verb of saying and a speaker near it."""
    n = d.names
    for m in QUOTE.finditer(d.text):
        g = 1 if m.group(1) is not None else 2
        words = m.group(g)
        qs, qe = m.start(g), m.end(g)
        sent = next((s for s in d.sents if s.start <= m.start() < s.end), None)
        if sent is None:
            continue
        around = [s for s in d.sents if s.start <= m.end() and s.end >= m.start()]
        tail = d.text[m.end(): m.end() + 120]
        say = _SAY.search(tail[:60]) or _SAY.search(d.text[max(sent.start, m.start() - 80): m.start()])
        if say is None or len(words.split()) < 4:
            continue  # scare quotes ("reciprocal") are not statements
        span_end = max(s.end for s in around)
        nxt = next((s for s in d.sents if s.start >= span_end), None)
        window = [p for p in d.mentions if (sent.start <= p.start < span_end + 80)]
        speakers = [(p, d.person(p)) for p in window if d.person(p)]
        if not speakers:
            continue
        # the speaker nearest the verb of saying
        pos = m.end() + (say.start() if say.re is _SAY and tail[:60].find(say.group(0)) >= 0 else 0)
        p, speaker = min(speakers, key=lambda x: abs(x[0].start - pos))
        ctx = d.text[m.end(): (nxt.end if nxt else span_end)].lower() + d.text[sent.start:m.start()].lower()
        channel = ("SocialMediaPost" if re.search(r"\b(?:wrote on|posted|truth social|on x\b|social media)", ctx)
                   else "Parliament" if re.search(r"\b(?:parliament|lawmakers|diet)\b", ctx)
                   else "PressConference" if re.search(r"\b(?:told reporters|news conference|press conference)\b", ctx)
                   else "Interview" if re.search(r"\binterview\b", ctx) else "Remarks")
        f: dict[str, Any] = {"id": d.fid(f"statement-{speaker}"), "type": "Statement", n.speaker: speaker,
                             n.channel: channel, n.quote: {"span": [qs, qe], "text": words},
                             "evidence": [d.ids[id(p)]], "confidence": 0.65, "rule": "quote"}
        when = _date_in(sent, d.pub, d.text)
        if when:
            f[n.date_expression] = when[0]
        d.facts.append(f)
