"""The fast schema check must agree with jsonschema on every document (it only decides whether
jsonschema is asked for messages): seed articles, synthetic articles and random mutations of them."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kg.articles import _Validator
from kg.registry import schema
from kg.schemacheck import compile_schema
from kg.source import parse_document
from kg.synth import Universe

ROOT = Path(__file__).resolve().parent.parent
ODD_VALUES: list[Any] = [None, True, False, 0, 1, 81.0, -1, 2.5, "", "x", "A b", "2025-13-99", "2025-04-16", "a..b",
                         [], [1, 1], ["a", "a"], ["a", "b"], {}, {"text": "x"}, {"span": [1, 2], "text": "x"}]


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, prefix + (i,))
    return out


def _mutate(doc: Any, rng: random.Random) -> Any:
    doc = copy.deepcopy(doc)
    path = rng.choice(_paths(doc)[1:])
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    action = rng.random()
    if action < 0.2 and isinstance(parent, dict):
        del parent[last]
    elif action < 0.3 and isinstance(parent, dict):
        parent["unexpected_field"] = rng.choice(ODD_VALUES)
    elif action < 0.4 and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    else:
        parent[last] = copy.deepcopy(rng.choice(ODD_VALUES))
    return doc


def _articles() -> list[Any]:
    docs = []
    for p in sorted((ROOT / "articles").glob("*.y*ml")):
        if p.name.startswith("registry"):
            continue
        docs.append(parse_document(p.read_text(encoding="utf-8"), str(p), is_json=False))
    u = Universe(seed=3)
    docs += [u.article(i) for i in range(20)]
    return docs


@pytest.mark.parametrize("seed", range(2), ids=lambda s: f"mutation-seed-{s}")
def test_fast_article_check_agrees_with_jsonschema(seed: int) -> None:
    fast = compile_schema(schema("article"), strict_integer=True)
    assert fast is not None, "the article schema should be within the fast checker's keywords"
    validator = _Validator(schema("article"))
    rng = random.Random(seed)
    docs = _articles()
    disagreements = []
    n_invalid = 0
    for doc in docs:
        for _ in range(30):
            m = _mutate(doc, rng) if rng.random() < 0.9 else doc
            expected = validator.is_valid(m)
            n_invalid += not expected
            if fast(m) != expected:
                disagreements.append(json.dumps(m)[:300])
    assert not disagreements, f"fast check disagrees with jsonschema on {len(disagreements)}: {disagreements[:3]}"
    assert n_invalid > 50, "the mutations should produce many invalid documents"


def test_fast_registry_check_agrees_with_jsonschema() -> None:
    fast = compile_schema(schema("registry"))
    assert fast is not None
    validator = jsonschema.Draft202012Validator(schema("registry"))
    reg = Universe(seed=3).registry()
    small = {k: (v[:5] if isinstance(v, list) else v) for k, v in reg.items()}
    bundled = parse_document((ROOT / "articles" / "registry.yaml").read_text(encoding="utf-8"), "registry.yaml", False)
    rng = random.Random(1)
    for doc in (small, bundled):
        assert fast(doc) and validator.is_valid(doc)
        for _ in range(150):
            m = _mutate(doc, rng)
            assert fast(m) == validator.is_valid(m), json.dumps(m)[:400]


def test_unknown_keywords_fall_back_to_jsonschema() -> None:
    assert compile_schema({"type": "string", "format": "date"}) is None
    assert compile_schema({"properties": {"a": {"patternProperties": {}}}}) is None


@pytest.mark.parametrize(("value", "strict", "ok"), [(81, True, True), (81.0, True, False), (81.0, False, True),
                                                     (True, False, False)], ids=["int", "float-strict", "float-lax", "bool"])
def test_integer_rule(value: Any, strict: bool, ok: bool) -> None:
    check = compile_schema({"type": "integer"}, strict_integer=strict)
    assert check is not None and check(value) is ok
