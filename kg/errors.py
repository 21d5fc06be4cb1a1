"""The one exception tree of TradeKG. Every message names where and what was expected.

The command line maps these to exit codes in one place (:mod:`kg.cli`).
"""

from __future__ import annotations

from dataclasses import dataclass


class TradeKGError(Exception):
    """Base class of every error TradeKG reports to a person."""

    exit_code = 2


class CheckFailed(TradeKGError):
    """A check ran and its answer is no: the data does not conform, an ASK query is false, the store is inconsistent.

    Exit status 1. Raised without a message, the command has already printed what it found and nothing more is
    said; with one, the message is printed like any error's.
    """

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One problem found in one input file."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    span: tuple[int, int] | None = None
    path: str | None = None  # where in the document, e.g. facts[2].rate

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        extra = []
        if self.path:
            extra.append(self.path)
        if self.span is not None:
            extra.append(f"span {self.span[0]}-{self.span[1]}")
        return f"{where}: " + (f"[{', '.join(extra)}] " if extra else "") + self.message


class SourceProblem(TradeKGError):
    """One problem in one input file, found while reading it; the loaders gather these into an :class:`InputError`."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class InputError(TradeKGError):
    """One or more input files are invalid; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        n = len(problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input; nothing was written"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in problems))


class StoreError(TradeKGError):
    """The store cannot be opened, locked, read or written."""


class StoreLockedError(StoreError):
    """Another TradeKG process is writing to the store."""


class QueryError(TradeKGError):
    """A query is invalid, was refused, or did not finish in time."""


class EndpointError(StoreError):
    """A SPARQL server did not answer as expected."""


class OntologyError(TradeKGError):
    """The ontology cannot be loaded, or the data is inconsistent with it."""


class OutputError(TradeKGError):
    """An output file (a page, an export, converted articles) cannot be written where asked."""


class AssetError(TradeKGError):
    """vis-network could not be found in the installed pyvis package."""


class GraphTooLargeError(TradeKGError):
    """The view has more nodes than a browser draws comfortably."""


class NoPathError(CheckFailed):
    """Two entities are not connected in the graph (a finding, exit 1)."""


class SchemaUnsupported(TradeKGError):
    """A JSON Schema uses a keyword the fast checker (:mod:`kg.schemacheck`) does not implement."""


class OutputFailed(TradeKGError):
    """Writing a query's output (not the query) failed; :func:`kg.query.run.run_query` re-raises ``error``,
    the output's own error, so it is reported as what it is (a full disk, a closed pipe)."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error
