"""Names that say what they are: the article → RDF mapper's module, and open_store's read_only said by every caller."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import kg
from kg.store import open_store

ROOT = Path(kg.__file__).resolve().parent.parent

KNOWN_UNSAID: set[str] = set()  # files whose open_store calls do not say read_only (none left)


def test_article_mapper_module_is_named_for_its_job() -> None:
    """Issue part 8: kg.article_rdf maps articles to RDF; no kg/mapping.py beside kg/annotations/mapping.py."""
    import kg.article_rdf as article_rdf

    assert callable(article_rdf.article_quads) and callable(article_rdf.entailments)
    assert not (ROOT / "kg" / "mapping.py").exists()


def _unsaid_calls(path: Path) -> list[int]:
    """Lines of calls to open_store that do not pass read_only by keyword."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "open_store"
            and not any(k.arg == "read_only" for k in node.keywords)]


def test_open_store_callers_say_read_only_or_not() -> None:
    """Issue part 8: open_store's read_only is keyword-only, and every caller says which it wants."""
    assert inspect.signature(open_store).parameters["read_only"].kind is inspect.Parameter.KEYWORD_ONLY
    files = [p for d in ("kg", "tests", "bench") for p in sorted((ROOT / d).rglob("*.py"))]
    unsaid = {rel: lines for p in files
              if (rel := p.relative_to(ROOT).as_posix()) not in KNOWN_UNSAID and (lines := _unsaid_calls(p))}
    assert not unsaid, f"open_store calls that do not say read_only=True/False: {unsaid}"


def test_the_open_store_check_can_fail(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("open_store(p)\nkg.store.open_store(p, True)\nopen_store(p, read_only=False)\n", encoding="utf-8")
    assert _unsaid_calls(f) == [1, 2]
