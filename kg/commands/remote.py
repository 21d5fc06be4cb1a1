"""``tradekg push``, ``pull`` and ``serve``: moving the graph to and from a SPARQL server, and serving a store."""

from __future__ import annotations

import signal
import socket
import subprocess
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kg.commands.options import StoreSpec, http_timeout_option
from kg.errors import StoreError
from kg.store.base import GraphStore


def _endpoint_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--store DIR and --endpoint URL together (both required), with the endpoint's companions."""
    options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        click.option("--store", "store_path", required=True, type=click.Path(file_okay=False, path_type=Path),
                     help="Directory of the embedded store."),
        click.option("--endpoint", required=True, metavar="URL", help="SPARQL 1.1 query endpoint of the server "
                     "(auth from TRADEKG_ENDPOINT_USER/TRADEKG_ENDPOINT_PASSWORD or TRADEKG_ENDPOINT_TOKEN)."),
        click.option("--update-endpoint", metavar="URL", help="SPARQL Update URL, if the server's differs."),
        click.option("--gsp-endpoint", metavar="URL", help="Graph Store Protocol URL, if the server's differs."),
        http_timeout_option,
        click.option("--prune", is_flag=True, help="Also drop graphs the source does not have."),
        click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors."),
    ]
    for opt in reversed(options):
        func = opt(func)
    return func


def _remote(endpoint: str, update: str | None, gsp: str | None, timeout: float) -> StoreSpec:
    return StoreSpec(endpoint=endpoint, update_endpoint=update, gsp_endpoint=gsp, timeout=timeout)


def _copy(src: GraphStore, dst: GraphStore, prune: bool, quiet: bool, verb: str) -> None:
    from kg.store import copy_graphs

    with Progress(TextColumn(verb), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True, disable=quiet) as bar:
        task = bar.add_task(verb, total=None)
        report = copy_graphs(src, dst, prune=prune, progress=lambda d, t: bar.update(task, completed=d, total=t))
    if not quiet:
        dropped = f", {len(report.dropped)} dropped" if report.dropped is not None else ""
        click.echo(f"{src.describe()} -> {dst.describe()}: {report.graphs} graph(s), {report.quads} quads copied"
                   f" and the knowledge graph ({report.default_quads} triples){dropped}; {dst.quad_count()} quads there now")


@click.command()
@_endpoint_options
def push(store_path: Path, endpoint: str, update_endpoint: str | None, gsp_endpoint: str | None,
         http_timeout: float, prune: bool, quiet: bool) -> None:
    """Copy every graph of the embedded store --store to the SPARQL server --endpoint.

    Each article graph is replaced on the server together with its /inferred
    graph and manifest row in one transaction; graphs the server has and the
    store lacks are kept unless --prune.
    """
    from kg.store import reading, writing

    with reading(store_path) as src, writing(_remote(endpoint, update_endpoint, gsp_endpoint, http_timeout)) as dst:
        _copy(src, dst, prune, quiet, "pushing")


@click.command()
@_endpoint_options
def pull(store_path: Path, endpoint: str, update_endpoint: str | None, gsp_endpoint: str | None,
         http_timeout: float, prune: bool, quiet: bool) -> None:
    """Copy every graph of the SPARQL server --endpoint into the embedded store --store."""
    from kg.store import reading, writing

    with reading(_remote(endpoint, update_endpoint, gsp_endpoint, http_timeout)) as src, writing(store_path) as dst:
        _copy(src, dst, prune, quiet, "pulling")


@click.command()
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), default=Path("store"),
              show_default=True, help="Directory of the embedded store to serve.")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True,
              help="Port on 127.0.0.1.")
@click.option("--allow-update", is_flag=True, help="Accept SPARQL Update and Graph Store writes (default: read-only).")
def serve(store_path: Path, port: int, allow_update: bool) -> None:
    """Serve the store with an Oxigraph SPARQL server on 127.0.0.1 until Ctrl-C.

    While it runs, the store directory is in use by the server: a build must
    wait (read-write server) or will not be seen until restart (read-only).
    """
    from kg.store import forget_manifest_cache, open_store, write_lock
    from kg.store.server import find_oxigraph, stop_process, wait_until_ready

    if not (store_path / "CURRENT").exists():
        raise StoreError(f"{store_path}: no TradeKG store here; build one with: tradekg build articles --store {store_path}")
    open_store(store_path, read_only=True).close()  # refuses a store of an older format, with the upgrade command
    binary = find_oxigraph()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise StoreError(f"cannot serve on port {port} of 127.0.0.1: it is in use ({exc.strerror}); "
                             "choose another with --port") from exc
    mode = "serve" if allow_update else "serve-read-only"
    base = f"http://127.0.0.1:{port}"
    # Ctrl-C (even when started in the background, where SIGINT is ignored) and SIGTERM stop it cleanly,
    # from the moment the server is started (a SIGTERM before "serving" was printed killed this process
    # and left the server running)
    previous = {s: signal.signal(s, _raise_interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    proc: subprocess.Popen[bytes] | None = None
    try:
        with write_lock(store_path) if allow_update else nullcontext():
            if allow_update:
                forget_manifest_cache(store_path)  # the server may write the manifest graph
            proc = subprocess.Popen([binary, mode, "--location", str(store_path), "--bind", f"127.0.0.1:{port}"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                wait_until_ready(base + "/", proc)
            except StoreError as exc:
                raise StoreError(f"{store_path}: cannot serve on port {port}: {exc}") from exc
            access = "read-write (--allow-update)" if allow_update else "read-only"
            click.echo(f"serving {store_path} ({access})\n"
                       f"  query page:      {base}/\n"
                       f"  SPARQL endpoint: {base}/query\n"
                       + (f"  update:          {base}/update\n  graph store:     {base}/store\n" if allow_update else "")
                       + f"  e.g. tradekg query --endpoint {base}/query 'SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}'\n"
                       "press Ctrl-C to stop", err=False)
            code = proc.wait()
            err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
            raise StoreError(f"the Oxigraph server stopped by itself (status {code})" + (f": {err}" if err else ""))
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        if proc is not None:
            stop_process(proc)  # stopped by a signal, or by an error: the server never outlives serve
        for s, handler in previous.items():
            signal.signal(s, handler)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


COMMANDS = [push, pull, serve]
