"""The graph page in a real headless Chromium (Debian's ``chromium``, driven by playwright), network blocked.

Locally these tests skip when /usr/bin/chromium is absent and CI is unset
(install it with ``apt-get install -y chromium``); in CI they must run.
Counts are checked against SPARQL written here, not against the page's own
extraction code. A screenshot of the corpus page goes to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli
from kg.store import open_store
from tests.drawn import EDGES_SPARQL, NODES_SPARQL

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TDR = "https://w3id.org/tradekg/resource/"
JAPAN_TARIFF = TDR + "measure/us-reciprocal-tariff-japan-2025"
HOSTILE_SCRIPT = "<script>window.__pwned=1</script>"
HOSTILE_IMG = '<img src=x onerror="window.__pwned=1">'

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {CHROMIUM} is missing: .ci/run must apt-get install chromium", pytrace=False)
    pytest.skip(f"{CHROMIUM} not found: install it with `apt-get install -y chromium` to run the browser tests "
                "(they always run when CI is set)", allow_module_level=True)


# ---- what the store says, by SPARQL written for these tests (tests/drawn.py) ------------------------


def store_counts(store_path: Path) -> tuple[set[str], set[tuple[str, str, str]]]:
    """Drawable nodes (class shown by the ontology's display hint) and the edges among them."""
    store = open_store(store_path, read_only=True)
    nodes = {r["s"].value for r in store.query(NODES_SPARQL)}
    edges = {(r["s"].value, r["p"].value, r["o"].value) for r in store.query(EDGES_SPARQL)
             if r["s"].value in nodes and r["o"].value in nodes}
    return nodes, edges


# ---- browser fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class OpenPage:
    """A page with every network request except the page file blocked and recorded, and dialogs recorded."""

    def __init__(self, browser: Any, path: Path):
        self.url = path.resolve().as_uri()
        self.ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.ctx.new_page()
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.url, wait_until="load", timeout=60_000)
        self.page.wait_for_function("window.tradekg && window.tradekg.isReady()", timeout=60_000)

    def _route(self, route: Any) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def close(self) -> None:
        self.ctx.close()


def write_page(store: Path, out: Path, *extra: str) -> Path:
    result = CliRunner().invoke(cli, ["viz", "--store", str(store), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def corpus_page(corpus_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_page(corpus_store, tmp_path_factory.mktemp("page") / "graph.html")


@pytest.fixture
def opened(browser: Any, corpus_page: Path) -> Iterator[OpenPage]:
    page = OpenPage(browser, corpus_page)
    yield page
    try:
        assert page.blocked == [], f"the page tried to load {page.blocked}; it must need no network"
        assert page.errors == [], f"script errors in the page: {page.errors}"
    finally:
        page.close()


# ---- tests ------------------------------------------------------------------------------------------------

def test_counts_match_the_store_and_screenshot(opened: OpenPage, corpus_store: Path) -> None:
    """Every drawable node and edge the store holds is on the page, no more; a screenshot is kept."""
    nodes, edges = store_counts(corpus_store)
    page_nodes = set(opened.js("window.tradekg.data.nodes.map(n => n.iri)"))
    assert page_nodes == nodes
    page_edges = opened.js("""(() => { const d = window.tradekg.data;
        return d.edges.map(e => [d.nodes[e.from].iri, d.relations[e.rel].iri, d.nodes[e.to].iri]); })()""")
    assert {tuple(e) for e in page_edges} == edges and len(page_edges) == len(edges)
    # and vis-network draws them all when no filter is on
    drawn = opened.js("[window.tradekg.network.body.nodeIndices.length, window.tradekg.network.body.edgeIndices.length]")
    assert drawn == [len(nodes), len(edges)]
    assert opened.page.text_content("#counts") == f"{len(nodes)} of {len(nodes)} nodes, {len(edges)} of {len(edges)} edges"
    ARTIFACTS.mkdir(exist_ok=True)
    opened.page.screenshot(path=str(ARTIFACTS / "graph-page.png"))


@pytest.mark.parametrize("typed, iri", [
    ("shigeru ishiba", TDR + "person/shigeru-ishiba"),
    ("ryosei-akazawa", TDR + "person/ryosei-akazawa"),
    ("Government of Japan", TDR + "org/japan-government"),
    ("USTR", TDR + "org/ustr"),
], ids=["label", "id", "organisation", "alias"])
def test_search_focuses_the_entity(opened: OpenPage, typed: str, iri: str) -> None:
    opened.page.fill("#search", typed)
    opened.page.press("#search", "Enter")
    selected = opened.js("window.tradekg.network.getSelectedNodes().map(i => window.tradekg.data.nodes[i].iri)")
    assert selected == [iri]
    assert opened.page.get_attribute("#panel-body", "data-iri") == iri
    label = opened.js("(iri) => window.tradekg.data.nodes[window.tradekg.nodeId(iri)].label", iri)
    assert opened.page.text_content("#panel-title") == label
    # the view is centred on it
    centre = opened.js("window.tradekg.network.getViewPosition()")
    pos = opened.js("(iri) => { const id = window.tradekg.nodeId(iri); "
                    "return window.tradekg.network.getPositions([id])[id]; }", iri)
    assert abs(centre["x"] - pos["x"]) < 1 and abs(centre["y"] - pos["y"]) < 1


def _click_edge(opened: OpenPage, source: str, prop_local: str, target: str) -> int:
    edge = opened.js("""([s, p, o]) => { const d = window.tradekg.data;
        const e = d.edges.find(e => d.nodes[e.from].iri === s && d.relations[e.rel].iri.endsWith('#' + p)
                                 && d.nodes[e.to].iri === o); return e ? e.id : null; }""", [source, prop_local, target])
    assert edge is not None, f"no edge {source} {prop_local} {target} on the page"
    # a point on the edge, zoomed in, where no node or other edge lies (tried from the midpoint outwards)
    point = opened.js("""(id) => { const t = window.tradekg, e = t.data.edges[id], net = t.network;
        const pos = net.getPositions([e.from, e.to]), box = document.getElementById('graph').getBoundingClientRect();
        for (const f of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
          const p = {x: pos[e.from].x + f * (pos[e.to].x - pos[e.from].x), y: pos[e.from].y + f * (pos[e.to].y - pos[e.from].y)};
          net.moveTo({position: p, scale: 2.5, animation: false});
          const dom = net.canvasToDOM(p);
          if (net.getNodeAt(dom) === undefined && net.getEdgeAt(dom) === id)
            return {x: dom.x + box.left, y: dom.y + box.top};
        }
        return null; }""", edge)
    assert point is not None, "every point tried on the edge is covered by a node or another edge"
    opened.page.mouse.click(point["x"], point["y"])
    return int(edge)


def test_clicking_an_edge_shows_its_quote(opened: OpenPage, corpus_store: Path) -> None:
    """The 'targets' edge of the Japan reciprocal tariff shows the article's words for the tariff."""
    store = open_store(corpus_store, read_only=True)
    expected = {r["exact"].value for r in store.query(
        f"SELECT ?exact WHERE {{ ?ev a tdo:Evidence ; oa:hasBody <{JAPAN_TARIFF}> ; oa:hasTarget ?t . "
        "?t oa:hasSelector ?q . ?q oa:exact ?exact . FILTER NOT EXISTS { ?ev tdo:role ?r } }")}
    assert expected, "the corpus should have whole-fact evidence for the Japan tariff"
    _click_edge(opened, JAPAN_TARIFF, "targets", TDR + "jurisdiction/japan")
    assert opened.page.get_attribute("#panel-body", "data-kind") == "edge"
    assert "targets" in opened.page.text_content("#panel-title")
    shown = opened.js("Array.from(document.querySelectorAll('#panel .evidence .exact')).map(e => e.textContent)")
    assert expected & set(shown), f"expected one of {expected} in the panel, got {shown}"
    source = opened.page.text_content("#panel .evidence .source")
    assert source and "20" in source  # article title and its date


@pytest.mark.parametrize("day, visible", [
    ("2025-05-01", False),  # during the 90-day pause (2025-04-10 .. 2025-07-08)
    ("2025-04-09", True),   # its one day in effect
    ("2025-07-20", False),  # the pause extended to 2025-07-31 (EO 14316)
    ("2025-08-05", False),  # replaced by the 25% of the July 7 letter from 2025-08-01
    ("2025-04-01", False),  # announced on 2025-04-02, not yet in force
], ids=["during-pause", "in-effect", "extended-pause", "superseded", "before-announcement"])
def test_date_control_follows_the_tariff_lifecycle(opened: OpenPage, day: str, visible: bool) -> None:
    assert JAPAN_TARIFF in opened.js("window.tradekg.visibleNodeIris()")
    opened.page.fill("#date", day)
    assert (JAPAN_TARIFF in opened.js("window.tradekg.visibleNodeIris()")) is visible
    assert day in opened.page.text_content("#counts")
    opened.page.click("#date-clear")
    assert JAPAN_TARIFF in opened.js("window.tradekg.visibleNodeIris()")


def test_date_slider_steps_through_the_days_of_change(opened: OpenPage) -> None:
    days = opened.js("window.tradekg.data.changeDays")
    assert days == sorted(days) and "2025-04-09" in days and "2025-04-10" in days  # in effect, then paused
    slide = """(i) => { const s = document.getElementById('date-slider'); s.value = String(i);
                         s.dispatchEvent(new Event('input')); }"""
    opened.js(slide, days.index("2025-04-10"))
    assert opened.page.input_value("#date") == "2025-04-10"
    assert JAPAN_TARIFF not in opened.js("window.tradekg.visibleNodeIris()")
    opened.js(slide, days.index("2025-04-09"))
    assert JAPAN_TARIFF in opened.js("window.tradekg.visibleNodeIris()")
    opened.js(slide, len(days))  # rightmost: every date
    assert opened.page.input_value("#date") == ""


def test_date_control_hides_future_meetings_and_past_post_holdings(opened: OpenPage) -> None:
    talks = TDR + "event/us-japan-talks-2025-04-16"
    opened.page.fill("#date", "2025-04-15")
    assert talks not in opened.js("window.tradekg.visibleNodeIris()")
    opened.page.fill("#date", "2025-04-16")
    assert talks in opened.js("window.tradekg.visibleNodeIris()")
    held = """() => { const d = window.tradekg.data, net = window.tradekg.network;
        return net.body.edgeIndices.map(i => d.edges[i]).filter(e => d.relations[e.rel].iri.endsWith('#heldPost'))
                 .map(e => d.nodes[e.from].iri + ' ' + d.nodes[e.to].iri); }"""
    ishiba_pm = TDR + "person/shigeru-ishiba " + TDR + "post/prime-minister-of-japan"
    assert ishiba_pm in opened.js(held)
    opened.page.fill("#date", "2025-11-01")  # Ishiba left office on 2025-10-21
    assert ishiba_pm not in opened.js(held)
    assert TDR + "person/shigeru-ishiba" in opened.js("window.tradekg.visibleNodeIris()")


def test_class_and_relation_filters(opened: OpenPage) -> None:
    n_tariffs = opened.js("window.tradekg.data.nodes.filter(n => window.tradekg.data.classes[n.cls].label === 'tariff').length")
    assert n_tariffs > 0
    before = len(opened.js("window.tradekg.visibleNodeIris()"))
    opened.page.locator("#legend li", has_text="tariff").locator("input").uncheck()
    assert len(opened.js("window.tradekg.visibleNodeIris()")) == before - n_tariffs
    edges_before = opened.js("window.tradekg.visibleEdgeCount()")
    opened.page.locator("#relations li", has_text="participant").locator("input").uncheck()
    assert opened.js("window.tradekg.visibleEdgeCount()") < edges_before


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the corpus plus one article whose title, text and quote carry a script and an img onerror."""
    base = tmp_path_factory.mktemp("hostile")
    corpus = base / "articles"
    shutil.copytree(ARTICLES, corpus)
    text = f"Donald Trump said {HOSTILE_SCRIPT} and {HOSTILE_IMG} in remarks on Sunday.\n"
    quote = f"{HOSTILE_SCRIPT} and {HOSTILE_IMG}"
    start = text.index(quote)
    article = {
        "format": "tradekg-article/1", "id": "zzz-hostile",
        "title": f"Hostile {HOSTILE_SCRIPT} {HOSTILE_IMG} title",
        "publisher": "fox-business", "published": "2025-04-20", "language": "en", "text": text,
        "mentions": [{"id": "trump-1", "type": "HeadOfState", "span": [0, 12], "text": "Donald Trump",
                      "entity": "donald-trump"}],
        "facts": [{"id": "hostile-statement-2025-04-20", "type": "Statement", "speaker": "donald-trump",
                   "channel": "Remarks", "date": "2025-04-20",
                   "quote": {"span": [start, start + len(quote)], "text": quote}, "evidence": ["trump-1"]}],
    }
    (corpus / "zzz-hostile.yaml").write_text(yaml.safe_dump(article, allow_unicode=True, sort_keys=False),
                                              encoding="utf-8")
    build([corpus], base / "store")
    return write_page(base / "store", base / "graph.html")


def test_hostile_article_runs_no_script(browser: Any, hostile_page: Path) -> None:
    opened = OpenPage(browser, hostile_page)
    try:
        statement = TDR + "event/hostile-statement-2025-04-20"
        node_id = opened.js("(iri) => window.tradekg.nodeId(iri)", statement)
        assert node_id is not None
        label = opened.js("(id) => window.tradekg.data.nodes[id].label", node_id)
        opened.page.fill("#search", label)
        opened.page.press("#search", "Enter")
        assert opened.page.get_attribute("#panel-body", "data-iri") == statement
        quotes = opened.js("Array.from(document.querySelectorAll('#panel .evidence .exact')).map(e => e.textContent)")
        assert f"{HOSTILE_SCRIPT} and {HOSTILE_IMG}" in quotes, "the quote must show literally"
        sources = opened.js("Array.from(document.querySelectorAll('#panel .evidence .source')).map(e => e.textContent)")
        assert any(f"Hostile {HOSTILE_SCRIPT} {HOSTILE_IMG} title" in s for s in sources), sources
        # the speaker edge of the statement shows the same literal text
        _click_edge(opened, statement, "speaker", TDR + "person/donald-trump")
        assert HOSTILE_IMG in opened.page.text_content("#panel")
        assert opened.js("document.querySelectorAll('#panel img, #panel script, #controls img').length") == 0
        assert opened.js("typeof window.__pwned") == "undefined"
        assert opened.dialogs == []
        assert opened.blocked == [], f"the page tried to load {opened.blocked}"
        assert opened.errors == []
    finally:
        opened.close()


def test_focus_page_draws_the_neighbourhood(browser: Any, corpus_store: Path, tmp_path: Path) -> None:
    page = write_page(corpus_store, tmp_path / "focus.html", "--focus", "shigeru-ishiba", "--depth", "1")
    nodes, edges = store_counts(corpus_store)
    ishiba = TDR + "person/shigeru-ishiba"
    neighbours = {ishiba} | {o for s, _, o in edges if s == ishiba} | {s for s, _, o in edges if o == ishiba}
    opened = OpenPage(browser, page)
    try:
        assert set(opened.js("window.tradekg.data.nodes.map(n => n.iri)")) == neighbours
        assert "Shigeru Ishiba" in opened.page.text_content("#view-title")
        assert opened.blocked == []
    finally:
        opened.close()


def test_bench_page_draws_in_chromium(browser: Any, tmp_path: Path) -> None:
    """The benchmark helper's synthetic page loads and draws all its nodes (its timing is measured by make bench)."""
    from bench.page_bench import bench_page

    opened = OpenPage(browser, bench_page(300, tmp_path / "bench.html"))
    try:
        assert opened.js("window.tradekg.network.body.nodeIndices.length") == 300
        assert opened.js("window.tradekg.network.physics.options.enabled") is False
        assert opened.blocked == [] and opened.errors == []
    finally:
        opened.close()
