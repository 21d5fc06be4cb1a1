"""Annotation-tool commands: ``import-annotations``, ``export-annotations``, ``annotate``, ``eval-assistant``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from kg.commands.options import StoreSpec, not_stdout, store_options
from kg.errors import InputError, Problem
from kg.fileio import is_stdout, output

TOOLS = ("brat", "labelstudio")


def _registry(path: Path | None, near: list[Path]) -> Path:
    if path is not None:
        return path
    for base in [*near, Path("articles")]:
        base = base if base.is_dir() else base.parent
        for name in ("registry.yaml", "registry.yml", "registry.json"):
            if (base / name).is_file():
                return base / name
    raise InputError([Problem(str(near[0]) if near else ".", "no registry.yaml found beside the inputs or in "
                                                             "articles/; pass --registry FILE")])


@click.command("import-annotations")
@click.option("--from", "tool", type=click.Choice(TOOLS), required=True, help="The tool that made the files.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the converted articles (ID.yaml + ID.txt).")
@click.option("--registry", type=click.Path(dir_okay=False, path_type=Path),
              help="Entity registry (default: registry.yaml in the output folder, beside the inputs, or articles/).")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path),
              help="Mapping of the tool's types to TradeKG (default: the shipped kg/mappings/TOOL.yaml).")
@click.option("--force", is_flag=True, help="Overwrite articles that exist already.")
def import_annotations(tool: str, paths: tuple[Path, ...], out_dir: Path, registry: Path | None,
                       mapping: Path | None, force: bool) -> None:
    """Convert brat standoff (.ann + .txt) or Label Studio JSON exports in PATHS into TradeKG articles.

    Every input is checked first; on any problem all are listed and nothing is written (exit 2).
    """
    from kg.annotations.convert import import_annotations as run
    from kg.ontology import load_ontology
    from kg.registry import load_registry

    not_stdout(out_dir, "-o/--out")

    onto = load_ontology()
    reg = load_registry(_registry(registry, [out_dir, *paths]), onto)
    written = run(tool, list(paths), out_dir, onto, reg, mapping, force)
    click.echo(f"{len(written) // 2} article(s) written to {out_dir}: "
               + ", ".join(p.name for p in written if p.suffix == ".yaml"))


@click.command("export-annotations")
@store_options
@click.option("--format", "fmt", type=click.Choice(["webannotation", "brat"]), required=True,
              help="W3C Web Annotation JSON-LD, or brat standoff (.txt, .ann, .meta.yaml, annotation.conf).")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write one file (set) per article into.")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path),
              help="brat mapping to write the types with (default: kg/mappings/brat.yaml).")
def export_annotations(spec: StoreSpec, fmt: str, out_dir: Path, mapping: Path | None) -> None:
    """Write the annotations of every article in the store for annotation tools."""
    from kg.annotations.convert import export_annotations as run
    from kg.ontology import load_ontology

    not_stdout(out_dir, "-o/--out")

    store = spec.open(read_only=True)
    written = run(store, fmt, out_dir, load_ontology(), mapping)
    n = sum(1 for p in written if p.suffix in (".jsonld", ".ann"))
    click.echo(f"{n} article(s) exported as {fmt} to {out_dir}")


@click.command("annotate")
@click.argument("text_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--published", help="Publication date YYYY-MM-DD, to resolve 'on Wednesday' (default: from "
                                   "NAME.meta.yaml beside the text, else today).")
@click.option("--registry", type=click.Path(dir_okay=False, path_type=Path),
              help="Entity registry (default: articles/registry.yaml).")
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path),
              help="Annotated articles to learn from (default: the registry's folder).")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path),
              help="Learn from the articles in this store instead of a corpus folder.")
@click.option("--id", "article_id", help="Article id (default: from the file name).")
@click.option("--publisher", help="Registry id of the outlet (default: unknown-publisher, to fill in).")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Leave out proposals less sure than this.")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Draft article (YAML); - for standard output.")
def annotate(text_file: Path, published: str | None, registry: Path | None, corpus: Path | None,
             store_path: Path | None, article_id: str | None, publisher: str | None, threshold: float,
             out: Path) -> None:
    """Draft annotations for a new article's TEXT_FILE, for a person to review.

    Every proposal carries a confidence and the rule that made it.
    """
    from kg import assistant
    from kg.annotations.convert import dump_yaml
    from kg.dates import parse_iso
    from kg.namespaces import slug
    from kg.ontology import load_ontology
    from kg.registry import load_registry
    from kg.source import SourceProblem, read_text

    meta = _sidecar(text_file)
    published = published or meta.get("published")
    publisher = publisher or meta.get("publisher")
    article_id = article_id or meta.get("id")
    if published is not None and parse_iso(published) is None:
        raise click.BadParameter(f"{published!r} is not a calendar date; expected YYYY-MM-DD", param_hint="--published")
    onto = load_ontology()
    reg_path = _registry(registry, [corpus] if corpus else [])
    reg = load_registry(reg_path, onto)
    try:
        text = read_text(text_file, str(text_file))
    except SourceProblem as exc:
        raise InputError([exc.problem]) from exc
    if store_path is not None:
        corpus_articles = assistant.corpus_from_store(store_path, onto, reg)
    else:
        corpus_articles = assistant.corpus_from_folder(corpus or reg_path.parent, onto, reg)
    k = assistant.build_knowledge(reg, corpus_articles)
    day = published or dt.date.today().isoformat()
    aid = article_id or slug(text_file.stem)
    d = assistant.draft(k, text, day, aid, title=meta.get("title"), publisher=publisher,
                        language=str(meta.get("language", "en")), threshold=threshold)
    if out != Path("-") and text_file.resolve().parent == out.resolve().parent:
        d.pop("text")
        d = {**{k2: v for k2, v in d.items() if k2 not in ("mentions", "facts")}, "text_file": text_file.name,
             "mentions": d["mentions"], "facts": d["facts"]}
    body = (f"# Draft by tradekg annotate from {text_file.name} (published {day}); review every proposal.\n"
            + dump_yaml(d))
    with output(out, "draft") as f:
        f.write(body.encode("utf-8"))
    if not is_stdout(out):
        click.echo(f"{out}: {len(d['mentions'])} mention(s) and {len(d['facts'])} fact(s) proposed"
                   + ("" if published else f"; dates resolved against today, {day} (give --published)"))


def _sidecar(text_file: Path) -> dict[str, str]:
    """Metadata from NAME.meta.yaml beside the text (as brat documents keep it), if there is one."""
    from kg.annotations.brat import meta_file
    from kg.source import SourceProblem, parse_document, read_text

    mp = meta_file(text_file.with_suffix(".ann"))
    if mp is None:
        return {}
    try:
        data = parse_document(read_text(mp, str(mp)), str(mp), mp.suffix == ".json")
    except SourceProblem as exc:
        raise InputError([exc.problem]) from exc
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


@click.command("eval-assistant")
@click.argument("corpus", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--registry", type=click.Path(dir_okay=False, path_type=Path),
              help="Entity registry (default: registry.yaml in CORPUS).")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True)
@click.option("--registry-from-rest", is_flag=True,
              help="Also cut the registry down to what the other articles refer to (entities only the "
                   "held-out article names are then new to the assistant).")
@click.option("--held-out", "held_out", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Score this folder of annotated articles instead (e.g. eval/frozen), each drafted with "
                   "the knowledge of CORPUS alone; adds precision, recall and F1 per fact family.")
def eval_assistant(corpus: Path | None, registry: Path | None, threshold: float, registry_from_rest: bool,
                   held_out: Path | None) -> None:
    """Leave-one-out evaluation of the drafting assistant on CORPUS (default: articles).

    Each article is drafted with every other article (and the registry) as knowledge, and its
    draft compared with its hand annotations; recall and precision per article and overall.
    With --held-out FOLDER, the articles of FOLDER are drafted with the knowledge of all of CORPUS
    (none of FOLDER) and scored per article and per fact family.
    """
    from kg import assistant
    from kg.ontology import load_ontology
    from kg.registry import load_registry

    corpus = corpus or Path("articles")
    onto = load_ontology()
    reg = load_registry(_registry(registry, [corpus]), onto)
    arts = assistant.corpus_from_folder(corpus, onto, reg)
    if held_out is not None:
        held = assistant.corpus_from_folder(held_out, onto, reg)
        if not held:
            raise InputError([Problem(str(held_out), "no annotated articles found in this folder")])
        kg_reg = assistant.registry_of(reg, arts) if registry_from_rest else reg
        click.echo(f"held-out set {held_out}: {len(held)} article(s) drafted with the knowledge of {corpus} "
                   f"({len(arts)} article(s)) alone\n")
        click.echo(assistant.held_out(kg_reg, arts, held, threshold).report())
    else:
        click.echo(assistant.report(assistant.leave_one_out(reg, arts, threshold, registry_from_rest)))
    if registry_from_rest:
        click.echo("(registry cut down to the entities the " + ("corpus" if held_out else "other articles")
                   + " refer to)")
    click.echo("\n" + assistant.MATCHING)
    if held_out is not None:
        click.echo("\n" + assistant.FAMILY_MATCHING)


COMMANDS = [import_annotations, export_annotations, annotate, eval_assistant]
