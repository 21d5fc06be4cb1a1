"""``tradekg validate``: check the store against the SHACL shapes."""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.options import StoreSpec, store_options
from kg.errors import CheckFailed
from kg.export import atomic_output
from kg.fileio import check_output, is_stdout
from kg.namespaces import PREFIXES, SHAPES_FILE
from kg.validate import INFERENCE_MODES, format_text, validate_store


@click.command("validate")
@store_options
@click.option("--shapes", "shapes_path", type=click.Path(dir_okay=False, path_type=Path), default=SHAPES_FILE,
              show_default=True, help="SHACL shapes (Turtle).")
@click.option("--format", "fmt", type=click.Choice(["text", "turtle"]), default="text", show_default=True,
              help="text: a report to read; turtle: the standard sh:ValidationReport graph.")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE",
              help="Where to write the report ('-' = standard output).")
@click.option("--inference", type=click.Choice(INFERENCE_MODES), default="rdfs", show_default=True,
              help="rdfs: pySHACL infers with the ontology; none: use the entailments the builder stored (faster).")
def validate_cmd(spec: StoreSpec, shapes_path: Path, fmt: str, output: str, inference: str) -> None:
    """Check the graph against the SHACL shapes (ontology/shapes.ttl).

    Prints, for each violation, the node's label, what is wrong, and the
    article file and quote the node came from. Exit status: 0 the data
    conforms, 1 it does not, 2 the check could not run.
    """
    if not is_stdout(output):
        check_output(Path(output), "report")  # refuse a folder before the (long) check
    store = spec.open(read_only=True)
    result = validate_store(store, shapes_path, inference=inference)
    with atomic_output(output, "report") as out:
        if fmt == "turtle":
            assert result.report_graph is not None
            for prefix, iri in PREFIXES.items():
                result.report_graph.bind(prefix, iri, override=True)
            out.write(result.report_graph.serialize(format="turtle").encode("utf-8"))
        else:
            out.write(format_text(result, relative_to=Path.cwd()).encode("utf-8"))
    if not result.conforms:
        raise CheckFailed()  # the report says what was found


COMMANDS = [validate_cmd]
