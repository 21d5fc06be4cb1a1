"""The ``tradekg`` command line: a thin layer over the library.

Each module in :mod:`kg.commands` defines click commands and a ``COMMANDS``
list; they are added here. Errors become exit codes in this one place:
0 success, 1 a check found problems (validate, ASK false), 2 bad input or a
failure (the message says which file, line or URL).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Any

import click

from kg import __version__, commands
from kg.errors import TradeKGError


class TradeKGGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TradeKGError as exc:
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
