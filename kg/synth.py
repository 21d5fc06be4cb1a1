"""A synthetic corpus of annotated articles, for benchmarks and scale tests.

:func:`write_corpus` writes a ``registry.yaml`` of realistic size (a few
hundred jurisdictions and governments, thousands of officials whose posts
change over the years, instruments, topics) and N articles in the project's
own format (``tradekg-article/1``, as JSON; each fact built by :func:`fact` from the
families and field kinds of :mod:`kg.model`). Articles draw on shared pools of
meetings, tariffs and their status changes, so the same officials and the same
fact ids recur across many articles and their facts merge in the graph.

Everything is deterministic for a seed: each article has its own random
generator seeded from ``(seed, index)``, so the bytes written do not depend on
anything but the seed and N. Articles are streamed to disk one at a time; only
the registry and the event pools (a few megabytes) are held in memory.

>>> reg = Universe(seed=7)
>>> len(reg.jurisdictions) >= 200 and len(reg.people) >= 3000
True
>>> art = reg.article(0)
>>> art["format"], art["text"][art["mentions"][0]["span"][0]:art["mentions"][0]["span"][1]] == art["mentions"][0]["text"]
('tradekg-article/1', True)
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.model import Field, model

FORMAT = "tradekg-article/1"
ARTICLES_PER_FOLDER = 1000
FIRST_DAY = dt.date(2012, 1, 1)  # holdings start from here
ARTICLE_FIRST_DAY = dt.date(2016, 1, 1)
LAST_DAY = dt.date(2026, 11, 1)

N_JURISDICTIONS = 240
N_OUTLETS = 60
N_MEETINGS = 6000
N_TARIFFS = 3000
N_INSTRUMENTS_PER_JURISDICTION = 3

_SYLLABLES = ["ka", "lo", "mar", "ven", "dor", "sa", "ri", "tan", "bel", "qu", "ost", "ar", "ni", "zem", "ul",
              "por", "vi", "ko", "ba", "len", "thi", "mo", "ra", "gu", "es", "do", "na", "fer", "li", "an"]
_COUNTRY_ENDINGS = ["ia", "land", "stan", "a", "ora", "ica", "esh", "ay", "ovia", "ania"]
_GIVEN = ["Anna", "Marco", "Li", "Sofía", "Kenji", "Amara", "Jonas", "Priya", "Omar", "Elena", "Tomás", "Aiko",
          "Lars", "Fatima", "Chen", "Giulia", "Mehmet", "Nadia", "Pierre", "Ingrid", "Raúl", "Yuki", "Kwame",
          "Zoë", "Hamid", "Olga", "Björn", "Ama", "Diego", "Leila", "Søren", "Mei", "André", "Chiara", "Ravi",
          "Noura", "Jan", "Ewa", "Kofi", "Hana", "Mateus", "Iris", "Takeshi", "Nia", "Ilse", "Ahmed", "Lucía",
          "Dmitri", "Grace", "Felipe", "Ngozi", "Henrik", "Sara", "Joaquín", "Asha", "Viktor", "Maren", "Tariq"]
_FAMILY = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Haddad", "Kowalski", "Ferreira", "Nakamura", "Osei",
           "Müller", "García", "Novak", "Rahman", "Bianchi", "Ivanova", "Dubois", "Mensah", "Yilmaz", "Sato",
           "Andersen", "Costa", "Petrov", "Nguyễn", "Kim", "Schmidt", "Rossi", "Khan", "Jensen", "Álvarez",
           "Papadopoulos", "Horvat", "Mbeki", "Suzuki", "O’Neill", "Çelik", "Larsen", "Silva", "Wójcik",
           "Achebe", "Kaur", "Dahl", "Ortega", "Varga", "Fischer", "Sokolov", "Aydın", "Ramos", "Banda"]
_OUTLET_WORDS = ["Herald", "Times", "Post", "Ledger", "Courier", "Gazette", "Wire", "Observer", "Tribune",
                 "Chronicle", "Dispatch", "Journal", "Report", "Monitor", "Review"]
TOPICS = [
    ("tariffs", "Tariffs", None), ("steel", "Steel and aluminium", "tariffs"), ("autos", "Automobiles and auto parts", None),
    ("agriculture", "Agriculture", None), ("soybeans", "Soybeans", "agriculture"), ("dairy", "Dairy", "agriculture"),
    ("semiconductors", "Semiconductors", None), ("critical-minerals", "Critical minerals", None),
    ("energy", "Energy", None), ("lng", "Liquefied natural gas", "energy"), ("exchange-rates", "Exchange rates", None),
    ("investment", "Investment", None), ("digital-trade", "Digital trade", None), ("services", "Trade in services", None),
    ("non-tariff-barriers", "Non-tariff barriers", None), ("trade-imbalance", "Trade imbalance", None),
    ("export-controls", "Export controls", None), ("pharmaceuticals", "Pharmaceuticals", None),
    ("textiles", "Textiles", None), ("fisheries", "Fisheries", None), ("supply-chains", "Supply chains", None),
    ("economic-security", "Economic security", None), ("defence", "Defence and security", None),
    ("climate", "Climate and carbon border measures", None), ("intellectual-property", "Intellectual property", None),
]
# (post key, name template, holder class, ministry key or None for the government)
POSTS = [
    ("head-of-state", "President of {c}", "HeadOfState", None),
    ("head-of-government", "Prime Minister of {c}", "HeadOfGovernment", None),
    ("trade-minister", "Minister of Trade of {c}", "Minister", "trade"),
    ("foreign-minister", "Minister of Foreign Affairs of {c}", "Minister", "foreign"),
    ("finance-minister", "Minister of Finance of {c}", "Minister", "finance"),
    ("chief-negotiator", "Chief Trade Negotiator of {c}", "Official", "trade"),
]
MINISTRIES = [("trade", "Ministry of Trade of {c}"), ("foreign", "Ministry of Foreign Affairs of {c}"),
              ("finance", "Ministry of Finance of {c}")]
SHORT_POST = {"head-of-state": "President", "head-of-government": "Prime Minister", "trade-minister": "Trade Minister",
              "foreign-minister": "Foreign Minister", "finance-minister": "Finance Minister",
              "chief-negotiator": "chief trade negotiator"}
MEETING_TYPES = ["Meeting", "Talks", "Talks", "Summit", "PhoneCall"]
CHANNELS = ["PressConference", "Interview", "Remarks", "Parliament", "SocialMediaPost", "OfficialDocument"]
CHANNEL_WORDS = {"PressConference": "told a press conference", "Interview": "said in an interview with",
                 "Remarks": "said in remarks to reporters", "Parliament": "told parliament",
                 "SocialMediaPost": "wrote in a social media post", "OfficialDocument": "said in a statement"}
SCOPES = ["steel and aluminium products", "passenger vehicles and parts", "agricultural goods", "solar panels",
          "semiconductors", "textiles and clothing", "dairy products", "pharmaceuticals", "nearly all imports",
          "consumer electronics", "seafood", "critical minerals"]
HS_BY_SCOPE = {"steel and aluminium products": ["7208", "7601"], "passenger vehicles and parts": ["8703", "8708"],
               "semiconductors": ["8541", "8542"], "solar panels": ["8541.40"], "dairy products": ["0401", "0406"],
               "pharmaceuticals": ["3004"], "seafood": ["0302", "0303"], "textiles and clothing": ["61", "62"]}
QUOTES = [
    "We will not accept an agreement that leaves our farmers behind",
    "These talks were frank, constructive and long overdue",
    "A fair deal is within reach if both sides show flexibility",
    "Tariffs are a tax on our own consumers and we want them gone",
    "We are ready to respond proportionately to any new measure",
    "Our doors remain open, but our patience is not unlimited",
    "The supply chains of the next decade are being decided now",
    "This is a good day for workers on both sides of the ocean",
    "We expect concrete results before the end of the quarter",
    "Nobody wins a trade war, and everybody pays for one",
    "We have agreed to keep talking at the technical level",
    "The measure is temporary and fully consistent with our obligations",
]
FILLER = [
    "Analysts said the outcome would shape investment decisions across the region for years.",
    "Exporters have warned that higher duties would squeeze already thin margins.",
    "Bilateral trade between the two economies has grown steadily over the past decade.",
    "Business groups welcomed the signal but asked for more detail on the timetable.",
    "Markets reacted calmly, with the currency little changed in afternoon trading.",
    "Officials declined to say whether a further round of talks had been scheduled.",
    "The negotiations have been overshadowed by disputes over subsidies and market access.",
    "Economists cautioned that the figures do not yet reflect the latest round of measures.",
    "Diplomats described the atmosphere as “businesslike” but noted deep differences remain.",
    "Port operators reported a rush of shipments ahead of the deadline.",
    "Opposition lawmakers criticised the government for acting without consulting parliament.",
    "Industry associations said they had not been consulted on the scope of the measures.",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _day(d: dt.date) -> str:
    return d.isoformat()


def _values(fields: dict[str, Field], where: str, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` (in their order) as article fields, by the kind kg.model gives each field: a date
    written YYYY-MM-DD, a single id given for a list of entities made a list, None left out. A name
    the model does not declare here is a ValueError (the model and the generator disagree)."""
    out: dict[str, Any] = {}
    for name, v in values.items():
        f = fields.get(name)
        if f is None:
            raise ValueError(f"synth writes {name!r} on {where}, a field kg.model does not declare there")
        if v is None:
            continue
        if f.kind in ("date", "fact_date") and isinstance(v, dt.date):
            v = _day(v)
        elif f.kind == "entities" and isinstance(v, str):
            v = [v]
        out[name] = v
    return out


def fact(family: str, fid: str, ftype: str, **values: Any) -> dict[str, Any]:
    """A fact of ``family`` (a family of kg.model) with id, type and ``values`` (see :func:`_values`).

    >>> fact("TradeMeasure", "t-1", "Tariff", imposed_by="aa", targets="bb", scope=None)
    {'id': 't-1', 'type': 'Tariff', 'imposed_by': 'aa', 'targets': ['bb']}
    """
    m = model()
    if family not in m.families:
        raise ValueError(f"synth writes a {family} fact, a family kg.model does not declare")
    fields = {**m.common, **m.families[family].fields}
    return {**_values(fields, family, {"id": fid, "type": ftype}), **_values(fields, family, values)}


def status_change(**values: Any) -> dict[str, Any]:
    """A status change of a trade measure (its fields and evidence; see :func:`_values`).

    >>> status_change(status="Paused", date=dt.date(2025, 4, 9), until=dt.date(2025, 7, 8), new_rate=None)
    {'status': 'Paused', 'date': '2025-04-09', 'until': '2025-07-08'}
    """
    fields = {**model().status_fields, "evidence": model().common["evidence"]}
    return _values(fields, "a status change", values)


def _nice_date(d: dt.date) -> str:
    return f"{d.strftime('%B')} {d.day}, {d.year}"


@dataclass
class Person:
    id: str
    name: str
    family: str
    cls: str
    holdings: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Jur:
    id: str
    name: str
    iso: str
    gov: str
    adjective: str


class Universe:
    """The registry and the pools of shared events for one seed (a few MB in memory)."""

    def __init__(self, seed: int = 0):
        self.seed = seed
        rng = random.Random(f"tradekg-synth/{seed}/registry")
        self.jurisdictions: list[Jur] = []
        self.organisations: list[dict[str, Any]] = []
        self.posts: list[dict[str, Any]] = []
        self.people: list[Person] = []
        self.instruments: list[dict[str, Any]] = []
        self.outlets: list[dict[str, Any]] = []
        self.post_holders: dict[str, list[tuple[str, str, str | None]]] = {}  # post -> [(person, start, end)]
        self.person_index: dict[str, Person] = {}
        self._build_registry(rng)
        self.meetings: list[dict[str, Any]] = []
        self.tariffs: list[dict[str, Any]] = []
        self._build_events(random.Random(f"tradekg-synth/{seed}/events"))

    # ---- registry ---------------------------------------------------------
    def _unique_name(self, rng: random.Random, used: set[str]) -> str:
        while True:
            n = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 2))) + rng.choice(_COUNTRY_ENDINGS)
            n = n.capitalize()
            if n not in used and len(n) > 3:
                used.add(n)
                return n

    def _build_registry(self, rng: random.Random) -> None:
        used: set[str] = set()
        isos = [a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
        rng.shuffle(isos)
        for i in range(N_JURISDICTIONS):
            name = self._unique_name(rng, used)
            jid = name.lower()
            adjective = name[:-1] + "n" if name.endswith("a") else name + "ian"
            self.jurisdictions.append(Jur(jid, name, isos[i], f"{jid}-government", adjective))
        for j in self.jurisdictions:
            self.organisations.append({"id": j.gov, "name": f"Government of {j.name}", "class": "Government",
                                       "government_of": j.id, "aliases": [f"the {j.adjective} government"]})
            for key, tmpl in MINISTRIES:
                self.organisations.append({"id": f"{j.id}-{key}-ministry", "name": tmpl.format(c=j.name),
                                           "class": "GovernmentBody", "part_of": j.gov})
        for i in range(N_OUTLETS):
            name = f"The {rng.choice(self.jurisdictions).name} {_OUTLET_WORDS[i % len(_OUTLET_WORDS)]}"
            oid = f"outlet-{i:03d}"
            self.outlets.append({"id": oid, "name": name, "class": "MediaOutlet",
                                 "url": f"https://news{i:03d}.example.org/"})
        self.organisations.extend(self.outlets)
        # posts and their holders over time; some people move from one post to another
        pid = 0
        for j in self.jurisdictions:
            alumni: list[Person] = []
            for key, tmpl, hclass, ministry in POSTS:
                post_id = f"{j.id}-{key}"
                post_in = j.gov if ministry is None else f"{j.id}-{ministry}-ministry"
                self.posts.append({"id": post_id, "name": tmpl.format(c=j.name), "post_in": post_in,
                                   "holder_class": hclass, "aliases": [f"{j.adjective} {SHORT_POST[key]}"]})
                holders: list[tuple[str, str, str | None]] = []
                day = FIRST_DAY - dt.timedelta(days=rng.randint(0, 900))
                while day <= LAST_DAY:
                    term = rng.randint(300, 2200)
                    end = day + dt.timedelta(days=term)
                    if alumni and rng.random() < 0.25:
                        person = alumni.pop(rng.randrange(len(alumni)))
                    else:
                        pid += 1
                        given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
                        person = Person(f"p{pid:05d}-{_slug(given)}-{_slug(family)}", f"{given} {family}",
                                        family, hclass)
                        self.people.append(person)
                        self.person_index[person.id] = person
                    if person.cls == "Official" and hclass != "Official":
                        person.cls = hclass
                    h = {"post": post_id, "start": _day(day)}
                    if end <= LAST_DAY:
                        h["end"] = _day(end)
                    person.holdings.append(h)
                    holders.append((person.id, h["start"], h.get("end")))
                    alumni.append(person)
                    day = end
                self.post_holders[post_id] = holders
            for k in range(N_INSTRUMENTS_PER_JURISDICTION):
                d = ARTICLE_FIRST_DAY + dt.timedelta(days=rng.randint(0, (LAST_DAY - ARTICLE_FIRST_DAY).days))
                self.instruments.append({"id": f"{j.id}-decree-{k + 1}", "name": f"{j.adjective} Trade Decree {k + 1}",
                                         "type": "decree", "date": _day(d), "issued_by": j.gov})
        self.post_name = {p["id"]: p["name"] for p in self.posts}
        self.jur_by_id = {j.id: j for j in self.jurisdictions}

    def holder(self, post_id: str, day: str) -> str | None:
        for person, start, end in self.post_holders[post_id]:
            if start <= day and (end is None or day <= end):
                return person
        return None

    # ---- event pools -------------------------------------------------------
    def _random_day(self, rng: random.Random, lo: dt.date = ARTICLE_FIRST_DAY, hi: dt.date = LAST_DAY) -> dt.date:
        return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))

    def _build_events(self, rng: random.Random) -> None:
        # a few busy jurisdictions appear far more often than the rest (realistic skew)
        weights = [1.0 / (1 + i) ** 0.8 for i in range(len(self.jurisdictions))]
        self.jur_weights = weights
        for i in range(N_MEETINGS):
            a, b = self._two_jurisdictions(rng)
            day = self._random_day(rng, hi=LAST_DAY - dt.timedelta(days=10))
            kind = rng.choice(MEETING_TYPES)
            level = rng.choice(["head-of-government", "trade-minister", "trade-minister", "foreign-minister",
                                "head-of-state", "finance-minister"])
            posts = [f"{a.id}-{level}", f"{b.id}-{level}"]
            if rng.random() < 0.5:
                posts.append(f"{a.id}-chief-negotiator")
            participants = []
            for p in posts:
                h = self.holder(p, _day(day))
                if h and h not in participants:
                    participants.append(h)
            place = rng.choice([a, b]).name
            self.meetings.append({
                "id": f"mtg-{i:05d}-{a.id}-{b.id}-{_day(day)}", "type": kind, "date": day, "a": a, "b": b,
                "participants": participants, "posts": posts[: len(participants)], "place": place,
                "topics": sorted(rng.sample([t[0] for t in TOPICS], rng.randint(1, 3))),
                "duration": rng.choice([None, 45, 60, 90, 120]),
            })
        for i in range(N_TARIFFS):
            a, b = self._two_jurisdictions(rng)
            day = self._random_day(rng, hi=LAST_DAY - dt.timedelta(days=200))
            rate = rng.choice([5, 10, 10, 15, 20, 24, 25, 25, 34, 50, 7.5, 12.5])
            changes: list[dict[str, Any]] = [{"status": "Announced", "date": day}]
            d = day + dt.timedelta(days=rng.randint(3, 40))
            changes.append({"status": "InEffect", "date": d})
            current = rate
            for _ in range(rng.randint(0, 3)):
                d = d + dt.timedelta(days=rng.randint(20, 200))
                if d > LAST_DAY:
                    break
                st = rng.choice(["Paused", "Cut", "Raised", "Resumed", "Revoked"])
                ch: dict[str, Any] = {"status": st, "date": d}
                if st == "Paused":
                    ch["until"] = d + dt.timedelta(days=90)
                if st in ("Cut", "Raised"):
                    current = max(0, current - 5) if st == "Cut" else current + 10
                    ch["new_rate"] = current
                changes.append(ch)
                if st == "Revoked":
                    break
            scope = rng.choice(SCOPES)
            inst = f"{a.id}-decree-{rng.randint(1, N_INSTRUMENTS_PER_JURISDICTION)}"
            self.tariffs.append({"id": f"tariff-{i:05d}-{a.id}-{b.id}", "a": a, "b": b, "rate": rate,
                                 "scope": scope, "changes": changes, "instrument": inst,
                                 "basis": rng.choice(["OnTopOfExisting", "TotalRate", "InsteadOfBaseline"])})

    def _two_jurisdictions(self, rng: random.Random) -> tuple[Jur, Jur]:
        a, b = rng.choices(self.jurisdictions, weights=self.jur_weights, k=2)
        while b.id == a.id:
            b = rng.choice(self.jurisdictions)
        return a, b

    def registry(self) -> dict[str, Any]:
        people = []
        for p in self.people:
            people.append({"id": p.id, "name": p.name, "aliases": [p.family], "holdings": p.holdings})
        return {
            "format": "tradekg-registry/1",
            "jurisdictions": [{"id": j.id, "name": j.name, "iso": j.iso} for j in self.jurisdictions]
            + [{"id": "all-trading-partners", "name": "All trading partners", "class": "Jurisdiction"}],
            "organisations": self.organisations,
            "posts": self.posts,
            "people": people,
            "instruments": self.instruments,
            "topics": [{"id": t, "name": n, **({"broader": b} if b else {})} for t, n, b in TOPICS],
        }

    # ---- articles ------------------------------------------------------------
    def article(self, index: int) -> dict[str, Any]:
        """The article at ``index``, a JSON-ready dict (deterministic for the seed and index)."""
        return _ArticleWriter(self, index).run()


def _slug(s: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return "".join(ch if ch.isalnum() else "-" for ch in s).strip("-")


class _ArticleWriter:
    """Builds one article's text sentence by sentence, recording exact code-point spans."""

    def __init__(self, u: Universe, index: int):
        self.u = u
        self.i = index
        self.rng = random.Random(f"tradekg-synth/{u.seed}/article/{index}")
        self.parts: list[str] = []
        self.pos = 0
        self.mentions: list[dict[str, Any]] = []
        self.facts: list[dict[str, Any]] = []
        self.n_mention = 0
        self.holding_facts: set[tuple[str, str]] = set()

    # text assembly: every piece appended moves the cursor by its code points
    def put(self, s: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(s)
        self.pos += len(s)
        return start, self.pos

    def mention(self, words: str, mtype: str, entity: str | None) -> str:
        start, end = self.put(words)
        self.n_mention += 1
        mid = f"m{self.n_mention}"
        m: dict[str, Any] = {"id": mid, "type": mtype, "span": [start, end], "text": words}
        if entity:
            m["entity"] = entity
        self.mentions.append(m)
        return mid

    def person(self, pid: str, post: str | None, day: str) -> list[str]:
        """Write '<post words> <Name>' and return the mention ids (post, person)."""
        p = self.u.person_index[pid]
        ids = []
        if post:
            ids.append(self.mention(self.u.post_name[post], "Post", post))
            self.put(" ")
        ids.append(self.mention(p.name, p.cls, pid))
        if post and self.u.holder(post, self.published) == pid and (post, pid) not in self.holding_facts:
            self.holding_facts.add((post, pid))
            self.facts.append(fact("PostHolding", f"holding-{pid}-{post}", "PostHolding", person=pid, post=post,
                                   evidence=list(ids)))
        return ids

    def run(self) -> dict[str, Any]:
        rng, u = self.rng, self.u
        main = rng.choice(("meeting", "meeting", "tariff"))
        if main == "meeting":
            ev = rng.choice(u.meetings)
            pub = ev["date"] + dt.timedelta(days=rng.randint(0, 3))
            a, b = ev["a"], ev["b"]
        else:
            ev = rng.choice(u.tariffs)
            last = ev["changes"][rng.randrange(len(ev["changes"]))]["date"]
            pub = min(LAST_DAY, last + dt.timedelta(days=rng.randint(0, 5)))
            a, b = ev["a"], ev["b"]
        self.published = _day(pub)
        publisher = rng.choice(u.outlets)
        cited = rng.sample(u.outlets, 2)
        cited = [o for o in cited if o["id"] != publisher["id"]]
        if main == "meeting":
            title = f"{a.name} and {b.name} hold {ev['type'].lower()} on trade"
            self.meeting_paragraph(ev, pub, cited[0])
        else:
            title = f"{a.name} {self.rng.choice(['weighs', 'moves on', 'revisits'])} {ev['rate']:g}% tariff on {b.name}"
            self.tariff_paragraph(ev, pub, cited[0])
        self.put("\n\n")
        # a second, related story in most articles: more shared facts
        if rng.random() < 0.7:
            if rng.random() < 0.5:
                other = rng.choice(u.meetings)
                if other["date"] <= pub and other is not ev:
                    self.meeting_paragraph(other, pub, None, brief=True)
                    self.put("\n\n")
            else:
                other = rng.choice(u.tariffs)
                if other["changes"][0]["date"] <= pub and other is not ev:
                    self.tariff_paragraph(other, pub, None, brief=True)
                    self.put("\n\n")
        self.statement_paragraph(a, pub, publisher)
        if rng.random() < 0.5:
            self.put(" ")
            self.statement_paragraph(b, pub, cited[-1] if cited else None)
        self.put("\n\n")
        self.put(" ".join(rng.sample(FILLER, 2)))
        self.put("\n")
        slug = _slug(title)[:60].strip("-")
        art: dict[str, Any] = {
            "format": FORMAT,
            "id": f"synth-{self.i:06d}-{slug}",
            "title": title,
            "publisher": publisher["id"],
            "published": self.published,
            "language": "en",
            "url": f"{publisher['url']}{pub.year}/{pub.month:02d}/{slug}-{self.i}",
        }
        if cited:
            art["cites"] = [o["id"] for o in cited]
        art["text"] = "".join(self.parts)
        art["mentions"] = self.mentions
        art["facts"] = self.facts
        return art

    def meeting_paragraph(self, ev: dict[str, Any], pub: dt.date, source: dict[str, Any] | None,
                          brief: bool = False) -> None:
        rng = self.rng
        day = ev["date"]
        ids: list[str] = []
        spans: list[dict[str, Any]] = []
        words = {"Meeting": "met", "Talks": "held talks with", "Summit": "met at a summit with",
                 "PhoneCall": "spoke by phone with"}[ev["type"]]
        if brief:
            self.put("Separately, ")
        s0 = self.pos
        people = list(zip(ev["participants"], ev["posts"], strict=False))
        first = people[0] if people else None
        if first:
            ids += self.person(first[0], first[1], _day(day))
        else:
            ids.append(self.mention(f"officials from {ev['a'].name}", "Government", ev["a"].gov))
        self.put(f" {words} ")
        if len(people) > 1:
            ids += self.person(people[1][0], people[1][1], _day(day))
        else:
            ids.append(self.mention(ev["b"].name, "Country", ev["b"].id))
        if ev["type"] != "PhoneCall":
            self.put(" in ")
            self.put(ev["place"])
        when = "today" if day == pub else f"on {WEEKDAYS[day.weekday()]}, {_nice_date(day)}"
        self.put(f" {when}")
        s1 = self.pos
        self.put(".")
        spans.append({"span": [s0, s1], "role": "participants"})
        topics = ev["topics"]
        topic_words = [t[1].lower() for t in TOPICS if t[0] in topics]
        self.put(" ")
        t0 = self.pos
        self.put(f"The agenda covered {', '.join(topic_words)}")
        t1 = self.pos
        spans.append({"span": [t0, t1], "role": "topics"})
        if source:
            self.put(", according to ")
            ids.append(self.mention(source["name"], "MediaOutlet", source["id"]))
            spans[-1]["attributed_to"] = source["id"]
        self.put(".")
        for extra in people[2:]:
            self.put(" Also present was ")
            ids += self.person(extra[0], extra[1], _day(day))
            self.put(".")
        text = "".join(self.parts)
        for sp in spans:
            sp["text"] = text[sp["span"][0]: sp["span"][1]]
        meeting = fact("Meeting", ev["id"], ev["type"], participants=ev["participants"],
                       parties=sorted({ev["a"].gov, ev["b"].gov}), date=day, topics=topics,
                       place=ev["place"] if ev["type"] != "PhoneCall" else None,
                       duration_minutes=ev["duration"] if ev["duration"] and not brief else None,
                       evidence=[m for m in ids if self._mention_entity(m) in set(ev["participants"])] + spans)
        if ev["participants"]:
            self.facts.append(meeting)
        if ev["participants"] and not brief and rng.random() < 0.3:
            self.put(" ")
            j0 = self.pos
            self.put(f"The two sides issued a joint statement pledging to deepen cooperation on {topic_words[0]}.")
            j1 = self.pos
            self.facts.append(fact("JointStatement", f"{ev['id']}-joint-statement", "JointStatement",
                                   parties=sorted({ev["a"].gov, ev["b"].gov}), participants=ev["participants"],
                                   issued_at=ev["id"], date=day,
                                   summary=f"A pledge to deepen cooperation on {topic_words[0]}.",
                                   topics=topics[:1],
                                   evidence=[{"span": [j0, j1], "text": "".join(self.parts)[j0:j1]}]))

    def _mention_entity(self, mid: str) -> str | None:
        for m in reversed(self.mentions):
            if m["id"] == mid:
                return m.get("entity")
        return None

    def tariff_paragraph(self, ev: dict[str, Any], pub: dt.date, source: dict[str, Any] | None,
                         brief: bool = False) -> None:
        a, b = ev["a"], ev["b"]
        self.put("Separately, " if brief else "")
        s0 = self.pos
        gid = self.mention(a.name, "Country", a.id)
        self.put(f" announced a {ev['rate']:g}% tariff on {ev['scope']} from ")
        tid = self.mention(b.name, "Country", b.id)
        s1 = self.pos
        self.put(" under ")
        self.mention(self._instrument_name(ev["instrument"]), "LegalInstrument", ev["instrument"])
        self.put(".")
        ev_spans: list[dict[str, Any]] = [{"span": [s0, s1], "text": "".join(self.parts)[s0:s1]}]
        if source:
            self.put(" The measure was first reported by ")
            self.mention(source["name"], "MediaOutlet", source["id"])
            self.put(".")
            ev_spans[0]["attributed_to"] = source["id"]
        changes = []
        for ch in ev["changes"]:
            if ch["date"] > pub:
                break
            self.put(" ")
            c0 = self.pos
            d = _nice_date(ch["date"])
            st = ch["status"]
            if st == "Announced":
                self.put(f"It was announced on {d}")
            elif st == "InEffect":
                self.put(f"The tariff took effect on {d}")
            elif st == "Paused":
                self.put(f"On {d} it was paused for 90 days")
            elif st == "Resumed":
                self.put(f"Collection resumed on {d}")
            elif st == "Revoked":
                self.put(f"The tariff was revoked on {d}")
            elif st == "Cut":
                self.put(f"On {d} the rate was cut to {ch['new_rate']:g}%")
            elif st == "Raised":
                self.put(f"On {d} the rate was raised to {ch['new_rate']:g}%")
            c1 = self.pos
            self.put(".")
            changes.append(status_change(status=st, date=ch["date"], until=ch.get("until"),
                                         new_rate=ch.get("new_rate"),
                                         evidence=[{"span": [c0, c1], "text": "".join(self.parts)[c0:c1]}]))
        self.facts.append(fact("TradeMeasure", ev["id"], "Tariff", imposed_by=a.id, targets=b.id, rate=ev["rate"],
                               rate_basis=ev["basis"], scope=ev["scope"], instrument=ev["instrument"],
                               hs_codes=HS_BY_SCOPE.get(ev["scope"]), evidence=[gid, tid, *ev_spans],
                               status_changes=changes))

    def _instrument_name(self, iid: str) -> str:
        jid, _, k = iid.rpartition("-decree-")
        return f"{self.u.jur_by_id[jid].adjective} Trade Decree {k}"

    def statement_paragraph(self, j: Jur, pub: dt.date, outlet: dict[str, Any] | None) -> None:
        rng = self.rng
        day = _day(pub)
        post = f"{j.id}-{rng.choice(['trade-minister', 'head-of-government', 'foreign-minister'])}"
        pid = self.u.holder(post, day)
        if pid is None:
            return
        channel = rng.choice(CHANNELS)
        if channel == "Interview" and outlet is None:
            channel = "Remarks"
        ids = self.person(pid, post, day)
        self.put(f" {CHANNEL_WORDS[channel]}")
        if channel == "Interview" and outlet:
            self.put(" ")
            ids.append(self.mention(outlet["name"], "MediaOutlet", outlet["id"]))
        self.put(": “")
        quote = rng.choice(QUOTES)
        q0, q1 = self.put(quote)
        self.put(".”")
        self.facts.append(fact("Statement", f"stmt-{self.i:06d}-{pid}", "Statement", speaker=pid, channel=channel,
                               date=day, quote={"span": [q0, q1], "text": quote}, topics=[rng.choice(TOPICS)[0]],
                               to_outlet=outlet["id"] if channel == "Interview" and outlet else None,
                               evidence=ids[-1:] if channel != "Interview" else ids[-2:]))


def write_registry(u: Universe, path: Path) -> None:
    """The registry as YAML (flow style per entry: JSON-compatible lines, fast to parse)."""
    reg = u.registry()
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write(f"# Synthetic TradeKG registry (tradekg synth, seed {u.seed}).\n")
        f.write("format: tradekg-registry/1\n")
        for section in ("jurisdictions", "organisations", "posts", "people", "instruments", "topics"):
            f.write(f"\n{section}:\n")
            for row in reg[section]:
                f.write("  - " + json.dumps(row, ensure_ascii=False, separators=(", ", ": ")) + "\n")


def article_path(out: Path, index: int, article_id: str) -> Path:
    return out / f"a{index // ARTICLES_PER_FOLDER:04d}" / f"{article_id}.json"


def write_corpus(out: Path, n_articles: int, seed: int = 0, start: int = 0,
                 progress: Callable[[int], None] | None = None) -> Path:
    """Write registry.yaml and articles ``start .. n_articles-1`` under ``out``; return the registry path.

    Existing article files with the same bytes are left alone (their mtime too),
    so regenerating a corpus does not make a later build see changes.
    """
    out.mkdir(parents=True, exist_ok=True)
    u = Universe(seed)
    reg_path = out / "registry.yaml"
    tmp = out / ".registry.yaml.tmp"
    write_registry(u, tmp)
    if reg_path.is_file() and reg_path.read_bytes() == tmp.read_bytes():
        tmp.unlink()
    else:
        tmp.replace(reg_path)
    for i in range(start, n_articles):
        art = u.article(i)
        data = (json.dumps(art, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        p = article_path(out, i, art["id"])
        if p.is_file() and p.stat().st_size == len(data) and p.read_bytes() == data:
            continue
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(data)
        if progress and (i + 1) % 1000 == 0:
            progress(i + 1)
    return reg_path
