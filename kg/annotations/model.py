"""The tool-neutral form of an annotated document, and its conversion to a TradeKG article.

Readers (:mod:`kg.annotations.brat`, :mod:`kg.annotations.labelstudio`) turn a
tool's export into a :class:`Document`; :func:`to_article` turns it, through a
:class:`~kg.annotations.mapping.Mapping`, into a ``tradekg-article/1`` dict that
then goes through the same checks as a hand-written article.

Conversion rules (documented in docs/annotation-tools.md):

* an entity span becomes a mention (a discontinuous span ``a b;c d`` becomes one
  mention per fragment: ``t5``, ``t5.f2``, ...), its normalisation the entity;
* an event becomes a fact: its trigger span is the first evidence, then each
  argument in order: entity arguments fill a field and are evidence by mention
  id; place/date/rate spans fill a field and are evidence with that field as
  role; a quote span is the statement's quote; Evidence spans are evidence;
* a StatusChange event becomes a dated status of the measure in its Measure argument;
* a relation in the mapping's ``relations`` becomes a two-entity fact (PostHolding);
* notes ``key=value; key=value`` set fields (``id`` gives the fact id; without it
  the fact id is ``ARTICLE.e3`` from the event id); other note text becomes ``note``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from kg import dates
from kg.annotations.mapping import STATUS_CHANGE, Mapping
from kg.dates import parse_iso
from kg.errors import InputError, Problem
from kg.model import model as fact_model
from kg.namespaces import is_valid_id, slug
from kg.registry import Registry

META_KEYS = ("id", "title", "publisher", "published", "language", "url", "cites", "note")
# Field tables of the conversion, from the fact model (ontology/model.yaml).
_ALL = {f.name: f for f in fact_model().all_fields()}  # a status field of the same name wins
_FIELDS = [*fact_model().common.values(), *fact_model().fields.values()]
LIST_NOTE_KEYS = {f.name for f in _FIELDS if f.kind in ("entities", "texts", "measure_refs", "fact_refs", "holdings")} | {"cites"}
INT_NOTE_KEYS = {f.name for f in _ALL.values() if f.kind == "integer"}
NUMBER_NOTE_KEYS = {f.name for f in _ALL.values() if f.kind == "decimal" and f.name != "confidence"}
JSON_NOTE_KEYS = {f.name for f in _FIELDS if f.kind == "commitments"}
"""Fields whose value is a list of records (an agreement's commitments): a note carries them as JSON."""
ENTITY_LIST_FIELDS = {f.name for f in _FIELDS if f.role and f.kind == "entities"}
ENTITY_FIELDS = {f.name for f in _FIELDS if f.role and f.kind == "entity"}
TEXT_FIELDS = {f.name for f in _FIELDS if f.role and f.kind == "text"}
STATUS_FIELDS = {n for n, f in fact_model().status_fields.items() if f.kind != "fact_ref"}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Where:
    """Where an annotation is, for messages: file and line (brat) or task/result (Label Studio)."""

    file: str
    line: int | None = None
    path: str | None = None

    def problem(self, message: str) -> Problem:
        return Problem(self.file, message, line=self.line, path=self.path)


@dataclass
class TextAnn:
    id: str
    type: str
    fragments: list[tuple[int, int]]
    text: str
    where: Where
    norms: list[tuple[str, str, Where]] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class EventAnn:
    id: str
    type: str
    trigger: str
    args: list[tuple[str, str]]
    where: Where
    attrs: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class RelationAnn:
    id: str
    type: str
    arg1: str
    arg2: str
    where: Where
    notes: list[str] = field(default_factory=list)


@dataclass
class Document:
    """One annotated text as a tool exported it."""

    name: str  # default article id source (file stem or task id)
    file: str  # for messages
    text: str
    meta: dict[str, Any]
    texts: dict[str, TextAnn] = field(default_factory=dict)
    events: dict[str, EventAnn] = field(default_factory=dict)
    relations: dict[str, RelationAnn] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # ids of events/relations in file order


def parse_notes(notes: list[str]) -> tuple[dict[str, str], list[str]]:
    """Split annotator notes into ``key=value`` fields and free text.

    A ``;`` inside a value is written ``\\;``.

    >>> parse_notes(["id=us-japan-talks; date=2025-04-16", "met twice"])
    ({'id': 'us-japan-talks', 'date': '2025-04-16'}, ['met twice'])
    >>> parse_notes([r"summary=LNG\\; chips"])[0]
    {'summary': 'LNG; chips'}
    >>> parse_notes(["id=x; summary=more LNG; closer chip ties"])[0]
    {'id': 'x', 'summary': 'more LNG; closer chip ties'}
    """
    fields: dict[str, str] = {}
    free: list[str] = []
    for note in notes:
        parts = [p.strip() for p in re.split(r"(?<!\\)[;\n]", note) if p.strip()]
        if parts and re.match(r"^[a-z_]+\s*[=:]", parts[0]):
            key = ""
            for p in parts:
                if re.match(r"^[a-z_]+\s*=", p) or (re.match(r"^[a-z_]+\s*:", p) and ";" not in p):
                    key, v = re.split(r"\s*[=:]\s*", p, maxsplit=1)
                    fields[key] = v.strip()
                else:  # no key: the previous value went on after a ";"
                    fields[key] += "; " + p
            for key in fields:
                fields[key] = fields[key].replace("\\;", ";").replace("\\n", "\n")
        elif note.strip():
            free.append(note.strip())
    return fields, free


def number(text: str) -> float | int | None:
    """The first number in a rate's words: '24%' -> 24, '27.5 percent' -> 27.5.

    >>> number("a 27.5% tariff"), number("24 percent"), number("none")
    (27.5, 24, None)
    """
    m = _NUMBER.search(text.replace(",", ""))
    if not m:
        return None
    v = float(m.group(0))
    return int(v) if v.is_integer() else v


def local_id(raw: str, taken: set[str]) -> str:
    """A valid, unique TradeKG id for a tool's annotation id.

    >>> taken = set(); local_id("T12", taken), local_id("t12", taken), local_id("_Xy z", taken)
    ('t12', 't12-2', 'xy-z')
    """
    base = re.sub(r"[^a-z0-9._-]+", "-", raw.lower()).strip("-._") or "a"
    if not base[0].isalnum():
        base = "a" + base
    out, n = base, 2
    while out in taken or not is_valid_id(out):
        out, n = f"{base}-{n}", n + 1
    taken.add(out)
    return out


class _Converter:
    def __init__(self, doc: Document, mapping: Mapping, reg: Registry):
        self.doc, self.m, self.reg = doc, mapping, reg
        self.problems: list[Problem] = []
        self.mention_ids: dict[str, list[str]] = {}  # text ann id -> mention ids (one per fragment)
        self.entity_of: dict[str, str | None] = {}
        self.published: str | None = None
        self.wikidata = {str(e.data["wikidata"]): e.id for e in reg.entities.values() if e.data.get("wikidata")}

    def bad(self, where: Where, msg: str) -> None:
        self.problems.append(where.problem(msg))

    # ---- text-bound annotations ---------------------------------------------
    def check_text(self, t: TextAnn) -> bool:
        known = set(self.m.entities) | set(self.m.spans) | set(self.m.events)
        if t.type not in known:
            self.bad(t.where, f"unknown type {t.type!r} on {t.id}; the mapping {self.m.path} knows: "
                              + ", ".join(self.m.known_types()))
            return False
        n = len(self.doc.text)
        for s, e in t.fragments:
            if not (0 <= s < e <= n):
                self.bad(t.where, f"{t.id}: offsets {s}-{e} lie outside the text (0-{n} code points); "
                                  "expected 0 <= start < end <= length")
                return False
        found = " ".join(self.doc.text[s:e] for s, e in t.fragments)
        if found != t.text:
            self.bad(t.where, f"{t.id}: span {';'.join(f'{s} {e}' for s, e in t.fragments)} reads {found!r} in the "
                              f"text but the annotation says {t.text!r}; expected them to match "
                              "(offsets count Unicode code points)")
            return False
        return True

    def resolve_norm(self, t: TextAnn) -> str | None:
        found: str | None = None
        for db, key, where in t.norms:
            kind = self.m.normalizations.get(db)
            if kind is None:
                self.bad(where, f"unknown normalisation database {db!r} on {t.id}; the mapping knows: "
                                + ", ".join(sorted(self.m.normalizations)))
                continue
            if kind == "registry":
                eid = key if self.reg.get(key) is not None else None
                if eid is None:
                    self.bad(where, f"{t.id} is normalised to {db}:{key}, which is not in the registry "
                                    f"{self.reg.path}; expected a registry id")
                    continue
            else:
                eid = self.wikidata.get(key)
                if eid is None:
                    self.bad(where, f"{t.id} is normalised to {db}:{key}, but no registry entry has wikidata: {key}; "
                                    "add the entity (with its wikidata id) to the registry first")
                    continue
            if found is not None and found != eid:
                self.bad(where, f"{t.id} is normalised to two entities, {found!r} and {eid!r}; expected one")
                continue
            found = eid
        return found

    def span_obj(self, t: TextAnn, role: str | None = None) -> list[dict[str, Any]]:
        out = []
        fields, _ = parse_notes(t.notes)
        for s, e in t.fragments:
            obj: dict[str, Any] = {"span": [s, e], "text": self.doc.text[s:e]}
            r = fields.get("role", role)
            if r:
                obj["role"] = r
            if fields.get("attributed_to"):
                obj["attributed_to"] = fields["attributed_to"]
            out.append(obj)
        return out

    # ---- the whole document --------------------------------------------------
    def run(self) -> dict[str, Any]:
        doc, m = self.doc, self.m
        ok_texts = {tid for tid, t in doc.texts.items() if self.check_text(t)}
        taken: set[str] = set()
        mentions: list[dict[str, Any]] = []
        title_ann: TextAnn | None = None
        for tid, t in doc.texts.items():
            if tid not in ok_texts:
                continue
            if m.spans.get(t.type) == "title":
                title_ann = t
            if t.type not in m.entities:
                if t.norms and t.type not in m.entities:
                    self.bad(t.norms[0][2], f"{t.id} is a {t.type}, not an entity type; only entity mentions "
                                            "take a normalisation")
                continue
            ent = self.resolve_norm(t)
            self.entity_of[tid] = ent
            given = parse_notes(t.notes)[0].get("id")
            base = local_id(given or tid, taken)
            ids = [base] + [local_id(f"{base}.f{k}", taken) for k in range(2, len(t.fragments) + 1)]
            self.mention_ids[tid] = ids
            for mid, (s, e) in zip(ids, t.fragments, strict=True):
                men: dict[str, Any] = {"id": mid, "type": m.entities[t.type], "span": [s, e], "text": doc.text[s:e]}
                if ent:
                    men["entity"] = ent
                mentions.append(men)
        art = self.meta(title_ann)
        self.published = art.get("published")
        art["mentions"] = mentions
        facts: list[dict[str, Any]] = []
        by_event: dict[str, dict[str, Any]] = {}
        status_events: list[EventAnn] = []
        fact_taken: set[str] = set()
        for oid in doc.order:
            if oid in doc.events:
                ev = doc.events[oid]
                kind = m.events.get(ev.type)
                if kind is None:
                    self.bad(ev.where, f"unknown event type {ev.type!r} on {ev.id}; the mapping {m.path} knows: "
                                       + ", ".join(sorted(m.events)))
                    continue
                if kind == STATUS_CHANGE:
                    status_events.append(ev)
                    continue
                f = self.event_fact(ev, kind, art["id"], fact_taken, ok_texts)
                if f is not None:
                    by_event[ev.id] = f
                    facts.append(f)
            elif oid in doc.relations:
                f = self.relation_fact(doc.relations[oid], art["id"], fact_taken, ok_texts)
                if f is not None:
                    facts.append(f)
        for ev in status_events:
            self.status_change(ev, by_event, ok_texts)
        self.resolve_issued_at(facts, by_event)
        art["facts"] = facts
        if self.problems:
            raise InputError(self.problems)
        return art

    def meta(self, title_ann: TextAnn | None) -> dict[str, Any]:
        doc = self.doc
        meta: dict[str, Any] = {}
        if title_ann is not None:
            fields, free = parse_notes(title_ann.notes)
            meta.update(fields)
            if free:
                meta["note"] = " ".join(free)
            meta.setdefault("title", title_ann.text)
        meta.update({k: v for k, v in doc.meta.items() if v is not None})
        if "cites" in meta and isinstance(meta["cites"], str):
            meta["cites"] = [c.strip() for c in meta["cites"].split(",") if c.strip()]
        meta.setdefault("id", slug(doc.name))
        missing = [k for k in ("title", "publisher", "published", "language") if not meta.get(k)]
        if missing:
            self.bad(Where(doc.file), f"article metadata lacks {', '.join(missing)}; give them in a sidecar "
                                      f"NAME.meta.yaml (brat), the task's data (Label Studio), or as notes "
                                      "'publisher=...; published=YYYY-MM-DD; language=en' on a Title span")
        unknown = sorted(set(meta) - set(META_KEYS))
        if unknown:
            self.bad(Where(doc.file), f"unknown article metadata {', '.join(unknown)}; expected only "
                                      + ", ".join(META_KEYS))
        art: dict[str, Any] = {"format": "tradekg-article/1"}
        for k in META_KEYS:
            if k in meta:
                art[k] = str(meta[k]) if k not in ("cites",) else list(meta[k])
        art["text"] = doc.text
        return art

    def fact_id(self, notes: dict[str, str], raw: str, article_id: str, taken: set[str], where: Where) -> str:
        fid = notes.get("id") or f"{article_id}.{local_id(raw, set())}"
        if fid in taken:
            self.bad(where, f"fact id {fid!r} is used twice; expected one id per fact")
        taken.add(fid)
        return fid

    def apply_notes(self, f: dict[str, Any], fields: dict[str, str], free: list[str], where: Where,
                    skip: set[str] = frozenset({"id", "trigger"})) -> None:  # type: ignore[assignment]
        for k, v in fields.items():
            if k in skip:
                continue
            if k in LIST_NOTE_KEYS:  # added to the members given by arguments
                for x in (x.strip() for x in v.split(",")):
                    if x and x not in f.setdefault(k, []):
                        f[k].append(x)
            elif k in JSON_NOTE_KEYS:
                try:
                    value = json.loads(v)
                except ValueError as exc:
                    self.bad(where, f"note {k}=...: expected a JSON list of records ({exc})")
                    continue
                if not isinstance(value, list):
                    self.bad(where, f"note {k}=...: expected a JSON list of records")
                    continue
                f[k] = value
            elif k in INT_NOTE_KEYS:
                if not v.isdigit():
                    self.bad(where, f"note {k}={v!r}: expected a whole number")
                    continue
                f[k] = int(v)
            elif k in NUMBER_NOTE_KEYS:
                n = number(v)
                if n is None:
                    self.bad(where, f"note {k}={v!r}: expected a number")
                    continue
                f[k] = n
            else:
                f[k] = v
        if free:
            f["note"] = " ".join(free)

    def apply_attrs(self, f: dict[str, Any], attrs: dict[str, str], where: Where) -> None:
        for a, v in attrs.items():
            fld = self.m.attributes.get(a)
            if fld is None:
                self.bad(where, f"unknown attribute {a!r}; the mapping knows: {', '.join(sorted(self.m.attributes))}")
                continue
            if fld in ("rate", "new_rate"):
                n = number(v)
                if n is None:
                    self.bad(where, f"attribute {a}={v!r}: expected a number")
                    continue
                f[fld] = n
            else:
                f[fld] = v

    def argument(self, ev: EventAnn, role: str, target: str, ok_texts: set[str]) -> tuple[str, Any] | None:
        """(field, target annotation) of one argument, or None after reporting a problem."""
        base = re.sub(r"\d+$", "", role)
        fld = self.m.roles.get(base)
        if fld is None:
            self.bad(ev.where, f"unknown role {role!r} in {ev.id}; the mapping knows: {', '.join(sorted(self.m.roles))}")
            return None
        if target not in self.doc.texts and target not in self.doc.events:
            self.bad(ev.where, f"{ev.id} {role} refers to {target}, which is not defined in the document; "
                               "expected the id of a text-bound annotation or event")
            return None
        if target in self.doc.texts and target not in ok_texts:
            return None
        return fld, target

    def event_fact(self, ev: EventAnn, kind: str, article_id: str, taken: set[str],
                   ok_texts: set[str]) -> dict[str, Any] | None:
        fields, free = parse_notes(ev.notes)
        trig = self.doc.texts.get(ev.trigger)
        if trig is None:
            self.bad(ev.where, f"{ev.id} has trigger {ev.trigger}, which is not defined; expected a text-bound "
                               "annotation id")
            return None
        f: dict[str, Any] = {"id": self.fact_id(fields, ev.id, article_id, taken, ev.where), "type": kind}
        evidence: list[Any] = []
        if ev.trigger in ok_texts and fields.get("trigger") != "not-evidence":
            evidence.extend(self.span_obj(trig))
        for role, target in ev.args:
            got = self.argument(ev, role, target, ok_texts)
            if got is None:
                continue
            fld, tgt = got
            self.fill(ev, f, evidence, fld, tgt, role)
        self.apply_attrs(f, ev.attrs, ev.where)
        self.apply_notes(f, fields, free, ev.where)
        f["evidence"] = evidence
        return f

    def fill(self, ev: EventAnn, f: dict[str, Any], evidence: list[Any], fld: str, tgt: str, role: str) -> None:
        if fld in ("issued_at", "measure"):
            if tgt not in self.doc.events:
                self.bad(ev.where, f"{ev.id} {role} refers to {tgt}; expected an event id")
            else:
                f.setdefault("_" + fld, tgt)
            return
        t = self.doc.texts.get(tgt)
        if t is None:
            self.bad(ev.where, f"{ev.id} {role} refers to event {tgt}; expected a text-bound annotation")
            return
        if fld in ENTITY_LIST_FIELDS or fld in ENTITY_FIELDS:
            ent = self.entity_of.get(tgt)
            if tgt not in self.mention_ids or ent is None:
                self.bad(ev.where, f"{ev.id} {role} refers to {tgt} ({t.type} {t.text!r}), which is not an entity "
                                   "mention with a normalisation; expected a mention linked to a registry entity")
                return
            if fld in ENTITY_LIST_FIELDS:
                if ent not in f.setdefault(fld, []):
                    f[fld].append(ent)
            else:
                f[fld] = ent
            evidence.extend(self.mention_ids[tgt])
        elif fld in TEXT_FIELDS:
            f[fld] = t.text
            evidence.extend(self.span_obj(t, role=fld))
        elif fld == "rate":
            n = number(t.text)
            if n is None:
                self.bad(ev.where, f"{ev.id} {role} {tgt} reads {t.text!r}; expected a rate such as '24%'")
                return
            f["rate"] = n
            evidence.extend(self.span_obj(t, role="rate"))
        elif fld == "quote":
            s, e = t.fragments[0][0], t.fragments[-1][1]
            f["quote"] = {"span": [s, e], "text": self.doc.text[s:e]}
        elif tgt in self.mention_ids:  # a mention as plain evidence
            evidence.extend(self.mention_ids[tgt])
        else:  # evidence
            evidence.extend(self.span_obj(t))

    def status_change(self, ev: EventAnn, by_event: dict[str, dict[str, Any]], ok_texts: set[str]) -> None:
        fields, free = parse_notes(ev.notes)
        sc: dict[str, Any] = {}
        evidence: list[Any] = []
        trig = self.doc.texts.get(ev.trigger)
        if trig is not None and ev.trigger in ok_texts and fields.get("trigger") != "not-evidence":
            evidence.extend(self.span_obj(trig))
        for role, target in ev.args:
            got = self.argument(ev, role, target, ok_texts)
            if got is None:
                continue
            fld, tgt = got
            self.fill(ev, sc, evidence, fld, tgt, role)
        self.apply_attrs(sc, ev.attrs, ev.where)
        self.apply_notes(sc, fields, free, ev.where)
        if "rate" in sc:
            sc["new_rate"] = sc.pop("rate")
            for item in evidence:
                if isinstance(item, dict) and item.get("role") == "rate":
                    item["role"] = "new_rate"
        measure = sc.pop("_measure", None)
        if measure is None or measure not in by_event:
            self.bad(ev.where, f"{ev.id} (StatusChange) has no Measure argument naming a tariff, quota or export "
                               "control event; expected Measure:E<n>")
            return
        if "status" not in sc:
            self.bad(ev.where, f"{ev.id} (StatusChange) has no Status attribute; expected one of Announced, InEffect, "
                               "Paused, Resumed, Cut, Raised, Revoked, Superseded")
            return
        extra = sorted(set(sc) - STATUS_FIELDS - {"note"})
        if extra:
            self.bad(ev.where, f"{ev.id} (StatusChange): {', '.join(extra)} do not apply to a status change; "
                               f"expected only {', '.join(sorted(STATUS_FIELDS))}")
            return
        sc.pop("note", None)
        if "date" not in sc:  # the format dates every status; resolve the article's words for it
            published = parse_iso(str(self.doc.meta.get("published", self.published or "")))
            day = dates.resolve(sc["date_expression"], published) if published and "date_expression" in sc else None
            if day is None:
                self.bad(ev.where, f"{ev.id} (StatusChange) has no date; give a Date argument such as 'on April 2' "
                                   "(resolved against the publication date) or a note date=YYYY-MM-DD")
                return
            sc["date"] = day[0].isoformat()
        out: dict[str, Any] = {k: sc[k] for k in fact_model().status_fields if k in sc and k != "measure"}
        out["evidence"] = evidence
        by_event[measure].setdefault("status_changes", []).append(out)

    def resolve_issued_at(self, facts: list[dict[str, Any]], by_event: dict[str, dict[str, Any]]) -> None:
        for f in facts:
            f.pop("_measure", None)
            target = f.pop("_issued_at", None)
            if target is not None:
                if target in by_event:
                    f["issued_at"] = by_event[target]["id"]

    def relation_fact(self, r: RelationAnn, article_id: str, taken: set[str], ok_texts: set[str]) -> dict[str, Any] | None:
        spec = self.m.relations.get(r.type)
        if spec is None:
            self.bad(r.where, f"unknown relation type {r.type!r} on {r.id}; the mapping {self.m.path} knows: "
                              + ", ".join(sorted(self.m.relations)))
            return None
        ok = True
        for arg in (r.arg1, r.arg2):
            if arg not in self.doc.texts:
                self.bad(r.where, f"{r.id} ({r.type}) refers to {arg}, which is not defined in the document; "
                                  "expected the id of an entity mention")
                ok = False
            elif arg in ok_texts and self.entity_of.get(arg) is None:
                self.bad(r.where, f"{r.id} ({r.type}) refers to {arg} ({self.doc.texts[arg].text!r}), which is not "
                                  "an entity mention with a normalisation")
                ok = False
        if not ok or r.arg1 not in ok_texts or r.arg2 not in ok_texts:
            return None
        fields, free = parse_notes(r.notes)
        f: dict[str, Any] = {"id": self.fact_id(fields, r.id, article_id, taken, r.where), "type": spec["fact"],
                             spec["arg1"]: self.entity_of[r.arg1], spec["arg2"]: self.entity_of[r.arg2],
                             "evidence": [mid for _, mid in sorted(  # the two mentions in text order
                                 [(self.doc.texts[x].fragments[0], mid) for x in (r.arg1, r.arg2)
                                  for mid in self.mention_ids[x]])]}
        self.apply_notes(f, fields, free, r.where)
        return f


def to_article(doc: Document, mapping: Mapping, reg: Registry) -> dict[str, Any]:
    """Convert a tool's document into a ``tradekg-article/1`` dict (text inline), or raise InputError."""
    return _Converter(doc, mapping, reg).run()
