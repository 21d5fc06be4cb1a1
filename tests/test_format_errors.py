"""The article checker's messages: each bad input names the file, the line or span, and what was expected.

Each case starts from a small valid article and breaks one thing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kg.build import build
from kg.errors import InputError
from kg.store import open_store
from tests.conftest import ARTICLES

TEXT = "Japanese Prime Minister Shigeru Ishiba met President Donald Trump in Washington on Friday."


def valid_article() -> dict:
    return {
        "format": "tradekg-article/1",
        "id": "t-001",
        "title": "Test article",
        "publisher": "reuters",
        "published": "2025-02-08",
        "language": "en",
        "text": TEXT,
        "mentions": [
            {"id": "m1", "type": "HeadOfGovernment", "span": [24, 38], "text": "Shigeru Ishiba", "entity": "shigeru-ishiba"},
            {"id": "m2", "type": "HeadOfState", "span": [53, 65], "text": "Donald Trump", "entity": "donald-trump"},
        ],
        "facts": [
            {"id": "t-summit", "type": "Summit", "participants": ["shigeru-ishiba", "donald-trump"],
             "date_expression": "on Friday", "place": "Washington", "evidence": ["m1", "m2"]},
            {"id": "t-tariff", "type": "Tariff", "imposed_by": "united-states", "targets": ["japan"], "rate": 24,
             "status_changes": [{"status": "Announced", "date": "2025-04-02"}],
             "evidence": [{"text": "met President"}]},
        ],
    }


def write(tmp_path: Path, doc: dict | str, name: str = "a.yaml") -> Path:
    (tmp_path / "registry.yaml").write_bytes((ARTICLES / "registry.yaml").read_bytes())
    p = tmp_path / name
    p.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False, allow_unicode=True),
                 encoding="utf-8")
    return p


def problems_of(tmp_path: Path, doc: dict | str, name: str = "a.yaml") -> str:
    write(tmp_path, doc, name)
    with pytest.raises(InputError) as info:
        build([tmp_path], tmp_path / "store")
    assert not (tmp_path / "store" / "CURRENT").exists() or open_store(tmp_path / "store", read_only=True).quad_count() == 0
    return str(info.value)


def test_valid_article_builds(tmp_path: Path) -> None:
    write(tmp_path, valid_article())
    report = build([tmp_path], tmp_path / "store")
    assert report.built == ["t-001"]


def _set(path: list, value):  # noqa: ANN001, ANN202
    def change(doc: dict) -> dict:
        target = doc
        for key in path[:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return doc
    return change


CASES = [
    ("unknown-entity", _set(["facts", 0, "participants", 1], "donald-trumpp"),
     ["a.yaml:", "facts[0].participants[1]", "unknown person 'donald-trumpp'", "not in the registry"]),
    ("span-text-mismatch", _set(["mentions", 0, "span"], [23, 37]),
     ["a.yaml:", "mentions[0].span", "span 23-37", "reads ' Shigeru Ishib'", "'Shigeru Ishiba'"]),
    ("span-outside-text", _set(["mentions", 1, "span"], [80, 200]),
     ["mentions[1].span", "outside the text", "0-90 code points"]),
    ("dangling-evidence", _set(["facts", 0, "evidence"], ["m1", "m9"]),
     ["facts[0].evidence[1]", "mention 'm9'", "not defined in mentions"]),
    ("impossible-date", _set(["published"], "2025-02-30"),
     ["a.yaml:", "published", "'2025-02-30' is not a calendar date", "YYYY-MM-DD"]),
    ("badly-formed-date", _set(["published"], "8 Feb 2025"),
     ["published", "does not have the expected form"]),
    ("rate-out-of-range", _set(["facts", 1, "rate"], -5),
     ["facts[1].rate", "rate -5 is out of range", "0 to 1000"]),
    ("unknown-status", _set(["facts", 1, "status_changes", 0, "status"], "Frozen"),
     ["status_changes[0].status", "unknown measure status 'Frozen'", "Paused"]),
    ("unknown-fact-type", _set(["facts", 0, "type"], "Banquet"),
     ["facts[0].type", "unknown fact type 'Banquet'", "Summit"]),
    ("duplicate-mention-id", _set(["mentions", 1, "id"], "m1"),
     ["mentions[1].id", "duplicate mention id 'm1'"]),
    ("wrong-class-of-entity", _set(["facts", 1, "imposed_by"], "donald-trump"),
     ["facts[1].imposed_by", "'donald-trump' is a HeadOfState, expected a Jurisdiction"]),
    ("missing-required-field", _set(["title"], KeyError),
     ["'title' is a required property"]),
    ("field-not-for-type", _set(["facts", 0, "rate"], 10),
     ["facts[0].rate", "field 'rate' does not apply to a Summit"]),
    ("unresolvable-relative-date", _set(["facts", 0, "date_expression"], "soon"),
     ["facts[0].date_expression", "cannot resolve 'soon'", "2025-02-08"]),
    ("quote-not-in-text", _set(["facts", 1, "evidence"], [{"text": "met Prime Minister"}]),
     ["facts[1].evidence[0].text", "does not occur in the article text"]),
    ("tariff-without-status", _set(["facts", 1, "status_changes"], []),
     ["facts[1]", "has no status_changes"]),
    ("mention-type-not-a-class", _set(["mentions", 0, "type"], "Wizard"),
     ["mentions[0].type", "unknown mention type 'Wizard'"]),
]


@pytest.mark.parametrize("change,expected", [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_message(tmp_path: Path, change, expected: list[str]) -> None:  # noqa: ANN001
    message = problems_of(tmp_path, change(valid_article()))
    for part in expected:
        assert part in message, f"{part!r} not in:\n{message}"


def test_messages_carry_line_numbers(tmp_path: Path) -> None:
    doc = valid_article()
    doc["facts"][0]["participants"][1] = "nobody-known"
    text = yaml.safe_dump(doc, sort_keys=False)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "nobody-known" in s)
    message = problems_of(tmp_path, text)
    assert f"a.yaml:{line}:" in message or f"a.yaml:{line - 1}:" in message, message


def test_broken_yaml_names_line_and_column(tmp_path: Path) -> None:
    message = problems_of(tmp_path, "format: tradekg-article/1\nid: [unclosed\ntitle: x\n")
    assert "a.yaml:3" in message and "invalid YAML" in message


def test_broken_json_names_line_and_column(tmp_path: Path) -> None:
    message = problems_of(tmp_path, '{"format": "tradekg-article/1",\n "id": }', name="a.json")
    assert "a.json:2:8" in message and "invalid JSON" in message


def test_every_problem_reported_in_one_run(tmp_path: Path) -> None:
    doc = valid_article()
    doc["facts"][0]["participants"][1] = "nobody-known"
    doc["facts"][1]["rate"] = 5000
    doc["mentions"][0]["span"] = [0, 3]
    message = problems_of(tmp_path, doc)
    assert "3 problems" in message
    assert "nobody-known" in message and "5000" in message and "span 0-3" in message


def test_text_file_outside_folder_refused(tmp_path: Path) -> None:
    doc = valid_article()
    del doc["text"]
    doc["text_file"] = "../outside.txt"
    (tmp_path.parent / "outside.txt").write_text(TEXT)
    message = problems_of(tmp_path, doc)
    assert "lies outside the article's folder" in message
