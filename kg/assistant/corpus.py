"""The annotated articles the assistant learns from: a corpus folder or a store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.articles import Article
from kg.registry import Registry


def corpus_from_folder(folder: Path, onto: Any, reg: Registry) -> list[Article]:
    """The checked articles under ``folder`` (TradeKG articles, brat and Label Studio exports)."""
    from kg.annotations import load_inputs
    from kg.build import discover

    corpus = discover([folder], registry=Path(reg.path))
    out: list[Article] = []
    for path in corpus.files:
        out.extend(a for a, _ in load_inputs(path, onto, reg))
    return out


def corpus_from_store(store_path: Path, onto: Any, reg: Registry) -> list[Article]:
    """The articles of a store, rebuilt from their graphs."""
    from kg.annotations.store_articles import article_dicts
    from kg.articles import check_article
    from kg.store import reading

    with reading(store_path) as store:
        return [check_article(d, "", store_path / f"{d['id']}.yaml", f"{store_path} ({d['id']})", onto, reg)
                for d in article_dicts(store)]
