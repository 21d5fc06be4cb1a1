"""brat standoff: import (directly in build, and with import-annotations), errors, export and round trip."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic

from kg.annotations.brat import parse_ann
from kg.annotations.mapping import MAPPINGS_DIR, load_mapping
from kg.build import build
from kg.cli import cli
from kg.namespaces import TDO, article_graph
from kg.ontology import load_ontology
from kg.store import open_store
from tests.conftest import ARTICLES

DATA = Path(__file__).parent / "data" / "brat"
REGISTRY = ARTICLES / "registry.yaml"
DOCS = [("third-round-and-call", "brat-third-round-and-call"), ("pause-for-ninety-days", "brat-pause-for-ninety-days")]


def article_rdf(store_path: Path, article_id: str) -> rdflib.Graph:
    """An article's named graph from a store, without tdo:sourceFile (which names the input file)."""
    store = open_store(store_path, read_only=True)
    res = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{article_graph(article_id)}> {{ ?s ?p ?o }} "
                      f"FILTER(?p != <{TDO.sourceFile}>) }}")
    g = rdflib.Graph()
    g.parse(data=res.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES).decode(), format="nt")
    store.close()
    return g


def assert_same_graph(a: rdflib.Graph, b: rdflib.Graph) -> None:
    assert len(a) > 50, "the article graph is unexpectedly small"
    if not isomorphic(a, b):
        _, only_a, only_b = graph_diff(a, b)
        pytest.fail("graphs differ:\n only in the first:\n  " + "\n  ".join(sorted(map(str, only_a))[:10])
                    + "\n only in the second:\n  " + "\n  ".join(sorted(map(str, only_b))[:10]))


def copy_doc(tmp_path: Path, name: str) -> Path:
    """Copy one brat document (txt, ann, meta) into a fresh folder; return the .ann path."""
    folder = tmp_path / "brat"
    folder.mkdir(exist_ok=True)
    for f in DATA.glob(f"{name}.*"):
        if not f.name.endswith(".yaml") or f.name.endswith(".meta.yaml"):
            shutil.copy(f, folder / f.name)
    return folder / f"{name}.ann"


@pytest.mark.parametrize(("name", "article_id"), DOCS, ids=[d[0] for d in DOCS])
def test_build_reads_brat_directly_into_the_same_graph_as_the_hand_written_article(tmp_path: Path, name: str,
                                                                                 article_id: str) -> None:
    build([DATA / f"{name}.ann"], tmp_path / "from-brat", registry=REGISTRY)
    build([DATA / f"{name}.yaml"], tmp_path / "hand", registry=REGISTRY)
    assert_same_graph(article_rdf(tmp_path / "from-brat", article_id), article_rdf(tmp_path / "hand", article_id))


def test_import_annotations_writes_articles_that_build_into_the_same_graph(runner, tmp_path: Path) -> None:
    out = tmp_path / "articles"
    res = runner.invoke(cli, ["import-annotations", "--from", "brat", *(str(DATA / f"{n}.ann") for n, _ in DOCS),
                              "-o", str(out), "--registry", str(REGISTRY)])
    assert res.exit_code == 0, res.output
    assert "2 article(s) written" in res.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{a}.{ext}" for _, a in DOCS for ext in ("txt", "yaml"))
    build(sorted(out.glob("*.yaml")), tmp_path / "imported", registry=REGISTRY)
    for name, article_id in DOCS:
        build([DATA / f"{name}.yaml"], tmp_path / f"hand-{name}", registry=REGISTRY)
        assert_same_graph(article_rdf(tmp_path / "imported", article_id),
                          article_rdf(tmp_path / f"hand-{name}", article_id))


def test_import_refuses_to_overwrite_without_force(runner, tmp_path: Path) -> None:
    args = ["import-annotations", "--from", "brat", str(DATA / "pause-for-ninety-days.ann"), "-o", str(tmp_path),
            "--registry", str(REGISTRY)]
    assert runner.invoke(cli, args).exit_code == 0
    again = runner.invoke(cli, args)
    assert again.exit_code == 2 and "exists already; pass --force" in again.output
    assert runner.invoke(cli, [*args, "--force"]).exit_code == 0


def test_a_folder_of_brat_files_builds_without_taking_the_metadata_sidecar_for_an_article(tmp_path: Path) -> None:
    ann = copy_doc(tmp_path, "third-round-and-call")
    report = build([ann.parent], tmp_path / "store", registry=REGISTRY)
    assert report.built == ["brat-third-round-and-call"]
    again = build([ann.parent], tmp_path / "store", registry=REGISTRY)
    assert again.built == [] and again.unchanged == 1
    txt = ann.with_suffix(".txt")
    txt.write_text(txt.read_text(encoding="utf-8"), encoding="utf-8")  # touch: same content, new mtime
    assert build([ann.parent], tmp_path / "store", registry=REGISTRY).built == [], "same content: no rebuild"
    meta = ann.parent / "third-round-and-call.meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("Akazawa sees", "Akazawa meets"), encoding="utf-8")
    third = build([ann.parent], tmp_path / "store", registry=REGISTRY)
    assert third.built == ["brat-third-round-and-call"], "a changed sidecar alone must rebuild the article"
    title = list(open_store(tmp_path / "store", read_only=True).query(
        "SELECT ?t WHERE { ?a a tdo:NewsArticle ; dcterms:title ?t }", union=False))  # the knowledge graph
    assert [r["t"].value for r in title] == ["Akazawa meets Lutnick and Greer in Washington as leaders talk by phone"]


# ---- errors name the file and line -------------------------------------------------------

def _edit(ann: Path, line_no: int, new: str | None) -> None:
    lines = ann.read_text(encoding="utf-8").splitlines()
    if new is None:
        del lines[line_no - 1]
    else:
        lines[line_no - 1] = new
    ann.write_text("\n".join(lines) + "\n", encoding="utf-8")


BAD = [
    ("unknown-type", 2, "T2\tMinistre 13 20\tLutnick",
     [r"third-round-and-call\.ann:2: unknown type 'Ministre' on T2; the mapping .* knows: .*Minister"]),
    ("offsets-outside", 2, "T2\tMinister 13 9020\tLutnick",
     [r"\.ann:2: T2: offsets 13-9020 lie outside the text \(0-\d+ code points\)"]),
    ("text-mismatch", 2, "T2\tMinister 13 20\tLutnik",
     [r"\.ann:2: T2: span 13 20 reads 'Lutnick' in the text but the annotation says 'Lutnik'"]),
    ("relation-to-missing-id", 25, "R1\tHoldsPost Arg1:T6 Arg2:T99",
     [r"\.ann:25: R1 \(HoldsPost\) refers to T99, which is not defined in the document"]),
    ("event-to-missing-id", 23, "E1\tTalks:T7 Participant:T66 Place:T8 Date:T9",
     [r"\.ann:23: E1 Participant refers to T66, which is not defined"]),
    ("unknown-role", 23, "E1\tTalks:T7 Guest:T6 Place:T8 Date:T9",
     [r"\.ann:23: unknown role 'Guest' in E1; the mapping knows: .*Participant"]),
    ("unknown-relation", 25, "R1\tMarriedTo Arg1:T6 Arg2:T5",
     [r"\.ann:25: unknown relation type 'MarriedTo' on R1; the mapping .* knows: HoldsPost"]),
    ("wikidata-not-in-registry", 42, "N13\tReference T16 Wikidata:Q999999999\tNobody",
     [r"\.ann:42: T16 is normalised to Wikidata:Q999999999, but no registry entry has wikidata: Q999999999"]),
    ("unknown-registry-id", 30, "N1\tReference T1 TradeKG:ryosei-akazawa-typo\tRyōsei Akazawa",
     [r"\.ann:30: T1 is normalised to TradeKG:ryosei-akazawa-typo, which is not in the registry"]),
    ("malformed-line", 3, "T3\tMinister 25-30\tGreer",
     [r"\.ann:3: offsets '25-30'; expected 'START END' or 'START END;START END'"]),
]


@pytest.mark.parametrize(("case", "line", "new", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_brat_input_names_file_and_line_and_writes_nothing(runner, tmp_path: Path, case: str, line: int,
                                                               new: str, expected: list[str]) -> None:
    ann = copy_doc(tmp_path, "third-round-and-call")
    _edit(ann, line, new)
    store = tmp_path / "store"
    res = runner.invoke(cli, ["build", str(ann), "--store", str(store), "--registry", str(REGISTRY), "-q"])
    assert res.exit_code == 2, res.output
    for pattern in expected:
        assert re.search(pattern, res.output), f"{pattern!r} not in:\n{res.output}"
    assert not (store / "CURRENT").exists() or not open_store(store, read_only=True).named_graphs()


def test_missing_metadata_is_reported_with_the_ways_to_give_it(runner, tmp_path: Path) -> None:
    ann = copy_doc(tmp_path, "third-round-and-call")
    (ann.parent / "third-round-and-call.meta.yaml").unlink()
    res = runner.invoke(cli, ["build", str(ann), "--store", str(tmp_path / "s"), "--registry", str(REGISTRY)])
    assert res.exit_code == 2
    assert "article metadata lacks title, publisher, published, language" in res.output
    assert "NAME.meta.yaml" in res.output


def test_missing_text_file_is_reported(runner, tmp_path: Path) -> None:
    ann = copy_doc(tmp_path, "pause-for-ninety-days")
    ann.with_suffix(".txt").unlink()
    res = runner.invoke(cli, ["build", str(ann), "--store", str(tmp_path / "s"), "--registry", str(REGISTRY)])
    assert res.exit_code == 2 and "no text file pause-for-ninety-days.txt beside it" in res.output


# ---- export and round trip -----------------------------------------------------------------

def _content(ann_text: str, txt: str) -> dict[str, set[tuple[object, ...]]]:
    """What a brat document says, independent of annotation ids: spans, relations, events,
    normalisations and attributes, each by the spans they point at."""
    doc = parse_ann(ann_text, txt, "x.ann", "x")
    frags = {tid: tuple(t.fragments) for tid, t in doc.texts.items()}
    ev_trig = {eid: (e.type, frags[e.trigger]) for eid, e in doc.events.items()}

    def target(x: str) -> object:
        return frags.get(x) or ev_trig[x]

    return {
        "spans": {(t.type, tuple(t.fragments), t.text) for t in doc.texts.values()},
        "relations": {(r.type, frags[r.arg1], frags[r.arg2]) for r in doc.relations.values()},
        "events": {(e.type, frags[e.trigger], frozenset((re.sub(r"\d+$", "", role), target(x)) for role, x in e.args))
                   for e in doc.events.values()},
        "normalisations": {(frags[tid], key) for tid, t in doc.texts.items() for _db, key, _ in t.norms},
        "attributes": {(name, target(eid), value) for eid, e in doc.events.items() for name, value in e.attrs.items()},
    }


def test_round_trip_brat_to_tradekg_to_brat_keeps_every_span_and_relation(runner, tmp_path: Path) -> None:
    store = tmp_path / "store"
    build([DATA / f"{n}.ann" for n, _ in DOCS], store, registry=REGISTRY)
    out = tmp_path / "exported"
    res = runner.invoke(cli, ["export-annotations", "--store", str(store), "--format", "brat", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "annotation.conf").is_file()
    wikidata = {"Q22686": "donald-trump", "Q11696": "president-of-the-united-states", "Q17": "japan"}
    for name, article_id in DOCS:
        txt = (DATA / f"{name}.txt").read_text(encoding="utf-8")
        assert (out / f"{article_id}.txt").read_text(encoding="utf-8") == txt
        before = _content((DATA / f"{name}.ann").read_text(encoding="utf-8"), txt)
        after = _content((out / f"{article_id}.ann").read_text(encoding="utf-8"), txt)
        before["normalisations"] = {(f, wikidata.get(k, k)) for f, k in before["normalisations"]}
        before["spans"] = {s for s in before["spans"] if s[0] != "Title"}  # metadata goes to the sidecar
        for kind in before:
            assert after[kind] == before[kind], f"{name}: {kind} changed"
    # and the exported folder builds back into the same graphs
    build([out], tmp_path / "again", registry=REGISTRY)
    for _, article_id in DOCS:
        assert_same_graph(article_rdf(tmp_path / "again", article_id), article_rdf(store, article_id))


def test_every_corpus_article_survives_export_to_brat_and_back(runner, corpus_store: Path, tmp_path: Path) -> None:
    """The whole bundled corpus: store -> brat -> store gives isomorphic article graphs."""
    out = tmp_path / "brat"
    assert runner.invoke(cli, ["export-annotations", "--store", str(corpus_store), "--format", "brat",
                               "-o", str(out)]).exit_code == 0
    shutil.copy(REGISTRY, out / "registry.yaml")
    report = build([out], tmp_path / "again")
    assert len(report.built) >= 2
    for article_id in report.built:
        assert_same_graph(article_rdf(tmp_path / "again", article_id), article_rdf(corpus_store, article_id))


# ---- the shipped mapping and annotation.conf ---------------------------------------------

def _conf_sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            current = m.group(1)
            sections[current] = []
        else:
            sections[current].append(line)
    return sections


def test_shipped_annotation_conf_matches_the_default_mapping() -> None:
    m = load_mapping("brat", None, load_ontology())
    conf = _conf_sections((MAPPINGS_DIR / "annotation.conf").read_text(encoding="utf-8"))
    assert set(conf["entities"]) == set(m.entities) | set(m.spans)
    assert {line.split("\t")[0] for line in conf["relations"] if not line.startswith("<")} == set(m.relations)
    events = {line.split("\t")[0]: line.split("\t")[1] for line in conf["events"]}
    assert set(events) == set(m.events)
    roles = {re.sub(r"[?*+]$", "", arg.split(":")[0].strip()) for spec in events.values() for arg in spec.split(",")}
    assert roles <= set(m.roles), f"roles in annotation.conf the mapping does not know: {roles - set(m.roles)}"
    attrs = {line.split("\t")[0] for line in conf["attributes"]}
    assert attrs <= set(m.attributes)


def test_a_custom_mapping_renames_types(runner, tmp_path: Path) -> None:
    mapping = (MAPPINGS_DIR / "brat.yaml").read_text(encoding="utf-8").replace("  Minister: Minister",
                                                                                "  Ministro: Minister")
    (tmp_path / "mine.yaml").write_text(mapping, encoding="utf-8")
    ann = copy_doc(tmp_path, "third-round-and-call")
    ann.write_text(ann.read_text(encoding="utf-8").replace("\tMinister ", "\tMinistro "), encoding="utf-8")
    res = runner.invoke(cli, ["import-annotations", "--from", "brat", str(ann), "-o", str(tmp_path / "out"),
                              "--registry", str(REGISTRY), "--mapping", str(tmp_path / "mine.yaml")])
    assert res.exit_code == 0, res.output
    assert "type: Minister" in (tmp_path / "out" / "brat-third-round-and-call.yaml").read_text(encoding="utf-8")
    plain = runner.invoke(cli, ["import-annotations", "--from", "brat", str(ann), "-o", str(tmp_path / "o2"),
                                "--registry", str(REGISTRY)])
    assert plain.exit_code == 2 and "unknown type 'Ministro'" in plain.output


def test_a_bad_mapping_file_is_reported(runner, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("format: tradekg-annotation-mapping/1\ntool: brat\nentities: {Person: Persn}\n",
                                       encoding="utf-8")
    res = runner.invoke(cli, ["import-annotations", "--from", "brat", str(DATA / "pause-for-ninety-days.ann"),
                              "-o", str(tmp_path / "out"), "--registry", str(REGISTRY), "--mapping",
                              str(tmp_path / "bad.yaml")])
    assert res.exit_code == 2 and "entities.Person: 'Persn' is not an ontology class" in res.output
    assert not (tmp_path / "out").exists()
