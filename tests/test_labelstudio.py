"""Label Studio JSON exports: import into the same graphs as hand-written articles, errors, labelling config."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from kg.annotations.mapping import MAPPINGS_DIR, load_mapping
from kg.build import build
from kg.cli import cli
from kg.ontology import load_ontology
from kg.store import open_store
from tests.conftest import ARTICLES
from tests.test_brat import article_rdf, assert_same_graph

DATA = Path(__file__).parent / "data" / "labelstudio"
REGISTRY = ARTICLES / "registry.yaml"
TASKS = [("summit-at-the-white-house", "ls-summit-at-the-white-house"),
         ("uk-deal-cuts-car-duty", "ls-uk-deal-cuts-car-duty")]


def export() -> list[dict[str, Any]]:
    return json.loads((DATA / "export.json").read_text(encoding="utf-8"))


def write_export(tmp_path: Path, tasks: list[dict[str, Any]], name: str = "export.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return p


@pytest.mark.parametrize(("name", "article_id"), TASKS, ids=[t[0] for t in TASKS])
def test_build_reads_a_label_studio_export_into_the_same_graph_as_the_hand_written_article(
        tmp_path: Path, name: str, article_id: str) -> None:
    report = build([DATA / "export.json"], tmp_path / "from-ls", registry=REGISTRY)
    assert sorted(report.built) == sorted(a for _, a in TASKS), "one article per task"
    build([DATA / f"{name}.yaml"], tmp_path / "hand", registry=REGISTRY)
    assert_same_graph(article_rdf(tmp_path / "from-ls", article_id), article_rdf(tmp_path / "hand", article_id))


def test_import_annotations_converts_every_task(runner, tmp_path: Path) -> None:
    out = tmp_path / "articles"
    res = runner.invoke(cli, ["import-annotations", "--from", "labelstudio", str(DATA / "export.json"), "-o", str(out),
                              "--registry", str(REGISTRY)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.glob("*.yaml")) == sorted(f"{a}.yaml" for _, a in TASKS)
    build(sorted(out.glob("*.yaml")), tmp_path / "imported", registry=REGISTRY)
    for name, article_id in TASKS:
        build([DATA / f"{name}.yaml"], tmp_path / f"hand-{name}", registry=REGISTRY)
        assert_same_graph(article_rdf(tmp_path / "imported", article_id),
                          article_rdf(tmp_path / f"hand-{name}", article_id))


def test_a_task_removed_from_the_export_leaves_the_store_on_rebuild(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    p = write_export(folder, export())
    store = tmp_path / "store"
    build([folder], store, registry=REGISTRY)
    write_export(folder, export()[:1])
    report = build([folder], store, registry=REGISTRY)
    assert report.removed == ["ls-uk-deal-cuts-car-duty"]
    assert p.is_file()


def test_cancelled_annotations_are_skipped(tmp_path: Path) -> None:
    tasks = export()[:1]
    ann = tasks[0]["annotations"]
    ann.append({"id": 9, "was_cancelled": True, "result": [{"id": "zz", "type": "labels", "from_name": "label",
                                                            "value": {"start": 0, "end": 3, "labels": ["Nonsense"]}}]})
    report = build([write_export(tmp_path, tasks)], tmp_path / "s", registry=REGISTRY)
    assert report.built == ["ls-summit-at-the-white-house"]


def test_offsets_in_utf16_code_units_are_converted_to_code_points(tmp_path: Path) -> None:
    """Label Studio (JavaScript) counts UTF-16 code units: an emoji before a span shifts it by one."""
    tasks = export()[1:]
    task = tasks[0]
    task["data"]["text"] = "\U0001F697 " + task["data"]["text"]
    for r in task["annotations"][-1]["result"]:
        v = r.get("value")
        if v and "start" in v:
            v["start"] += 3  # the emoji is 2 code units, plus the space
            v["end"] += 3
    build([write_export(tmp_path, tasks)], tmp_path / "s", registry=REGISTRY)
    rows = list(open_store(tmp_path / "s", read_only=True).query(
        "SELECT ?s ?e ?x WHERE { ?m a tdo:Mention ; tdo:mentionId 'uk0stm0016' ; oa:hasTarget ?t . "
        "?t oa:hasSelector ?p , ?q . ?p oa:start ?s ; oa:end ?e . ?q oa:exact ?x }"))
    assert [(int(r["s"].value), int(r["e"].value), r["x"].value) for r in rows] == [(317, 324, "Starmer")]


# ---- errors name the task and result -----------------------------------------------------

def _result(tasks: list[dict[str, Any]], rid: str) -> dict[str, Any]:
    return next(r for r in tasks[0]["annotations"][-1]["result"] if r.get("id") == rid and r["type"] == "labels")


def _unknown_label(t: list[dict[str, Any]]) -> None:
    _result(t, "Ks0iWy0015")["value"]["labels"] = ["Minster"]


def _outside(t: list[dict[str, Any]]) -> None:
    _result(t, "Ks0iWy0015")["value"]["end"] = 99999


def _mismatch(t: list[dict[str, Any]]) -> None:
    _result(t, "Ks0iWy0015")["value"]["text"] = "Takeshi Iwaja"


def _missing_region(t: list[dict[str, Any]]) -> None:
    rel = next(r for r in t[0]["annotations"][-1]["result"] if r["type"] == "relation")
    rel["to_id"] = "NoSuchRgn1"


def _two_labels(t: list[dict[str, Any]]) -> None:
    _result(t, "Ks0iWy0015")["value"]["labels"] = ["Minister", "Person"]


def _unknown_entity(t: list[dict[str, Any]]) -> None:
    r = next(r for r in t[0]["annotations"][-1]["result"] if r.get("id") == "Ks0iWy0015" and r["type"] == "textarea")
    r["value"]["text"] = ["TradeKG:takeshi-iwaya-x"]


BAD = [
    ("unknown-label", _unknown_label, r"task 101, result Ks0iWy0015\] unknown type 'Minster' on Ks0iWy0015; "
                                      r"the mapping .* knows: .*Minister"),
    ("offsets-outside", _outside, r"task 101, result Ks0iWy0015\] Ks0iWy0015: offsets 320-99999 lie outside the text"),
    ("text-mismatch", _mismatch, r"task 101, result Ks0iWy0015\] .*reads 'Takeshi Iwaya' in the text but the "
                                 r"annotation says 'Takeshi Iwaja'"),
    ("relation-to-missing-region", _missing_region, r"task 101, relation Ks0mEt0a05 -> NoSuchRgn1\] relation "
                                                    r"Participant refers to region NoSuchRgn1, which is not a labelled span"),
    ("two-labels", _two_labels, r"task 101, result Ks0iWy0015\] span has labels \['Minister', 'Person'\]; expected "
                                r"exactly one label"),
    ("unknown-entity", _unknown_entity, r"task 101, result Ks0iWy0015\] Ks0iWy0015 is normalised to "
                                        r"TradeKG:takeshi-iwaya-x, which is not in the registry"),
]


@pytest.mark.parametrize(("case", "spoil", "pattern"), BAD, ids=[b[0] for b in BAD])
def test_bad_label_studio_input_names_task_and_result_and_writes_nothing(runner, tmp_path: Path, case: str,
                                                                        spoil: Any, pattern: str) -> None:
    tasks = copy.deepcopy(export())
    spoil(tasks)
    p = write_export(tmp_path, tasks)
    out = tmp_path / "out"
    res = runner.invoke(cli, ["import-annotations", "--from", "labelstudio", str(p), "-o", str(out),
                              "--registry", str(REGISTRY)])
    assert res.exit_code == 2, res.output
    assert re.search(pattern, res.output), f"{pattern!r} not in:\n{res.output}"
    assert not out.exists(), "nothing may be written when an input is bad"


def test_a_file_that_is_not_an_export_is_refused(runner, tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text('[{"text": "no data key"}]', encoding="utf-8")
    res = runner.invoke(cli, ["import-annotations", "--from", "labelstudio", str(p), "-o", str(tmp_path / "o"),
                              "--registry", str(REGISTRY)])
    assert res.exit_code == 2 and "not a Label Studio export" in res.output


# ---- the labelling config matches the mapping ------------------------------------------------

def test_shipped_labelling_config_matches_the_default_mapping() -> None:
    m = load_mapping("labelstudio", None, load_ontology())
    root = ET.parse(MAPPINGS_DIR / "labelstudio.xml").getroot()
    labels = {e.get("value") for e in root.iter("Label")}
    assert labels == set(m.entities) | set(m.spans) | set(m.events)
    relations = {e.get("value") for e in root.iter("Relation")}
    assert relations == set(m.roles) | set(m.relations)
    per_region = {e.get("name") for e in root.iter() if e.get("perRegion") == "true"}
    assert per_region == set(m.per_region)
    for choices in root.iter("Choices"):
        attr = m.per_region[choices.get("name", "")]
        field = m.attributes[attr]
        values = {c.get("value") for c in choices.iter("Choice")}
        vocab = {"status": "MeasureStatus", "channel": "Channel", "rate_basis": "RateBasis"}[field]
        assert values == set(load_ontology().individuals(vocab)), f"{attr} choices differ from the ontology"
