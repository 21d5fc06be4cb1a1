"""Issue 17, the model of trade deals: agreements of several kinds with signatories, the meeting they were
reached at and their commitments; political events with the post holdings they start or end; statements about
meetings, measures and agreements; the `agreements` and `person-meetings` queries; the check of a person named
in a post on a date the registry says they did not hold it.

The articles are small ones of our own, written from the dated facts of the shared fact sheet.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml

from kg.annotations.store_articles import article_dicts
from kg.article_rdf import article_quads
from kg.articles import Article, check_article
from kg.build import build
from kg.errors import InputError
from kg.kg_graph import full_recompute
from kg.namespaces import PREFIXES
from kg.ontology import load_ontology
from kg.query import bind, compact, load_library
from kg.registry import load_registry
from kg.store import open_store

from .conftest import ARTICLES

SUMMIT_TEXT = ("Prime Minister Shigeru Ishiba met President Donald Trump at the White House on 7 February. "
               "In a joint statement after the summit, Japan said it would lift its investment in the United States "
               "to one trillion dollars and buy more American liquefied natural gas, while Washington reaffirmed "
               "its commitment to Japan's defence.")


def _summit_article() -> dict[str, Any]:
    """An article of our own on the summit of 7 February 2025 and its joint statement."""
    return {
        "format": "tradekg-article/1", "id": "t-summit", "title": "Summit and joint statement",
        "publisher": "tradekg-desk", "published": "2025-02-08", "language": "en", "text": SUMMIT_TEXT,
        "mentions": [
            {"id": "ishiba", "type": "HeadOfGovernment", "text": "Shigeru Ishiba", "entity": "shigeru-ishiba"},
            {"id": "pm", "type": "Post", "text": "Prime Minister", "entity": "prime-minister-of-japan"},
            {"id": "trump", "type": "HeadOfState", "text": "Donald Trump", "entity": "donald-trump"},
            {"id": "japan", "type": "Government", "text": "Japan", "occurrence": 1, "entity": "japan-government"},
            {"id": "washington", "type": "Government", "text": "Washington", "entity": "us-government"},
        ],
        "facts": [
            {"id": "t-summit-2025-02-07", "type": "Summit", "date": "2025-02-07", "place": "White House",
             "participants": ["shigeru-ishiba", "donald-trump"], "parties": ["japan-government", "us-government"],
             "evidence": ["ishiba", "trump", {"text": "met"}]},
            {"id": "t-joint-statement", "type": "JointStatement", "date": "2025-02-07",
             "parties": ["japan-government", "us-government"], "signatories": ["shigeru-ishiba", "donald-trump"],
             "reached_at": "t-summit-2025-02-07", "place": "White House",
             "commitments": [
                 {"by": "japan-government", "kind": "Investment", "amount": 1000000000000, "currency": "USD",
                  "description": "investment in the United States raised to one trillion dollars",
                  "evidence": [{"text": "lift its investment in the United States to one trillion dollars"}]},
                 {"by": "japan-government", "kind": "Purchase", "description": "more US liquefied natural gas",
                  "evidence": [{"text": "buy more American liquefied natural gas"}]},
             ],
             "evidence": [{"text": "joint statement"}, "japan", "washington"]},
        ],
    }


@pytest.fixture(scope="module")
def onto_reg() -> tuple[Any, Any]:
    onto = load_ontology()
    return onto, load_registry(ARTICLES / "registry.yaml", onto)


def _check(data: dict[str, Any], onto_reg: tuple[Any, Any], tmp_path: Path) -> Article:
    path = tmp_path / f"{data['id']}.yaml"
    source = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text(source, encoding="utf-8")
    return check_article(data, source, path, str(path), *onto_reg)


def _problems(data: dict[str, Any], onto_reg: tuple[Any, Any], tmp_path: Path) -> list[str]:
    with pytest.raises(InputError) as exc:
        _check(data, onto_reg, tmp_path)
    return [f"{p.path}: {p.message}" for p in exc.value.problems]


def _fact(data: dict[str, Any], fid: str) -> dict[str, Any]:
    return next(f for f in data["facts"] if f["id"] == fid)


def _graph(art: Article, onto_reg: tuple[Any, Any]) -> ox.Store:
    graph, inferred = article_quads(art, *onto_reg, "x.yaml")
    store = ox.Store()
    store.load("".join(graph.lines + inferred.lines).encode(), format=ox.RdfFormat.N_QUADS)
    return store


def _select(store: ox.Store, sparql: str) -> list[tuple[str, ...]]:
    res = store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)
    return sorted(tuple(compact(t) for t in row) for row in res)  # type: ignore[union-attr]


def _folder(tmp_path: Path, *articles: dict[str, Any]) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(ARTICLES / "registry.yaml", folder / "registry.yaml")
    for a in articles:
        (folder / f"{a['id']}.yaml").write_text(yaml.safe_dump(a, sort_keys=False, allow_unicode=True),
                                                encoding="utf-8")
    return folder


# ---- 1. agreements of several kinds, signatories, reached_at --------------------------------------

def test_an_agreement_kind_is_a_fact_type_with_signatories_place_and_the_meeting_it_was_reached_at(
        onto_reg: tuple[Any, Any], tmp_path: Path) -> None:
    data = _summit_article()
    deal = _fact(data, "t-joint-statement")
    deal["type"] = "FrameworkAgreement"
    store = _graph(_check(data, onto_reg, tmp_path), onto_reg)
    rows = _select(store, "SELECT ?p ?o WHERE { event:t-joint-statement ?p ?o "
                          "FILTER(?p IN (rdf:type, tdo:signatory, tdo:reachedAt, tdo:issuedAt, tdo:place)) }")
    assert ("rdf:type", "tdo:FrameworkAgreement") in rows and ("rdf:type", "tdo:Agreement") in rows
    assert {o for p, o in rows if p == "tdo:signatory"} == {"person:shigeru-ishiba", "person:donald-trump"}
    assert ("tdo:reachedAt", "event:t-summit-2025-02-07") in rows
    assert ("tdo:issuedAt", "event:t-summit-2025-02-07") in rows  # reachedAt is a sub-property of issuedAt
    assert ("tdo:place", "White House") in rows


@pytest.mark.parametrize("kind", ["TradeAgreement", "MemorandumOfUnderstanding", "JointStatement"])
def test_every_agreement_kind_is_accepted(onto_reg: tuple[Any, Any], tmp_path: Path, kind: str) -> None:
    data = _summit_article()
    _fact(data, "t-joint-statement")["type"] = kind
    art = _check(data, onto_reg, tmp_path)
    assert _fact(data, "t-joint-statement")["id"] in {f.id for f in art.facts}


def test_reached_at_may_name_another_articles_meeting_but_nothing_else(onto_reg: tuple[Any, Any],
                                                                          tmp_path: Path) -> None:
    data = _summit_article()
    _fact(data, "t-joint-statement")["reached_at"] = "some-other-articles-talks"
    store = _graph(_check(data, onto_reg, tmp_path), onto_reg)
    assert _select(store, "SELECT ?m WHERE { event:t-joint-statement tdo:reachedAt ?m }") == [
        ("event:some-other-articles-talks",)]
    _fact(data, "t-joint-statement")["reached_at"] = "measure:some-tariff"
    assert any("facts[1].reached_at" in p and "'measure:some-tariff' does not have the expected form" in p
               for p in _problems(data, onto_reg, tmp_path))
    _fact(data, "t-joint-statement")["reached_at"] = "t-joint-statement"
    assert any("facts[1].reached_at" in p and "a JointStatement; expected a meeting" in p
               for p in _problems(data, onto_reg, tmp_path))


def test_a_signatory_must_be_a_person(onto_reg: tuple[Any, Any], tmp_path: Path) -> None:
    data = _summit_article()
    _fact(data, "t-joint-statement")["signatories"] = ["shigeru-ishiba", "japan-government"]
    assert any("facts[1].signatories[1]" in p and "expected a Person" in p
               for p in _problems(data, onto_reg, tmp_path))


# ---- 2. commitments ------------------------------------------------------------------------------

def test_commitments_are_nodes_of_their_own_with_party_kind_amount_currency_and_evidence(
        onto_reg: tuple[Any, Any], tmp_path: Path) -> None:
    store = _graph(_check(_summit_article(), onto_reg, tmp_path), onto_reg)
    rows = _select(store, "SELECT ?c ?by ?kind ?amount ?cur ?label WHERE { event:t-joint-statement tdo:commitment ?c . "
                          "?c a tdo:Commitment ; tdo:committedBy ?by ; tdo:commitmentKind ?kind ; rdfs:label ?label "
                          "OPTIONAL { ?c tdo:amount ?amount } OPTIONAL { ?c tdo:currency ?cur } }")
    assert rows == [
        ("commitment:t-joint-statement:japan-government-investment", "organisation:japan-government",
         "tdo:Investment", "1000000000000", "USD", "Government of Japan: investment of 1e+12 USD"),
        ("commitment:t-joint-statement:japan-government-purchase", "organisation:japan-government",
         "tdo:Purchase", "", "", "Government of Japan: purchase"),
    ]
    ev = _select(store, "SELECT ?exact WHERE { ?e oa:hasBody commitment:t-joint-statement:japan-government-purchase ; "
                        "oa:hasTarget/oa:hasSelector/oa:exact ?exact }")
    assert ev == [("buy more American liquefied natural gas",)]


def test_a_commitment_names_the_measures_it_changes_and_its_period(onto_reg: tuple[Any, Any],
                                                                   tmp_path: Path) -> None:
    data = _summit_article()
    cm = _fact(data, "t-joint-statement")["commitments"][1]
    cm.update({"measures": ["some-lng-tariff"], "period": "over four years", "start": "2025-03-01",
               "end": "2029-02-28", "id": "lng"})
    store = _graph(_check(data, onto_reg, tmp_path), onto_reg)
    assert _select(store, "SELECT ?p ?o WHERE { commitment:t-joint-statement:lng ?p ?o FILTER(?p IN "
                          "(tdo:changesMeasure, tdo:period, tdo:startDate, tdo:endDate)) }") == sorted([
        ("tdo:changesMeasure", "measure:some-lng-tariff"), ("tdo:period", "over four years"),
        ("tdo:startDate", "2025-03-01"), ("tdo:endDate", "2029-02-28")])


@pytest.mark.parametrize("change, message", [
    ({"currency": None}, "commitments[0]: commitment amount 1000000000000 has no currency; expected currency: "
                         "an ISO 4217 code such as USD"),
    ({"currency": "usd"}, "commitments[0].currency: currency 'usd' is not an ISO 4217 code; expected three "
                          "upper-case letters such as USD, EUR or JPY"),
    ({"currency": "DOLLARS"}, "commitments[0].currency: currency 'DOLLARS' is not an ISO 4217 code"),
    ({"by": "uk-government"}, "commitments[0].by: commitment by 'uk-government', who is not a party to "
                              "'t-joint-statement'; expected one of its parties: japan-government, us-government"),
    ({"kind": "Gift"}, "commitments[0].kind: unknown commitment kind 'Gift'; expected one of Investment, "
                       "MarketOpening, Purchase, TariffChange"),
    ({"start": "2025-05-01", "end": "2025-04-01"}, "commitments[0].end: commitment ends 2025-04-01 before it starts"),
    ({"measures": ["t-summit-2025-02-07"]}, "commitments[0].measures[0]: measures refers to 't-summit-2025-02-07', "
                                            "a Summit; expected a trade measure"),
    ({"kind": "Purchase", "amount": None, "currency": None},
     "commitments[1]: commitment 'japan-government-purchase' of 't-joint-statement' is given twice"),
])
def test_a_bad_commitment_is_refused_with_a_clear_message(onto_reg: tuple[Any, Any], tmp_path: Path,
                                                          change: dict[str, Any], message: str) -> None:
    data = _summit_article()
    cm = _fact(data, "t-joint-statement")["commitments"][0]
    cm.update(change)
    for key in [k for k, v in change.items() if v is None]:
        del cm[key]
    problems = _problems(data, onto_reg, tmp_path)
    assert any(message in p for p in problems), problems


def test_commitments_and_references_read_back_from_the_store(onto_reg: tuple[Any, Any], tmp_path: Path) -> None:
    data = _summit_article()
    _fact(data, "t-joint-statement")["commitments"][1]["measures"] = ["some-lng-tariff"]
    art = _check(data, onto_reg, tmp_path)
    graph, _ = article_quads(art, *onto_reg, "x.yaml")
    store = ox.Store()
    store.load("".join(graph.lines).encode(), format=ox.RdfFormat.N_QUADS)

    class _S:
        def query(self, q: str) -> Any:
            return store.query(q, prefixes=PREFIXES, use_default_graph_as_union=True)

    back = _fact(next(iter(article_dicts(_S()))), "t-joint-statement")
    want = _fact(data, "t-joint-statement")
    assert back["reached_at"] == want["reached_at"] and back["signatories"] == sorted(want["signatories"])
    got = {c["kind"]: c for c in back["commitments"]}
    assert got["Investment"]["amount"] == 1000000000000 and got["Investment"]["currency"] == "USD"
    assert got["Purchase"]["measures"] == ["some-lng-tariff"]
    assert got["Purchase"]["evidence"][0]["text"] == "buy more American liquefied natural gas"
    rebuilt = copy.deepcopy(next(iter(article_dicts(_S()))))
    _check(rebuilt, onto_reg, tmp_path)  # what the store gives back is a valid article again


# ---- 3. political events -------------------------------------------------------------------------

VOTE_TEXT = ("On 21 October the Diet elected Sanae Takaichi prime minister with 237 of the 465 lower-house votes, "
             "ending the term of Shigeru Ishiba, who had announced his resignation on 7 September.")
TAKAICHI_PM = "sanae-takaichi--prime-minister-of-japan--2025-10-21"
ISHIBA_PM = "shigeru-ishiba--prime-minister-of-japan--2024-10-01"


def _vote_article() -> dict[str, Any]:
    return {
        "format": "tradekg-article/1", "id": "t-vote", "title": "A new prime minister",
        "publisher": "tradekg-desk", "published": "2025-10-22", "language": "en", "text": VOTE_TEXT,
        "mentions": [
            {"id": "takaichi", "type": "HeadOfGovernment", "text": "Sanae Takaichi", "entity": "sanae-takaichi"},
            {"id": "ishiba", "type": "HeadOfGovernment", "text": "Shigeru Ishiba", "entity": "shigeru-ishiba"},
            {"id": "pm", "type": "Post", "text": "prime minister", "entity": "prime-minister-of-japan"},
        ],
        "facts": [
            {"id": "t-diet-vote-2025-10-21", "type": "LeadershipVote", "date": "2025-10-21",
             "participants": ["sanae-takaichi", "shigeru-ishiba"], "post_concerned": "prime-minister-of-japan",
             "outcome": "Takaichi elected with 237 of 465 lower-house votes",
             "starts_holding": [TAKAICHI_PM], "ends_holding": [ISHIBA_PM],
             "evidence": [{"text": "the Diet elected"}, "takaichi", "pm"]},
            {"id": "t-ishiba-resigns", "type": "Resignation", "date": "2025-09-07",
             "participants": ["shigeru-ishiba"], "post_concerned": "prime-minister-of-japan",
             "evidence": ["ishiba", {"text": "announced his resignation"}]},
        ],
    }


def test_a_political_event_is_dated_and_links_the_holdings_it_starts_and_ends(onto_reg: tuple[Any, Any],
                                                                              tmp_path: Path) -> None:
    store = _graph(_check(_vote_article(), onto_reg, tmp_path), onto_reg)
    rows = _select(store, "SELECT ?p ?o WHERE { event:t-diet-vote-2025-10-21 ?p ?o FILTER(?p IN (rdf:type, "
                          "tdo:date, tdo:postConcerned, tdo:startsHolding, tdo:endsHolding, rdfs:label)) }")
    assert ("rdf:type", "tdo:LeadershipVote") in rows and ("rdf:type", "tdo:PoliticalEvent") in rows
    assert ("tdo:date", "2025-10-21") in rows and ("tdo:postConcerned", "post:prime-minister-of-japan") in rows
    assert ("tdo:startsHolding", f"holding:{TAKAICHI_PM}") in rows
    assert ("tdo:endsHolding", f"holding:{ISHIBA_PM}") in rows
    assert ("rdfs:label", "Leadership vote: Prime Minister of Japan, Sanae Takaichi, Shigeru Ishiba, 2025-10-21") in rows


@pytest.mark.parametrize("change, message", [
    ({"starts_holding": ["sanae-takaichi--prime-minister-of-japan--2025-10-01"]},
     "facts[0].starts_holding[0]: starts_holding names holding 'sanae-takaichi--prime-minister-of-japan--2025-10-01', "
     f"not in the registry {ARTICLES / 'registry.yaml'}; expected a holding id PERSON--POST--START such as {TAKAICHI_PM}"),
    ({"ends_holding": ["ryosei-akazawa--japan-minister-economic-revitalization--2024-10-01"]},
     "facts[0].ends_holding[0]: ends_holding names holding 'ryosei-akazawa--japan-minister-economic-revitalization"
     "--2024-10-01', of post 'japan-minister-economic-revitalization', but the event concerns 'prime-minister-of-japan'"),
    ({"date": None}, "facts[0]: LeadershipVote 't-diet-vote-2025-10-21' has no date"),
    ({"post_concerned": "japan-government"}, "facts[0].post_concerned: 'japan-government' is a Government, expected a Post"),
])
def test_a_bad_political_event_is_refused(onto_reg: tuple[Any, Any], tmp_path: Path, change: dict[str, Any],
                                          message: str) -> None:
    data = _vote_article()
    fact = data["facts"][0]
    fact.update(change)
    for key in [k for k, v in change.items() if v is None]:
        del fact[key]
    problems = _problems(data, onto_reg, tmp_path)
    assert any(message in p for p in problems), problems


def test_political_events_read_back_from_the_store(onto_reg: tuple[Any, Any], tmp_path: Path) -> None:
    data = _vote_article()
    graph, _ = article_quads(_check(data, onto_reg, tmp_path), *onto_reg, "x.yaml")
    store = ox.Store()
    store.load("".join(graph.lines).encode(), format=ox.RdfFormat.N_QUADS)

    class _S:
        def query(self, q: str) -> Any:
            return store.query(q, prefixes=PREFIXES, use_default_graph_as_union=True)

    back = _fact(next(iter(article_dicts(_S()))), "t-diet-vote-2025-10-21")
    for key in ("starts_holding", "ends_holding", "post_concerned", "participants", "outcome", "date"):
        assert back[key] == (sorted(data["facts"][0][key]) if key == "participants" else data["facts"][0][key])


# ---- 4. what a statement is about ----------------------------------------------------------------

STATEMENT_TEXT = ('Trade talks with Washington resumed on 16 April. Ishiba told parliament: "We will not give up '
                  'much just to end this quickly."')


def _statement_article(about: list[str]) -> dict[str, Any]:
    return {
        "format": "tradekg-article/1", "id": "t-statement", "title": "No quick concessions",
        "publisher": "tradekg-desk", "published": "2025-04-17", "language": "en", "text": STATEMENT_TEXT,
        "mentions": [{"id": "ishiba", "type": "HeadOfGovernment", "text": "Ishiba", "entity": "shigeru-ishiba"}],
        "facts": [
            {"id": "t-talks", "type": "Talks", "date": "2025-04-16", "participants": ["shigeru-ishiba"],
             "evidence": [{"text": "Trade talks with Washington resumed"}]},
            {"id": "t-no-concessions", "type": "Statement", "speaker": "shigeru-ishiba", "channel": "Parliament",
             "date": "2025-04-17", "about": about,
             "quote": {"text": "We will not give up much just to end this quickly."}, "evidence": ["ishiba"]},
        ],
    }


def test_a_statement_is_about_meetings_measures_and_agreements(onto_reg: tuple[Any, Any], tmp_path: Path) -> None:
    data = _statement_article(["t-talks", "measure:us-reciprocal-tariff-japan-2025", "some-agreement"])
    store = _graph(_check(data, onto_reg, tmp_path), onto_reg)
    assert _select(store, "SELECT ?x WHERE { event:t-no-concessions tdo:about ?x }") == [
        ("event:some-agreement",), ("event:t-talks",), ("measure:us-reciprocal-tariff-japan-2025",)]


@pytest.mark.parametrize("about, message", [
    (["t-no-concessions"], "facts[1].about[0]: about refers to 't-no-concessions', a Statement; expected a meeting "
                           "or a trade measure or an agreement or a joint statement"),
    (["person:shigeru-ishiba"], "facts[1].about[0]: 'person:shigeru-ishiba' does not have the expected form"),
])
def test_a_statement_about_something_else_is_refused(onto_reg: tuple[Any, Any], tmp_path: Path,
                                                     about: list[str], message: str) -> None:
    problems = _problems(_statement_article(about), onto_reg, tmp_path)
    assert any(message in p for p in problems), problems


# ---- 5. the agreements and person-meetings queries on articles of our own --------------------------

TOKYO_TEXT = ("At the Akasaka Palace in Tokyo on 28 October, Donald Trump and Sanae Takaichi held their first summit "
              "and signed a framework on critical minerals and rare earths.")


def _tokyo_article() -> dict[str, Any]:
    return {
        "format": "tradekg-article/1", "id": "t-tokyo", "title": "Tokyo summit", "publisher": "tradekg-desk",
        "published": "2025-10-29", "language": "en", "text": TOKYO_TEXT,
        "mentions": [
            {"id": "trump", "type": "HeadOfState", "text": "Donald Trump", "entity": "donald-trump"},
            {"id": "takaichi", "type": "HeadOfGovernment", "text": "Sanae Takaichi", "entity": "sanae-takaichi"},
        ],
        "facts": [
            {"id": "t-tokyo-summit", "type": "Summit", "date": "2025-10-28", "place": "Tokyo",
             "participants": ["donald-trump", "sanae-takaichi"], "evidence": ["trump", "takaichi",
                                                                             {"text": "held their first summit"}]},
            {"id": "t-minerals-framework", "type": "FrameworkAgreement", "date": "2025-10-28",
             "parties": ["us-government", "japan-government"], "signatories": ["donald-trump", "sanae-takaichi"],
             "reached_at": "t-tokyo-summit", "evidence": [{"text": "signed a framework"}]},
        ],
    }


@pytest.fixture(scope="module")
def deals_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("deals")
    store = tmp / "store"
    build([_folder(tmp, _summit_article(), _tokyo_article(), _vote_article())], store)
    return store


def _run(store_path: Path, name: str, params: dict[str, str] | None = None) -> list[dict[str, str]]:
    query = load_library()[name]
    store = open_store(store_path, read_only=True)
    result = store.query(query.text, substitutions=bind(query, params or {}), union=False)
    names = [v.value for v in result.variables]
    return [{n: compact(row[i]) for i, n in enumerate(names)} for row in result]


def test_the_agreements_query_gives_kinds_parties_signatories_with_their_posts_and_commitments(
        deals_store: Path) -> None:
    rows = _run(deals_store, "agreements")
    got = [(r["agreement"], r["kind"], r["date"], sorted(r["parties"].split("; ")), sorted(r["signatories"].split("; ")),
            r["commitment"], r["committedBy"], r["commitmentKind"], r["amount"], r["currency"]) for r in rows]
    parties = ["Government of Japan", "Government of the United States"]
    feb = ["Donald Trump (President of the United States)", "Shigeru Ishiba (Prime Minister of Japan)"]
    assert got == [
        ("event:t-joint-statement", "tdo:JointStatement", "2025-02-07", parties, feb,
         "commitment:t-joint-statement:japan-government-investment", "organisation:japan-government",
         "tdo:Investment", "1000000000000", "USD"),
        ("event:t-joint-statement", "tdo:JointStatement", "2025-02-07", parties, feb,
         "commitment:t-joint-statement:japan-government-purchase", "organisation:japan-government",
         "tdo:Purchase", "", ""),
        ("event:t-minerals-framework", "tdo:FrameworkAgreement", "2025-10-28", parties,
         ["Donald Trump (President of the United States)", "Sanae Takaichi (Prime Minister of Japan)"],
         "", "", "", "", ""),
    ]
    assert _run(deals_store, "agreements", {"party": "organisation:uk-government"}) == []
    assert {r["agreement"] for r in _run(deals_store, "agreements", {"party": "organisation:japan-government"})} == {
        "event:t-joint-statement", "event:t-minerals-framework"}


def test_the_person_meetings_query_lists_a_persons_meetings_in_date_order(deals_store: Path) -> None:
    rows = _run(deals_store, "person-meetings", {"person": "person:donald-trump"})
    assert [(r["date"], r["meeting"], r["kind"], r["label"], sorted(r["participants"].split("; "))) for r in rows] == [
        ("2025-02-07", "event:t-summit-2025-02-07", "tdo:Summit", "Summit in White House, 2025-02-07",
         ["Donald Trump", "Shigeru Ishiba"]),
        ("2025-10-28", "event:t-tokyo-summit", "tdo:Summit", "Summit in Tokyo, 2025-10-28",
         ["Donald Trump", "Sanae Takaichi"]),
    ]
    assert [r["meeting"] for r in _run(deals_store, "person-meetings", {"person": "person:sanae-takaichi"})] == [
        "event:t-tokyo-summit"]  # the leadership vote she took part in is no meeting


# ---- 6. the check of a person named in a post they did not hold ------------------------------------

CHECK = "checks/post-not-held-on-date-violation"
KISHIDA_TEXT = "Prime Minister Fumio Kishida spoke with Donald Trump by phone on 19 May, a market site wrote."


def _kishida_article() -> dict[str, Any]:
    """An article that names Kishida prime minister in May 2025, when Ishiba held the post."""
    return {
        "format": "tradekg-article/1", "id": "t-wrong-pm", "title": "A call", "publisher": "tradekg-desk",
        "published": "2025-05-20", "language": "en", "text": KISHIDA_TEXT,
        "mentions": [
            {"id": "pm", "type": "Post", "text": "Prime Minister", "entity": "prime-minister-of-japan"},
            {"id": "kishida", "type": "HeadOfGovernment", "text": "Fumio Kishida", "entity": "fumio-kishida"},
            {"id": "trump", "type": "HeadOfState", "text": "Donald Trump", "entity": "donald-trump"},
        ],
        "facts": [
            {"id": "t-call-2025-05-19", "type": "PhoneCall", "date": "2025-05-19",
             "participants": ["fumio-kishida", "donald-trump"], "evidence": ["kishida", "trump", {"text": "by phone"}]},
        ],
    }


def test_the_check_finds_nothing_in_correct_articles(deals_store: Path) -> None:
    assert _run(deals_store, CHECK) == []


def test_the_check_reports_a_person_named_in_a_post_held_by_someone_else_that_day(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build([_folder(tmp_path, _summit_article(), _kishida_article())], store)
    assert _run(store, CHECK) == [{"article": "article:t-wrong-pm", "person": "person:fumio-kishida",
                                   "post": "post:prime-minister-of-japan", "date": "2025-05-19"}]


def test_the_check_reports_a_post_holding_the_registry_no_longer_covers(tmp_path: Path) -> None:
    """An article's post holding checked against the registry it was built with, then the registry is
    corrected (Ishiba's term said to end before the article appeared): the check reports the article."""
    data = _summit_article()
    data["facts"].append({"id": "t-ishiba-pm", "type": "PostHolding", "person": "shigeru-ishiba",
                          "post": "prime-minister-of-japan", "evidence": ["pm", "ishiba"]})
    path = tmp_path / "store"
    build([_folder(tmp_path, data)], path)
    assert _run(path, CHECK) == []
    store = open_store(path, read_only=False)
    store.update("DELETE { GRAPH tdg:registry { ?h tdo:endDate ?end } } "
                 "INSERT { GRAPH tdg:registry { ?h tdo:endDate '2025-01-31'^^xsd:date } } "
                 f"WHERE {{ GRAPH tdg:registry {{ BIND(holding:{ISHIBA_PM} AS ?h) ?h tdo:endDate ?end }} }}")
    full_recompute(store)
    store.flush()
    del store
    assert _run(path, CHECK) == [
        {"article": "article:t-summit", "person": "person:shigeru-ishiba", "post": "post:prime-minister-of-japan",
         "date": "2025-02-07"},  # "Prime Minister Shigeru Ishiba", as of the summit his mention supports
        {"article": "article:t-summit", "person": "person:shigeru-ishiba", "post": "post:prime-minister-of-japan",
         "date": "2025-02-08"},  # the post holding the article states, as of its publication
    ]


def test_the_graph_page_draws_commitments_and_political_events(deals_store: Path) -> None:
    """The ontology's display hints draw the new kinds without code of their own in kg/viz."""
    from kg.viz.extract import extract

    g = extract(open_store(deals_store, read_only=True), load_ontology()).graph
    c = f"{PREFIXES['commitment']}t-joint-statement:japan-government-investment"
    assert c in g and g.has_edge(f"{PREFIXES['event']}t-joint-statement", c)
    assert f"{PREFIXES['event']}t-diet-vote-2025-10-21" in g
