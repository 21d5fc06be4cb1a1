"""``tradekg export``, ``tradekg import`` and ``tradekg export-ontology``."""

from __future__ import annotations

from pathlib import Path

import click

from kg import export as ex
from kg.commands.options import StoreSpec, not_stdout, store_options
from kg.errors import OutputError


@click.command("export")
@store_options
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE",
              help="File to write; '-' writes to standard output.")
@click.option("-f", "--format", "fmt", type=click.Choice(sorted(ex.FORMATS)), default=None,
              help="RDF format [default: from the extension of FILE; turtle for '-'].")
@click.option("--graph", "article", metavar="ARTICLE_ID", default=None,
              help="Export only this article's graph (what it claims, with its evidence).")
@click.option("--include-inferred", is_flag=True,
              help="TriG/N-Quads, --graph: add the RDFS entailment graphs (…/inferred); the knowledge graph has them.")
@click.option("--include-ontology", is_flag=True, help="Add the ontology (its graph, in TriG/N-Quads).")
@click.option("--all", "everything", is_flag=True,
              help="Everything in the store: entailments, ontology and build manifest (a full backup).")
def export_cmd(spec: StoreSpec, output: str, fmt: str | None, article: str | None, include_inferred: bool,
               include_ontology: bool, everything: bool) -> None:
    """Write the graph as Turtle, TriG, N-Quads, N-Triples or JSON-LD.

    Turtle, N-Triples and JSON-LD hold the knowledge graph: every statement
    once, with its entailments, sources and derived facts. TriG and N-Quads
    hold it as the default graph, plus the registry and every article graph
    (what each article claims, with its evidence), without the articles'
    entailment graphs, the ontology or the build manifest unless asked. The
    same store always gives the same bytes.
    """
    if fmt is None and output == "-":
        fmt = "turtle"
    store = spec.open(read_only=True)
    report = ex.export(store, output, fmt, article=article, include_inferred=include_inferred or everything,
                       include_ontology=include_ontology or everything, include_meta=everything)
    where = "standard output" if output == "-" else output
    click.echo(f"{where}: {report.summary()}", err=True)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@store_options
@click.option("-f", "--format", "fmt", type=click.Choice(sorted(ex.IMPORT_FORMATS)), default=None,
              help="RDF format [default: from the extension of FILE].")
@click.option("--graph", metavar="IRI", default=None,
              help="Named graph for the triples of a Turtle/N-Triples/JSON-LD/RDF-XML file [default: the default graph].")
@click.option("--wait", is_flag=True, help="Wait for another writer of the store instead of refusing.")
def import_cmd(file: Path, spec: StoreSpec, fmt: str | None, graph: str | None, wait: bool) -> None:
    """Load FILE (Turtle, TriG, N-Quads, N-Triples, JSON-LD or RDF/XML) into the store.

    The load is one transaction: on any error nothing is written. TriG and
    N-Quads keep their named graphs; a file of triples goes to the default
    graph, or to --graph.
    """
    if graph is not None:
        try:
            import pyoxigraph as ox

            ox.NamedNode(graph)
        except ValueError as exc:
            raise click.BadParameter(f"{graph!r} is not an absolute IRI: {exc}", param_hint="--graph") from exc
    from kg.store import writing

    if spec.path is not None:
        ex.check_import(file, fmt, graph)  # fail before creating or locking a store
    with writing(spec, wait=wait) as store:
        report = ex.import_rdf(store, file, fmt, graph)
    click.echo(f"{report.summary()}")


@click.command("export-ontology")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out/ontology"),
              show_default=True, help="Folder to write into (created if missing).")
def export_ontology_cmd(out_dir: Path) -> None:
    """Write the ontology as Turtle, RDF/XML (opens in Protégé) and an HTML documentation page.

    Also writes the SHACL shapes. The page is generated from the ontology
    itself, with a diagram of the class hierarchy, and needs no network.
    """
    from kg.ontodoc import export_ontology

    not_stdout(out_dir, "-o/--output")
    try:
        written = export_ontology(out_dir)
    except OSError as exc:
        raise OutputError(f"{exc.filename or out_dir}: writing the ontology failed ({exc.strerror or exc})") from exc
    for path in written:
        click.echo(str(path))


COMMANDS = [export_cmd, import_cmd, export_ontology_cmd]
