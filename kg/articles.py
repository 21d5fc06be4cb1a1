"""Loading and checking annotated articles (the ``tradekg-article/1`` format).

:func:`load_article` returns an :class:`Article` whose spans, dates and
references are all resolved and checked, or raises :class:`InputError` with
every problem found in the file, each naming its line and span.
"""

from __future__ import annotations

import copy
import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from kg import dates
from kg.errors import InputError, Problem
from kg.model import Field, model
from kg.namespaces import TDO, iri_error, slug
from kg.ontology import Ontology
from kg.registry import Entity, Registry, schema
from kg.schemacheck import Check, compile_schema
from kg.source import Locator, SourceProblem, parse_document, path_str, read_text

ARTICLE_SUFFIXES = (".yaml", ".yml", ".json")
FORMAT = "tradekg-article/1"
MAX_RATE = 1000

# Which fields each family of fact types accepts, from the model (ontology/model.yaml). The families
# are ontology classes; a fact's type is any tdo class below one of them. The checks below read
# kg.model.model() when they run; these two constants are the shipped model's, for other modules.
FAMILY_FIELDS: dict[str, set[str]] = {n: set(f.fields) for n, f in model().families.items()}
COMMON_FIELDS = set(model().common)  # confidence and rule: drafts of the annotation assistant

_JSON_OF_KIND: dict[str, dict[str, Any]] = {
    "id": {"$ref": "#/$defs/id"}, "entity": {"$ref": "#/$defs/id"}, "entities": {"$ref": "#/$defs/ids"}, "text": {"type": "string"},
    "texts": {"type": "array", "items": {"type": "string"}}, "date": {"$ref": "#/$defs/date"},
    "integer": {"type": "integer"}, "decimal": {"type": "number"}, "vocab": {"type": "string"},
    "fact_date": {"$ref": "#/$defs/date"}, "quote": {"$ref": "#/$defs/quote"},
    "status_changes": {"type": "array", "items": {"$ref": "#/$defs/status_change"}},
    "fact_ref": {"$ref": "#/$defs/id"}, "evidence": {"$ref": "#/$defs/evidence"},
    "measure_refs": {"$ref": "#/$defs/ids"},
    "fact_refs": {"type": "array", "items": {"$ref": "#/$defs/fact_ref"}}, "holdings": {"$ref": "#/$defs/ids"},
    "commitments": {"type": "array", "items": {"$ref": "#/$defs/commitment"}},
}
"""The JSON Schema of each kind of field, for fields the shipped schema does not spell out."""


def article_schema() -> dict[str, Any]:
    """kg/schema/article.schema.json, with every model field the file does not list allowed by its kind."""
    return _article_schema(model().path)


@cache
def _article_schema(_model_path: str) -> dict[str, Any]:
    out = copy.deepcopy(schema("article"))
    props = out["$defs"]["fact"]["properties"]
    m = model()
    for f in [*m.common.values(), *m.fields.values()]:
        props.setdefault(f.name, _JSON_OF_KIND[f.kind])
    return out


# JSON Schema counts 81.0 as an integer; a span [81.0, 95.0] then crashed slicing. Whole numbers only.
_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, x: isinstance(x, int) and not isinstance(x, bool)),
)


def _fast_article_check() -> Check | None:
    return _compiled_check(model().path)


@cache
def _compiled_check(_model_path: str) -> Check | None:
    return compile_schema(article_schema(), strict_integer=True)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    role: str | None = None
    attributed_to: str | None = None
    mention: str | None = None  # the mention id, when the evidence is a mention


@dataclass
class Mention:
    id: str
    type: str  # tdo local name
    span: Span
    entity: str | None


@dataclass
class Fact:
    id: str
    type: str  # tdo local name
    family: str
    data: dict[str, Any]
    evidence: list[Span]
    date: str | None = None
    date_resolution: str | None = None
    quote: Span | None = None
    status_changes: list[dict[str, Any]] = field(default_factory=list)  # with "evidence": list[Span]
    commitments: list[dict[str, Any]] = field(default_factory=list)  # with "local": str, "evidence": list[Span]


@dataclass
class Article:
    id: str
    file: str  # as given, for messages
    data: dict[str, Any]
    text: str
    mentions: dict[str, Mention]
    facts: list[Fact]

    @property
    def published(self) -> str:
        return str(self.data["published"])


def text_path(article_file: Path, text_file: str) -> Path | None:
    """The text file's path, or None if it would lie outside the article's folder."""
    if Path(text_file).is_absolute() or "\\" in text_file:
        return None
    base = article_file.resolve().parent
    target = (base / text_file).resolve()
    try:
        target.relative_to(base)
    except ValueError:
        return None
    return target


class _Checker:
    """Collects the problems of one article file."""

    def __init__(self, display: str, source: str, onto: Ontology, reg: Registry):
        self.display = display
        self.loc = Locator(source)
        self.onto = onto
        self.reg = reg
        self.problems: list[Problem] = []
        self.declared_mentions: set[str] = set()
        self.checked: set[tuple[str | int, ...]] = set()  # ("facts", i, key) whose values a check has seen

    def add(self, path: tuple[str | int, ...], message: str, span: tuple[int, int] | None = None) -> None:
        self.problems.append(Problem(self.display, message, line=self.loc.line(path),
                                     path=path_str(path) or None, span=span))

    # -- references to the registry -------------------------------------
    def entity(self, path: tuple[str | int, ...], eid: str | None, root: str, what: str) -> Entity | None:
        self.checked.add(path[:3])
        if eid is None:
            return None
        ent = self.reg.get(eid)
        if ent is None:
            self.add(path, f"unknown {what} {eid!r}: not in the registry {self.reg.path}; "
                           f"expected the id of a registry entry (add it there first)")
            return None
        if root == "Topic":
            if ent.section != "topics":
                self.add(path, f"{eid!r} is a {ent.cls}, expected a topic")
                return None
            return ent
        if ent.cls is None or not self.onto.is_subclass(str(TDO[ent.cls]), str(TDO[root])):
            self.add(path, f"{eid!r} is a {ent.cls or 'topic'}, expected a {root}")
            return None
        return ent

    def vocab(self, path: tuple[str | int, ...], value: str | None, cls: str) -> str | None:
        self.checked.add(path[:3])
        if value is None:
            return None
        options = self.onto.individuals(cls)
        if value not in options:
            self.add(path, f"unknown {self.onto.label(str(TDO[cls]))} {value!r}; expected one of {', '.join(sorted(options))}")
            return None
        return value

    def date(self, path: tuple[str | int, ...], value: str | None) -> str | None:
        self.checked.add(path[:3])
        if value is None:
            return None
        if dates.parse_iso(value) is None:
            self.add(path, f"{value!r} is not a calendar date; expected YYYY-MM-DD (e.g. 2025-04-16)")
            return None
        return value

    # -- spans ----------------------------------------------------------
    def span(self, path: tuple[str | int, ...], obj: dict[str, Any], text: str) -> Span | None:
        words = obj["text"]
        if "span" in obj:
            start, end = obj["span"]
            if not (0 <= start < end <= len(text)):
                self.add(path + ("span",), f"span {start}-{end} lies outside the text (0-{len(text)} code points); "
                                           "expected 0 <= start < end <= length", span=(start, end))
                return None
            found = text[start:end]
            if found != words:
                same = unicodedata.normalize("NFC", found) == unicodedata.normalize("NFC", words)
                hint = (" — the same letters in another Unicode normalization (NFC vs NFD, e.g. 'ō' as one code "
                        "point or as 'o' plus a combining macron); write them the same way" if same else "")
                self.add(path + ("span",), f"span {start}-{end} reads {found!r} but the annotation says {words!r}; "
                                           "expected the span's text to match exactly (offsets count Unicode code points)"
                                           + hint, span=(start, end))
                return None
        else:
            hits: list[int] = []
            i = text.find(words)
            while i >= 0:
                hits.append(i)
                i = text.find(words, i + 1)
            occ = obj.get("occurrence")
            if not hits:
                other = unicodedata.normalize("NFC", words) in unicodedata.normalize("NFC", text)
                self.add(path + ("text",), f"{_short(words)!r} does not occur in the article text; "
                                           "expected the exact words (or give a span)"
                                           + (" — it does in another Unicode normalization (NFC vs NFD); write "
                                              "the letters the same way as the text" if other else ""))
                return None
            if occ is None and len(hits) > 1:
                self.add(path + ("text",), f"{_short(words)!r} occurs {len(hits)} times (at {', '.join(map(str, hits[:5]))}); "
                                           "give span: [start, end] or occurrence: N")
                return None
            if occ is not None and occ > len(hits):
                self.add(path + ("occurrence",), f"occurrence {occ} asked but {_short(words)!r} occurs {len(hits)} times")
                return None
            start = hits[(occ or 1) - 1]
            end = start + len(words)
        att = obj.get("attributed_to")
        if att is not None:
            self.entity(path + ("attributed_to",), att, "MediaOutlet", "outlet")
        return Span(start, end, words, obj.get("role"), att)


def _short(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def family_of(onto: Ontology, type_name: str) -> str | None:
    iri = onto.class_iri(type_name)
    if iri is None:
        return None
    for fam in model().families.values():
        if onto.is_subclass(iri, fam.cls):
            return fam.name
    return None


def fact_types(onto: Ontology) -> list[str]:
    return sorted({t for fam in model().families.values() for t in onto.subclasses_of(fam.cls)})


def load_article(path: Path, onto: Ontology, reg: Registry, display: str | None = None) -> Article:
    """Read, parse and check one annotated article."""
    display = display or str(path)
    try:
        source = read_text(path, display)
        data = parse_document(source, display, path.suffix == ".json")
    except SourceProblem as exc:
        raise InputError([exc.problem]) from exc
    return check_article(data, source, path, display, onto, reg)


def check_article(data: Any, source: str, path: Path, display: str, onto: Ontology, reg: Registry) -> Article:
    c = _Checker(display, source, onto, reg)
    if not isinstance(data, dict):
        raise InputError([Problem(display, f"expected a mapping with format: {FORMAT} at the top, "
                                           f"found {type(data).__name__}", line=1)])
    fast = _fast_article_check()  # a quick yes/no; jsonschema words the messages when it says no
    errors = [] if fast is not None and fast(data) else sorted(_Validator(article_schema()).iter_errors(data),
                                                               key=lambda e: [str(x) for x in e.path])
    for err in errors:
        c.add(tuple(err.path), _schema_message(err))
    if c.problems:
        raise InputError(c.problems)

    # ---- text --------------------------------------------------------
    if "text" in data:
        text: str = data["text"]
    else:
        tp = text_path(path, data["text_file"])
        if tp is None:
            raise InputError([Problem(display, f"text_file {data['text_file']!r} lies outside the article's folder; "
                                               "expected a relative path inside it", line=c.loc.line(("text_file",)),
                                      path="text_file")])
        try:
            text = read_text(tp, str(tp))
        except SourceProblem as exc:
            raise InputError([exc.problem]) from exc
    published = c.date(("published",), data["published"])
    if data.get("url") is not None:
        check_iri(c.add, ("url",), data["url"])
    c.entity(("publisher",), data["publisher"], "MediaOutlet", "outlet")
    for i, o in enumerate(data.get("cites", [])):
        c.entity(("cites", i), o, "MediaOutlet", "outlet")

    # ---- mentions ----------------------------------------------------
    mentions: dict[str, Mention] = {}
    c.declared_mentions = {m["id"] for m in data["mentions"]}
    for i, m in enumerate(data["mentions"]):
        p: tuple[str | int, ...] = ("mentions", i)
        if m["id"] in mentions:
            c.add(p + ("id",), f"duplicate mention id {m['id']!r}; expected ids unique within the article")
            continue
        cls = onto.class_iri(m["type"])
        if cls is None:
            c.add(p + ("type",), f"unknown mention type {m['type']!r}; expected an ontology class such as "
                                 "Person, Official, Country, Government, GovernmentBody, MediaOutlet, Post, LegalInstrument")
            continue
        if m.get("entity") is not None:
            c.entity(p + ("entity",), m["entity"], m["type"], "entity")
        sp = c.span(p, m, text)
        if sp is not None:
            mentions[m["id"]] = Mention(m["id"], m["type"], Span(sp.start, sp.end, sp.text, mention=m["id"]),
                                        m.get("entity"))

    # ---- facts -------------------------------------------------------
    facts: list[Fact] = []
    fact_ids: dict[str, int] = {}
    for i, f in enumerate(data["facts"]):
        p = ("facts", i)
        if f["id"] in fact_ids:
            c.add(p + ("id",), f"duplicate fact id {f['id']!r} (also facts[{fact_ids[f['id']]}]); "
                               "expected ids unique within the article")
            continue
        fact_ids[f["id"]] = i
        fam = family_of(onto, f["type"])
        if fam is None:
            c.add(p + ("type",), f"unknown fact type {f['type']!r}; expected one of {', '.join(fact_types(onto))}")
            continue
        allowed = model().allowed(fam)
        for key in f:
            if key not in allowed:
                c.add(p + (key,), f"field {key!r} does not apply to a {f['type']}; expected only "
                                  f"{', '.join(sorted(allowed))}")
        fact = Fact(f["id"], f["type"], fam, f, _evidence(c, p + ("evidence",), f["evidence"], mentions, text))
        if f.get("attributed_to") is not None:
            c.entity(p + ("attributed_to",), f["attributed_to"], "MediaOutlet", "outlet")
        _check_fact(c, p, fact, published, text, mentions, data["facts"])
        facts.append(fact)
    if c.problems:
        raise InputError(c.problems)
    return Article(data["id"], display, data, text, mentions, facts)


def check_iri(add: Any, path: tuple[str | int, ...], value: str) -> bool:
    """Report a URL that the store would refuse as an IRI (``https://x/a#b#c``, ``http://%zz``).

    Without this check such a URL passed the schema and failed only when the
    store was written, after earlier batches of a big build had been committed.
    """
    why = iri_error(value)
    if why is not None:
        add(path, f"{value!r} is not a valid IRI ({why}); expected an absolute http(s) URL "
                  "such as https://example.com/news/1 (percent-encode spaces and a second #)")
        return False
    return True


def _schema_message(err: jsonschema.ValidationError) -> str:
    where = path_str(tuple(err.path)) or "the document"
    if err.validator == "required":
        return f"{where}: {err.message}"
    if err.validator == "additionalProperties":
        return f"{where}: {err.message}; see kg/schema/article.schema.json for the fields"
    if err.validator == "pattern":
        return f"{where}: {err.instance!r} does not have the expected form ({err.validator_value})"
    if err.validator == "not" and isinstance(err.instance, str):
        return (f"{where}: {err.instance!r} is not an allowed id; expected lower-case letters, digits, '.', '_' "
                "or '-', without '..' or a line break")
    if err.validator == "oneOf" and not err.path:
        return "give the article text as either text: or text_file:, exactly one of them"
    return f"{where}: {err.message}"


def _evidence(c: _Checker, path: tuple[str | int, ...], items: list[Any], mentions: dict[str, Mention],
              text: str) -> list[Span]:
    out: list[Span] = []
    for j, ev in enumerate(items):
        if isinstance(ev, str):
            m = mentions.get(ev)
            if m is None and ev in c.declared_mentions:
                continue  # the mention itself is invalid and already reported
            if m is None:
                c.add(path + (j,), f"evidence refers to mention {ev!r}, which is not defined in mentions; "
                                   f"expected one of {', '.join(sorted(mentions)) or '(no mentions)'}")
            else:
                out.append(m.span)
        else:
            sp = c.span(path + (j,), ev, text)
            if sp is not None:
                out.append(sp)
    return out


def _resolve_date(c: _Checker, path: tuple[str | int, ...], obj: dict[str, Any], published: str | None,
                  required: bool) -> tuple[str | None, str | None]:
    value = c.date(path + ("date",), obj.get("date"))
    expr = obj.get("date_expression")
    if obj.get("date") is not None:
        return value, None
    if expr is not None and published is not None:
        try:
            res = dates.resolve(expr, dt.date.fromisoformat(published))
        except (ValueError, OverflowError):  # "tomorrow" of 9999-12-31, "December 25" before year 1
            res = None
        if res is None:
            c.add(path + ("date_expression",), f"cannot resolve {expr!r} against the publication date {published}; "
                                               "give date: YYYY-MM-DD as well")
            return None, None
        return res[0].isoformat(), res[1]
    if required and obj.get("start") is None:
        c.add(path, f"{obj.get('type', 'fact')} {obj.get('id', '')!r} has no date; expected date, "
                    "date_expression or start")
    return None, None


def _announced(c: _Checker, path: tuple[str | int, ...], sc: dict[str, Any], published: str | None) -> str | None:
    """A status change's announcement day: ``announced``, or ``announced_expression`` resolved against the
    publication date (None when it has neither or it is not a date)."""
    if sc.get("announced") is not None:
        return c.date(path + ("announced",), sc["announced"])
    expr = sc.get("announced_expression")
    if expr is None or published is None:
        return None
    try:
        res = dates.resolve(expr, dt.date.fromisoformat(published))
    except (ValueError, OverflowError):
        res = None
    if res is None:
        c.add(path + ("announced_expression",), f"cannot resolve {expr!r} against the publication date {published}; "
                                                "give announced: YYYY-MM-DD as well")
        return None
    return res[0].isoformat()


def _check_fact(c: _Checker, p: tuple[str | int, ...], fact: Fact, published: str | None, text: str,
                mentions: dict[str, Mention], all_facts: list[dict[str, Any]]) -> None:
    f = fact.data
    fam = fact.family
    reported = len(c.problems)

    def ids(key: str, root: str, what: str) -> None:
        for j, eid in enumerate(f.get(key, [])):
            c.entity(p + (key, j), eid, root, what)

    if fam == "Meeting":
        fact.date, fact.date_resolution = _resolve_date(c, p, f, published, required=True)
        start, end = c.date(p + ("start",), f.get("start")), c.date(p + ("end",), f.get("end"))
        if start and end and end < start:
            c.add(p + ("end",), f"meeting ends {end} before it starts {start}; expected end on or after start")
        if not f.get("participants"):
            c.add(p, f"meeting {fact.id!r} has no participants; expected participants: [person ids]")
        ids("participants", "Person", "person")
        ids("parties", "Organisation", "organisation")
        ids("topics", "Topic", "topic")
    elif fam == "TradeMeasure":
        for key in ("imposed_by", "targets"):
            if not f.get(key):
                c.add(p, f"{f['type']} {fact.id!r} has no {key}; expected {key}: "
                         + ("a jurisdiction id" if key == "imposed_by" else "[jurisdiction ids]"))
        c.entity(p + ("imposed_by",), f.get("imposed_by"), "Jurisdiction", "jurisdiction")
        ids("targets", "Jurisdiction", "jurisdiction")
        if f["type"] == "Tariff" and "rate" not in f:
            c.add(p, f"tariff {fact.id!r} has no rate; expected rate: a percentage such as 24")
        _rate(c, p + ("rate",), f.get("rate"))
        c.vocab(p + ("rate_basis",), f.get("rate_basis"), "RateBasis")
        c.entity(p + ("instrument",), f.get("instrument"), "LegalInstrument", "legal instrument")
        for j, other in enumerate(f.get("supersedes", [])):  # issue 17: measures this one replaces
            here = next((g for g in all_facts if g.get("id") == other), None)
            if other == fact.id:
                c.add(p + ("supersedes", j), f"{f['type']} {fact.id!r} supersedes itself; expected the id of "
                                             "another trade measure")
            elif here is not None and family_of(c.onto, str(here.get("type"))) != "TradeMeasure":
                c.add(p + ("supersedes", j), f"supersedes refers to {other!r}, a {here.get('type')}; expected a "
                                             "trade measure")
        if not f.get("status_changes"):
            c.add(p, f"{f['type']} {fact.id!r} has no status_changes; expected at least one dated status "
                     "(e.g. status: Announced, date: 2025-04-02)")
        for j, sc in enumerate(f.get("status_changes", [])):
            q = p + ("status_changes", j)
            status = c.vocab(q + ("status",), sc["status"], "MeasureStatus")
            day, how = _resolve_date(c, q, sc, published, required=True)
            until = c.date(q + ("until",), sc.get("until"))
            if day and until and until < day:
                c.add(q + ("until",), f"status {sc['status']} lasts until {until}, before its date {day}; "
                                      "expected until on or after date")
            announced = _announced(c, q, sc, published)
            if day and announced and day < announced:
                c.add(q + ("announced",), f"status {sc['status']} announced {announced}, after it takes effect on "
                                          f"{day}; expected announced on or before date")
            _rate(c, q + ("new_rate",), sc.get("new_rate"))
            if status in ("Cut", "Raised") and "new_rate" not in sc:
                c.add(q, f"status {status} needs new_rate: the rate in percent after the change")
            c.entity(q + ("instrument",), sc.get("instrument"), "LegalInstrument", "legal instrument")
            if sc.get("attributed_to") is not None:
                c.entity(q + ("attributed_to",), sc["attributed_to"], "MediaOutlet", "outlet")
            ev = _evidence(c, q + ("evidence",), sc.get("evidence", []), mentions, text)
            fact.status_changes.append({**sc, "date": day, "date_resolution": how, "evidence": ev,
                                        **({"announced": announced} if announced else {})})
    elif fam == "Statement":
        for key in ("speaker", "channel", "quote"):
            if key not in f:
                c.add(p, f"statement {fact.id!r} has no {key}; expected {key}")
        fact.date, fact.date_resolution = _resolve_date(c, p, f, published, required=False)
        c.entity(p + ("speaker",), f.get("speaker"), "Person", "person")
        c.vocab(p + ("channel",), f.get("channel"), "Channel")
        c.entity(p + ("to_outlet",), f.get("to_outlet"), "MediaOutlet", "outlet")
        ids("topics", "Topic", "topic")
        if "quote" in f:
            fact.quote = c.span(p + ("quote",), f["quote"], text)
        for j, ref in enumerate(f.get("about", [])):
            _check_ref(c, p + ("about", j), "about", ref, all_facts, ("Meeting", "TradeMeasure", "Agreement",
                                                                       "JointStatement"))
    elif fam in ("JointStatement", "Agreement"):
        fact.date, fact.date_resolution = _resolve_date(c, p, f, published, required=True)
        if not f.get("parties") and not f.get("participants"):
            c.add(p, f"{f['type']} {fact.id!r} has no parties; expected parties: [government or person ids]")
        ids("parties", "Agent", "government, organisation or person")
        ids("participants", "Person", "person")
        ids("topics", "Topic", "topic")
        c.entity(p + ("instrument",), f.get("instrument"), "LegalInstrument", "legal instrument")
        at = f.get("issued_at")
        if at is not None:
            target = next((g for g in all_facts if g.get("id") == at), None)
            if target is None:
                c.add(p + ("issued_at",), f"issued_at refers to fact {at!r}, which is not defined in this article; "
                                          "expected the id of a meeting in facts")
            else:
                fam_t = family_of(c.onto, str(target.get("type")))
                if fam_t != "Meeting":
                    c.add(p + ("issued_at",), f"issued_at refers to {at!r}, a {target.get('type')}; expected a meeting")
        _check_deal(c, p, fact, mentions, text, all_facts)
    elif fam == "PoliticalEvent":
        fact.date, fact.date_resolution = _resolve_date(c, p, f, published, required=True)
        _check_political_event(c, p, fact)
    elif fam == "PostHolding":
        for key in ("person", "post"):
            if key not in f:
                c.add(p, f"post holding {fact.id!r} has no {key}; expected {key}: a registry id")
        person = c.entity(p + ("person",), f.get("person"), "Person", "person")
        post = c.entity(p + ("post",), f.get("post"), "Post", "post")
        if person and post and published:
            cover = [h for h in c.reg.holdings_of(person.id) if h.post == post.id and h.covers(published)]
            if not cover:
                c.add(p, f"the registry has no holding of {post.id!r} by {person.id!r} on the publication date "
                         f"{published}; expected a holding whose start/end cover it")
    _check_model_fields(c, p, fact, reported)
    if not fact.evidence and not (fact.quote and fam == "Statement"):
        c.add(p + ("evidence",), f"fact {fact.id!r} has no evidence; expected at least one mention id or quote")


# ---- agreements, commitments, political events, references to facts (issue 17, deals) ----------

_REF_FAMILIES = {"Meeting": "a meeting", "TradeMeasure": "a trade measure", "Agreement": "an agreement",
                 "JointStatement": "a joint statement"}


def split_ref(ref: str) -> tuple[str | None, str]:
    """A fact reference as (kind, id): ``measure:x`` -> ("measure", "x"), a bare id -> (None, id)."""
    kind, sep, rest = ref.partition(":")
    return (kind, rest) if sep else (None, ref)


def _check_ref(c: _Checker, path: tuple[str | int, ...], key: str, ref: str, all_facts: list[dict[str, Any]],
               families: tuple[str, ...]) -> None:
    """A reference to a fact: a fact id of this article of one of ``families``, or (another article's fact)
    a bare id taken as an event, or event:ID / measure:ID."""
    c.checked.add(path[:3])
    kind, fid = split_ref(ref)
    wanted = " or ".join(_REF_FAMILIES[f] for f in families)
    if kind is not None:  # another article's fact, by the kind of its IRI
        if (kind == "measure" and "TradeMeasure" not in families) or (kind == "event" and families == ("TradeMeasure",)):
            c.add(path, f"{key} refers to {ref!r}, a {kind}; expected {wanted}")
        return
    target = next((g for g in all_facts if g.get("id") == fid), None)
    if target is None:
        return  # another article's event
    fam = family_of(c.onto, str(target.get("type")))
    if fam not in families:
        c.add(path, f"{key} refers to {fid!r}, a {target.get('type')}; expected {wanted}")


def _check_deal(c: _Checker, p: tuple[str | int, ...], fact: Fact, mentions: dict[str, Mention], text: str,
                all_facts: list[dict[str, Any]]) -> None:
    """An agreement's or joint statement's reached_at and commitments."""
    f = fact.data
    if f.get("reached_at") is not None:
        _check_ref(c, p + ("reached_at",), "reached_at", f["reached_at"], all_facts, ("Meeting",))
    parties = set(f.get("parties", []))
    seen: dict[str, int] = {}
    for j, cm in enumerate(f.get("commitments", [])):
        q = p + ("commitments", j)
        c.checked.add(q[:3])
        by = c.entity(q + ("by",), cm["by"], "Agent", "party")
        if by is not None and by.id not in parties:
            c.add(q + ("by",), f"commitment by {by.id!r}, who is not a party to {fact.id!r}; expected one of "
                               f"its parties: {', '.join(sorted(parties)) or '(none given)'}")
        kind = c.vocab(q + ("kind",), cm["kind"], "CommitmentKind")
        if cm.get("amount") is not None and cm.get("currency") is None:
            c.add(q, f"commitment amount {cm['amount']} has no currency; expected currency: an ISO 4217 code such as USD")
        cur = cm.get("currency")
        if cur is not None and not (len(cur) == 3 and cur.isascii() and cur.isalpha() and cur.isupper()):
            c.add(q + ("currency",), f"currency {cur!r} is not an ISO 4217 code; expected three upper-case "
                                     "letters such as USD, EUR or JPY")
        start, end = c.date(q + ("start",), cm.get("start")), c.date(q + ("end",), cm.get("end"))
        if start and end and end < start:
            c.add(q + ("end",), f"commitment ends {end} before it starts {start}; expected end on or after start")
        for k, mid in enumerate(cm.get("measures", [])):
            _check_ref(c, q + ("measures", k), "measures", mid, all_facts, ("TradeMeasure",))
        local = slug(cm.get("id") or f"{cm['by']}-{kind or cm['kind']}")
        if local in seen:
            c.add(q, f"commitment {local!r} of {fact.id!r} is given twice (also commitments[{seen[local]}]); "
                     "give each commitment of the same party and kind its own id")
            continue
        seen[local] = j
        if cm.get("attributed_to") is not None:
            c.entity(q + ("attributed_to",), cm["attributed_to"], "MediaOutlet", "outlet")
        ev = _evidence(c, q + ("evidence",), cm.get("evidence", []), mentions, text)
        fact.commitments.append({**cm, "local": local, "evidence": ev})


def _check_political_event(c: _Checker, p: tuple[str | int, ...], fact: Fact) -> None:
    """The registry holdings a political event starts or ends exist (and are of the post concerned)."""
    f = fact.data
    post = f.get("post_concerned")
    for key in ("starts_holding", "ends_holding"):
        for j, hid in enumerate(f.get(key, [])):
            c.checked.add((*p, key))
            person = hid.split("--", 1)[0]
            known = c.reg.holdings_of(person)
            h = next((h for h in known if h.id == hid), None)
            if h is None:
                c.add(p + (key, j), f"{key} names holding {hid!r}, not in the registry {c.reg.path}; expected a "
                                    "holding id PERSON--POST--START" + (f" such as {', '.join(x.id for x in known)}"
                                                                        if known else ""))
            elif post is not None and h.post != post:
                c.add(p + (key, j), f"{key} names holding {hid!r}, of post {h.post!r}, but the event concerns "
                                    f"{post!r}; expected a holding of the post concerned")


def _check_model_fields(c: _Checker, p: tuple[str | int, ...], fact: Fact, reported: int) -> None:
    """What the model declares and the family's own checks above did not look at: references of
    entity, entity-list, vocabulary and date fields, and required fields not reported missing."""
    for key, fd in model().families[fact.family].fields.items():
        value = fact.data.get(key)
        if fd.required and value in (None, [], "") \
                and not any(key in prob.message for prob in c.problems[reported:]):
            c.add(p, f"{fact.type} {fact.id!r} has no {key}; expected {key}")
        if value is not None and p + (key,) not in c.checked:
            _check_value(c, p + (key,), fd, value)


def _check_value(c: _Checker, path: tuple[str | int, ...], fd: Field, value: Any) -> None:
    what = fd.what or str(fd.range)
    if fd.kind == "entity":
        c.entity(path, value, str(fd.range), what)
    elif fd.kind == "entities":
        for j, eid in enumerate(value):
            c.entity(path + (j,), eid, str(fd.range), what)
    elif fd.kind == "vocab":
        c.vocab(path, value, str(fd.range))
    elif fd.kind == "date":
        c.date(path, value)


def _rate(c: _Checker, path: tuple[str | int, ...], value: float | int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not (0 <= float(value) <= MAX_RATE):
        c.add(path, f"rate {value!r} is out of range; expected a percentage from 0 to {MAX_RATE}")
