"""Running a read query on a store: checks, the time limit for an embedded store, errors that name the query.

The pieces are the library (:mod:`kg.query.library`), typed parameters (:mod:`kg.query.params`), the
result formats (:mod:`kg.query.render`), the child process with a deadline (:mod:`kg.query.timeout`) and
SPARQL updates (:mod:`kg.query.update`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.namespaces import PREFIXES
from kg.query.library import UPDATE_KEYWORDS
from kg.query.params import explain_runtime
from kg.query.render import FORMATS, Outcome, OutputFailed, render
from kg.query.timeout import run_with_deadline
from kg.sparql import query_form, syntax_error


def run_query(store: Any, text: str, out: IO[bytes], bindings: Mapping[str, Any] | None = None,
              fmt: str = "table", timeout: float | None = None, source: str = "<query>",
              union: bool = True, width: int = 160) -> Outcome:
    """Run a read query on ``store`` and write its results to ``out``.

    With a ``timeout`` (seconds) and an embedded store, the query runs in a
    child process on a read-only view of the store and is killed at the
    deadline; without one it runs here.
    """
    bindings = dict(bindings or {})
    form = query_form(text)
    if form in UPDATE_KEYWORDS:
        raise QueryError(f"{source}: this is a SPARQL UPDATE ({form}); updates are refused unless "
                         "--allow-update is given")
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    path = store.capabilities.local_path
    if timeout and path is not None:
        return run_with_deadline(path, text, out, bindings, fmt, timeout, source, union, width)
    try:
        if path is None:
            # check the syntax here, so errors name the user's lines (a server sees a prologue added)
            ox.Store().query(text, prefixes=PREFIXES)
        result = store.query(text, substitutions=bindings, union=union)
        return render(result, fmt, out, width, frozenset(bindings))
    except OutputFailed as exc:
        raise exc.error from None
    except SyntaxError as exc:
        raise syntax_error(exc, text, source) from exc
    except (RuntimeError, OSError, ValueError) as exc:
        raise explain_runtime(exc, bindings, source) from exc


