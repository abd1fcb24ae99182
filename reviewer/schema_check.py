"""Compile a JSON Schema into a fast yes/no check of plain data.

jsonschema's validator is general: for every value it walks every keyword of its subschema,
resolves references and builds lazy error iterators (~11 ms for a 47 kB proposal). Almost
every proposal is valid, and for a valid one only the answer is needed. `compile_check` turns
the schema, once per process, into nested closures that give that answer ~20 times faster.

Only a "yes" is trusted. `schema.validate` runs jsonschema, which words the problems, whenever
the check says "no"; so the check may be stricter than the schema (a false "no" costs time,
not correctness) but must never be looser. On purpose it is stricter in three ways:

- values must be exactly the types `schema.to_plain` makes (dict, list, str, int, float, bool);
- numbers must be finite and at most `max_number` in size, which `schema.validate` demands of
  every number besides the schema;
- a subschema without `type`, `enum`, `const` or `$ref` accepts only text and booleans.

Supported are the keywords the proposal and configuration schemas use, with jsonschema's Draft
2020-12 meaning: `type`, `properties` with `additionalProperties` (false or a subschema) and
`required` (on `type: object`), `oneOf` of branches that accept different types, `items` (on
`type: array`), `minItems`, `enum` and `const` of strings, `pattern`, `minLength`, `minimum`,
`maximum`, `format: date` (the same test as jsonschema's), `$ref` to `#/$defs/<name>`, and
annotations. Anything else raises `Unsupported`, and validation then always uses jsonschema.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

# Keywords that never affect validity (`$defs` only where the compiler resolves it: the root).
_ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "$comment",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
_ROOT_ONLY = frozenset({"$schema", "$id", "$defs"})
_SHAPES = frozenset({"type", "enum", "const", "$ref", "oneOf"})
_OBJECT_KEYWORDS = frozenset({"properties", "additionalProperties", "required"})
_VALUE_KEYWORDS = frozenset(
    {"items", "minItems", "pattern", "minLength", "minimum", "maximum", "format"}
)
_HANDLED = _SHAPES | _OBJECT_KEYWORDS | _VALUE_KEYWORDS
_DEFS_PREFIX = "#/$defs/"


class Unsupported(ValueError):
    """The schema uses something the fast check cannot reproduce exactly."""


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def is_date(value: Any) -> bool:
    """jsonschema's `format: date` test (jsonschema/_format.py, `is_date`), written out here so
    that the fast path does not import jsonschema (~40 ms of a cold start); a test compares
    the two."""
    if not isinstance(value, str):
        return True
    try:
        return bool(_DATE.fullmatch(value) and dt.date.fromisoformat(value))
    except ValueError:
        return False


FORMATS: Mapping[str, Check] = {"date": is_date}


def compile_check(schema: Mapping[str, Any], *, max_number: float) -> Check:
    """A function of plain data that returns True only where `schema` finds no error."""
    return _Compiler(schema, max_number).root()


class _Compiler:
    def __init__(self, schema: Mapping[str, Any], max_number: float) -> None:
        self.schema = schema
        self.defs: Mapping[str, Any] = schema.get("$defs", {})
        self.max_number = max_number
        self.compiled: dict[str, Check | None] = {}

    def root(self) -> Check:
        return self.node(self.schema, root=True)

    def node(self, schema: Any, *, root: bool = False) -> Check:
        """The check of one subschema: the conjunction of its keywords' checks."""
        if not isinstance(schema, Mapping):
            raise Unsupported(f"a boolean or non-object subschema: {schema!r}")
        unknown = {
            key
            for key in schema
            if key not in _HANDLED
            and key not in _ANNOTATIONS
            and not (root and key in _ROOT_ONLY)
            and not key.startswith("x-")
        }
        if unknown:
            raise Unsupported(f"keywords {sorted(unknown)}")
        if _OBJECT_KEYWORDS & schema.keys() and schema.get("type") != "object":
            raise Unsupported("object keywords without `type: object`")
        if "items" in schema and schema.get("type") != "array":
            raise Unsupported("items without `type: array`")
        checks = [check for check in self._keyword_checks(schema) if check is not None]
        return _all_of(checks)

    def _keyword_checks(self, schema: Mapping[str, Any]) -> list[Check | None]:
        return [
            self.ref(schema["$ref"]) if "$ref" in schema else None,
            self.one_of(schema["oneOf"]) if "oneOf" in schema else None,
            self.typed(schema) if "type" in schema else None,
            None if _SHAPES & schema.keys() else _text_or_boolean,
            _enum(schema["enum"]) if "enum" in schema else None,
            _enum([schema["const"]]) if "const" in schema else None,
            _pattern(schema["pattern"]) if "pattern" in schema else None,
            _min_length(schema["minLength"]) if "minLength" in schema else None,
            _min_items(schema["minItems"]) if "minItems" in schema else None,
            _bound(schema["minimum"], minimum=True) if "minimum" in schema else None,
            _bound(schema["maximum"], minimum=False) if "maximum" in schema else None,
            self.format(schema["format"]) if "format" in schema else None,
        ]

    def ref(self, ref: Any) -> Check:
        """The check of a `$defs` entry, compiled once however often it is referred to."""
        if not isinstance(ref, str) or not ref.startswith(_DEFS_PREFIX):
            raise Unsupported(f"$ref {ref!r}")
        name = ref[len(_DEFS_PREFIX) :]
        if "/" in name or "~" in name or "%" in name:  # JSON-pointer escapes: not supported
            raise Unsupported(f"$ref {ref!r}")
        if name not in self.defs:
            raise Unsupported(f"$ref {ref!r} names no definition")
        if name not in self.compiled:
            self.compiled[name] = None  # in progress: a recursive reference goes through the map
            self.compiled[name] = self.node(self.defs[name])
        check = self.compiled[name]
        if check is None:
            compiled = self.compiled
            return lambda value: compiled[name](value)  # type: ignore[misc]
        return check

    def one_of(self, branches: Any) -> Check:
        """`oneOf` whose branches accept pairwise different JSON types: then at most one branch
        can hold for jsonschema too, and `oneOf` is `anyOf`. (With overlapping branches a
        stricter branch check could make "exactly one" true where jsonschema finds two.)"""
        if not isinstance(branches, list) or not branches:
            raise Unsupported(f"oneOf {branches!r}")
        seen: set[str] = set()
        for branch in branches:
            kinds = self.json_types(branch)
            if kinds & seen:
                raise Unsupported("oneOf with branches that accept the same type")
            seen |= kinds
        return _any_of([self.node(branch) for branch in branches])

    def json_types(self, schema: Any) -> set[str]:
        """The JSON types a subschema's `type` allows (integer counted as number)."""
        while isinstance(schema, Mapping) and "type" not in schema and "$ref" in schema:
            schema = self.defs.get(str(schema["$ref"]).removeprefix(_DEFS_PREFIX))
        kind = schema.get("type") if isinstance(schema, Mapping) else None
        names = [kind] if isinstance(kind, str) else kind
        if not isinstance(names, list) or not names:
            raise Unsupported(f"oneOf branch without a type: {schema!r}")
        return {"number" if name == "integer" else str(name) for name in names}

    def typed(self, schema: Mapping[str, Any]) -> Check:
        kind = schema["type"]
        if kind == "object":
            return self.object(schema)
        if kind == "array":
            return self.array(schema)
        names = [kind] if isinstance(kind, str) else kind
        if not isinstance(names, list) or not names:
            raise Unsupported(f"type {kind!r}")
        return _any_of([self.type_name(name) for name in names])

    def type_name(self, name: Any) -> Check:
        bound = self.max_number
        if name == "string":
            return lambda value: type(value) is str
        if name == "boolean":
            return lambda value: type(value) is bool
        if name == "null":
            return lambda value: value is None
        if name == "number":
            return lambda value: type(value) in (int, float) and -bound <= value <= bound
        if name == "integer":
            return lambda value: (
                (type(value) is int or (type(value) is float and value.is_integer()))
                and -bound <= value <= bound
            )
        raise Unsupported(f"type {name!r}")

    def object(self, schema: Mapping[str, Any]) -> Check:
        """A mapping whose every key is a declared property whose check its value passes, or,
        where `additionalProperties` is a subschema, any other key whose value passes that."""
        additional = schema.get("additionalProperties")
        if additional is not False and not isinstance(additional, Mapping):
            raise Unsupported("an object that allows any other keys")
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        if not isinstance(properties, Mapping) or not isinstance(required, list):
            raise Unsupported("properties or required of the wrong type")
        checks = {key: self.node(sub) for key, sub in properties.items()}
        other = None if additional is False else self.node(additional)
        needed = tuple(required)

        def check(value: Any) -> bool:
            if type(value) is not dict:
                return False
            for key, item in value.items():
                item_check = checks.get(key, other)
                if item_check is None or not item_check(item):
                    return False
            return all(key in value for key in needed)

        return check

    def array(self, schema: Mapping[str, Any]) -> Check:
        if "items" not in schema:
            return lambda value: type(value) is list and all(map(_text_or_boolean, value))
        item_check = self.node(schema["items"])
        return lambda value: type(value) is list and all(map(item_check, value))

    def format(self, name: Any) -> Check:
        """A format test identical to jsonschema's; other formats are not supported."""
        if not isinstance(name, str) or name not in FORMATS:
            raise Unsupported(f"format {name!r}")
        return FORMATS[name]


def _text_or_boolean(value: Any) -> bool:
    return type(value) is str or type(value) is bool


def _enum(values: Any) -> Check:
    """jsonschema compares text with text by ==; other values are not supported."""
    if not isinstance(values, list) or not all(type(value) is str for value in values):
        raise Unsupported(f"enum or const of non-text values: {values!r}")
    allowed = frozenset(values)
    return lambda value: type(value) is str and value in allowed


def _pattern(pattern: Any) -> Check:
    if not isinstance(pattern, str):
        raise Unsupported(f"pattern {pattern!r}")
    search = re.compile(pattern).search  # jsonschema: re.search(pattern, instance)
    return lambda value: not isinstance(value, str) or search(value) is not None


def _min_length(length: Any) -> Check:
    if type(length) is not int:
        raise Unsupported(f"minLength {length!r}")
    return lambda value: not isinstance(value, str) or len(value) >= length


def _min_items(count: Any) -> Check:
    if type(count) is not int:
        raise Unsupported(f"minItems {count!r}")
    return lambda value: not isinstance(value, list) or len(value) >= count


def _bound(limit: Any, *, minimum: bool) -> Check:
    if type(limit) not in (int, float) or not math.isfinite(limit):
        raise Unsupported(f"bound {limit!r}")
    if minimum:
        return lambda value: not _is_number(value) or value >= limit
    return lambda value: not _is_number(value) or value <= limit


def _is_number(value: Any) -> bool:
    """jsonschema's `number`: any Number but a boolean (int and float first: the ABC's
    test is slow, and it is asked of every bounded number)."""
    kind = type(value)
    if kind is int or kind is float:
        return True
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _all_of(checks: list[Check]) -> Check:
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)

    def every(value: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a loop: all() with a generator costs more
            if not check(value):
                return False
        return True

    return every


def _any_of(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]

    def some(value: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a loop: any() with a generator costs more
            if check(value):
                return True
        return False

    return some
