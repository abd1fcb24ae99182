"""A non-answer never scores better than a blank, and hollow text never better than substance.

Each sample is hollowed (tests/hollowing.py: placeholders for answers, knowledge for
behaviour, delivery counts relabelled as outcomes, targets past the end, a budget off its
lines, opinion as verified evidence). Then, on every sample:

- the hollowed proposal draws strictly more warnings and errors than the original;
- `screen` ranks it below the original;
- a proposal whose answers are all "N/A" draws at least the findings of one whose answers
  are left blank (a non-answer is absent, and says so besides); so does one whose answers
  to design questions are all boilerplate.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import pytest
from hollowing import hollow
from robustness_helpers import SAMPLES, load_plain, yaml_safe

from reviewer.lens import DESCRIPTION_FIELDS, answer_tree
from reviewer.policy import Judgement
from reviewer.portfolio import build_portfolio
from reviewer.review import Reviewer
from reviewer.screen import summarise

# Samples with substance to lose (the hollowed sample is already empty of it).
PATHS = {path.name: path for path in SAMPLES if not path.name.startswith("hollow")}
NAMES = sorted(PATHS)


@pytest.fixture(scope="module")
def reviewer() -> Reviewer:
    return Reviewer()


def review(reviewer: Reviewer, data: dict[str, Any], name: str):
    result = reviewer.review_text(yaml_text(data), name)
    assert result.ok, [str(p) for p in result.problems] or result.input_error
    return result


def yaml_text(data: Any) -> str:
    stream = io.StringIO()
    yaml_safe().dump(data, stream)
    return stream.getvalue()


def weight(result) -> int:
    return sum(1 for f in result.findings if f.severity in ("error", "warning"))


@pytest.mark.parametrize("name", NAMES)
def test_hollowed_sample_draws_more_warnings_and_errors(reviewer, name):
    original = load_plain(PATHS[name])
    before = review(reviewer, original, name)
    after = review(reviewer, hollow(original), f"hollow-{name}")
    assert weight(after) > weight(before)
    assert any(f.severity == "error" for f in after.findings)


@pytest.mark.parametrize("name", NAMES)
def test_screen_ranks_the_hollowed_sample_below_its_original(reviewer, name):
    original = load_plain(PATHS[name])
    results = [
        summarise(Judgement(review(reviewer, original, f"a-{name}"))),
        summarise(Judgement(review(reviewer, hollow(original), f"b-hollow-{name}"))),
    ]
    ranked = [row.result.file for row in build_portfolio(results, None, tool_version="x").rows]
    assert ranked == [f"a-{name}", f"b-hollow-{name}"]


def _answers_set(
    node: Any, place, value: str | None, skipped: frozenset[str] = frozenset()
) -> None:
    """Every free-text answer set to `value` (None: left out), but in `skipped` fields."""
    if not isinstance(node, dict):
        return
    for key in list(node):
        child = place.children.get(key)
        if child is None or child.required or key in ("id", "ctreview", "title", "name", "waivers"):
            continue
        if key in skipped:
            continue
        item = node[key]
        if isinstance(item, str) and child.answer and not child.value:
            if value is None:
                del node[key]
            else:
                node[key] = value
        elif isinstance(item, dict):
            _answers_set(item, child, value, skipped)
        elif isinstance(item, list) and child.items is not None:
            for element in item:
                _answers_set(element, child.items, value, skipped)


def _filled_against_blank(reviewer, name, value: str, skipped: frozenset[str] = frozenset()):
    """The sample's optional answers (but in `skipped` fields) written as `value`, and left
    blank: assert the screen ranks the written version no better, and that every gap the
    blank version shows is shown for it too (by the same rule, or one that supersedes it on
    the same item). The written version's review, for further checks."""
    original = load_plain(PATHS[name])
    blank, filled = copy.deepcopy(original), copy.deepcopy(original)
    _answers_set(blank, answer_tree(), None, skipped)
    _answers_set(filled, answer_tree(), value, skipped)
    blank_review = review(reviewer, blank, "a-blank.yaml")
    filled_review = review(reviewer, filled, "b-filled.yaml")
    results = [summarise(Judgement(blank_review)), summarise(Judgement(filled_review))]
    ranked = [row.result.file for row in build_portfolio(results, None, tool_version="x").rows]
    assert ranked == ["a-blank.yaml", "b-filled.yaml"]
    shown = {(f.rule_id, f.item) for f in filled_review.findings}
    superseding = {(other, f.item) for f in filled_review.findings for other in f.rule.supersedes}
    missing = {(f.rule_id, f.item) for f in blank_review.findings} - shown - superseding
    assert missing == set()
    return filled_review


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "placeholder", ["N/A", "TBD", "Not considered.", "Unknown", "Details to follow in due course."]
)
def test_a_non_answer_never_scores_better_than_a_blank(reviewer, name, placeholder):
    """Every optional answer written as a placeholder, against the same answers left blank."""
    _filled_against_blank(reviewer, name, placeholder)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "boilerplate",
    [
        "Appropriate measures will be taken as necessary.",
        "A holistic, survivor-centred approach will be ensured at all stages.",
    ],
)
def test_boilerplate_never_scores_better_than_a_blank(reviewer, name, boilerplate):
    """Every answer to a design question written as boilerplate, against the same answers
    left blank (descriptions, which the lens does not read for boilerplate, kept in both)."""
    filled = _filled_against_blank(reviewer, name, boilerplate, DESCRIPTION_FIELDS)
    assert any(f.rule_id == "TXT-005" or "boilerplate" in f.message for f in filled.findings)


def test_samples_are_found():
    assert len(NAMES) >= 12 and all(Path(p).exists() for p in PATHS.values())
