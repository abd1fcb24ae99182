"""The loader's fast path (libyaml events) against its reference, ruamel's round-trip loader.

`loader._parse` builds plain data and its positions from libyaml's events when it can be sure
of the result and otherwise hands the text to `loader._slow_parse`, the guarded pure-Python
loader, whose round-trip tree `plain_with_positions` converts. Every test here compares
`load_text` (fast path first) with `_slow_parse` alone: the same data, the same scalar types,
the same line/column records (ruamel's `.lc`), or the same InputError text. The fallback tests
show that each reason to leave a text to the slow path is detected.
Budgets scale with CTREVIEW_FUZZ_SCALE (see robustness_helpers.SCALE).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import math
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from robustness_helpers import REPO, SCALE
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from reviewer import loader
from reviewer.loader import MAX_DEPTH, MAX_NODES, InputError, load_text

FUZZ = settings(
    max_examples=150 * SCALE,
    deadline=None,
    derandomize=SCALE == 1,
    suppress_health_check=list(HealthCheck),
)
# Attributes ruamel keeps only to write a file back (ctreview never writes a loaded tree):
# comments on block scalars and where a folded scalar was folded. The fast path leaves them out.
_FOR_WRITING_BACK = {"comment", "fold_pos"}


# --- comparison -----------------------------------------------------------------------------------


def _attributes(value: Any) -> dict[str, Any]:
    """Every slot and instance attribute of a scalar (ScalarFloat's width, TimeStamp's tz...)."""
    names: set[str] = set()
    for cls in type(value).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        names.update([slots] if isinstance(slots, str) else slots)
    names -= _FOR_WRITING_BACK | {"__weakref__", "__dict__"}
    found = {name: getattr(value, name, "<unset>") for name in names}
    # repr: an Anchor (from the slow path only) has no __eq__
    return {name: repr(item) for name, item in (found | getattr(value, "__dict__", {})).items()}


def tree_difference(
    expected: Any, actual: Any, path: str = "$", positions: tuple[Any, Any] = ({}, {})
) -> str | None:
    """Where two loaded trees differ in anything but comments, or None (`positions`: each
    tree's table of line/column records, see loader.Positions)."""
    if type(expected) is not type(actual):
        return f"{path}: {type(expected).__name__} {expected!r} != {type(actual).__name__}"
    if isinstance(expected, dict | list):
        return _collection_difference(expected, actual, path, positions)
    nan = isinstance(expected, float) and math.isnan(expected) and math.isnan(actual)
    comparable = type(expected).__eq__ is not object.__eq__  # not e.g. a TaggedScalar
    if repr(expected) != repr(actual) or (comparable and not nan and expected != actual):
        return f"{path}: {expected!r} != {actual!r}"
    if _attributes(expected) != _attributes(actual):
        return f"{path}: {_attributes(expected)} != {_attributes(actual)}"
    return None


def _collection_difference(
    expected: Any, actual: Any, path: str, positions: tuple[Any, Any]
) -> str | None:
    place, other = positions[0].get(id(expected)), positions[1].get(id(actual))
    if place is None or other is None:
        return f"{path}: no position recorded"
    if place != other:
        return f"{path}: position {place} != {other}"
    if isinstance(expected, dict):
        if [(type(k), k) for k in expected] != [(type(k), k) for k in actual]:
            return f"{path}: keys {list(expected)} != {list(actual)}"
        pairs = [(expected[k], actual[k], f"{path}.{k}") for k in expected]
    else:
        if len(expected) != len(actual):
            return f"{path}: {len(expected)} items != {len(actual)}"
        items = enumerate(zip(expected, actual, strict=True))
        pairs = [(e, a, f"{path}[{i}]") for i, (e, a) in items]
    for e, a, where in pairs:
        difference = tree_difference(e, a, where, positions)
        if difference:
            return difference
    return None


def slow_result(text: str, name: str = "proposal.yaml") -> tuple[Any, Any]:
    """What the slow path alone makes of a text: data and positions."""
    return loader.plain_with_positions(loader._slow_parse(text.removeprefix("\ufeff"), name))


def took_fast_path(text: str) -> bool:
    return loader._fast_parse(text.removeprefix("\ufeff")) is not None


def assert_same_as_slow(text: str, name: str = "proposal.yaml") -> bool:
    """`load_text` gives what the slow path alone gives; True if the fast path was taken."""
    try:
        expected, expected_positions = slow_result(text, name)
    except InputError as error:
        with pytest.raises(InputError) as caught:
            load_text(text, name)
        assert str(caught.value) == str(error)
        assert (caught.value.line, caught.value.column) == (error.line, error.column)
        assert not took_fast_path(text), "the fast path accepted a text the slow path refuses"
        return False
    doc = load_text(text, name)
    difference = tree_difference(expected, doc.data, "$", (expected_positions, doc.positions))
    assert difference is None, difference
    return took_fast_path(text)


def fallback_reason(text: str) -> str:
    """Why the fast path leaves `text` to the slow path (fails if it does not)."""
    with pytest.raises(loader._Fallback) as caught:
        loader._fast_tree(text)
    return str(caught.value)


# --- real files -----------------------------------------------------------------------------------

FILES = sorted(
    [
        *(REPO / "samples").glob("*.yaml"),
        *(REPO / "docs" / "examples").glob("*.yaml"),
        *(REPO / "rules").glob("*.yaml"),
        *(REPO / "question_banks").glob("*.yaml"),
        *(REPO / "reviewer" / "presets").glob("*.yaml"),
        *(REPO / "reviewer" / "schemas").glob("*.yaml"),
    ]
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_real_files_take_the_fast_path_with_the_same_result(path: Path) -> None:
    assert assert_same_as_slow(path.read_text(encoding="utf-8"), str(path))


def _write_proposals() -> Any:
    spec = importlib.util.spec_from_file_location("synthetic", REPO / "bench" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.write_proposals


@pytest.mark.parametrize("seed", [7, 23])
def test_synthetic_proposals_take_the_fast_path_with_the_same_result(
    tmp_path: Path, seed: int
) -> None:
    for path in _write_proposals()(tmp_path, 4 * SCALE, seed=seed):
        assert assert_same_as_slow(path.read_text(encoding="utf-8"), str(path)), path


def test_the_fast_path_keeps_round_trip_scalar_types() -> None:
    """Scalars are what RoundTripConstructor makes (an octal stays octal, a block scalar
    literal), in plain dicts and lists, with the positions ruamel records."""
    text = "a: 0o17\nb: 1_000\nc: 1.50\nd: |\n  x\ne: 2027-01-01\nf: 007\ng: 12\nh: yes\ni: .inf\n"
    assert took_fast_path(text)
    doc = load_text(text)
    data = doc.data
    kinds = {key: type(value).__name__ for key, value in data.items()}
    assert kinds == {
        "a": "OctalInt",
        "b": "ScalarInt",
        "c": "ScalarFloat",
        "d": "LiteralScalarString",
        "e": "date",
        "f": "ScalarInt",
        "g": "int",
        "h": "str",
        "i": "float",
    }
    assert type(data) is dict
    line, column, records = doc.positions[id(data)]
    assert (line, column, records["a"], records["d"], records["e"]) == (
        0, 0, [0, 0, 0, 3], [3, 0, 3, 3], [5, 0, 5, 3]
    )


# --- layouts where libyaml and ruamel place things differently ------------------------------------

SAME_ON_THE_FAST_PATH = [
    "a:\nb: 1\n",  # an empty value is placed at the next key (libyaml: after the colon)
    "a:\n# note\n\nb: 1\n",
    "a:\n  b:\nc: 1\n",
    "a: 1\nb:",  # ... and at the end of an unterminated last line
    "a: 1\nb:   ",
    "a:\n  b:\n  ",
    "- a:\n- b\n",
    "a: {x: , y: }\n",  # in a flow mapping, right after the colon (libyaml: at the next token)
    "a: {x , y: 1}\n",
    "a: [x: , y]\n",
    "a: {'x': }\n",
    "- \n-\n- a\n",
    "a:\r\n  b: one\r\n  c:\r\n",
    "---\na: 1\n",
    "a: |\n  literal\n  text\nb: >-\n  folded\n  text\n\n  para\nc: |+\n  kept\n\nd: 1\n",
    'a: "esc \\t \\u00e9 \\x41 \\/ \\N"\nb: \'it\'\'s\'\nc: "multi\n  line"\n',
    "a: one\n  two\n\n  three\n",
    "a: yes\nb: no\nc: on\nd: ~\ne:\nf: null\ng: 0x1F\nh: -.inf\ni: 1e3\nj: 2027-01-01 10:00:00\n",
    "é: ünï 😀\n'1': one\n\"true\": two\n",
    "a: b#c\nd: e # comment\n# end\n",
    "a: [1, [2, {b: [c]}], {}]\nd: []\n",
]


@pytest.mark.parametrize("text", SAME_ON_THE_FAST_PATH)
def test_layouts_that_differ_in_libyaml_are_corrected(text: str) -> None:
    assert assert_same_as_slow(text)


# --- what the fast path leaves to the slow path ---------------------------------------------------

FALLBACKS = [
    ("a: &x 1\nb: *x\n", "anchor"),
    ("a: &x 1\n", "anchor"),
    ("a: !!str 1\n", "tag"),
    ("a: !custom 1\n", "tag"),
    ("%YAML 1.1\n---\na: yes\n", "'%'"),
    ("%TAG !e! tag:example.com,2000:\n---\na: 1\n", "'%'"),
    ("base: {x: 1}\nb:\n  <<: {y: 2}\n", "merge"),
    ("a: =\n", "tag:yaml.org,2002:value"),
    ("1: one\n", "key of type int"),
    ("~: one\n", "key of type NoneType"),
    ("true: one\n", "key of type bool"),
    ("2027-01-01: one\n", "key of type date"),
    ("[a, b]: c\n", "as a key"),
    ("a: 1\nb: 2\na: 3\n", "duplicate key"),
    ("a: 2027-13-01\n", "not a valid date"),
    ("a: " + "9" * 5000 + "\n", "ValueError"),
    ("a: 1\n---\nb: 2\n", "more than one document"),
    ("a: 1\n...\n", "'...'"),
    ("a: 1\n%x: 2\n", "'%'"),  # a line that starts with `%`, after the first line
    ("...\na: 1\n", "'...'"),  # at the text's start
    ("", "no document"),
    ("# only a comment\n", "no document"),
    ("just text\n", "top level is ScalarEvent"),
    ("a: x\x07y\n", "'\\x07'"),
    ("a:\tb\n", "'\\t'"),
    ("a: b\rc: d\n", "'\\r'"),
    ("a: x\x85y\n", "'\\x85'"),
    ("a: x\u2028y\n", "'\\u2028'"),
    ("a: x\ufeffy\n", "'\\ufeff'"),
    ("? a\n: b\n", "'?'"),
    ("a: # note\n  b\n\nc: 1\n", "': #'"),  # ruamel fails on this one ("overlap in comment")
    ("a: |\n  \n   b\n", "starts with a blank line"),  # ruamel refuses it, libyaml does not
    ("a: >#x\n  b\n", "block scalar header"),  # likewise
    ("a: [b\n", "ParserError"),
    ("a: 'b\n", "ScannerError"),
    ("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n", "deep nesting"),
    ("[" + "1, " * MAX_NODES + "]\n", "many values"),
]


@pytest.mark.parametrize(("text", "reason"), FALLBACKS, ids=[r for _, r in FALLBACKS])
def test_each_fallback_is_detected_and_the_slow_path_decides(text: str, reason: str) -> None:
    assert reason in fallback_reason(text)
    assert not assert_same_as_slow(text)


def test_a_percent_sign_or_dots_inside_a_line_keep_the_fast_path() -> None:
    from reviewer.loader import _fast_tree

    assert _fast_tree("a: 50% done\nb: wait...\n")[0] == {"a": "50% done", "b": "wait..."}


def test_the_unsure_characters_are_those_outside_yaml_printable_set() -> None:
    """`_UNSURE_CHARACTER` lists what YAML 1.2's printable set (c-printable) leaves out, and
    the line and paragraph separators; checked on every code point."""
    printable = re.compile(
        "[\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
    )
    extra = {0x85, 0x2028, 0x2029, 0xFEFF}  # NEL and separators (libyaml breaks lines), BOM
    differ = [
        code
        for code in range(0x110000)
        if (loader._UNSURE_CHARACTER.match(chr(code)) is None)
        != (printable.match(chr(code)) is not None and code not in extra)
    ]
    assert differ == []


@pytest.mark.parametrize("code", range(0x100))
def test_the_ascii_shortcut_agrees_with_the_unsure_character_pattern(code: int) -> None:
    """`_plain_ascii` stands in for `_UNSURE_CHARACTER` on ASCII texts: the same answer for
    every character in a text (Latin-1 ones are not ASCII and go to the pattern)."""
    text = f"a: b{chr(code)}c\n"
    assert loader._plain_ascii(text) == (loader._UNSURE_CHARACTER.search(text) is None) or (
        code >= 0x80 and not loader._plain_ascii(text)
    )


def test_limits_fall_back_just_before_the_slow_path_refuses() -> None:
    """The fast path is conservative by a level or a value; below that it is taken."""
    deep = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert loader._slow_parse(deep, "deep.yaml")  # the slow path takes it, the fast path not
    assert assert_same_as_slow(deep.replace("[", "", 1).replace("]", "", 1))
    assert assert_same_as_slow("[" + "1, " * (MAX_NODES - 2) + "]\n")
    assert not took_fast_path("[" + "1, " * (MAX_NODES - 1) + "]\n")
    assert loader._slow_parse("[" + "1, " * (MAX_NODES - 1) + "]\n", "many.yaml")


def test_an_unexpected_failure_in_the_fast_path_falls_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(parser: Any, text: str) -> Any:
        raise AttributeError("'NoneType' object has no attribute 'x'")

    monkeypatch.setattr(loader, "_fast_document", fail)
    assert "AttributeError" in fallback_reason("a: 1\n")
    assert load_text("a: 1\nb: [x]\n").data == {"a": 1, "b": ["x"]}


def test_an_interrupt_in_the_fast_path_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(parser: Any, text: str) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(loader, "_fast_document", interrupt)
    with pytest.raises(KeyboardInterrupt):
        load_text("a: 1\n")


def test_without_libyaml_every_text_takes_the_slow_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "_CParser", None)
    assert "not available" in fallback_reason("a: 1\n")
    assert load_text("a: 1\n").data == {"a": 1}


def test_the_fast_path_warns_about_nothing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert took_fast_path("a: 1\nb: [x, {c: }]\n")


# --- generated texts ------------------------------------------------------------------------------

TRICKY = [
    "yes", "no", "on", "off", "y", "n", "true", "False", "TRUE", "null", "Null", "~", "", " ",
    "0o17", "0x1F", "0b101", "1_000", "_1", ".inf", "-.Inf", ".NaN", "1e3", "1.0e-3", "1.", ".5",
    "017", "0", "-0", "+1", "1,000", "2027-01-01", "2027-13-01", "2027-01-01 10:00:00",
    "2027-01-01T10:00:00Z", "12:30", "1:20:30", "<<", "=", "#x", "a #b", "a: b", "a:b", "- a",
    "? a", ":a", "[a]", "{a}", "'q'", '"q"', "|", ">", "&a", "*a", "!t", "%x", "@x", "multi\nline",
    "two\n\nparas", "trail ", " lead", "é😀", "back\\slash", "tab\there", "x\n\n", "--- x", "...",
    "\u00a0", "word " * 25, "\x07", "\u2028",
]  # fmt: skip
KEYS = ["a", "b", "id", "key with space", "é", "1", "true", "null", "<<", "a:b", "-k", "x" * 40]
_STYLES = [str, LiteralScalarString, FoldedScalarString, DoubleQuotedScalarString,
           SingleQuotedScalarString]  # fmt: skip

_text = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=20),
    st.text("ab :#-'\"\\\n{}[],?&*!|>%@~.09eE_+xo", max_size=15),
)
_scalars = st.one_of(
    st.builds(lambda style, text: style(text), st.sampled_from(_STYLES), _text),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
_keys = st.one_of(st.sampled_from(KEYS), st.text("abcdé_- :#", min_size=1, max_size=8))
_data = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=20,
)
_INSERTS = list(": -#'\"|>[]{},?&*!%\n\\~.0") + ["\r\n", "  ", ": ", "- ", "---\n", "\t"]


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    """Data dumped by ruamel in a random layout, with comments and blank lines added and a
    few random edits (most edits break the YAML; both paths must then agree on the error)."""
    lines = _dump(draw, draw(st.dictionaries(_keys, _data, min_size=1, max_size=5))).split("\n")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        if draw(st.booleans()):
            lines.insert(at, " " * draw(st.integers(0, 6)) + draw(st.sampled_from(["# n", ""])))
        else:
            lines[at] += draw(st.sampled_from([" # c", "  #c", " "]))
    text = "\n".join(lines)
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        edit = draw(st.integers(0, 4))
        if edit == 0:
            text = text[:at] + text[at + 1 :]
        elif edit == 1:
            text = text[:at] + draw(st.sampled_from(_INSERTS)) + text[at:]
        elif edit == 2:
            text = text.rstrip("\n")
        elif edit == 3:
            text = text.replace("\n", "\r\n")
        else:
            lines = text.split("\n")
            lines.insert(at % len(lines), lines[at % len(lines)])
            text = "\n".join(lines)
    return text


def _dump(draw: st.DrawFn, data: Any) -> str:
    yaml = YAML(typ="rt")
    yaml.default_flow_style = draw(st.sampled_from([False, True, None]))
    yaml.width = draw(st.integers(10, 120))
    sequence = draw(st.integers(2, 5))
    yaml.indent(mapping=draw(st.integers(2, 4)), sequence=sequence,
                offset=draw(st.integers(0, sequence - 2)))  # fmt: skip
    yaml.explicit_start = draw(st.booleans())
    yaml.allow_unicode = draw(st.booleans())
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


@FUZZ
@given(yaml_texts())
def test_generated_texts_load_as_on_the_slow_path(text: str) -> None:
    event("fast path" if assert_same_as_slow(text) else "slow path")


_WORDS = ["w", "w w", "yes", "1", "0o17", "1.5", "2027-01-01", "~", "x:y", "x #y", "-x", ":x",
          "é😀", "017", "12:30", "http://a.b/c?d=e"]  # fmt: skip
_VALUES = st.one_of(
    st.sampled_from(_WORDS),
    st.sampled_from(_WORDS).map(lambda w: f"'{w}'"),
    st.sampled_from(["", "[]", "{}", "[a, b]", "{a: 1, b: }", "[x: , y]", "{a , b: [c]}",
                     '"e\\t\\u00e9"', "[a,\n    b]", "w\n    more"]),  # fmt: skip
    st.sampled_from(["|", "|-", ">", ">+", "|2"]).map(lambda h: h + "\n    body\n    more"),
)


@st.composite
def block_texts(draw: st.DrawFn, indent: int = 0) -> str:
    """Hand-written block layouts a dumper never produces: indentless and compact lists, empty
    values before dedents, comments and blank lines between entries, unterminated last lines."""
    pad = " " * indent
    lines = []
    as_list = draw(st.booleans())
    for index in range(draw(st.integers(1, 4))):
        head = f"{pad}-" if as_list else f"{pad}{draw(st.sampled_from(['k', 'é', 'a b']))}{index}:"
        nested = indent < 8 and draw(st.integers(0, 3)) == 0
        if nested:
            step = draw(st.sampled_from([0, 2, 4])) if not as_list else 2
            lines.append(head + draw(st.sampled_from(["", " # c"])))
            lines.append(draw(block_texts(indent + step)))
        else:
            value = draw(_VALUES)
            lines.append(f"{head} {value}".rstrip(" ") + draw(st.sampled_from(["", "", " # c"])))
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", "# between", "   "])))
    return "\n".join(lines)


@FUZZ
@given(block_texts(), st.sampled_from(["\n", "", "\n\n", "\n  "]))
def test_hand_written_layouts_load_as_on_the_slow_path(text: str, end: str) -> None:
    event("fast path" if assert_same_as_slow(text + end) else "slow path")


# --- the quick event classes ----------------------------------------------------------------------


def _slots(event: Any) -> dict[str, Any]:
    names: set[str] = set()
    for cls in type(event).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        names.update([slots] if isinstance(slots, str) else slots)
    return {name: getattr(event, name, "<unset>") for name in names}


@pytest.mark.parametrize(
    "args",
    [
        ("anchor", "tag", (True, False), "value", "start", "end", "'"),
        (None, None, True, "start", "end", True),
        ("start", "end"),
        ("start", "end", "comment"),
    ],
    ids=["scalar-like", "collection-start-like", "end", "end-with-comment"],
)
def test_quick_events_hold_what_ruamels_classes_hold(args: tuple[Any, ...]) -> None:
    """Each quick class, called as libyaml's parser calls ruamel's, makes the same event: an
    instance of ruamel's class with every slot set alike (comment: None, as ruamel's chain of
    `__init__`s leaves it when not given)."""
    checked = 0
    for original, quick in loader.QUICK_EVENTS.items():
        try:
            expected = original(*args)
        except TypeError:  # not this class's call
            continue
        made = quick(*args)
        assert isinstance(made, original)
        assert _slots(made) == _slots(expected)
        checked += 1
    assert checked >= 2


def test_the_compiled_parser_makes_the_quick_events_and_ruamels_c_loader_still_works() -> None:
    if loader._CParser is None:
        pytest.skip("ruamel.yaml.clib is not installed: the fast path is off")
    parser = loader._CParser("a: [1, {b: 'x'}]\n")
    try:
        made = [type(event) for event in iter(parser.get_event, None)]
    finally:
        parser.dispose()
    quick = set(loader.QUICK_EVENTS.values())
    assert sum(kind in quick for kind in made) == 10  # 4 scalars, 3 starts, 3 ends
    assert all(kind in quick or kind.__name__.startswith(("Stream", "Document")) for kind in made)
    # another user of ruamel's compiled loader in the same process gets the same data
    assert YAML(typ="safe", pure=False).load("a: [1, {b: 'x'}]\nc: !!str 2\n") == {
        "a": [1, {"b": "x"}],
        "c": "2",
    }
