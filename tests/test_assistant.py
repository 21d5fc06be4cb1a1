"""The drafting assistant: its rules on small texts, drafts that pass the article checks, the
leave-one-out evaluation and its scoring, and the annotate / eval-assistant commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kg import assistant
from kg.articles import Article, check_article, load_article
from kg.assistant import knowledge
from kg.build import build, discover
from kg.cli import cli
from kg.ontology import load_ontology
from kg.registry import Registry, load_registry, schema
from tests.conftest import ARTICLES, SEED_ID

REGISTRY = ARTICLES / "registry.yaml"


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry(REGISTRY, load_ontology())


@pytest.fixture(scope="module")
def corpus(reg: Registry) -> list[Article]:
    onto = load_ontology()
    return [load_article(p, onto, reg) for p in discover([ARTICLES]).files]


def draft_of(reg: Registry, text: str, published: str, corpus: list[Article] | None = None) -> dict[str, Any]:
    k = assistant.build_knowledge(reg, corpus or [])
    return assistant.draft(k, text, published, "t", publisher="tradekg-desk")


def mention(d: dict[str, Any], words: str) -> dict[str, Any]:
    found = [m for m in d["mentions"] if m["text"] == words]
    assert found, f"no mention of {words!r} in {[m['text'] for m in d['mentions']]}"
    return found[0]


def facts(d: dict[str, Any], ftype: str) -> list[dict[str, Any]]:
    return [f for f in d["facts"] if f["type"] == ftype]


# ---- the rules, one by one -----------------------------------------------------------------

def test_known_names_aliases_and_surnames_are_found_with_confidence_and_rule(reg: Registry) -> None:
    d = draft_of(reg, "Scott Bessent met Ryosei Akazawa. Later Bessent said more.", "2025-05-01")
    full, alias = mention(d, "Scott Bessent"), mention(d, "Bessent")
    assert (full["entity"], full["type"], full["rule"]) == ("scott-bessent", "Minister", "registry-name")
    assert alias["entity"] == "scott-bessent" and alias["rule"].startswith("registry-alias")
    assert all(0 < m["confidence"] <= 1 for m in d["mentions"])


def test_a_surname_without_an_alias_counts_after_the_full_name_only(reg: Registry, tmp_path: Path) -> None:
    (tmp_path / "registry.yaml").write_text(
        "format: tradekg-registry/1\n"
        "jurisdictions: [{id: portugal, name: Portugal}]\n"
        "organisations: [{id: pt-government, name: Government of Portugal, class: Government, government_of: portugal}]\n"
        "posts: [{id: pt-economy-minister, name: Minister of Economy (Portugal), post_in: pt-government,"
        " holder_class: Minister}]\n"
        "people: [{id: ana-pereira, name: Ana Pereira, holdings: [{post: pt-economy-minister, start: 2031-01-01}]}]\n",
        encoding="utf-8")
    reg2 = load_registry(tmp_path / "registry.yaml", load_ontology())
    d = draft_of(reg2, "Pereira spoke first. Then Ana Pereira arrived, and Pereira left.", "2031-02-01")
    spans = [(m["span"], m["rule"]) for m in d["mentions"] if m.get("entity") == "ana-pereira"]
    assert spans == [([26, 37], "registry-name"), ([51, 58], "surname-after-name")]


def test_a_post_title_is_resolved_to_the_post_and_its_holder_on_that_day(reg: Registry) -> None:
    d = draft_of(reg, "Talks went well, the prime minister said.", "2025-04-16")
    m = mention(d, "prime minister")
    assert m["entity"] == "prime-minister-of-japan" and m["type"] == "Post"
    assert "held on 2025-04-16 by shigeru-ishiba" in m["rule"]
    later = draft_of(reg, "Talks went well, the prime minister said.", "2025-11-01")
    assert "by sanae-takaichi" in mention(later, "prime minister")["rule"]
    quoted = draft_of(reg, '"We will hold firm on cars and parts," the prime minister told reporters.', "2025-04-16")
    (st,) = facts(quoted, "Statement")
    assert st["speaker"] == "shigeru-ishiba", "a post title speaks for the post's holder on that day"


def test_new_people_and_agencies_are_proposed_as_candidates(reg: Registry) -> None:
    d = draft_of(reg, "Trade Minister Maria Vantongeren met officials of the Ministry of Economy and Finance. "
                      "Vantongeren said little.", "2025-05-01")
    person = mention(d, "Maria Vantongeren")
    assert person["rule"].startswith("candidate-person") and "entity" not in person
    assert "id maria-vantongeren" in person["rule"]
    assert mention(d, "Vantongeren")["rule"].startswith("candidate-person")
    body = mention(d, "Ministry of Economy and Finance")
    assert body["type"] == "GovernmentBody" and body["rule"].startswith("candidate-body")


def test_a_tariff_rate_and_a_cut_from_one_rate_to_another(reg: Registry) -> None:
    d = draft_of(reg, "Donald Trump imposed a 24% tariff on Japan. The duty on British cars was cut from 27.5% "
                      "to 15% on Thursday.", "2025-05-09")
    by_rate = {f["rate"]: f for f in facts(d, "Tariff")}
    assert set(by_rate) == {24, 27.5}
    assert (by_rate[24]["imposed_by"], by_rate[24]["targets"]) == ("united-states", ["japan"])
    cut = [sc for sc in by_rate[27.5]["status_changes"] if sc["status"] == "Cut"]
    assert cut and cut[0]["new_rate"] == 15 and cut[0]["date"] == "2025-05-08"
    assert by_rate[27.5]["rule"] == "rate-change"


def test_a_pause_for_ninety_days_ends_eighty_nine_days_after_it_starts(reg: Registry) -> None:
    d = draft_of(reg, "Donald Trump imposed a 24% tariff on Japan. The tariff was paused for 90 days on "
                      "Thursday.", "2025-04-11")
    (tariff,) = facts(d, "Tariff")
    (pause,) = [sc for sc in tariff["status_changes"] if sc["status"] == "Paused"]
    assert (pause["date"], pause["until"], pause["date_expression"]) == ("2025-04-10", "2025-07-08", "on Thursday")


def test_a_meeting_with_who_where_and_when(reg: Registry) -> None:
    d = draft_of(reg, "Ryosei Akazawa met Howard Lutnick in Washington on Friday. Jamieson Greer also took part.",
                 "2025-05-24")
    (meeting,) = [f for f in d["facts"] if f["type"] in assistant.MEETING_TYPES]
    assert meeting["participants"] == ["ryosei-akazawa", "howard-lutnick", "jamieson-greer"]
    assert (meeting["place"], meeting["date_expression"]) == ("Washington", "on Friday")
    assert set(meeting["parties"]) == {"japan-government", "us-government"}


def test_future_meetings_are_not_proposed(reg: Registry) -> None:
    d = draft_of(reg, "Shigeru Ishiba and Donald Trump will meet at the summit in June.", "2025-05-24")
    assert not [f for f in d["facts"] if f["type"] in assistant.MEETING_TYPES]


def test_a_quote_with_the_speaker_the_sentence_names(reg: Registry) -> None:
    d = draft_of(reg, '"We will not rush into a deal at any price," Shigeru Ishiba told parliament on Monday.',
                 "2025-04-16")
    (st,) = facts(d, "Statement")
    assert st["speaker"] == "shigeru-ishiba" and st["channel"] == "Parliament"
    assert st["quote"]["text"] == "We will not rush into a deal at any price,"
    assert st["date_expression"] == "on Monday"


def test_scare_quotes_are_not_statements(reg: Registry) -> None:
    d = draft_of(reg, 'Shigeru Ishiba wants a "win-win" deal.', "2025-04-16")
    assert not facts(d, "Statement")


def test_what_the_corpus_annotated_is_known_only_when_the_corpus_is_given(reg: Registry,
                                                                          corpus: list[Article]) -> None:
    seed = next(a for a in corpus if a.id == SEED_ID)
    without = draft_of(reg, seed.text, seed.published)
    with_corpus = draft_of(reg, seed.text, seed.published, [a for a in corpus if a.id == SEED_ID])
    assert "Truth Social" not in [m["text"] for m in without["mentions"]]
    assert "Truth Social" in [m["text"] for m in with_corpus["mentions"]]


# ---- drafts are valid articles -----------------------------------------------------------------

def test_every_leave_one_out_draft_passes_the_schema_and_the_article_checks(reg: Registry,
                                                                            corpus: list[Article]) -> None:
    onto = load_ontology()
    for art in corpus:
        k = assistant.build_knowledge(reg, [a for a in corpus if a.id != art.id])
        d = assistant.draft(k, art.text, art.published, art.id, publisher=art.data["publisher"])
        errors = list(jsonschema.Draft202012Validator(schema("article")).iter_errors(d))
        assert not errors, f"{art.id}: {errors[0].message}"
        check_article(d, "", ARTICLES / f"{art.id}.yaml", f"draft of {art.id}", onto, reg)
        for item in [*d["mentions"], *d["facts"]]:
            assert 0 <= item["confidence"] <= 1 and item["rule"], item


def test_annotate_writes_a_draft_that_builds(runner, tmp_path: Path) -> None:
    text = tmp_path / "new-article.txt"
    text.write_text("Japan and U.S. hold talks\nEconomic Revitalization Minister Ryosei Akazawa met Treasury "
                    "Secretary Scott Bessent in Washington on Wednesday. Japan still faces a 25% tariff on cars.\n",
                    encoding="utf-8")
    out = tmp_path / "new-article.yaml"
    res = runner.invoke(cli, ["annotate", str(text), "--published", "2025-04-17", "--registry", str(REGISTRY),
                              "--corpus", str(ARTICLES), "--publisher", "tradekg-desk", "-o", str(out)])
    assert res.exit_code == 0, res.output
    d = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert d["text_file"] == "new-article.txt" and "text" not in d
    assert {m.get("entity") for m in d["mentions"]} >= {"ryosei-akazawa", "scott-bessent", "japan"}
    (talks,) = [f for f in d["facts"] if f["type"] in assistant.MEETING_TYPES]
    assert talks["date_expression"] == "on Wednesday"
    report = build([out], tmp_path / "store", registry=REGISTRY)
    assert report.built == ["new-article"]


def test_annotate_refuses_a_bad_date(runner, tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("Words.\n", encoding="utf-8")
    res = runner.invoke(cli, ["annotate", str(text), "--published", "2025-02-30", "--registry", str(REGISTRY),
                              "-o", str(tmp_path / "a.yaml")])
    assert res.exit_code == 2 and "not a calendar date" in res.output
    assert not (tmp_path / "a.yaml").exists()


# ---- scoring and the leave-one-out evaluation -----------------------------------------------------

def test_mentions_match_only_with_the_same_span_and_entity() -> None:
    gold = [{"span": [0, 5], "entity": "japan"}, {"span": [10, 15], "entity": "japan"}, {"span": [20, 25]}]
    prop = [{"span": [0, 5], "entity": "japan"}, {"span": [10, 16], "entity": "japan"}, {"span": [20, 25]},
            {"span": [30, 35], "entity": "china"}]
    s = assistant.score_mentions(gold, prop)
    assert (s.matched_gold, s.gold, s.matched_proposed, s.proposed) == (2, 3, 2, 4)


def test_tariffs_match_by_rate_value() -> None:
    gold = [{"type": "Tariff", "rate": 24}, {"type": "Tariff", "rate": 25}, {"type": "Tariff", "rate": 25},
            {"type": "Quota"}]
    prop = [{"type": "Tariff", "rate": 25}, {"type": "Tariff", "rate": 10}]
    s = assistant.score_tariffs(gold, prop)
    assert (s.matched_gold, s.gold, s.matched_proposed, s.proposed) == (2, 3, 1, 2)


def test_meeting_participants_match_set_to_set() -> None:
    gold = [{"type": "Talks", "participants": ["a", "b", "c"]}, {"type": "PhoneCall", "participants": ["d", "e"]}]
    prop = [{"type": "Meeting", "participants": ["a", "b", "x"]}, {"type": "Statement", "participants": ["d"]}]
    s = assistant.score_meetings(gold, prop)
    assert (s.matched_gold, s.gold, s.matched_proposed, s.proposed) == (2, 5, 2, 3)


def test_leave_one_out_never_uses_the_article_itself(reg: Registry, corpus: list[Article],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, set[str]]] = []
    real = assistant.build_knowledge

    def spy(r: Registry, arts: Any = ()) -> Any:
        arts = list(arts)
        seen.append(("", {a.id for a in arts}))
        return real(r, arts)

    monkeypatch.setattr(knowledge, "build_knowledge", spy)  # where leave_one_out looks it up
    scores = assistant.leave_one_out(reg, corpus)
    assert [s.article for s in scores] == [a.id for a in corpus]
    for art, (_, used) in zip(corpus, seen, strict=True):
        assert art.id not in used and len(used) == len(corpus) - 1


def test_eval_assistant_prints_per_article_and_overall_figures(runner, corpus: list[Article]) -> None:
    res = runner.invoke(cli, ["eval-assistant", str(ARTICLES)])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    for art in corpus:
        assert any(line.startswith(art.id[:42]) for line in lines), art.id
    overall = next(line for line in lines if line.startswith("overall "))
    figures = [float(x) for x in overall.replace("%", " ").split()[1:]]
    assert len(figures) == 6 and all(0 <= x <= 100 for x in figures)
    assert "matching: a mention is right when" in res.output


def test_registry_from_rest_drops_entities_only_the_held_out_article_names(reg: Registry,
                                                                            corpus: list[Article]) -> None:
    rest = [a for a in corpus if not a.id.startswith("001-")]
    cut = assistant.registry_of(reg, rest)
    assert "takeshi-iwaya" in reg.entities and "takeshi-iwaya" not in cut.entities
    assert {"donald-trump", "president-of-the-united-states", "us-government", "united-states"} <= set(cut.entities)
    assert all(h.person in cut.entities and h.post in cut.entities for h in cut.holdings)


def test_annotate_takes_metadata_from_a_sidecar_beside_the_text(runner, tmp_path: Path) -> None:
    text = tmp_path / "call.txt"
    text.write_text("Leaders talk\nShigeru Ishiba and Donald Trump spoke by phone on Monday.\n", encoding="utf-8")
    (tmp_path / "call.meta.yaml").write_text("id: leaders-call\ntitle: Leaders talk by phone\npublisher: kyodo-news\n"
                                             "published: '2025-04-08'\nlanguage: en\n", encoding="utf-8")
    out = tmp_path / "call.yaml"
    res = runner.invoke(cli, ["annotate", str(text), "--registry", str(REGISTRY), "-o", str(out)])
    assert res.exit_code == 0, res.output
    d = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert (d["id"], d["title"], d["publisher"], d["published"]) == ("leaders-call", "Leaders talk by phone",
                                                                     "kyodo-news", "2025-04-08")
    (call,) = facts(d, "PhoneCall")
    assert call["date_expression"] == "on Monday"  # resolved against 2025-04-08: Monday 2025-04-07
