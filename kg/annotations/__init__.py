"""Annotations from and for the tools analysts use: brat standoff, Label Studio, W3C Web Annotation.

:func:`load_inputs` is the builder's entry point: it turns one input file (a
TradeKG article, a brat ``.ann`` or a Label Studio export) into checked articles.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.articles import Article, check_article, load_article
from kg.errors import InputError, Problem
from kg.ontology import Ontology
from kg.registry import Registry

ANNOTATION_SUFFIXES = (".ann",)
SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml", ".meta.json")


def _mapping(tool: str, onto: Ontology, path: Path | None = None) -> Any:
    from kg.annotations.mapping import load_mapping

    return load_mapping(tool, path, onto)


def tool_of(path: Path) -> str | None:
    """'brat' for a .ann file, 'labelstudio' for a Label Studio export, None for a TradeKG article."""
    if path.suffix == ".ann":
        return "brat"
    if path.suffix == ".json":
        try:
            with path.open("rb") as fh:
                head = fh.read(64).lstrip()
        except OSError:
            return None
        if head.startswith(b"["):
            return "labelstudio"
    return None


def tool_articles(path: Path, tool: str, onto: Ontology, reg: Registry, mapping_path: Path | None = None,
                  display: str | None = None) -> list[tuple[dict[str, Any], str]]:
    """Article dicts (text inline) converted from a tool's file, each with its source key."""
    from kg.annotations import brat, labelstudio
    from kg.annotations.model import to_article

    display = display or str(path)
    mapping = _mapping(tool, onto, mapping_path)
    if tool == "brat":
        return [(to_article(brat.read_document(path, display), mapping, reg), str(path.resolve()))]
    docs = labelstudio.documents(path, mapping, display)
    out, problems = [], []
    for doc in docs:
        try:
            out.append((to_article(doc, mapping, reg), labelstudio.source_key(path, doc, len(docs))))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return out


def load_inputs(path: Path, onto: Ontology, reg: Registry, display: str | None = None) -> list[tuple[Article, str]]:
    """Checked articles in one input file, each with the key the build manifest records for it."""
    display = display or str(path)
    tool = tool_of(path)
    if tool is None:
        return [(load_article(path, onto, reg, display), str(path.resolve()))]
    out, problems = [], []
    seen: set[str] = set()
    for data, key in tool_articles(path, tool, onto, reg, display=display):
        if data.get("id") in seen:
            problems.append(Problem(display, f"article id {data.get('id')!r} is used by two tasks; expected each "
                                             "task to have its own id (data.id)"))
            continue
        seen.add(str(data.get("id")))
        try:
            out.append((check_article(data, "", path, f"{display} ({data.get('id')})" if key != str(path.resolve())
                                      else display, onto, reg), key))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return out


def companion_files(path: Path) -> list[Path]:
    """Files other than ``path`` whose content belongs to its article(s) (brat .txt and .meta.yaml)."""
    if path.suffix == ".ann":
        from kg.annotations.brat import companion_files as cf

        return cf(path)
    return []
