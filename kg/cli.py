"""The ``tradekg`` command line: a thin layer over the library.

Each module in :mod:`kg.commands` defines click commands and a ``COMMANDS``
list; they are added here. Errors become exit codes in this one place:
0 success, 1 a check found problems (validate, ASK false), 2 bad input or a
failure (the message says which file, line or URL).

Standard output is handled here too, once for every command: it is flushed
before the command counts as done, so a full disk (``> /dev/full``) is one line
``error: standard output: ... (No space left on device)`` and exit 2. When the
reader of standard output goes away (``tradekg export | head -1``) TradeKG
stops quietly as GNU tools do: no message, and exit status 141 (128 + SIGPIPE,
what a shell shows for a process killed by SIGPIPE; we exit with it rather than
die of the signal so clean-up still runs).
"""

from __future__ import annotations

import errno
import importlib
import os
import pkgutil
import sys
from typing import Any

import click

from kg import __version__, commands
from kg.errors import CheckFailed, TradeKGError

EXIT_SIGPIPE = 128 + 13
"""Exit status when the reader of standard output went away (as a shell reports death by SIGPIPE)."""

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real descriptor (e.g. a test runner's buffer)
        pass


class TradeKGGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # a failure to write standard output belongs to this command
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                _silence_stdout()
                sys.exit(EXIT_SIGPIPE)
            if exc.errno in _FULL:
                # Files are written through kg.fileio, whose errors name the file; an unnamed
                # write error is standard output (click.echo, rich) failing.
                where = exc.filename if exc.filename is not None else "standard output"
                if exc.filename is None:
                    _silence_stdout()
                click.echo(f"error: {where}: writing failed ({exc.strerror or exc})", err=True)
                sys.exit(2)
            raise
        except TradeKGError as exc:
            if str(exc) or not isinstance(exc, CheckFailed):  # a bare CheckFailed: the command said what it found
                click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted; the store keeps its last complete state", err=True)
            sys.exit(130)


@click.group(cls=TradeKGGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tradekg")
def cli() -> None:
    """TradeKG: a knowledge graph of trade diplomacy built from annotated news articles."""


def _load_commands() -> None:
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"kg.commands.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            cli.add_command(command)


_load_commands()


def main() -> None:
    cli(prog_name="tradekg")
