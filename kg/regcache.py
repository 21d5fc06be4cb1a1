"""A cache of the checked registry in the store directory, so a rebuild does not re-parse it.

Parsing and checking a registry of thousands of officials takes seconds
(YAML, the schema, line numbers for messages); a rebuild after one article
changed should not pay that each time. The cache is JSON (never pickle: a
store directory may come from someone else), keyed by the registry's bytes and
path, the ontology, the schema and the code that loads the registry, so any
change to one of them loads the registry afresh. A missing, stale or unreadable
cache is simply ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from kg.errors import OutputError
from kg.fileio import write_text
from kg.namespaces import ONTOLOGY_FILE
from kg.ontology import Ontology
from kg.registry import SCHEMA_DIR, Entity, Holding, Registry, load_registry

CACHE_NAME = "tradekg-registry-cache.json"
_KG = Path(__file__).resolve().parent
_CODE = [_KG / "registry.py", _KG / "source.py", _KG / "ontology.py", _KG / "schemacheck.py", _KG / "regcache.py",
         SCHEMA_DIR / "registry.schema.json", ONTOLOGY_FILE]


def cache_key(path: Path, data: bytes) -> str:
    h = hashlib.sha256(str(path).encode("utf-8") + b"\0" + data)
    for f in _CODE:
        h.update(b"\0" + f.read_bytes())
    return h.hexdigest()


def _to_json(reg: Registry) -> dict[str, Any]:
    """Entities and holdings as rows of field values in declaration order (the cache key covers
    registry.py, so a change to the fields makes the cache stale): rows load about twice as fast as
    objects of named fields, which counts in a one-article rebuild."""
    return {"path": reg.path, "digest": reg.digest,
            "entities": [dataclasses.astuple(e) for e in reg.entities.values()],
            "holdings": [dataclasses.astuple(h) for h in reg.holdings]}


def _from_json(d: dict[str, Any]) -> Registry:
    entities = {row[0]: Entity(*row) for row in d["entities"]}
    return Registry(d["path"], entities, [Holding(*row) for row in d["holdings"]], d["digest"])


def load_registry_cached(path: Path, onto: Ontology, cache_dir: Path) -> Registry:
    """:func:`kg.registry.load_registry`, answered from ``cache_dir`` when nothing it depends on changed."""
    try:
        data = path.read_bytes()
    except OSError:
        return load_registry(path, onto)  # let the loader word the error
    key = cache_key(path, data)
    cache = cache_dir / CACHE_NAME
    try:
        doc = json.loads(cache.read_text(encoding="utf-8"))
        if doc.get("key") == key:
            return _from_json(doc["registry"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    reg = load_registry(path, onto)
    try:
        write_text(cache, json.dumps({"key": key, "registry": _to_json(reg)}, ensure_ascii=False), "registry cache")
    except (OutputError, TypeError, ValueError):
        pass  # caching is an optimisation only
    return reg
