"""Shared fixtures: the CLI runner, the bundled corpus, and a store built from it once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
SEED_ID = "000-japan-braces-for-trade-talks"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the bundled articles; tests must not write to it."""
    path = tmp_path_factory.mktemp("corpus") / "store"
    build([ARTICLES], path)
    return path


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled corpus folder that a test may change."""
    dest = tmp_path / "articles"
    shutil.copytree(ARTICLES, dest)
    return dest
