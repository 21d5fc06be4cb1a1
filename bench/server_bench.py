"""Build throughput, embedded store vs an Oxigraph server over HTTP, measured in the same run (``make bench``'s
server step)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from kg.build import build, build_to_endpoint
from kg.remote import RemoteStore, oxigraph_server


def bench_build(paths: list[Path], n: int = 1, registry: Path | None = None) -> dict[str, dict[str, float]]:
    """Build throughput, embedded store vs Oxigraph server, measured in the same run.

    Each of ``n`` rounds builds the corpus from scratch into a fresh embedded
    store and into a fresh ``oxigraph serve`` (over HTTP on 127.0.0.1). Returns,
    per target, the best wall time in seconds, the quads written and quads/s.
    """
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="tradekg-bench-") as tmp:
        for target in ("embedded", "server"):
            best, quads = float("inf"), 0
            for i in range(n):
                loc = Path(tmp) / f"{target}-{i}"
                if target == "embedded":
                    t0 = time.perf_counter()
                    rep = build(paths, loc, registry=registry)
                    dt = time.perf_counter() - t0
                else:
                    with oxigraph_server(loc) as url:
                        store = RemoteStore(url)
                        t0 = time.perf_counter()
                        rep = build_to_endpoint(paths, store, registry=registry)
                        dt = time.perf_counter() - t0
                        store.close()
                best, quads = min(best, dt), rep.quads_written
            results[target] = {"seconds": best, "quads": float(quads), "quads_per_s": quads / best if best else 0.0}
    return results

