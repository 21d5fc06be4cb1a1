"""The registry cache in the store directory gives the registry load_registry gives, and notices changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ontology import load_ontology
from kg.regcache import CACHE_NAME, load_registry_cached
from kg.registry import load_registry

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def reg_file(tmp_path: Path) -> Path:
    dest = tmp_path / "registry.yaml"
    shutil.copy(ROOT / "articles" / "registry.yaml", dest)
    return dest


def test_cached_registry_equals_a_fresh_load(reg_file: Path, tmp_path: Path) -> None:
    onto = load_ontology()
    first = load_registry_cached(reg_file, onto, tmp_path / "store")
    assert (tmp_path / "store" / CACHE_NAME).is_file()
    second = load_registry_cached(reg_file, onto, tmp_path / "store")  # from the cache
    assert second == first == load_registry(reg_file, onto)


def test_a_changed_registry_is_loaded_again(reg_file: Path, tmp_path: Path) -> None:
    onto = load_ontology()
    load_registry_cached(reg_file, onto, tmp_path / "store")
    reg_file.write_text(reg_file.read_text(encoding="utf-8").replace("name: Donald Trump", "name: Donald J. Trump"),
                        encoding="utf-8")
    again = load_registry_cached(reg_file, onto, tmp_path / "store")
    assert again.entities["donald-trump"].name == "Donald J. Trump"


def test_an_invalid_registry_still_fails_and_a_broken_cache_is_ignored(reg_file: Path, tmp_path: Path) -> None:
    onto = load_ontology()
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / CACHE_NAME).write_text("{not json", encoding="utf-8")
    assert load_registry_cached(reg_file, onto, tmp_path / "store") == load_registry(reg_file, onto)
    reg_file.write_text("format: tradekg-registry/1\npeople: [{id: x}]\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_registry_cached(reg_file, onto, tmp_path / "store")
