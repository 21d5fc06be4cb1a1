"""``tradekg build``: check annotated articles and write them into the store."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from kg.build import build as run_build
from kg.commands.options import StoreSpec, store_options


class _Bar:
    """A progress bar that appears only once writing starts (checking prints nothing)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.progress is None:
            self.progress = Progress(TextColumn("writing article graphs"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task("build", total=total)
        assert self.task is not None
        self.progress.update(self.task, completed=done, total=total)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@store_options
@click.option("--registry", type=click.Path(dir_okay=False, path_type=Path),
              help="Entity registry (default: registry.yaml beside the articles).")
@click.option("--no-prune", is_flag=True, help="Keep graphs of articles no longer in the given folders.")
@click.option("--wait", is_flag=True, help="Wait for another build on the same store instead of refusing.")
@click.option("--optimize/--no-optimize", default=None,
              help="Compact the embedded store after writing (default: when the build wrote at least "
                   "1,000,000 quads; --optimize also compacts when nothing changed).")
@click.option("--force", is_flag=True,
              help="Rebuild every article (and the ontology and registry graphs), changed or not.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def build(paths: tuple[Path, ...], spec: StoreSpec, registry: Path | None, no_prune: bool, wait: bool,
          optimize: bool | None, force: bool, quiet: bool) -> None:
    """Check the articles in PATHS (files or folders; default: articles) and build them into the store.

    Every article is checked first; if any is invalid, every problem is listed
    and the store is left unchanged (exit 2). Unchanged articles are skipped,
    changed ones replaced, and articles deleted from a folder removed. An
    article counts as changed when any file it reads changed (its text file,
    brat .txt and .meta.yaml) or its graph is missing from the store; --force
    rebuilds them all. Store folders inside PATHS are not read as articles.
    """
    if spec.endpoint is not None and optimize:
        raise click.UsageError("--optimize compacts an embedded store (--store); a SPARQL server manages its own "
                               "storage, so leave --optimize out with --endpoint")
    bar = _Bar(enabled=not quiet)
    sources = list(paths) or [Path("articles")]
    try:
        if spec.endpoint is not None:
            from kg.build import build_to_endpoint

            report = build_to_endpoint(sources, spec, registry=registry, prune=not no_prune, progress=bar,
                                       force=force)
        else:
            assert spec.path is not None
            report = run_build(sources, spec.path, registry=registry, prune=not no_prune, wait=wait, progress=bar,
                               optimize=optimize, force=force)
    finally:
        bar.close()
    if not quiet:
        click.echo(f"{spec.describe()}: {report.summary()}")


COMMANDS = [build]
