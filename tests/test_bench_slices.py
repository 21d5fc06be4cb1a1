"""The benchmark's sliced export: every graph in exactly one slice, and the slices' figures summed.

At 100,000 articles ``make bench`` exports the store in slices (one process each, within the
10-minute step limit); these tests check the slicing and the summing, not any timing.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

_PATH = Path(__file__).resolve().parent.parent / "bench" / "bench.py"


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("tradekg_bench", _PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("tradekg_bench", module)
    spec.loader.exec_module(module)
    return module


bench = _bench()


@pytest.mark.parametrize("n_graphs", [0, 1, 7, 100, 1003])
@pytest.mark.parametrize("parts", [1, 2, 4, 5])
def test_slices_cover_every_graph_once_in_name_order(n_graphs: int, parts: int) -> None:
    graphs = tuple(f"https://w3id.org/tradekg/graph/article/a{i:05d}" for i in reversed(range(n_graphs)))
    slices = [bench._part(graphs, i, parts) for i in range(parts)]
    assert [g for s in slices for g in s] == sorted(graphs)
    sizes = [len(s) for s in slices]
    assert max(sizes) - min(sizes) <= 1  # even slices: each step does about the same work


def test_summed_figures_of_slices() -> None:
    steps = [{"seconds": 2.0, "statements": 10, "peak_rss_mib": 100.0},
             {"seconds": 3.0, "statements": 15, "peak_rss_mib": 150.0}]
    out = bench._sum_steps(steps, "statements")
    assert (out["ok"], out["parts"], out["seconds"], out["statements"], out["per_s"], out["peak_rss_mib"]) == (
        True, 2, 5.0, 25, 5.0, 150.0)


def test_a_failed_slice_leaves_no_figures_but_its_error() -> None:
    steps = [{"seconds": 2.0, "statements": 10}, {"error": "step export exceeded 600 s", "wall_seconds": 600.0}]
    out = bench._sum_steps(steps, "statements")
    assert out["ok"] is False and out["error"] == "step export exceeded 600 s"
    assert "per_s" not in out and "seconds" not in out
