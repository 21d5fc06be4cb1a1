"""The fact model (ontology/model.yaml, kg/model.py) is the one declaration of the fact families.

Architecture issue, part 3: the checker, the RDF mapper and its inverse read their field tables
from the model, so adding a field to a family is one change in the model file; the shipped JSON
Schema and SHACL shapes agree with it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

import kg.model
from kg.annotations.store_articles import article_dicts
from kg.article_rdf import article_quads
from kg.articles import check_article
from kg.errors import InputError, OntologyError
from kg.namespaces import PREFIXES, TDO
from kg.ontology import load_ontology
from kg.registry import load_registry, schema
from kg.resources import path as resource_path

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
SUMMIT = "001-ishiba-trump-white-house-summit"


def _model_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Any) -> kg.model.Model:
    """A temporary copy of the shipped model, changed by ``edit(data)``, made the current model."""
    data = yaml.safe_load(kg.model.MODEL_FILE.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    monkeypatch.setattr(kg.model, "MODEL_FILE", path)
    return kg.model.model()


def _summit(tmp_path: Path, **extra: Any) -> tuple[dict[str, Any], Path, str]:
    """The bundled summit article with ``extra`` fields on its Summit fact (None: without that field),
    written to tmp_path."""
    shutil.copy(ARTICLES / f"{SUMMIT}.txt", tmp_path / f"{SUMMIT}.txt")
    data = yaml.safe_load((ARTICLES / f"{SUMMIT}.yaml").read_text(encoding="utf-8"))
    fact = next(f for f in data["facts"] if f["type"] == "Summit")
    fact.update(extra)
    for key in [k for k, v in extra.items() if v is None]:
        del fact[key]
    path = tmp_path / f"{SUMMIT}.yaml"
    source = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text(source, encoding="utf-8")
    return data, path, fact["id"]


class _MemoryStore:
    """Quads in memory, queried like the embedded store (tdo: and friends predeclared)."""

    def __init__(self, nquads: str):
        self.store = ox.Store()
        self.store.load(nquads.encode(), format=ox.RdfFormat.N_QUADS)

    def query(self, sparql: str) -> Any:
        return self.store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)


def _round_trip(tmp_path: Path, **extra: Any) -> tuple[str, dict[str, Any]]:
    """(the article graph's N-Quads, the fact read back from them) for the summit with ``extra``."""
    onto, reg = load_ontology(), load_registry(ARTICLES / "registry.yaml", load_ontology())
    data, path, fid = _summit(tmp_path, **extra)
    art = check_article(data, path.read_text(encoding="utf-8"), path, str(path), onto, reg)
    graph, _inferred = article_quads(art, onto, reg, path.name)
    quads = "".join(graph.lines)
    back = next(a for a in article_dicts(_MemoryStore(quads)) if a["id"] == data["id"])
    return quads, next(f for f in back["facts"] if f["id"] == fid)


def test_a_field_added_in_the_model_alone_is_checked_mapped_and_read_back(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Architecture issue part 3: one declaration in model.yaml adds a field to the checker, the mapper
    and the inverse mapping, without a change to their code."""
    def add(data: dict[str, Any]) -> None:
        data["fields"]["venue_note"] = {"kind": "text", "property": "tdo:venueNote"}
        data["fields"]["host"] = {"kind": "entity", "property": "tdo:host", "range": "Person", "what": "person"}
        data["families"]["Meeting"]["fields"].update({"venue_note": None, "host": None})

    _model_with(tmp_path, monkeypatch, add)
    quads, fact = _round_trip(tmp_path, venue_note="the Oval Office", host="donald-trump")
    assert f"<{TDO.venueNote}> \"the Oval Office\"" in quads
    assert f"<{TDO.host}> <" in quads
    assert fact["venue_note"] == "the Oval Office"
    assert fact["host"] == "donald-trump"


def test_a_field_the_model_does_not_declare_is_refused(tmp_path: Path) -> None:
    """Architecture issue part 3: without the declaration the same field is refused (the test above
    is not passing by accident)."""
    with pytest.raises(InputError, match="venue_note"):
        _round_trip(tmp_path, venue_note="the Oval Office")


def test_a_model_entity_field_is_checked_against_the_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Architecture issue part 3: an entity field declared only in the model has its reference checked."""
    def add(data: dict[str, Any]) -> None:
        data["fields"]["host"] = {"kind": "entity", "property": "tdo:host", "range": "Person", "what": "person"}
        data["families"]["Meeting"]["fields"]["host"] = None

    _model_with(tmp_path, monkeypatch, add)
    with pytest.raises(InputError, match="unknown person 'nobody-at-all'"):
        _round_trip(tmp_path, host="nobody-at-all")
    with pytest.raises(InputError, match="'us-government' is a .*, expected a Person"):
        _round_trip(tmp_path, host="us-government")


def test_a_required_model_field_is_enforced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Architecture issue part 3: required: true in the model makes the checker refuse a fact without it."""
    def add(data: dict[str, Any]) -> None:
        data["families"]["Meeting"]["fields"]["outcome"] = {"required": True}

    _model_with(tmp_path, monkeypatch, add)
    with pytest.raises(InputError, match="has no outcome"):
        _round_trip(tmp_path)


@pytest.mark.parametrize("edit, key", [
    (lambda d: d["fields"]["place"].update(kind="words"), "fields.place.kind"),
    (lambda d: d["families"]["Meeting"]["fields"].update(venue=None), "families.Meeting.fields.venue"),
    (lambda d: d["fields"]["topics"].pop("range"), "fields.topics.range"),
    (lambda d: d["families"]["Agreement"].update({"class": "Agreement"}), "families.Agreement.class"),
    (lambda d: d.update(format="other/1"), "format"),
])
def test_a_malformed_model_names_the_file_and_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  edit: Any, key: str) -> None:
    """Architecture issue part 3: a malformed model file is one clear error naming the file and key."""
    with pytest.raises(OntologyError) as exc:
        _model_with(tmp_path, monkeypatch, edit)
    assert str(exc.value).startswith(f"{tmp_path / 'model.yaml'}: {key}:")


def test_a_label_template_in_the_model_sets_the_label_the_mapper_writes(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Architecture issue part 4: a fact's rdfs:label comes from its family's label template in
    model.yaml; changing the template in the model alone changes the label the mapper writes."""
    def relabel(data: dict[str, Any]) -> None:
        data["families"]["Meeting"]["label"] = "{participants} meeting[ at {place}|, place unknown]"

    _model_with(tmp_path, monkeypatch, relabel)
    data, _path, fid = _summit(tmp_path)
    fact = next(f for f in data["facts"] if f["id"] == fid)
    reg = load_registry(ARTICLES / "registry.yaml", load_ontology())
    names = ", ".join(reg.entities[p].name for p in fact["participants"])
    quads, _fact = _round_trip(tmp_path, place="the Oval Office")
    assert f"<{RDFS.label}> \"{names} meeting at the Oval Office\"@en" in quads
    quads, _fact = _round_trip(tmp_path, place=None)
    assert f"<{RDFS.label}> \"{names} meeting, place unknown\"@en" in quads


@pytest.mark.parametrize("edit, key", [
    (lambda d: d["families"]["Meeting"].update(label="{participants} at {venue}"), "families.Meeting.label"),
    (lambda d: d["families"]["Meeting"].update(label="{type}[ in {place}"), "families.Meeting.label"),
    (lambda d: d["families"]["Meeting"].update(label="{type:upper}"), "families.Meeting.label"),
    (lambda d: d["families"]["Meeting"].update(label="{type} with {evidence}"), "families.Meeting.label"),
    (lambda d: d["families"]["Agreement"].pop("label"), "families.Agreement.label"),
    (lambda d: d["families"]["PostHolding"].update(label="{person}"), "families.PostHolding.label"),
    (lambda d: d["status_change"].update(label="{measure}: {rate}"), "status_change.label"),
])
def test_a_malformed_label_template_names_the_file_and_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           edit: Any, key: str) -> None:
    """Architecture issue part 4: a label template naming an unknown field (or malformed) is refused
    when the model is read, naming the model file and the template's key."""
    with pytest.raises(OntologyError) as exc:
        _model_with(tmp_path, monkeypatch, edit)
    assert str(exc.value).startswith(f"{tmp_path / 'model.yaml'}: {key}:")


def _synth_facts(n: int = 10) -> list[dict[str, Any]]:
    from kg.synth import Universe
    u = Universe(seed=1)
    return [f for i in range(n) for f in u.article(i)["facts"]]


def test_the_generator_writes_fields_by_the_kind_the_model_declares(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Architecture issue part 4: kg/synth.py writes a fact's fields by the kind kg.model declares (a
    jurisdiction it targets is a list because targets is of kind entities), not by a literal of its own."""
    tariffs = [f for f in _synth_facts() if f["type"] == "Tariff"]
    assert tariffs and all(isinstance(f["targets"], list) for f in tariffs)

    def single(data: dict[str, Any]) -> None:
        data["fields"]["targets"]["kind"] = "entity"

    _model_with(tmp_path, monkeypatch, single)
    tariffs = [f for f in _synth_facts() if f["type"] == "Tariff"]
    assert tariffs and all(isinstance(f["targets"], str) for f in tariffs)


def test_the_generator_refuses_a_field_the_model_does_not_give_the_family(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Architecture issue part 4: when the model no longer gives Meeting a place (a renamed or removed
    field), kg/synth.py says so instead of writing articles the checker would refuse."""
    def drop(data: dict[str, Any]) -> None:
        del data["families"]["Meeting"]["fields"]["place"]
        data["families"]["Meeting"]["label"] = "{type:capitalize}, [{date}|{start}|?]"  # without {place}

    _model_with(tmp_path, monkeypatch, drop)
    with pytest.raises(ValueError, match="'place' on Meeting"):
        _synth_facts()


def _rename(data: dict[str, Any], old: str, new: str) -> None:
    """Rename field ``old`` to ``new`` in a model's data (its declaration, families and label templates)."""
    data["fields"] = {new if k == old else k: v for k, v in data["fields"].items()}
    for fam in data["families"].values():
        if old in fam["fields"]:
            fam["fields"] = {new if k == old else k: v for k, v in fam["fields"].items()}
        if "label" in fam:
            fam["label"] = fam["label"].replace(f"{{{old}}}", f"{{{new}}}")


def test_the_assistant_fills_a_field_under_the_name_the_model_gives_it(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Architecture issue part 4: the drafting assistant names the fields it fills by their ontology
    property and takes their names from kg.model, so a field renamed in model.yaml follows."""
    from kg import assistant

    reg = load_registry(ARTICLES / "registry.yaml", load_ontology())
    k = assistant.build_knowledge(reg, [])
    text = "Ryosei Akazawa met Howard Lutnick in Washington on Friday. Donald Trump imposed a 24% tariff on Japan."

    def facts() -> tuple[dict[str, Any], dict[str, Any]]:
        d = assistant.draft(k, text, "2025-05-24", "t", publisher="tradekg-desk")
        meeting = next(f for f in d["facts"] if f["type"] in assistant.MEETING_TYPES)
        return meeting, next(f for f in d["facts"] if f["type"] == "Tariff")

    meeting, tariff = facts()
    assert meeting["participants"] == ["ryosei-akazawa", "howard-lutnick"] and tariff["targets"] == ["japan"]

    def rename(data: dict[str, Any]) -> None:
        _rename(data, "participants", "attendees")
        _rename(data, "targets", "aimed_at")
        data["status_change"]["fields"] = {"state" if k == "status" else k: v
                                           for k, v in data["status_change"]["fields"].items()}
        data["status_change"]["label"] = "{measure}: {state} on {date}"

    _model_with(tmp_path, monkeypatch, rename)
    meeting, tariff = facts()
    assert meeting["attendees"] == ["ryosei-akazawa", "howard-lutnick"] and "participants" not in meeting
    assert tariff["aimed_at"] == ["japan"] and "targets" not in tariff
    assert tariff["status_changes"] and all("state" in sc and "status" not in sc for sc in tariff["status_changes"])


# ---- the shipped schema and shapes agree with the model ----------------------

_JSON_TYPES = {"id": "id", "entity": "id", "entities": "ids", "text": "string", "texts": "array", "date": "date",
               "fact_date": "date", "integer": "integer", "decimal": "number", "vocab": "string", "quote": "quote",
               "status_changes": "array", "fact_ref": "id", "evidence": "evidence", "measure_refs": "ids",
               "fact_refs": "array", "holdings": "ids", "commitments": "array"}


def _json_type(spec: dict[str, Any]) -> str:
    return str(spec["$ref"]).rsplit("/", 1)[-1] if "$ref" in spec else str(spec["type"])


def test_the_json_schema_allows_every_model_field_with_its_type() -> None:
    """Architecture issue part 3: kg/schema/article.schema.json lists exactly the model's fact fields,
    each with the JSON type of its kind, and the status-change fields likewise."""
    m = kg.model.model()
    defs = schema("article")["$defs"]
    fact = defs["fact"]["properties"]
    assert set(fact) == {f.name for f in [*m.common.values(), *m.fields.values()]}
    for f in [*m.common.values(), *m.fields.values()]:
        assert _json_type(fact[f.name]) == _JSON_TYPES[f.kind], f.name
    status = defs["status_change"]["properties"]
    for f in m.status_fields.values():
        if f.kind != "fact_ref":
            assert _json_type(status[f.name]) == _JSON_TYPES[f.kind], f.name
    commitment = defs["commitment"]["properties"]
    assert set(commitment) == set(m.commitment_fields)
    for f in m.commitment_fields.values():
        want = "ids" if f.kind == "fact_refs" else _JSON_TYPES[f.kind]  # measure ids only, no event:/measure:
        assert _json_type(commitment[f.name]) in (want, "array"), f.name


def test_the_shapes_constrain_only_declared_fields_and_require_the_required_ones() -> None:
    """Architecture issue part 3: every property ontology/shapes.ttl constrains on a fact family is a
    field of that family in the model (or its drawn temporal extent), and a property the model requires
    that a shape constrains has sh:minCount of at least 1."""
    m = kg.model.model()
    onto = load_ontology()
    shapes = Graph().parse(resource_path("ontology") / "shapes.ttl", format="turtle")
    seen = 0
    for shape, target in shapes.subject_objects(SH.targetClass):
        fam = next((f for f in m.families.values() if onto.is_subclass(str(target), f.cls)), None)
        if fam is None:
            continue
        declared = {f.iri: f for f in fam.fields.values() if f.iri}
        extent = {fam.edge.valid_from, fam.edge.valid_until} if fam.edge else set()
        for prop in shapes.objects(shape, SH.property):
            nodes = [prop, *shapes.objects(prop, SH["or"] / (RDF.rest * "*") / RDF.first)]  # type: ignore[operator]
            for node in nodes:
                for path in shapes.objects(node, SH.path):
                    if not isinstance(path, URIRef):
                        continue  # a path expression (alternatives, inverses): not one field
                    seen += 1
                    assert str(path) in declared or str(path) in extent, (fam.name, str(path))
                    field = declared.get(str(path))
                    if field is not None and field.required:
                        assert int(shapes.value(node, SH.minCount) or 0) >= 1, (fam.name, field.name)
    assert seen > 5


def test_the_model_file_ships_with_the_ontology() -> None:
    """Architecture issue part 3: the model is read from the ontology folder that ships in the package."""
    assert kg.model.MODEL_FILE == resource_path("ontology") / "model.yaml"
    assert list(kg.model.model().families) == ["Meeting", "TradeMeasure", "Statement", "JointStatement",
                                               "Agreement", "PostHolding", "PoliticalEvent"]
