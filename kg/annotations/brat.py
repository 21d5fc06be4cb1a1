"""brat standoff: reading ``NAME.txt`` + ``NAME.ann`` (+ ``NAME.meta.yaml``) and writing them back.

Article metadata (id, title, publisher, published, language, url, cites) comes
from a sidecar ``NAME.meta.yaml`` beside the ``.ann``; alternatively, or for
keys the sidecar lacks, from annotator notes ``key=value; key=value`` on a
``Title`` span. The article id defaults to the file name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from kg.annotations.mapping import Mapping
from kg.annotations.model import Document, EventAnn, RelationAnn, TextAnn, Where
from kg.errors import InputError, Problem
from kg.source import SourceProblem, parse_document, read_text

META_SUFFIXES = (".meta.yaml", ".meta.yml", ".meta.json")
_FRAGMENT = re.compile(r"^(\d+) (\d+)$")


def text_file(ann: Path) -> Path:
    return ann.with_suffix(".txt")


def meta_file(ann: Path) -> Path | None:
    for suffix in META_SUFFIXES:
        p = ann.with_name(ann.stem + suffix)
        if p.is_file():
            return p
    return None


def companion_files(ann: Path) -> list[Path]:
    """The files besides the .ann that make up a brat document (for change detection)."""
    return [p for p in (text_file(ann), meta_file(ann)) if p is not None and p.is_file()]


def read_document(ann: Path, display: str | None = None) -> Document:
    """Parse a brat ``.ann`` with its ``.txt`` (and metadata sidecar) into a :class:`Document`."""
    display = display or str(ann)
    txt = text_file(ann)
    if not txt.is_file():
        raise InputError([Problem(display, f"no text file {txt.name} beside it; brat keeps the text in NAME.txt "
                                           "next to NAME.ann")])
    try:
        text = read_text(txt, str(txt))
        source = read_text(ann, display) if ann.stat().st_size else ""
    except SourceProblem as exc:
        raise InputError([exc.problem]) from exc
    meta: dict[str, Any] = {}
    mp = meta_file(ann)
    if mp is not None:
        try:
            data = parse_document(read_text(mp, str(mp)), str(mp), mp.suffix == ".json")
        except SourceProblem as exc:
            raise InputError([exc.problem]) from exc
        if not isinstance(data, dict):
            raise InputError([Problem(str(mp), "expected a mapping of article metadata (id, title, publisher, "
                                               "published, language, url, cites)", line=1)])
        meta = data
    return parse_ann(source, text, display, ann.stem, meta)


def parse_ann(source: str, text: str, display: str, name: str, meta: dict[str, Any] | None = None) -> Document:
    """Parse the lines of a ``.ann`` file; every malformed line is reported with its number."""
    doc = Document(name, display, text, dict(meta or {}))
    problems: list[Problem] = []
    pending: list[tuple[str, list[str], Where]] = []  # A/N/# lines, applied once every id is known
    for lineno, line in enumerate(source.splitlines(), 1):
        if not line.strip():
            continue
        where = Where(display, lineno)
        cols = line.split("\t")
        aid = cols[0]
        try:
            if aid.startswith("T"):
                _check_cols(cols, 3, "T1<TAB>Type START END<TAB>text")
                head = cols[1].split(" ", 1)
                if len(head) != 2:
                    raise ValueError("expected 'Type START END' in the second column")
                frags = []
                for frag in head[1].split(";"):
                    m = _FRAGMENT.match(frag.strip())
                    if not m:
                        raise ValueError(f"offsets {head[1]!r}; expected 'START END' or 'START END;START END'")
                    frags.append((int(m.group(1)), int(m.group(2))))
                doc.texts[aid] = TextAnn(aid, head[0], frags, "\t".join(cols[2:]), where)
            elif aid.startswith("R"):
                _check_cols(cols, 2, "R1<TAB>Type Arg1:T1 Arg2:T2")
                parts = cols[1].split()
                rargs = dict(p.split(":", 1) for p in parts[1:] if ":" in p)
                if len(parts) != 3 or not {"Arg1", "Arg2"} <= set(rargs):
                    raise ValueError("expected 'Type Arg1:ID Arg2:ID'")
                doc.relations[aid] = RelationAnn(aid, parts[0], rargs["Arg1"], rargs["Arg2"], where)
                doc.order.append(aid)
            elif aid.startswith("E"):
                _check_cols(cols, 2, "E1<TAB>Type:T1 Role:T2 ...")
                parts = cols[1].split()
                if not parts or ":" not in parts[0]:
                    raise ValueError("expected 'Type:TRIGGER Role:ID ...'")
                etype, trigger = parts[0].split(":", 1)
                args = []
                for p in parts[1:]:
                    if ":" not in p:
                        raise ValueError(f"argument {p!r}; expected Role:ID")
                    role, target = p.split(":", 1)
                    args.append((role, target))
                doc.events[aid] = EventAnn(aid, etype, trigger, args, where)
                doc.order.append(aid)
            elif aid[:1] in ("A", "M", "N", "#"):
                _check_cols(cols, 2, f"{aid}<TAB>...")
                pending.append((aid, cols, where))
            elif aid.startswith("*"):
                raise ValueError("equivalence (*) annotations are not supported; link the mentions to the same "
                                 "entity with normalisations instead")
            else:
                raise ValueError(f"unknown annotation id {aid!r}; expected T, R, E, A, M, N or # lines")
        except ValueError as exc:
            problems.append(where.problem(str(exc)))
    for aid, cols, where in pending:
        parts = cols[1].split()
        try:
            if aid[0] in "AM":
                if len(parts) not in (2, 3):
                    raise ValueError("expected 'Attribute ID [Value]'")
                target = parts[1]
                owner = doc.events.get(target) or doc.texts.get(target)
                if owner is None:
                    raise ValueError(f"attribute {parts[0]} refers to {target}, which is not defined in the document")
                owner.attrs[parts[0]] = parts[2] if len(parts) == 3 else "true"
            elif aid[0] == "N":
                if len(parts) != 3 or ":" not in parts[2]:
                    raise ValueError("expected 'Reference ID DB:KEY<TAB>text'")
                t = doc.texts.get(parts[1])
                if t is None:
                    raise ValueError(f"normalisation refers to {parts[1]}, which is not a text-bound annotation "
                                     "in the document")
                db, key = parts[2].split(":", 1)
                t.norms.append((db, key, where))
            else:
                if len(parts) < 2:
                    raise ValueError("expected '#1<TAB>AnnotatorNotes ID<TAB>note'")
                target = parts[1]
                owner2: Any = doc.texts.get(target) or doc.events.get(target) or doc.relations.get(target)
                if owner2 is None:
                    raise ValueError(f"note refers to {target}, which is not defined in the document")
                owner2.notes.append("\t".join(cols[2:]))
        except ValueError as exc:
            problems.append(where.problem(str(exc)))
    if problems:
        raise InputError(problems)
    return doc


def _check_cols(cols: list[str], n: int, form: str) -> None:
    if len(cols) < n:
        raise ValueError(f"expected {n} tab-separated columns: {form}")


# ---- writing ---------------------------------------------------------------------

def write_ann(art: dict[str, Any], mapping: Mapping, names: dict[str, str] | None = None) -> str:
    """brat standoff for a ``tradekg-article/1`` dict whose spans are resolved (``span`` on every item).

    Mentions become T (+ N TradeKG:id), PostHolding facts R, other facts E with
    their arguments, status changes StatusChange events; fact ids and fields
    without a span go into annotator notes. Fragments ``t5``, ``t5.f2`` are
    joined into one discontinuous span again.
    """
    w = _Writer(art, mapping, names or {})
    return w.run()


class _Writer:
    def __init__(self, art: dict[str, Any], mapping: Mapping, names: dict[str, str]):
        self.a, self.m, self.names = art, mapping, names
        self.text: str = art["text"]
        self.lines: list[str] = []
        self.n = {"T": 0, "E": 0, "R": 0, "A": 0, "N": 0, "#": 0}
        self.span_t: dict[tuple[str, tuple[tuple[int, int], ...]], str] = {}
        self.mention_t: dict[str, str] = {}
        self.mention_entity: dict[str, str | None] = {}

    def new(self, kind: str) -> str:
        self.n[kind] += 1
        return f"{kind}{self.n[kind]}"

    def t(self, typ: str, frags: list[tuple[int, int]]) -> str:
        key = (typ, tuple(frags))
        if key not in self.span_t:
            tid = self.new("T")
            offs = ";".join(f"{s} {e}" for s, e in frags)
            words = " ".join(self.text[s:e] for s, e in frags)
            self.lines.append(f"{tid}\t{typ} {offs}\t{words}")
            self.span_t[key] = tid
        return self.span_t[key]

    def note(self, target: str, fields: dict[str, Any]) -> None:
        parts = []
        for k, v in fields.items():
            if v is None:
                continue
            if isinstance(v, list) and any(isinstance(x, dict) for x in v):
                v = json.dumps(v, ensure_ascii=False, separators=(",", ":"))  # records (commitments)
            elif isinstance(v, list):
                v = ",".join(map(str, v))
            elif isinstance(v, float) and v.is_integer():
                v = int(v)
            parts.append(f"{k}=" + str(v).replace(";", "\\;").replace("\n", "\\n"))
        if parts:
            self.lines.append(f"{self.new('#')}\tAnnotatorNotes {target}\t{'; '.join(parts)}")

    def run(self) -> str:
        a, m = self.a, self.m
        groups: dict[str, list[dict[str, Any]]] = {}
        for men in a.get("mentions", []):
            base = re.sub(r"\.f\d+$", "", men["id"])
            groups.setdefault(base, []).append(men)
        db = m.normalization_db("registry") or "TradeKG"
        for base, mens in groups.items():
            typ = m.entity_type(mens[0]["type"]) or mens[0]["type"]
            tid = self.t(typ, [tuple(x["span"]) for x in mens])  # type: ignore[misc]
            for x in mens:
                self.mention_t[x["id"]] = tid
                self.mention_entity[x["id"]] = x.get("entity")
            self.note(tid, {"id": base})
            if mens[0].get("entity"):
                ent = mens[0]["entity"]
                self.lines.append(f"{self.new('N')}\tReference {tid} {db}:{ent}\t{self.names.get(ent, ent)}")
        event_of: dict[str, str] = {}
        for f in a.get("facts", []):
            if f["type"] == "PostHolding":
                self.relation(f)
            else:
                eid = self.event(f, f["type"], event_of)
                event_of[f["id"]] = eid
        return "\n".join(self.lines) + "\n"

    def relation(self, f: dict[str, Any]) -> None:
        name = next((r for r, spec in self.m.relations.items() if spec["fact"] == f["type"]), None)
        spec = self.m.relations.get(name or "")
        ev = [x for x in f["evidence"] if isinstance(x, str)]
        arg1 = next((self.mention_t[x] for x in ev if self.mention_entity.get(x) == f.get(spec["arg1"])), None) if spec else None
        arg2 = next((self.mention_t[x] for x in ev if self.mention_entity.get(x) == f.get(spec["arg2"])), None) if spec else None
        if name is None or arg1 is None or arg2 is None:
            return  # cannot be drawn as a relation without both mentions
        rid = self.new("R")
        self.lines.append(f"{rid}\t{name} Arg1:{arg1} Arg2:{arg2}")
        self.note(rid, {"id": f["id"]})

    def event(self, f: dict[str, Any], ftype: str, event_of: dict[str, str]) -> str:
        m = self.m
        etype = m.event_type(ftype) or ftype
        evidence = list(f.get("evidence", []))
        spans = [x for x in evidence if isinstance(x, dict)]
        head = evidence[0] if evidence else None
        trigger = head if isinstance(head, dict) and not head.get("role") and not head.get("attributed_to") else None
        notes: dict[str, Any] = {"id": f["id"]}
        if trigger is None:  # the first evidence cannot be the trigger: anchor the event, keep evidence order
            notes["trigger"] = "not-evidence"
            mids = [x for x in evidence if isinstance(x, str)]
            first = next(x for x in a_mentions(self.a) if x["id"] == mids[0]) if mids else None
            frags = [tuple(spans[0]["span"])] if spans else [tuple(first["span"])] if first else [(0, 1)]
        else:
            frags = [tuple(trigger["span"])]
        trig = self.t(etype, frags)  # type: ignore[arg-type]
        args: list[str] = []
        role_of_field = {fld: r for r, fld in m.roles.items()}
        used_fields: set[str] = set()
        for x in evidence:
            if x is trigger:
                continue
            if isinstance(x, str):
                ent = self.mention_entity.get(x)
                fld = None
                if ent is not None:
                    fld = next((k for k in ("participants", "parties", "targets") if ent in f.get(k, [])), None) or \
                        next((k for k in ("speaker", "imposed_by", "to_outlet", "instrument", "attributed_to")
                              if f.get(k) == ent), None)
                role = role_of_field.get(fld or "evidence", None)
                if role is None or x not in self.mention_t:
                    continue
                args.append(f"{role}:{self.mention_t[x]}")
                used_fields.add(fld or "")
            else:
                r = x.get("role")
                kind = {"place": "place", "date_expression": "date", "rate": "rate", "new_rate": "rate"}.get(r or "")
                if kind and not _carries(f.get(r or ""), x["text"]):
                    kind = None  # the span supports the field but is not its value: plain evidence
                span_type = m.span_type(kind) if kind else None
                role = role_of_field.get({"new_rate": "rate"}.get(r or "", r or ""), None) if kind else None
                if span_type and role:
                    tid = self.t(span_type, [tuple(x["span"])])  # type: ignore[list-item]
                    used_fields.add(r or "")
                else:
                    tid = self.t(m.span_type("evidence") or "Evidence", [tuple(x["span"])])  # type: ignore[list-item]
                    role = role_of_field.get("evidence", "Evidence")
                    if r or x.get("attributed_to"):
                        self.note(tid, {"role": r, "attributed_to": x.get("attributed_to")})
                args.append(f"{role}:{tid}")
        q = f.get("quote")
        if q and "span" in q:
            tid = self.t(m.span_type("quote") or "Quote", [tuple(q["span"])])
            args.append(f"{role_of_field.get('quote', 'Quote')}:{tid}")
        if f.get("issued_at") in event_of:
            args.append(f"{role_of_field.get('issued_at', 'IssuedAt')}:{event_of[f['issued_at']]}")
        if f.get("_measure"):
            args.append(f"{role_of_field.get('measure', 'Measure')}:{f['_measure']}")
        eid = self.new("E")
        self.lines.append(f"{eid}\t{etype}:{trig}" + "".join(" " + _numbered(a, args[:i]) for i, a in enumerate(args)))
        skip = {"id", "type", "evidence", "quote", "status_changes", "_measure", "trigger"}
        if f.get("issued_at") in event_of:
            skip.add("issued_at")
        for fld, attr_fields in (("channel", "channel"), ("rate_basis", "rate_basis"), ("status", "status")):
            if f.get(fld) is not None and m.attribute_name(attr_fields):
                self.lines.append(f"{self.new('A')}\t{m.attribute_name(attr_fields)} {eid} {f[fld]}")
                skip.add(fld)
        for k, v in f.items():
            if k in ("participants", "parties", "targets"):
                v = [e for e in v if not any(self.mention_entity.get(x) == e for x in evidence if isinstance(x, str))]
                if v:
                    notes[k] = v  # members without a mention among the evidence
                continue
            if k in skip or k in used_fields:
                continue
            notes[k] = v
        self.note(eid, notes)
        for sc in f.get("status_changes", []):
            self.event({**sc, "id": None, "_measure": eid}, "StatusChange", event_of)
        return eid


def _carries(value: Any, words: str) -> bool:
    """Whether a span's words are the field's value (place text, date words, rate number)."""
    if value is None:
        return False
    if isinstance(value, (int, float)):
        from kg.annotations.model import number

        return number(words) == value
    return str(value) == words


def a_mentions(art: dict[str, Any]) -> list[dict[str, Any]]:
    return list(art.get("mentions", []))


def _numbered(arg: str, before: list[str]) -> str:
    """brat numbers repeated roles: Participant, Participant2, Participant3."""
    role, target = arg.split(":", 1)
    n = sum(1 for b in before if b.split(":", 1)[0] == role) + 1
    return f"{role}{n if n > 1 else ''}:{target}"
