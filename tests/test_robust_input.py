"""Bad input never corrupts the store (property-based, hypothesis).

Every example starts from the bundled seed article (and the registry and text
file beside it) and breaks it in one way a real file can be broken: broken
YAML/JSON, wrong types, spans out of range or counted in UTF-8 bytes, duplicate
ids, dangling references, impossible dates, absurd rates, oversized texts,
empty files, invalid UTF-8, BOMs, mixed newlines, NUL characters, a broken
registry. Each broken corpus is built with ``tradekg build`` into a store that
already holds the seed article, and every time:

- the command exits with code 2 and no traceback,
- the message names the broken file and a location in it (line, span or
  document path; whole-file problems such as "empty" or "too large" have none),
- the store's canonical N-Quads dump (sorted lines) is byte-for-byte the same.

The number of generated bad inputs is written to
``test-artifacts/robustness-count.txt`` (git-ignored) and printed.
"""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kg.cli import cli
from kg.store import open_store
from tests.conftest import ARTICLES, ROOT, SEED_ID

SEED_FILE = ARTICLES / f"{SEED_ID}.yaml"
SEED_YAML = SEED_FILE.read_text(encoding="utf-8")
SEED: dict[str, Any] = yaml.safe_load(SEED_YAML)
TEXT_NAME: str = SEED["text_file"]
TEXT = (ARTICLES / TEXT_NAME).read_text(encoding="utf-8")
REGISTRY_YAML = (ARTICLES / "registry.yaml").read_text(encoding="utf-8")
REGISTRY: dict[str, Any] = yaml.safe_load(REGISTRY_YAML)
REGISTRY_IDS = {row["id"] for sec in REGISTRY.values() if isinstance(sec, list) for row in sec}
MENTION_IDS = {m["id"] for m in SEED["mentions"]}
FACT_IDS = {f["id"] for f in SEED["facts"]}

EXAMPLES = 16  # per property; 18 properties -> about 280 generated bad inputs (1-2 minutes)
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
COUNT: Counter[str] = Counter()
WHOLE_FILE = ("file is empty", "over the limit", "expected a mapping", "the document:")


@dataclass
class Case:
    """A corpus folder's files (name -> bytes) with one of them broken."""

    category: str
    target: str  # the broken file's name, which the message must name
    files: dict[str, bytes] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    whole_file: bool = False  # the problem is the file as a whole (empty, too large): no line expected


def corpus_files(article: bytes | None = None, name: str = "bad.yaml") -> dict[str, bytes]:
    files = {"registry.yaml": REGISTRY_YAML.encode(), TEXT_NAME: TEXT.encode()}
    files[name] = SEED_YAML.encode() if article is None else article
    return files


def dump(doc: Any, as_json: bool) -> bytes:
    if as_json:
        return json.dumps(doc, ensure_ascii=False, indent=1).encode()
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100).encode()


def canonical(store: Path) -> bytes:
    """The store's content as sorted N-Quads lines."""
    out = io.BytesIO()
    s = open_store(store, read_only=True)
    s.dump_nquads(out)
    s.close()
    return b"".join(sorted(out.getvalue().splitlines(keepends=True)))


# ---------------------------------------------------------------- fixtures --
@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A store holding the seed article, and its canonical dump."""
    base = tmp_path_factory.mktemp("robust")
    corpus = base / "seed"
    corpus.mkdir()
    for name, data in corpus_files(name=f"{SEED_ID}.yaml").items():
        (corpus / name).write_bytes(data)
    store = base / "store"
    res = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(store), "-q"])
    assert res.exit_code == 0, res.output
    state = World({"base": base, "store": store, "dump": canonical(store), "n": 0})
    assert state["dump"].count(b"\n") > 1000
    yield state
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    lines = [f"{sum(COUNT.values())} generated bad inputs tried, none changed the store"]
    lines += [f"  {k}: {v}" for k, v in sorted(COUNT.items())]
    (out / "robustness-count.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n" + "\n".join(lines))


class World(dict):  # type: ignore[type-arg]
    """The shared store and its dump; a short repr keeps hypothesis' failure reports readable."""

    def __repr__(self) -> str:
        return f"World(store={self['store']})"


_LOCATION = r"(?::\d+|: \[[^\]]+\]|.*\bspan \d+-\d+)"


def assert_rejected(world: dict[str, Any], case: Case) -> str:
    """Build the broken corpus into the seed store: exit 2, a located message, the store unchanged."""
    world["n"] += 1
    folder = world["base"] / f"case-{world['n']}"
    folder.mkdir()
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    try:
        res = CliRunner().invoke(cli, ["build", str(folder), "--store", str(world["store"]), "-q"], env=case.env)
        out = res.output
        assert res.exit_code == 2, f"{case.category}: expected exit 2, got {res.exit_code}: {out}{res.exception!r}"
        assert isinstance(res.exception, SystemExit), f"{case.category}: crashed: {res.exception!r}"
        assert "Traceback" not in out
        named = [line for line in out.splitlines() if case.target in line]
        assert named, f"{case.category}: the message does not name {case.target}:\n{out}"
        if not case.whole_file:
            located = [line for line in named if re.search(re.escape(case.target) + _LOCATION, line)]
            assert located or any(w in out for w in WHOLE_FILE), \
                f"{case.category}: no line, span or path given for {case.target}:\n{out}"
        assert canonical(world["store"]) == world["dump"], f"{case.category}: the store changed"
    finally:
        shutil.rmtree(folder)
    COUNT[case.category] += 1
    return out


# ------------------------------------------------------- control: valid input --
@pytest.mark.parametrize("as_json", [False, True], ids=["yaml", "json"])
def test_control_the_unbroken_serialisation_builds(tmp_path: Path, as_json: bool) -> None:
    """The generators re-serialise the seed article; unbroken, that builds (so rejections are real)."""
    name = "ok.json" if as_json else "ok.yaml"
    for n, data in corpus_files(dump(SEED, as_json), name).items():
        (tmp_path / n).write_bytes(data)
    res = CliRunner().invoke(cli, ["build", str(tmp_path), "--store", str(tmp_path / "s"), "-q"])
    assert res.exit_code == 0, res.output


# ------------------------------------------------------------- strategies --
def paths_of(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else []
    for k, v in items:
        out.append((*prefix, k))
        out.extend(paths_of(v, (*prefix, k)))
    return out


ALL_PATHS = paths_of(SEED)
SPAN_OBJECTS = [p for p in ALL_PATHS if isinstance(p[-1], str) and p[-1] == "span"]


def get(doc: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        doc = doc[k]
    return doc


def put(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    get(doc, path[:-1])[path[-1]] = value


def json_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return {str: "str", list: "list", dict: "dict", type(None): "null"}[type(v)]


OTHER_VALUES = {"str": "x", "number": 7, "bool": True, "null": None, "list": [], "dict": {}}
as_json = st.booleans()


@given(path=st.sampled_from(ALL_PATHS), kind=st.sampled_from(sorted(OTHER_VALUES)), j=as_json)
@SETTINGS
def test_wrong_types(world: dict[str, Any], path: tuple[Any, ...], kind: str, j: bool) -> None:
    doc = copy.deepcopy(SEED)
    assume(json_kind(get(doc, path)) != kind)
    put(doc, path, copy.deepcopy(OTHER_VALUES[kind]))
    name = "bad.json" if j else "bad.yaml"
    assert_rejected(world, Case("wrong type", name, corpus_files(dump(doc, j), name)))


@given(path=st.sampled_from([p for p in ALL_PATHS if isinstance(p[-1], str)]), j=as_json)
@SETTINGS
def test_missing_or_unknown_fields(world: dict[str, Any], path: tuple[Any, ...], j: bool) -> None:
    """A required field deleted, or a field the format does not know added beside it."""
    doc = copy.deepcopy(SEED)
    parent = get(doc, path[:-1])
    key = path[-1]
    required = key in ("format", "id", "title", "publisher", "published", "language", "mentions", "facts",
                       "text_file", "type", "text", "status")
    required |= key == "evidence" and "type" in parent  # a fact's evidence; a status change's is optional
    required |= key == "date" and ("status" in parent or "date_expression" not in parent)
    if required:
        del parent[key]
    else:
        parent[path[-1] + "_typo"] = parent[path[-1]]
    name = "bad.json" if j else "bad.yaml"
    assert_rejected(world, Case("missing or unknown field", name, corpus_files(dump(doc, j), name)))


SNIPPETS = ["key: [unclosed", "key: {a: 1", "- ]", "}{", "  : :", "\tx: tab-indented", "key: 'unterminated",
            "a: b: c", "&anchor", "*undefined_alias", "? [a", "%DIRECTIVE", "!!python/object:os.system x"]


@given(line=st.integers(0, SEED_YAML.count("\n")), snippet=st.sampled_from(SNIPPETS),
       indent=st.sampled_from(["", " ", "   "]))
@SETTINGS
def test_broken_yaml(world: dict[str, Any], line: int, snippet: str, indent: str) -> None:
    lines = SEED_YAML.splitlines(keepends=True)
    lines.insert(line, indent + snippet + "\n")
    text = "".join(lines)
    try:
        yaml.load(text, Loader=yaml.CSafeLoader)
        assume(False)  # still valid YAML: not a broken-YAML case
    except yaml.YAMLError:
        pass
    assert_rejected(world, Case("broken YAML", "bad.yaml", corpus_files(text.encode())))


JSON_TEXT = dump(SEED, True).decode()


@given(cut=st.integers(0, len(JSON_TEXT) - 1), insert=st.sampled_from(["", ",", "]", "}", '"', "{", "x", "/*c*/"]))
@SETTINGS
def test_broken_json(world: dict[str, Any], cut: int, insert: str) -> None:
    """JSON cut short, or with a stray character inserted."""
    text = JSON_TEXT[:cut] + (insert + JSON_TEXT[cut:] if insert else "")
    try:
        json.loads(text)
        assume(False)
    except ValueError:
        pass
    assume(text.strip())  # empty files have their own property
    assert_rejected(world, Case("broken JSON", "bad.json", corpus_files(text.encode(), "bad.json")))


@given(path=st.sampled_from(SPAN_OBJECTS),
       how=st.sampled_from(["past-end", "reversed", "empty", "negative", "huge"]),
       k=st.integers(1, 10_000), j=as_json)
@SETTINGS
def test_spans_out_of_range(world: dict[str, Any], path: tuple[Any, ...], how: str, k: int, j: bool) -> None:
    doc = copy.deepcopy(SEED)
    start, end = get(doc, path)
    n = len(TEXT)
    new = {"past-end": [start, n + k], "reversed": [end, start], "empty": [start, start],
           "negative": [-k, end], "huge": [start, 10**30 + k]}[how]
    put(doc, path, new)
    name = "bad.json" if j else "bad.yaml"
    assert_rejected(world, Case("span out of range", name, corpus_files(dump(doc, j), name)))


def _byte_offset(i: int) -> int:
    return len(TEXT[:i].encode("utf-8"))


MULTIBYTE_SPANS = [p for p in SPAN_OBJECTS if _byte_offset(get(SEED, p)[1]) != get(SEED, p)[1]]


@given(path=st.sampled_from(MULTIBYTE_SPANS), unit=st.sampled_from(["utf-8", "utf-16-le", "nfd"]), j=as_json)
@SETTINGS
def test_spans_counted_in_bytes_or_other_normalisation(world: dict[str, Any], path: tuple[Any, ...], unit: str,
                                                       j: bool) -> None:
    """Offsets are code points: spans counted in UTF-8 bytes (or text in another normalisation) are rejected."""
    import unicodedata

    doc = copy.deepcopy(SEED)
    start, end = get(doc, path)
    obj = get(doc, path[:-1])
    if unit == "nfd":
        assume(unicodedata.normalize("NFD", obj["text"]) != obj["text"])
        obj["text"] = unicodedata.normalize("NFD", obj["text"])
    else:
        def off(i: int) -> int:
            return len(TEXT[:i].encode(unit)) // (2 if unit.startswith("utf-16") else 1)
        new = [off(start), off(end)]
        assume(new != [start, end])
        put(doc, path, new)
    name = "bad.json" if j else "bad.yaml"
    out = assert_rejected(world, Case("span across multi-byte characters", name, corpus_files(dump(doc, j), name)))
    assert "code point" in out or "outside the text" in out


@given(what=st.sampled_from(["mention", "fact", "article"]), i=st.integers(0, 200), k=st.integers(1, 200))
@SETTINGS
def test_duplicate_ids(world: dict[str, Any], what: str, i: int, k: int) -> None:
    doc = copy.deepcopy(SEED)
    files = corpus_files(dump(doc, False))
    if what == "article":  # two files with the same article id
        files["bad-copy.yaml"] = files["bad.yaml"]
        target = "bad"
        whole = True  # the message names both files; the clash is the article as a whole
    else:
        items = doc["mentions" if what == "mention" else "facts"]
        a, b = i % len(items), (i + k) % len(items)
        assume(a != b)
        items[b]["id"] = items[a]["id"]
        files = corpus_files(dump(doc, False))
        target, whole = "bad.yaml", False
    out = assert_rejected(world, Case("duplicate id", target, files, whole_file=whole))
    assert "already used" in out or "duplicate" in out


ids = st.from_regex(r"\A[a-z][a-z0-9-]{2,30}\Z")


@given(where=st.sampled_from(["evidence", "mention-entity", "participant", "issued_at", "publisher", "speaker",
                              "topic", "target"]), new=ids, i=st.integers(0, 100))
@SETTINGS
def test_dangling_references(world: dict[str, Any], where: str, new: str, i: int) -> None:
    assume(new not in REGISTRY_IDS | MENTION_IDS | FACT_IDS)
    doc = copy.deepcopy(SEED)
    facts = doc["facts"]

    def pick(pred: Any) -> dict[str, Any]:
        cands = [f for f in facts if pred(f)]
        return cands[i % len(cands)]

    if where == "evidence":
        pick(lambda f: True)["evidence"].append(new)
    elif where == "mention-entity":
        doc["mentions"][i % len(doc["mentions"])]["entity"] = new
    elif where == "participant":
        pick(lambda f: "participants" in f)["participants"].append(new)
    elif where == "issued_at":
        pick(lambda f: "issued_at" in f)["issued_at"] = new
    elif where == "publisher":
        doc["publisher"] = new
    elif where == "speaker":
        pick(lambda f: "speaker" in f)["speaker"] = new
    elif where == "topic":
        pick(lambda f: "topics" in f)["topics"].append(new)
    else:
        pick(lambda f: "targets" in f)["targets"].append(new)
    out = assert_rejected(world, Case("dangling reference", "bad.yaml", corpus_files(dump(doc, False))))
    assert repr(new) in out


DATE_PATHS = [p for p in ALL_PATHS if p[-1] in ("published", "date", "until", "start", "end")]


@st.composite
def impossible_dates(draw: Any) -> str:
    y = draw(st.integers(0, 9999))
    kind = draw(st.sampled_from(["month", "day", "feb", "short-month", "year0"]))
    if kind == "month":
        return f"{y:04d}-{draw(st.sampled_from([0, 13, 19, 99])):02d}-{draw(st.integers(1, 28)):02d}"
    if kind == "day":
        return f"{y:04d}-{draw(st.integers(1, 12)):02d}-{draw(st.sampled_from([0, 32, 45, 99])):02d}"
    if kind == "feb":
        leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
        return f"{y:04d}-02-{draw(st.sampled_from([30, 31] + ([] if leap else [29]))):02d}"
    if kind == "short-month":
        return f"{y:04d}-{draw(st.sampled_from([4, 6, 9, 11])):02d}-31"
    return f"0000-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}"


@given(path=st.sampled_from(DATE_PATHS), day=impossible_dates(), style=st.sampled_from(["json", "yaml", "unquoted"]))
@SETTINGS
def test_impossible_dates(world: dict[str, Any], path: tuple[Any, ...], day: str, style: str) -> None:
    doc = copy.deepcopy(SEED)
    put(doc, path, day)
    data = dump(doc, style == "json")
    if style == "unquoted":  # YAML reads an unquoted 2025-02-30 as a timestamp, which used to crash the loader
        data = data.replace(f"'{day}'".encode(), day.encode())
    name = "bad.json" if style == "json" else "bad.yaml"
    out = assert_rejected(world, Case("impossible date", name, corpus_files(data, name)))
    assert day in out


RATE_PATHS = [p for p in ALL_PATHS if p[-1] in ("rate", "new_rate")]


@given(path=st.sampled_from(RATE_PATHS),
       rate=st.one_of(st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False),
                      st.floats(min_value=1000.000001, allow_nan=False, allow_infinity=False),
                      st.integers(max_value=-1), st.integers(min_value=1001),
                      st.sampled_from(["nan", "inf", "-inf"])),
       j=as_json)
@SETTINGS
def test_negative_or_absurd_rates(world: dict[str, Any], path: tuple[Any, ...], rate: Any, j: bool) -> None:
    doc = copy.deepcopy(SEED)
    put(doc, path, 0)
    data = dump(doc, j)
    if isinstance(rate, str):  # NaN/Infinity: YAML .nan/.inf; JSON has none (Python's json would write NaN)
        literal = {"nan": ".nan", "inf": ".inf", "-inf": "-.inf"}[rate] if not j else {"nan": "NaN", "inf": "Infinity",
                                                                                      "-inf": "-Infinity"}[rate]
    else:
        literal = json.dumps(rate)
    key = path[-1]
    old = f'"{key}": 0'.encode() if j else f"{key}: 0\n".encode()
    new = f'"{key}": {literal}'.encode() if j else f"{key}: {literal}\n".encode()
    assert data.count(old) >= 1
    data = data.replace(old, new)
    name = "bad.json" if j else "bad.yaml"
    assert_rejected(world, Case("negative or absurd rate", name, corpus_files(data, name)))


@given(where=st.sampled_from(["text-file", "inline-text", "title", "id", "mention-text"]),
       n=st.integers(1, 50_000), limit=st.integers(20_000, 40_000))
@SETTINGS
def test_very_long_texts(world: dict[str, Any], where: str, n: int, limit: int) -> None:
    """Texts over the size limit (TRADEKG_MAX_ARTICLE_BYTES), and fields over their maximum length."""
    doc = copy.deepcopy(SEED)
    env: dict[str, str] = {}
    target, whole = "bad.yaml", False
    files = corpus_files(dump(doc, False))
    if where == "text-file":
        env["TRADEKG_MAX_ARTICLE_BYTES"] = str(limit)
        files[TEXT_NAME] = (TEXT + "x" * (limit + n)).encode()
        target, whole = TEXT_NAME, True
    elif where == "inline-text":
        env["TRADEKG_MAX_ARTICLE_BYTES"] = str(limit)
        del doc["text_file"]
        doc["text"] = TEXT + "ō" * (limit + n)
        files = corpus_files(dump(doc, False))
        whole = True
    elif where == "title":
        doc["title"] = "T" * (1000 + n)
        files = corpus_files(dump(doc, False))
    elif where == "id":
        doc["id"] = "a" * (200 + n)
        files = corpus_files(dump(doc, False))
    else:
        doc["mentions"][n % len(doc["mentions"])]["text"] = "w" * (3000 + n)
        files = corpus_files(dump(doc, False))
    assert_rejected(world, Case("very long text", target, files, env=env, whole_file=whole))


@given(content=st.sampled_from([b"", b" ", b"\n", b"\n\n\n", b"\t \n", b"---\n", b"# only a comment\n", b"~\n",
                                b"null\n", b"{}", b"[]", b"''", b'""', b"0", b"false\n"]),
       which=st.sampled_from(["bad.yaml", "bad.json", "text"]))
@SETTINGS
def test_empty_files(world: dict[str, Any], content: bytes, which: str) -> None:
    """Empty or content-free article (or text) files."""
    if which == "text":
        files = corpus_files()
        files[TEXT_NAME] = content
        target = TEXT_NAME
        assume(not content.strip())
    else:
        files = corpus_files(content, which)
        target = which
    assert_rejected(world, Case("empty file", target, files, whole_file=True))


BAD_BYTES = [b"\xff", b"\xfe", b"\xc3(", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe2\x82", b"\xf8\x88\x80\x80\x80",
             "café".encode("latin-1"), "Ryōsei".encode("utf-16-le"), b"\x80"]


@given(pos=st.floats(0, 1), bad=st.sampled_from(BAD_BYTES), which=st.sampled_from(["article", "text"]))
@SETTINGS
def test_non_utf8_bytes(world: dict[str, Any], pos: float, bad: bytes, which: str) -> None:
    files = corpus_files()
    target = "bad.yaml" if which == "article" else TEXT_NAME
    data = files[target]
    i = int(pos * len(data))
    broken = data[:i] + bad + data[i:]
    try:
        broken.decode("utf-8")
        assume(False)
    except UnicodeDecodeError:
        pass
    files[target] = broken
    out = assert_rejected(world, Case("non-UTF-8 bytes", target, files))
    assert "UTF-8" in out


@given(bom=st.sampled_from(["utf-8-sig", "utf-16", "utf-16-be", "utf-32"]), which=st.sampled_from(["article", "text"]))
@SETTINGS
def test_byte_order_marks(world: dict[str, Any], bom: str, which: str) -> None:
    files = corpus_files()
    target = "bad.yaml" if which == "article" else TEXT_NAME
    files[target] = files[target].decode().encode(bom) if bom != "utf-16-be" else b"\xfe\xff" + files[target].decode().encode(bom)
    assert_rejected(world, Case("byte-order mark", target, files))


@given(which=st.sampled_from(["article", "text"]), style=st.sampled_from(["\r\n", "\r"]),
       picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=5), all_crlf=st.booleans())
@SETTINGS
def test_mixed_newlines(world: dict[str, Any], which: str, style: str, picks: list[int], all_crlf: bool) -> None:
    """Mixed line endings are refused; a text file turned wholly CRLF shifts every span and is refused too."""
    files = corpus_files()
    target = "bad.yaml" if which == "article" else TEXT_NAME
    text = files[target].decode()
    if all_crlf and which == "text":
        new = text.replace("\n", "\r\n")
        target = "bad.yaml"  # the file itself is fine; the article's spans no longer match it
    else:
        lines = text.split("\n")
        assume(len(lines) > 2)
        chosen = {p % (len(lines) - 1) for p in picks}
        assume(len(chosen) < len(lines) - 1 or style == "\r")
        new = "".join(line + (style if i in chosen else "\n") for i, line in enumerate(lines[:-1])) + lines[-1]
    files[TEXT_NAME if which == "text" else "bad.yaml"] = new.encode()
    assert_rejected(world, Case("mixed newlines", target, files))


@given(pos=st.floats(0, 1), which=st.sampled_from(["article", "text"]),
       ch=st.sampled_from(["\x00", "\\u0000"]))
@SETTINGS
def test_nul_and_surrogates(world: dict[str, Any], pos: float, which: str, ch: str) -> None:
    """NUL characters in a file; lone surrogate escapes in a JSON string."""
    files = corpus_files()
    if ch == "\\u0000":  # a JSON \ud800 escape decodes to a lone surrogate, which cannot be stored as UTF-8
        doc = copy.deepcopy(SEED)
        doc["title"] = "marker"
        data = dump(doc, True).replace(b'"marker"', b'"lone \\ud800 surrogate"')
        assert b"ud800" in data
        files = corpus_files(data, "bad.json")
        target = "bad.json"
    else:
        target = "bad.yaml" if which == "article" else TEXT_NAME
        data = files[target]
        i = int(pos * len(data))
        files[target] = data[:i] + b"\x00" + data[i:]
    assert_rejected(world, Case("NUL or lone surrogate", target, files))


HOSTILE_IDS = ["abc\n", "../../etc/passwd", "/abs", "a b", "a#b", "a<b>", "..", "a/b", "A-Upper", "a?b=c", "a%2fb",
               "a\\b", "ａ", "a\u200b", "-lead", "x" * 201, "", "a\tb", "a\"b", "a'b", "a>b <c", "ő"]


@given(what=st.sampled_from(["article", "mention", "fact", "evidence"]),
       bad=st.one_of(st.sampled_from(HOSTILE_IDS), st.text(min_size=1, max_size=12).filter(
           lambda t: not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", t) or ".." in t)),
       j=as_json)
@SETTINGS
def test_hostile_ids(world: dict[str, Any], what: str, bad: str, j: bool) -> None:
    """Ids are minted into IRIs: anything but lower-case letters, digits, '.', '_', '-' (no '..') is refused."""
    doc = copy.deepcopy(SEED)
    if what == "article":
        doc["id"] = bad
    elif what == "mention":
        doc["mentions"][0]["id"] = bad
    elif what == "fact":
        doc["facts"][-1]["id"] = bad
    else:
        doc["facts"][0]["evidence"].append(bad)
    name = "bad.json" if j else "bad.yaml"
    assert_rejected(world, Case("hostile id", name, corpus_files(dump(doc, j), name)))


REG_PATHS = [p for p in paths_of(REGISTRY) if len(p) >= 3 and p[2] in ("id", "post_in", "post", "start", "end",
                                                                          "government_of", "name", "class")]


@given(path=st.sampled_from(REG_PATHS), how=st.sampled_from(["wrong-type", "dangling", "bad-date", "duplicate",
                                                             "bad-iri"]))
@SETTINGS
def test_broken_registry(world: dict[str, Any], path: tuple[Any, ...], how: str) -> None:
    reg = copy.deepcopy(REGISTRY)
    key = path[-1]
    if how == "wrong-type":
        put(reg, path, 42)
    elif how == "dangling":
        assume(key in ("post_in", "post", "government_of"))
        put(reg, path, "no-such-entity")
    elif how == "bad-date":
        assume(key in ("start", "end"))
        put(reg, path, "2025-02-30")
    elif how == "duplicate":
        assume(key == "id")
        section = reg[path[0]]
        other = section[(path[1] + 1) % len(section)]
        assume(other is not get(reg, path[:-1]))
        other["id"] = get(reg, path)
    else:
        assume(path[0] == "people")
        holdings = get(reg, path[:2]).get("holdings")
        assume(bool(holdings))
        holdings[0]["source"] = "https://example.com/a#b#c"
    files = corpus_files()
    files["registry.yaml"] = yaml.safe_dump(reg, sort_keys=False, allow_unicode=True).encode()
    assert_rejected(world, Case("broken registry", "registry.yaml", files))


def test_count_of_generated_bad_inputs(world: dict[str, Any], request: pytest.FixtureRequest) -> None:
    """Runs last in this module: every property above ran its examples (none may be silently skipped)."""
    here = [i for i in request.session.items if getattr(i, "module", None) is request.module and i.name.startswith("test_")
            and "control" not in i.name and i.name != request.node.name]
    per_property = dict(COUNT)
    assert len(per_property) >= len(here), (per_property, [i.name for i in here])
    assert all(v >= EXAMPLES // 3 for v in per_property.values()), per_property
    print(f"\n{sum(COUNT.values())} generated bad inputs tried, none changed the store: {dict(COUNT)}")
