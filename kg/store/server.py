"""Running an Oxigraph server (``tradekg serve``, tests, benchmarks): find the binary, pick a port, start it,
wait until it answers, stop it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from kg.errors import StoreError


def find_oxigraph() -> str:
    """The ``oxigraph`` server binary: next to this Python (a venv), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise StoreError("the Oxigraph server is not installed: expected an 'oxigraph' command beside "
                     f"{sys.executable} or on PATH; install it with: pip install oxigraph")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_ready(url: str, proc: subprocess.Popen[bytes] | None = None, timeout: float = 20.0) -> None:
    """Poll ``url`` until the server answers; raise StoreError with its output if it exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
            raise StoreError(f"the Oxigraph server exited with status {proc.returncode} before answering at {url}"
                             + (f": {err}" if err else ""))
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise StoreError(f"the Oxigraph server did not answer at {url} within {timeout:g} s")


def start_oxigraph(location: Path, port: int, read_only: bool = False,
                   extra_args: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
    """Start ``oxigraph serve`` (or ``serve-read-only``) on 127.0.0.1:PORT and wait until it answers."""
    cmd = [find_oxigraph(), "serve-read-only" if read_only else "serve", "--location", str(location),
           "--bind", f"127.0.0.1:{port}", *extra_args]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/", proc)
    except BaseException:
        stop_process(proc)
        raise
    return proc


def stop_process(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stderr:
        proc.stderr.close()


@contextmanager
def oxigraph_server(location: Path, port: int | None = None, read_only: bool = False) -> Iterator[str]:
    """An Oxigraph server on a store directory for the duration of the block; yields its query URL."""
    port = port or free_port()
    proc = start_oxigraph(location, port, read_only)
    try:
        yield f"http://127.0.0.1:{port}/query"
    finally:
        stop_process(proc)
