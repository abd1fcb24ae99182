"""Fuzzing the command line: random YAML documents and mutated samples, in every format.

Whatever the file holds, `ctreview check` must end with exit code 0, 1 or 2, never with an
exception (the in-process runner lets any escape), and must leave the file's bytes as they were.
Budgets scale with CTREVIEW_FUZZ_SCALE (see robustness_helpers.SCALE).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from robustness_helpers import (
    FORMATS,
    SAMPLES,
    SCALE,
    check,
    dump_yaml,
    load_plain,
    one_reviewer,
    schema_words,
)

from reviewer.schema import proposal_schema

pytestmark = pytest.mark.usefixtures(one_reviewer.__name__)

FUZZ = settings(
    max_examples=50 * SCALE,
    deadline=None,
    derandomize=SCALE == 1,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


SCHEMA_KEYS, SCHEMA_VALUES = schema_words(proposal_schema())
SAMPLE_DATA = {path.name: load_plain(path) for path in SAMPLES}


def _ids(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("id"), str):
            yield node["id"]
        for value in node.values():
            yield from _ids(value)
    elif isinstance(node, list):
        for item in node:
            yield from _ids(item)


SAMPLE_IDS = sorted({ident for data in SAMPLE_DATA.values() for ident in _ids(data)})

# --- strategies -------------------------------------------------------------------------------

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\u202eevil",
        "\x1b[31mred\x1b[0m",
        "<script>alert(1)</script>",
        "a\nb",
        "%0A::error::x",
        "{label}",
        "{0}",
        "{__class__}",
        "x" * 5000,
        "\ufeff",
        "\U0001f600",
        "null",
        "1e999",
    ]
)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**300, 1e308, -1e308, 1e-320]),
    st.floats(allow_nan=True, allow_infinity=True),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    NUMBERS,
    st.text(max_size=20),
    HOSTILE_TEXT,
    st.sampled_from(SCHEMA_VALUES),
    st.sampled_from(SAMPLE_IDS),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)
KEYS = st.one_of(st.sampled_from(SCHEMA_KEYS), st.text(max_size=12), st.integers(-5, 5))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)


@st.composite
def random_documents(draw: st.DrawFn) -> Any:
    """Mostly mappings that start like a proposal, so validation and rules get exercised."""
    body = draw(st.dictionaries(st.sampled_from(SCHEMA_KEYS), VALUES, max_size=8))
    if draw(st.booleans()):
        body = {"ctreview": "proposal/v1", "id": "fuzz", "title": "Fuzz", **body}
    return draw(st.one_of(st.just(body), VALUES))


def _containers(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every mapping and list in a tree, with its path."""
    if isinstance(node, dict | list):
        yield path, node
        children = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in children:
            yield from _containers(child, (*path, key))


def _mutate(draw: st.DrawFn, data: Any) -> None:
    """One hostile edit in place: the kinds of damage a hand-edited or crafted file has."""
    containers = [c for _, c in _containers(data) if c]
    parent = draw(st.sampled_from(containers))
    key = draw(st.sampled_from(list(parent) if isinstance(parent, dict) else range(len(parent))))
    old = parent[key]
    kind = draw(
        st.sampled_from(
            ["delete", "value", "null", "wrap_in_list", "list_to_map", "swap_ids", "duplicate"]
        )
    )
    if kind == "delete":
        del parent[key]
    elif kind == "value":
        parent[key] = draw(VALUES)
    elif kind == "null":
        parent[key] = None
    elif kind == "wrap_in_list":
        parent[key] = [old]
    elif kind == "list_to_map":
        parent[key] = dict(enumerate(old)) if isinstance(old, list) else {"value": old}
    elif kind == "swap_ids":
        _swap_ids(draw, data)
    else:  # a copy of the value appears again, e.g. a repeated id or component
        if isinstance(parent, list):
            parent.append(copy.deepcopy(old))
        else:
            parent[draw(st.sampled_from(SCHEMA_KEYS))] = copy.deepcopy(old)


def _swap_ids(draw: st.DrawFn, data: Any) -> None:
    holders = [c for _, c in _containers(data) if isinstance(c, dict) and "id" in c]
    if len(holders) >= 2:
        first, second = draw(st.lists(st.sampled_from(holders), min_size=2, max_size=2))
        first["id"], second["id"] = second["id"], first["id"]


@st.composite
def mutated_samples(draw: st.DrawFn) -> Any:
    data = copy.deepcopy(SAMPLE_DATA[draw(st.sampled_from(sorted(SAMPLE_DATA)))])
    for _ in range(draw(st.integers(1, 4))):
        if [c for _, c in _containers(data) if c]:
            _mutate(draw, data)
    return data


@st.composite
def spliced_texts(draw: st.DrawFn) -> str:
    """A sample's text with a random piece cut out or pasted in (YAML-level damage)."""
    text = SAMPLES[draw(st.integers(0, len(SAMPLES) - 1))].read_text(encoding="utf-8")
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + 200)))
    syntax = st.sampled_from(list(":-[]{}&*!|>#'\"\t"))
    insert = draw(st.one_of(st.text(max_size=30), HOSTILE_TEXT, syntax))
    return text[:start] + insert + text[end:]


# --- properties -------------------------------------------------------------------------------


def _workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    yield from _workdir()


_PROPOSAL = {"ctreview": "proposal/v1", "id": "fuzz", "title": "Fuzz"}


@settings(FUZZ, max_examples=200 * SCALE)
@given(document=random_documents())
@example(document={**_PROPOSAL, "theory_of_change": True})  # once crashed the validator
@example(document={**_PROPOSAL, "mel": 3})
@example(document={**_PROPOSAL, "budget_lines": [{"id": "b", "amount": math.nan}]})
def test_random_documents_end_cleanly(workdir: Path, document: Any) -> None:
    check(dump_yaml(document, workdir / "random.yaml"))


@settings(FUZZ, max_examples=35 * SCALE)
@given(document=mutated_samples())
def test_mutated_samples_end_cleanly(workdir: Path, document: Any) -> None:
    check(dump_yaml(document, workdir / "mutated.yaml"))


@settings(FUZZ, max_examples=30 * SCALE)
@given(text=spliced_texts())
def test_spliced_samples_end_cleanly(workdir: Path, text: str) -> None:
    path = workdir / "spliced.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    check(path)


@settings(FUZZ, max_examples=35 * SCALE)
@given(document=mutated_samples(), fmt=st.sampled_from(FORMATS))
def test_every_format_renders_mutated_samples(workdir: Path, document: Any, fmt: str) -> None:
    result = check(dump_yaml(document, workdir / "mutated.yaml"), "--format", fmt)
    if result.exit_code == 2:
        assert result.stderr.strip(), "exit 2 without saying why"
        return
    _assert_well_formed(fmt, result.stdout)


def _assert_well_formed(fmt: str, output: str) -> None:
    assert output.strip()
    if fmt in ("json", "sarif"):
        json.loads(output)
    elif fmt == "junit":
        ET.fromstring(output)
    elif fmt == "html":
        assert output.rstrip().endswith("</html>")
    elif fmt == "github":
        *annotations, summary = output.splitlines()
        assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in annotations)
        assert summary.startswith("ctreview: ")
