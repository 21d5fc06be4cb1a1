"""Issue 17's done-when over the bundled corpus, asked through the query library."""

from __future__ import annotations

from pathlib import Path

from tests.test_queries import run  # type: ignore[import-not-found]


def _rows(store: Path, name: str, params: dict[str, str] | None = None) -> list[dict[str, str]]:
    names, rows = run(store, name, params)
    return [dict(zip(names, row, strict=True)) for row in rows]


def test_post_holders_of_the_japanese_prime_minister(corpus_store: Path) -> None:
    for date, person in (("2025-10-01", "person:shigeru-ishiba"), ("2025-11-01", "person:sanae-takaichi")):
        rows = _rows(corpus_store, "post-holders", {"post": "post:prime-minister-of-japan", "date": date})
        assert [r["person"] for r in rows] == [person]


def test_tariffs_on_the_eu_after_turnberry(corpus_store: Path) -> None:
    rows = {r["measure"]: r for r in _rows(corpus_store, "tariffs-on",
                                           {"target": "jurisdiction:european-union", "date": "2025-08-10"})}
    assert rows["measure:us-eu-tariff-15-2025"]["rate"] == "15"
    assert rows["measure:us-steel-tariff-232-2025"]["rate"] == "50"
    assert rows["measure:us-aluminium-tariff-232-2025"]["rate"] == "50"
    assert "measure:us-eu-tariff-30-threat-2025" not in rows and "measure:us-reciprocal-tariff-eu-2025" not in rows


def test_tariffs_on_japan_during_the_extended_pause(corpus_store: Path) -> None:
    rows = {r["measure"]: r for r in _rows(corpus_store, "tariffs-on",
                                           {"target": "jurisdiction:japan", "date": "2025-07-15"})}
    assert rows["measure:us-baseline-tariff-2025"]["rate"] == "10"
    assert rows["measure:us-steel-tariff-232-2025"]["rate"] == "50"
    assert rows["measure:us-aluminium-tariff-232-2025"]["rate"] == "50"
    assert "measure:us-reciprocal-tariff-japan-2025" not in rows


def test_akazawas_meetings_in_date_order(corpus_store: Path) -> None:
    rows = _rows(corpus_store, "person-meetings", {"person": "person:ryosei-akazawa"})
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)
    for day in ("2025-04-16", "2025-05-01", "2025-05-23", "2025-05-30"):
        assert day in dates
    assert any(r["date"] == "2025-07-19" and "Bessent" in r["participants"] for r in rows)


def test_the_eu_agreement_and_its_commitments(corpus_store: Path) -> None:
    rows = [r for r in _rows(corpus_store, "agreements")
            if r["agreement"] == "event:us-eu-framework-agreement-2025-07-27"]
    assert {r["date"] for r in rows} == {"2025-07-27"} and "European Union" in rows[0]["parties"]
    amounts = {(r["amount"], r["currency"]) for r in rows}
    assert {("750000000000", "USD"), ("600000000000", "USD")} <= amounts


def test_source_disagreements_on_the_tokyo_summit_and_participants(corpus_store: Path) -> None:
    rows = _rows(corpus_store, "source-disagreements")
    summit = [r for r in rows if r["fact"] == "event:us-japan-summit-2025-10-28"]
    assert [(r["kind"], frozenset((r["claim1"], r["claim2"]))) for r in summit] == [
        ("contradiction", frozenset(("2025-10-27", "2025-10-28")))], summit
    omitted = [r for r in rows if r["kind"] == "omission"]
    assert omitted and all(r["aspect"] == "participant list" for r in omitted), omitted


def test_the_post_check_finds_the_kishida_claim(corpus_store: Path) -> None:
    rows = _rows(corpus_store, "checks/post-not-held-on-date-violation")
    assert [(r["article"], r["person"]) for r in rows] == [
        ("article:027-ainvest-kishida-trump-call", "person:fumio-kishida")]
