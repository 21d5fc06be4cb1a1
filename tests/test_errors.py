"""The one error tree (kg/errors.py) and exit codes set only at the command-line boundary (kg/cli.py)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import click
from click.testing import CliRunner

import kg
from kg.cli import TradeKGGroup
from kg.errors import CheckFailed, TradeKGError

KG = Path(kg.__file__).resolve().parent

# Command modules that still call sys.exit themselves, each to be fixed by its owner (raise CheckFailed instead).
# Remove an entry when its module is fixed; add none.
KNOWN_SYS_EXIT: set[str] = set()  # command modules still calling sys.exit (none left)


def _exception_classes() -> list[type[BaseException]]:
    found = []
    for info in pkgutil.walk_packages(kg.__path__, "kg."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                found.append(obj)
    return found


def test_every_exception_class_is_in_the_tree() -> None:
    """Issue part 6: every exception class defined under kg/ is a TradeKGError; public ones live in kg/errors.py."""
    classes = _exception_classes()
    names = {c.__name__ for c in classes}
    assert {"TradeKGError", "InputError", "CheckFailed", "SourceProblem", "NoPathError"} <= names, names
    outside = [f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, TradeKGError)]
    assert not outside, f"exception classes outside the TradeKGError tree: {outside}"
    public_elsewhere = [f"{c.__module__}.{c.__qualname__}" for c in classes
                        if c.__module__ != "kg.errors" and not c.__name__.startswith("_")]
    assert not public_elsewhere, f"public exception classes defined outside kg/errors.py: {public_elsewhere}"


def test_old_import_names_still_work() -> None:
    """Issue part 6: the moved classes are the same objects under their old import names."""
    from kg import errors
    from kg.analyze import NoPathError
    from kg.source import SourceProblem
    from kg.viz import GraphTooLargeError

    assert (NoPathError, SourceProblem, GraphTooLargeError) == \
        (errors.NoPathError, errors.SourceProblem, errors.GraphTooLargeError)


def _sys_exit_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    exits = {"sys.exit", "exit", "quit", "os._exit"}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) in exits:
            lines.append(node.lineno)
        elif isinstance(node, ast.Raise) and node.exc is not None and ast.unparse(node.exc).startswith("SystemExit"):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "sys" and any(a.name == "exit" for a in node.names):
            lines.append(node.lineno)
    return lines


def test_commands_do_not_set_exit_codes() -> None:
    """Issue part 6: no module under kg/commands/ calls sys.exit; exit codes are set in kg/cli.py only."""
    offenders = {p.name: lines for p in sorted((KG / "commands").glob("*.py"))
                 if p.name not in KNOWN_SYS_EXIT and (lines := _sys_exit_calls(p))}
    assert not offenders, f"kg/commands modules that exit by themselves (raise CheckFailed instead): {offenders}"


def test_the_sys_exit_check_can_fail(tmp_path: Path) -> None:
    """The AST check above finds each spelling of exiting."""
    f = tmp_path / "m.py"
    f.write_text("import sys\nfrom sys import exit\n\ndef f():\n    sys.exit(1)\n    raise SystemExit(1)\n",
                 encoding="utf-8")
    assert sorted(_sys_exit_calls(f)) == [2, 5, 6]


def _group() -> click.Group:
    @click.group(cls=TradeKGGroup)
    def g() -> None:
        pass

    @g.command("quiet")
    def quiet() -> None:
        click.echo("2 violations")
        raise CheckFailed()

    @g.command("said")
    def said() -> None:
        raise CheckFailed("a and b are not connected")

    return g


def test_check_failed_is_exit_1_with_nothing_more_said() -> None:
    """Issue part 6: a command whose check found problems raises CheckFailed; kg/cli.py exits 1 and adds no line."""
    result = CliRunner().invoke(_group(), ["quiet"])
    assert result.exit_code == 1, result.output
    assert result.stdout == "2 violations\n"
    assert result.stderr == ""
    result = CliRunner().invoke(_group(), ["said"])
    assert result.exit_code == 1
    assert result.stderr == "error: a and b are not connected\n"
