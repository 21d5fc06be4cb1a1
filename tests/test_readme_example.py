"""The complete article example in docs/article-format.md is valid and builds as described."""

from __future__ import annotations

import re
from pathlib import Path

from kg.build import build
from kg.store import open_store
from tests.conftest import ARTICLES, ROOT


def test_readme_article_example_builds(tmp_path: Path) -> None:
    page = (ROOT / "docs" / "article-format.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", page, re.S) if "tradekg-article/1" in b)
    (tmp_path / "t-001.yaml").write_text(block, encoding="utf-8")
    (tmp_path / "registry.yaml").write_bytes((ARTICLES / "registry.yaml").read_bytes())
    report = build([tmp_path], tmp_path / "store")
    assert report.built == ["t-001"]
    s = open_store(tmp_path / "store", read_only=True)
    (row,) = list(s.query("SELECT ?d ?how WHERE { <https://w3id.org/tradekg/resource/event/t-summit> "
                          "tdo:date ?d ; tdo:dateResolution ?how }", union=False))  # the knowledge graph: once
    assert row[0].value == "2025-02-07"  # "on Friday" against Saturday 2025-02-08
