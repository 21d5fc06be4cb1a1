"""``tradekg reason``: HermiT over ontology + data, explanations, inferred types in their own graph."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.cli import cli
from kg.namespaces import REASONER_GRAPH, TDO, TDR
from kg.reason import _quickxplain, _to_rdflib, data_graphs, reason
from kg.store import open_store

pytestmark = pytest.mark.slow


@pytest.fixture
def store_copy(corpus_store: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "store"
    shutil.copytree(corpus_store, dest, ignore=shutil.ignore_patterns("LOCK", "tradekg.lock"))
    return dest


def test_dates_are_given_to_hermit_as_datetimes() -> None:
    d = _to_rdflib(ox.Literal("2025-04-16", datatype=ox.NamedNode(str(XSD.date))))
    assert d == Literal("2025-04-16T00:00:00", datatype=XSD.dateTime)
    assert _to_rdflib(ox.Literal("x", language="en")) == Literal("x", lang="en")


def test_reason_on_the_corpus_is_consistent_and_writes_only_new_types(runner: CliRunner, store_copy: Path) -> None:
    result = runner.invoke(cli, ["reason", "--store", str(store_copy)])
    assert result.exit_code == 0, result.output
    assert "consistent:" in result.stdout
    store = open_store(store_copy, read_only=True)
    inferred = [(q.subject.value, q.object.value)
                for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(str(REASONER_GRAPH)))]
    assert all(p == str(RDF.type) for p in
               {q.predicate.value for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(str(REASONER_GRAPH)))})
    for s, c in inferred:  # new knowledge only: not asserted, not in the RDFS graphs
        others = [q for q in store.ox.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(str(RDF.type)), ox.NamedNode(c))
                  if q.graph_name != ox.NamedNode(str(REASONER_GRAPH))]
        assert not others, (s, c)
    # HermiT applies property domains the RDFS materialisation does not: while tdo:participant has the domain
    # tdo:Meeting, the joint statement that lists participants is inferred to be a meeting
    from rdflib.namespace import RDFS

    from kg.ontology import load_ontology

    if (TDO.participant, RDFS.domain, TDO.Meeting) in load_ontology().graph:
        assert (str(TDR["event/us-japan-joint-statement-2025-02-07"]), str(TDO.Meeting)) in inferred
    # a second run replaces the graph instead of adding to it
    n = store.quad_count(str(REASONER_GRAPH))
    del store
    assert runner.invoke(cli, ["reason", "--store", str(store_copy)]).exit_code == 0
    assert open_store(store_copy, read_only=True).quad_count(str(REASONER_GRAPH)) == n


def test_an_inconsistency_is_explained_and_nothing_is_written(runner: CliRunner, store_copy: Path) -> None:
    store = open_store(store_copy, read_only=False)
    measure = str(TDR["measure/us-reciprocal-tariff-japan-2025"])
    store.update(f"INSERT DATA {{ GRAPH <https://w3id.org/tradekg/graph/article/broken> "
                 f"{{ <{measure}> tdo:ratePercent \"twenty-four\" }} }}")
    store.flush()
    before = store.quad_count()
    del store
    result = runner.invoke(cli, ["reason", "--store", str(store_copy)])
    assert result.exit_code == 1
    out = result.stdout
    assert "INCONSISTENT" in out and "nothing was written" in out
    assert "measure:us-reciprocal-tariff-japan-2025" in out and "tdo:ratePercent" in out
    assert "'twenty-four'" in out and "rdfs:range xsd:decimal" in out
    assert open_store(store_copy, read_only=True).quad_count() == before


def test_reason_reads_asserted_graphs_only(corpus_store: Path) -> None:
    graphs = data_graphs(open_store(corpus_store, read_only=True))
    assert graphs and not [g for g in graphs if g.endswith("/inferred") or g.endswith("/meta") or "ontology" in g]


class _FakeHermit:
    """Inconsistent exactly when two given triples are both present (as A and B would be under a disjointness)."""

    def __init__(self, a: tuple[object, ...], b: tuple[object, ...]) -> None:
        self.a, self.b, self.calls = a, b, 0

    def run(self, data: list[tuple[object, ...]], classify: bool = False) -> tuple[bool, list[tuple[str, str]]]:
        self.calls += 1
        s = set(data)
        return not (self.a in s and self.b in s), []


def test_quickxplain_finds_the_two_conflicting_individuals() -> None:
    groups = [[(URIRef(f"urn:x:{i}"), RDF.type, URIRef("urn:c"))] for i in range(200)]
    hermit = _FakeHermit(groups[17][0], groups[153][0])
    found = _quickxplain(hermit, groups)  # type: ignore[arg-type]
    assert found == [groups[17], groups[153]]
    assert hermit.calls < 40  # logarithmic, not one run per individual


def test_hermit_types_an_untyped_resource_from_a_property_domain(store_copy: Path) -> None:
    """RDFS materialisation types nothing from domains; HermiT does, and the type lands in the reasoner graph."""
    store = open_store(store_copy, read_only=False)
    x = str(TDR["event/untyped-remark"])
    store.update(f"INSERT DATA {{ GRAPH <https://w3id.org/tradekg/graph/article/extra> "
                 f"{{ <{x}> tdo:speaker <{TDR['person/donald-trump']}> }} }}")
    store.flush()
    del store
    report = reason(store_copy)
    assert report.consistent and (x, str(TDO.Statement)) in report.inferred
    assert (x, str(TDO.Event)) in report.inferred  # and its superclasses
    s = open_store(store_copy, read_only=True)
    assert list(s.ox.quads_for_pattern(ox.NamedNode(x), ox.NamedNode(str(RDF.type)), ox.NamedNode(str(TDO.Statement)),
                                       ox.NamedNode(str(REASONER_GRAPH))))
