"""Building the store from a corpus of annotated articles (see :mod:`kg.build.run`).

The names other modules, the tests and the benchmarks import from ``kg.build``. Tests that patch a
constant or a helper patch it in the module that uses it (``kg.build.run.BATCH_QUADS``), not here.
"""

from kg.build.run import (
    REGISTRY_NAMES,
    BuildReport,
    Corpus,
    Entry,
    _Index,
    _ontology_nquads,
    build,
    build_to_endpoint,
    discover,
)

__all__ = ["REGISTRY_NAMES", "BuildReport", "Corpus", "Entry", "_Index", "_ontology_nquads", "build",
           "build_to_endpoint", "discover"]
