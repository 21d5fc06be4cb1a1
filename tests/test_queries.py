"""The query library: headers, expected answers over the bundled corpus, check queries, reasoning.

Each ``queries/NAME.rq`` has ``queries/NAME.yaml`` with its expected answer
(validated by ``queries/expected.schema.json``), checked by reading the
articles. To print what a query returns for an expected-answer case (when
writing a new one), run ``TRADEKG_SHOW_ANSWERS=1 pytest tests/test_queries.py -k NAME -s``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pyoxigraph as ox
import pytest
import yaml

from kg.kg_graph import full_recompute
from kg.namespaces import PREFIXES
from kg.query import LIBRARY_DIR, bind, compact, load_library
from kg.store import open_store
from tests.conftest import SEED_ID  # type: ignore[import-not-found]

LIBRARY = load_library()
QUESTIONS = sorted(n for n in LIBRARY if not n.startswith("checks/"))
CHECKS = sorted(n for n in LIBRARY if n.startswith("checks/"))
SCHEMA = json.loads((LIBRARY_DIR / "expected.schema.json").read_text(encoding="utf-8"))


def run(store_path: Path, name: str, params: dict[str, str] | None = None) -> tuple[list[str], list[list[str]]]:
    """Run a library query; (column names, rows of compact values)."""
    query = LIBRARY[name]
    store = open_store(store_path, read_only=True)
    result = store.query(query.text, substitutions=bind(query, params or {}), union=False)
    names = [v.value for v in result.variables]
    return names, [[compact(row[i]) for i in range(len(names))] for row in result]


def _gap(case: dict[str, Any]) -> Any:
    """A case whose rows are right but which the graph is known to answer otherwise (``known_gap``): a strict
    xfail, so that closing the gap makes the test fail until the field is removed."""
    gap = case.get("known_gap")
    return [pytest.mark.xfail(strict=True, reason=f"known gap: {gap}")] if gap else []


def expected_cases() -> list[Any]:
    out = []
    for name in QUESTIONS:
        path = LIBRARY_DIR / f"{name}.yaml"
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            out.append(pytest.param(name, case, id=f"{name}:{case['name']}", marks=_gap(case)))
    return out


# ---------------------------------------------------------------------------
# The library itself
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_query_has_a_title_a_question_and_valid_syntax(name: str) -> None:
    query = LIBRARY[name]
    assert query.title and "?" in query.question, f"{query.path}: header needs '# title:' and a '# question:'"
    store = ox.Store()  # parses (and runs on an empty store) with the predeclared prefixes
    subs = {ox.Variable(k): v for k, v in bind(query, {p.name: _example(p.type) for p in query.params}).items()}
    store.query(query.text, prefixes=PREFIXES, use_default_graph_as_union=True, substitutions=subs or None)


def _example(type_: str) -> str:
    return {"iri": "tdr:x", "date": "2025-01-01", "integer": "1", "decimal": "1.5", "boolean": "true"}.get(type_, "x")


@pytest.mark.parametrize("name", QUESTIONS)
def test_every_question_has_a_valid_expected_answer_file(name: str) -> None:
    path = LIBRARY_DIR / f"{name}.yaml"
    assert path.exists(), f"{path} is missing: every library query needs its expected answer"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    assert data["query"] == name
    declared = {p.name for p in LIBRARY[name].params}
    for case in data["cases"]:
        assert set(case.get("params", {})) <= declared, f"{path}: case {case['name']} uses undeclared parameters"


def test_the_schema_rejects_an_expected_file_without_a_check_note() -> None:
    bad = {"query": "x", "cases": [{"name": "a", "rows": []}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)


# ---------------------------------------------------------------------------
# Expected answers over the bundled corpus
# ---------------------------------------------------------------------------

def _normalise(rows: list[list[str]], split: dict[str, str], columns: list[str]) -> list[tuple[str, ...]]:
    out = []
    for row in rows:
        cells = []
        for col, value in zip(columns, row, strict=True):
            if col in split:
                value = split[col].join(sorted(x for x in value.split(split[col]) if x))
            cells.append(value)
        out.append(tuple(cells))
    return out


@pytest.mark.parametrize("name, case", expected_cases())
def test_expected_answer(corpus_store: Path, name: str, case: dict[str, Any]) -> None:
    names, rows = run(corpus_store, name, case.get("params"))
    columns = case.get("columns", names)
    missing = [c for c in columns if c not in names]
    assert not missing, f"{name}: the query has no column(s) {missing}; it has {names}"
    picked = [[row[names.index(c)] for c in columns] for row in rows]
    got = _normalise(picked, case.get("split", {}), columns)
    if os.environ.get("TRADEKG_SHOW_ANSWERS"):
        print(f"\n# {name}:{case['name']}\ncolumns: {json.dumps(columns)}\nrows:")
        for r in got:
            print("  - " + json.dumps(list(r), ensure_ascii=False))
    if "count" in case:
        assert len(got) == case["count"], got
        return
    expected = _normalise([[str(v) for v in r] for r in case["rows"]], case.get("split", {}), columns)
    if case.get("ordered"):
        assert got == expected
    else:
        assert Counter(got) == Counter(expected), (
            f"missing: {sorted((Counter(expected) - Counter(got)).elements())}\n"
            f"unexpected: {sorted((Counter(got) - Counter(expected)).elements())}")


def test_seed_article_lists_its_five_officials_with_posts_and_governments(corpus_store: Path) -> None:
    """Issue 2's done-when: the seed's officials, each with the post held on its publication date."""
    names, rows = run(corpus_store, "article-officials", {"article": f"article:{SEED_ID}"})
    got = {(r[names.index("official")], r[names.index("postName")], r[names.index("governmentName")]) for r in rows}
    assert got == {
        ("person:donald-trump", "President of the United States", "Government of the United States"),
        ("person:scott-bessent", "United States Secretary of the Treasury", "Government of the United States"),
        ("person:jamieson-greer", "United States Trade Representative", "Government of the United States"),
        ("person:ryosei-akazawa", "Minister in charge of Economic Revitalization (Japan)", "Government of Japan"),
        ("person:shigeru-ishiba", "Prime Minister of Japan", "Government of Japan"),
    }


# ---------------------------------------------------------------------------
# Reasoning: the class and property hierarchy is visible to queries
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("pattern, expected", [
    ("?x a tdo:Official", "person:shigeru-ishiba"),           # HeadOfGovernment -> Official
    ("?x a tdo:Person", "person:donald-trump"),               # HeadOfState -> Official -> Person
    ("?x a foaf:Person", "person:scott-bessent"),             # external superclass
    ("?x a tdo:Meeting", "event:us-japan-talks-2025-04-16"),  # Talks -> Meeting
    ("?x a tdo:Event", "event:us-japan-summit-2025-02-07"),   # Summit -> Meeting -> Event
    ("event:us-japan-talks-2025-04-16 prov:wasAssociatedWith ?x", "person:ryosei-akazawa"),  # participant
    ("?h org:member ?x . ?h tdo:post post:prime-minister-of-japan", "person:shigeru-ishiba"),  # holder
    ("?x org:postIn ?o", "post:prime-minister-of-japan"),     # postIn -> org:postIn
], ids=["official", "person", "foaf-person", "meeting", "event", "participant-as-associated",
        "holder-as-member", "post-in"])
def test_queries_see_the_hierarchy(corpus_store: Path, pattern: str, expected: str) -> None:
    store = open_store(corpus_store, read_only=True)
    text = "SELECT DISTINCT ?x WHERE { " + pattern + " }"
    found = {compact(r[0]) for r in store.query(text)}
    assert expected in found, f"{text} -> {sorted(found)}"


# ---------------------------------------------------------------------------
# Data-quality checks
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", CHECKS)
def test_check_finds_nothing_in_the_bundled_corpus(corpus_store: Path, name: str) -> None:
    assert name.endswith("-violation")
    _, rows = run(corpus_store, name)
    assert rows == KNOWN_FINDINGS.get(name, []), f"{name} found defects in the bundled corpus: {rows}"


# The corpus keeps one wrong claim with its source (027: Kishida named prime minister on the May 23 call).
KNOWN_FINDINGS = {
    "checks/post-not-held-on-date-violation":
        [["article:027-ainvest-kishida-trump-call", "person:fumio-kishida", "post:prime-minister-of-japan", "2025-05-23"]],
}


# Deliberately broken data, one snippet per check; inserted into a copy of the corpus store.
BROKEN = {
    "checks/official-without-post-violation":
        ("person:nobody a tdo:Minister ; rdfs:label 'Nobody'@en .", "person:nobody"),
    "checks/tariff-without-imposer-violation":
        ("measure:orphan a tdo:Tariff ; tdo:ratePercent 5.0 ; tdo:targets jurisdiction:japan .",
         "measure:orphan"),
    "checks/meeting-without-date-violation":
        ("event:undated a tdo:Talks ; tdo:participant person:donald-trump .", "event:undated"),
    "checks/holding-ends-before-start-violation":
        ("holding:backwards a tdo:PostHolding ; tdo:holder person:donald-trump ; "
         "tdo:post post:president-of-the-united-states ; tdo:startDate '2025-01-20'^^xsd:date ; "
         "tdo:endDate '2024-01-20'^^xsd:date .", "holding:backwards"),
    "checks/status-term-ends-before-it-starts-violation":
        ("status:x:paused-2025-04-10 a tdo:StatusChange ; tdo:date '2025-04-10'^^xsd:date ; "
         "tdo:effectiveUntil '2025-04-01'^^xsd:date .", "status:x:paused-2025-04-10"),
    "checks/fact-without-evidence-violation":
        ("event:unsupported a tdo:Statement ; tdo:factId 'unsupported' .", "event:unsupported"),
    "checks/post-not-held-on-date-violation":  # Ishiba named prime minister in 2023, under Kishida
        ("article:broken a tdo:NewsArticle ; dcterms:issued '2023-05-01'^^xsd:date . "
         "evidence:broken:pm:1 a tdo:Evidence ; prov:wasDerivedFrom article:broken ; "
         "oa:hasBody holding:shigeru-ishiba--prime-minister-of-japan--2024-10-01 .", "article:broken"),
}


def test_every_check_has_a_broken_example() -> None:
    assert set(BROKEN) == set(CHECKS)


@pytest.fixture(scope="module")
def broken_store(corpus_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("broken") / "store"
    shutil.copytree(corpus_store, dest, ignore=shutil.ignore_patterns("LOCK", "tradekg.lock"))
    store = open_store(dest, read_only=False)
    body = "\n".join(snippet for snippet, _ in BROKEN.values())
    store.update("INSERT DATA { GRAPH <https://w3id.org/tradekg/graph/article/broken> { " + body + " } }")
    full_recompute(store)  # the checks read the knowledge graph
    store.flush()
    del store
    return dest


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_check_fires_on_broken_data(broken_store: Path, name: str) -> None:
    _, rows = run(broken_store, name)
    culprit = BROKEN[name][1]
    assert [r for r in rows if r[0] == culprit], f"{name} did not report {culprit}: {rows}"
    rows = [r for r in rows if r not in KNOWN_FINDINGS.get(name, [])]
    assert all(r[0] == culprit for r in rows), f"{name} reported more than the broken node: {rows}"
