"""Data files that ship inside the package: the ontology (``ontology/`` in the repository) and the
query library (``queries/``), mapped here by ``[tool.setuptools.package-dir]`` in pyproject.toml.

Read them with :func:`path`, which works from a source checkout, an editable install and a plain
``pip install``:

>>> (path("ontology") / "tradekg.ttl").is_file()
True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

_REPO = Path(__file__).resolve().parent.parent.parent


def path(kind: Literal["ontology", "queries"]) -> Path:
    """The folder holding the ontology or the query library, as a file-system path.

    In a source checkout (editable install or none) that is the repository's own folder, so edits
    take effect at once; in an installed package it is the copy inside the package.
    """
    local = _REPO / kind
    if (_REPO / "pyproject.toml").is_file() and local.is_dir():
        return local
    return Path(str(resources.files("kg.resources"))) / kind
