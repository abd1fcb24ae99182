"""Validate a loaded proposal against the format (JSON Schema) and its cross-references.

Validation reports every problem of a file at once, each pointing at a line and column, with a
did-you-mean for misspelt keys, vocabulary values and ids. Absent optional fields are not
problems: absence is what the rules judge.

Speed: jsonschema words the problems but takes ~15 ms for a 47 kB proposal, and almost every
proposal is valid. So `validate` first asks the schema compiled to a yes/no check
(schema_check.py, ~0.3 ms; compiled once per process in ~1.5 ms) and runs jsonschema only when
the check says no. The check is never looser than jsonschema, so a "yes" means jsonschema
would report nothing. `_validate_reference` is the jsonschema-only path, kept for the tests
that compare the two. One walk of the tree makes the plain data and notes blank keys, and
`validate_with_data` hands the plain data on so a review does not convert the tree again.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer import prebuilt
from reviewer.loader import Document, Location, format_yaml_path
from reviewer.schema_check import Check, Unsupported, compile_check
from reviewer.spelling import did_you_mean

SCHEMA_PATH = Path(__file__).parent / "schemas" / "proposal.schema.yaml"
FORMAT_MARKER = "proposal/v1"
# Larger numbers are slips or crafted input: YAML reads `.inf`, `.nan` and `1e400` as numbers
# the schema accepts, sums of huge ones overflow, and the rule engine compares 64-bit values.
MAX_NUMBER = 10**15

YamlPath = tuple[str | int, ...]

if TYPE_CHECKING:  # imported where used: jsonschema is ~40 ms of start-up a valid file never needs
    import jsonschema


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem, located in the file."""

    file: str
    line: int
    column: int
    yaml_path: str
    message: str

    def __str__(self) -> str:
        place = ":".join(str(part) for part in (self.file, self.line, self.column) if part)
        where = f"{self.yaml_path}: " if self.yaml_path else ""
        return f"{place}: {where}{self.message}"


def read_schema(path: Path) -> dict[str, Any]:
    """A JSON Schema written in YAML, as plain data (prebuilt for the bundled schemas)."""
    return prebuilt.load(path.read_text(encoding="utf-8"))


def make_validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator that also checks `format: date`."""
    import jsonschema

    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@cache
def proposal_schema() -> dict[str, Any]:
    """The proposal JSON Schema as plain data (read once per process), with the scoped-answer
    alternative added to every property that answers an ICAT question."""
    return with_scoped_answers(read_schema(SCHEMA_PATH))


SCOPED_ANSWER = "#/$defs/scoped_answer"
SCOPED_KEYS = ("not_relevant", "to_be_established")


def with_scoped_answers(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema where every property that answers an ICAT question (it, or a block around it,
    carries `x-icat`) may also be answered `{not_relevant: ...}` or `{to_be_established: ...}`.

    ICAT's "how to use" pages say only some questions apply to a given programme and that
    missing information calls for an activity to generate it; a format that demands an answer
    for every field turns that into a checklist. A text or list property gets a `oneOf` with
    `$defs/scoped_answer`; an object property gets the two keys among its own properties.
    Top-level sections (target groups, components, ...) are not scoped: every programme has
    them. Marked `x-scoped: true` so readers of the schema can tell."""
    defs = schema["$defs"]
    for name, definition in defs.items():
        if name not in ("scoped_answer", "activity", "id", "idref", "text", "date"):
            _scope_properties(definition, defs, inherited=bool(definition.get("x-icat")))
    return schema


def _scope_properties(node: dict[str, Any], defs: dict[str, Any], inherited: bool) -> None:
    for name, prop in list(node.get("properties", {}).items()):
        if name in SCOPED_KEYS:
            continue
        answers = inherited or bool(prop.get("x-icat"))
        if prop.get("type") == "object" and "properties" in prop:
            _scope_properties(prop, defs, answers)
            if answers:
                prop["properties"].update(
                    {key: defs["scoped_answer"]["properties"][key] for key in SCOPED_KEYS}
                )
                prop["x-scoped"] = True
        elif answers and (prop.get("$ref") == "#/$defs/text" or _answer_list(prop)):
            node["properties"][name] = _wrapped(prop)
        elif prop.get("type") == "array":
            items = prop.get("items")
            if isinstance(items, dict) and items.get("type") == "object":
                _scope_properties(items, defs, False)


def _answer_list(prop: dict[str, Any]) -> bool:
    """A list that answers a question: not a list of entities or of items with ids
    (mel.indicators, assumptions, a plan's activities), whose absence rules judge one by one."""
    items = prop.get("items") or {}
    has_ids = "id" in (items.get("properties") or {})
    return prop.get("type") == "array" and items.get("$ref") not in _ENTITY_REFS and not has_ids


_ENTITY_REFS = {f"#/$defs/{name}" for name in ("pattern", "target_group", "component",
                                               "indicator", "budget_line", "partner", "waiver")}


def _wrapped(prop: dict[str, Any]) -> dict[str, Any]:
    """`prop` or a scoped answer; annotations stay on the outside, where editors show them."""
    annotations = {k: v for k, v in prop.items() if k == "description" or k.startswith("x-")}
    shape = {k: v for k, v in prop.items() if k not in annotations}
    return {**annotations, "oneOf": [shape, {"$ref": SCOPED_ANSWER}], "x-scoped": True}


def vocabulary(definition: str, field: str) -> tuple[str, ...]:
    """The allowed values of a field of a schema definition, e.g. ('component', 'type').
    The schema is the one source of every vocabulary the code needs."""
    node = proposal_schema()["$defs"][definition]["properties"][field]
    return tuple(str(value) for value in node["enum"])


def schema_json() -> str:
    """The schema as the JSON document `ctreview schema` prints and docs/ commits: the editors'
    version, in which optional fields may be left blank (see editor_schema.py)."""
    from reviewer.editor_schema import editor_schema

    return json.dumps(editor_schema(proposal_schema()), indent=2, ensure_ascii=False) + "\n"


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return make_validator(proposal_schema())


def to_plain(node: Any, *, keep_blank: bool = False) -> Any:
    """The ruamel tree as plain JSON-like data; null and blank values count as absent (unless
    `keep_blank`: a configuration reports a key written without a value).

    Dates become ISO strings (YAML reads 2027-01-01 as a date), so the schema can check them.
    """
    kind = type(node)
    if kind in _SAME_WHEN_PLAIN:  # most of a tree: its scalars (a bool is in the set)
        return node
    if kind is dict or isinstance(node, Mapping):
        return {
            str(key): to_plain(value, keep_blank=keep_blank)
            for key, value in _pairs(node)
            if keep_blank or not _is_blank(value)
        }
    if isinstance(node, list):
        return [to_plain(item, keep_blank=keep_blank) for item in node]
    if isinstance(node, dt.date):
        return node.isoformat()
    for kind in (bool, int, float, str):
        if isinstance(node, kind):
            return kind(node)
    return node


# Types whose to_plain conversion is the value itself.
_SAME_WHEN_PLAIN = frozenset({str, int, float, bool})


def _plain_noting_blanks(node: Any, path: YamlPath, blanks: list[YamlPath]) -> Any:
    """to_plain(node), and the paths _blank_keys(node) finds appended to `blanks`: one walk of
    the tree instead of two. A mapping or list that holds nothing to drop or convert is
    returned as it is, not copied: most proposals hold no blank and only a few dates, so their
    plain data shares the document's containers (which no step changes: a test holds the
    review to leaving the document as it was)."""
    if isinstance(node, (dict, Mapping)):  # dict first: quicker to test than the ABC
        return _plain_mapping(node, path, blanks)
    if isinstance(node, list):
        return _plain_list(node, path, blanks)
    return to_plain(node)


def _plain_mapping(node: Mapping[str, Any], path: YamlPath, blanks: list[YamlPath]) -> Any:
    plain: dict[str, Any] | None = None  # a copy, begun at the first key that changes
    for index, (key, value) in enumerate(_pairs(node)):
        kind = type(value)
        if kind in _SAME_WHEN_PLAIN and not (kind is str and not value.strip()):
            new = value
        elif _is_blank(value):
            new = _BLANK
        else:
            new = _plain_noting_blanks(value, (*path, str(key)), blanks)
        if plain is None:
            if new is value and type(key) is str:
                continue
            plain = dict(itertools.islice(_pairs(node), index))  # the keys before, unchanged
        if new is _BLANK:
            blanks.append((*path, str(key)))
        else:
            plain[str(key)] = new
    if plain is not None:
        return plain
    return node if type(node) is dict else dict(_pairs(node))  # ruamel's map: a plain copy


def _plain_list(node: list[Any], path: YamlPath, blanks: list[YamlPath]) -> list[Any]:
    plain: list[Any] | None = None  # a copy, begun at the first item that changes
    for index, item in enumerate(list.__iter__(node)):
        new = item if type(item) in _SAME_WHEN_PLAIN else _plain_noting_blanks(
            item, (*path, index), blanks
        )
        if plain is None:
            if new is item:
                continue
            plain = node[:index]
        plain.append(new)
    if plain is not None:
        return plain
    return node if type(node) is list else list(list.__iter__(node))  # ruamel's seq: a copy


_BLANK = object()  # a mapping's blank value: dropped, and its key's path noted


def _pairs(node: Mapping[str, Any]) -> Iterable[tuple[Any, Any]]:
    """A mapping's items. ruamel's CommentedMap and CommentedSeq iterate in Python, a call
    per key or item, and this walk visits every value of a proposal: their C base classes
    (OrderedDict, list) give the same items, in the same order, several times faster."""
    return OrderedDict.items(node) if isinstance(node, OrderedDict) else node.items()


def _blank_keys(node: Any, path: YamlPath = ()) -> Iterator[YamlPath]:
    """Paths of keys whose value is blank: to_plain drops them, but a misspelt key must still
    be reported even when its value is empty."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if _is_blank(value):
                yield (*path, str(key))
            else:
                yield from _blank_keys(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _blank_keys(item, (*path, index))


def _schema_at(path: YamlPath) -> dict[str, Any] | None:
    """The schema node that describes the value at a data path (None where none does); where
    a value may take two shapes (an answer, or a scoped answer), the mapping shape, whose keys
    are the ones to check."""
    node: dict[str, Any] | None = proposal_schema()
    for step in path:
        node = _shape(_deref(node), list if isinstance(step, int) else dict)
        if isinstance(step, int):
            node = node.get("items") if isinstance(node.get("items"), dict) else None
        else:
            node = node.get("properties", {}).get(step)
        if node is None:
            return None
    return _shape(_deref(node), dict)


def _shape(node: dict[str, Any], kind: type) -> dict[str, Any]:
    """The branch of a `oneOf` that holds a list or a mapping (the node itself otherwise)."""
    wanted = "array" if kind is list else "object"
    branches = [_deref(branch) for branch in node.get("oneOf") or []]
    return next((branch for branch in branches if branch.get("type") == wanted), node)


def _deref(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = proposal_schema()["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _unknown_blank_keys(doc: Document) -> list[Problem]:
    return _unknown_keys_among(doc, list(_blank_keys(doc.data)))


def _unknown_keys_among(doc: Document, paths: Iterable[YamlPath]) -> list[Problem]:
    """Problems for the keys at `paths` (of blank values) that their mapping does not allow."""
    problems = []
    for path in paths:
        parent = _schema_at(path[:-1])
        if parent is None or parent.get("additionalProperties") is not False:
            continue
        allowed = sorted(parent.get("properties", {}))
        if path[-1] not in allowed:
            problems.append(_unknown_key(doc, path, allowed, blank=True))
    return problems


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def validate(doc: Document) -> list[Problem]:
    """All format problems of a proposal, sorted by position."""
    return validate_with_data(doc)[0]


def validate_with_data(doc: Document) -> tuple[list[Problem], Any]:
    """All format problems of a proposal, sorted by position, and its plain data (what
    `to_plain` makes of it), so that a caller need not convert the tree a second time.

    The schema's fast check (see schema_check.py) answers for valid proposals; jsonschema, which
    words the problems, runs only when the check finds something wrong.
    """
    blanks: list[YamlPath] = []
    data = _plain_noting_blanks(doc.data, (), blanks)
    if not isinstance(data, dict):
        return [_top_level_problem(doc, data)], data
    fast = _fast_check()
    problems = [] if fast is not None and fast(data) else _schema_problems(doc, data)
    problems.extend(_reference_problems(doc, data))
    problems.extend(_unknown_keys_among(doc, blanks))
    return _in_order(problems), data


def _validate_reference(doc: Document) -> list[Problem]:
    """validate() with jsonschema alone and no shortcut: the reference the tests compare with."""
    data = to_plain(doc.data)
    if not isinstance(data, dict):
        return [_top_level_problem(doc, data)]
    problems = _schema_problems(doc, data)
    problems.extend(_reference_problems(doc, data))
    problems.extend(_unknown_blank_keys(doc))
    return _in_order(problems)


def _schema_problems(doc: Document, data: dict[str, Any]) -> list[Problem]:
    """What jsonschema finds, plus numbers too large to use, with messages."""
    problems = [p for error in _validator().iter_errors(data) for p in error_problems(doc, error)]
    problems.extend(_number_problems(doc, data))
    return problems


def _in_order(problems: list[Problem]) -> list[Problem]:
    """Without repeats, sorted by position then message (then path, for a stable order)."""
    return sorted(set(problems), key=lambda p: (p.line, p.column, p.message, p.yaml_path))


def _top_level_problem(doc: Document, data: Any) -> Problem:
    kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
    return Problem(
        doc.path,
        1,
        1,
        "",
        f"the top level is {kind}; a proposal is a mapping "
        f"that starts with 'ctreview: {FORMAT_MARKER}'",
    )


@cache
def _fast_check() -> Check | None:
    """The schema compiled to a yes/no check, once per process (~1 ms); None if the schema uses
    something the compiler does not support (then jsonschema decides every time)."""
    try:
        return compile_check(proposal_schema(), max_number=MAX_NUMBER)
    except Unsupported:
        return None


def _number_problems(doc: Document, node: Any, path: YamlPath = ()) -> Iterator[Problem]:
    """Numbers that are not finite or beyond MAX_NUMBER, wherever they are."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _number_problems(doc, value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _number_problems(doc, item, (*path, index))
    elif _is_number(node) and not abs(node) <= MAX_NUMBER:  # `not <=` also holds for nan
        yield _at(
            doc,
            path,
            f"{node:.6g} is not a usable number: write a finite number of at most "
            f"{MAX_NUMBER:,} in size",
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_proposal(data: Any) -> bool:
    """Whether a loaded YAML tree carries the format marker (for folder scans)."""
    return isinstance(data, Mapping) and "ctreview" in data


# --- JSON Schema errors -> readable problems -------------------------------------------------


def error_problems(doc: Document, error: jsonschema.ValidationError) -> list[Problem]:
    """One JSON Schema error as located, readable problems (shared with the config file)."""
    path: YamlPath = tuple(error.absolute_path)
    kind = error.validator
    if kind == "additionalProperties":
        return _unknown_keys(doc, path, error)
    if kind == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        return [_at(doc, path, f"missing required key '{key}'") for key in missing]
    return [_at(doc, path, value_message(error))]


def _unknown_keys(
    doc: Document, path: YamlPath, error: jsonschema.ValidationError
) -> list[Problem]:
    allowed = sorted(error.schema.get("properties", {}))
    extras = sorted(set(error.instance) - set(allowed))
    return [_unknown_key(doc, (*path, key), allowed) for key in extras]


def _unknown_key(
    doc: Document, path: YamlPath, allowed: Sequence[str], *, blank: bool = False
) -> Problem:
    """`blank`: the key has no value. If it also reads as words, it is most likely the end of
    a text that a comma cut inside a {...} mapping ("{remediation: Fees repaid, verified with
    workers}"), and the value before it is cut short too: say so."""
    key = str(path[-1])
    message = f"unknown key '{key}'{did_you_mean(key, allowed)}; allowed keys: {', '.join(allowed)}"
    if blank and " " in key.strip():
        message += (
            ". A key without a value that reads as words is usually the end of a text cut at a "
            "comma inside {...}: put the whole text in quotes"
        )
    loc = doc.key_location(path)
    return _problem(doc, loc, path, message)


def value_message(error: jsonschema.ValidationError) -> str:
    """What is wrong with a value, in words, with a did-you-mean for vocabulary slips."""
    kind, schema, value = error.validator, error.schema, error.instance
    if kind == "enum":
        choices = [str(choice) for choice in schema["enum"]]
        return (
            f"{value!r} is not an allowed value{did_you_mean(str(value), choices)}; "
            f"expected one of: {', '.join(choices)}"
        )
    if kind == "const":
        return f"expected {schema['const']!r}, found {value!r}"
    if kind == "type":
        return f"expected {_type_words(schema['type'])}, found {_describe(value)}"
    if kind == "pattern":
        hint = schema.get("description") or f"the pattern {schema['pattern']}"
        return f"{value!r} is not in the expected form ({hint})"
    if kind == "format":
        return f"{value!r} is not a valid {schema['format']} (write it as YYYY-MM-DD)"
    if kind == "minLength":
        return "must not be empty"
    if kind in ("minimum", "maximum"):
        bound = "at least" if kind == "minimum" else "at most"
        return f"{value!r} is out of range: expected {bound} {schema[kind]}"
    return error.message


_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
}


def _type_words(types: str | Sequence[str]) -> str:
    names = [types] if isinstance(types, str) else list(types)
    return " or ".join(_TYPE_WORDS.get(name, name) for name in names)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"the text {value!r}"


def _at(doc: Document, path: YamlPath, message: str) -> Problem:
    return _problem(doc, doc.location(path), path, message)


def _problem(doc: Document, loc: Location, path: YamlPath, message: str) -> Problem:
    """A problem whose path and message stay readable lines even when they quote a megabyte
    key or value of a crafted file."""
    return Problem(
        doc.path, loc.line, loc.column, _clip(format_yaml_path(path), 300), _clip(message, 1000)
    )


def _clip(text: str, limit: int) -> str:
    """At most about `limit` characters: the start and the end, the middle elided."""
    if len(text) <= limit:
        return text
    keep = limit // 2 - 3
    return f"{text[:keep]} ... {text[-keep:]}"


# --- cross-references ------------------------------------------------------------------------

# (collection that defines ids, where references to it are made)
_ID_COLLECTIONS = (
    "trafficking_patterns",
    "target_groups",
    "partners",
    "components",
    "budget_lines",
)
_THEORY_COLLECTIONS = ("assumptions", "risks", "external_factors")
_REFERENCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("target_groups", ("components", "*", "target_groups")),
    ("trafficking_patterns", ("components", "*", "patterns")),
    ("partners", ("components", "*", "partners")),
    ("components", ("mel", "indicators", "*", "components")),
    ("components", ("budget_lines", "*", "components")),
    ("components", ("target_groups", "*", "barriers", "*", "components")),
    ("components", ("sustainability", "handover", "*", "component")),
)
_COMPONENT_BLOCKS = vocabulary("component", "type")
# Keys that hold one id rather than a list of them.
_SINGLE_REFERENCES = frozenset({"component"})


def defined_ids(data: Mapping[str, Any]) -> dict[str, list[tuple[str, YamlPath]]]:
    """Ids defined by each collection, with the path of each definition."""
    found: dict[str, list[tuple[str, YamlPath]]] = {}
    collections = {name: data.get(name) for name in _ID_COLLECTIONS}
    collections["mel.indicators"] = _mapping(data.get("mel")).get("indicators")
    toc = _mapping(data.get("theory_of_change"))
    for name in _THEORY_COLLECTIONS:
        collections[f"theory_of_change.{name}"] = toc.get(name)
    for name, items in collections.items():
        base = tuple(name.split("."))
        found[name] = [
            (item["id"], (*base, index, "id"))
            for index, item in _items(items)
            if isinstance(item.get("id"), str)
        ]
    return found


def _mapping(value: Any) -> Mapping[str, Any]:
    """A section as a mapping: one of the wrong type (`mel: true`) is reported by the schema."""
    return value if isinstance(value, Mapping) else {}


def _items(items: Any) -> Iterator[tuple[int, dict]]:
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _reference_problems(doc: Document, data: dict[str, Any]) -> list[Problem]:
    ids = defined_ids(data)
    problems = [
        _at(
            doc,
            path,
            f"duplicate id '{ident}' (first defined at line "
            f"{doc.location(first).line}); ids must be unique within {name}",
        )
        for name, entries in ids.items()
        for ident, path, first in _duplicates(entries)
    ]
    for target, pattern in _REFERENCES:
        known = [ident for ident, _ in ids[target]]
        for path, value in _walk(data, pattern):
            if isinstance(value, str) and value not in known:
                problems.append(
                    _at(
                        doc,
                        path,
                        f"unknown {target.rstrip('s').replace('_', ' ')} "
                        f"id '{value}'{did_you_mean(value, known)}",
                    )
                )
    problems.extend(_block_problems(doc, data))
    return problems


def _duplicates(entries: list[tuple[str, YamlPath]]) -> Iterator[tuple[str, YamlPath, YamlPath]]:
    first_seen: dict[str, YamlPath] = {}
    for ident, path in entries:
        if ident in first_seen:
            yield ident, path, first_seen[ident]
        else:
            first_seen[ident] = path


def _walk(node: Any, pattern: Sequence[str], path: YamlPath = ()) -> Iterator[tuple[YamlPath, Any]]:
    """Values at a path pattern where '*' stands for every list index."""
    if not pattern:
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield (*path, index), item
        elif isinstance(node, str) and path and path[-1] in _SINGLE_REFERENCES:
            yield path, node
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*" and isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, rest, (*path, index))
    elif isinstance(node, dict) and head in node:
        yield from _walk(node[head], rest, (*path, head))


def _block_problems(doc: Document, data: dict[str, Any]) -> list[Problem]:
    """A type-specific block must match its component's type (an awareness block on a
    livelihood component is almost always a copy-paste slip)."""
    problems = []
    for index, component in _items(data.get("components")):
        ctype = component.get("type")
        for block in _COMPONENT_BLOCKS:
            if block in component and ctype != block:
                problems.append(
                    _at(
                        doc,
                        ("components", index, block),
                        f"the '{block}' block belongs on a component of type '{block}', "
                        f"but this component's type is '{ctype}'",
                    )
                )
    return problems
