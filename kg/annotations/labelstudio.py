"""Label Studio JSON exports: tasks with span, relation and per-region results.

A task's ``data`` holds the text (key ``text``) and the article metadata
(``id``/``article_id``, ``title``, ``publisher``, ``published``, ``language``,
``url``, ``cites``). Of its annotations the last one not cancelled is used.
Span results (``value.start/end/text/labels``) are the tool's text-bound
annotations; a span labelled with an event type is an event whose arguments
are the relations drawn from it (their label is the role); relations labelled
with a relation type (HoldsPost) are relations. Per-region text areas and
choices (``per_region`` in the mapping) give normalisations, notes and attributes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.annotations.mapping import Mapping
from kg.annotations.model import Document, EventAnn, RelationAnn, TextAnn, Where
from kg.errors import InputError, Problem
from kg.source import SourceProblem, parse_document, read_text

TEXT_KEYS = ("text",)
META_ALIASES = {"article_id": "id"}


def is_export(data: Any) -> bool:
    """Whether parsed JSON looks like a Label Studio export (a list of tasks, or one task)."""
    if isinstance(data, dict):
        data = [data]
    return isinstance(data, list) and bool(data) and all(
        isinstance(t, dict) and "data" in t and ("annotations" in t or "completions" in t) for t in data)


def read_tasks(path: Path, display: str | None = None) -> list[Any]:
    display = display or str(path)
    try:
        data = parse_document(read_text(path, display), display, True)
    except SourceProblem as exc:
        raise InputError([exc.problem]) from exc
    if isinstance(data, dict):
        data = [data]
    if not is_export(data):
        raise InputError([Problem(display, "not a Label Studio export; expected a JSON list of tasks, each with "
                                           "'data' (text and article metadata) and 'annotations'")])
    return list(data)


def documents(path: Path, mapping: Mapping, display: str | None = None) -> list[Document]:
    """One :class:`Document` per task of the export."""
    display = display or str(path)
    docs, problems = [], []
    for i, task in enumerate(read_tasks(path, display)):
        try:
            docs.append(task_document(task, i, display, mapping))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return docs


def task_document(task: dict[str, Any], index: int, display: str, mapping: Mapping) -> Document:
    tid = task.get("id", index + 1)
    here = Where(display, None, f"task {tid}")
    data = task.get("data") or {}
    text = next((data[k] for k in TEXT_KEYS if isinstance(data.get(k), str)), None)
    if not text:
        raise InputError([here.problem("task data has no 'text'; expected the article text in data.text")])
    meta = {META_ALIASES.get(k, k): v for k, v in data.items() if k not in TEXT_KEYS}
    anns = [a for a in (task.get("annotations") or task.get("completions") or []) if not a.get("was_cancelled")]
    if not anns:
        raise InputError([here.problem("task has no annotation that was not cancelled; expected one")])
    ann = anns[-1]
    doc = Document(str(meta.get("id", f"task-{tid}")), display, text, meta)
    to_cp = _utf16_to_code_points(text)
    problems: list[Problem] = []
    per_region: list[tuple[dict[str, Any], Where]] = []
    rels: list[tuple[dict[str, Any], Where]] = []
    for j, r in enumerate(ann.get("result") or []):
        rid = r.get("id", f"#{j}")
        where = Where(display, None, f"task {tid}, result {rid}")
        rtype = r.get("type")
        if rtype == "relation":
            rels.append((r, where))
        elif rtype in ("labels", "hypertextlabels") and r.get("from_name") not in mapping.per_region:
            v = r.get("value") or {}
            labels = v.get("labels") or v.get("hypertextlabels") or []
            if len(labels) != 1:
                problems.append(where.problem(f"span has labels {labels}; expected exactly one label"))
                continue
            start, end = v.get("start"), v.get("end")
            if not isinstance(start, int) or not isinstance(end, int):
                problems.append(where.problem("span has no integer value.start/value.end; expected character offsets"))
                continue
            if to_cp is not None:  # Label Studio counts UTF-16 code units (JavaScript); TradeKG code points
                if not (0 <= start <= end < len(to_cp)):
                    problems.append(where.problem(f"offsets {start}-{end} lie outside the text"))
                    continue
                start, end = to_cp[start], to_cp[end]
            doc.texts[str(rid)] = TextAnn(str(rid), labels[0], [(start, end)], str(v.get("text", "")), where)
        elif r.get("from_name") in mapping.per_region:
            per_region.append((r, where))
        else:
            problems.append(where.problem(f"result of type {rtype!r} from {r.get('from_name')!r} is not a span, "
                                          "a relation, or a per-region control named in the mapping's per_region ("
                                          + ", ".join(sorted(mapping.per_region)) + ")"))
    for r, where in per_region:
        rid = str(r.get("id"))
        t = doc.texts.get(rid)
        if t is None:
            problems.append(where.problem(f"per-region {r.get('from_name')} refers to region {rid}, which is not a "
                                          "labelled span"))
            continue
        kind = mapping.per_region[r["from_name"]]
        v = r.get("value") or {}
        values = [str(x) for x in (v.get("text") or v.get("choices") or
                                   ([v["number"]] if "number" in v else []))]
        values = [x for x in values if x.strip()]
        if kind == "normalization":
            for x in values:
                db, key = x.split(":", 1) if ":" in x else (mapping.normalization_db("registry") or "TradeKG", x)
                t.norms.append((db.strip(), key.strip(), where))
        elif kind == "note":
            t.notes.extend(values)
        else:
            if values:
                t.attrs[kind] = values[0]
    for tid_, t in list(doc.texts.items()):
        if t.type in mapping.events:
            doc.events[tid_] = EventAnn(tid_, t.type, tid_, [], t.where, dict(t.attrs), list(t.notes))
            t.attrs, t.notes = {}, []
    for r, where in rels:
        a, b = str(r.get("from_id")), str(r.get("to_id"))
        if r.get("direction") == "left":
            a, b = b, a
        labels = r.get("labels") or []
        if len(labels) != 1:
            problems.append(where.problem(f"relation {a} -> {b} has labels {labels}; expected exactly one label "
                                          f"(a role: {', '.join(sorted(mapping.roles))}; or a relation: "
                                          f"{', '.join(sorted(mapping.relations))})"))
            continue
        label = labels[0]
        rwhere = Where(display, None, f"task {tid}, relation {a} -> {b}")
        for end_id in (a, b):
            if end_id not in doc.texts:
                problems.append(rwhere.problem(f"relation {label} refers to region {end_id}, which is not a "
                                               "labelled span of this annotation"))
        if a not in doc.texts or b not in doc.texts:
            continue
        if a in doc.events and label not in mapping.relations:
            target = b
            doc.events[a].args.append((label, target))
        else:
            rel_id = f"{a}-{b}"
            doc.relations[rel_id] = RelationAnn(rel_id, label, a, b, rwhere)
    # facts in the order their spans appear in the result list
    order = [k for k in doc.texts if k in doc.events] + list(doc.relations)
    doc.order = order
    if problems:
        raise InputError(problems)
    return doc


def _utf16_to_code_points(text: str) -> list[int] | None:
    """UTF-16 offset -> code-point offset, or None when they are the same (no character beyond U+FFFF).

    >>> _utf16_to_code_points("ab") is None, _utf16_to_code_points("a\U0001F600b")
    (True, [0, 1, 1, 2, 3])
    """
    if all(ord(c) <= 0xFFFF for c in text):
        return None
    out: list[int] = []
    for i, c in enumerate(text):
        out.append(i)
        if ord(c) > 0xFFFF:
            out.append(i)  # the low surrogate: inside the character
    out.append(len(text))
    return out


def source_key(path: Path, doc: Document, n_docs: int) -> str:
    """The manifest key of a task's article: the file, plus the task when the export has several."""
    base = str(path.resolve())
    return base if n_docs == 1 else f"{base}#task={doc.meta.get('id', doc.name)}"
