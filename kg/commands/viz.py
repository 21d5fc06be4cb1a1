"""``tradekg viz``, ``tradekg analyze`` and ``tradekg graph-export``: the graph page, network analysis, GraphML/GEXF."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kg import fileio
from kg.commands.options import StoreSpec, store_options
from kg.errors import QueryError
from kg.fileio import is_stdout


def _read_query(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read the query file: {exc}; expected a UTF-8 SPARQL CONSTRUCT query") from exc


@click.command()
@store_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("graph.html"),
              show_default=True, help="The HTML page to write; - for standard output.")
@click.option("--focus", metavar="ENTITY", help="Draw only ENTITY's neighbourhood: an id (shigeru-ishiba), a label or an IRI.")
@click.option("--depth", type=click.IntRange(0, 20), default=2, show_default=True, help="Steps around --focus.")
@click.option("--query", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Draw the result of this SPARQL CONSTRUCT query instead of the whole graph.")
@click.option("--max-nodes", type=click.IntRange(1), default=5000, show_default=True,
              help="Refuse (and ask for --focus) above this many nodes.")
def viz(spec: StoreSpec, output: Path, focus: str | None, depth: int, query_file: Path | None, max_nodes: int) -> None:
    """Write the interactive graph page: one self-contained HTML file that works offline.

    Nodes are coloured and shaped by ontology class; click a node or an edge for
    its properties and the quotes that support it. Search, class and relation
    filters and a date control are on the left.
    """
    from kg.viz import graph_page

    store = spec.open(read_only=True)
    report = graph_page(store, output, focus=focus, depth=depth, query=_read_query(query_file),
                        query_name=str(query_file) if query_file else "query", max_nodes=max_nodes)
    click.echo(report.summary(), err=is_stdout(output))


@click.command()
@store_options
@click.option("--top", type=click.IntRange(1), default=10, show_default=True, help="Rows per ranking.")
@click.option("--path", "path", nargs=2, metavar="A B", help="How A and B are connected, with the facts on the way.")
@click.option("--focus", metavar="ENTITY", help="Analyse only ENTITY's neighbourhood (see --depth).")
@click.option("--depth", type=click.IntRange(0, 20), default=2, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def analyze(spec: StoreSpec, top: int, path: tuple[str, str] | None, focus: str | None, depth: int,
            as_json: bool) -> None:
    """Network analysis: most central officials and governments, communities, and paths between entities."""
    from kg.analyze import analyse, path_between, print_analysis, print_path

    store = spec.open(read_only=True)
    if path:
        result = path_between(store, path[0], path[1])
        if as_json:
            click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            print_path(result)
        return
    report = analyse(store, top=top, focus=focus, depth=depth)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_analysis(report)


@click.command("graph-export")
@store_options
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf"]), default=None,
              help="Output format [default: from the file name's suffix].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (.graphml or .gexf), or - for standard output.")
@click.option("--focus", metavar="ENTITY", help="Export only ENTITY's neighbourhood (see --depth).")
@click.option("--depth", type=click.IntRange(0, 20), default=2, show_default=True)
def graph_export(spec: StoreSpec, fmt: str | None, output: Path, focus: str | None, depth: int) -> None:
    """Export the drawn graph for graph tools: GraphML (yEd, Cytoscape) or GEXF (Gephi).

    Nodes carry label, class, IRI, degree, betweenness and community; edges
    carry the relation's label and property IRI.
    """
    from kg.analyze import export_graph

    if fmt is None:
        suffix = output.suffix.lower().lstrip(".")
        if suffix not in ("graphml", "gexf"):
            raise click.UsageError(f"cannot tell the format from {str(output)!r}; give --format graphml or gexf")
        fmt = suffix
    store = spec.open(read_only=True)
    with fileio.output(output, f"{fmt} file") as f:
        n_nodes, n_edges = export_graph(store, None, fmt, focus=focus, depth=depth, stdout=f)
    if not is_stdout(output):
        click.echo(f"{output}: {fmt} with {n_nodes} nodes and {n_edges} edges")


COMMANDS = [viz, analyze, graph_export]
