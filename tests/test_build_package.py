"""The layout of the ``kg.build`` package (architecture issue: kg/build.py split into one module per job).

Its modules import one another in one chain, only the write step writes to the store, and the package
re-exports the names imported from ``kg.build`` but not the constants tests patch (patching
``kg.build.BATCH_QUADS`` would change nothing the build reads, so it must fail loudly instead).
"""

from __future__ import annotations

import ast

import pytest

import kg.build
import kg.build.run
from tests.test_architecture import ROOT, import_graph

CHAIN = ["signature", "corpus", "report", "manifest", "changes", "prepare", "spool", "write", "run"]
STORE_WRITES = {"replace_graphs", "drop_graphs", "remember_manifest", "update", "load_rdf", "optimize"}


def test_the_build_modules_import_only_those_before_them_in_the_chain() -> None:
    """Architecture issue (build split): signature < corpus < report < manifest < changes < prepare < spool <
    write < run, and no module of the package imports its ``__init__``."""
    graph = import_graph(ROOT)
    found = sorted(m.rpartition(".")[2] for m in graph if m.startswith("kg.build."))
    assert found == sorted(CHAIN), "a module of kg/build/ is missing from CHAIN (add it where it belongs)"
    for i, name in enumerate(CHAIN):
        inside = {t for t in graph[f"kg.build.{name}"] if t == "kg.build" or t.startswith("kg.build.")}
        allowed = {f"kg.build.{m}" for m in CHAIN[:i]}
        assert inside <= allowed, f"kg.build.{name} imports {sorted(inside - allowed)}"


def _store_calls(path: str) -> set[str]:
    tree = ast.parse((ROOT / "kg" / "build" / path).read_text(encoding="utf-8"))
    return {n.func.attr for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in STORE_WRITES
            and isinstance(n.func.value, ast.Name) and n.func.value.id == "store"}


def test_only_the_write_step_writes_graphs_to_the_store() -> None:
    """Architecture issue (build split): every graph a build writes or drops goes through kg/build/write.py
    (compaction, in run.py, changes no quad)."""
    writers = {f"{m}.py": _store_calls(f"{m}.py") for m in CHAIN}
    assert writers["write.py"] >= {"replace_graphs", "drop_graphs", "remember_manifest"}
    others = {m: calls for m, calls in writers.items() if m != "write.py" and calls - {"optimize"}}
    assert not others, f"store writes outside kg/build/write.py: {others}"


def test_the_package_reexports_its_imported_names_and_not_its_patchable_constants() -> None:
    """Architecture issue (build split): the names imported from kg.build are there; the constants are
    patched in kg.build.run, and patching them on the package fails instead of silently doing nothing."""
    for name in ["build", "build_to_endpoint", "discover", "BuildReport", "Corpus", "Entry", "REGISTRY_NAMES",
                 "_Index", "_ontology_nquads"]:
        assert hasattr(kg.build, name), name
    for name in ["BATCH_QUADS", "OPTIMIZE_MIN_QUADS", "REMOTE_BATCH_QUADS", "BUILD_FORMAT"]:
        assert hasattr(kg.build.run, name), name
        with pytest.MonkeyPatch.context() as mp, pytest.raises(AttributeError):
            mp.setattr(kg.build, name, 1)
