"""Input that is accepted but changed or amplified on the way in (findings 7-11).

A value in an article, the registry or a mapping file is what the person wrote:
no YAML alias multiplies it, no second key silently replaces the first, no
escape smuggles in a control character, no YAML 1.1 rule turns 025 into 21 or
2025-2-8 into a date, and the registry's holdings and hierarchy are checked as
strictly as an article's facts. Each refusal is exit 2 with file:line.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kg.annotations.mapping import default_path, load_mapping
from kg.articles import load_article
from kg.cli import cli
from kg.errors import InputError
from kg.ontology import load_ontology
from kg.registry import load_registry
from kg.source import SourceProblem, parse_document
from tests.conftest import ARTICLES, SEED_ID

SEED_NAME = f"{SEED_ID}.yaml"
SEED_YAML = (ARTICLES / SEED_NAME).read_text(encoding="utf-8")
TEXT_NAME = re.search(r"(?m)^text_file: (\S+)$", SEED_YAML).group(1)  # type: ignore[union-attr]
REGISTRY_YAML = (ARTICLES / "registry.yaml").read_text(encoding="utf-8")


def corpus(tmp_path: Path, article: str = SEED_YAML, name: str = SEED_NAME, registry: str = REGISTRY_YAML,
           text: str | None = None) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "registry.yaml").write_text(registry, encoding="utf-8")
    if text is None:
        shutil.copy(ARTICLES / TEXT_NAME, folder / TEXT_NAME)
    else:
        (folder / TEXT_NAME).write_text(text, encoding="utf-8")
    (folder / name).write_text(article, encoding="utf-8")
    return folder


def build(folder: Path) -> Result:
    return CliRunner().invoke(cli, ["build", str(folder), "--store", str(folder.parent / "store"), "-q"])


def refused(res: Result, where: str, *words: str) -> str:
    """Exit 2, no traceback, and one message line naming ``where`` (file:line) and every word."""
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    assert "Traceback" not in res.output
    lines = [line for line in res.output.splitlines() if where in line]
    assert lines, f"no line names {where!r}:\n{res.output}"
    assert any(all(w in line for w in words) for line in lines), (words, res.output)
    return res.output


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the ``nth`` occurrence of ``needle``."""
    i = -1
    for _ in range(nth):
        i = text.index(needle, i + 1)
    return text.count("\n", 0, i) + 1


def problem_of(text: str, is_json: bool = False) -> SourceProblem:
    with pytest.raises(SourceProblem) as info:
        parse_document(text, "doc", is_json)
    return info.value


# ------------------------------------------------------- finding 7: aliases ----
def test_scalar_alias_in_an_article_is_refused_at_its_line(tmp_path: Path) -> None:
    """Finding 7: an alias to a string (not only to a list or mapping) is refused with the alias's file:line."""
    article = SEED_YAML.replace("\ntitle: ", "\ntitle: &t ", 1)
    article = re.sub(r"(?ms)^note: .*?\n(?=\S)", "note: *t\n", article, count=1)
    assert "note: *t\n" in article
    refused(build(corpus(tmp_path, article)), f"{SEED_NAME}:{line_of(article, 'note: *t')}", "YAML alias")


def test_string_alias_bomb_is_refused_before_it_expands() -> None:
    """Finding 7: a 100 KB string aliased 3000 times (300 MB expanded) is refused, at the first alias."""
    text = 'big: &a "' + "x" * 100_000 + '"\nmany:\n' + "  - *a\n" * 3000
    exc = problem_of(text)
    assert exc.problem.line == 3 and "YAML alias" in exc.problem.message


# -------------------------------------------------- finding 8: duplicate keys ----
def test_duplicate_top_level_key_in_a_yaml_article(tmp_path: Path) -> None:
    """Finding 8: two title: keys; the message names the key and both lines."""
    article = SEED_YAML.replace("\nlanguage: en\n", "\nlanguage: en\ntitle: A second title\n", 1)
    first, second = line_of(article, "\ntitle: ") + 1, line_of(article, "\ntitle: ", 2) + 1
    refused(build(corpus(tmp_path, article)), f"{SEED_NAME}:{second}", "'title'", f"line {first}")


def test_duplicate_key_in_a_nested_yaml_mapping(tmp_path: Path) -> None:
    """Finding 8: two place: keys inside one fact."""
    article = SEED_YAML.replace("  place: Washington, D.C.\n", "  place: Washington, D.C.\n  place: Tokyo\n", 1)
    first, second = line_of(article, "  place: Washington"), line_of(article, "  place: Tokyo")
    refused(build(corpus(tmp_path, article)), f"{SEED_NAME}:{second}", "'place'", f"line {first}")


def test_duplicate_member_in_a_json_article(tmp_path: Path) -> None:
    """Finding 8: two "id" members in one JSON object (a mention)."""
    doc = json.dumps(parse_document(SEED_YAML, SEED_NAME, False), indent=1, ensure_ascii=False)
    first_id = '"id": "ishiba-1",'
    doc = doc.replace(first_id, first_id + '\n   "id": "ishiba-2",', 1)
    first, second = line_of(doc, first_id), line_of(doc, '"id": "ishiba-2"')
    name = f"{SEED_ID}.json"
    refused(build(corpus(tmp_path, doc, name=name)), f"{name}:{second}", "'id'", f"line {first}")


def test_duplicate_key_in_the_registry(tmp_path: Path) -> None:
    """Finding 8: a registry entry with two name: keys."""
    registry = REGISTRY_YAML.replace("    name: Joe Biden\n", "    name: Joe Biden\n    name: Joseph Biden\n", 1)
    first, second = line_of(registry, "name: Joe Biden"), line_of(registry, "name: Joseph Biden")
    refused(build(corpus(tmp_path, registry=registry)), f"registry.yaml:{second}", "'name'", f"line {first}")


def test_duplicate_key_in_a_mapping_file(tmp_path: Path) -> None:
    """Finding 8: a mapping file naming one tool type twice."""
    text = default_path("brat").read_text(encoding="utf-8")
    text = text.replace("  Minister: Minister\n", "  Minister: Minister\n  Minister: Official\n", 1)
    path = tmp_path / "brat.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_mapping("brat", path, load_ontology())
    first, second = line_of(text, "  Minister: Minister"), line_of(text, "  Minister: Official")
    assert f"{path}:{second}" in str(info.value) and f"line {first}" in str(info.value)


def test_keys_that_yaml_would_merge_are_duplicates() -> None:
    """Finding 8: 1 and 01 are the same integer key; one would silently replace the other."""
    exc = problem_of("a: 1\n1: x\n01: y\n")
    assert exc.problem.line == 3 and "line 2" in exc.problem.message


# ---------------------------------------------- finding 9: control characters ----
ESCAPES = {
    "yaml-x01": ('title: "a\\x01b"\n', False),
    "yaml-esc": ('title: "a\\eb"\n', False),
    "yaml-nul": ('title: "a\\0b"\n', False),
    "yaml-del": ('title: "a\\x7fb"\n', False),
    "yaml-c1": ('title: "a\\x9bb"\n', False),
    "yaml-fffe": ('title: "a\\uFFFEb"\n', False),
    "yaml-ffff": ('title: "a\\uFFFFb"\n', False),
    "yaml-plane1": ('title: "a\\U0001FFFFb"\n', False),
    "yaml-key": ('"ti\\x01tle": a\n', False),
    "json-u0001": ('{"title": "a\\u0001b"}', True),
    "json-ufffe": ('{"title": "a\\ufffeb"}', True),
    "json-key": ('{"ti\\u001btle": "a"}', True),
}


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_control_characters_written_as_escapes_are_refused(name: str) -> None:
    """Finding 9: a control character or non-character smuggled in by an escape is refused with its line."""
    text, is_json = ESCAPES[name]
    exc = problem_of("format: x\n" + text if not is_json else text, is_json)
    assert exc.problem.line == (1 if is_json else 2)
    assert "U+" in exc.problem.message and "expected" in exc.problem.message


@pytest.mark.parametrize("value", ['"a\\tb"', '"a\\nb"', '"a\\rb"', '"Ryōsei \\u00a0赤澤"'])
def test_tab_newline_and_carriage_return_escapes_are_allowed(value: str) -> None:
    """Finding 9: the refusal leaves tab, newline, CR and ordinary Unicode alone."""
    assert parse_document(f"title: {value}\n", "doc", False)["title"] == json.loads(value)


def test_control_character_escape_in_an_article_title(tmp_path: Path) -> None:
    """Finding 9: an ESC in an article's title stops the build with file:line."""
    article = re.sub(r"(?m)^title: .*$", lambda _: 'title: "Japan \\e[31m braces"', SEED_YAML, count=1)
    refused(build(corpus(tmp_path, article)), f"{SEED_NAME}:{line_of(article, 'title:')}", "U+001B")


def test_control_character_in_a_registry_name(tmp_path: Path) -> None:
    """Finding 9: the registry is checked like an article."""
    registry = REGISTRY_YAML.replace("    name: Joe Biden\n", '    name: "Joe\\x07 Biden"\n', 1)
    refused(build(corpus(tmp_path, registry=registry)), f"registry.yaml:{line_of(registry, 'Joe')}", "U+0007")


def test_control_character_in_an_article_text_file(tmp_path: Path) -> None:
    """Finding 9: article text read from a text file may not hold control characters either."""
    text = (ARTICLES / TEXT_NAME).read_text(encoding="utf-8")
    i = text.index("\n", 10) + 1  # the start of the second line
    bad = text[:i] + "\x1b" + text[i + 1:]  # same length, so the spans would still fit
    refused(build(corpus(tmp_path, text=bad)), f"{TEXT_NAME}:2:1", "U+001B")


# --------------------------------------------- finding 10: YAML 1.2 core values ----
@pytest.mark.parametrize(("written", "value"), [
    ("025", 25), ("-0", 0), ("0x1A", 26), ("0o17", 15), ("1e3", 1000.0), ("2.5", 2.5), ("true", True),
    ("False", False), ("~", None), ("null", None),
    ("2025-2-8", "2025-2-8"), ("2025-02-08", "2025-02-08"), ("yes", "yes"), ("no", "no"), ("on", "on"),
    ("off", "off"), ("y", "y"), ("1_000", "1_000"), ("12:30:00", "12:30:00"), ("0b101", "0b101"),
    ("<<", "<<"), ("2025-02-08 10:00:00", "2025-02-08 10:00:00"),
])
def test_plain_scalars_follow_yaml_1_2_core(written: str, value: Any) -> None:
    """Finding 10: a plain scalar means what YAML 1.2 core says, not what YAML 1.1 converts it to."""
    got = parse_document(f"v: {written}\n", "doc", False)["v"]
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("written", ["1.0e-400", "-2e-999", ".inf", "-.Inf", ".nan", "1.0e400"])
def test_numbers_that_cannot_be_stored_as_written_are_refused(written: str) -> None:
    """Finding 10: a float that would underflow to 0 or is not finite is refused with its line."""
    exc = problem_of(f"a: 1\nv: {written}\n")
    assert exc.problem.line == 2 and written in exc.problem.message and "expected" in exc.problem.message


@pytest.mark.parametrize("written", ["1e-400", "-1.5E-999", "1e400"])
def test_json_numbers_that_cannot_be_stored_as_written_are_refused(written: str) -> None:
    """Finding 10: the same for JSON (1e-400 used to become 0.0, 1e400 infinity)."""
    exc = problem_of('{"a": 1,\n "v": ' + written + "}", True)
    assert exc.problem.line == 2 and written in exc.problem.message


@pytest.mark.parametrize("tag", ["!!timestamp 2025-02-08", "!!binary aGk=", "!!set {a}", "!!int 1_000", "!!bool yes"])
def test_explicit_yaml_1_1_tags_are_refused(tag: str) -> None:
    """Finding 10: an explicit tag cannot bring back a YAML 1.1 conversion or a non-JSON value."""
    assert problem_of(f"a: 1\nv: {tag}\n").problem.line == 2


def test_octal_looking_rate_is_decimal(tmp_path: Path) -> None:
    """Finding 10: rate: 024 is the rate 24 (YAML 1.1 read it as octal 20)."""
    article = SEED_YAML.replace("\n  rate: 24\n", "\n  rate: 024\n", 1)
    folder = corpus(tmp_path, article)
    onto = load_ontology()
    art = load_article(folder / SEED_NAME, onto, load_registry(folder / "registry.yaml", onto))
    assert [f.data["rate"] for f in art.facts if "rate" in f.data][0] == 24


def test_unpadded_unquoted_date_is_not_a_date(tmp_path: Path) -> None:
    """Finding 10: an unpadded unquoted date stays the string written and is refused as not YYYY-MM-DD."""
    article = SEED_YAML.replace("\npublished: '2025-04-16'\n", "\npublished: 2025-4-16\n", 1)
    refused(build(corpus(tmp_path, article)), f"{SEED_NAME}:{line_of(article, 'published:')}", "published")


def test_unquoted_padded_dates_still_build(tmp_path: Path) -> None:
    """Finding 10: dates written properly and unquoted (as the corpus does) still work."""
    article = SEED_YAML.replace("\npublished: '2025-04-16'\n", "\npublished: 2025-04-16\n", 1)
    res = build(corpus(tmp_path, article))
    assert res.exit_code == 0, res.output


# ----------------------------------------------------- finding 11: the registry ----
SMALL_REGISTRY = """\
format: tradekg-registry/1
jurisdictions:
  - {id: aa, name: Aland}
organisations:
  - {id: gov-aa, name: Government of Aland, class: Government, government_of: aa}
  - {id: body-b, name: Body B, class: GovernmentBody, part_of: body-c}
  - {id: body-c, name: Body C, class: GovernmentBody, part_of: body-d}
  - {id: body-d, name: Body D, class: GovernmentBody, part_of: body-b}
  - {id: body-e, name: Body E, class: GovernmentBody, part_of: body-e}
  - {id: body-f, name: Body F, class: GovernmentBody, part_of: gov-aa}
posts:
  - {id: chief-b, name: Chief of B, post_in: body-f}
people:
  - id: ann
    name: Ann
    holdings:
      - {post: chief-b, start: 2020-05-01, end: 2019-05-01}
topics:
  - {id: t1, name: T1, broader: t2}
  - {id: t2, name: T2, broader: t1}
"""


def registry_problems(tmp_path: Path, text: str) -> str:
    path = tmp_path / "registry.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_registry(path, load_ontology())
    return str(info.value)


def test_part_of_cycles_are_refused(tmp_path: Path) -> None:
    """Finding 11: an organisation part of itself, directly or through a chain, is refused with its line."""
    text = SMALL_REGISTRY.replace("      - {post: chief-b, start: 2020-05-01, end: 2019-05-01}",
                                  "      - {post: chief-b, start: 2019-05-01}")
    out = registry_problems(tmp_path, text)
    path = tmp_path / "registry.yaml"
    assert f"{path}:{line_of(text, 'id: body-b')}" in out and "body-b -> body-c -> body-d -> body-b" in out
    assert f"{path}:{line_of(text, 'id: body-e')}" in out and "body-e -> body-e" in out
    assert f"{path}:{line_of(text, 'id: t1')}" in out and "t1 -> t2 -> t1" in out
    assert "body-f" not in out, "an organisation inside a proper hierarchy is fine"


def test_holding_that_ends_before_it_starts_is_refused(tmp_path: Path) -> None:
    """Finding 11: a registry holding ending before it starts is refused with its line, like a meeting."""
    text = SMALL_REGISTRY.split("topics:")[0].replace("part_of: body-c}", "part_of: gov-aa}").replace(
        "part_of: body-b}", "part_of: gov-aa}").replace("part_of: body-e}", "part_of: gov-aa}")
    out = registry_problems(tmp_path, text)
    assert f"{tmp_path / 'registry.yaml'}:{line_of(text, '2019-05-01')}" in out and "before it starts" in out


def test_impossible_instrument_date_is_refused(tmp_path: Path) -> None:
    """Finding 10/11: an unquoted 2025-02-30 was refused by YAML 1.1; as a 1.2 string the registry checks it."""
    text = (SMALL_REGISTRY.split("people:")[0].replace("part_of: body-c}", "part_of: gov-aa}")
            .replace("part_of: body-b}", "part_of: gov-aa}").replace("part_of: body-e}", "part_of: gov-aa}")
            + "instruments:\n  - {id: law-1, name: Law 1, date: 2025-02-30, issued_by: gov-aa}\n")
    out = registry_problems(tmp_path, text)
    assert f"{tmp_path / 'registry.yaml'}:{line_of(text, 'law-1')}" in out and "2025-02-30" in out
