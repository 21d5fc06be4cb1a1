"""SHACL validation: each shape fires on a small bad graph (tests/shapes/bad-*.ttl), the corpus conforms,
and ``tradekg validate`` reports label, message, article file and quote, with exit codes 0/1/2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS

from kg.cli import cli
from kg.namespaces import SH, SHAPES_FILE, TDO
from kg.ontology import load_ontology
from kg.validate import validate_graph

SHAPES_DIR = Path(__file__).resolve().parent / "shapes"
BAD = sorted(SHAPES_DIR.glob("bad-*.ttl"))
EX = "https://w3id.org/tradekg/resource/test/"


def expectations(path: Path) -> set[tuple[str, str]]:
    """(shape, focus) pairs from the file's ``# expect: tds:Shape ex:node`` lines."""
    pairs = set(re.findall(r"^# expect: (\S+) ex:(\S+)$", path.read_text(encoding="utf-8"), flags=re.M))
    assert pairs, f"{path.name} has no '# expect:' line"
    return {(shape, f"tdr:test/{node}") for shape, node in pairs}


def world(*files: Path) -> Graph:
    g = Graph()
    for f in (SHAPES_DIR / "base.ttl", *files):
        g.parse(f, format="turtle")
    return g


def test_base_world_conforms() -> None:
    """The base graph satisfies every shape, so each bad file's violations are its own."""
    result = validate_graph(world())
    assert result.conforms, [(v.shape, v.focus, v.message) for v in result.violations]


def test_every_shape_is_exercised_by_a_bad_graph() -> None:
    shapes = Graph().parse(SHAPES_FILE)
    targeted = {f"tds:{str(s).rsplit('#', 1)[-1]}" for s in shapes.subjects(SH.targetClass, None)}
    fired = {shape for f in BAD for shape, _ in expectations(f)}
    assert targeted <= fired, f"shapes with no bad graph: {targeted - fired}"


def test_shape_targets_are_ontology_classes() -> None:
    """Targets are derived from the ontology: every sh:targetClass is a class declared in tradekg.ttl."""
    onto = load_ontology()
    shapes = Graph().parse(SHAPES_FILE)
    for cls in shapes.objects(None, SH.targetClass):
        assert str(cls) in onto.classes, f"{cls} is not a class of the ontology"
    for cls in shapes.objects(None, SH["class"]):
        assert str(cls) in onto.classes, f"sh:class {cls} is not a class of the ontology"


@pytest.mark.parametrize("bad", BAD, ids=[p.stem.removeprefix("bad-") for p in BAD])
def test_shape_fires_on_bad_graph(bad: Path) -> None:
    result = validate_graph(world(bad))
    assert not result.conforms
    got = {(v.shape, v.focus) for v in result.violations}
    assert got == expectations(bad), [(v.shape, v.focus, v.message) for v in result.violations]
    for v in result.violations:
        assert v.message and v.message != "constraint violated", f"{v.shape} has no sh:message"


def test_violation_names_label_file_and_quote() -> None:
    result = validate_graph(world(SHAPES_DIR / "bad-meeting-with-one-participant.ttl"))
    (v,) = result.violations
    assert v.label == "Phone call, 2025-04-07"
    assert "at least two participants" in v.message
    assert [(s.file, s.quote) for s in v.sources] == [("articles/a1.yaml", "Pat phoned")]


def test_inference_covers_subclasses() -> None:
    """A tdo:Summit is checked by the tdo:Meeting shape only because the ontology says Summit ⊑ Meeting."""
    g = world(SHAPES_DIR / "bad-meeting-without-date.ttl")
    assert (None, RDF.type, TDO.Meeting) not in g
    assert not validate_graph(g).conforms


@pytest.mark.parametrize("inference", ["rdfs", "none"])
def test_corpus_conforms(runner, corpus_store: Path, inference: str) -> None:
    result = runner.invoke(cli, ["validate", "--store", str(corpus_store), "--inference", inference])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("conforms:")


def _bad_store(runner, tmp_path: Path, corpus_store: Path) -> Path:
    """A copy of the corpus plus one bad meeting, loaded through tradekg export/import."""
    dump = tmp_path / "corpus.trig"
    assert runner.invoke(cli, ["export", "--store", str(corpus_store), "-o", str(dump), "--all"]).exit_code == 0
    store = tmp_path / "store"
    assert runner.invoke(cli, ["import", str(dump), "--store", str(store)]).exit_code == 0
    bad = world(SHAPES_DIR / "bad-meeting-with-one-participant.ttl")
    bad_file = tmp_path / "bad.nt"
    bad.serialize(bad_file, format="nt", encoding="utf-8")
    r = runner.invoke(cli, ["import", str(bad_file), "--store", str(store), "--graph", "https://w3id.org/tradekg/graph/test"])
    assert r.exit_code == 0, r.output
    return store


def test_cli_reports_violations_with_exit_1(runner, corpus_store: Path, tmp_path: Path) -> None:
    store = _bad_store(runner, tmp_path, corpus_store)
    result = runner.invoke(cli, ["validate", "--store", str(store)])
    assert result.exit_code == 1, result.output
    assert "Violation: Phone call, 2025-04-07 (tdr:test/lonely-call)" in result.output
    assert "a meeting needs at least two participants" in result.output
    assert 'from articles/a1.yaml: "Pat phoned"' in result.output
    assert "does not conform: 1 violation(s) on 1 node(s)" in result.output


def test_cli_turtle_report_is_a_standard_validation_report(runner, corpus_store: Path, tmp_path: Path) -> None:
    store = _bad_store(runner, tmp_path, corpus_store)
    out = tmp_path / "report.ttl"
    result = runner.invoke(cli, ["validate", "--store", str(store), "--format", "turtle", "-o", str(out)])
    assert result.exit_code == 1
    report = Graph().parse(out, format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    (res,) = report.objects(node, SH.result)
    assert str(report.value(res, SH.focusNode)) == EX + "lonely-call"
    assert report.value(res, SH.resultSeverity) == SH.Violation


def test_cli_bad_shapes_file_exits_2(runner, corpus_store: Path, tmp_path: Path) -> None:
    broken = tmp_path / "shapes.ttl"
    broken.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\nthis is not turtle\n")
    result = runner.invoke(cli, ["validate", "--store", str(corpus_store), "--shapes", str(broken)])
    assert result.exit_code == 2
    assert str(broken) in result.output
    result = runner.invoke(cli, ["validate", "--store", str(tmp_path / "no-store")])
    assert result.exit_code == 2
    assert "no TradeKG store" in result.output


def test_labels_come_from_the_data() -> None:
    g = world(SHAPES_DIR / "bad-official-without-post.ttl")
    assert g.value(predicate=RDFS.label, object=Literal("Kim NoPost", lang="en")) is not None
    (v,) = validate_graph(g).violations
    assert v.label == "Kim NoPost"
    assert v.sources == ()


def test_cli_names_the_graph_of_a_node_no_article_names(runner, corpus_store: Path, tmp_path: Path) -> None:
    store = _bad_store(runner, tmp_path, corpus_store)
    bare = tmp_path / "bare.ttl"
    bare.write_text("@prefix tdo: <https://w3id.org/tradekg/ontology#> .\n"
                    "<https://w3id.org/tradekg/resource/person/nobody> a tdo:Minister .\n", encoding="utf-8")
    r = runner.invoke(cli, ["import", str(bare), "--store", str(store), "--graph", "https://w3id.org/tradekg/graph/imported"])
    assert r.exit_code == 0, r.output
    result = runner.invoke(cli, ["validate", "--store", str(store)])
    assert result.exit_code == 1
    block = result.output.split("(person:nobody)", 1)[1]
    assert "an official must hold at least one post" in block
    assert "in graph tdg:imported (no article names this node)" in block


def test_validate_reports_the_library_checks_as_warnings(runner, corpus_store: Path) -> None:
    """Issue 17: the checks (queries/checks/*-violation.rq) are reported by validate. The bundled corpus keeps
    one wrong claim with its source on purpose (027 names Fumio Kishida prime minister in May 2025): it is a
    warning naming the article, the person, the post and the date, and the data still conforms (exit 0)."""
    result = runner.invoke(cli, ["validate", "--store", str(corpus_store)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("Warning:")]
    assert warnings == ["Warning: article:027-ainvest-kishida-trump-call (checks/post-not-held-on-date-violation)"]
    assert "person person:fumio-kishida, post post:prime-minister-of-japan, date 2025-05-23" in result.output
    assert "1 warning(s) from the library's checks" in result.output
