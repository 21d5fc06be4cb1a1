"""Options shared by commands: where the store is.

Every command that reads or writes the graph takes ``@store_options`` and
receives a :class:`StoreSpec`; ``spec.open(read_only=...)`` gives the store object
(embedded Oxigraph directory, or a SPARQL 1.1 endpoint); :class:`StoreSpec` itself is in :mod:`kg.store.spec`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kg.store.spec import StoreSpec

__all__ = ["COMMANDS", "StoreSpec", "http_timeout_option", "not_stdout", "store_options"]


HTTP_TIMEOUT_HELP = ("Deadline in seconds for each whole request to the server: connecting, sending and reading "
                     "the entire answer (not a limit per read).")


def _positive_seconds(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise click.BadParameter(f"{value}: expected a number of seconds greater than 0 (not 0, negative, nan or inf)")
    return value


def http_timeout_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--http-timeout SECONDS``: a finite number > 0, the deadline of each request to a server."""
    return click.option("--http-timeout", type=float, default=30.0, show_default=True, callback=_positive_seconds,
                        metavar="SECONDS", help=HTTP_TIMEOUT_HELP)(func)


def store_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --store/--endpoint (and friends) and pass ``spec: StoreSpec`` to the command."""

    @click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="Directory of the embedded store [default: store].")
    @click.option("--endpoint", default=None, metavar="URL",
                  help="SPARQL 1.1 query endpoint of a server to use instead of --store "
                       "(auth from TRADEKG_ENDPOINT_USER/TRADEKG_ENDPOINT_PASSWORD or TRADEKG_ENDPOINT_TOKEN).")
    @click.option("--update-endpoint", default=None, metavar="URL",
                  help="SPARQL Update URL, if the server's differs from the query URL.")
    @click.option("--gsp-endpoint", default=None, metavar="URL",
                  help="Graph Store Protocol URL, if the server's differs.")
    @http_timeout_option
    @functools.wraps(func)
    def wrapper(*args: Any, store_path: Path | None, endpoint: str | None, update_endpoint: str | None,
                gsp_endpoint: str | None, http_timeout: float, **kwargs: Any) -> Any:
        if store_path is not None and endpoint is not None:
            raise click.UsageError("give either --store or --endpoint, not both")
        spec = StoreSpec(path=None if endpoint is not None else (store_path or Path("store")), endpoint=endpoint,
                         update_endpoint=update_endpoint, gsp_endpoint=gsp_endpoint, timeout=http_timeout)
        return func(*args, spec=spec, **kwargs)

    return wrapper


def not_stdout(folder: Path, option: str) -> None:
    """Refuse ``-`` (standard output) for an option naming a folder of several files."""
    if str(folder) == "-":
        raise click.BadParameter("'-' (standard output) cannot take several files; give a folder", param_hint=option)


COMMANDS: list[click.Command] = []
