"""Export the store to standard RDF files, and import such files back.

What is exported:

- Turtle, N-Triples and JSON-LD hold triples: they get the *knowledge graph*
  (the store's default graph, :mod:`kg.kg_graph`: every statement once, with
  its entailments, provenance links and derived facts), read as it is stored;
  ``include_ontology`` adds the ontology's triples.
- TriG and N-Quads keep named graphs: the knowledge graph as the default graph,
  plus the registry graph, every article graph (what each article claims, with
  its evidence) and any other named graph (e.g. one loaded with
  ``tradekg import``); ``include_inferred`` adds the RDFS entailment graphs
  (``.../inferred``) and the reasoner's graph; ``include_ontology`` the ontology
  graph; ``include_meta`` the build manifest (``tdg:meta``). All three make a
  full backup that ``tradekg import`` restores.
- ``article``: that article's named graph (with ``include_inferred`` its
  entailments, with ``include_ontology`` the ontology); in Turtle, N-Triples
  and JSON-LD their union.

Everything is streamed through Oxigraph's serializers: no format holds the
graph in Python memory. Output is deterministic: the same store gives a
byte-identical file (Oxigraph orders triples by the hashes of their terms, so
adding a triple does not reorder the others and exports diff cleanly).

The functions take any store object with ``named_graphs()``, ``quads(graph)``,
``query(sparql, union=...)`` (for an article with its entailments) and, for import, ``load_rdf``:
:class:`kg.store.EmbeddedStore` has them, and so can a remote store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import InputError, Problem, StoreError
from kg.fileio import is_stdout, output
from kg.namespaces import (
    META_GRAPH,
    ONTOLOGY_GRAPH,
    PREFIXES,
    article_graph,
    article_id_from_graph,
    article_inferred_graph,
    is_inferred_graph,
    is_valid_id,
)
from kg.store.base import GraphStore

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
"""Export formats by name."""

IMPORT_FORMATS: dict[str, ox.RdfFormat] = {**FORMATS, "rdfxml": ox.RdfFormat.RDF_XML}
"""Import also reads RDF/XML (the ontology as Protégé saves it)."""

EXTENSIONS: dict[str, str] = {
    ".ttl": "turtle", ".turtle": "turtle", ".trig": "trig", ".nq": "nquads", ".nquads": "nquads",
    ".nt": "ntriples", ".ntriples": "ntriples", ".jsonld": "jsonld", ".json": "jsonld",
    ".rdf": "rdfxml", ".owl": "rdfxml", ".xml": "rdfxml",
}
"""File extensions and the format they mean."""

DATASET_FORMATS: frozenset[str] = frozenset({"trig", "nquads"})
"""Formats that keep named graphs."""


def guess_format(path: str | Path, given: str | None = None, formats: dict[str, ox.RdfFormat] = FORMATS) -> str:
    """The format name: ``given`` if set, else guessed from the file name.

    >>> guess_format("out/tradekg.ttl"), guess_format("x.nq"), guess_format("-", "trig")
    ('turtle', 'nquads', 'trig')
    >>> guess_format("x.txt")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: 1 problem in the input; nothing was written:
      x.txt: cannot tell the RDF format from the extension '.txt'; give --format (turtle, trig, nquads, ntriples, jsonld)
    """
    if given:
        if given not in formats:
            raise InputError([Problem(str(path), f"unknown format {given!r}; expected one of {', '.join(formats)}")])
        return given
    ext = Path(str(path)).suffix.lower()
    name = EXTENSIONS.get(ext)
    if name is None or name not in formats:
        raise InputError([Problem(str(path), f"cannot tell the RDF format from the extension {ext!r}; "
                                             f"give --format ({', '.join(formats)})")])
    return name


# ---- which graphs --------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """The named graphs to export, and whether the default graph (the knowledge graph) is included."""

    graphs: tuple[str, ...]
    default_graph: bool = False
    article: str | None = None

    def describe(self, dataset: bool) -> str:
        """What the selection is, for the summary line: "the knowledge graph and 13 named graph(s)"."""
        if self.article is not None:
            extra = [w for g, w in ((article_inferred_graph(self.article), "its entailments"),
                                    (str(ONTOLOGY_GRAPH), "the ontology")) if g in self.graphs]
            return f"article {self.article}" + (f" with {' and '.join(extra)}" if extra else "")
        parts = ["the knowledge graph"] if self.default_graph else []
        if self.graphs:
            parts.append(f"{len(self.graphs)} named graph(s)" if dataset else "the ontology")
        return " and ".join(parts) or "nothing (the store holds no graph)"


def select_graphs(store: GraphStore, article: str | None = None, include_inferred: bool = False,
                  include_ontology: bool = False, include_meta: bool = False, dataset: bool = True) -> Selection:
    """The graphs an export covers (see the module docstring); ``dataset`` False: for a format of triples."""
    present = store.named_graphs()
    chosen: list[str] = []
    if article is not None:
        if not is_valid_id(article):
            raise InputError([Problem("--graph", f"{article!r} is not an article id (lower-case letters, digits, . _ -)")])
        g = article_graph(article)
        if g not in present:
            known = sorted(str(article_id_from_graph(x)) for x in present
                           if article_id_from_graph(x) is not None and not is_inferred_graph(x))
            hint = f"; articles in the store: {', '.join(known[:10])}{' ...' if len(known) > 10 else ''}" if known else ""
            raise StoreError(f"{store.describe()}: no graph for article {article!r}{hint}")
        chosen.append(g)
        if include_inferred and article_inferred_graph(article) in present:
            chosen.append(article_inferred_graph(article))
        if include_ontology and str(ONTOLOGY_GRAPH) in present:
            chosen.append(str(ONTOLOGY_GRAPH))
        return Selection(tuple(chosen), default_graph=False, article=article)
    if not dataset:  # the knowledge graph (it holds the entailments already), and the ontology if asked
        ontology = (str(ONTOLOGY_GRAPH),) if include_ontology and str(ONTOLOGY_GRAPH) in present else ()
        return Selection(ontology, default_graph=True)
    for g in present:
        if g == str(ONTOLOGY_GRAPH):
            if include_ontology:
                chosen.append(g)
        elif g == str(META_GRAPH):
            if include_meta:
                chosen.append(g)
        elif is_inferred_graph(g):
            if include_inferred:
                chosen.append(g)
        else:
            chosen.append(g)
    has_default = bool(store.query("ASK { ?s ?p ?o }", union=False))
    return Selection(tuple(chosen), default_graph=has_default)


# ---- writing -------------------------------------------------------------

class _Counter:
    """Counts the statements streamed through it."""

    def __init__(self) -> None:
        self.n = 0

    def wrap(self, items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            self.n += 1
            yield item


def _iri(v: str) -> str:
    return f"<{v}>"


def union_triples(store: GraphStore, selection: Selection) -> Iterable[ox.Triple]:
    """The triples of the selection: the knowledge graph as stored when it is all there is, else each triple
    of the selected graphs once (a streaming SPARQL CONSTRUCT)."""
    if selection.default_graph and not selection.graphs:
        return (q.triple for q in store.quads(None))
    parts = []
    if selection.graphs:
        values = " ".join(_iri(g) for g in selection.graphs)
        parts.append(f"{{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?g {{ {values} }} }}")
    if selection.default_graph:
        parts.append("{ ?s ?p ?o }")
    if not parts:
        return iter(())
    sparql = "CONSTRUCT { ?s ?p ?o } WHERE { " + " UNION ".join(parts) + " }"
    return store.query(sparql, union=False)  # type: ignore[no-any-return]


def dataset_quads(store: GraphStore, selection: Selection) -> Iterator[ox.Quad]:
    """The quads of the selected graphs, graph by graph (default graph first)."""
    if selection.default_graph:
        yield from store.quads(None)
    for g in selection.graphs:
        yield from store.quads(g)


def write_export(store: GraphStore, out: IO[bytes], fmt: str, selection: Selection) -> int:
    """Serialize the selection to ``out`` in format ``fmt``; returns the number of statements written."""
    counter = _Counter()
    rdf_format = FORMATS[fmt]
    items: Iterable[Any]
    if fmt in DATASET_FORMATS:
        items = dataset_quads(store, selection)
    else:
        items = union_triples(store, selection)
    prefixes = dict(PREFIXES) if fmt in ("turtle", "trig") else None
    ox.serialize(counter.wrap(items), out, rdf_format, prefixes=prefixes)
    return counter.n


@contextmanager
def atomic_output(path: str | Path, what: str = "export") -> Iterator[IO[bytes]]:
    """A binary handle for ``path`` as :func:`kg.fileio.output` gives it (``-`` is standard output;
    a regular file is replaced only if the block succeeds), after refusing a missing folder."""
    target = Path(path)
    if not is_stdout(path) and not target.parent.exists():
        raise InputError([Problem(str(target), f"the folder {target.parent} does not exist")])
    with output(path, what) as fh:
        yield fh


@dataclass(frozen=True)
class ExportReport:
    fmt: str
    statements: int
    what: str  # Selection.describe

    def summary(self) -> str:
        """What was exported, e.g. ``1790 triples: the knowledge graph (turtle)``."""
        kind = "quads" if self.fmt in DATASET_FORMATS else "triples"
        return f"{self.statements} {kind}: {self.what} ({self.fmt})"


def export(store: GraphStore, output: str | Path, fmt: str | None = None, article: str | None = None,
           include_inferred: bool = False, include_ontology: bool = False, include_meta: bool = False) -> ExportReport:
    """Export the store to ``output`` (a file, or ``-`` for standard output)."""
    name = guess_format(output, fmt)
    selection = select_graphs(store, article, include_inferred, include_ontology, include_meta,
                              dataset=name in DATASET_FORMATS)
    with atomic_output(output) as out:
        n = write_export(store, out, name, selection)
    return ExportReport(name, n, selection.describe(name in DATASET_FORMATS))


# ---- import --------------------------------------------------------------

@dataclass(frozen=True)
class ImportReport:
    path: str
    fmt: str
    before: int
    after: int

    def summary(self) -> str:
        return (f"{self.path}: {self.after - self.before} new quads loaded ({self.fmt}); "
                f"{self.after} in the store")


def _syntax_problem(path: Path, exc: SyntaxError) -> Problem:
    msg = getattr(exc, "msg", None) or str(exc)
    return Problem(str(path), msg, line=exc.lineno, column=exc.offset)


def check_import(path: Path, fmt: str | None = None, graph: str | None = None) -> str:
    """The import format of ``path``, after checking that the file exists and ``graph`` fits the format."""
    name = guess_format(path, fmt, IMPORT_FORMATS)
    if not path.is_file():
        raise InputError([Problem(str(path), "no such file")])
    if graph is not None and name in DATASET_FORMATS:
        raise InputError([Problem(str(path), f"--graph is for files of triples; a {name} file names its own graphs")])
    return name


def import_rdf(store: GraphStore, path: Path, fmt: str | None = None, graph: str | None = None) -> ImportReport:
    """Load an RDF file into the store in one transaction (all or nothing).

    Triples (Turtle, N-Triples, JSON-LD, RDF/XML) go to the default graph, or
    to ``graph``; TriG and N-Quads keep the graphs they name.
    """
    name = check_import(path, fmt, graph)
    before = store.quad_count()
    try:
        store.load_rdf(path, IMPORT_FORMATS[name], to_graph=graph)
    except SyntaxError as exc:
        raise InputError([_syntax_problem(path, exc)]) from exc
    except ValueError as exc:
        raise InputError([Problem(str(path), f"cannot read it as {name}: {exc}")]) from exc
    except OSError as exc:
        raise StoreError(f"{store.describe()}: loading {path} failed, nothing was written: {exc}") from exc
    return ImportReport(str(path), name, before, store.quad_count())
