"""Reading YAML and JSON input files with locations for error messages.

Documents are parsed fast (libyaml / json); only when a problem must be
reported is the file composed again to find the line of a JSON path.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from kg.errors import InputError, Problem

try:  # libyaml is much faster; fall back to pure Python if it is missing
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


class _StrictLoader(_Loader):  # type: ignore[misc, valid-type]
    """The safe loader, but a scalar it cannot convert is a YAML error with its line, not a crash."""


def _guarded(tag: str) -> None:
    base = yaml.SafeLoader.yaml_constructors[tag]

    def construct(loader: Any, node: yaml.Node) -> Any:
        try:
            return base(loader, node)
        except (ValueError, OverflowError) as exc:  # 2025-02-30, an integer of 5000 digits
            what = "date" if tag.endswith("timestamp") else "number"
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value[:40]!r} is not a valid {what} ({exc}); "
                            + ("expected a calendar date YYYY-MM-DD" if what == "date" else "expected a smaller number"),
                node.start_mark) from exc

    _StrictLoader.add_constructor(tag, construct)


for _tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
    _guarded(_tag)

DEFAULT_MAX_BYTES = 5_000_000
"""Largest input file accepted, in bytes (``TRADEKG_MAX_ARTICLE_BYTES`` overrides)."""


def max_bytes() -> int:
    """The size limit in bytes; a malformed ``TRADEKG_MAX_ARTICLE_BYTES`` is an :class:`InputError`."""
    raw = os.environ.get("TRADEKG_MAX_ARTICLE_BYTES")
    if raw is None:
        return DEFAULT_MAX_BYTES
    try:
        value = int(raw.strip().replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise InputError([Problem("environment variable TRADEKG_MAX_ARTICLE_BYTES",
                                  f"{raw!r} is not a positive whole number of bytes; expected e.g. 5000000")])
    return value


class SourceProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def read_text(path: Path, display: str, limit: int | None = None) -> str:
    """Read a UTF-8 file strictly: size limit, no BOM, no invalid bytes, one newline style."""
    limit = max_bytes() if limit is None else limit
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a folder, FIFO or device would fail or block on read
            raise SourceProblem(Problem(display, "not a regular file; expected a UTF-8 text file"))
        if st.st_size > limit:
            raise SourceProblem(Problem(display, f"file is {st.st_size} bytes, over the limit of {limit} bytes "
                                                 "(set TRADEKG_MAX_ARTICLE_BYTES to raise it)"))
        with path.open("rb") as fh:
            data = fh.read(limit + 1)  # never more than the limit, even if the file grows meanwhile
    except OSError as exc:
        raise SourceProblem(Problem(display, f"cannot read the file: {exc.strerror or exc}")) from exc
    if len(data) > limit:
        raise SourceProblem(Problem(display, f"file is over the limit of {limit} bytes "
                                             "(set TRADEKG_MAX_ARTICLE_BYTES to raise it)"))
    if not data.strip():
        raise SourceProblem(Problem(display, "file is empty; expected an annotated article"))
    if data.startswith(b"\xef\xbb\xbf"):
        raise SourceProblem(Problem(display, "file starts with a UTF-8 byte-order mark (BOM); "
                                             "save it as UTF-8 without BOM so character offsets are unambiguous",
                                    line=1, column=1))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8", "replace")
        line, col = _line_col(prefix, len(prefix))
        raise SourceProblem(Problem(display, f"byte 0x{data[exc.start]:02x} at byte offset {exc.start} "
                                             "is not valid UTF-8; expected a UTF-8 text file",
                                    line=line, column=col)) from exc
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    if lone_cr or (crlf and lf):
        idx = text.find("\r\n") if crlf else text.find("\r")
        line, _ = _line_col(text, idx)
        raise SourceProblem(Problem(display, "file mixes line endings (LF, CRLF or lone CR); "
                                             "expected one style throughout so offsets are stable", line=line))
    if "\x00" in text:
        idx = text.index("\x00")
        line, col = _line_col(text, idx)
        raise SourceProblem(Problem(display, "file contains a NUL character; expected text", line=line, column=col))
    return text


def _normalise(value: Any) -> Any:
    """YAML turns 2025-04-16 into a date; the format's values are JSON types."""
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def parse_document(text: str, display: str, is_json: bool) -> Any:
    """Parse YAML or JSON text into plain JSON-like data."""
    if is_json:
        try:
            doc = json.loads(text, parse_constant=_json_constant)
            _check_tree(doc, text, display)
            return doc
        except json.JSONDecodeError as exc:
            raise SourceProblem(Problem(display, f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno)) from exc
        except RecursionError as exc:
            raise SourceProblem(Problem(display, "invalid JSON: lists or objects nested too deeply; "
                                                 "expected an annotated article", line=1)) from exc
        except ValueError as exc:  # NaN/Infinity, or an integer of more than 4300 digits
            hint = "a smaller number" if "digits" in str(exc) else "a finite number"
            raise SourceProblem(Problem(display, f"invalid JSON: {exc}; expected {hint}", line=1)) from exc
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        msg = f"invalid YAML: {exc.problem}" + (f" ({exc.context})" if exc.context else "")
        raise SourceProblem(Problem(display, msg, line=mark.line + 1 if mark else None,
                                    column=mark.column + 1 if mark else None)) from exc
    except yaml.YAMLError as exc:
        raise SourceProblem(Problem(display, f"invalid YAML: {exc}")) from exc
    except RecursionError as exc:
        raise SourceProblem(Problem(display, "invalid YAML: lists or mappings nested too deeply; "
                                             "expected an annotated article", line=1)) from exc
    _check_tree(data, text, display)
    return _normalise(data)


MAX_DEPTH = 64
"""Deepest nesting of lists and mappings accepted (articles need fewer than 10 levels)."""
_SURROGATE = re.compile("[\ud800-\udfff]")


def _alias_line(text: str) -> int | None:
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, yaml.AliasToken):
                return int(token.start_mark.line) + 1
    except yaml.YAMLError:
        pass
    return None


def _check_tree(data: Any, text: str, display: str) -> None:
    """Refuse what would make later steps blow up, without recursion.

    A list or mapping reached twice comes from a YAML alias: a 'billion laughs'
    file of a few hundred bytes would expand exponentially, and ``&a [*a]``
    refers to itself. Lone UTF-16 surrogates (``"\\ud800"`` escapes) cannot be
    stored as UTF-8.
    """
    seen: set[int] = set()
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, (dict, list)):
            if id(value) in seen:
                raise SourceProblem(Problem(display, "a YAML alias (*name) repeats a list or mapping; expected each "
                                                     "list and mapping written out (such aliases are refused so a "
                                                     "small file cannot expand without bound)",
                                            line=_alias_line(text), path=path_str(path) or None))
            seen.add(id(value))
            if len(path) >= MAX_DEPTH:
                raise SourceProblem(Problem(display, f"lists or mappings nested more than {MAX_DEPTH} levels deep; "
                                                     "expected an annotated article", line=Locator(text).line(path)))
            pairs = value.items() if isinstance(value, dict) else enumerate(value)
            for k, v in pairs:
                if isinstance(k, str) and _SURROGATE.search(k):
                    stack.append((k, path))
                stack.append((v, (*path, k)))
        elif isinstance(value, str) and _SURROGATE.search(value):
            raise SourceProblem(Problem(display, "text contains a lone UTF-16 surrogate (an escape such as \\ud800 "
                                                 "without its pair); expected valid Unicode text",
                                        line=Locator(text).line(path), path=path_str(path) or None))


def _json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class Locator:
    """Finds the line of a path like ``("facts", 2, "rate")`` in a YAML/JSON text, lazily."""

    def __init__(self, text: str):
        self._text = text
        self._root: yaml.Node | None = None
        self._failed = False

    def line(self, path: tuple[str | int, ...]) -> int | None:
        if self._root is None and not self._failed:
            try:
                self._root = yaml.compose(self._text, Loader=_Loader)
            except yaml.YAMLError:
                self._failed = True
        node = self._root
        best: int | None = node.start_mark.line + 1 if node is not None else None
        for key in path:
            if node is None:
                break
            nxt = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == key:
                        nxt = v
                        best = k.start_mark.line + 1
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                nxt = node.value[key]
                best = nxt.start_mark.line + 1
            node = nxt
            if node is None:
                break
        return best


def path_str(path: tuple[str | int, ...] | list[str | int]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out
