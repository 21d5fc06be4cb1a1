"""Building the store from a corpus of annotated articles (see :mod:`kg.build.run` for what a build does).

The package, one job per module, each importing only those listed before it:

- :mod:`kg.build.signature`: input stat signatures and hashes (size-capped reads, text files);
- :mod:`kg.build.corpus`: discovering the input files and the registry (:func:`discover`), store folders skipped;
- :mod:`kg.build.report`: :class:`BuildReport`;
- :mod:`kg.build.manifest`: the manifest index (:class:`_Index`) and where it is read from;
- :mod:`kg.build.changes`: which inputs changed, and which graphs the store has;
- :mod:`kg.build.prepare`: one checked article mapped to its graph update and manifest row;
- :mod:`kg.build.spool`: the temporary file of mapped articles between the check and the write pass;
- :mod:`kg.build.write`: the write step, what each store transaction (batch) writes;
- :mod:`kg.build.run`: :func:`build`, :func:`build_to_endpoint` and the constants they read.

This module re-exports the names other modules, the tests and the benchmarks import. A test that patches
a constant or helper patches it in the module that uses it (e.g. ``kg.build.run.BATCH_QUADS``,
``kg.build.spool.tempfile``), which is why the constants are not re-exported here.
"""

from kg.build.corpus import REGISTRY_NAMES, Corpus, Entry, discover
from kg.build.manifest import _Index
from kg.build.report import BuildReport
from kg.build.run import build, build_to_endpoint
from kg.build.write import _ontology_nquads

__all__ = ["REGISTRY_NAMES", "BuildReport", "Corpus", "Entry", "_Index", "_ontology_nquads", "build",
           "build_to_endpoint", "discover"]
