"""``tradekg query``, ``tradekg queries`` and ``tradekg reason``."""

from __future__ import annotations

import math
import shutil
import sys
from pathlib import Path

import click

from kg.commands.options import StoreSpec, store_options
from kg.errors import CheckFailed, QueryError
from kg.query.library import UPDATE_KEYWORDS, load_library, resolve
from kg.query.params import bind, parse_param_args
from kg.query.render import FORMATS, write_output
from kg.query.run import run_query
from kg.query.timeout import DEFAULT_TIMEOUT, MAX_TIMEOUT
from kg.query.update import run_update
from kg.sparql import query_form


def _check_timeout(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if math.isnan(value) or not 0 <= value <= MAX_TIMEOUT:
        raise click.BadParameter(f"{value}: expected a number of seconds from 0 to {MAX_TIMEOUT:g} "
                                 "(0 for no limit)", ctx=ctx, param=param)
    return value


@click.command()
@click.argument("query_spec", metavar="QUERY")
@store_options
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (repeatable); typed per the query's header: "
                   "an IRI (<...>, tdr:person/ID), a date YYYY-MM-DD, a number or a string.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="SELECT: table, csv, tsv, json, xml (SPARQL 1.1 results); CONSTRUCT/DESCRIBE: turtle, ntriples, xml.")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE", help="Where to write; - is stdout.")
@click.option("--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True, callback=_check_timeout,
              help="Stop the query after this many seconds, at most 1000000 (0: no limit, run in this process).")
@click.option("--allow-update", is_flag=True, help="Allow a SPARQL UPDATE to change the store.")
@click.option("--union", "union", is_flag=True,
              help="Make the default graph the union of all named graphs (articles with their evidence) instead "
                   "of the knowledge graph.")
def query(query_spec: str, spec: StoreSpec, params: tuple[str, ...], fmt: str, output: str, timeout: float,
          allow_update: bool, union: bool) -> None:
    """Run QUERY: a library query name (see `tradekg queries`), a .rq file, or SPARQL text.

    The prefixes tdo, tdr, tdg, rdf, rdfs, owl, xsd, skos, dcterms, foaf, prov,
    org, oa, schema, time and wd are predeclared. The default graph is the
    knowledge graph: each statement once, with its entailments (so `?x a
    tdo:Official` finds a HeadOfGovernment), provenance (tdo:reportedIn,
    tdo:sourceCount) and derived facts (see docs/knowledge-graph.md); each
    article's own graph, with its evidence, is GRAPH <tdg:article/ID>. --union
    makes the default graph the union of the named graphs instead.
    ASK exits 0 when true, 1 when false.

    \b
    tradekg query tariffs-in-force --param date=2025-04-20
    tradekg query 'SELECT ?p WHERE { ?p a tdo:Official }' --format csv
    """
    text, lib_query, source = resolve(query_spec)
    raw = parse_param_args(params)
    form = query_form(text)
    if form in UPDATE_KEYWORDS:
        if not allow_update:
            raise QueryError(f"{source}: this is a SPARQL UPDATE ({form}); it would change the store, so it is "
                             "refused unless --allow-update is given")
        if raw:
            raise QueryError(f"{source}: --param is not supported for updates; parameters are bound only in queries")
        if spec.endpoint or spec.path is None:
            store = spec.open(read_only=False)
            store.update(text)
            click.echo(f"{spec.describe()}: update applied", err=True)
            return
        before, after = run_update(spec.path, text, source)
        click.echo(f"{spec.describe()}: update applied; {before} quads before, {after} after", err=True)
        return
    bindings = bind(lib_query, raw)
    store = spec.open(read_only=True)
    width = shutil.get_terminal_size((250, 24)).columns if output == "-" and sys.stdout.isatty() else 250
    outcome = write_output(output, lambda f: run_query(store, text, f, bindings, fmt=fmt, timeout=timeout or None,
                                                         source=source, union=union, width=width))
    if outcome.rows is not None:
        click.echo(f"{outcome.rows} row{'s' if outcome.rows != 1 else ''}", err=True)
    if outcome.boolean is False:
        raise CheckFailed()


@click.command()
@click.option("--checks", is_flag=True, help="List the data-quality check queries instead.")
def queries(checks: bool) -> None:
    """List the query library: name, title, question and parameters."""
    lib = load_library()
    for name, q in lib.items():
        if name.startswith("checks/") != checks:
            continue
        click.echo(click.style(name, bold=True) + f"  {q.title}")
        if q.question:
            click.echo(f"    {q.question}")
        for p in q.params:
            click.echo(f"    --param {p.describe()}" + (f": {p.description}" if p.description else ""))


@click.command()
@store_options
@click.option("--no-write", is_flag=True, help="Only check consistency; do not write the inferred types.")
@click.option("--wait", is_flag=True, help="Wait for a build on the same store instead of refusing.")
def reason(spec: StoreSpec, no_write: bool, wait: bool) -> None:
    """Check the store against the ontology with HermiT (owlready2) and store the inferred types.

    Inconsistencies are explained (which individuals, which axioms) and exit 1.
    Inferred types not already in the store go into the graph tdg:inferred/hermit.
    """
    from kg.reason import reason as run_reason

    if spec.path is None:
        raise QueryError("tradekg reason works on an embedded store (--store DIR)")
    report = run_reason(Path(spec.path), write=not no_write, wait=wait)
    click.echo(report.summary())
    if not report.consistent:
        raise CheckFailed()


COMMANDS = [query, queries, reason]
