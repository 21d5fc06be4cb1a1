"""The fact families of the article format, read from ``ontology/model.yaml``.

The model file declares each fact family once (its ontology class, its fields with their kind of
value, RDF property, range and whether they are required or annotation roles, and how the graph
page draws it); the checker, the RDF mapper and its inverse, the annotation-tool importers and the
graph page read their tables from :func:`model` instead of keeping their own.

>>> m = model()
>>> sorted(m.families["PostHolding"].fields)
['person', 'post']
>>> m.fields["participants"].kind, m.fields["participants"].iri.rsplit("#")[-1]
('entities', 'participant')
>>> m.families["Meeting"].fields["parties"].range
'Organisation'
>>> m.families["Meeting"].label.render({"type": "summit", "date": None, "start": "2025-02-07"}.get)
'Summit, 2025-02-07'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kg import resources
from kg.errors import OntologyError
from kg.namespaces import TDO

FORMAT = "tradekg-model/1"
MODEL_FILE = resources.path("ontology") / "model.yaml"

KINDS = ("id", "entity", "entities", "text", "texts", "date", "integer", "decimal", "vocab",
         "fact_date", "quote", "status_changes", "fact_ref", "evidence", "measure_refs", "fact_refs", "holdings",
         "commitments")
"""The kinds of value a field can hold (see the comment at the top of model.yaml)."""
SIMPLE_KINDS = frozenset({"entity", "entities", "text", "texts", "date", "integer", "decimal", "vocab", "measure_refs"})
"""Kinds the RDF mapper and its inverse handle generically (one property, one or many values)."""
NODES = ("event", "measure", "holding")
_FIELD_KEYS = {"kind", "property", "range", "what", "role", "attribute", "generic"}
_FAMILY_FIELD_KEYS = {"required", "range", "what"}
_MODIFIERS = ("capitalize",)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
UNLABELLED_KINDS = frozenset({"evidence", "quote", "status_changes", "commitments"})
"""Kinds a label template may not name (they have no one-line text)."""


@dataclass(frozen=True)
class Slot:
    """``{name}`` or ``{name:capitalize}`` in a label template."""

    name: str
    capitalize: bool = False


Piece = str | Slot
Part = Piece | tuple[tuple[Piece, ...], ...]  # a literal, a slot, or [choice|choice|...]


@dataclass(frozen=True)
class Template:
    """A label template: literal text, ``{field}`` slots (``{field:capitalize}``: Python's
    ``str.capitalize``), and ``[a|b|...]``: the first choice whose fields all have a value (nothing
    when none has). A slot outside ``[...]`` whose field has no value renders as nothing."""

    text: str
    parts: tuple[Part, ...]

    @property
    def names(self) -> list[str]:
        """The fields the template names, in order."""
        out: list[str] = []
        for part in self.parts:
            for piece in ((part,) if isinstance(part, (str, Slot)) else (p for c in part for p in c)):
                if isinstance(piece, Slot):
                    out.append(piece.name)
        return out

    def render(self, value: Callable[[str], str | None]) -> str:
        """The label, ``value(field)`` giving each field's text (None: the field has no value)."""
        def piece(p: Piece) -> str:
            if isinstance(p, str):
                return p
            v = value(p.name) or ""
            return v.capitalize() if p.capitalize else v

        out = []
        for part in self.parts:
            if isinstance(part, (str, Slot)):
                out.append(piece(part))
                continue
            for choice in part:
                if all(value(p.name) is not None for p in choice if isinstance(p, Slot)):
                    out.append("".join(piece(p) for p in choice))
                    break
        return "".join(out)


def parse_template(text: str) -> Template:
    """Parse a label template; ValueError says what is wrong.

    >>> parse_template("{speaker}, [{type} of {date}|undated {type}]").names
    ['speaker', 'type', 'date', 'type']
    >>> parse_template("[{rate}% ").names
    Traceback (most recent call last):
    ...
    ValueError: '[' at 0 is not closed; expected [choice|choice...]
    """
    parts: list[Part] = []
    i = 0

    def slot(i: int) -> tuple[Slot, int]:
        end = text.find("}", i)
        if end < 0:
            raise ValueError(f"'{{' at {i} is not closed; expected {{field}}")
        name, _, mod = text[i + 1:end].partition(":")
        if not _NAME.fullmatch(name):
            raise ValueError(f"{{{text[i + 1:end]}}} at {i}; expected {{field}} or {{field:capitalize}}")
        if mod and mod not in _MODIFIERS:
            raise ValueError(f"unknown modifier {mod!r} at {i}; expected one of {', '.join(_MODIFIERS)}")
        return Slot(name, mod == "capitalize"), end + 1

    def pieces(i: int, stops: str) -> tuple[list[Piece], int]:
        out: list[Piece] = []
        lit = ""
        while i < len(text) and text[i] not in stops:
            c = text[i]
            if c == "{":
                if lit:
                    out.append(lit)
                    lit = ""
                s, i = slot(i)
                out.append(s)
                continue
            if c in "}[]":
                raise ValueError(f"unexpected {c!r} at {i}")
            lit += c
            i += 1
        if lit:
            out.append(lit)
        return out, i

    while i < len(text):
        if text[i] == "[":
            start, choices = i, []
            while True:
                choice, i = pieces(i + 1, "|]")
                choices.append(tuple(choice))
                if i >= len(text):
                    raise ValueError(f"'[' at {start} is not closed; expected [choice|choice...]")
                if text[i] == "]":
                    break
            parts.append(tuple(choices))
            i += 1
        else:
            top, i = pieces(i, "[")
            parts.extend(top)
    return Template(text, tuple(parts))


@dataclass(frozen=True)
class Field:
    """One field of a fact (or of a status change)."""

    name: str
    kind: str
    iri: str | None = None  # full IRI of its property
    range: str | None = None  # tdo class local name (entity, entities, vocab)
    what: str | None = None  # the noun for messages
    role: bool = False  # annotation tools fill it from an event argument
    attribute: bool = False  # annotation tools fill it from an attribute
    generic: bool = True  # the mapper writes and reads it without code of its own
    required: bool = False  # in a family: the checker refuses a fact without it

    @property
    def mapped(self) -> bool:
        """Whether the mapper writes it (and the inverse reads it) through the generic table."""
        return self.iri is not None and self.generic and self.kind in SIMPLE_KINDS


@dataclass(frozen=True)
class Edge:
    """A hidden fact the graph page folds into an edge ``from -> to`` valid between two dates."""

    iri: str  # the edge's property
    source: str  # field name
    target: str  # field name
    valid_from: str | None = None  # property IRI
    valid_until: str | None = None


@dataclass(frozen=True)
class Family:
    name: str
    cls: str  # full IRI of the ontology class
    node: str  # event, measure or holding
    fields: dict[str, Field]
    edge: Edge | None = None  # None: drawn as a node of its own
    label: Template | None = None  # the rdfs:label of its node (None for a holding: no node of its own)

    @property
    def required(self) -> list[str]:
        return [f for f, d in self.fields.items() if d.required]


@dataclass(frozen=True)
class Model:
    path: str
    common: dict[str, Field]
    fields: dict[str, Field]  # every family field, once
    status_fields: dict[str, Field]
    families: dict[str, Family]
    status_label: Template  # the rdfs:label of a status change
    commitment_fields: dict[str, Field] = dataclass_field(default_factory=dict)  # of a tdo:Commitment
    commitment_label: Template | None = None

    def field_properties(self) -> dict[str, tuple[str, str]]:
        """Field -> (property IRI, kind) of the fields the mapper writes generically."""
        return {n: (f.iri, f.kind) for n, f in self.fields.items() if f.mapped and f.iri}

    def allowed(self, family: str) -> set[str]:
        """The fields a fact of ``family`` accepts (its own and the common ones)."""
        return set(self.families[family].fields) | set(self.common)

    def all_fields(self) -> list[Field]:
        """The common, family and status-change fields (status fields last)."""
        return [*self.common.values(), *self.fields.values(), *self.status_fields.values()]


class _Reader:
    def __init__(self, path: str):
        self.path = path

    def fail(self, key: str, message: str) -> OntologyError:
        return OntologyError(f"{self.path}: {key}: {message}")

    def mapping(self, value: Any, key: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a mapping, found {type(value).__name__}")
        return {str(k): v for k, v in value.items()}

    def iri(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.startswith("tdo:") or len(value) <= 4:
            raise self.fail(key, f"{value!r}; expected an ontology term such as tdo:participant")
        return str(TDO[value[4:]])

    def field(self, name: str, spec: Any, key: str) -> Field:
        spec = self.mapping(spec, key)
        unknown = sorted(set(spec) - _FIELD_KEYS)
        if unknown:
            raise self.fail(key, f"unknown keys {', '.join(unknown)}; expected only {', '.join(sorted(_FIELD_KEYS))}")
        kind = spec.get("kind")
        if kind not in KINDS:
            raise self.fail(f"{key}.kind", f"{kind!r}; expected one of {', '.join(KINDS)}")
        for flag in ("role", "attribute", "generic"):
            if flag in spec and not isinstance(spec[flag], bool):
                raise self.fail(f"{key}.{flag}", f"{spec[flag]!r}; expected true or false")
        if kind in ("entity", "entities", "vocab") and not isinstance(spec.get("range"), str):
            raise self.fail(f"{key}.range", f"a {kind} field needs range: an ontology class name")
        prop = self.iri(spec["property"], f"{key}.property") if "property" in spec else None
        return Field(name, kind, prop, spec.get("range"), spec.get("what"), spec.get("role", False),
                     spec.get("attribute", False), spec.get("generic", True))

    def template(self, value: Any, key: str, fields: dict[str, Field]) -> Template:
        """A label template naming only ``fields``, of kinds that have a one-line text."""
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"{value!r}; expected a label template such as \"{{participants}} on {{date}}\"")
        try:
            t = parse_template(value)
        except ValueError as exc:
            raise self.fail(key, f"{value!r}: {exc}") from None
        for name in t.names:
            if name not in fields:
                named = sorted(n for n, f in fields.items() if f.kind not in UNLABELLED_KINDS)
                raise self.fail(key, f"{value!r} names {name!r}, not a field here; expected one of {', '.join(named)}")
            if fields[name].kind in UNLABELLED_KINDS:
                raise self.fail(key, f"{value!r} names {name!r}, a field of kind {fields[name].kind}, which has no "
                                     f"one-line text; expected a field of another kind")
        return t

    def fields(self, value: Any, key: str) -> dict[str, Field]:
        return {n: self.field(n, s, f"{key}.{n}") for n, s in self.mapping(value, key).items()}

    def family(self, name: str, spec: Any, fields: dict[str, Field], common: dict[str, Field]) -> Family:
        key = f"families.{name}"
        spec = self.mapping(spec, key)
        node = spec.get("node")
        if node not in NODES:
            raise self.fail(f"{key}.node", f"{node!r}; expected one of {', '.join(NODES)}")
        own: dict[str, Field] = {}
        for fname, narrow in self.mapping(spec.get("fields"), f"{key}.fields").items():
            fkey = f"{key}.fields.{fname}"
            if fname not in fields:
                raise self.fail(fkey, f"no field {fname!r} under fields:; declare it there first")
            narrow = self.mapping(narrow, fkey)
            unknown = sorted(set(narrow) - _FAMILY_FIELD_KEYS)
            if unknown:
                raise self.fail(fkey, f"unknown keys {', '.join(unknown)}; expected only "
                                      f"{', '.join(sorted(_FAMILY_FIELD_KEYS))}")
            base = fields[fname]
            own[fname] = replace(base, required=bool(narrow.get("required", False)),
                                 range=narrow.get("range", base.range), what=narrow.get("what", base.what))
        draw = spec.get("draw", "node")
        edge = None
        if draw != "node":
            d = self.mapping(draw, f"{key}.draw")
            for end in ("from", "to"):
                if d.get(end) not in own:
                    raise self.fail(f"{key}.draw.{end}", f"{d.get(end)!r}; expected a field of {name}")
            edge = Edge(self.iri(d.get("edge"), f"{key}.draw.edge"), d["from"], d["to"],
                        self.iri(d["valid_from"], f"{key}.draw.valid_from") if "valid_from" in d else None,
                        self.iri(d["valid_until"], f"{key}.draw.valid_until") if "valid_until" in d else None)
        label = None
        if node == "holding":
            if "label" in spec:
                raise self.fail(f"{key}.label", "a holding has no node of its own to label; remove label:")
        else:
            label = self.template(spec.get("label"), f"{key}.label", {**common, **own})
        return Family(name, self.iri(spec.get("class"), f"{key}.class"), node, own, edge, label)


def load(path: Path) -> Model:
    """Read and check a model file; :class:`OntologyError` names the file and key when it is malformed."""
    return _load(str(path))


@lru_cache(maxsize=4)
def _load(path: str) -> Model:
    r = _Reader(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise OntologyError(f"{path}: cannot read the model: {exc}") from exc
    data = r.mapping(data, "(top)")
    if data.get("format") != FORMAT:
        raise r.fail("format", f"{data.get('format')!r}; expected {FORMAT}")
    fields = r.fields(data.get("fields"), "fields")
    common = r.fields(data.get("common"), "common")
    both = sorted(set(fields) & set(common))
    if both:
        raise r.fail("fields", f"{', '.join(both)} declared both here and under common:")
    status_change = r.mapping(data.get("status_change"), "status_change")
    status = r.fields(status_change.get("fields"), "status_change.fields")
    status_label = r.template(status_change.get("label"), "status_change.label", status)
    families = {n: r.family(n, s, fields, common) for n, s in r.mapping(data.get("families"), "families").items()}
    if not families:
        raise r.fail("families", "expected at least one fact family")
    commitment = r.mapping(data.get("commitment"), "commitment")
    cfields = r.fields(commitment.get("fields"), "commitment.fields")
    clabel = r.template(commitment["label"], "commitment.label", cfields) if "label" in commitment else None
    return Model(path, common, fields, status, families, status_label, cfields, clabel)


def model() -> Model:
    """The model of the shipped (or, in a test, monkeypatched) ``MODEL_FILE``, read once."""
    return load(MODEL_FILE)
