"""Hostile content: IRIs cannot leave their namespace, parameters cannot change a query, paths cannot leave
their folder, and HTML/JS in names and fields stays inert on the graph page.

The viz tests (tests/test_browser.py) cover a script in an article's title,
text and quote; here the payloads sit where the page shows other fields: a
person's registry name (a node label), a meeting's place and outcome, a joint
statement's summary, a statement's channel detail, and the attribute-breaking
and template forms of the payload.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.cli import cli
from kg.namespaces import TDG, TDR, article_graph, entity_iri, iri_error, is_valid_id, slug
from kg.store import open_store
from tests.conftest import ARTICLES, SEED_ID

HOSTILE_STRINGS = ["../../etc/passwd", "a b", "<script>", "a#b", "..", "a/../../b", "%2e%2e/x", "a\nb", "abc\n",
                   "a?b=1", "a\\b", "javascript:alert(1)", "\u202e", "x" * 500, "", "Ryōsei Akazawa", "赤澤亮正",
                   "Ишиба", "a\x00b", ">\" <x>", "{{7*7}}", "/abs/path", "C:\\\\x", "https://evil.example/"]
any_text = st.one_of(st.sampled_from(HOSTILE_STRINGS), st.text(max_size=60))


# ------------------------------------------------------------------ IRIs ----
@given(any_text)
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
def test_slug_of_any_name_is_a_safe_path_segment(name: str) -> None:
    s = slug(name)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*|x", s), s
    assert len(s) <= 120
    iri = entity_iri("person", s)
    assert iri_error(iri) is None and iri == f"{TDR}person/{s}"


@given(st.sampled_from(["person", "org", "event", "measure", "article"]), any_text)
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
def test_ids_mint_iris_inside_their_namespace_or_are_refused(kind: str, identifier: str) -> None:
    """A valid id gives a valid IRI one segment below its kind; any other id raises ValueError."""
    if not is_valid_id(identifier):
        with pytest.raises(ValueError):
            entity_iri(kind, identifier)
        with pytest.raises(ValueError):
            article_graph(identifier)
        return
    for iri, ns in ((entity_iri(kind, identifier), f"{TDR}{kind}/"), (article_graph(identifier), f"{TDG}article/")):
        assert iri_error(iri) is None, iri
        assert iri.startswith(ns) and "/" not in iri[len(ns):] and "#" not in iri[len(ns):]
        path = iri[len("https://w3id.org"):]
        assert posixpath.normpath(path) == path, "no dot segments that a resolver would collapse"
        assert ox.NamedNode(iri).value == iri


@pytest.mark.parametrize("identifier", ["../x", "a/b", "a b", "a#b", "<a>", "abc\n", "..", "A", "", "x" * 201],
                         ids=["dotdot", "slash", "space", "hash", "angle", "newline", "dots", "upper", "empty", "long"])
def test_hostile_ids_are_refused(identifier: str) -> None:
    assert not is_valid_id(identifier)
    with pytest.raises(ValueError):
        entity_iri("person", identifier)


@pytest.mark.parametrize("url", ["https://example.com/a#b#c", "http://%zz/", "http://[::1/", "javascript:alert(1)",
                                 "https://exa mple.com/", "https://example.com/<script>", "https://x.example/\n"],
                         ids=["two-hashes", "bad-percent", "bad-host", "javascript", "space", "angle", "newline"])
def test_article_url_must_be_a_valid_http_iri(runner: CliRunner, tmp_path: Path, url: str) -> None:
    """The article url is minted into <...>: a value the store refuses is an input error, before any write."""
    corpus = copy_seed(tmp_path, lambda doc: doc.__setitem__("url", url))
    res = runner.invoke(cli, ["build", str(corpus), "--store", str(tmp_path / "store")])
    assert res.exit_code == 2, res.output
    assert f"{SEED_ID}.yaml:" in res.output and "url" in res.output
    assert not (tmp_path / "store" / "CURRENT").exists() or open_store(tmp_path / "store", read_only=True).quad_count() == 0


# ----------------------------------------------------------------- files ----
def copy_seed(tmp_path: Path, change: Any = None, text_file: str | None = None) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(ARTICLES / "registry.yaml", corpus)
    doc = yaml.safe_load((ARTICLES / f"{SEED_ID}.yaml").read_text(encoding="utf-8"))
    shutil.copy(ARTICLES / doc["text_file"], corpus)
    if text_file is not None:
        doc["text_file"] = text_file
    if change:
        change(doc)
    (corpus / f"{SEED_ID}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return corpus


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text((ARTICLES / yaml.safe_load((ARTICLES / f"{SEED_ID}.yaml").read_text())["text_file"])
                      .read_text(encoding="utf-8"), encoding="utf-8")  # readable, and it would even fit the spans
    return secret


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink-file", "symlink-dir", "backslash", "etc-passwd"])
def test_text_file_cannot_read_outside_the_article_folder(runner: CliRunner, tmp_path: Path, kind: str) -> None:
    secret = _outside(tmp_path)
    corpus = copy_seed(tmp_path, text_file={"dotdot": "../secret.txt", "absolute": str(secret),
                                            "symlink-file": "link.txt", "symlink-dir": "linkdir/secret.txt",
                                            "backslash": "..\\secret.txt", "etc-passwd": "../../../../../etc/passwd"}[kind])
    if kind == "symlink-file":
        os.symlink(secret, corpus / "link.txt")
    if kind == "symlink-dir":
        os.symlink(tmp_path, corpus / "linkdir")
    res = runner.invoke(cli, ["build", str(corpus), "--store", str(tmp_path / "store")])
    assert res.exit_code == 2, res.output
    assert "lies outside the article's folder" in res.output and f"{SEED_ID}.yaml:" in res.output
    assert "Liberation Day" not in res.output, "nothing of the outside file reaches the output"
    assert not (tmp_path / "store" / "CURRENT").exists() or open_store(tmp_path / "store", read_only=True).quad_count() == 0


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_text_file_that_is_not_a_regular_file_is_refused_without_hanging(runner: CliRunner, tmp_path: Path,
                                                                          kind: str) -> None:
    corpus = copy_seed(tmp_path, text_file="special")
    (corpus / "special").mkdir() if kind == "folder" else os.mkfifo(corpus / "special")
    res = runner.invoke(cli, ["build", str(corpus), "--store", str(tmp_path / "store")])
    assert res.exit_code == 2, res.output
    assert "not a regular file" in res.output and "special" in res.output


def test_import_annotations_cannot_write_outside_the_output_folder(runner: CliRunner, tmp_path: Path) -> None:
    """An article id from a brat metadata file becomes a file name: '../' in it is refused, nothing written."""
    src = Path(__file__).parent / "data" / "brat"
    inp, out = tmp_path / "in", tmp_path / "deep" / "out"
    inp.mkdir()
    out.mkdir(parents=True)
    for f in src.glob("third-round-and-call.*"):
        shutil.copy(f, inp)
    meta = inp / "third-round-and-call.meta.yaml"
    meta.write_text(re.sub(r"(?m)^id: .*$", "id: ../../escaped", meta.read_text(encoding="utf-8")), encoding="utf-8")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    res = runner.invoke(cli, ["import-annotations", "--from", "brat", "-o", str(out), str(inp / "third-round-and-call.ann"),
                              "--registry", str(ARTICLES / "registry.yaml")])
    assert res.exit_code == 2, res.output
    assert "../../escaped" in res.output
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before, "nothing was written anywhere"


# ---------------------------------------------------------------- SPARQL ----
INJECTIONS = ['"x" } ; DROP ALL #', "x' } ; DROP ALL #", '") } DELETE WHERE { ?s ?p ?o } #', "?s ?p ?o } #",
              "<http://x> } ; CLEAR ALL #"]


@pytest.fixture(scope="module")
def injection_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed article plus one whose title is exactly the first injection string."""
    base = tmp_path_factory.mktemp("inject")

    def retitle(doc: dict[str, Any]) -> None:
        doc["id"] = "zz-injection-title"
        doc["title"] = INJECTIONS[0]
        doc["facts"] = [f for f in doc["facts"] if f["type"] == "PostHolding"]
    corpus = copy_seed(base, retitle)
    shutil.copy(ARTICLES / f"{SEED_ID}.yaml", corpus / "seed.yaml")
    res = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(base / "store"), "-q"])
    assert res.exit_code == 0, res.output
    return base / "store"


def _dump(store: Path) -> bytes:
    s = open_store(store, read_only=True)
    out = io.BytesIO()
    s.dump_nquads(out)
    s.close()
    return b"".join(sorted(out.getvalue().splitlines(keepends=True)))


@pytest.mark.parametrize("value", INJECTIONS, ids=[f"injection-{i}" for i in range(len(INJECTIONS))])
def test_sparql_parameters_cannot_change_the_query(runner: CliRunner, injection_store: Path, value: str) -> None:
    """A --param value is bound as one RDF term: it matches only a title that is exactly that string."""
    before = _dump(injection_store)
    res = runner.invoke(cli, ["query", "SELECT ?t ?a WHERE { ?a dcterms:title ?t }", "--store", str(injection_store),
                              "--param", f"t={value}", "--format", "csv", "--timeout", "0"])
    assert _dump(injection_store) == before, "the store must be unchanged"
    if res.exit_code == 2:  # refused as a malformed typed value (e.g. an IRI), never run as SPARQL
        assert "--param t=" in res.output
        return
    assert res.exit_code == 0, res.output
    rows = [line for line in res.output.splitlines()[1:] if line.strip()]
    if value == INJECTIONS[0]:
        assert len(rows) == 1 and "zz-injection-title" in rows[0], rows
    else:
        assert rows == [], rows


def test_library_query_parameter_cannot_inject(runner: CliRunner, injection_store: Path) -> None:
    before = _dump(injection_store)
    res = runner.invoke(cli, ["query", "meeting-participants", "--store", str(injection_store),
                              "--param", 'meeting=tdr:event/x> } ; DROP ALL #'])
    assert res.exit_code == 2 and "--param meeting=" in res.output, res.output
    assert _dump(injection_store) == before


def test_update_needs_allow_update(runner: CliRunner, injection_store: Path) -> None:
    before = _dump(injection_store)
    res = runner.invoke(cli, ["query", "DROP ALL", "--store", str(injection_store)])
    assert res.exit_code == 2, res.output
    assert _dump(injection_store) == before


# ---------------------------------------------------------- update text ----
LINE_BREAKERS = ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\r\n", "\r", "\t", "\x7f"]
UPDATE_HOSTILE = [*HOSTILE_STRINGS, *(f"a{c}b" for c in LINE_BREAKERS), *INJECTIONS, "\\u0022", "\\\u2028",
                  '" . } ; DROP ALL ; INSERT DATA { <x:a> <x:b> "', "x\u2028\" <http://e/g> .\n<x:s> <x:p> \"y",
                  "y" * 100_000]
"""Strings a build pastes into SPARQL Update text: names, titles and quotes from the input files."""


def _update_store(strings: list[str]) -> tuple[ox.Store, list[ox.Quad]]:
    """A store holding one canary quad, and the quads of one article-like graph with the strings as literals."""
    store = ox.Store()
    canary = ox.Quad(ox.NamedNode("http://e/canary"), ox.NamedNode("http://e/p"), ox.Literal("alive"),
                     ox.NamedNode("http://e/other"))
    store.add(canary)
    g = ox.NamedNode("http://e/g")
    quads = [ox.Quad(ox.NamedNode(f"http://e/s{i}"), ox.NamedNode("http://e/p"), ox.Literal(v, language="en" if i % 2 else None), g)
             for i, v in enumerate(strings)]
    return store, quads


def test_hostile_literals_in_graph_update_text_stay_inert() -> None:
    """Finding 16 (KG): the article graphs' N-Quads pasted into SPARQL Update text keep every literal whole.

    A line separator inside a literal (U+2028, U+0085, ...) once split the N-Quads line and broke the update
    ('expected one of "\\"', ...): every hostile string must be stored exactly, and nothing else change."""
    from kg import nquads as nq
    from kg.sparql import replace_graph_update

    store, quads = _update_store(UPDATE_HOSTILE)
    text = "".join(f"<{q.subject.value}> <{q.predicate.value}> "
                   f"{nq.lit(q.object.value, q.object.language)} <http://e/g> .\n" for q in quads)
    store.update(replace_graph_update("http://e/g", [("http://e/g", text)], [("sourceHash", "a\u2028b")]))
    assert set(store.quads_for_pattern(None, None, None, ox.NamedNode("http://e/g"))) == set(quads)
    assert len(store) == len(quads) + 2, "the canary and one manifest row besides the graph"


def test_hostile_literals_in_knowledge_graph_update_stay_inert() -> None:
    """Finding 16 (KG): the knowledge graph's update renders every term as valid SPARQL: hostile literals are
    inserted exactly as they are, and deleted again, and nothing else changes."""
    from kg.kg_graph import content, kg_update

    store, quads = _update_store(UPDATE_HOSTILE)
    new = content("http://e/g", quads, [])
    store.update(kg_update([], [new]))
    kg = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert kg == {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    store.update(kg_update([new], []))
    assert list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())) == []
    assert len(store) == 1, "only the canary is left"


# ------------------------------------------------------------------ page ----
PAYLOADS = {
    "script": "<script>window.__pwned='script'</script>",
    "img": "<img src=x onerror=\"window.__pwned='img'\">",
    "svg": "<svg onload=\"window.__pwned='svg'\"></svg>",
    "attr": "\"'><iframe srcdoc=\"<script>parent.__pwned='attr'</script>\">",
    "template": "{{constructor.constructor('window.__pwned=1')()}}${window.__pwned='tpl'}",
    "close": "</script><script>window.__pwned='close'</script>\u2028",
}
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus whose person name, meeting place/outcome, summary and channel detail carry HTML/JS payloads."""
    base = tmp_path_factory.mktemp("hostile-page")
    corpus = base / "articles"
    corpus.mkdir()
    payload = " ".join(PAYLOADS.values())
    reg = yaml.safe_load((ARTICLES / "registry.yaml").read_text(encoding="utf-8"))
    for p in reg["people"]:
        if p["id"] == "ryosei-akazawa":
            p["name"] = f"Akazawa {payload}"
    (corpus / "registry.yaml").write_text(yaml.safe_dump(reg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    doc = yaml.safe_load((ARTICLES / f"{SEED_ID}.yaml").read_text(encoding="utf-8"))
    shutil.copy(ARTICLES / doc["text_file"], corpus)
    for f in doc["facts"]:
        if f["type"] in ("Talks", "Summit"):
            f["place"], f["outcome"] = f"Place {payload}", f"Outcome {payload}"
        if f["type"] == "JointStatement":
            f["summary"] = f"Summary {payload}"
        if f["type"] == "Statement":
            f["channel_detail"] = f"Detail {payload}"
    doc["title"] = f"Title {payload}"
    (corpus / f"{SEED_ID}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    res = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(base / "store"), "-q"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, ["viz", "--store", str(base / "store"), "-o", str(base / "graph.html")])
    assert res.exit_code == 0, res.output
    return base / "graph.html"


def test_page_source_holds_no_live_markup_from_the_data(hostile_page: Path) -> None:
    """Outside the data block nothing of the payload appears; inside it, '<' is escaped so it cannot close the block."""
    html = hostile_page.read_text(encoding="utf-8")
    for name, p in PAYLOADS.items():
        if "<" in p:  # markup; the template payload is plain text in JSON (the page has no template engine)
            assert p not in html, f"payload {name} appears raw in the page source"
    assert "__pwned" in html, "the payloads are in the page (as escaped data)"


@pytest.mark.browser
def test_payloads_render_inert_in_chromium(hostile_page: Path) -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} not found: apt-get install -y chromium (always runs in CI)")
    from playwright.sync_api import sync_playwright

    akazawa = TDR + "person/ryosei-akazawa"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            ctx = browser.new_context(viewport={"width": 1400, "height": 900})
            page = ctx.new_page()
            url = hostile_page.resolve().as_uri()
            blocked: list[str] = []
            dialogs: list[str] = []
            page.route("**/*", lambda r: r.continue_() if r.request.url == url else (blocked.append(r.request.url),
                                                                                     r.abort()))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url, wait_until="load", timeout=60_000)
            page.wait_for_function("window.tradekg && window.tradekg.isReady()", timeout=60_000)
            label = page.evaluate("(iri) => window.tradekg.data.nodes[window.tradekg.nodeId(iri)].label", akazawa)
            assert PAYLOADS["script"] in label, "the node label is the name, literally"
            shown = []
            for iri in (akazawa, TDR + "event/us-japan-talks-2025-04-16", TDR + "event/us-japan-joint-statement-2025-02-07",
                        TDR + "event/trump-truth-social-2025-04-16"):
                node = page.evaluate("(iri) => window.tradekg.nodeId(iri)", iri)
                assert node is not None, iri
                page.evaluate("(id) => window.tradekg.showNode(id)", node)
                page.wait_for_timeout(100)
                shown.append(page.text_content("#panel") or "")
            panel_text = "\n".join(shown)
            for name in ("script", "img", "svg"):
                assert PAYLOADS[name] in panel_text, f"payload {name} should show as text in the panel"
            counts = page.evaluate("""() => ({
                scripts: document.querySelectorAll('body script').length,
                live: document.querySelectorAll('#panel img, #panel svg, #panel iframe, #panel script, '
                                                + '#controls img, #controls iframe').length })""")
            assert counts["live"] == 0, counts
            assert page.evaluate("typeof window.__pwned") == "undefined"
            assert dialogs == [] and blocked == [], (dialogs, blocked)
        finally:
            browser.close()
