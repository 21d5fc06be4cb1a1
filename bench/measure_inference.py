"""Measure what the RDFS materialisation costs: extra quads and share of build time.

    .venv/bin/python bench/measure_inference.py [--copies 10]

Builds the bundled corpus, and a corpus N times larger made by copying every
article under new ids (the facts keep their ids, so they merge as real
repeated reports do), into temporary stores; reports the quads in the
``/inferred`` graphs, the time spent computing them, and the time of each
library query on both stores.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import time
from pathlib import Path

import kg.article_rdf
import kg.build.write
from kg.build import build
from kg.query import bind, load_library
from kg.store import open_store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {  # parameters for timing the library queries
    "meeting-participants": {"meeting": "tdr:event/us-japan-talks-2025-04-16"},
    "article-officials": {"article": "tdr:article/000-japan-braces-for-trade-talks"},
    "tariffs-between": {"imposer": "tdr:jurisdiction/united-states", "target": "tdr:jurisdiction/japan"},
    "tariffs-in-force": {"date": "2025-04-20"},
    "post-holders": {"date": "2025-04-16"},
    "country-timeline": {"country": "tdr:jurisdiction/japan"},
    "official-statements": {"speaker": "tdr:person/donald-trump"},
    "fact-evidence": {"fact": "tdr:measure/us-reciprocal-tariff-japan-2025"},
    "agenda-topics": {"party1": "tdr:org/us-government", "party2": "tdr:org/japan-government"},
    "who-met-whom": {},
    "source-disagreements": {},
    "tariffs-on": {"target": "tdr:jurisdiction/japan", "date": "2025-07-09"},
    "measure-history": {"measure": "tdr:measure/us-reciprocal-tariff-japan-2025"},
}


def copy_corpus(src: Path, dest: Path, copies: int) -> None:
    dest.mkdir(parents=True)
    shutil.copy(src / "registry.yaml", dest / "registry.yaml")
    for f in sorted(src.glob("*.txt")):
        shutil.copy(f, dest / f.name)
    for f in sorted(src.glob("0*.yaml")):
        text = f.read_text(encoding="utf-8")
        art_id = re.search(r"^id: (\S+)$", text, re.M).group(1)  # type: ignore[union-attr]
        for i in range(copies):
            new = text if i == 0 else re.sub(r"^id: \S+$", f"id: {art_id}-copy{i}", text, count=1, flags=re.M)
            (dest / f"{f.stem}-copy{i}.yaml").write_text(new, encoding="utf-8")


def measure(corpus: Path, store: Path) -> dict[str, float]:
    spent = {"entailments": 0.0}
    original = kg.build.write.entailments

    def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent["entailments"] += time.perf_counter() - t


    kg.build.write.entailments = timed  # the registry's entailments
    kg.article_rdf.entailments = timed  # each article's entailments (called by article_quads)
    t0 = time.perf_counter()
    try:
        build([corpus], store)
    finally:
        kg.build.write.entailments = original
        kg.article_rdf.entailments = original
    total_time = time.perf_counter() - t0
    print(f"  {store.name} built in {total_time:.2f} s", flush=True)
    s = open_store(store, read_only=True)
    inferred = sum(s.quad_count(g) for g in s.named_graphs() if g.endswith("/inferred"))
    out = {"build_s": total_time, "entail_s": spent["entailments"], "quads": s.quad_count(), "inferred": inferred}
    lib = load_library()
    for name, params in EXAMPLES.items():
        q = lib[name]
        t = time.perf_counter()
        list(s.query(q.text, substitutions=bind(q, params)))
        out[f"q:{name}"] = time.perf_counter() - t
        print(f"  {store.name} {name}: {out[f'q:{name}']:.3f} s", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tradekg-measure-") as tmp:
        big = Path(tmp) / "big"
        copy_corpus(ROOT / "articles", big, args.copies)
        rows = {"bundled": measure(ROOT / "articles", Path(tmp) / "s1"),
                f"x{args.copies}": measure(big, Path(tmp) / "s2")}
    print(f"{'':28} " + " ".join(f"{k:>12}" for k in rows))
    for key in rows["bundled"]:
        print(f"{key:28} " + " ".join(f"{rows[k][key]:12.3f}" if isinstance(rows[k][key], float)
                                      else f"{rows[k][key]:12d}" for k in rows))
    for k, r in rows.items():
        print(f"{k}: inferred quads {r['inferred']} of {r['quads']} ({100 * r['inferred'] / r['quads']:.1f}%), "
              f"entailments {r['entail_s']:.3f} s of a {r['build_s']:.2f} s build ({100 * r['entail_s'] / r['build_s']:.1f}%)")


if __name__ == "__main__":
    main()
