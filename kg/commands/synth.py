"""``tradekg synth``: write a synthetic corpus (registry + annotated articles) for benchmarks."""

from __future__ import annotations

import time
from pathlib import Path

import click

from kg.commands.options import not_stdout
from kg.errors import OutputError
from kg.synth import write_corpus


@click.command()
@click.option("--articles", "n", type=click.IntRange(min=1), required=True, help="Number of articles to write.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write registry.yaml and the articles (a0000/, a0001/, ... 1,000 per folder) into.")
def synth(n: int, seed: int, output: Path) -> None:
    """Write a synthetic corpus of N annotated articles and its registry into OUTPUT.

    The registry has a few hundred jurisdictions and governments and thousands
    of officials whose posts change over the years; articles share meetings,
    tariffs and officials so their facts merge in the graph. Deterministic for
    a seed; files whose bytes would not change are left alone.
    """
    not_stdout(output, "-o/--output")
    t = time.perf_counter()

    def progress(done: int) -> None:
        if done % 10_000 == 0:
            click.echo(f"  {done:,} articles", err=True)

    try:
        reg = write_corpus(output, n, seed=seed, progress=progress)
    except OSError as exc:
        raise OutputError(f"{exc.filename or output}: writing the corpus failed ({exc.strerror or exc}); "
                          "run it again when there is space (it rewrites every file that is not complete)") from exc
    click.echo(f"{output}: {n:,} articles and {reg.name} written (seed {seed}) in {time.perf_counter() - t:.1f} s")


COMMANDS = [synth]
