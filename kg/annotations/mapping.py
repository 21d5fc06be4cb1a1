"""Mapping files: which annotation-tool types become which TradeKG terms.

A mapping (``tradekg-annotation-mapping/1``, YAML) names, for one tool, the
entity types that are mentions (-> ontology class), the span types that mark
evidence, quotes, places, dates and rates, the event types (-> fact types),
event roles (-> fact fields), relation types (-> two-entity facts), attributes
and normalisation databases. The defaults ship in ``kg/mappings/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import InputError, Problem
from kg.model import model
from kg.ontology import Ontology
from kg.source import SourceProblem, parse_document, read_text

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"
FORMAT = "tradekg-annotation-mapping/1"

SPAN_KINDS = {"title", "evidence", "quote", "place", "date", "rate"}
# the fields annotation tools may fill from an event's roles and attributes, from ontology/model.yaml
ROLE_FIELDS = {f.name for f in model().all_fields() if f.role}
ATTRIBUTE_FIELDS = {f.name for f in model().all_fields() if f.attribute}
NORMALIZATION_KINDS = {"registry", "wikidata"}
PER_REGION_KINDS = {"normalization", "note"}
STATUS_CHANGE = "StatusChange"


@dataclass
class Mapping:
    """One tool's mapping, checked against the ontology."""

    tool: str
    path: str
    entities: dict[str, str]
    spans: dict[str, str]
    events: dict[str, str]
    roles: dict[str, str]
    relations: dict[str, dict[str, str]]
    attributes: dict[str, str]
    normalizations: dict[str, str]
    per_region: dict[str, str] = field(default_factory=dict)

    def known_types(self) -> list[str]:
        """Every type name the mapping knows, for messages."""
        return sorted({*self.entities, *self.spans, *self.events})

    def span_type(self, kind: str) -> str | None:
        """The tool type that marks spans of ``kind`` (e.g. 'evidence' -> 'Evidence')."""
        return next((t for t, k in self.spans.items() if k == kind), None)

    def entity_type(self, cls: str) -> str | None:
        return next((t for t, c in self.entities.items() if c == cls), None)

    def event_type(self, fact_type: str) -> str | None:
        return next((t for t, c in self.events.items() if c == fact_type), None)

    def attribute_name(self, field_name: str) -> str | None:
        return next((a for a, f in self.attributes.items() if f == field_name), None)

    def normalization_db(self, kind: str) -> str | None:
        return next((d for d, k in self.normalizations.items() if k == kind), None)


def default_path(tool: str) -> Path:
    return MAPPINGS_DIR / f"{tool}.yaml"


def load_mapping(tool: str, path: Path | None, onto: Ontology) -> Mapping:
    """Load and check a mapping file (the shipped default for ``tool`` when ``path`` is None)."""
    path = path or default_path(tool)
    display = str(path)
    try:
        data = parse_document(read_text(path, display), display, path.suffix == ".json")
    except SourceProblem as exc:
        raise InputError([exc.problem]) from exc
    problems: list[str] = []
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError([Problem(display, f"expected a mapping file starting with format: {FORMAT}", line=1)])
    if data.get("tool") != tool:
        problems.append(f"tool: {data.get('tool')!r}; expected {tool!r} (this file maps another tool's types)")

    def section(name: str) -> dict[str, Any]:
        value = data.get(name) or {}
        if not isinstance(value, dict):
            problems.append(f"{name}: expected a mapping of type names to TradeKG terms")
            return {}
        return {str(k): v for k, v in value.items()}

    entities, spans, events = section("entities"), section("spans"), section("events")
    roles, relations, attributes = section("roles"), section("relations"), section("attributes")
    norms, per_region = section("normalizations"), section("per_region")
    for t, cls in entities.items():
        if onto.class_iri(str(cls)) is None:
            problems.append(f"entities.{t}: {cls!r} is not an ontology class; expected one of "
                            + ", ".join(onto.tdo_classes()))
    for t, kind in spans.items():
        if kind not in SPAN_KINDS:
            problems.append(f"spans.{t}: {kind!r}; expected one of {', '.join(sorted(SPAN_KINDS))}")
    for t, cls in events.items():
        if cls != STATUS_CHANGE and onto.class_iri(str(cls)) is None:
            problems.append(f"events.{t}: {cls!r} is not an ontology class (nor {STATUS_CHANGE})")
    for r, f in roles.items():
        if f not in ROLE_FIELDS:
            problems.append(f"roles.{r}: {f!r}; expected one of {', '.join(sorted(ROLE_FIELDS))}")
    for r, spec in relations.items():
        if not isinstance(spec, dict) or not {"fact", "arg1", "arg2"} <= set(spec):
            problems.append(f"relations.{r}: expected {{fact: PostHolding, arg1: person, arg2: post}}")
        elif onto.class_iri(str(spec["fact"])) is None:
            problems.append(f"relations.{r}.fact: {spec['fact']!r} is not an ontology class")
    for a, f in attributes.items():
        if f not in ATTRIBUTE_FIELDS:
            problems.append(f"attributes.{a}: {f!r}; expected one of {', '.join(sorted(ATTRIBUTE_FIELDS))}")
    for d, k in norms.items():
        if k not in NORMALIZATION_KINDS:
            problems.append(f"normalizations.{d}: {k!r}; expected one of {', '.join(sorted(NORMALIZATION_KINDS))}")
    for n, k in per_region.items():
        if k not in PER_REGION_KINDS and k not in attributes:
            problems.append(f"per_region.{n}: {k!r}; expected normalization, note or an attribute name "
                            f"({', '.join(sorted(attributes))})")
    clash = (set(entities) & set(spans)) | (set(entities) & set(events)) | (set(spans) & set(events))
    if clash:
        problems.append(f"type names used twice: {', '.join(sorted(clash))}; expected each type in one section")
    if problems:
        raise InputError([Problem(display, p) for p in problems])
    return Mapping(tool, display, {k: str(v) for k, v in entities.items()}, {k: str(v) for k, v in spans.items()},
                   {k: str(v) for k, v in events.items()}, {k: str(v) for k, v in roles.items()},
                   {k: {kk: str(vv) for kk, vv in v.items()} for k, v in relations.items()},
                   {k: str(v) for k, v in attributes.items()}, {k: str(v) for k, v in norms.items()},
                   {k: str(v) for k, v in per_region.items()})
