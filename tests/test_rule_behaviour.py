"""Targeted behaviour of rules that must fire once, not per item or per question.

Per-sample expectations (exact findings, intended flaws caught, well-designed samples clean)
live in tests/test_samples.py; each rule's own examples run in tests/test_rule_packs.py.
"""

from __future__ import annotations

import pytest

from reviewer.examples import snippet_text
from reviewer.review import Reviewer


@pytest.fixture(scope="module")
def reviewer() -> Reviewer:
    return Reviewer()


def fired(reviewer: Reviewer, snippet: dict, prefix: str) -> set[str]:
    review = reviewer.review_text(snippet_text(snippet))
    assert review.ok, review.problems
    return {f.rule_id for f in review.findings if f.rule_id.startswith(prefix)}


def test_supply_side_only_prevention_is_flagged_once_per_programme(reviewer):
    for name in ("livelihoods-np", "prevention-package-vn"):
        review = reviewer.review_file(f"samples/{name}.yaml")
        hits = [f for f in review.findings if f.rule_id == "MAP-016"]
        assert [(f.entity, f.item) for f in hits] == [("programme", "")]


def test_legal_work_without_analysis_is_reported_once_not_per_question(reviewer):
    component = {"id": "c1", "type": "legal_framework", "title": "New law"}
    found = fired(reviewer, {"components": [component]}, "LEG-")
    assert "LEG-001" in found
    assert not found & {f"LEG-{n:03d}" for n in range(2, 16)}


def test_one_answered_question_turns_on_the_per_question_rules(reviewer):
    analysis = {"definition_alignment": "Matches the Protocol."}
    component = {"id": "c1", "type": "legal_framework", "legal_framework": {"analysis": analysis}}
    found = fired(reviewer, {"components": [component]}, "LEG-")
    assert "LEG-001" not in found
    assert "LEG-002" not in found
    assert {f"LEG-{n:03d}" for n in range(3, 16)} <= found


def test_a_shelter_victims_may_not_leave_is_an_error(reviewer):
    support = {"accommodation": {"provided": True, "voluntary": True, "free_to_leave": False}}
    review = reviewer.review_text(
        snippet_text(
            {"components": [{"id": "c1", "type": "victim_support", "victim_support": support}]}
        )
    )
    severities = {f.rule_id: f.severity for f in review.findings}
    assert severities["SUP-001"] == "error"
    assert "SUP-002" not in severities  # voluntary placement: only the closed door is wrong


def test_missing_field_findings_point_at_the_nearest_existing_parent(reviewer):
    review = reviewer.review_text(
        snippet_text({"components": [{"id": "c1", "type": "awareness", "title": "Radio"}]}),
        "p.yaml",
    )
    finding = next(f for f in review.findings if f.rule_id == "AWR-002")
    assert finding.yaml_path == "components[0]"
    assert (finding.line, finding.column) == (5, 3)
    assert "'Radio'" in finding.message
