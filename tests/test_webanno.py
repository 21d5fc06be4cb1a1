"""W3C Web Annotation export: one AnnotationCollection per article, selectors that find the words again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.cli import cli
from kg.store import open_store

CONTEXT_LEN = 32  # the prefix/suffix length the builder keeps


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, corpus_store: Path) -> Path:
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("webanno")
    res = CliRunner().invoke(cli, ["export-annotations", "--store", str(corpus_store), "--format", "webannotation",
                                   "-o", str(out)])
    assert res.exit_code == 0, res.output
    return out


def _texts(store_path: Path) -> dict[str, str]:
    store = open_store(store_path, read_only=True)
    return {str(r["a"].value): r["t"].value for r in store.query("SELECT ?a ?t WHERE { ?a a tdo:NewsArticle ; tdo:text ?t }")}


def test_one_collection_per_article_with_every_mention_and_evidence(exported: Path, corpus_store: Path) -> None:
    store = open_store(corpus_store, read_only=True)
    counts = {str(r["a"].value): (int(r["m"].value), int(r["e"].value)) for r in store.query(
        "SELECT ?a (COUNT(DISTINCT ?m) AS ?m) (COUNT(DISTINCT ?e) AS ?e) WHERE { ?a a tdo:NewsArticle . "
        "OPTIONAL { ?m a tdo:Mention ; oa:hasTarget/oa:hasSource ?a } "
        "OPTIONAL { ?e a tdo:Evidence ; prov:wasDerivedFrom ?a } } GROUP BY ?a")}
    files = sorted(exported.glob("*.jsonld"))
    assert len(files) == len(counts) >= 2
    for f in files:
        coll = json.loads(f.read_text(encoding="utf-8"))
        assert coll["type"] == "AnnotationCollection"
        assert coll["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
        items = coll["first"]["items"]
        assert coll["total"] == len(items)
        art = coll["id"].removesuffix("/annotations")
        mentions = [a for a in items if a["motivation"] == "identifying"]
        evidence = [a for a in items if a["motivation"] == "describing"]
        assert (len(mentions), len(evidence)) == counts[art], f.name


def test_selectors_find_the_exact_words_with_their_context(exported: Path, corpus_store: Path) -> None:
    texts = _texts(corpus_store)
    checked = 0
    for f in sorted(exported.glob("*.jsonld")):
        for a in json.loads(f.read_text(encoding="utf-8"))["first"]["items"]:
            text = texts[a["target"]["source"]]
            quote, pos = a["target"]["selector"]
            assert (quote["type"], pos["type"]) == ("TextQuoteSelector", "TextPositionSelector")
            start, end = pos["start"], pos["end"]
            assert text[start:end] == quote["exact"], a["id"]
            assert quote["prefix"] == text[max(0, start - CONTEXT_LEN):start]
            assert quote["suffix"] == text[end:end + CONTEXT_LEN]
            if "body" in a:
                assert a["body"].startswith("https://w3id.org/tradekg/resource/")
            else:  # a mention of something the registry does not know (e.g. Truth Social): no body
                assert a["motivation"] == "identifying", a["id"]
            checked += 1
    assert checked > 200


def test_mentions_carry_entity_and_type_and_evidence_its_fact(exported: Path) -> None:
    seed = json.loads((exported / "000-japan-braces-for-trade-talks.jsonld").read_text(encoding="utf-8"))
    by_id = {a["id"].rsplit(":", 1)[1]: a for a in seed["first"]["items"] if a["motivation"] == "identifying"}
    ishiba = by_id["ishiba-1"]
    assert ishiba["body"] == "https://w3id.org/tradekg/resource/person/shigeru-ishiba"
    assert ishiba["tdo:mentionType"] == {"id": "https://w3id.org/tradekg/ontology#HeadOfGovernment"}
    talks = [a for a in seed["first"]["items"] if a["motivation"] == "describing"
             and a["body"] == "https://w3id.org/tradekg/resource/event/us-japan-talks-2025-04-16"]
    roles = {a.get("tdo:role") for a in talks}
    assert {"place", "participants", "topics"} <= roles
    attributed = {a["tdo:attributedTo"]["id"] for a in talks if "tdo:attributedTo" in a}
    assert "https://w3id.org/tradekg/resource/org/reuters" in attributed


def test_export_of_a_missing_store_is_an_error(runner, tmp_path: Path) -> None:
    res = runner.invoke(cli, ["export-annotations", "--store", str(tmp_path / "nothing"), "--format",
                              "webannotation", "-o", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert not (tmp_path / "out").exists()
