"""Benchmark helpers: a synthetic graph page of any size, and the time headless Chromium takes to draw it.

``make bench`` and the page tests call::

    from bench.page_bench import bench_page, time_to_stable
    page = bench_page(5000, Path("/tmp/bench-5000.html"))
    seconds = time_to_stable(page)          # navigation start -> first complete drawing, physics off

The page is written by the same code as ``tradekg viz`` (layout in Python,
sizes from centrality, inlined vis-network), only the graph is synthetic.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path
from typing import Any

import networkx as nx

from kg.namespaces import TDO, TDR
from kg.ontology import load_ontology
from kg.viz.extract import Extraction
from kg.viz.page import View, payload, write_page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

_CLASSES = ["HeadOfGovernment", "Minister", "Government", "Country", "Talks", "Statement", "Tariff", "Post"]
_PROPS = ["participant", "party", "speaker", "targets", "imposedBy", "heldPost", "postIn"]


def synthetic_payload(n_nodes: int, seed: int = 0, edges_per_node: int = 2) -> dict[str, Any]:
    """The page data of a Barabási-Albert graph with ontology classes, dates and one quote per node."""
    rng = random.Random(seed)
    base = nx.barabasi_albert_graph(n_nodes, edges_per_node, seed=seed)
    g = nx.MultiDiGraph()
    start = dt.date(2025, 1, 1)
    for v in base.nodes:
        cls = str(TDO[_CLASSES[v % len(_CLASSES)]])
        valid = [[(start + dt.timedelta(days=rng.randrange(300))).isoformat(), None]] if v % 3 == 0 else None
        g.add_node(f"{TDR}synthetic/{v}", label=f"Entity {v}", cls=cls, valid=valid, facts=[])
    for a, b in base.edges:
        g.add_edge(f"{TDR}synthetic/{a}", f"{TDR}synthetic/{b}", key=str(TDO[_PROPS[(a + b) % len(_PROPS)]]),
                   label="", valid=None, facts=[])
    ex = Extraction(graph=g, labels={})
    return payload(ex, load_ontology(), {}, {}, View(f"Synthetic graph of {n_nodes} nodes",
                                                     "benchmark page", "bench.page_bench"), g)


def bench_page(n_nodes: int, out: Path, seed: int = 0, edges_per_node: int = 2) -> Path:
    """Write a page of a synthetic ``n_nodes`` graph (Barabási-Albert) for benchmarks."""
    return write_page(synthetic_payload(n_nodes, seed=seed, edges_per_node=edges_per_node), out)


def time_to_stable(page: Path, timeout_s: float = 60.0) -> float:
    """Seconds from navigation start until the page has drawn completely (physics off), in headless Chromium.

    Network requests other than the page itself are blocked. Raises RuntimeError if Chromium is missing or the
    page does not become ready within ``timeout_s``.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found; install it with: apt-get install -y chromium")
    url = page.resolve().as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(viewport={"width": 1400, "height": 900})
            pg = ctx.new_page()
            pg.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
            t0 = time.perf_counter()
            pg.goto(url, wait_until="load", timeout=timeout_s * 1000)
            pg.wait_for_function("window.tradekg && window.tradekg.isReady()", timeout=timeout_s * 1000)
            wall = time.perf_counter() - t0
            in_page = pg.evaluate("window.tradekgReadyAt") / 1000.0
            return round(max(wall, in_page), 3)
        finally:
            browser.close()


if __name__ == "__main__":  # python -m bench.page_bench [N]
    import sys
    import tempfile

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        path = bench_page(n, Path(d) / f"bench-{n}.html")
        built = time.perf_counter() - t
        print(f"{n} nodes: page written in {built:.2f} s ({path.stat().st_size / 1e6:.1f} MB), "
              f"stable in headless Chromium after {time_to_stable(path):.2f} s")
