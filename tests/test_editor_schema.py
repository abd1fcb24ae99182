"""The published schema (what yaml-language-server reads) accepts what ctreview accepts as written.

Editors validate the file as it stands, nulls included; ctreview drops blanks first. These tests
validate skeletons and samples exactly as an editor sees them (`keep_blank=True`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.loader import load_document, load_text
from reviewer.scaffold import COMPONENT_TYPES, fill_interactively, render, skeleton
from reviewer.schema import make_validator, schema_json, to_plain, validate

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.yaml"))


@pytest.fixture(scope="module")
def published():
    schema = json.loads(schema_json())
    validator = make_validator(schema)
    validator.check_schema(schema)
    return validator


def editor_errors(validator, text: str) -> list[str]:
    data = to_plain(load_text(text, "p.yaml").data, keep_blank=True)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize("types", [(), COMPONENT_TYPES, *((t,) for t in COMPONENT_TYPES)])
def test_every_skeleton_is_valid_for_the_editor(published, types):
    text = render(skeleton("demo", types))
    assert "null" not in text  # blanks are written as nothing, which YAML reads as null
    assert editor_errors(published, text) == []


def test_an_interactively_filled_skeleton_is_valid_for_the_editor(published):
    tree = fill_interactively(
        skeleton("x", ["awareness", "victim_support"]),
        lambda question, default: "12" if "months" in question else default or "An answer",
    )
    assert editor_errors(published, render(tree)) == []


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_samples_are_valid_for_the_editor(published, sample):
    data = to_plain(load_document(sample).data, keep_blank=True)
    assert list(published.iter_errors(data)) == []


def test_the_editor_still_flags_what_ctreview_rejects(published):
    """Null is allowed only where ctreview allows a blank: wrong values are still errors."""
    base = "ctreview: proposal/v1\nid: p-1\ntitle: T\n"
    for extra in ("status: drafty\n", "budget:\n  total: lots\n", "countries: KH\n"):
        assert validate(load_text(base + extra)) != []
        assert editor_errors(published, base + extra) != [], extra
    blank_id = "ctreview: proposal/v1\nid:\ntitle: T\n"
    assert validate(load_text(blank_id)) != []
    assert editor_errors(published, blank_id) != []
