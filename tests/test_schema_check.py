"""The fast schema check (schema_check.py) against jsonschema.

`validate` trusts the compiled check's "valid" and asks jsonschema only otherwise, so the check
must never accept what jsonschema (or the number check) refuses. Differential tests hold
`validate` to the jsonschema-only reference path, `schema._validate_reference`, Problem for
Problem, on the samples, the documentation's and rules' examples, synthetic proposals, the
inputs of test_schema.py and hypothesis-made damage to valid proposals; other tests hold the
check itself to jsonschema on plain data, subschema by subschema.
"""

from __future__ import annotations

import copy
import importlib.util
import io
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from robustness_helpers import SAMPLES, SCALE, schema_words, yaml_safe

from reviewer.examples import snippet_text
from reviewer.loader import InputError, load_document, load_text
from reviewer.schema import (
    MAX_NUMBER,
    _fast_check,
    _validate_reference,
    _validator,
    proposal_schema,
    to_plain,
    validate,
    validate_with_data,
)
from reviewer.schema_check import Unsupported, compile_check

REPO = Path(__file__).resolve().parent.parent
FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER
HEAD = "ctreview: proposal/v1\nid: p1\ntitle: Test programme\n"

CHECKS = settings(
    max_examples=150 * SCALE,
    deadline=None,
    derandomize=SCALE == 1,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def assert_same_problems(text: str, path: str = "p.yaml") -> None:
    try:
        doc = load_text(text, path)
    except InputError:
        return  # refused before validation: nothing to compare
    problems, data = validate_with_data(doc)
    assert problems == _validate_reference(doc)
    assert repr(data) == repr(to_plain(doc.data))  # repr: nan == nan, and key order counts


def _synthetic_module() -> Any:
    spec = importlib.util.spec_from_file_location("synthetic", REPO / "bench" / "synthetic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the shipped schema ---------------------------------------------------------------------


def test_the_proposal_schema_compiles_to_a_fast_check():
    assert _fast_check() is not None


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_valid_samples_pass_the_fast_check_and_match_the_reference(path):
    doc = load_document(path)
    assert _fast_check()(to_plain(doc.data)), "a valid sample should not need jsonschema"
    assert validate(doc) == _validate_reference(doc) == []


def test_validate_with_data_gives_to_plain_data():
    doc = load_document(SAMPLES[0])
    problems, data = validate_with_data(doc)
    assert problems == validate(doc)
    assert data == to_plain(doc.data)


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_synthetic_proposals_match_the_reference(seed, tmp_path):
    for path in _synthetic_module().write_proposals(tmp_path, 3, seed=seed):
        doc = load_document(path)
        assert _fast_check()(to_plain(doc.data))
        assert validate(doc) == _validate_reference(doc) == []


def _docs_yaml_blocks() -> Iterator[tuple[str, str]]:
    for page in sorted((REPO / "docs").glob("*.md")):
        blocks = re.findall(r"```yaml\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
        for index, block in enumerate(blocks):
            yield f"{page.name}#{index}", block
    for path in sorted((REPO / "docs" / "examples").glob("*.yaml")):
        yield path.name, path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "text"), list(_docs_yaml_blocks()), ids=lambda v: str(v)[:40])
def test_documentation_yaml_matches_the_reference(name, text):
    assert_same_problems(text, name)
    assert_same_problems(HEAD + text, name)  # a snippet laid under a proposal's head


def _rule_examples() -> Iterator[dict[str, Any]]:
    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            examples = node.get("examples")
            if isinstance(examples, dict):
                for kind in ("fail", "pass"):
                    yield from (s for s in examples.get(kind) or [] if isinstance(s, dict))
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    for path in sorted((REPO / "rules").glob("*.yaml")):
        yield from walk(yaml_safe().load(path.read_text(encoding="utf-8")))


def test_rule_examples_match_the_reference():
    snippets = list(_rule_examples())
    assert len(snippets) > 50
    for snippet in snippets:
        assert_same_problems(snippet_text(snippet))


# The inputs of test_schema.py, and more of the same kind.
INVALID_BODIES = [
    "",
    "components:\n  - id: c1\n    type: awareness\n    awareness:\n      desired_actoin: Call\n",
    "components:\n  - id: c1\n    type: livelihood\n    livelihood:\n      income_treshold:\n",
    "components:\n  - id: c1\n    type: awarness\n",
    "status: drafft\nbudget: {total: -5, currency: usd}\n"
    "components:\n  - {id: c1, type: other, colour: red}\n",
    "target_groups:\n  - id: youth-kampala\ncomponents:\n"
    "  - {id: c1, type: awareness, target_groups: [youth-kampla]}\n",
    "components:\n  - {id: c1, type: other}\n"
    "mel:\n  indicators:\n    - {id: i1, text: x, components: [c2]}\n"
    "budget_lines:\n  - {id: b1, amount: 5, components: [c3]}\n",
    "components:\n  - {id: c1, type: other}\n  - {id: c1, type: other}\n",
    "components:\n  - id: c1\n    type: livelihood\n    awareness: {}\n",
    *(
        f"summary: {v}\ncomponents:\n  - id: c1\n    type: awareness\n"
        f"    awareness:\n      desired_action: {v}\n"
        for v in ["", "  ", "~", "null"]
    ),
    "period: {start: 2027-01-01, end: 2029-12-31}\n",
    "period: {start: '2027-02-30'}\n",
    "period: {start: '2027-01-01\\n'}\n",
    "period: {start: 2027-1-1}\n",
    "countries: KH\n",
    "budget: {total: .nan}\n",
    "budget: {total: .inf}\n",
    "budget: {total: 1e400}\n",
    "budget: {total: 1000000000000001}\n",
    "budget: {total: 1000000000000000}\n",
    "budget_lines:\n  - {id: b1, amount: -.inf}\n",
    "sectors: [15180.0, 1e20, true]\n",
    "mel:\n  indicators:\n    - {id: i1, text: x, baseline: {year: 2020.0, value: .nan}}\n",
    "mel:\n  indicators:\n    - {id: i1, text: x, follow_up_months: true}\n",
    "mel: true\n",
    "colour:\nshade: ''\n",
    "ctreview: proposal/v2\n",
    "components:\n  - {id: 'bad id', type: other}\n",
    "summary: '  '\nsummery: ' '\ncomponents:\n  - {id: '', type: other, title: ''}\n",
    "mel:\n  indicators:\n    - {id: i1, text: x, baseline: {year: 1949}, follow_up_months: -1}\n"
    "    - {id: i2, text: x, baseline: {year: 2101}}\n"
    "    - {id: i3, text: x, baseline: {year: 1950}}\n",
    "budget_lines:\n  - {id: b1, amount: -0.5}\n  - {id: b2, amount: 0}\n",
    "sectors: [9999, 10000, 99999, 100000]\n",
]


@pytest.mark.parametrize("body", INVALID_BODIES)
def test_schema_test_inputs_match_the_reference(body):
    assert_same_problems(HEAD + body)


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "title: x\n", "42\n"])
def test_other_top_levels_match_the_reference(text):
    assert_same_problems(text)


# --- hypothesis: damage to valid proposals ----------------------------------------------------

SAMPLE_PLAIN = [to_plain(load_document(path).data) for path in SAMPLES]


SCHEMA_KEYS, SCHEMA_VALUES = schema_words(proposal_schema())
EDGE_NUMBERS = [
    0, -1, 1, 1949, 1950, 2100, 2101, 9999, 10000, 99999, 100000, 2020.0, 2020.5, -0.0,
    MAX_NUMBER, MAX_NUMBER + 1, -MAX_NUMBER, -MAX_NUMBER - 1, float(MAX_NUMBER), 1e15 + 0.5,
    1e16, 10**300, 1e308, 1e-320, math.inf, -math.inf, math.nan,
]  # fmt: skip
BAD_DATES = [
    "2027-02-30", "2027-13-01", "2027-1-1", "27-01-01", "2027-01-01\n", "2027-01-01T00:00:00",
    " 2027-01-01", "2027-01-01 ", "٢٠٢٧-01-01", "2028-02-29", "2027-02-29", "0000-01-01",
]  # fmt: skip
NUMBERS = st.one_of(
    st.sampled_from(EDGE_NUMBERS),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    NUMBERS,
    st.text(max_size=12),
    st.sampled_from(["", " ", "\n", "x" * 70, "a\n", "ok"]),
    st.sampled_from(SCHEMA_VALUES),
    st.sampled_from(BAD_DATES),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(SCHEMA_KEYS) | st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _nodes(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _nodes(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _nodes(child, (*path, index))


def _misspelt(word: str) -> str:
    return word[:-1] if len(word) > 1 else word + "x"


def _mutate(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """One edit in place, of the kinds a hand-edited file has."""
    containers = [node for _, node in _nodes(data) if isinstance(node, dict | list) and node]
    parent = draw(st.sampled_from(containers))
    key = draw(st.sampled_from(list(parent) if isinstance(parent, dict) else range(len(parent))))
    old = parent[key]
    kind = draw(
        st.sampled_from(
            [
                "drop",
                "value",
                "number",
                "enum",
                "date",
                "unknown_key",
                "blank_unknown_key",
                "reference",
                "duplicate",
                "wrap",
                "text",
            ]  # fmt: skip
        )
    )
    if kind == "drop":
        del parent[key]
    elif kind == "value":
        parent[key] = draw(VALUES)
    elif kind == "number":
        parent[key] = draw(NUMBERS)
    elif kind == "enum":
        word = old if isinstance(old, str) else draw(st.sampled_from(SCHEMA_VALUES))
        parent[key] = draw(
            st.sampled_from([_misspelt(word), word.upper(), word + " ", *SCHEMA_VALUES])
        )
    elif kind == "date":
        parent[key] = draw(st.sampled_from(BAD_DATES))
    elif kind in ("unknown_key", "blank_unknown_key") and isinstance(parent, dict):
        name = draw(st.sampled_from([_misspelt(str(key)), *SCHEMA_KEYS]))
        parent[name] = draw(st.sampled_from([None, "", "  "])) if kind.startswith("blank") else old
    elif kind == "reference":
        ids = [
            n["id"] for _, n in _nodes(data) if isinstance(n, dict) and isinstance(n.get("id"), str)
        ]
        parent[key] = _misspelt(draw(st.sampled_from(ids))) if ids else "nowhere"
    elif kind == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(old))
    elif kind == "wrap":
        parent[key] = [old]
    else:
        parent[key] = draw(st.sampled_from(["", " ", "x", "x" * 70, "bad id", "a\n", "ok"]))


@st.composite
def damaged_proposals(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(draw(st.sampled_from(SAMPLE_PLAIN)))
    for _ in range(draw(st.integers(1, 3))):
        _mutate(draw, data)
    return data


@settings(CHECKS)
@given(data=damaged_proposals())
def test_fast_check_never_accepts_what_jsonschema_refuses(data):
    if _fast_check()(data):
        assert not list(_validator().iter_errors(data))
        assert not any(_unusable(value) for _, value in _nodes(data))


def _unusable(value: Any) -> bool:
    """A number validate() refuses besides the schema (see schema.MAX_NUMBER)."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return is_number and not abs(value) <= MAX_NUMBER


@settings(CHECKS, max_examples=40 * SCALE)
@given(data=damaged_proposals())
def test_damaged_proposals_give_the_reference_problems(data):
    stream = io.StringIO()
    yaml_safe().dump(data, stream)
    assert_same_problems(stream.getvalue())


# --- the compiler, subschema by subschema ----------------------------------------------------

DEFS = proposal_schema()["$defs"]


def _check_and_validator(schema: dict[str, Any]) -> tuple[Any, Any]:
    check = compile_check(schema, max_number=MAX_NUMBER)
    return check, jsonschema.Draft202012Validator(schema, format_checker=FORMATS)


@settings(CHECKS, max_examples=300 * SCALE)
@given(name=st.sampled_from(sorted(DEFS)), value=VALUES)
def test_each_definition_accepts_only_what_jsonschema_accepts(name, value):
    check, validator = _check_and_validator({"$defs": DEFS, "$ref": f"#/$defs/{name}"})
    if check(value):
        assert validator.is_valid(value)


@pytest.mark.parametrize(
    ("schema", "value", "expected"),
    [
        ({"type": "integer"}, 3, True),
        ({"type": "integer"}, 3.0, True),  # Draft 2020-12: 3.0 is an integer
        ({"type": "integer"}, 3.5, False),
        ({"type": "integer"}, True, False),
        ({"type": "number"}, False, False),
        ({"type": "number"}, math.nan, False),  # not a usable number (validate's own check)
        ({"type": "number"}, math.inf, False),
        ({"type": "number"}, MAX_NUMBER, True),
        ({"type": "number"}, MAX_NUMBER + 1, False),
        ({"type": ["number", "string"]}, "x", True),
        ({"type": ["number", "string"]}, None, False),
        ({"type": "string", "format": "date"}, "2028-02-29", True),
        ({"type": "string", "format": "date"}, "2027-02-29", False),
        ({"type": "string", "pattern": "^a$"}, "a\n", True),  # re.search, as jsonschema
        ({"type": "string", "minLength": 1}, "", False),
        ({"enum": ["a", "b"]}, "a", True),
        ({"enum": ["a", "b"]}, ["a"], False),
        ({"const": "a"}, "a", True),
        ({"minimum": 0}, "text", True),  # bounds apply to numbers only
        ({"type": "integer", "minimum": 1950, "maximum": 2100}, 1950, True),
        ({"type": "integer", "minimum": 1950, "maximum": 2100}, 1949, False),
        ({"type": "integer", "minimum": 1950, "maximum": 2100}, 2100, True),
        ({"type": "integer", "minimum": 1950, "maximum": 2100}, 2101, False),
        ({"type": "number", "minimum": 0}, -0.5, False),
        ({"description": "anything"}, 5, False),  # no type: only text and booleans pass
        ({"description": "anything"}, "x", True),
        (
            {"type": "object", "additionalProperties": False, "properties": {"a": {}}},
            {"a": "x"},
            True,
        ),
        ({"type": "object", "additionalProperties": False, "required": ["a"]}, {}, False),
        ({"type": "object", "additionalProperties": False, "properties": {}}, {"b": "x"}, False),
        ({"type": "array", "items": {"type": "boolean"}}, [True, 1], False),
        ({"type": "array", "minItems": 1}, [], False),
        ({"type": "array", "minItems": 1}, ["x"], True),
        ({"oneOf": [{"type": "string"}, {"type": "array"}]}, "x", True),
        ({"oneOf": [{"type": "string"}, {"type": "array"}]}, ["x"], True),
        ({"oneOf": [{"type": "string"}, {"type": "array"}]}, 3, False),
        ({"type": "object", "additionalProperties": {"enum": ["a"]}}, {"k": "a"}, True),
        ({"type": "object", "additionalProperties": {"enum": ["a"]}}, {"k": "b"}, False),
        (
            {
                "type": "object",
                "additionalProperties": {"enum": ["a"]},
                "properties": {"k": {"type": "boolean"}},
            },
            {"k": True, "j": "a"},
            True,
        ),
        (
            {
                "$defs": {
                    "tree": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "kids": {"type": "array", "items": {"$ref": "#/$defs/tree"}}
                        },
                    }
                },
                "$ref": "#/$defs/tree",
            },
            {"kids": [{"kids": []}, {"kids": [{"kids": [{}]}]}]},
            True,
        ),
    ],
)
def test_check_agrees_with_jsonschema_where_it_accepts(schema, value, expected):
    check, validator = _check_and_validator(schema)
    assert check(value) is expected
    if expected:
        assert validator.is_valid(value)


@pytest.mark.parametrize(
    "schema",
    [
        {"oneOf": [{"type": "string"}, {"type": "string", "minLength": 1}]},  # overlapping
        {"oneOf": [{"type": "integer"}, {"type": "number"}]},  # integer is a number
        {"oneOf": [{"minLength": 1}]},  # a branch without a type
        {"type": "string", "maxLength": 3},
        {"type": "object", "properties": {}},  # other keys allowed
        {"type": "object", "additionalProperties": True},
        {"type": "array", "items": [{"type": "string"}]},
        {"enum": [1, 2]},
        {"const": None},
        {"$ref": "#/properties/x"},
        {"$ref": "#/$defs/missing", "$defs": {}},
        {"properties": {"a": {}}},  # object keywords without type: object
        {"type": "date"},
        {"type": "object", "additionalProperties": False, "properties": {"a": True}},
        {"exclusiveMinimum": 0},
    ],
)
def test_what_the_compiler_cannot_reproduce_is_refused(schema):
    with pytest.raises(Unsupported):
        compile_check(schema, max_number=MAX_NUMBER)


# --- formats ---------------------------------------------------------------------------------

DATE_LIKE = st.one_of(
    st.text(alphabet="0123456789-: T\n", max_size=12),
    st.dates().map(str),
    st.sampled_from(["2027-02-29", "2028-02-29", "0000-01-01", "2027-1-01", "２０２７-01-01"]),
)


@settings(CHECKS, max_examples=500 * SCALE)
@given(value=DATE_LIKE | st.integers() | st.none())
def test_the_date_format_is_jsonschemas(value):
    from reviewer.schema_check import is_date

    assert is_date(value) is FORMATS.conforms(value, "date")


# --- the configuration schema ----------------------------------------------------------------


def _config_words() -> tuple[list[str], list[Any]]:
    from reviewer.config import config_schema

    keys, values = schema_words(config_schema())
    return keys + ["MEL-001", "GEN-001"], values + ["recommended", "strict"]


CONFIG_KEYS, CONFIG_WORDS = _config_words()
CONFIG_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-2, 3),
        st.sampled_from(CONFIG_WORDS),
        st.sampled_from(["", "x", "2027-02-30", "2027-03-01", "*.yaml", "[z-a]"]),
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(CONFIG_KEYS), inner, max_size=4)
    ),
    max_leaves=10,
)


def test_the_configuration_schema_compiles_to_a_fast_check():
    from reviewer.config import _fast_check as config_fast_check

    assert config_fast_check() is not None


@settings(CHECKS, max_examples=400 * SCALE)
@given(data=st.dictionaries(st.sampled_from(CONFIG_KEYS), CONFIG_VALUES, max_size=5))
def test_configuration_problems_are_jsonschemas(data):
    from reviewer import config

    doc = load_text("{}\n", "c.yaml")  # positions fall back to the top; the messages compare
    fast = config.schema_problems(doc, data)
    reference = sorted(
        {
            p
            for error in config._validator().iter_errors(data)
            for p in config._problems(doc, error)
        },
        key=lambda p: (p.line, p.column, p.message),
    )
    assert fast == [str(p) for p in reference]


@pytest.mark.parametrize(
    "path",
    sorted((REPO / "reviewer" / "presets").glob("*.yaml"))
    + [REPO / "docs" / "examples" / "ctreview.yaml"],
    ids=lambda p: p.name,
)
def test_shipped_configurations_pass_the_fast_check(path):
    from reviewer import config

    data = to_plain(load_document(path).data, keep_blank=True)
    assert config._fast_check()(data)
    assert not list(config._validator().iter_errors(data))
