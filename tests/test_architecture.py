"""The import rule of docs/architecture.md holds (issue 15): no cycles among kg/ modules, no import up a layer.

The layers are read from the table in docs/architecture.md, so the rule is written once, where people read it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx

from tests.conftest import ROOT

KG = ROOT / "kg"


def _modules() -> dict[str, Path]:
    mods = {}
    for p in KG.rglob("*.py"):
        name = ".".join(p.relative_to(ROOT).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = p
    return mods


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(sub) for sub in ast.walk(node))
    return skip


def import_graph(mods: dict[str, Path]) -> nx.DiGraph:
    """kg module -> kg modules it imports, anywhere in the file except under ``if TYPE_CHECKING:``."""
    g = nx.DiGraph()
    for name, path in mods.items():
        g.add_node(name)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                targets = [base, *(f"{base}.{a.name}" for a in node.names)]
            for t in targets:
                while t and t not in mods:
                    t = t.rsplit(".", 1)[0] if "." in t else ""
                if t and t != name and not name.startswith(t + "."):  # a package's own parent is not an import
                    g.add_edge(name, t)
    return g


def layers(doc: Path = ROOT / "docs" / "architecture.md") -> dict[str, int]:
    """Module name prefix -> layer, from the table under '## Import layering'."""
    text = doc.read_text(encoding="utf-8")
    section = text.split("## Import layering", 1)[1].split("\n## ", 1)[0]
    table: dict[str, int] = {}
    for row in re.findall(r"^\| (\d+) \|[^|]*\|([^|]*)\|$", section, re.M):
        for name in re.findall(r"`([\w.]+)`", row[1]):
            table[name] = int(row[0])
    assert table, "docs/architecture.md has no layer table under '## Import layering'"
    return table


def layer_of(module: str, table: dict[str, int]) -> int | None:
    matches = [p for p in table if module == p or (p != "kg" and module.startswith(p + "."))]
    return table[max(matches, key=len)] if matches else None


def violations(g: nx.DiGraph, table: dict[str, int]) -> list[str]:
    out = [f"cycle: {' -> '.join(sorted(c))}" for c in nx.strongly_connected_components(g) if len(c) > 1]
    out += [f"{m} is in no layer of docs/architecture.md" for m in g if layer_of(m, table) is None]
    for a, b in g.edges:
        la, lb = layer_of(a, table), layer_of(b, table)
        if la is not None and lb is not None and lb > la:
            out.append(f"{a} (layer {la}) imports {b} (layer {lb}), a higher layer")
    return sorted(out)


def test_kg_has_no_import_cycle_and_no_import_up_a_layer() -> None:
    assert violations(import_graph(_modules()), layers()) == []


def test_the_check_finds_a_cycle_an_upward_import_and_an_unplaced_module() -> None:
    """The rule can fail: an invented graph with each kind of mistake."""
    g = nx.DiGraph([("kg.store", "kg.build"), ("kg.build", "kg.store"), ("kg.errors", "kg.cli")])
    g.add_node("kg.nowhere")
    found = violations(g, layers())
    assert any(v.startswith("cycle: kg.build -> kg.store") for v in found)
    assert "kg.errors (layer 0) imports kg.cli (layer 4), a higher layer" in found
    assert "kg.nowhere is in no layer of docs/architecture.md" in found


def test_the_graph_sees_imports_inside_functions_but_not_type_checking(tmp_path: Path) -> None:
    pkg = tmp_path / "kg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from kg import b\n")
    (pkg / "b.py").write_text("def f():\n    from kg.a import x\n")
    g = import_graph({"kg": pkg / "__init__.py", "kg.a": pkg / "a.py", "kg.b": pkg / "b.py"})
    assert set(g.edges) == {("kg.b", "kg.a")}
