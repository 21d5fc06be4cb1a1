"""Issue 15, part 7: the documentation stays true: the CLI reference is current, every link resolves, the README stays short."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT

MAX_README_LINES = 320
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def _pages() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]


def _gen_cli() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cli", ROOT / "docs" / "gen_cli.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks, with inline code spans blanked out."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, re.sub(r"`+[^`]*`+", lambda m: " " * len(m.group(0)), line)))
    return lines


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text without markup, lower case, punctuation dropped, spaces as '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link reads as its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading anchor of a Markdown page; a repeated slug gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match:
            slug = github_slug(match.group(2))
            found.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
            seen[slug] = seen.get(slug, 0) + 1
    return found


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    """Each relative link of ``page`` whose file does not exist or whose #anchor is no heading there."""
    problems = []
    for number, line in _prose_lines(page.read_text(encoding="utf-8")):
        for target in _LINK.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto:, ...
                continue
            path_part, _, anchor = target.partition("#")
            linked = (page.parent / path_part).resolve() if path_part else page
            where = f"{page.relative_to(root)}:{number}: ({target})"
            if not linked.exists():
                problems.append(f"{where} {path_part} does not exist")
            elif anchor and (linked.suffix != ".md" or anchor not in anchors(linked)):
                problems.append(f"{where} no heading #{anchor} in {linked.relative_to(root)}")
    return problems


def test_cli_reference_is_current() -> None:
    """Issue 15.7: docs/cli.md is exactly what docs/gen_cli.py writes from the --help texts today."""
    expected = _gen_cli().render().encode("utf-8")
    assert (ROOT / "docs" / "cli.md").read_bytes() == expected, "docs/cli.md is stale: run make docs"


@pytest.mark.parametrize("page", _pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    """Issue 15.7: Every relative link and #anchor in the README, the changelog and docs/ points at a file and heading that exist."""
    problems = broken_links(page)
    assert not problems, "broken links:\n" + "\n".join(problems)


def test_link_checker_finds_broken_links(tmp_path: Path) -> None:
    """Issue 15.7: The checker itself: a missing file and a missing anchor are reported; good links and code are not."""
    (tmp_path / "README.md").write_text("# Top\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    page = tmp_path / "docs" / "page.md"
    page.write_text("# A `code` Heading: here\n\n## Twice\n\n## Twice\n\n"
                    "[ok](#a-code-heading-here) [ok](#twice-1) [ok](../README.md#top) [ok](https://x.org/#y)\n"
                    "`[not a link](nowhere.md)`\n```\n[in code](nowhere.md)\n```\n"
                    "[bad](nowhere.md) [bad](#no-such-heading) [bad](../README.md#no-such-heading)\n",
                    encoding="utf-8")
    problems = broken_links(page, root=tmp_path)
    assert len(problems) == 3, problems
    assert "docs/page.md:12: (nowhere.md) nowhere.md does not exist" in problems[0]
    assert "no heading #no-such-heading in docs/page.md" in problems[1]
    assert "no heading #no-such-heading in README.md" in problems[2]


def test_github_slugs() -> None:
    """Issue 15.7: anchors are computed as GitHub computes them (markup and punctuation dropped)."""
    assert github_slug("Export: `tradekg export`") == "export-tradekg-export"
    assert github_slug("The library (`queries/`)") == "the-library-queries"
    assert github_slug("What was made faster (before → after, each its own commit)") == \
        "what-was-made-faster-before--after-each-its-own-commit"
    assert github_slug("1. Bad input never changes the store") == "1-bad-input-never-changes-the-store"


def test_readme_is_short() -> None:
    """Issue 15.7: The README is the user's manual; the rest lives in docs/."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines; at most {MAX_README_LINES}: move detail to docs/"
