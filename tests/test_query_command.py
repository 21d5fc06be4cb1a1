"""The ``tradekg query`` and ``tradekg queries`` commands: parameters, formats, errors, updates, timeouts."""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from kg.cli import cli
from kg.namespaces import PREFIXES, TDO, TDR
from kg.query import load_library, query_form, run_query
from kg.store import open_store

INJECTION = '"x" } ; DROP ALL #'
ECHO = "SELECT ?value WHERE { }"


@pytest.fixture
def store_copy(corpus_store: Path, tmp_path: Path) -> Path:
    """A private copy of the corpus store that a test may change."""
    dest = tmp_path / "store"
    shutil.copytree(corpus_store, dest, ignore=shutil.ignore_patterns("LOCK", "tradekg.lock"))
    return dest


def q(runner: CliRunner, store: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["query", "--store", str(store), *args])
    return result.exit_code, result.stdout, result.stderr


def test_injection_string_is_bound_as_a_plain_string(runner: CliRunner, store_copy: Path) -> None:
    """The value '"x" } ; DROP ALL #' is one string literal: no error, and no quad is lost."""
    before = open_store(store_copy, read_only=True).quad_count()
    code, out, err = q(runner, store_copy, ECHO.replace("{ }", "{ }"), "--param", f"value={INJECTION}",
                       "--format", "json", "--timeout", "0")
    assert code == 0, err
    bindings = json.loads(out)["results"]["bindings"]
    assert bindings == [{"value": {"type": "literal", "value": INJECTION}}]
    # the same through the library query with a typed string-free parameter and through a child process
    code, out, err = q(runner, store_copy, "post-holders", "--param", f"post={INJECTION}")
    assert code == 2 and "not a valid iri" in err
    code, out, err = q(runner, store_copy, "SELECT ?value (COUNT(*) AS ?n) WHERE { ?s rdfs:label ?value } GROUP BY ?value",
                       "--param", f"value={INJECTION}", "--format", "csv", "--timeout", "30")
    assert code == 0, err
    assert open_store(store_copy, read_only=True).quad_count() == before


def test_syntax_error_names_line_and_column_with_a_caret(runner: CliRunner, store_copy: Path) -> None:
    code, out, err = q(runner, store_copy, "SELECT ?x WHERE {\n  ?x a tdo:Official .\n  ?x foo:bar ?y }")
    assert code == 2
    assert "<query>:3:6: SPARQL syntax error at 'foo:bar'" in err, err
    assert "unknown prefix" in err
    lines = err.splitlines()
    src = next(i for i, line in enumerate(lines) if line.strip() == "?x foo:bar ?y }")
    caret = lines[src + 1]
    assert caret.strip() == "^" and lines[src][caret.index("^"):].startswith("foo:bar"), err


def test_syntax_error_in_a_file_names_the_file(runner: CliRunner, store_copy: Path, tmp_path: Path) -> None:
    f = tmp_path / "bad.rq"
    f.write_text("# title: bad\nSELECT * WHERE { ?s ?p }\n", encoding="utf-8")
    code, _, err = q(runner, store_copy, str(f))
    assert code == 2 and f"{f}:2:" in err and "^" in err, err


@pytest.mark.parametrize("update", ["DROP ALL", "INSERT DATA { tdr:x tdo:date '2025-01-01' }",
                                    "PREFIX ex: <http://example.org/>\n# comment\nDELETE WHERE { ?s ?p ?o }"],
                         ids=["drop", "insert", "delete-after-prologue"])
def test_update_is_refused_without_allow_update(runner: CliRunner, store_copy: Path, update: str) -> None:
    before = open_store(store_copy, read_only=True).quad_count()
    code, _, err = q(runner, store_copy, update)
    assert code == 2 and "--allow-update" in err
    assert open_store(store_copy, read_only=True).quad_count() == before


def test_update_runs_with_allow_update(runner: CliRunner, store_copy: Path) -> None:
    code, _, err = q(runner, store_copy, "INSERT DATA { GRAPH tdg:scratch { tdr:x rdfs:label 'x' } }", "--allow-update")
    assert code == 0, err
    code, out, _ = q(runner, store_copy, "ASK { GRAPH tdg:scratch { tdr:x rdfs:label 'x' } }")
    assert code == 0 and out.strip() == "true"


def test_ask_sets_the_exit_code(runner: CliRunner, corpus_store: Path) -> None:
    assert q(runner, corpus_store, "ASK { ?x a tdo:HeadOfGovernment }")[:2] == (0, "true\n")
    assert q(runner, corpus_store, "ASK { ?x a tdo:NoSuchClass }")[:2] == (1, "false\n")


SELECT_OFFICIALS = "SELECT ?official ?name WHERE { ?official a tdo:Official ; rdfs:label ?name } ORDER BY ?official"


def _expected_officials(store: Path) -> list[tuple[str, str]]:
    s = open_store(store, read_only=True)
    return [(r[0].value, r[1].value) for r in s.query(SELECT_OFFICIALS, union=False)]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "table"])
def test_select_formats_carry_the_same_rows(runner: CliRunner, corpus_store: Path, fmt: str) -> None:
    code, out, err = q(runner, corpus_store, SELECT_OFFICIALS, "--format", fmt)
    assert code == 0, err
    expected = _expected_officials(corpus_store)
    assert len(expected) >= 5
    if fmt == "csv":
        rows = [tuple(r) for r in csv.reader(io.StringIO(out))]
        assert rows[0] == ("official", "name") and rows[1:] == expected
    elif fmt == "tsv":
        lines = out.rstrip("\n").split("\n")
        assert lines[0] == "?official\t?name"
        assert [tuple(line.split("\t")) for line in lines[1:]] == [(f"<{i}>", f'"{n}"@en') for i, n in expected]
    elif fmt == "json":
        data = json.loads(out)
        assert data["head"]["vars"] == ["official", "name"]
        assert [(b["official"]["value"], b["name"]["value"]) for b in data["results"]["bindings"]] == expected
    elif fmt == "xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(out)
        rows = [tuple(b.find("r:binding[@name='official']/r:uri", ns).text if k == "official"  # type: ignore[union-attr]
                      else b.find("r:binding[@name='name']/r:literal", ns).text for k in ("official", "name"))  # type: ignore[union-attr]
                for b in root.iterfind("r:results/r:result", ns)]
        assert rows == expected
    else:
        assert out.splitlines()[0].split() == ["official", "name"]
        assert "person:shigeru-ishiba" in out and "Shigeru Ishiba" in out
        assert f"{len(expected)} rows" in err


def test_construct_writes_turtle(runner: CliRunner, corpus_store: Path, tmp_path: Path) -> None:
    text = "CONSTRUCT { ?p a tdo:Official ; rdfs:label ?n } WHERE { ?p a tdo:HeadOfGovernment ; rdfs:label ?n }"
    out_file = tmp_path / "out.ttl"
    code, _, err = q(runner, corpus_store, text, "-o", str(out_file))
    assert code == 0, err
    got = Graph().parse(out_file, format="turtle")
    expected = Graph()
    for t in open_store(corpus_store, read_only=True).query(text):
        expected.parse(data=f"{t.subject} {t.predicate} {t.object} .", format="nt")
    assert len(expected) > 0 and isomorphic(got, expected)
    assert (URIRef(TDR["person/shigeru-ishiba"]), None, URIRef(TDO.Official)) in got


def test_output_file_is_complete_or_absent(runner: CliRunner, corpus_store: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "sub" / "res.csv"
    code, _, _ = q(runner, corpus_store, "SELECT * WHERE { ?s ?p }", "-o", str(out_file))
    assert code == 2 and not out_file.exists() and not list(out_file.parent.glob("*"))
    code, _, _ = q(runner, corpus_store, SELECT_OFFICIALS, "-f", "csv", "-o", str(out_file))
    assert code == 0 and out_file.read_text(encoding="utf-8").startswith("official,name")


def test_timeout_stops_a_query_that_never_finishes(runner: CliRunner, corpus_store: Path) -> None:
    never = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    code, out, err = q(runner, corpus_store, never, "--timeout", "1")
    assert code == 2 and "did not finish within 1 s" in err and out == ""


def test_timeout_path_gives_the_same_answer_as_in_process(corpus_store: Path) -> None:
    lib = load_library()
    query = lib["tariffs-in-force"]
    store = open_store(corpus_store, read_only=True)
    date = ox.Literal("2025-04-20", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    a, b = io.BytesIO(), io.BytesIO()
    run_query(store, query.text, a, {"date": date}, fmt="json", timeout=None, union=False)
    run_query(store, query.text, b, {"date": date}, fmt="json", timeout=60, union=False)
    rows_a, rows_b = (json.loads(x.getvalue())["results"]["bindings"] for x in (a, b))
    assert rows_a == rows_b and rows_a


def test_a_kind_prefix_names_a_resource_in_a_param(runner: CliRunner, corpus_store: Path) -> None:
    """KG issue point 4: ``--param meeting=event:ID`` (the predeclared kind prefix) names the same meeting as its IRI."""
    code, out, err = q(runner, corpus_store, "meeting-participants", "--param",
                       "meeting=event:us-japan-talks-2025-04-16", "-f", "csv")
    assert code == 0, err
    assert "https://w3id.org/tradekg/resource/person/donald-trump" in out
    code2, out2, _ = q(runner, corpus_store, "meeting-participants", "--param",
                       "meeting=<https://w3id.org/tradekg/resource/event/us-japan-talks-2025-04-16>", "-f", "csv")
    assert code2 == 0 and out2 == out


def test_prefixed_iri_param_with_slash_is_expanded(runner: CliRunner, corpus_store: Path) -> None:
    code, out, err = q(runner, corpus_store, "meeting-participants", "--param",
                       "meeting=tdr:event/us-japan-talks-2025-04-16", "-f", "csv")
    assert code == 0, err
    assert "https://w3id.org/tradekg/resource/person/donald-trump" in out
    code2, out2, _ = q(runner, corpus_store, "meeting-participants", "--param",
                       "meeting=<https://w3id.org/tradekg/resource/event/us-japan-talks-2025-04-16>", "-f", "csv")
    assert code2 == 0 and out2 == out


@pytest.mark.parametrize("args, message", [
    (["tariffs-in-force", "--param", "date=2025-02-30"], "not a valid date"),
    (["tariffs-in-force", "--param", "day=2025-02-01"], "unknown parameter day"),
    (["meeting-participants"], "missing required parameter meeting"),
    (["meeting-participants", "--param", "meeting=nope:x"], "not a valid iri"),
    (["no-such-query"], "library queries: "),
    (["tariffs-in-force", "--param", "date"], "expected NAME=VALUE"),
    (["SELECT ?s WHERE { ?s ?p ?o }", "--param", "x=1"], "parameter x is not a variable of the query"),
], ids=["bad-date", "unknown-param", "missing-param", "bad-iri", "unknown-query", "no-equals", "unprojected"])
def test_bad_parameters_are_explained(runner: CliRunner, corpus_store: Path, args: list[str], message: str) -> None:
    code, _, err = q(runner, corpus_store, *args)
    assert code == 2 and message in err, err


def test_queries_lists_the_library(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["queries"])
    assert result.exit_code == 0
    for name, query in load_library().items():
        if not name.startswith("checks/"):
            assert name in result.stdout and query.title in result.stdout
    assert "--param date (date, = today)" in result.stdout
    checks = runner.invoke(cli, ["queries", "--checks"])
    assert "checks/meeting-without-date-violation" in checks.stdout


def test_predeclared_prefixes_are_the_namespace_module_s() -> None:
    assert {"tdo", "tdr", "tdg", "rdf", "rdfs", "owl", "xsd", "skos", "org", "prov", "oa"} <= set(PREFIXES)


@pytest.mark.parametrize("text, form", [("select * {}", "SELECT"), ("# c\nPREFIX a: <x:#y>\nASK {}", "ASK"),
                                        ("BASE <http://x/>\nCONSTRUCT {} WHERE {}", "CONSTRUCT"),
                                        ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH")],
                         ids=["select", "ask-after-prefix", "construct-after-base", "update-with"])
def test_query_form(text: str, form: str) -> None:
    assert query_form(text) == form


def test_syntax_is_checked_before_a_query_goes_to_a_server() -> None:
    """A server sees the query behind a prologue, so its line numbers would be off: check locally first."""
    from kg.errors import QueryError
    from kg.store import Capabilities

    class NoServer:
        calls = 0
        capabilities = Capabilities()  # a server: no local directory

        def query(self, *args: object, **kwargs: object) -> None:
            NoServer.calls += 1

    with pytest.raises(QueryError, match=r"<query>:2:6: SPARQL syntax error at 'foo:p'"):
        run_query(NoServer(), "SELECT * WHERE {\n  ?s foo:p ?o }", io.BytesIO(), timeout=None)
    assert NoServer.calls == 0
