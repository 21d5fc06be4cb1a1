"""A fast yes/no check of a document against one of the project's JSON Schemas.

``jsonschema`` takes ~5 ms per article (most of a build's checking time at
scale). :func:`compile_schema` turns a schema into nested Python closures that
answer only "valid or not", ~20x faster. The builder runs it first and asks
``jsonschema`` for the error messages only when a document is invalid, so the
messages are exactly ``jsonschema``'s and valid documents pay the fast price.

Only the keywords the project's schemas use are supported; any other keyword
makes :func:`compile_schema` return None and callers fall back to
``jsonschema`` for every document, so a schema change can never make the fast
path accept what ``jsonschema`` would reject.

>>> check = compile_schema({"type": "object", "required": ["id"],
...                         "properties": {"id": {"type": "string", "pattern": "^[a-z]+$"}}})
>>> check({"id": "abc"}), check({"id": "ABC"}), check({})
(True, False, False)
>>> compile_schema({"type": "string", "format": "email"}) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kg.errors import SchemaUnsupported

Check = Callable[[Any], bool]

_ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs", "$comment", "default", "examples"}
_KNOWN = {"type", "required", "properties", "additionalProperties", "const", "$ref", "minLength", "maxLength",
          "pattern", "items", "uniqueItems", "not", "oneOf", "anyOf", "allOf", "minimum", "maximum", "minItems",
          "maxItems", "enum"} | _ANNOTATIONS


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _type_checks(strict_integer: bool) -> dict[str, Check]:
    def integer(x: Any) -> bool:
        if isinstance(x, bool):
            return False
        if isinstance(x, int):
            return True
        return not strict_integer and isinstance(x, float) and x.is_integer()

    return {
        "object": lambda x: isinstance(x, dict),
        "array": lambda x: isinstance(x, list),
        "string": lambda x: isinstance(x, str),
        "boolean": lambda x: isinstance(x, bool),
        "null": lambda x: x is None,
        "number": _is_number,
        "integer": integer,
    }


def _equal(a: Any, b: Any) -> bool:
    """JSON Schema equality: booleans are not numbers, 1 == 1.0, containers compared deeply."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    return a is None and b is None


def _unique(items: list[Any]) -> bool:
    if all(isinstance(x, str) for x in items):
        return len(set(items)) == len(items)
    return not any(_equal(items[i], items[j]) for i in range(len(items)) for j in range(i + 1, len(items)))


class _Compiler:
    def __init__(self, root: dict[str, Any], strict_integer: bool):
        self.root = root
        self.types = _type_checks(strict_integer)
        self.refs: dict[str, Check] = {}

    def ref(self, pointer: str) -> Check:
        if pointer in self.refs:
            return self.refs[pointer]
        if not pointer.startswith("#/"):
            raise SchemaUnsupported(f"$ref {pointer!r}")
        node: Any = self.root
        for part in pointer[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        slot: list[Check] = []
        self.refs[pointer] = lambda x: slot[0](x)  # allows recursive references
        slot.append(self.compile(node))
        self.refs[pointer] = slot[0]
        return slot[0]

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda x: True
        if schema is False:
            return lambda x: False
        if not isinstance(schema, dict):
            raise SchemaUnsupported(repr(schema))
        unknown = set(schema) - _KNOWN
        if unknown:
            raise SchemaUnsupported(", ".join(sorted(unknown)))
        checks: list[Check] = []
        s = schema
        if "type" in s:
            names = [s["type"]] if isinstance(s["type"], str) else list(s["type"])
            fns = [self.types[n] for n in names]
            checks.append(fns[0] if len(fns) == 1 else (lambda x, fns=fns: any(f(x) for f in fns)))  # type: ignore[misc]
        if "$ref" in s:
            checks.append(self.ref(s["$ref"]))
        if "const" in s:
            c = s["const"]
            checks.append(lambda x: _equal(x, c))
        if "enum" in s:
            options = s["enum"]
            checks.append(lambda x: any(_equal(x, o) for o in options))
        # objects
        props = {k: self.compile(v) for k, v in s.get("properties", {}).items()}
        required = list(s.get("required", ()))
        extra: Check | None = None
        if "additionalProperties" in s:
            extra = self.compile(s["additionalProperties"])
        if props or required or extra is not None:
            def obj(x: Any, props: dict[str, Check] = props, required: list[str] = required,
                    extra: Check | None = extra) -> bool:
                if not isinstance(x, dict):
                    return True
                for k in required:
                    if k not in x:
                        return False
                for k, v in x.items():
                    f = props.get(k)
                    if f is not None:
                        if not f(v):
                            return False
                    elif extra is not None and not extra(v):
                        return False
                return True
            checks.append(obj)
        # strings
        lo, hi = s.get("minLength"), s.get("maxLength")
        if lo is not None or hi is not None:
            lo_, hi_ = lo or 0, hi
            checks.append(lambda x: not isinstance(x, str) or (len(x) >= lo_ and (hi_ is None or len(x) <= hi_)))
        if "pattern" in s:
            rx = re.compile(s["pattern"])
            checks.append(lambda x: not isinstance(x, str) or rx.search(x) is not None)
        # numbers
        if "minimum" in s:
            m = s["minimum"]
            checks.append(lambda x: not _is_number(x) or x >= m)
        if "maximum" in s:
            mx = s["maximum"]
            checks.append(lambda x: not _is_number(x) or x <= mx)
        # arrays
        if "items" in s:
            item = self.compile(s["items"])
            checks.append(lambda x: not isinstance(x, list) or all(item(v) for v in x))
        if "minItems" in s:
            n_min = s["minItems"]
            checks.append(lambda x: not isinstance(x, list) or len(x) >= n_min)
        if "maxItems" in s:
            n_max = s["maxItems"]
            checks.append(lambda x: not isinstance(x, list) or len(x) <= n_max)
        if s.get("uniqueItems"):
            checks.append(lambda x: not isinstance(x, list) or _unique(x))
        # combinators
        if "not" in s:
            neg = self.compile(s["not"])
            checks.append(lambda x: not neg(x))
        if "oneOf" in s:
            subs = [self.compile(x) for x in s["oneOf"]]
            checks.append(lambda x: sum(1 for f in subs if f(x)) == 1)
        if "anyOf" in s:
            any_ = [self.compile(x) for x in s["anyOf"]]
            checks.append(lambda x: any(f(x) for f in any_))
        if "allOf" in s:
            all_ = [self.compile(x) for x in s["allOf"]]
            checks.append(lambda x: all(f(x) for f in all_))
        if not checks:
            return lambda x: True
        if len(checks) == 1:
            return checks[0]
        return lambda x: all(f(x) for f in checks)


def compile_schema(schema: dict[str, Any], strict_integer: bool = False) -> Check | None:
    """A function telling whether a document is valid, or None if the schema is beyond this checker.

    ``strict_integer``: ``81.0`` is not an integer (the article format's rule);
    by default it is, as in JSON Schema 2020-12.
    """
    try:
        return _Compiler(schema, strict_integer).compile(schema)
    except SchemaUnsupported:
        return None
