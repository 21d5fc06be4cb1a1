"""Running SPARQL: the query library, safe parameters, result formats, time limits and updates.

One module per job:

- :mod:`kg.query.library`: ``queries/*.rq`` files, their headers and parameter declarations, the QUERY argument;
- :mod:`kg.query.params`: ``--param`` values typed as RDF terms, checked against the declarations;
- :mod:`kg.query.render`: the result formats, streamed, with the XML character check, and ``-o`` output;
- :mod:`kg.query.timeout`: the forked child process that runs a query against a deadline;
- :mod:`kg.query.run`: :func:`run_query`, the entry point for read queries;
- :mod:`kg.query.update`: :func:`run_update`, a SPARQL UPDATE in a writer session.

The names below are re-exported so ``from kg.query import ...`` keeps working.
"""

from __future__ import annotations

from kg.query.library import (
    LIBRARY_DIR,
    PARAM_TYPES,
    QUERY_KEYWORDS,
    UPDATE_KEYWORDS,
    LibraryQuery,
    Param,
    load_library,
    load_query_file,
    parse_header,
    resolve,
)
from kg.query.params import bind, expand_iri, explain_runtime, parse_param_args, to_term
from kg.query.render import FORMATS, TABLE_MAX_ROWS, Outcome, OutputFailed, compact, render, visible, write_output
from kg.query.run import run_query
from kg.query.timeout import DEFAULT_TIMEOUT, MAX_TIMEOUT, run_with_deadline
from kg.query.update import run_update
from kg.sparql import query_form

__all__ = [
    "DEFAULT_TIMEOUT", "FORMATS", "LIBRARY_DIR", "MAX_TIMEOUT", "PARAM_TYPES", "QUERY_KEYWORDS", "TABLE_MAX_ROWS",
    "UPDATE_KEYWORDS", "LibraryQuery", "Outcome", "OutputFailed", "Param", "bind", "compact", "expand_iri",
    "explain_runtime", "load_library", "load_query_file", "parse_header", "parse_param_args", "query_form",
    "render", "resolve", "run_query", "run_update", "run_with_deadline", "to_term", "visible", "write_output",
]
