"""Whole jobs: converting tool exports into article files, and exporting the store's annotations.

Everything is checked before anything is written; the files of a run are
written all or nothing (:func:`kg.fileio.writing_all`): each to a temporary
name, then all renamed, and on a failure the folder is left as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from kg.annotations import tool_articles
from kg.annotations.mapping import MAPPINGS_DIR, load_mapping
from kg.articles import check_article
from kg.errors import InputError, Problem
from kg.fileio import FileSet, write_text, writing_all
from kg.ontology import Ontology
from kg.registry import Registry

TOOL_SUFFIX = {"brat": ".ann", "labelstudio": ".json"}


class _Dumper(yaml.SafeDumper):
    """YAML in the corpus's style: spans and short id lists on one line."""


def _list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = len(data) <= 12 and all(isinstance(x, (int, float)) or (isinstance(x, str) and len(x) < 50 and
                                                                      "\n" not in x) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _list)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
    write_text(path, text, "converted article")


def input_files(paths: Iterable[Path], tool: str) -> list[Path]:
    """The tool's files among ``paths`` (folders searched recursively for .ann / .json)."""
    out: list[Path] = []
    problems: list[Problem] = []
    suffix = TOOL_SUFFIX[tool]
    for p in paths:
        if p.is_dir():
            found = sorted(q for q in p.rglob(f"*{suffix}") if not q.name.startswith(".")
                           and not q.name.endswith((".meta.json",)))
            if not found:
                problems.append(Problem(str(p), f"no {suffix} files in this folder; expected {tool} exports"))
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            problems.append(Problem(str(p), f"no such file or folder; expected {tool} export files"))
    if problems:
        raise InputError(problems)
    return out


def import_annotations(tool: str, paths: Iterable[Path], out_dir: Path, onto: Ontology, reg: Registry,
                       mapping_path: Path | None = None, force: bool = False) -> list[Path]:
    """Convert tool exports into ``ID.yaml`` + ``ID.txt`` in ``out_dir``; return the files written."""
    load_mapping(tool, mapping_path, onto)  # report a bad mapping once, before the inputs
    converted: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for path in input_files(paths, tool):
        try:
            for data, _key in tool_articles(path, tool, onto, reg, mapping_path):
                check_article(data, "", path, f"{path} ({data.get('id')})", onto, reg)
                converted.append(data)
        except InputError as exc:
            problems.extend(exc.problems)
    ids = [d["id"] for d in converted]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(str(out_dir), f"article id {dup!r} comes from two inputs; expected one article per id"))
    if not force:
        for d in converted:
            for name in (f"{d['id']}.yaml", f"{d['id']}.txt"):
                if (out_dir / name).exists():
                    problems.append(Problem(str(out_dir / name), "exists already; pass --force to overwrite it"))
    if problems:
        raise InputError(problems)
    written: list[Path] = []
    with writing_all("converted articles") as files:  # all articles or none
        for d in converted:
            text = d.pop("text")
            body = {k: v for k, v in d.items() if k not in ("mentions", "facts")}
            body["text_file"] = f"{d['id']}.txt"
            body["mentions"], body["facts"] = d["mentions"], d["facts"]
            files.write(out_dir / f"{d['id']}.txt", text)
            files.write(out_dir / f"{d['id']}.yaml", f"# Converted by tradekg import-annotations; offsets count "
                                                     f"code points of {d['id']}.txt.\n" + dump_yaml(body))
            written += [out_dir / f"{d['id']}.yaml", out_dir / f"{d['id']}.txt"]
    return written


def export_annotations(store: Any, fmt: str, out_dir: Path, onto: Ontology, mapping_path: Path | None = None
                       ) -> list[Path]:
    """Write every article's annotations in ``fmt``; return the files written.

    All files are written or none (:func:`kg.fileio.writing_all`): on a failure the folder is as it was.
    """
    with writing_all("annotation export") as files:
        if fmt == "webannotation":
            from kg.annotations.webanno import collections

            for aid, coll in collections(store):
                files.write(out_dir / f"{aid}.jsonld", json.dumps(coll, ensure_ascii=False, indent=1) + "\n")
        else:
            _brat_files(files, store, out_dir, onto, mapping_path)
    return files.paths


def _brat_files(files: FileSet, store: Any, out_dir: Path, onto: Ontology, mapping_path: Path | None) -> None:
    from kg.annotations.brat import write_ann
    from kg.annotations.store_articles import article_dicts, entity_names

    mapping = load_mapping("brat", mapping_path, onto)
    names = entity_names(store)
    for art in article_dicts(store):
        aid = art["id"]
        meta = {k: art[k] for k in ("id", "title", "publisher", "published", "language", "url", "cites", "note")
                if k in art}
        files.write(out_dir / f"{aid}.txt", art["text"])
        files.write(out_dir / f"{aid}.ann", write_ann(art, mapping, names))
        files.write(out_dir / f"{aid}.meta.yaml", dump_yaml(meta))
    if mapping_path is None:
        files.write(out_dir / "annotation.conf", (MAPPINGS_DIR / "annotation.conf").read_bytes())
