"""Coverage: levels per reference (content, presence, cited only), sources, and a snapshot that
keeps coverage from shrinking unnoticed.

After a deliberate change to what the rules check, update the snapshot and read its diff:

    CTREVIEW_UPDATE_COVERAGE=1 .venv/bin/pytest tests/test_coverage.py
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from reviewer.coverage import (
    CITED,
    CONTENT,
    NOT_CHECKABLE,
    NOT_COVERED,
    PRESENCE,
    coverage_levels,
    coverage_markdown,
    coverage_rows,
    parse_snapshot,
    shrunk,
    snapshot_text,
)
from reviewer.review import Reviewer
from reviewer.rules import Catalogue

SNAPSHOT = Path(__file__).resolve().parent / "icat-coverage.snapshot"
UPDATE = os.environ.get("CTREVIEW_UPDATE_COVERAGE") == "1"


@pytest.fixture(scope="module")
def reviewer() -> Reviewer:
    return Reviewer()


@pytest.fixture(scope="module")
def rows(reviewer):
    return coverage_rows(reviewer.knowledge, reviewer.catalogue)


def test_coverage_never_shrinks_unnoticed(rows):
    current = snapshot_text(rows)
    if UPDATE:
        SNAPSHOT.write_text(current, encoding="utf-8")
    recorded = parse_snapshot(SNAPSHOT.read_text(encoding="utf-8"))
    fell = shrunk(recorded, coverage_levels(rows))
    assert fell == [], (
        "coverage shrank since tests/icat-coverage.snapshot was recorded:\n  "
        + "\n  ".join(fell)
        + "\nIf this is deliberate, update the snapshot: "
        "CTREVIEW_UPDATE_COVERAGE=1 .venv/bin/pytest tests/test_coverage.py"
    )
    assert recorded == coverage_levels(rows), (
        "coverage changed (grew, or references were added): update tests/icat-coverage.snapshot "
        "with CTREVIEW_UPDATE_COVERAGE=1 .venv/bin/pytest tests/test_coverage.py"
    )


def test_a_fall_in_level_or_a_vanished_reference_counts_as_shrinking():
    recorded = {"ICAT-3.Q2": CONTENT, "ICAT-3.Q3": PRESENCE, "ICAT-3.Q4": CITED, "X": PRESENCE}
    current = {"ICAT-3.Q2": PRESENCE, "ICAT-3.Q3": CONTENT, "ICAT-3.Q4": NOT_COVERED}
    assert shrunk(recorded, current) == [
        f"ICAT-3.Q2: {CONTENT} -> {PRESENCE}",
        f"ICAT-3.Q4: {CITED} -> {NOT_COVERED}",
        f"X: {PRESENCE} -> removed",
    ]
    assert shrunk(current, {**current, "ICAT-3.Q9": PRESENCE}) == []  # growth is not shrinking


def test_levels_follow_the_kind_of_the_rules_that_check_a_reference(rows):
    level = coverage_levels(rows)
    assert level["ICAT-8.L1.a"] == CONTENT  # SUP-001 (free_to_leave: false) is a content rule
    assert level["ICAT-3.L2.b"] == CONTENT  # AWR-018 reads the desired action's words
    assert level["ICAT-3.L2.a"] == PRESENCE  # AWR-005 fires on missing baseline awareness
    assert level["ICAT-9.N54"] == NOT_CHECKABLE  # a pointer to other guidance
    assert level["ICAT-0.U1"] == CONTENT  # TXT-005 reads answers for boilerplate
    assert level["ICAT-4.N28"] == NOT_COVERED  # seasonal timing: no rule yet
    assert level["CETS-197.art15"] == PRESENCE and level["WHO-2003"] == CITED  # basis only
    by_ref = {row.ref: row for row in rows}
    table = by_ref["ICAT-8.E"]
    assert table.kind == "table" and "26 sample indicators" in table.summary
    assert {row.kind for row in rows} >= {"lesson", "question", "table", "footnote", "how-to-use",
                                          "introduction", "source", "part"}


def test_a_question_only_related_is_cited_only(reviewer):
    rules = tuple(
        replace(rule, icat=tuple(r for r in rule.icat if r != "ICAT-3.Q9"))
        if "ICAT-3.Q9" in rule.icat else rule
        for rule in reviewer.catalogue.rules
    )
    related = {rule.id for rule in rules if "ICAT-3.Q9" in rule.questions}
    assert related  # AWR-001 lists it as related
    levels = coverage_levels(coverage_rows(reviewer.knowledge, Catalogue(rules, "test")))
    assert levels["ICAT-3.Q9"] == CITED


def test_the_document_counts_tables_notes_and_sources_and_carries_no_catalogue_hash(
    reviewer, rows
):
    text = coverage_markdown(rows, reviewer.catalogue)
    assert reviewer.catalogue.version not in text  # diffs show real changes only
    assert "tables 7 of 7" in text and '"How to use" entries' in text
    assert "## Other sources" in text and "| IATI-result.type |" in text
    assert "## Rules resting on more than ICAT's main text" in text
    assert "| MEL-015 | content | icat, ctreview-judgement |" in text
