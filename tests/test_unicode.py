"""Unicode: names with macrons and non-Latin scripts survive build, query, export and the graph page unchanged,
and spans count code points (mismatches are refused with a message that says so).

The corpus: the registry plus two people named in Japanese and Russian, and an
article whose text mixes Latin with macrons, kanji, Cyrillic, guillemets, an
emoji flag, astral-plane letters (𝐓𝐑𝐀𝐃𝐄) and a decomposed (NFD) 'ō'. Offsets are
computed here in code points with Python's ``str.index``.
"""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal

from kg.cli import cli
from tests.conftest import ARTICLES

AKAZAWA, AKAZAWA_JA, ISHIBA_RU = "Ryōsei Akazawa", "赤澤亮正", "Сигэру Ишиба"
QUOTE = "«win-win» 𝐓𝐑𝐀𝐃𝐄 is 👍"
NFD_AKAZAWA = unicodedata.normalize("NFD", AKAZAWA)
TEXT = (f"{AKAZAWA} ({AKAZAWA_JA}) met 🇺🇸 officials in Washington. Премьер {ISHIBA_RU} said {QUOTE} on Wednesday.\n"
        f"Decomposed: {NFD_AKAZAWA}.\n")
CHROMIUM = "/usr/bin/chromium"
TDR = "https://w3id.org/tradekg/resource/"


def span(words: str, text: str = TEXT) -> list[int]:
    start = text.index(words)
    return [start, start + len(words)]


def article(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "tradekg-article/1", "id": "unicode-names", "title": f"{AKAZAWA} と {ISHIBA_RU}: «win-win»",
        "publisher": "reuters", "published": "2025-04-16", "language": "en", "text": TEXT,
        "mentions": [
            {"id": "m-akazawa", "type": "Minister", "span": span(AKAZAWA), "text": AKAZAWA, "entity": "ryosei-akazawa"},
            {"id": "m-akazawa-ja", "type": "Person", "span": span(AKAZAWA_JA), "text": AKAZAWA_JA,
             "entity": "akazawa-ja"},
            {"id": "m-ishiba-ru", "type": "Person", "span": span(ISHIBA_RU), "text": ISHIBA_RU, "entity": "ishiba-ru"},
        ],
        "facts": [{"id": "ishiba-ru-win-win", "type": "Statement", "speaker": "ishiba-ru", "channel": "Remarks",
                   "date": "2025-04-16", "quote": {"span": span(QUOTE), "text": QUOTE}, "evidence": ["m-ishiba-ru"]}],
    }
    doc.update(changes)
    return doc


def write_corpus(folder: Path, doc: dict[str, Any], name: str = "赤澤-ишиба.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    reg = yaml.safe_load((ARTICLES / "registry.yaml").read_text(encoding="utf-8"))
    reg["people"] += [{"id": "akazawa-ja", "name": AKAZAWA_JA}, {"id": "ishiba-ru", "name": ISHIBA_RU}]
    (folder / "registry.yaml").write_text(yaml.safe_dump(reg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (folder / name).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("unicode")
    write_corpus(base / "corpus", article())
    res = CliRunner().invoke(cli, ["build", str(base / "corpus"), "--store", str(base / "store")])
    assert res.exit_code == 0, res.output
    return base / "store"


def run(args: list[str]) -> str:
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    return res.output


def select(store: Path, sparql: str, *params: str) -> list[dict[str, str]]:
    args = ["query", sparql, "--store", str(store), "--format", "json", "--timeout", "0"]
    for p in params:
        args += ["--param", p]
    data = json.loads(run(args))
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]


# ---------------------------------------------------------------- query ----
def test_names_survive_build_and_query(store: Path) -> None:
    people = " ".join(f"<{TDR}person/{pid}>" for pid in ("ryosei-akazawa", "akazawa-ja", "ishiba-ru"))
    rows = select(store, "SELECT ?p ?name WHERE { VALUES ?p { " + people + " } ?p rdfs:label ?name }")
    assert {r["name"] for r in rows} == {AKAZAWA, AKAZAWA_JA, ISHIBA_RU}
    assert {r["name"] for r in rows} & {unicodedata.normalize("NFD", AKAZAWA)} == set(), "not re-normalised"


def test_title_and_quote_survive(store: Path) -> None:
    rows = select(store, "SELECT ?t WHERE { ?a a tdo:NewsArticle ; dcterms:title ?t }")
    assert [r["t"] for r in rows] == [f"{AKAZAWA} と {ISHIBA_RU}: «win-win»"]
    rows = select(store, "SELECT ?q WHERE { ?s tdo:quotedText ?q }")
    assert [r["q"] for r in rows] == [QUOTE]
    rows = select(store, "SELECT ?text WHERE { GRAPH ?g { ?a a tdo:NewsArticle ; tdo:text ?text } }")  # not in the KG
    assert rows[0]["text"] == TEXT, "the text, with its decomposed ō, is stored as given"


def test_a_unicode_parameter_matches_exactly(store: Path) -> None:
    rows = select(store, "SELECT ?p ?alias WHERE { ?p tdo:alias ?alias }", f"alias={AKAZAWA_JA}")
    assert [r["p"] for r in rows] == [TDR + "person/ryosei-akazawa"]


def test_offsets_are_code_points(store: Path) -> None:
    """Every stored selector: TEXT[start:end] (Python slices count code points) is its exact text,
    including the quote after the emoji flag (two code points, four UTF-16 units) and the astral letters."""
    rows = select(store, "SELECT ?exact ?start ?end WHERE { GRAPH ?g { ?t oa:hasSelector ?q, ?p . ?q oa:exact ?exact . "
                         "?p oa:start ?start ; oa:end ?end } }")  # the evidence layer: the article graph
    assert len(rows) >= 4
    for r in rows:
        assert TEXT[int(r["start"]):int(r["end"])] == r["exact"], r
    quote = next(r for r in rows if r["exact"] == QUOTE)
    assert int(quote["start"]) == TEXT.index(QUOTE)
    assert int(quote["start"]) != len(TEXT[:TEXT.index(QUOTE)].encode("utf-16-le")) // 2, "not UTF-16 units"


# --------------------------------------------------------------- export ----
@pytest.mark.parametrize("fmt", ["turtle", "nquads", "trig", "jsonld"])
def test_names_survive_export(store: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"export.{fmt}"
    run(["export", "--store", str(store), "-o", str(out), "--format", fmt])
    g: Graph = Dataset() if fmt in ("nquads", "trig") else Graph()
    g.parse(out, format={"turtle": "turtle", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld"}[fmt])
    literals = {str(o) for o in g.objects() if isinstance(o, Literal)} if fmt not in ("nquads", "trig") else {
        str(q[2]) for q in g.quads() if isinstance(q[2], Literal)}
    for name in (AKAZAWA, AKAZAWA_JA, ISHIBA_RU, QUOTE, TEXT):
        if name == TEXT and fmt not in ("nquads", "trig"):
            assert name not in literals, "the article's text is evidence, not in the knowledge graph"
            continue
        assert name in literals, f"{name!r} not in the {fmt} export"


# ----------------------------------------------------------------- page ----
@pytest.fixture(scope="module")
def page(store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("unicode-page") / "graph.html"
    run(["viz", "--store", str(store), "-o", str(out)])
    return out


@pytest.mark.browser
def test_names_survive_the_graph_page(page: Path) -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} not found: apt-get install -y chromium (always runs in CI)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            p = browser.new_context().new_page()
            p.goto(page.resolve().as_uri(), wait_until="load", timeout=60_000)
            p.wait_for_function("window.tradekg && window.tradekg.isReady()", timeout=60_000)
            labels = {}
            for pid in ("ryosei-akazawa", "akazawa-ja", "ishiba-ru"):
                node = p.evaluate("(iri) => window.tradekg.nodeId(iri)", TDR + "person/" + pid)
                assert node is not None, pid
                labels[pid] = p.evaluate("(id) => window.tradekg.data.nodes[id].label", node)
            assert labels == {"ryosei-akazawa": AKAZAWA, "akazawa-ja": AKAZAWA_JA, "ishiba-ru": ISHIBA_RU}
            statement = p.evaluate("(iri) => window.tradekg.nodeId(iri)", TDR + "event/ishiba-ru-win-win")
            p.evaluate("(id) => window.tradekg.showNode(id)", statement)
            assert QUOTE in (p.text_content("#panel") or ""), "the quote with astral characters shows unchanged"
            p.fill("#search", ISHIBA_RU)
            p.press("#search", "Enter")
            assert p.get_attribute("#panel-body", "data-iri") == TDR + "person/ishiba-ru"
        finally:
            browser.close()


# ---------------------------------------------------------------- spans ----
def _offsets(unit: str, words: str) -> list[int]:
    i = TEXT.index(words)
    if unit == "utf-16":
        return [len(TEXT[:i].encode("utf-16-le")) // 2, len(TEXT[:i + len(words)].encode("utf-16-le")) // 2]
    return [len(TEXT[:i].encode("utf-8")), len(TEXT[:i + len(words)].encode("utf-8"))]


@pytest.mark.parametrize("unit", ["utf-16", "utf-8"], ids=["utf16-units", "utf8-bytes"])
def test_spans_in_other_units_are_refused(tmp_path: Path, unit: str) -> None:
    """A quote span counted in UTF-16 units (JavaScript, Label Studio) or UTF-8 bytes does not fit: refused."""
    doc = article()
    doc["facts"][0]["quote"]["span"] = _offsets(unit, QUOTE)
    write_corpus(tmp_path / "c", doc)
    res = CliRunner().invoke(cli, ["build", str(tmp_path / "c"), "--store", str(tmp_path / "s")])
    assert res.exit_code == 2, res.output
    assert "赤澤-ишиба.yaml:" in res.output and "facts[0].quote.span" in res.output
    assert "code points" in res.output


def test_nfc_annotation_of_nfd_text_is_refused_with_a_hint(tmp_path: Path) -> None:
    doc = article()
    doc["mentions"].append({"id": "m-nfd", "type": "Minister", "span": span(NFD_AKAZAWA), "text": AKAZAWA,
                            "entity": "ryosei-akazawa"})
    write_corpus(tmp_path / "c", doc)
    res = CliRunner().invoke(cli, ["build", str(tmp_path / "c"), "--store", str(tmp_path / "s")])
    assert res.exit_code == 2, res.output
    assert "mentions[3].span" in res.output and "normalization" in res.output


def test_unicode_file_names_and_folders(tmp_path: Path) -> None:
    folder = tmp_path / "Статьи 記事"
    write_corpus(folder, article(), name="記事-ō.yaml")
    res = CliRunner().invoke(cli, ["build", str(folder), "--store", str(tmp_path / "store ō")])
    assert res.exit_code == 0, res.output
    rows = select(tmp_path / "store ō", "SELECT ?f WHERE { GRAPH ?g { ?a a tdo:NewsArticle ; tdo:sourceFile ?f } }")
    assert [Path(r["f"]).name for r in rows] == ["記事-ō.yaml"]
    shutil.rmtree(folder)
