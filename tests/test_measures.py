"""The lifecycle of trade measures (issue 17): announcement and effective dates, a status set for a term
that reverts, supersession, exemptions and how a rate combines with other duties.

Each test builds a small article of its own in tmp_path (its own sentences and numbers) and asks the
knowledge graph or the query library on both sides of each date.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kg.annotations.store_articles import article_dicts
from kg.build import build
from kg.cli import cli
from kg.namespaces import TDO, entity_iri
from kg.store import open_store

from .conftest import ARTICLES
from .test_knowledge_graph import rows


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "articles"
    out.mkdir()
    (out / "registry.yaml").write_bytes((ARTICLES / "registry.yaml").read_bytes())
    return out


def span(text: str, words: str) -> dict[str, Any]:
    i = text.index(words)
    return {"span": [i, i + len(words)], "text": words}


def tariff(text: str, fid: str, rate: float, changes: list[dict[str, Any]], target: str = "china",
           **more: Any) -> dict[str, Any]:
    """A tariff fact by the United States whose evidence is the first sentence of ``text`` naming ``fid``'s rate;
    each change's ``evidence`` is given as the words to quote."""
    scs = [{**sc, "evidence": [span(text, sc["evidence"])]} for sc in changes]
    return {"id": fid, "type": "Tariff", "imposed_by": "united-states", "targets": [target], "rate": rate,
            "evidence": [span(text, f"{format(rate, 'g')}%")], "status_changes": scs, **more}


def write(folder: Path, aid: str, text: str, facts: list[dict[str, Any]], published: str = "2025-05-01") -> Path:
    doc = {"format": "tradekg-article/1", "id": aid, "title": f"Measures {aid}", "publisher": "tradekg-desk",
           "published": published, "language": "en", "text": text, "mentions": [], "facts": facts}
    path = folder / f"{aid}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def read_back(store: Path, fid: str) -> dict[str, Any]:
    """The fact ``fid`` as the inverse mapping reads it back out of the store."""
    s = open_store(store, read_only=True)
    try:
        return next(f for a in article_dicts(s) for f in a["facts"] if f["id"] == fid)
    finally:
        s.close()


def library(store: Path, name: str, **params: str) -> list[dict[str, str]]:
    """The rows of library query ``name`` run by ``tradekg query`` (CSV, full IRIs), one dict per row."""
    args = ["query", name, "--store", str(store), "--format", "csv"]
    for k, v in params.items():
        args += ["--param", f"{k}={v}"]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    return list(csv.DictReader(io.StringIO(r.output)))


def on(store: Path, target: str, day: str) -> list[tuple[str, str, str, str]]:
    """tariffs-on for ``target`` on ``day``: (measure id, rate, status, since) of each row."""
    return sorted((r["measure"].rsplit("/", 1)[-1], r["rate"], r["status"], r["since"])
                  for r in library(store, "tariffs-on", target=f"jurisdiction:{target}", date=day))


def as_of(store: Path, measure: str, day: str) -> list[tuple[str, str]]:
    """(status local name, rate) of the measure on ``day``: one range filter on the KG."""
    m = entity_iri("measure", measure)
    got = rows(store, f"""SELECT ?st ?r WHERE {{ <{m}> tdo:statusChange ?c . ?c tdo:status ?st ; tdo:validFrom ?f
        OPTIONAL {{ ?c tdo:validUntil ?u }} OPTIONAL {{ ?c tdo:newRatePercent ?nr }} OPTIONAL {{ <{m}> tdo:ratePercent ?mr }}
        BIND(COALESCE(?nr, ?mr) AS ?r)
        FILTER(?f <= "{day}"^^xsd:date && (!BOUND(?u) || "{day}"^^xsd:date < ?u)) }}""")
    return sorted((r["st"].rsplit("#", 1)[-1], r.get("r", "")) for r in got)


# ------------------------------------------------------------------ item 1 --
ANNOUNCED = ("Washington said on 3 March 2025 that a 15% duty on Chinese steel would apply. "
             "The duty starts on 20 March 2025.\n")


def test_announced_one_day_effective_another(folder: Path, tmp_path: Path) -> None:
    """Issue 17.1: `date` is the day the change takes effect, `announced` the day it was announced; before the
    effective day the measure is not yet in force (as of the announcement day it has no status)."""
    write(folder, "m-ann", ANNOUNCED, [tariff(ANNOUNCED, "m-steel", 15, [
        {"status": "InEffect", "date": "2025-03-20", "announced_expression": "on 3 March 2025",
         "evidence": "The duty starts on 20 March 2025"}])])
    store = tmp_path / "store"
    build([folder], store)
    c = rows(store, "SELECT ?a ?d WHERE { ?c tdo:announcementDate ?a ; tdo:date ?d }")
    assert c == [{"a": "2025-03-03", "d": "2025-03-20"}]
    assert as_of(store, "m-steel", "2025-03-03") == []
    assert as_of(store, "m-steel", "2025-03-19") == []
    assert as_of(store, "m-steel", "2025-03-20") == [("InEffect", "15")]


def test_announced_after_effective_is_refused(folder: Path, tmp_path: Path, runner: Any) -> None:
    """Issue 17.1: announced later than date is an input error naming the file, line and what was expected."""
    path = write(folder, "m-late", ANNOUNCED, [tariff(ANNOUNCED, "m-steel", 15, [
        {"status": "InEffect", "date": "2025-03-20", "announced": "2025-03-21",
         "evidence": "The duty starts on 20 March 2025"}])])
    r = runner.invoke(cli, ["build", str(folder), "--store", str(tmp_path / "store")])
    assert r.exit_code == 2, r.output
    line = next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "announced:" in ln)
    assert f"m-late.yaml:{line}" in r.output, r.output
    assert "announced 2025-03-21, after it takes effect on 2025-03-20" in r.output
    assert "expected announced on or before date" in r.output
    assert not (tmp_path / "store").exists() or "m-steel" not in str(list((tmp_path / "store").iterdir()))


def test_unresolvable_announcement_expression_is_refused(folder: Path, tmp_path: Path, runner: Any) -> None:
    write(folder, "m-bad", ANNOUNCED, [tariff(ANNOUNCED, "m-steel", 15, [
        {"status": "InEffect", "date": "2025-03-20", "announced_expression": "some day soon",
         "evidence": "The duty starts on 20 March 2025"}])])
    r = runner.invoke(cli, ["build", str(folder), "--store", str(tmp_path / "store")])
    assert r.exit_code == 2, r.output
    assert "m-bad.yaml" in r.output and "cannot resolve 'some day soon'" in r.output
    assert "give announced: YYYY-MM-DD" in r.output


def test_status_announced_alone_is_unchanged(folder: Path, tmp_path: Path) -> None:
    """Issue 17.1: a change that is only an announcement keeps status Announced on its date, no announcementDate."""
    write(folder, "m-only", ANNOUNCED, [tariff(ANNOUNCED, "m-steel", 15, [
        {"status": "Announced", "date": "2025-03-03", "evidence": "Washington said on 3 March 2025"}])])
    store = tmp_path / "store"
    build([folder], store)
    assert rows(store, "SELECT ?a WHERE { ?c tdo:announcementDate ?a }") == []
    assert as_of(store, "m-steel", "2025-03-03") == [("Announced", "15")]
    assert rows(store, f"SELECT ?s WHERE {{ <{entity_iri('measure', 'm-steel')}> tdo:currentStatus ?s }}") == [
        {"s": str(TDO.Announced)}]


# ------------------------------------------------------------------ item 2 --
TERM = ("Washington has taxed Chinese bicycles at 125% since 1 February 2025. On 12 May 2025 the rate was cut "
        "to 30% for an initial 90 days, until 9 August 2025.\n")


def test_cut_for_a_term_then_the_earlier_rate_returns(folder: Path, tmp_path: Path) -> None:
    """Issue 17.2: a cut of 95 points for 90 days; inside the term the measure is in force at 30%, after it at
    125% again (a derived reversion), and "current" says so."""
    write(folder, "m-term", TERM, [tariff(TERM, "m-bikes", 125, [
        {"status": "InEffect", "date": "2025-02-01", "evidence": "since 1 February 2025"},
        {"status": "Cut", "date": "2025-05-12", "new_rate": 30, "until": "2025-08-09",
         "evidence": "cut to 30% for an initial 90 days"}])])
    store = tmp_path / "store"
    build([folder], store)
    assert as_of(store, "m-bikes", "2025-05-11") == [("InEffect", "125")]
    assert as_of(store, "m-bikes", "2025-05-12") == [("Cut", "30")]
    assert as_of(store, "m-bikes", "2025-08-09") == [("Cut", "30")]
    assert as_of(store, "m-bikes", "2025-08-10") == [("InEffect", "125")]
    m = entity_iri("measure", "m-bikes")
    assert rows(store, f"SELECT ?s ?r WHERE {{ <{m}> tdo:currentStatus ?s ; tdo:currentRate ?r }}") == [
        {"s": str(TDO.InEffect), "r": "125"}]
    rev = rows(store, "SELECT ?r ?c ?p WHERE { ?r a tdo:Reversion ; tdo:reverts ?c ; tdo:returnsTo ?p }")
    assert [r["r"] for r in rev] == ["https://w3id.org/tradekg/resource/reversion/m-bikes:cut-2025-05-12"]
    assert rev[0]["c"].endswith("status/m-bikes:cut-2025-05-12") and rev[0]["p"].endswith(":ineffect-2025-02-01")


def test_a_later_change_inside_the_term_says_otherwise(folder: Path, tmp_path: Path) -> None:
    """Issue 17.2: a change reported before the term ends wins; no reversion, the later change holds."""
    write(folder, "m-term", TERM, [tariff(TERM, "m-bikes", 125, [
        {"status": "InEffect", "date": "2025-02-01", "evidence": "since 1 February 2025"},
        {"status": "Cut", "date": "2025-05-12", "new_rate": 30, "until": "2025-08-09",
         "evidence": "cut to 30% for an initial 90 days"},
        {"status": "Raised", "date": "2025-07-01", "new_rate": 40, "evidence": "until 9 August 2025"}])])
    store = tmp_path / "store"
    build([folder], store)
    assert as_of(store, "m-bikes", "2025-06-30") == [("Cut", "30")]
    assert as_of(store, "m-bikes", "2025-08-11") == [("Raised", "40")]
    assert rows(store, "SELECT ?r WHERE { ?r a tdo:Reversion }") == []
    # the raise is removed again: the reversion comes back (the KG is maintained, not only built fresh)
    write(folder, "m-term", TERM, [tariff(TERM, "m-bikes", 125, [
        {"status": "InEffect", "date": "2025-02-01", "evidence": "since 1 February 2025"},
        {"status": "Cut", "date": "2025-05-12", "new_rate": 30, "until": "2025-08-09",
         "evidence": "cut to 30% for an initial 90 days"}])])
    build([folder], store)
    assert as_of(store, "m-bikes", "2025-08-11") == [("InEffect", "125")]


def test_a_pause_with_a_term_returns_to_the_paused_rate(folder: Path, tmp_path: Path) -> None:
    """Issue 17.2: a pause keeps its behaviour: the paused rate (the measure's own) applies after the term."""
    text = "A 20% duty on Chinese kettles took effect on 1 March 2025 and was paused on 1 April 2025 until 30 April.\n"
    write(folder, "m-pause", text, [tariff(text, "m-kettles", 20, [
        {"status": "InEffect", "date": "2025-03-01", "evidence": "took effect on 1 March 2025"},
        {"status": "Paused", "date": "2025-04-01", "new_rate": 10, "until": "2025-04-30",
         "evidence": "paused on 1 April 2025 until 30 April"}])])
    store = tmp_path / "store"
    build([folder], store)
    assert as_of(store, "m-kettles", "2025-04-30") == [("Paused", "10")]
    assert as_of(store, "m-kettles", "2025-05-01") == [("InEffect", "20")]


# ------------------------------------------------------------------ item 3 --
THREAT = "On 2 June 2025 Washington threatened a 60% duty on Chinese toys.\n"
REPLACES = ("On 20 June 2025 Washington announced a 35% duty on Chinese toys instead of the threatened 60%; "
            "it applies from 1 July 2025.\n")


def threat_and_replacement(folder: Path, **more: Any) -> None:
    write(folder, "m-threat", THREAT, [tariff(THREAT, "m-toys-threat", 60, [
        {"status": "Announced", "date": "2025-06-02", "evidence": "On 2 June 2025 Washington threatened"}])],
        published="2025-06-02")
    write(folder, "m-replace", REPLACES, [tariff(REPLACES, "m-toys", 35, [
        {"status": "InEffect", "date": "2025-07-01", "announced": "2025-06-20", "evidence": "it applies from 1 July 2025"}],
        supersedes=["m-toys-threat"], **more)], published="2025-06-21")


def test_a_rate_that_replaces_a_threatened_one(folder: Path, tmp_path: Path) -> None:
    """Issue 17.3: the superseded (threatened) measure holds until the superseding measure's first date (its
    announcement here), then is superseded; the new one is in force from its effective date."""
    threat_and_replacement(folder)
    store = tmp_path / "store"
    build([folder], store)
    assert as_of(store, "m-toys-threat", "2025-06-19") == [("Announced", "60")]
    assert as_of(store, "m-toys-threat", "2025-06-20") == []
    assert as_of(store, "m-toys", "2025-06-30") == []
    assert as_of(store, "m-toys", "2025-07-01") == [("InEffect", "35")]
    old, new = entity_iri("measure", "m-toys-threat"), entity_iri("measure", "m-toys")
    assert rows(store, f"SELECT ?by ?on ?s WHERE {{ <{old}> tdo:supersededBy ?by ; tdo:supersededOn ?on ; "
                       f"tdo:currentStatus ?s }}") == [{"by": new, "on": "2025-06-20", "s": str(TDO.Superseded)}]
    assert rows(store, f"SELECT ?r WHERE {{ <{old}> tdo:currentRate ?r }}") == []
    # the replacement's article goes: the threat is open again (the KG is maintained both ways)
    (folder / "m-replace.yaml").unlink()
    build([folder], store)
    assert as_of(store, "m-toys-threat", "2025-06-20") == [("Announced", "60")]
    assert rows(store, f"SELECT ?p WHERE {{ <{old}> ?p ?o FILTER(?p IN (tdo:supersededBy, tdo:supersededOn)) }}") == []
    assert rows(store, f"SELECT ?s WHERE {{ <{old}> tdo:currentStatus ?s }}") == [{"s": str(TDO.Announced)}]


def test_an_explicit_supersession_date(folder: Path, tmp_path: Path) -> None:
    """Issue 17.3: supersedes_on, when given, is the day the superseded measure stops applying."""
    threat_and_replacement(folder, supersedes_on="2025-06-25")
    store = tmp_path / "store"
    build([folder], store)
    assert as_of(store, "m-toys-threat", "2025-06-24") == [("Announced", "60")]
    assert as_of(store, "m-toys-threat", "2025-06-25") == []


def test_a_superseded_threat_is_not_a_source_disagreement(folder: Path, tmp_path: Path, runner: Any) -> None:
    """Issue 17.3: a threatened rate and the different rate that replaces it are two measures, not two claims
    about one: source-disagreements lists nothing."""
    threat_and_replacement(folder)
    store = tmp_path / "store"
    build([folder], store)
    r = runner.invoke(cli, ["query", "source-disagreements", "--store", str(store), "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[1:] == [], r.output


def test_superseding_itself_is_refused(folder: Path, tmp_path: Path, runner: Any) -> None:
    path = write(folder, "m-self", REPLACES, [tariff(REPLACES, "m-toys", 35, [
        {"status": "InEffect", "date": "2025-07-01", "evidence": "it applies from 1 July 2025"}],
        supersedes=["m-toys"])])
    r = runner.invoke(cli, ["build", str(folder), "--store", str(tmp_path / "store")])
    assert r.exit_code == 2, r.output
    line = next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if ln.strip() == "- m-toys")
    assert f"m-self.yaml:{line}" in r.output, r.output
    assert "'m-toys' supersedes itself; expected the id of another trade measure" in r.output


# ------------------------------------------------------------------ item 4 --
CEILING = ("Washington set an all-in 15% duty on Korean machinery from 1 August 2025, leaving out aircraft parts "
           "and goods under HS 8802.\n")


def ceiling(folder: Path, **more: Any) -> Path:
    return write(folder, "m-ceil", CEILING, [tariff(CEILING, "m-machines", 15, [
        {"status": "InEffect", "date": "2025-08-01", "evidence": "from 1 August 2025"}],
        target="japan", **more)])


def test_exemptions_and_combination_are_mapped(folder: Path, tmp_path: Path) -> None:
    """Issue 17.4: `exempts` (texts) and `combination` (a vocabulary individual) reach the KG, and the article
    read back from the store has them again."""
    ceiling(folder, exempts=["aircraft parts", "8802"], combination="Ceiling")
    store = tmp_path / "store"
    build([folder], store)
    m = entity_iri("measure", "m-machines")
    assert rows(store, f"SELECT ?x WHERE {{ <{m}> tdo:exempts ?x }} ORDER BY ?x") == [{"x": "8802"},
                                                                                 {"x": "aircraft parts"}]
    assert rows(store, f"SELECT ?c WHERE {{ <{m}> tdo:combination ?c }}") == [{"c": str(TDO.Ceiling)}]
    fact = read_back(store, "m-machines")
    assert fact["exempts"] == ["8802", "aircraft parts"] and fact["combination"] == "Ceiling"


def test_lifecycle_fields_are_read_back_from_the_store(folder: Path, tmp_path: Path) -> None:
    """Issues 17.1 and 17.3: announced and supersedes survive the inverse mapping (store -> article)."""
    threat_and_replacement(folder, supersedes_on="2025-06-25")
    store = tmp_path / "store"
    build([folder], store)
    fact = read_back(store, "m-toys")
    assert fact["supersedes"] == ["m-toys-threat"] and fact["supersedes_on"] == "2025-06-25"
    assert fact["status_changes"][0]["announced"] == "2025-06-20"


def test_unknown_combination_is_refused(folder: Path, tmp_path: Path, runner: Any) -> None:
    """Issue 17.4: a combination outside the vocabulary: file, line, the allowed values, exit 2."""
    path = ceiling(folder, combination="Stacked")
    r = runner.invoke(cli, ["build", str(folder), "--store", str(tmp_path / "store")])
    assert r.exit_code == 2, r.output
    line = next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "combination:" in ln)
    assert f"m-ceil.yaml:{line}" in r.output, r.output
    assert "'Stacked'; expected one of Additive, Ceiling, Replacing" in r.output, r.output


def test_exemptions_must_be_a_list_of_texts(folder: Path, tmp_path: Path, runner: Any) -> None:
    ceiling(folder, exempts="aircraft parts")
    r = runner.invoke(cli, ["build", str(folder), "--store", str(tmp_path / "store")])
    assert r.exit_code == 2, r.output
    assert "m-ceil.yaml" in r.output and "exempts" in r.output and "array" in r.output, r.output


# ------------------------------------------------------- item 6: the library --
def test_library_cut_for_90_days_then_the_earlier_rate(folder: Path, tmp_path: Path) -> None:
    """Issue 17.6: tariffs-on, on both sides of each date of a 95-point cut for an initial 90 days."""
    write(folder, "m-term", TERM, [tariff(TERM, "m-bikes", 125, [
        {"status": "InEffect", "date": "2025-02-01", "evidence": "since 1 February 2025"},
        {"status": "Cut", "date": "2025-05-12", "new_rate": 30, "until": "2025-08-09",
         "evidence": "cut to 30% for an initial 90 days"}])])
    store = tmp_path / "store"
    build([folder], store)
    assert on(store, "china", "2025-01-31") == []
    assert on(store, "china", "2025-02-01") == [("m-bikes", "125", "in effect", "2025-02-01")]
    assert on(store, "china", "2025-05-11") == [("m-bikes", "125", "in effect", "2025-02-01")]
    assert on(store, "china", "2025-05-12") == [("m-bikes", "30", "cut", "2025-05-12")]
    assert on(store, "china", "2025-08-09") == [("m-bikes", "30", "cut", "2025-05-12")]
    assert on(store, "china", "2025-08-10") == [("m-bikes", "125", "in effect", "2025-08-10")]
    assert on(store, "japan", "2025-08-10") == []
    history = library(store, "measure-history", measure="measure:m-bikes")
    assert [(h["from"], h["entry"], h["status"], h["term"], h["newRate"], h["until"]) for h in history] == [
        ("2025-02-01", "status change", "in effect", "", "", "2025-05-12"),
        ("2025-05-12", "status change", "cut", "2025-08-09", "30", "2025-08-10"),
        ("2025-08-10", "return after term", "in effect", "", "", "")]


def test_library_announced_one_day_effective_another(folder: Path, tmp_path: Path) -> None:
    """Issue 17.6: announced 3 March, in effect 20 March: not in force before, in force from the 20th; the
    history shows both days."""
    write(folder, "m-ann", ANNOUNCED, [tariff(ANNOUNCED, "m-steel", 15, [
        {"status": "InEffect", "date": "2025-03-20", "announced": "2025-03-03",
         "evidence": "The duty starts on 20 March 2025"}])])
    store = tmp_path / "store"
    build([folder], store)
    assert on(store, "china", "2025-03-02") == []
    assert on(store, "china", "2025-03-03") == []
    assert on(store, "china", "2025-03-19") == []
    assert on(store, "china", "2025-03-20") == [("m-steel", "15", "in effect", "2025-03-20")]
    history = library(store, "measure-history", measure="measure:m-steel")
    assert [(h["announced"], h["effective"], h["status"]) for h in history] == [("2025-03-03", "2025-03-20", "in effect")]


def test_library_a_rate_that_replaces_a_threatened_one(folder: Path, tmp_path: Path) -> None:
    """Issue 17.6: the threatened 60% is no status in force (announced); superseded from the replacement's
    announcement (20 June); the 35% is in force from 1 July; both histories say what superseded what."""
    threat_and_replacement(folder)
    store = tmp_path / "store"
    build([folder], store)
    for day in ("2025-06-01", "2025-06-02", "2025-06-19", "2025-06-20", "2025-06-30"):
        assert on(store, "china", day) == [], day
    assert on(store, "china", "2025-07-01") == [("m-toys", "35", "in effect", "2025-07-01")]
    old = library(store, "measure-history", measure="measure:m-toys-threat")
    assert [(h["from"], h["entry"], h["status"], h["until"], h["other"].rsplit("/", 1)[-1]) for h in old] == [
        ("2025-06-02", "status change", "announced", "2025-06-20", ""),
        ("2025-06-20", "superseded by", "", "", "m-toys")]
    new = library(store, "measure-history", measure="measure:m-toys")
    assert [(h["from"], h["entry"], h["other"].rsplit("/", 1)[-1]) for h in new] == [
        ("2025-06-20", "supersedes", "m-toys-threat"), ("2025-07-01", "status change", "")]


def test_library_combination_column(folder: Path, tmp_path: Path) -> None:
    """Issue 17.4/17.5: tariffs-on shows how the rate combines with other duties, by its ontology label."""
    ceiling(folder, combination="Ceiling", exempts=["aircraft parts"])
    store = tmp_path / "store"
    build([folder], store)
    got = library(store, "tariffs-on", target="jurisdiction:japan", date="2025-08-01")
    assert [(r["measure"].rsplit("/", 1)[-1], r["combination"]) for r in got] == [("m-machines", "ceiling")]
    assert library(store, "tariffs-on", target="jurisdiction:japan", date="2025-07-31") == []


def test_superseding_a_fact_that_is_not_a_measure_is_refused(folder: Path, tmp_path: Path, runner: Any) -> None:
    text = REPLACES + "Trump met Ishiba on 20 June 2025.\n"
    meeting = {"id": "m-meet", "type": "Meeting", "participants": ["donald-trump", "shigeru-ishiba"],
               "date": "2025-06-20", "evidence": [span(text, "Trump met Ishiba")]}
    write(folder, "m-wrong", text, [meeting, tariff(text, "m-toys", 35, [
        {"status": "InEffect", "date": "2025-07-01", "evidence": "it applies from 1 July 2025"}],
        supersedes=["m-meet"])])
    r = runner.invoke(cli, ["build", str(folder), "--store", str(tmp_path / "store")])
    assert r.exit_code == 2, r.output
    assert "m-wrong.yaml" in r.output and "supersedes refers to 'm-meet', a Meeting; expected a trade measure" in r.output
