"""``tradekg analyze`` and ``tradekg graph-export``, checked against the store by SPARQL and by re-reading exports."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.store import open_store
from tests.drawn import EDGES_SPARQL, NODES_SPARQL

TDR = "https://w3id.org/tradekg/resource/"
TDO = "https://w3id.org/tradekg/ontology#"

@pytest.fixture(scope="module")
def adjacency(corpus_store: Path) -> dict[str, set[str]]:
    """Undirected neighbours of every drawable node, straight from SPARQL."""
    store = open_store(corpus_store, read_only=True)
    nodes = {r["s"].value for r in store.query(NODES_SPARQL)}
    adj: dict[str, set[str]] = {n: set() for n in nodes}
    for r in store.query(EDGES_SPARQL):
        s, o = r["s"].value, r["o"].value
        if s in nodes and o in nodes and s != o:
            adj[s].add(o)
            adj[o].add(s)
    return adj


@pytest.fixture(scope="module")
def report(corpus_store: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["analyze", "--store", str(corpus_store), "--json", "--top", "50"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_report_counts_and_degrees_match_the_store(report: dict[str, Any], adjacency: dict[str, set[str]]) -> None:
    assert report["nodes"] == len(adjacency)
    assert report["isolated"] == sum(1 for v in adjacency.values() if not v)
    for row in report["officials"] + report["governments"]:
        assert row["degree"] == len(adjacency[row["iri"]]), row["label"]


def test_rankings_hold_the_right_classes_in_order(report: dict[str, Any], corpus_store: Path) -> None:
    store = open_store(corpus_store, read_only=True)
    officials = {r["s"].value for r in store.query("SELECT ?s WHERE { ?s a tdo:Official }")}
    governments = {r["s"].value for r in store.query(
        "SELECT ?s WHERE { { ?s a tdo:Government } UNION { ?s a tdo:GovernmentBody } }")}
    assert {r["iri"] for r in report["officials"]} == officials
    assert {r["iri"] for r in report["governments"]} == governments
    for key in ("officials", "governments"):
        ranks = [(r["betweenness"], r["degree"]) for r in report[key]]
        assert ranks == sorted(ranks, reverse=True), f"{key} ranked by betweenness, then degree"
    top = report["officials"][0]
    assert top["betweenness"] > 0


def test_betweenness_matches_networkx_on_the_sparql_graph(report: dict[str, Any], adjacency: dict[str, set[str]]) -> None:
    g = nx.Graph()
    g.add_nodes_from(adjacency)
    g.add_edges_from((a, b) for a, bs in adjacency.items() for b in bs)
    bc = nx.betweenness_centrality(g)
    for row in report["officials"]:
        assert row["betweenness"] == pytest.approx(bc[row["iri"]], abs=1e-4)


def test_communities_partition_the_connected_nodes(report: dict[str, Any], adjacency: dict[str, set[str]]) -> None:
    sizes = [c["size"] for c in report["communities"]]
    assert sizes == sorted(sizes, reverse=True) and all(s >= 2 for s in sizes)
    assert sum(sizes) == sum(1 for v in adjacency.values() if v)


def test_analysis_is_deterministic(runner: CliRunner, corpus_store: Path, report: dict[str, Any]) -> None:
    again = runner.invoke(cli, ["analyze", "--store", str(corpus_store), "--json", "--top", "50"])
    assert json.loads(again.output) == report


def test_table_output(runner: CliRunner, corpus_store: Path) -> None:
    result = runner.invoke(cli, ["analyze", "--store", str(corpus_store), "--top", "3"])
    assert result.exit_code == 0, result.output
    for heading in ("Most central officials", "Most central governments and bodies", "Communities (Louvain, seeded)"):
        assert heading in result.output
    assert "Donald Trump" in result.output


def _bfs(adj: dict[str, set[str]], a: str, b: str) -> int:
    seen, todo = {a: 0}, deque([a])
    while todo:
        x = todo.popleft()
        for y in adj[x]:
            if y not in seen:
                seen[y] = seen[x] + 1
                todo.append(y)
    return seen[b]


def test_path_between_two_people(runner: CliRunner, corpus_store: Path, adjacency: dict[str, set[str]]) -> None:
    result = runner.invoke(cli, ["analyze", "--store", str(corpus_store), "--path", "shigeru-ishiba", "Keir Starmer",
                                 "--json"])
    assert result.exit_code == 0, result.output
    path = json.loads(result.output)
    a, b = TDR + "person/shigeru-ishiba", TDR + "person/keir-starmer"
    assert (path["from"], path["to"]) == ("person/shigeru-ishiba", "person/keir-starmer")
    assert path["length"] == _bfs(adjacency, a, b) == len(path["steps"]) - 1
    iris = [TDR + s["node"]["id"] for s in path["steps"]]
    assert iris[0] == a and iris[-1] == b
    for x, y in zip(iris, iris[1:], strict=False):
        assert y in adjacency[x], f"{x} and {y} are not linked in the store"
    links = [link for s in path["steps"][:-1] for link in s["links"]]
    assert links and all(link["relation"] for link in links)
    assert any(link["quote"] for link in links), "the facts along the way come with their quotes"


def test_path_text_output(runner: CliRunner, corpus_store: Path) -> None:
    result = runner.invoke(cli, ["analyze", "--store", str(corpus_store), "--path", "shigeru-ishiba", "donald-trump"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("person/shigeru-ishiba to person/donald-trump:")
    assert "Shigeru Ishiba" in result.output and "Donald Trump" in result.output


def test_no_path_is_a_finding(runner: CliRunner, corpus_store: Path, adjacency: dict[str, set[str]]) -> None:
    lonely = sorted(n for n, v in adjacency.items() if not v)
    assert lonely, "the corpus has unconnected nodes (outlets nobody cites as a fact)"
    result = runner.invoke(cli, ["analyze", "--store", str(corpus_store), "--path", "shigeru-ishiba", lonely[0]])
    assert result.exit_code == 1
    assert "are not connected in the graph" in result.output


def test_path_with_unknown_entity(runner: CliRunner, corpus_store: Path) -> None:
    result = runner.invoke(cli, ["analyze", "--store", str(corpus_store), "--path", "shigeru-ishiba", "nobody-x"])
    assert result.exit_code == 2
    assert "no entity in the graph matches 'nobody-x'" in result.output


@pytest.mark.parametrize("suffix, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)],
                         ids=["graphml", "gexf"])
def test_graph_export_round_trips(runner: CliRunner, corpus_store: Path, adjacency: dict[str, set[str]],
                                  tmp_path: Path, suffix: str, reader: Any) -> None:
    out = tmp_path / f"graph.{suffix}"
    result = runner.invoke(cli, ["graph-export", "--store", str(corpus_store), "-o", str(out)])
    assert result.exit_code == 0, result.output
    g = reader(out)
    assert set(g.nodes) == set(adjacency)
    ishiba = g.nodes[TDR + "person/shigeru-ishiba"]
    assert ishiba["label"] == "Shigeru Ishiba" and ishiba["class"] == "head of government"
    assert ishiba["class_iri"] == TDO + "HeadOfGovernment" and int(ishiba["degree"]) == len(adjacency[TDR + "person/shigeru-ishiba"])
    linked = {frozenset((a, b)) for a, b in g.to_undirected().edges() if a != b}
    assert linked == {frozenset((a, b)) for a, bs in adjacency.items() for b in bs}
    labels = {d.get("label") for _, _, d in g.edges(data=True)}
    assert {"participant", "held post", "targets"} <= labels


def test_graph_export_needs_a_known_format(runner: CliRunner, corpus_store: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["graph-export", "--store", str(corpus_store), "-o", str(tmp_path / "g.txt")])
    assert result.exit_code == 2
    assert "give --format graphml or gexf" in result.output
    assert not (tmp_path / "g.txt").exists()


def test_graph_export_focus_to_stdout(runner: CliRunner, corpus_store: Path, adjacency: dict[str, set[str]]) -> None:
    result = runner.invoke(cli, ["graph-export", "--store", str(corpus_store), "-o", "-", "--format", "graphml",
                                 "--focus", "shigeru-ishiba", "--depth", "1"])
    assert result.exit_code == 0, result.output
    import io

    g = nx.read_graphml(io.BytesIO(result.stdout_bytes))
    ishiba = TDR + "person/shigeru-ishiba"
    assert set(g.nodes) == {ishiba} | adjacency[ishiba]
