"""The shared entity registry: people and their posts over time, governments,
agencies, jurisdictions, outlets, legal instruments and topics.

Articles refer to these by id, so one person is one node across the corpus.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from kg import nquads as nq
from kg.errors import InputError, Problem
from kg.namespaces import (
    DCTERMS,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    REGISTRY_GRAPH,
    SCHEMA,
    SKOS,
    TDO,
    WD,
    entity_iri,
    iri_error,
)
from kg.ontology import Ontology, load_ontology
from kg.schemacheck import compile_schema
from kg.source import Locator, SourceProblem, parse_document, path_str, read_text

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

SECTION_KIND = {
    "jurisdictions": "jurisdiction",
    "organisations": "org",
    "posts": "post",
    "people": "person",
    "instruments": "instrument",
    "topics": "topic",
}
SECTION_DEFAULT_CLASS = {
    "jurisdictions": "Country",
    "posts": "Post",
    "people": "Person",
    "instruments": "LegalInstrument",
    "topics": None,  # SKOS concepts in tdo:TopicScheme
}
SECTION_ALLOWED_ROOT = {
    "jurisdictions": "Jurisdiction",
    "organisations": "Organisation",
}


@cache
def schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Holding:
    person: str
    post: str
    start: str
    end: str | None
    source: str | None

    @property
    def id(self) -> str:
        """The holding's id, PERSON--POST--START; its IRI is holding:ID."""
        return f"{self.person}--{self.post}--{self.start}"

    @property
    def iri(self) -> str:
        return entity_iri("holding", self.id)

    def covers(self, day: str) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass
class Entity:
    id: str
    section: str
    name: str
    cls: str | None  # tdo local name of the most specific class
    data: dict[str, Any]
    aliases: list[str] = field(default_factory=list)
    line: int | None = None

    @property
    def iri(self) -> str:
        return entity_iri(SECTION_KIND[self.section], self.id)


@dataclass
class Registry:
    path: str
    entities: dict[str, Entity]
    holdings: list[Holding]
    digest: str

    def get(self, eid: str) -> Entity | None:
        return self.entities.get(eid)

    def holdings_of(self, person: str) -> list[Holding]:
        index = self.__dict__.get("_holdings_by_person")
        if index is None or index[0] != len(self.holdings):  # built once; rebuilt if holdings were added
            by_person: dict[str, list[Holding]] = {}
            for h in self.holdings:
                by_person.setdefault(h.person, []).append(h)
            index = self.__dict__["_holdings_by_person"] = (len(self.holdings), by_person)
        return list(index[1].get(person, ()))

    def holders(self, post: str, day: str) -> list[str]:
        return [h.person for h in self.holdings if h.post == post and h.covers(day)]


def _person_class(holding_posts: list[Entity]) -> str:
    classes = [p.data.get("holder_class") or "Official" for p in holding_posts]
    if not classes:
        return "Person"
    specific = [c for c in classes if c != "Official"]
    return specific[0] if specific else "Official"


def load_registry(path: Path, onto: Ontology | None = None) -> Registry:
    """Load and check the registry; raise :class:`InputError` listing every problem."""
    onto = onto or load_ontology()
    display = str(path)
    try:
        text = read_text(path, display)
        data = parse_document(text, display, path.suffix == ".json")
    except SourceProblem as exc:
        raise InputError([exc.problem]) from exc
    loc = Locator(text)
    problems: list[Problem] = []

    def problem(p: tuple[str | int, ...], msg: str) -> None:
        problems.append(Problem(display, msg, line=loc.line(p), path=path_str(p) or None))

    if not isinstance(data, dict):
        raise InputError([Problem(display, "expected a mapping with format: tradekg-registry/1 at the top", line=1)])
    fast = compile_schema(schema("registry"))  # a quick yes/no; jsonschema words the messages when it says no
    schema_errors = [] if fast is not None and fast(data) else jsonschema.Draft202012Validator(schema("registry")).iter_errors(data)
    for err in sorted(schema_errors, key=lambda e: list(map(str, e.path))):
        problem(tuple(err.path), f"{err.message} (schema: {'/'.join(map(str, err.schema_path))})")
    for section in SECTION_KIND:  # URLs the store would refuse as IRIs (https://x/a#b#c) failed at write time
        for i, row in enumerate(data.get(section, []) or []):
            urls: list[tuple[tuple[str | int, ...], Any]] = [((section, i, "url"), row.get("url"))]
            urls += [((section, i, "holdings", j, "source"), h.get("source"))
                     for j, h in enumerate(row.get("holdings", []) or [])]
            for upath, url in urls:
                why = iri_error(url) if isinstance(url, str) else None
                if why:
                    problem(upath, f"{url!r} is not a valid IRI ({why}); expected an absolute http(s) URL")
    if problems:
        raise InputError(problems)

    entities: dict[str, Entity] = {}
    for section in SECTION_KIND:
        for i, row in enumerate(data.get(section, []) or []):
            eid = row["id"]
            if eid in entities:
                problem((section, i, "id"), f"duplicate id {eid!r}, already used at line {entities[eid].line}; "
                                            "expected ids unique across the registry")
                continue
            cls = row.get("class", SECTION_DEFAULT_CLASS.get(section))
            if cls is not None:
                root = SECTION_ALLOWED_ROOT.get(section)
                iri = onto.class_iri(cls)
                if iri is None or (root and not onto.is_subclass(iri, str(TDO[root]))):
                    allowed = onto.subclasses_of(str(TDO[root])) if root else [cls]
                    problem((section, i, "class"), f"unknown class {cls!r} for {section}; expected one of {', '.join(allowed)}")
                    continue
            entities[eid] = Entity(eid, section, row["name"], cls, row, list(row.get("aliases", [])),
                                   line=loc.line((section, i)))

    def ref(p: tuple[str | int, ...], eid: str | None, root: str, what: str) -> Entity | None:
        if eid is None:
            return None
        ent = entities.get(eid)
        if ent is None:
            problem(p, f"unknown {what} {eid!r}; expected the id of a registry entry")
            return None
        if ent.cls is None or not onto.is_subclass(str(TDO[ent.cls]), str(TDO[root])):
            problem(p, f"{eid!r} is a {ent.cls or ent.section}, expected a {root}")
            return None
        return ent

    holdings: list[Holding] = []
    for i, row in enumerate(data.get("organisations", []) or []):
        ref(("organisations", i, "government_of"), row.get("government_of"), "Jurisdiction", "jurisdiction")
        ref(("organisations", i, "part_of"), row.get("part_of"), "Organisation", "organisation")
    for i, row in enumerate(data.get("posts", []) or []):
        ref(("posts", i, "post_in"), row.get("post_in"), "Organisation", "organisation")
        hc = row.get("holder_class")
        if hc is not None:
            iri = onto.class_iri(hc)
            if iri is None or not onto.is_subclass(iri, str(TDO.Official)):
                problem(("posts", i, "holder_class"), f"unknown holder class {hc!r}; expected one of "
                        + ", ".join(onto.subclasses_of(str(TDO.Official))))
    for i, row in enumerate(data.get("instruments", []) or []):
        ref(("instruments", i, "issued_by"), row.get("issued_by"), "Agent", "agent")
        if row.get("date") is not None and not _valid_date(row["date"]):
            problem(("instruments", i, "date"), f"{row['date']!r} is not a calendar date; expected YYYY-MM-DD")
    for i, row in enumerate(data.get("topics", []) or []):
        b = row.get("broader")
        if b is not None and (b not in entities or entities[b].section != "topics"):
            problem(("topics", i, "broader"), f"unknown topic {b!r}; expected the id of a topic")
    for section, key, what in (("organisations", "part_of", "an organisation"), ("topics", "broader", "a topic")):
        for i, cycle in _cycles(data.get(section, []) or [], key):
            problem((section, i, key), f"{key} goes round in a circle: {' -> '.join(cycle)}; expected {what} "
                                       f"never to be {key} itself, directly or through others")
    for i, row in enumerate(data.get("people", []) or []):
        posts: list[Entity] = []
        for j, h in enumerate(row.get("holdings", []) or []):
            post = ref(("people", i, "holdings", j, "post"), h["post"], "Post", "post")
            if post is None:
                continue
            posts.append(post)
            end = h.get("end")
            for key in ("start", "end"):
                if h.get(key) is not None and not _valid_date(h[key]):
                    problem(("people", i, "holdings", j, key), f"{h[key]!r} is not a calendar date; expected YYYY-MM-DD")
            if end is not None and _valid_date(end) and _valid_date(h["start"]) and end < h["start"]:
                problem(("people", i, "holdings", j, "end"), f"holding ends {end} before it starts {h['start']}; "
                        "expected end on or after start")
            holdings.append(Holding(row["id"], h["post"], h["start"], end, h.get("source")))
        if row["id"] in entities:
            entities[row["id"]].cls = _person_class(posts)
    if problems:
        raise InputError(problems)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Registry(display, entities, holdings, digest)


def _cycles(rows: list[dict[str, Any]], key: str) -> list[tuple[int, list[str]]]:
    """Each cycle of ``key`` links among ``rows`` once, as (index of its first row, ids round the cycle)."""
    parent = {row["id"]: row.get(key) for row in rows}
    index = {row["id"]: i for i, row in enumerate(rows)}
    done: set[str] = set()
    out: list[tuple[int, list[str]]] = []
    for row in rows:
        chain: list[str] = []
        node: str | None = row["id"]
        while node is not None and node in parent and node not in done and node not in chain:
            chain.append(node)
            node = parent[node]
        if node is not None and node in chain:
            cycle = chain[chain.index(node):]
            first = min(range(len(cycle)), key=lambda j: index[cycle[j]])  # start at the row written first
            cycle = cycle[first:] + cycle[:first]
            out.append((index[cycle[0]], [*cycle, cycle[0]]))
        done.update(chain)
    return out


def _valid_date(value: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def registry_quads(reg: Registry, onto: Ontology) -> nq.GraphWriter:
    """The registry as RDF in its own named graph."""
    w = nq.GraphWriter(str(REGISTRY_GRAPH))
    label, alias = str(RDFS.label), str(TDO.alias)
    rdf_type = str(RDF.type)
    for ent in reg.entities.values():
        s = ent.iri
        if ent.section == "topics":
            w.add_iri(s, rdf_type, str(SKOS.Concept))
            w.add_iri(s, str(SKOS.inScheme), str(TDO.TopicScheme))
            w.add(s, str(SKOS.prefLabel), nq.lit(ent.name, "en"))
            if ent.data.get("broader"):
                w.add_iri(s, str(SKOS.broader), reg.entities[ent.data["broader"]].iri)
        else:
            assert ent.cls is not None
            w.add_iri(s, rdf_type, str(TDO[ent.cls]))
            w.add_iri(s, rdf_type, str(OWL.NamedIndividual))
        w.add(s, label, nq.lit(ent.name, "en"))
        for a in ent.aliases:
            w.add(s, alias, nq.lit(a))
        d = ent.data
        if d.get("iso"):
            w.add(s, str(TDO.isoCode), nq.lit(d["iso"]))
        if d.get("wikidata"):
            w.add(s, str(TDO.wikidata), nq.lit(d["wikidata"]))
            w.add_iri(s, str(OWL.sameAs), str(WD[d["wikidata"]]))
        if d.get("url"):
            w.add(s, str(SCHEMA.url), nq.iri(d["url"]))
        if d.get("government_of"):
            w.add_iri(s, str(TDO.governmentOf), reg.entities[d["government_of"]].iri)
        if d.get("part_of"):
            w.add_iri(s, str(TDO.partOf), reg.entities[d["part_of"]].iri)
        if ent.section == "posts":
            w.add_iri(s, str(TDO.postIn), reg.entities[d["post_in"]].iri)
            if d.get("holder_class"):
                w.add_iri(s, str(TDO.holderClass), str(TDO[d["holder_class"]]))
        if ent.section == "instruments":
            if d.get("type"):
                w.add(s, str(TDO.instrumentType), nq.lit(d["type"]))
            if d.get("date"):
                w.add(s, str(TDO.date), nq.date(d["date"]))
            if d.get("issued_by"):
                w.add_iri(s, str(DCTERMS.creator), reg.entities[d["issued_by"]].iri)
    for h in reg.holdings:
        s = h.iri
        w.add_iri(s, rdf_type, str(TDO.PostHolding))
        w.add_iri(s, str(TDO.holder), reg.entities[h.person].iri)
        w.add_iri(reg.entities[h.person].iri, str(TDO.holds), s)
        w.add_iri(s, str(TDO.post), reg.entities[h.post].iri)
        w.add_iri(s, str(ORG.organization), reg.entities[reg.entities[h.post].data["post_in"]].iri)
        w.add(s, str(TDO.startDate), nq.date(h.start))
        if h.end:
            w.add(s, str(TDO.endDate), nq.date(h.end))
        if h.source:
            w.add(s, str(PROV.wasDerivedFrom), nq.iri(h.source))
        person, post = reg.entities[h.person], reg.entities[h.post]
        w.add(s, label, nq.lit(f"{person.name} as {post.name} from {h.start}" + (f" to {h.end}" if h.end else ""), "en"))
    return w
