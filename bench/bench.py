"""TradeKG benchmark: build, bulk-load limit, rdflib baseline, queries, export, graph page, rebuild.

Run ``python bench/bench.py`` (``make bench``) for N = 1,000, 10,000 and 100,000
articles or ``--quick`` (``make bench-quick``) for 1,000 only. Every measured step
runs in its own child process (peak RSS read from that child's ``ru_maxrss`` via
``os.wait4``), with a 10-minute limit per step; the table is printed at the end
and the figures written to ``bench/results/bench-<time>.json``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH = ROOT / "bench"
CORPUS_DIR = BENCH / "corpus"
RESULTS_DIR = BENCH / "results"
STEP_TIMEOUT = 600.0  # seconds per child step
BUILD_INCREMENT = 25_000  # articles per build step (each step its own process, within the step limit)
RDFLIB_MAX_N = 10_000
RDFLIB_QUERY_TIMEOUT = 30  # seconds per rdflib query run
QUERY_RUNS = 5
QUERY_TIMEOUT = 90.0  # seconds per library query step (warm-up + runs)
SLOW_QUERY_S = 10.0  # a warm-up slower than this is reported as a single run
VIZ_NODES = 5000
SLICE_ARTICLES = 25_000  # article graphs per export step
DUMP_MAX_N = 10_000  # Oxigraph's own one-call dump (a reference row) only up to this size: it cannot be sliced


# ---------------------------------------------------------------------------
# child steps: each prints one JSON object as its last stdout line
# ---------------------------------------------------------------------------

def _folders(corpus: Path, upto: int) -> list[Path]:
    from kg.synth import ARTICLES_PER_FOLDER

    n_folders = (upto + ARTICLES_PER_FOLDER - 1) // ARTICLES_PER_FOLDER
    return [corpus / f"a{i:04d}" for i in range(n_folders)]


def step_synth(a: dict[str, Any]) -> dict[str, Any]:
    from kg.synth import write_corpus

    t = time.perf_counter()
    write_corpus(Path(a["corpus"]), a["n"], seed=a["seed"])
    return {"seconds": time.perf_counter() - t}


def step_build(a: dict[str, Any]) -> dict[str, Any]:
    from kg.build import build

    corpus = Path(a["corpus"])
    t = time.perf_counter()
    rep = build(_folders(corpus, a["upto"]), Path(a["store"]), registry=corpus / "registry.yaml")
    secs = time.perf_counter() - t
    from kg.store import open_store

    store = open_store(Path(a["store"]), read_only=True)  # counted after the timing: a full scan
    total = len(store.ox)
    store.close()
    return {"seconds": secs, "built": len(rep.built), "unchanged": rep.unchanged,
            "quads_written": rep.quads_written, "total_quads": total}


def step_optimize(a: dict[str, Any]) -> dict[str, Any]:
    """The compaction ``tradekg build`` runs after writing a million quads or more (``EmbeddedStore.optimize``)."""
    from kg.store import open_store

    store = open_store(Path(a["store"]), read_only=False)
    t = time.perf_counter()
    store.optimize()
    store.flush()
    secs = time.perf_counter() - t
    store.close()
    return {"seconds": secs}


def step_dump(a: dict[str, Any]) -> dict[str, Any]:
    """Oxigraph's own N-Quads dump of the whole store (one call into Rust): the reference for the export rows."""
    from kg.store import open_store

    store = open_store(Path(a["store"]), read_only=True)
    target = Path(a["nquads"])
    t = time.perf_counter()
    with open(target, "wb") as f:
        store.dump_nquads(f)
    secs = time.perf_counter() - t
    size = target.stat().st_size
    target.unlink()
    return {"seconds": secs, "bytes": size}


def _part(graphs: tuple[str, ...], part: int, parts: int) -> tuple[str, ...]:
    """Slice ``part`` of ``parts`` of the graphs (sorted, contiguous: article graphs are about the same size)."""
    ordered = sorted(graphs)
    return tuple(ordered[len(ordered) * part // parts:len(ordered) * (part + 1) // parts])


def step_export(a: dict[str, Any]) -> dict[str, Any]:
    """Export one slice of the store's graphs (all of them when ``parts`` is 1), timed.

    Turtle is what ``tradekg export out.ttl`` writes (the union of the asserted graphs, each triple once
    within the slice). N-Quads is the whole store, every graph (``--include-inferred --include-ontology
    --include-meta``, a full backup): the same quads the store holds, so the file is also the input of
    the bulk-load limit and is kept at ``a["keep"]``.
    """
    from kg.export import Selection, select_graphs, write_export
    from kg.store import open_store

    store = open_store(Path(a["store"]), read_only=True)
    fmt, part, parts = a["fmt"], a.get("part", 0), a.get("parts", 1)
    full = fmt == "nquads"
    target = Path(a.get("keep") or Path(a["work"]) / f"export.{part}.{'ttl' if fmt == 'turtle' else 'nq'}")
    t = time.perf_counter()
    sel = select_graphs(store, include_inferred=full, include_ontology=full, include_meta=full)
    sel = Selection(_part(sel.graphs, part, parts), default_graph=sel.default_graph and part == 0)
    with open(target, "wb") as f:
        n = write_export(store, f, fmt, sel)
    secs = time.perf_counter() - t
    size = target.stat().st_size
    if not a.get("keep"):
        target.unlink()
    return {"seconds": secs, "statements": n, "per_s": n / secs if secs else 0.0, "bytes": size,
            "graphs": len(sel.graphs), "part": part, "parts": parts,
            "how": "kg.export.write_export (Turtle: asserted graphs; N-Quads: every graph)"}


def step_bulk(a: dict[str, Any]) -> dict[str, Any]:
    """Oxigraph's bulk loader, into an empty store, on all the quads as one N-Quads file.

    The export's slices are joined into one file first (not timed): loading them one by one would add
    a flush and a merge per slice and make the limit look slower than it is.
    """
    import pyoxigraph as ox

    dest = Path(a["dest"])
    shutil.rmtree(dest, ignore_errors=True)
    parts = [Path(p) for p in a["nquads"]]
    source = parts[0]
    if len(parts) > 1:
        source = dest.parent / "bulk-input.nq"
        with open(source, "wb") as out:
            for p in parts:
                with open(p, "rb") as f:
                    shutil.copyfileobj(f, out, 16 * 2**20)
                p.unlink()
    t = time.perf_counter()
    store = ox.Store(str(dest))
    store.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
    store.flush()
    secs = time.perf_counter() - t
    n = len(store)
    del store
    if len(parts) > 1:
        source.unlink()
    return {"seconds": secs, "quads": n, "bytes": _du(dest), "input_files": len(parts)}


def _library() -> dict[str, Any]:
    try:
        from kg.query import load_library
    except ImportError:  # pragma: no cover
        return {}
    return load_library(ROOT / "queries")


def _synthetic_params(q: Any, picks: dict[str, str]) -> dict[str, str]:
    """Parameter values that exist in the synthetic corpus (header defaults for the rest)."""
    raw: dict[str, str] = {}
    for p in q.params:
        if p.name in picks and p.type == "iri":
            raw[p.name] = picks[p.name]
    return raw


def _picks(corpus: Path, seed: int, store: Any) -> dict[str, str]:
    """Entities of the synthetic corpus (from its first articles) to bind the library's parameters to."""
    from kg.namespaces import article_iri, entity_iri

    arts = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((corpus / "a0000").glob("*.json"))[:60]]
    first = arts[0]
    facts = [f for a in arts for f in a["facts"]]
    meeting = next(f for f in facts if f["type"] in ("Meeting", "Talks", "Summit", "PhoneCall") and len(f["parties"]) == 2)
    tariff = next(f for f in facts if f["type"] == "Tariff")
    stmt = next(f for f in facts if f["type"] == "Statement")
    holding = next(f for f in facts if f["type"] == "PostHolding")
    gov1, gov2 = meeting["parties"]
    return {
        "party1": entity_iri("org", gov1), "party2": entity_iri("org", gov2),
        "article": article_iri(first["id"]), "country": entity_iri("jurisdiction", tariff["imposed_by"]),
        "fact": entity_iri("measure", tariff["id"]), "meeting": entity_iri("event", meeting["id"]),
        "speaker": entity_iri("person", stmt["speaker"]), "person": entity_iri("person", holding["person"]),
        "post": entity_iri("post", holding["post"]), "imposer": entity_iri("jurisdiction", tariff["imposed_by"]),
        "target": entity_iri("jurisdiction", tariff["targets"][0]),
        "measure": entity_iri("measure", tariff["id"]),  # measure-history (issue 17)
    }


def _run_ox(store: Any, q: Any, bindings: dict[str, Any]) -> int:
    res = store.query(q.text, bindings, union=False)  # as `tradekg query`: the knowledge graph
    if hasattr(res, "__iter__"):
        return sum(1 for _ in res)
    return int(bool(res))


def step_query(a: dict[str, Any]) -> dict[str, Any]:
    """One library query: a warm-up run, then the median of QUERY_RUNS runs (one run if the warm-up is slow)."""
    from kg.query import bind
    from kg.store import open_store

    store = open_store(Path(a["store"]), read_only=True)
    q = _library()[a["name"]]
    raw = _synthetic_params(q, _picks(Path(a["corpus"]), a["seed"], store))
    b = bind(q, raw)
    t = time.perf_counter()
    rows = _run_ox(store, q, b)
    warm = time.perf_counter() - t
    times = [warm] if warm > SLOW_QUERY_S else []
    for _ in range(0 if times else QUERY_RUNS):
        t = time.perf_counter()
        rows = _run_ox(store, q, b)
        times.append(time.perf_counter() - t)
    return {"median_ms": statistics.median(times) * 1000, "runs": len(times), "rows": rows, "params": raw}


def query_names() -> list[str]:
    return [n for n in _library() if not n.startswith("checks/")]


def step_rdflib(a: dict[str, Any]) -> dict[str, Any]:
    """The same build (check + map every article, then parse its N-Quads) into rdflib's in-memory Dataset,
    then the library queries against it."""
    import signal

    import pyoxigraph as ox
    import rdflib

    from kg.article_rdf import article_quads, entailments
    from kg.articles import load_article
    from kg.build import _ontology_nquads, discover
    from kg.namespaces import PREFIXES, REGISTRY_INFERRED_GRAPH
    from kg.ontology import load_ontology
    from kg.registry import load_registry, registry_quads

    corpus = Path(a["corpus"])
    ds = rdflib.Dataset()
    t = time.perf_counter()
    c = discover(_folders(corpus, a["upto"]), corpus / "registry.yaml")
    onto = load_ontology()
    reg = load_registry(c.registry, onto)
    ds.parse(data=_ontology_nquads(onto), format="nquads")
    rq = registry_quads(reg, onto)
    ds.parse(data=rq.text(), format="nquads")
    ds.parse(data=entailments(rq, str(REGISTRY_INFERRED_GRAPH), onto).text(), format="nquads")
    store_s = 0.0
    for path in c.files:
        art = load_article(path, onto, reg)
        w, inferred = article_quads(art, onto, reg, str(path.resolve()))
        t_store = time.perf_counter()
        ds.parse(data=w.text() + inferred.text(), format="nquads")
        store_s += time.perf_counter() - t_store
    build_s = time.perf_counter() - t
    n = len(ds)
    out: dict[str, Any] = {"build_seconds": build_s, "store_seconds": store_s, "quads": n,
                           "how": "tradekg check+mapping per article, its N-Quads parsed into rdflib.Dataset (Memory store)"}
    partial = Path(a["partial"])
    partial.write_text(json.dumps(out), encoding="utf-8")  # kept if the queries below run out of time
    if not a.get("queries"):
        return out
    from kg.query import bind
    from kg.store import open_store

    ds.default_union = True
    prologue = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    store = open_store(Path(a["store"]), read_only=True)
    picks = _picks(corpus, a["seed"], store)

    class Timeout(Exception):
        pass

    def on_alarm(*_: Any) -> None:
        raise Timeout

    signal.signal(signal.SIGALRM, on_alarm)
    results: dict[str, Any] = {}
    for name, q in _library().items():
        if name.startswith("checks/"):
            continue
        b = bind(q, _synthetic_params(q, picks))
        init = {rdflib.Variable(k): (rdflib.URIRef(v.value) if isinstance(v, ox.NamedNode)
                                     else rdflib.Literal(v.value, datatype=rdflib.URIRef(v.datatype.value)))
                for k, v in b.items()}
        times: list[float] = []
        timed_out = False
        for _ in range(QUERY_RUNS):
            signal.alarm(RDFLIB_QUERY_TIMEOUT)
            t = time.perf_counter()
            try:
                rows = sum(1 for _ in ds.query(prologue + q.text, initBindings=init))
                times.append(time.perf_counter() - t)
            except Timeout:
                timed_out = True
                break
            finally:
                signal.alarm(0)
            if sum(times) > 20:  # slow: fewer runs, the median of what ran
                break
        results[name] = {"median_ms": statistics.median(times) * 1000 if times else None, "runs": len(times),
                         "rows": rows if times else None,
                         "timed_out_after_s": RDFLIB_QUERY_TIMEOUT if timed_out else None}
        partial.write_text(json.dumps({**out, "queries": results}), encoding="utf-8")
    out["queries"] = results
    return out


def step_rebuild(a: dict[str, Any]) -> dict[str, Any]:
    """Change one article (its title), rebuild, and put it back (second rebuild, also timed)."""
    from kg.build import build

    corpus = Path(a["corpus"])
    target = sorted((corpus / "a0000").glob("*.json"))[1]
    original = target.read_bytes()
    doc = json.loads(original)
    doc["title"] += " (updated)"
    out: dict[str, Any] = {"article": target.name}
    try:
        target.write_bytes((json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        t = time.perf_counter()
        rep = build(_folders(corpus, a["upto"]), Path(a["store"]), registry=corpus / "registry.yaml")
        out["seconds"] = time.perf_counter() - t
        out["built"], out["unchanged"] = len(rep.built), rep.unchanged
    finally:
        target.write_bytes(original)
    t = time.perf_counter()
    rep = build(_folders(corpus, a["upto"]), Path(a["store"]), registry=corpus / "registry.yaml")
    out["restore_seconds"] = time.perf_counter() - t
    out["restore_built"] = len(rep.built)
    return out


def step_viz(a: dict[str, Any]) -> dict[str, Any]:
    try:
        from page_bench import bench_page, time_to_stable
    except ImportError:
        return {"available": False, "note": "bench/page_bench.py not available"}
    out_page = Path(a["work"]) / "bench-page.html"
    t = time.perf_counter()
    bench_page(a["nodes"], out_page)
    gen = time.perf_counter() - t
    res: dict[str, Any] = {"available": True, "nodes": a["nodes"], "generate_seconds": gen,
                           "page_bytes": out_page.stat().st_size}
    try:
        res["stable_seconds"] = time_to_stable(out_page, timeout_s=240)
    except Exception as exc:  # Chromium missing or too slow: say so in the table
        res["stable_seconds"] = None
        res["note"] = f"{type(exc).__name__}: {exc}"[:300]
    return res


def step_server(a: dict[str, Any]) -> dict[str, Any]:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    try:
        from server_bench import bench_build
    except ImportError:
        return {"available": False, "note": "bench/server_bench.py not available"}
    corpus = Path(a["corpus"])
    res = bench_build(_folders(corpus, a["upto"]), n=1, registry=corpus / "registry.yaml")
    return {"available": True, **res}


STEPS = {"synth": step_synth, "build": step_build, "optimize": step_optimize, "dump": step_dump, "export": step_export, "bulk": step_bulk, "query": step_query,
         "rdflib": step_rdflib, "rebuild": step_rebuild, "viz": step_viz, "server": step_server}


# ---------------------------------------------------------------------------
# the parent: runs steps as children, collects figures, prints the table
# ---------------------------------------------------------------------------

def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run_step(name: str, args: dict[str, Any], log: Any, timeout: float = STEP_TIMEOUT) -> dict[str, Any]:
    """Run one step in a child process; add its wall time and peak RSS (MiB)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "_step", name, json.dumps(args)]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    deadline = t + timeout
    status, ru = 0, None
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            _, status, ru = os.wait4(proc.pid, 0)
            stdout, stderr = proc.communicate()
            return {"error": f"step {name} exceeded {timeout:.0f} s", "wall_seconds": time.perf_counter() - t}
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t
    rss_mib = ru.ru_maxrss / 1024 if ru else None  # ru_maxrss is KiB on Linux
    lines = stdout.decode("utf-8", "replace").strip().splitlines()
    if proc.returncode != 0 or not lines:
        err = stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        log(f"   ! step {name} failed (exit {proc.returncode}): {' | '.join(err)}")
        return {"error": " | ".join(err), "wall_seconds": wall, "peak_rss_mib": rss_mib}
    res: dict[str, Any] = json.loads(lines[-1])
    res["wall_seconds"] = wall
    res["peak_rss_mib"] = rss_mib
    return res


def bench_size(n: int, seed: int, log: Any, server: bool, r: dict[str, Any], save: Any,
               skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    corpus = CORPUS_DIR / f"n{n}-seed{seed}"
    work = CORPUS_DIR / f"n{n}-seed{seed}.work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    store = work / "store"
    r["articles"] = n
    log(f"== N = {n:,} articles (corpus {corpus.relative_to(ROOT)})")
    r["synth"] = run_step("synth", {"corpus": str(corpus), "n": n, "seed": seed}, log)
    log(f"   synth: {r['synth'].get('seconds', 0):.1f} s")
    # build, in steps of BUILD_INCREMENT articles each in its own process (each within the step limit)
    parts = []
    for upto in range(min(n, BUILD_INCREMENT), n + 1, BUILD_INCREMENT) if n > BUILD_INCREMENT else [n]:
        p = run_step("build", {"corpus": str(corpus), "upto": upto, "store": str(store)}, log)
        parts.append(p)
        log(f"   build up to {upto:,}: {p.get('seconds', float('nan')):.1f} s, {p.get('built', '?')} built, "
            f"peak RSS {p.get('peak_rss_mib') or 0:.0f} MiB")
        if "error" in p:
            break
    ok = all("error" not in p for p in parts)
    secs = sum(p.get("seconds", 0) for p in parts)
    r["build"] = {"steps": parts, "ok": ok, "seconds": secs,
                  "quads_written": sum(p.get("quads_written", 0) for p in parts),
                  "total_quads": parts[-1].get("total_quads"),
                  "peak_rss_mib": max((p.get("peak_rss_mib") or 0) for p in parts),
                  "store_bytes": _du(store)}
    r["build"]["articles_per_s"] = n / secs if ok and secs else None
    r["build"]["quads_per_s"] = r["build"]["quads_written"] / secs if ok and secs else None
    if not ok:
        return r
    # what `tradekg build` does next for a build this size: compact the store (timed apart from the build, so
    # that the build / bulk-load ratio compares the same work); the queries below run on the compacted store
    r["optimize"] = run_step("optimize", {"store": str(store)}, log)
    log(f"   compaction: {r['optimize'].get('seconds', float('nan')):.1f} s")
    r["build"]["store_bytes_compacted"] = _du(store)
    save()
    # Export in slices of at most SLICE_ARTICLES article graphs, each slice its own step (at 100,000
    # articles one pass over the store does not fit in the step limit); the bulk load is one step.
    parts = max(1, -(-n // SLICE_ARTICLES))
    nq_parts = [work / f"all.{i}.nq" for i in range(parts)]
    if n <= DUMP_MAX_N:
        r["dump"] = run_step("dump", {"store": str(store), "nquads": str(work / "dump.nq")}, log)
        log(f"   Oxigraph's own dump of all quads: {r['dump'].get('seconds', float('nan')):.1f} s")
    fmts = [] if "export" in skip else ["turtle"]
    fmts += [] if "export" in skip and "bulk" in skip else ["nquads"]  # the N-Quads export feeds the bulk load
    for fmt in fmts:
        steps = []
        for i in range(parts):
            p = run_step("export", {"store": str(store), "work": str(work), "fmt": fmt, "part": i, "parts": parts,
                                    "keep": str(nq_parts[i]) if fmt == "nquads" else None}, log)
            steps.append(p)
            log(f"   export {fmt} part {i + 1}/{parts}: {p.get('seconds', float('nan')):.1f} s, "
                f"{p.get('statements', 0):,} statements")
            if "error" in p:
                break
        r[f"export_{fmt}"] = _sum_steps(steps, "statements")
        save()
    if "bulk" not in skip and r.get("export_nquads", {}).get("ok"):
        r["bulk"] = run_step("bulk", {"nquads": [str(p) for p in nq_parts], "dest": str(work / "bulk")}, log)
        save()
        log(f"   bulk load: {r['bulk'].get('seconds', float('nan')):.1f} s")
    else:
        r["bulk"] = {}
    shutil.rmtree(work / "bulk", ignore_errors=True)
    for part in nq_parts:
        part.unlink(missing_ok=True)
    r["queries"] = {"queries": {}}
    for name in [] if "queries" in skip else query_names():
        qr = run_step("query", {"store": str(store), "corpus": str(corpus), "seed": seed, "name": name}, log,
                      timeout=QUERY_TIMEOUT)
        r["queries"]["queries"][name] = qr
        log(f"   query {name}: {qr.get('median_ms', float('nan')):,.1f} ms median of {qr.get('runs', 0)}"
            + (f" ({qr['error']})" if "error" in qr else ""))
    if n <= RDFLIB_MAX_N and "rdflib" not in skip:
        partial = work / "rdflib-partial.json"
        r["rdflib"] = run_step("rdflib", {"corpus": str(corpus), "upto": n, "store": str(store), "seed": seed,
                                          "queries": "rdflib-queries" not in skip, "partial": str(partial)}, log)
        if "error" in r["rdflib"] and partial.is_file():  # out of time during the queries: keep what was measured
            r["rdflib"] = {**json.loads(partial.read_text(encoding="utf-8")), "error": r["rdflib"]["error"]}
        save()
        log(f"   rdflib build: {r['rdflib'].get('build_seconds', float('nan')):.1f} s")
    r["rebuild"] = {} if "rebuild" in skip else run_step("rebuild", {"corpus": str(corpus), "upto": n, "store": str(store)}, log)
    save()
    log(f"   one-article rebuild: {r['rebuild'].get('seconds', float('nan')):.2f} s")
    if server and n <= RDFLIB_MAX_N:
        r["server"] = run_step("server", {"corpus": str(corpus), "upto": n}, log)
        save()
        log("   server build done")
    r["store_path"] = str(store)
    return r


def _sum_steps(steps: list[dict[str, Any]], count: str) -> dict[str, Any]:
    """The figures of a job run in slices: seconds and ``count`` summed; no figures if a slice failed."""
    ok = bool(steps) and all("error" not in p for p in steps)
    secs = sum(p.get("seconds", 0) for p in steps)
    out: dict[str, Any] = {"steps": steps, "parts": len(steps), "ok": ok,
                           "peak_rss_mib": max((p.get("peak_rss_mib") or 0) for p in steps) if steps else None}
    if ok:
        out["seconds"] = secs
        out[count] = sum(p[count] for p in steps)
        out["per_s"] = out[count] / secs if secs else 0.0
    else:
        out["error"] = next(p["error"] for p in steps if "error" in p) if steps else "not run"
    return out


def _f(x: Any, fmt: str = "{:,.0f}") -> str:
    return "—" if x is None else fmt.format(x)


def table(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    cols = [f"{s['articles']:,}" for s in sizes]
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, fn: Any) -> None:
        vals = []
        for s in sizes:
            try:
                vals.append(fn(s))
            except (KeyError, TypeError, ZeroDivisionError):
                vals.append("—")
        rows.append((label, vals))

    row("build: seconds", lambda s: _f(s["build"]["seconds"], "{:,.1f}"))
    row("build: articles/s", lambda s: _f(s["build"]["articles_per_s"]))
    row("build: quads/s", lambda s: _f(s["build"]["quads_per_s"]))
    row("build: quads in store", lambda s: _f(s["build"]["total_quads"]))
    row("build: peak RSS MiB", lambda s: _f(s["build"]["peak_rss_mib"]))
    row("build: store on disk MiB", lambda s: _f(s["build"]["store_bytes"] / 2**20))
    row("  then compaction (tradekg build does it) s", lambda s: _f(s["optimize"]["seconds"], "{:,.1f}"))
    row("  store on disk after it MiB", lambda s: _f(s["build"]["store_bytes_compacted"] / 2**20))
    row("limit: Oxigraph bulk_load s", lambda s: _f(s["bulk"]["seconds"], "{:,.1f}"))
    row("ratio build / bulk_load", lambda s: _f(s["build"]["seconds"] / s["bulk"]["seconds"], "{:.2f}x"))
    row("baseline: rdflib build s", lambda s: _f(s["rdflib"]["build_seconds"], "{:,.1f}"))
    row("ratio rdflib / build", lambda s: _f(s["rdflib"]["build_seconds"] / s["build"]["seconds"], "{:.1f}x"))
    row("  of which rdflib's store (parse+add) s", lambda s: _f(s["rdflib"]["store_seconds"], "{:,.1f}"))
    row("  bound: (rdflib build) / (rdflib build - its store)", lambda s: _f(
        s["rdflib"]["build_seconds"] / (s["rdflib"]["build_seconds"] - s["rdflib"]["store_seconds"]), "{:.1f}x"))
    names = sorted({q for s in sizes for q in s.get("queries", {}).get("queries", {})})
    for q in names:
        row(f"query {q}: median ms", lambda s, q=q: (
            _f(s["queries"]["queries"][q]["median_ms"], "{:,.1f}") if "error" not in s["queries"]["queries"][q]
            else f">{QUERY_TIMEOUT:.0f} s"))
        row("  rdflib: median ms (ratio)", lambda s, q=q: (
            _f(s["rdflib"]["queries"][q]["median_ms"], "{:,.0f}")
            + (f" ({s['rdflib']['queries'][q]['median_ms'] / s['queries']['queries'][q]['median_ms']:.0f}x)"
               if "median_ms" in s["queries"]["queries"][q] else "")
            if s["rdflib"]["queries"][q]["median_ms"] is not None
            else f">{s['rdflib']['queries'][q]['timed_out_after_s']} s"))
    row("limit: Oxigraph's own N-Quads dump quads/s", lambda s: _f(s["build"]["total_quads"] / s["dump"]["seconds"]))
    row("export Turtle triples/s", lambda s: _f(s["export_turtle"]["per_s"]))
    row("export N-Quads quads/s", lambda s: _f(s["export_nquads"]["per_s"]))
    row("  export: steps (slices of article graphs)", lambda s: _f(s["export_nquads"]["parts"]))
    row("rebuild one article s (articles rebuilt)", lambda s: _f(s["rebuild"]["seconds"], "{:.2f}")
        + f" ({s['rebuild']['built']})")
    row("  put it back: rebuild s (rebuilt)", lambda s: _f(s["rebuild"]["restore_seconds"], "{:.2f}")
        + f" ({s['rebuild']['restore_built']})")
    row("server build quads/s", lambda s: _f(s["server"]["server"]["quads_per_s"]))
    row("embedded build quads/s (same run)", lambda s: _f(s["server"]["embedded"]["quads_per_s"]))
    width = max(len(r[0]) for r in rows) + 2
    out = io.StringIO()
    out.write("| " + "articles".ljust(width) + " | " + " | ".join(c.rjust(14) for c in cols) + " |\n")
    out.write("|" + "-" * (width + 2) + "|" + "|".join("-" * 16 for _ in cols) + "|\n")
    for label, vals in rows:
        out.write("| " + label.ljust(width) + " | " + " | ".join(v.rjust(14) for v in vals) + " |\n")
    viz = results.get("viz", {})
    if viz.get("available"):
        out.write(f"\ngraph page, {viz['nodes']:,}-node view (bench/page_bench.py): generated in "
                  f"{viz['generate_seconds']:.2f} s, stable layout in headless Chromium in "
                  + (f"{viz['stable_seconds']:.2f} s" if viz.get("stable_seconds") is not None
                     else f"— ({viz.get('note', 'not measured')})") + "\n")
    else:
        out.write(f"\ngraph page: not available ({viz.get('note', 'bench/page_bench.py missing')})\n")
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1,000 articles only")
    ap.add_argument("--sizes", default=None, help="comma-separated article counts (default 1000,10000,100000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-server", action="store_true", help="skip the build to an Oxigraph server")
    ap.add_argument("--keep", action="store_true", help="keep the stores under bench/corpus/*.work")
    ap.add_argument("--skip", default="", help="comma-separated steps to skip: viz, rdflib, rdflib-queries, queries, "
                                                "export, bulk, rebuild, server")
    ap.add_argument("--table", metavar="RESULTS_JSON", help="print the table of an earlier run and exit")
    args = ap.parse_args(argv)
    if args.table:
        print(table(json.loads(Path(args.table).read_text(encoding="utf-8"))))
        return 0
    sizes = [1000] if args.quick else [int(x) for x in (args.sizes or "1000,10000,100000").split(",")]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    started = dt.datetime.now(dt.UTC)
    results: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"), "seed": args.seed,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_at_start": os.getloadavg()},
        "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
        "sizes": [],
    }
    work = CORPUS_DIR / "viz.work"
    work.mkdir(parents=True, exist_ok=True)
    skip = frozenset(x.strip() for x in args.skip.split(",") if x.strip())
    results["viz"] = {"note": "skipped (--skip viz)"} if "viz" in skip else run_step(
        "viz", {"work": str(work), "nodes": VIZ_NODES}, log)
    path = RESULTS_DIR / f"bench-{started.strftime('%Y%m%dT%H%M%SZ')}.json"

    def save() -> None:  # after every step, so an interrupted run still leaves its figures
        results["machine"]["load_average_now"] = os.getloadavg()
        path.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")

    for n in sizes:
        r: dict[str, Any] = {}
        results["sizes"].append(r)
        bench_size(n, args.seed, log, not args.no_server, r, save, skip)
        save()
        if not args.keep:
            shutil.rmtree(CORPUS_DIR / f"n{n}-seed{args.seed}.work", ignore_errors=True)
    text = table(results)
    print(text)
    log(f"results: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_step":
        res = STEPS[sys.argv[2]](json.loads(sys.argv[3]))
        print(json.dumps(res, default=str))
        sys.exit(0)
    sys.exit(main())
