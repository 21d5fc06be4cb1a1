"""The import graph of ``kg/``: no cycles, and no layer imports a higher one.

Architecture issue, part 4. The graph is computed with ``ast`` from every ``import`` in ``kg/``, at module
level and inside functions alike (a deferred import is still a dependency), leaving out ``if TYPE_CHECKING:``
blocks (annotations only). The layers are declared once, in the "Import layering" table of
``docs/architecture.md``; every module of ``kg/`` must be in it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"


# ---------------------------------------------------------------------------
# The graph
# ---------------------------------------------------------------------------

def modules(root: Path, package: str = "kg") -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` of the package (a package is its ``__init__``)."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported_names(tree: ast.Module, here: str, is_package: bool) -> list[str]:
    """Every name an import statement of the module brings in (``a.b`` for ``from a import b``)."""
    names: list[str] = []
    package = here if is_package else here.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.orelse:
                    visit_one(stmt)
                continue
            visit_one(child)

    def visit_one(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            names.extend(f"{base}.{a.name}" for a in node.names)
        visit(node)

    visit(tree)
    return names


def import_graph(root: Path, package: str = "kg") -> dict[str, set[str]]:
    """Module -> the modules of the package it imports (the longest module name each import names)."""
    mods = modules(root, package)
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        targets: set[str] = set()
        for imported in _imported_names(ast.parse(path.read_text(encoding="utf-8")), name,
                                        path.name == "__init__.py"):
            while imported and imported not in mods:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: each strongly connected component of more than one module, as a closed path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(_closed_path(graph, set(component)))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def _closed_path(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """One cycle through a component, for the message: a -> b -> ... -> a."""
    start = min(component)
    path, seen = [start], {start}
    while True:
        nxt = sorted(w for w in graph[path[-1]] if w in component)
        back = start if start in nxt else None
        if back is not None and len(path) > 1:
            return [*path, start]
        fresh = [w for w in nxt if w not in seen]
        if not fresh:
            return [*path, nxt[0]]
        path.append(fresh[0])
        seen.add(fresh[0])


# ---------------------------------------------------------------------------
# The declared layers
# ---------------------------------------------------------------------------

def declared_layers(doc: Path = DOC) -> dict[str, int]:
    """Module or package name -> layer, from the table under "## Import layering" (``| N | `kg.x`, ... |``)."""
    text = doc.read_text(encoding="utf-8")
    section = re.search(r"^## Import layering\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section, f"{doc}: no '## Import layering' section"
    layers: dict[str, int] = {}
    for row in re.finditer(r"^\|\s*(\d+)\s*\|([^|\n]*)\|", section.group(1), re.M):
        for name in re.findall(r"`([\w.]+)`", row.group(2)):
            assert name not in layers, f"{doc}: {name} is in two layers"
            layers[name] = int(row.group(1))
    assert layers, f"{doc}: the import layering table lists no modules"
    return layers


def layer_of(module: str, layers: dict[str, int]) -> int | None:
    """The layer of the longest declared name that is the module or a package holding it."""
    name = module
    while name:
        if name in layers:
            return layers[name]
        name = name.rpartition(".")[0]
    return None


def upward_imports(graph: dict[str, set[str]], layers: dict[str, int]) -> list[str]:
    out = []
    for a in sorted(graph):
        for b in sorted(graph[a]):
            la, lb = layer_of(a, layers), layer_of(b, layers)
            if la is not None and lb is not None and lb > la:
                out.append(f"{a} (layer {la}) imports {b} (layer {lb})")
    return out


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------

def test_kg_has_no_import_cycle() -> None:
    """Architecture issue part 4: no module of kg/ imports itself through others (function-level imports count)."""
    found = cycles(import_graph(ROOT))
    assert not found, "import cycles in kg/:\n" + "\n".join(" -> ".join(c) for c in found)


def test_every_module_is_in_a_declared_layer() -> None:
    """Architecture issue part 4: docs/architecture.md places every module of kg/, and names only real ones."""
    layers = declared_layers()
    mods = modules(ROOT)
    assert not [m for m in mods if layer_of(m, layers) is None], \
        "modules missing from the import layering table of docs/architecture.md"
    assert not [n for n in layers if n not in mods], "the import layering table names modules that do not exist"


def test_no_layer_imports_a_higher_one() -> None:
    """Architecture issue part 4: lower layers never import higher ones (the table of docs/architecture.md)."""
    bad = upward_imports(import_graph(ROOT), declared_layers())
    assert not bad, "imports against the layering of docs/architecture.md:\n" + "\n".join(bad)


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "kg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_checks_see_function_level_cycles_and_upward_imports(tmp_path: Path) -> None:
    """Architecture issue part 4: a cycle closed by an import inside a function is found; one behind
    ``if TYPE_CHECKING:`` is not an import; an upward import is named with both layers."""
    root = _package(tmp_path, {
        "__init__.py": "",
        "low.py": "def f():\n    from kg.high import g\n",
        "high.py": "from kg import low\n",
        "typed.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from kg.high import g\n",
        "sub/__init__.py": "from .leaf import x\n",
        "sub/leaf.py": "from .. import typed\n",
    })
    graph = import_graph(root)
    assert graph["kg.low"] == {"kg.high"} and graph["kg.high"] == {"kg.low"}
    assert graph["kg.typed"] == set()
    assert graph["kg.sub"] == {"kg.sub.leaf"} and graph["kg.sub.leaf"] == {"kg.typed"}
    assert cycles(graph) == [["kg.high", "kg.low", "kg.high"]]
    layers = {"kg": 0, "kg.low": 0, "kg.high": 1}
    assert upward_imports(graph, layers) == ["kg.low (layer 0) imports kg.high (layer 1)"]
