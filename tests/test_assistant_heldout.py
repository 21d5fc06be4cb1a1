"""The held-out evaluation of the assistant: the per-family scorer on small hand-made drafts and
annotations, and `eval-assistant CORPUS --held-out FOLDER` on a corpus split of our own."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from kg import assistant
from kg.assistant import families
from kg.cli import cli
from tests.conftest import ARTICLES


def counts(s: assistant.Score) -> tuple[int, int, int, int]:
    return s.matched_gold, s.gold, s.matched_proposed, s.proposed


def tariff(rate: float, by: str = "us", on: tuple[str, ...] = ("jp",), changes: tuple[dict[str, Any], ...] = ()
           ) -> dict[str, Any]:
    return {"id": f"t{rate}", "type": "Tariff", "rate": rate, "imposed_by": by, "targets": list(on),
            "status_changes": list(changes)}


def test_tariff_triples_need_rate_imposer_and_the_same_targets_one_to_one() -> None:
    gold = [tariff(25), tariff(25, on=("eu",)), tariff(15, on=("eu",)), {"type": "Tariff", "id": "norate"}]
    prop = [tariff(25), tariff(25), tariff(15, by="eu", on=("us",)), tariff(10)]
    assert counts(families.score_tariff_triples(gold, prop)) == (1, 3, 1, 4)
    assert counts(families.score_tariff_rates(gold, prop)) == (3, 3, 3, 4)  # one to one: 25, 25, 15
    s = families.score_tariff_triples(gold, prop)
    assert families.f1(s) == 2 * (1 / 4) * (1 / 3) / (1 / 4 + 1 / 3)


def test_status_changes_need_the_status_and_the_date_resolved_on_a_tariff_of_that_rate() -> None:
    gold = [tariff(24, changes=({"status": "Paused", "date": "2025-04-10"},
                                {"status": "InEffect", "date_expression": "from August 7"})),
            tariff(50, changes=({"status": "InEffect", "date": "2025-06-04"},))]
    prop = [tariff(24, changes=({"status": "Paused", "date": "2025-04-10"},
                                {"status": "InEffect", "date": "2025-08-07"},
                                {"status": "Announced", "date": "2025-08-07"})),
            tariff(25, changes=({"status": "InEffect", "date": "2025-06-04"},))]
    assert counts(families.score_status_changes(gold, prop, "2025-08-08")) == (2, 3, 2, 4)


def test_quotes_need_overlapping_spans_and_the_same_speaker() -> None:
    gold = [{"type": "Statement", "speaker": "a", "quote": {"span": [10, 40], "text": "x"}},
            {"type": "Statement", "speaker": "b", "quote": {"span": [60, 90], "text": "y"}},
            {"type": "Statement", "speaker": "c"}]  # no quotation: left out
    prop = [{"type": "Statement", "speaker": "a", "quote": {"span": [12, 38], "text": "x"}},
            {"type": "Statement", "speaker": "a", "quote": {"span": [60, 90], "text": "y"}}]
    assert counts(families.score_quotes(gold, prop)) == (1, 2, 1, 2)


def test_meetings_pair_one_proposal_per_encounter_at_jaccard_one_half() -> None:
    gold = [{"type": "Talks", "participants": ["a", "b", "c"]}, {"type": "PhoneCall", "participants": ["d", "e"]},
            {"type": "Meeting", "participants": ["a", "b"]}]
    prop = [{"type": "Meeting", "participants": ["a", "b"]},          # pairs with the a-b meeting (1.0)
            {"type": "Meeting", "participants": ["a", "b", "x"]},     # 0.5 with the talks: pairs
            {"type": "Summit", "participants": ["d", "x", "y"]},      # 0.25 with the call: too low
            {"type": "Statement", "participants": ["d", "e"]}]        # not a meeting
    assert counts(families.score_meeting_encounters(gold, prop)) == (2, 3, 2, 3)
    call = [{"type": "PhoneCall", "participants": ["d", "e"]}]
    assert counts(families.score_meeting_encounters(call, call * 3)) == (1, 1, 1, 3)  # one per encounter


def test_agreements_and_ids_reused() -> None:
    gold = [{"id": "deal", "type": "Agreement", "participants": ["a", "b"], "parties": ["g1", "g2"]},
            {"id": "js", "type": "JointStatement", "participants": ["c"], "parties": ["g3"]},
            {"id": "old-tariff", "type": "Tariff", "rate": 25}, {"id": "new", "type": "Tariff", "rate": 10}]
    prop = [{"id": "x", "type": "Agreement", "participants": ["a"], "parties": ["g1", "g2"]},
            {"id": "y", "type": "Agreement", "participants": ["z"], "parties": ["g9"]},
            {"id": "old-tariff", "type": "Tariff", "rate": 25}, {"id": "other-known", "type": "Tariff", "rate": 5}]
    assert counts(families.score_agreements(gold, prop)) == (1, 2, 1, 2)
    assert counts(families.score_ids_reused(gold, prop, {"old-tariff", "other-known", "deal"})) == (1, 2, 1, 2)
    fam = families.score_families(gold, prop, "2025-07-28", {"old-tariff"})
    assert counts(fam.scores["ids reused"]) == (1, 1, 1, 1) and families.f1(fam.scores["ids reused"]) == 1.0


def test_family_report_prints_every_family_with_its_counts() -> None:
    total = families.FamilyScores()
    total.add(families.score_families([tariff(25)], [tariff(25), tariff(10)], "2025-01-01", set()))
    lines = families.family_report(total).splitlines()
    row = next(x for x in lines if x.startswith("tariffs (rate, imposer, target)"))
    assert row.split()[-7:] == ["1", "1", "2", "1", "50.0", "100.0", "66.7"]
    assert all(any(x.startswith(name) for x in lines) for name in families.FAMILIES)


def _split(tmp_path: Path, held_ids: tuple[str, ...]) -> tuple[Path, Path]:
    """articles/ split in two folders: the corpus (with the registry) and a held-out folder."""
    corpus, held = tmp_path / "corpus", tmp_path / "held"
    corpus.mkdir()
    held.mkdir()
    shutil.copy(ARTICLES / "registry.yaml", corpus / "registry.yaml")
    for p in ARTICLES.iterdir():
        if p.name == "registry.yaml":
            continue
        dest = held if p.name.startswith(held_ids) else corpus
        shutil.copy(p, dest / p.name)
    return corpus, held


def test_eval_assistant_held_out_drafts_without_the_held_out_articles(runner, tmp_path: Path,
                                                                       monkeypatch: Any) -> None:
    corpus, held = _split(tmp_path, ("008-", "009-"))
    seen: list[set[str]] = []
    real = assistant.build_knowledge

    def spy(r: Any, arts: Any = ()) -> Any:
        arts = list(arts)
        seen.append({a.id for a in arts})
        return real(r, arts)

    monkeypatch.setattr(assistant.knowledge, "build_knowledge", spy)
    res = runner.invoke(cli, ["eval-assistant", str(corpus), "--held-out", str(held)])
    assert res.exit_code == 0, res.output
    assert len(seen) == 1 and not any(i.startswith(("008-", "009-")) for i in seen[0]) and len(seen[0]) >= 10
    assert "held-out set" in res.output and "2 article(s)" in res.output
    lines = res.output.splitlines()
    assert any(x.startswith("009-third-round") for x in lines)
    meet = next(x for x in lines if x.startswith("meetings (participants)"))
    hand = int(meet.split()[2])
    gold = yaml.safe_load((held / "009-third-round-and-leaders-call.yaml").read_text(encoding="utf-8"))["facts"]
    gold += yaml.safe_load((held / "008-us-uk-economic-prosperity-deal.yaml").read_text(encoding="utf-8"))["facts"]
    assert hand == sum(f["type"] in assistant.MEETING_TYPES for f in gold)
    assert "families (hand and drafted facts paired one to one" in res.output


def test_eval_assistant_refuses_a_held_out_article_the_corpus_has(runner, tmp_path: Path) -> None:
    corpus, held = _split(tmp_path, ("011-",))
    shutil.copy(held / "011-uk-car-quota-takes-effect.yaml", corpus / "011-uk-car-quota-takes-effect.yaml")
    shutil.copy(held / "011-uk-car-quota-takes-effect.txt", corpus / "011-uk-car-quota-takes-effect.txt")
    res = runner.invoke(cli, ["eval-assistant", str(corpus), "--held-out", str(held)])
    assert res.exit_code == 2
    assert "011-uk-car-quota-takes-effect" in res.output and "both in the corpus and in the held-out set" in res.output
