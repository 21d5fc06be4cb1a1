"""Positions and sizes computed in Python, so the page draws once and never moves.

Layout uses igraph's layouts in C, seeded for determinism: Kamada-Kawai up to
:data:`KAMADA_KAWAI_UP_TO` nodes (even spacing), Fruchterman-Reingold above
(the grid variant above :data:`GRID_ABOVE` nodes: about 1 s for 5,000 nodes).
Sizes come from networkx degree and betweenness centrality (betweenness is
estimated from sampled sources on big graphs: :data:`BETWEENNESS_SAMPLES` for
analysis, :data:`PAGE_BETWEENNESS_SAMPLES` for node sizes).
"""

from __future__ import annotations

import math
import random

import igraph as ig
import networkx as nx

GRID_ABOVE = 1000
SPACING_PX = 130.0
MIN_DISTANCE_PX = 110.0
GAP_PX = 160.0
KAMADA_KAWAI_UP_TO = 400
BETWEENNESS_EXACT_UP_TO = 1000
BETWEENNESS_SAMPLES = 200
PAGE_BETWEENNESS_SAMPLES = 50  # node sizes on the page need less precision than `tradekg analyze`
SEED = 42


def positions(g: nx.Graph, seed: int = SEED) -> dict[object, tuple[float, float]]:
    """Node -> (x, y) in page pixels: each connected component laid out on its own, then packed in rows.

    >>> pos = positions(nx.path_graph(3))
    >>> sorted(pos) == [0, 1, 2] and pos == positions(nx.path_graph(3))
    True
    """
    u = g.to_undirected(as_view=True) if g.is_directed() else g
    comps = sorted((sorted(c, key=str) for c in nx.connected_components(u)), key=lambda c: (-len(c), str(c[0])))
    boxes = [_component(u.subgraph(c), c, seed) for c in comps]
    total = sum((w + GAP_PX) * (h + GAP_PX) for _, w, h in boxes)
    row_width = max([math.sqrt(total) * 1.3] + [w for _, w, _ in boxes[:1]])
    out: dict[object, tuple[float, float]] = {}
    x = y = row_h = 0.0
    for pos, w, h in boxes:
        if x > 0 and x + w > row_width:
            x, y, row_h = 0.0, y + row_h + GAP_PX, 0.0
        for v, (px, py) in pos.items():
            out[v] = (round(x + px, 1), round(y + py, 1))
        x += w + GAP_PX
        row_h = max(row_h, h)
    return out


def _component(g: nx.Graph, nodes: list[object], seed: int) -> tuple[dict[object, tuple[float, float]], float, float]:
    """Positions of one connected component, shifted to start at (0, 0), with its width and height."""
    n = len(nodes)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}, 0.0, 0.0
    index = {v: i for i, v in enumerate(nodes)}
    edges = sorted({(min(index[a], index[b]), max(index[a], index[b])) for a, b in g.edges() if a != b})
    h = ig.Graph(n=n, edges=edges)
    rng = random.Random(seed)
    start = [[rng.uniform(-1, 1) * math.sqrt(n), rng.uniform(-1, 1) * math.sqrt(n)] for _ in range(n)]
    ig.set_random_number_generator(random.Random(seed))  # igraph's FR moves nodes at random too
    try:
        if n <= KAMADA_KAWAI_UP_TO:
            layout = h.layout_kamada_kawai(seed=start, maxiter=50 * n)
        else:
            layout = h.layout_fruchterman_reingold(seed=start, niter=500, grid="grid" if n > GRID_ABOVE else "nogrid")
    finally:
        ig.set_random_number_generator(random)
    coords = layout.coords
    # scale so each node has about SPACING_PX x SPACING_PX of the drawing's area to itself
    width = (max(c[0] for c in coords) - min(c[0] for c in coords)) or 1.0
    height = (max(c[1] for c in coords) - min(c[1] for c in coords)) or 1.0
    k = SPACING_PX * math.sqrt(n / (width * height)) if n > 2 else SPACING_PX / max(width, height)
    xs = [c[0] * k for c in coords]
    ys = [c[1] * k for c in coords]
    xs, ys = spread(xs, ys, MIN_DISTANCE_PX)
    x0, y0 = min(xs), min(ys)
    return ({v: (xs[i] - x0, ys[i] - y0) for v, i in index.items()}, max(xs) - x0, max(ys) - y0)


def spread(xs: list[float], ys: list[float], min_dist: float, rounds: int = 30) -> tuple[list[float], list[float]]:
    """Push apart nodes closer than ``min_dist`` (their labels would overlap), a few rounds, using a grid of cells.

    >>> xs, ys = spread([0.0, 1.0, 100.0], [0.0, 0.0, 0.0], 10.0)
    >>> round(xs[1] - xs[0]) >= 10 and xs[2] == 100.0
    True
    """
    xs, ys = list(xs), list(ys)
    n = len(xs)
    for _ in range(rounds):
        cells: dict[tuple[int, int], list[int]] = {}
        for i in range(n):
            cells.setdefault((int(xs[i] // min_dist), int(ys[i] // min_dist)), []).append(i)
        moved = False
        for (cx, cy), members in cells.items():
            near = [j for dx in (-1, 0, 1) for dy in (-1, 0, 1) for j in cells.get((cx + dx, cy + dy), ())]
            for i in members:
                for j in near:
                    if j <= i:
                        continue
                    dx, dy = xs[j] - xs[i], ys[j] - ys[i]
                    d = math.hypot(dx, dy)
                    if d >= min_dist:
                        continue
                    if d < 1e-6:  # same spot: separate along a fixed direction
                        dx, dy, d = 1.0, 0.618, math.hypot(1.0, 0.618)
                    push = (min_dist - d) / 2 / d
                    xs[i] -= dx * push
                    ys[i] -= dy * push
                    xs[j] += dx * push
                    ys[j] += dy * push
                    moved = True
        if not moved:
            break
    return xs, ys


def centrality(g: nx.Graph, seed: int = SEED, samples: int = BETWEENNESS_SAMPLES) -> tuple[dict[object, int], dict[object, float]]:
    """Degree and betweenness centrality (normalised) on the undirected simple graph."""
    u = nx.Graph(g.to_undirected(as_view=True)) if g.is_directed() or g.is_multigraph() else g
    deg = dict(u.degree())
    if u.number_of_nodes() <= BETWEENNESS_EXACT_UP_TO:
        bc = nx.betweenness_centrality(u)
    else:
        bc = nx.betweenness_centrality(u, k=min(samples, u.number_of_nodes()), seed=seed)
    return deg, bc


def sizes(deg: dict[object, int], bc: dict[object, float]) -> dict[object, float]:
    """Node size in pixels, 10 to 40, from degree and betweenness.

    >>> s = sizes({"a": 1, "b": 4}, {"a": 0.0, "b": 1.0})
    >>> s["a"] < s["b"] <= 40
    True
    """
    if not deg:
        return {}
    dmax = max(deg.values()) or 1
    bmax = max(bc.values()) or 1.0
    return {v: round(10 + 15 * math.sqrt(deg[v] / dmax) + 15 * math.sqrt(bc.get(v, 0.0) / bmax), 1) for v in deg}
