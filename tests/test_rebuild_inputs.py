"""A rebuild notices every input an article reads, skips store folders, and restores graphs gone from the store.

Each test builds a small corpus of its own, changes one thing behind the build's
back, and builds again: the change must be written (or, if it breaks the article,
refused with exit 2 and the store untouched).
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli
from kg.namespaces import article_graph
from kg.store import open_store
from tests.conftest import ARTICLES

TEXT = "On Monday Shigeru Ishiba telephoned Donald Trump to talk about car tariffs.\n"
ART_ID = "rb-phone-call"


def _span(words: str, text: str = TEXT) -> list[int]:
    start = text.index(words)
    return [start, start + len(words)]


def article(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "tradekg-article/1", "id": ART_ID, "title": "A call about car tariffs",
        "publisher": "reuters", "published": "2025-03-03", "language": "en", "text_file": "call.txt",
        "mentions": [
            {"id": "m1", "type": "HeadOfGovernment", "span": _span("Shigeru Ishiba"), "text": "Shigeru Ishiba",
             "entity": "shigeru-ishiba"},
            {"id": "m2", "type": "HeadOfState", "span": _span("Donald Trump"), "text": "Donald Trump",
             "entity": "donald-trump"},
        ],
        "facts": [{"id": "rb-call", "type": "Summit", "participants": ["shigeru-ishiba", "donald-trump"],
                   "date": "2025-03-03", "evidence": ["m1", "m2"]}],
    }
    doc.update(changes)
    return doc


def corpus(folder: Path, source: str | None = None, name: str = "call.yaml") -> Path:
    """A corpus folder: the registry, ``name`` (the article as YAML unless ``source`` is given) and call.txt."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "registry.yaml").write_bytes((ARTICLES / "registry.yaml").read_bytes())
    (folder / "call.txt").write_text(TEXT, encoding="utf-8")
    (folder / name).write_text(source if source is not None else yaml.safe_dump(article(), sort_keys=False),
                               encoding="utf-8")
    return folder


def dump(store: Path) -> list[str]:
    s = open_store(store, read_only=True)
    buf = io.BytesIO()
    s.dump_nquads(buf)
    s.close()
    return sorted(buf.getvalue().decode().splitlines())


def cli_build(*args: str) -> Any:
    return CliRunner().invoke(cli, ["build", *args])


def rewrite_keeping_stat(path: Path, new: str) -> None:
    """Change a file's content but keep its size and modification time (so only its content tells)."""
    st = path.stat()
    data = new.encode("utf-8")
    assert len(data) == st.st_size
    path.write_bytes(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def touch(path: Path) -> None:
    """Same content, a later modification time."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


# ---- finding 1: the text file is part of the article's signature ------------------------------------

def test_editing_only_the_text_file_rebuilds_the_article(tmp_path: Path) -> None:
    """Finding 1: an edit to the text file an article names (the article file untouched) is rebuilt."""
    folder = corpus(tmp_path / "c")
    store = tmp_path / "store"
    assert build([folder], store).built == [ART_ID]
    (folder / "call.txt").write_text(TEXT.replace("car tariffs", "steel and aluminium duties"), encoding="utf-8")
    report = build([folder], store)
    assert report.built == [ART_ID] and report.unchanged == 0
    assert any("steel and aluminium duties" in line for line in dump(store))
    assert build([folder], store).built == [], "built once, the new text is unchanged"


def test_text_file_edit_that_breaks_a_span_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    """Finding 1: a text-file edit that breaks a span is refused with exit 2; the store keeps its old content."""
    folder = corpus(tmp_path / "c")
    store = tmp_path / "store"
    assert cli_build(str(folder), "--store", str(store), "-q").exit_code == 0
    before = dump(store)
    (folder / "call.txt").write_text(TEXT.replace("Donald Trump", "Donald J. Trump"), encoding="utf-8")
    res = cli_build(str(folder), "--store", str(store))
    assert res.exit_code == 2, res.output
    assert "call.yaml" in res.output and "but the annotation says 'Donald Trump'" in res.output
    assert dump(store) == before


def test_text_file_edit_of_the_same_size_and_time_is_found_by_its_content(tmp_path: Path) -> None:
    """Finding 1: when the article file is touched, the content hash covers the text file as well."""
    folder = corpus(tmp_path / "c")
    store = tmp_path / "store"
    build([folder], store)
    rewrite_keeping_stat(folder / "call.txt", TEXT.replace("car", "CAR"))
    touch(folder / "call.yaml")
    assert build([folder], store).built == [ART_ID]
    assert any("CAR tariffs" in line for line in dump(store))


# ---- finding 2: the text file is the one the parsed document names ---------------------------------

@pytest.mark.parametrize("form", ["one-line-json", "yaml-with-comment"])
def test_text_file_is_found_by_parsing_not_by_scanning_lines(tmp_path: Path, form: str) -> None:
    """Finding 2: one-line JSON and a '# comment' after text_file: still hash the text file they name."""
    if form == "one-line-json":
        folder = corpus(tmp_path / "c", json.dumps(article()), name="call.json")
        art = folder / "call.json"
    else:
        src = yaml.safe_dump(article(), sort_keys=False).replace("text_file: call.txt",
                                                                 "text_file: call.txt  # the wire copy")
        assert "# the wire copy" in src
        folder = corpus(tmp_path / "c", src)
        art = folder / "call.yaml"
    store = tmp_path / "store"
    assert cli_build(str(folder), "--store", str(store), "-q").exit_code == 0
    before = dump(store)
    rewrite_keeping_stat(folder / "call.txt", TEXT.replace("Shigeru Ishiba", "Shigeru ISHIBA"))
    touch(art)
    res = cli_build(str(folder), "--store", str(store))
    assert res.exit_code == 2, res.output
    assert "reads 'Shigeru ISHIBA'" in res.output
    assert dump(store) == before


# ---- brat: .txt, .ann and .meta.yaml all count, each as itself -------------------------------------

BRAT_TEXT = "Shigeru Ishiba and Donald Trump met in Washington.\n"
BRAT_ANN = ("T1\tHeadOfGovernment 0 14\tShigeru Ishiba\n"
            "T2\tHeadOfState 19 31\tDonald Trump\n"
            "N1\tReference T1 TradeKG:shigeru-ishiba\tShigeru Ishiba\n"
            "N2\tReference T2 TradeKG:donald-trump\tDonald Trump\n")
BRAT_META = "id: rb-brat-meeting\ntitle: Ishiba meets Trump\npublisher: reuters\npublished: '2025-02-07'\nlanguage: en\n"


def brat_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "registry.yaml").write_bytes((ARTICLES / "registry.yaml").read_bytes())
    (folder / "meet.txt").write_text(BRAT_TEXT, encoding="utf-8")
    (folder / "meet.ann").write_text(BRAT_ANN, encoding="utf-8")
    (folder / "meet.meta.yaml").write_text(BRAT_META, encoding="utf-8")
    return folder


def test_brat_bytes_moved_between_ann_and_txt_are_a_change(tmp_path: Path) -> None:
    """Finding 1: the brat .ann and .txt are hashed each as itself, so moving a line break from the end of
    the .ann to the start of the .txt (same bytes in a row) is a change, and here one that breaks every span."""
    folder = brat_corpus(tmp_path / "c")
    store = tmp_path / "store"
    assert cli_build(str(folder), "--store", str(store), "-q").exit_code == 0
    before = dump(store)
    (folder / "meet.ann").write_text(BRAT_ANN.rstrip("\n"), encoding="utf-8")
    (folder / "meet.txt").write_text("\n" + BRAT_TEXT, encoding="utf-8")
    res = cli_build(str(folder), "--store", str(store))
    assert res.exit_code == 2, res.output
    assert "meet.ann" in res.output
    assert dump(store) == before


def test_brat_text_and_sidecar_edits_rebuild(tmp_path: Path) -> None:
    """Finding 1 (guard): editing a brat document's .txt or .meta.yaml sidecar alone rebuilds its article."""
    folder = brat_corpus(tmp_path / "c")
    store = tmp_path / "store"
    assert build([folder], store).built == ["rb-brat-meeting"]
    (folder / "meet.txt").write_text(BRAT_TEXT.replace("Washington", "Tokyo"), encoding="utf-8")
    assert build([folder], store).built == ["rb-brat-meeting"]
    rewrite_keeping_stat(folder / "meet.meta.yaml", BRAT_META.replace("Ishiba meets", "ISHIBA MEETS"))
    touch(folder / "meet.ann")
    assert build([folder], store).built == ["rb-brat-meeting"]
    assert any("ISHIBA MEETS Trump" in line for line in dump(store))


# ---- finding 16: store folders inside a corpus folder are not articles -----------------------------

def test_store_inside_the_corpus_folder_is_not_scanned(tmp_path: Path) -> None:
    """Finding 16: `build corpus --store corpus/store` twice: the second build skips the store folder."""
    folder = corpus(tmp_path / "c")
    store = folder / "store"
    first = cli_build(str(folder), "--store", str(store))
    assert first.exit_code == 0, first.output
    again = cli_build(str(folder), "--store", str(store))
    assert again.exit_code == 0, again.output
    assert "0 article graph(s) written, 1 unchanged, 0 removed" in again.output


def test_other_store_folders_inside_the_corpus_are_skipped(tmp_path: Path) -> None:
    """Finding 16: a TradeKG store and a bare Oxigraph store inside a corpus folder are recognised and skipped."""
    folder = corpus(tmp_path / "c")
    old = folder / "archive" / "old-store"
    build([folder], old)
    assert any(p.suffix == ".json" for p in old.iterdir()), "the store holds a JSON file (the registry cache)"
    bare = folder / "bare-oxigraph"
    s = ox.Store(str(bare))
    s.flush()
    del s
    (bare / "notes.json").write_text("[1, 2]", encoding="utf-8")
    res = cli_build(str(folder), "--store", str(tmp_path / "new-store"))
    assert res.exit_code == 0, res.output
    assert "1 article graph(s) written" in res.output


# ---- finding 18: graphs gone from the store are rebuilt; --force -----------------------------------

@pytest.mark.parametrize("how", ["tradekg-query", "other-tool"])
def test_a_graph_dropped_behind_the_builds_back_is_rebuilt(tmp_path: Path, how: str) -> None:
    """Finding 18: a graph the manifest lists but the store lacks is rebuilt by an ordinary build."""
    folder = corpus(tmp_path / "c")
    store = tmp_path / "store"
    build([folder], store)
    before = dump(store)
    drop = f"DROP GRAPH <{article_graph(ART_ID)}>"
    if how == "tradekg-query":
        res = CliRunner().invoke(cli, ["query", "--store", str(store), "--allow-update", drop])
        assert res.exit_code == 0, res.output
    else:  # straight through pyoxigraph: the manifest copy beside the store stays
        s = ox.Store(str(store))
        s.update(drop)
        s.flush()
        del s
    assert dump(store) != before
    report = build([folder], store)
    assert report.built == [ART_ID]
    assert dump(store) == before


def test_force_rebuilds_every_article(tmp_path: Path) -> None:
    """Finding 18: `build --force` rewrites every article whatever the manifest says, and --help says so."""
    folder = corpus(tmp_path / "c")
    (folder / "second.yaml").write_text(yaml.safe_dump(article(id="rb-second"), sort_keys=False), encoding="utf-8")
    store = tmp_path / "store"
    assert cli_build(str(folder), "--store", str(store), "-q").exit_code == 0
    before = dump(store)
    res = cli_build(str(folder), "--store", str(store), "--force")
    assert res.exit_code == 0, res.output
    assert "2 article graph(s) written, 0 unchanged" in res.output
    after = dump(store)
    assert len(after) == len(before)
    # the same quads; the ontology's blank nodes get new labels when its graph is written again
    assert [line for line in after if "_:" not in line] == [line for line in before if "_:" not in line]
    assert "--force" in cli_build("--help").output


def test_disk_full_while_spooling_is_one_line_and_changes_nothing(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 14.13: a full disk while the build spools checked articles is one line, exit 2, store unchanged."""
    import errno
    import tempfile as tf

    folder = corpus(tmp_path / "c")
    store = tmp_path / "store"
    assert CliRunner().invoke(cli, ["build", str(folder), "--store", str(store), "-q"]).exit_code == 0
    before = dump(store)
    (folder / "call.yaml").write_text(yaml.safe_dump(article(title="A changed title")), encoding="utf-8")

    real = tf.TemporaryFile

    class Full:
        def __init__(self, f: Any) -> None:
            self.f = f

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name: str) -> Any:
            return getattr(self.f, name)

    monkeypatch.setattr("kg.build.spool.tempfile.TemporaryFile", lambda *a, **k: Full(real(*a, **k)))
    result = CliRunner().invoke(cli, ["build", str(folder), "--store", str(store), "-q"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "spooling" in lines[0] and "No space left" in lines[0], result.output
    assert dump(store) == before
