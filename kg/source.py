"""Reading YAML and JSON input files with locations for error messages.

Documents are parsed fast (libyaml / json); only when a problem must be
reported is the file composed again to find the line of a JSON path.

A value is what the person wrote: YAML is read with the YAML 1.2 core schema
(``025`` is 25, ``yes`` and ``2025-02-08`` are strings), and aliases, keys
given twice, numbers that would become 0 or infinity, and control characters
or non-characters (raw or as escapes) are refused with their line.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from kg.errors import InputError, Problem, SourceProblem, TradeKGError

try:  # libyaml is much faster; fall back to pure Python if it is missing
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

_TAG = "tag:yaml.org,2002:"
# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution): 025 is 25, yes/on/1_000/12:30:00 and
# 2025-02-08 are strings. YAML 1.1 turned them into 21, True, 1000, 45000 and a date, changing what was written.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")


class _AliasRefused(TradeKGError, yaml.YAMLError):
    """A YAML alias (``*name``): its line is found by scanning the text again."""


class _StrictLoader(_Loader):  # type: ignore[misc, valid-type]
    """The fast safe loader with YAML 1.2 core values, no aliases and no duplicate keys.

    A scalar it cannot store as written is a YAML error with its line, not a crash or a silent change.
    """

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    yaml_constructors = {tag: yaml.SafeLoader.yaml_constructors[tag] for tag in
                         (f"{_TAG}null", f"{_TAG}str", f"{_TAG}seq", f"{_TAG}map", None)}
    yaml_multi_constructors: dict[Any, Any] = {}

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # The composer shares one node among its anchor and every alias; a second visit is an alias.
        # Refusing here costs nothing on the way and stops a string aliased 1000 times before any copy is made.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _AliasRefused("alias")
        return super().construct_object(node, deep)

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(None, None, "expected a mapping", node.start_mark)
        mapping: dict[Any, Any] = {}
        key_nodes: dict[Any, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                first = key_nodes.setdefault(key, key_node)
            except TypeError as exc:
                raise yaml.constructor.ConstructorError(None, None, "a list or mapping as a key; expected a plain key",
                                                        key_node.start_mark) from exc
            if first is not key_node:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first at line {first.start_mark.line + 1}); "
                                "expected each key once in a mapping", key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


for _tag, _rx, _first in ((f"{_TAG}null", _NULL, "~nN"), (f"{_TAG}bool", _BOOL, "tTfF"),
                          (f"{_TAG}int", _INT, "-+0123456789"), (f"{_TAG}float", _FLOAT, "-+.0123456789")):
    for _ch in [*_first, ""] if _tag.endswith("null") else _first:
        _StrictLoader.yaml_implicit_resolvers.setdefault(_ch, []).append((_tag, _rx))


def _scalar_error(node: yaml.Node, expected: str) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, f"{node.value[:40]!r} {expected}", node.start_mark)


def _construct_bool(loader: Any, node: yaml.ScalarNode) -> bool:
    value = loader.construct_scalar(node)
    if not _BOOL.match(value):
        raise _scalar_error(node, "is not a YAML 1.2 boolean; expected true or false")
    return value.lower() == "true"


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    value = loader.construct_scalar(node)
    if not _INT.match(value):
        raise _scalar_error(node, "is not a YAML 1.2 integer; expected digits such as 25")
    try:
        if value[:2] in ("0o", "0x"):
            return int(value[2:], 8 if value[1] == "o" else 16)
        return int(value)
    except ValueError as exc:  # more than 4300 digits
        raise _scalar_error(node, f"is not a valid number ({exc}); expected a smaller number") from exc


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    value = loader.construct_scalar(node)
    if not _FLOAT.match(value):
        raise _scalar_error(node, "is not a YAML 1.2 number; expected a number such as 2.5")
    why = number_error(value)
    if why:
        raise _scalar_error(node, why)
    return float(value)


def number_error(literal: str) -> str | None:
    """Why a float literal cannot be stored as written (infinite, not a number, or rounded to 0), or None."""
    value = math.inf if literal.lstrip("+-").lower() in (".inf", ".nan") else float(literal)
    if math.isnan(value) or math.isinf(value):
        return "is not a finite number; expected a number such as 2.5 (within about ±1.8e308)"
    if value == 0 and re.search(r"[1-9]", literal.split("e")[0].split("E")[0]):
        return "is too small to store (it would be rounded to 0); expected 0 or a number above about 5e-324"
    return None


_StrictLoader.add_constructor(f"{_TAG}bool", _construct_bool)
_StrictLoader.add_constructor(f"{_TAG}int", _construct_int)
_StrictLoader.add_constructor(f"{_TAG}float", _construct_float)

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
    bad = _BAD_IN_FILE.search(text)
    if bad:
        line, col = _line_col(text, bad.start())
        raise SourceProblem(Problem(display, f"file contains {char_problem(bad.group())}", line=line, column=col))
    return text


def _normalise(value: Any) -> Any:
    """Mapping keys as strings: the format's values are JSON types (``25: x`` has the key "25")."""
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


class _DuplicateKey(TradeKGError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


class _BadNumber(TradeKGError):
    def __init__(self, literal: str, why: str):
        super().__init__(literal)
        self.literal, self.why = literal, why


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for k, _ in pairs:
            if k in seen:
                raise _DuplicateKey(k)
            seen.add(k)
    return obj


def _json_float(literal: str) -> float:
    why = number_error(literal)
    if why:
        raise _BadNumber(literal, why)
    return float(literal)


_JSON_TOKEN = re.compile(r'("(?:[^"\\]|\\.)*")(\s*:)?|[{}\[\]]')


def _json_duplicate_lines(text: str, key: str) -> tuple[int, int] | None:
    """The lines of the first and second ``key`` in one object of a valid JSON text (only when reporting)."""
    stack: list[dict[str, int] | None] = []
    line, last = 1, 0
    for m in _JSON_TOKEN.finditer(text):
        line += text.count("\n", last, m.start())
        last = m.start()
        tok = m.group()
        if tok in ("{", "["):
            stack.append({} if tok == "{" else None)
        elif tok in ("}", "]"):
            if stack:
                stack.pop()
        elif m.group(2) and stack and stack[-1] is not None:
            k = json.loads(m.group(1))
            if k == key and k in stack[-1]:
                return stack[-1][k], line
            stack[-1][k] = line
    return None


def parse_document(text: str, display: str, is_json: bool) -> Any:
    """Parse YAML (1.2 core schema) or JSON text into plain JSON-like data, each value as written.

    Refused with a located :class:`SourceProblem`: YAML aliases, a key given twice in one mapping, numbers that
    cannot be stored as written, control characters and non-characters in strings, very deep nesting.
    """
    if is_json:
        try:
            doc = json.loads(text, parse_constant=_json_constant, parse_float=_json_float,
                             object_pairs_hook=_json_object)
            _check_tree(doc, text, display)
            return doc
        except json.JSONDecodeError as exc:
            raise SourceProblem(Problem(display, f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno)) from exc
        except RecursionError as exc:
            raise SourceProblem(Problem(display, "invalid JSON: lists or objects nested too deeply; "
                                                 "expected an annotated article", line=1)) from exc
        except _DuplicateKey as exc:
            lines = _json_duplicate_lines(text, exc.key)
            first = f" (first at line {lines[0]})" if lines else ""
            raise SourceProblem(Problem(display, f"invalid JSON: duplicate key {exc.key!r}{first}; expected each "
                                                 "key once in an object", line=lines[1] if lines else None)) from exc
        except _BadNumber as exc:
            found = re.search(r"(?<![\w.+-])" + re.escape(exc.literal) + r"(?![\w.])", text)
            raise SourceProblem(Problem(display, f"invalid JSON: {exc.literal[:40]} {exc.why}",
                                        line=_line_col(text, found.start())[0] if found else None)) from exc
        except ValueError as exc:  # NaN/Infinity, or an integer of more than 4300 digits
            hint = "a smaller number" if "digits" in str(exc) else "a finite number"
            raise SourceProblem(Problem(display, f"invalid JSON: {exc}; expected {hint}", line=1)) from exc
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except _AliasRefused as exc:
        raise SourceProblem(Problem(display, "a YAML alias (*name) repeats an earlier value; expected each value "
                                             "written out (aliases are refused so a small file cannot expand "
                                             "without bound)", line=_alias_line(text))) from exc
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
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(chr(p * 0x10000 + 0xFFFE) + chr(p * 0x10000 + 0xFFFF)
                                                        for p in range(1, 17))
_BAD_IN_FILE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_NONCHARACTERS}]")
"""Characters that break XML output and terminals: controls other than tab, LF and CR, and non-characters."""
_BAD_IN_STRING = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")


def char_problem(ch: str) -> str:
    """What is wrong with a character :data:`_BAD_IN_STRING` matches, and what was expected."""
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return ("a lone UTF-16 surrogate (an escape such as \\ud800 without its pair); "
                "expected valid Unicode text")
    if code < 0x20 or 0x7F <= code <= 0x9F:
        name = " (NUL)" if code == 0 else ""
        return (f"the control character U+{code:04X}{name}; expected printable text (tab, newline and "
                "carriage return are the only control characters allowed)")
    return f"U+{code:04X}, a Unicode non-character; expected text characters"


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

    Nesting deeper than :data:`MAX_DEPTH`; in keys and strings, control characters and non-characters
    written as escapes (``"\\x01"``, ``"\\e"``, ``"\\uFFFE"``), which break XML output and terminal tables,
    and lone UTF-16 surrogates (``"\\ud800"``), which cannot be stored as UTF-8.
    """
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, (dict, list)):
            if len(path) >= MAX_DEPTH:
                raise SourceProblem(Problem(display, f"lists or mappings nested more than {MAX_DEPTH} levels deep; "
                                                     "expected an annotated article", line=Locator(text).line(path)))
            if isinstance(value, dict):
                for k, v in value.items():
                    bad = _BAD_IN_STRING.search(k) if isinstance(k, str) else None
                    if bad:
                        raise SourceProblem(Problem(display, f"the key {k[:40]!r} contains {char_problem(bad.group())}",
                                                    line=Locator(text).line((*path, k)), path=path_str(path) or None))
                    stack.append((v, (*path, k)))
            else:
                stack.extend((v, (*path, i)) for i, v in enumerate(value))
        elif isinstance(value, str):
            bad = _BAD_IN_STRING.search(value)
            if bad:
                raise SourceProblem(Problem(display, f"text contains {char_problem(bad.group())}",
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
