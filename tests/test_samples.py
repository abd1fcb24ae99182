"""Every sample gets exactly its recorded findings, and every flaw it carries is caught.

`samples/expected/<name>.yaml` records, beside the sample, the design intent (`design`, `flaws`
by ICAT reference) and the findings a review must give (`findings`: rule, item, severity, YAML
path, the ICAT questions the rule checks, and `set_aside` for a waived or scoped-out one).
When rules change on purpose, regenerate the `findings` lists and review the diff before committing:

    CTREVIEW_UPDATE_EXPECTED=1 .venv/bin/pytest tests/test_samples.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from reviewer.review import Reviewer

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
# The expert audit's probes (samples/probes/, copied from shared/reviews/probes): regression
# samples whose expectations are recorded the same way.
NAMES = sorted(path.stem for path in SAMPLES.glob("*.yaml")) + sorted(
    f"probes/{path.stem}" for path in (SAMPLES / "probes").glob("*.yaml")
)
UPDATE = os.environ.get("CTREVIEW_UPDATE_EXPECTED") == "1"


@pytest.fixture(scope="module")
def reviewer() -> Reviewer:
    return Reviewer()


def expected_path(name: str) -> Path:
    folder, _, stem = name.rpartition("/")
    return SAMPLES / folder / "expected" / f"{stem}.yaml"


def actual_findings(reviewer: Reviewer, name: str) -> list[dict[str, object]]:
    """What the review gives, pinned as reviewers read it: rule and item, severity, where it
    points (YAML path) and the ICAT questions its rule checks, so that a change of severity,
    scope, reference or location shows in the diff of the recorded file."""
    review = reviewer.review_file(SAMPLES / f"{name}.yaml")
    assert review.ok, [str(p) for p in review.problems] or review.input_error
    rows = {
        (f.rule_id, f.item, f.severity, f.yaml_path, tuple(q for q in f.rule.icat if ".Q" in q),
         f.waiver.label if f.waiver else "")
        for f in review.findings
    }
    return [
        {"rule": rule, "item": item, "severity": severity, "path": path,
         "questions": list(questions), **({"set_aside": aside} if aside else {})}
        for rule, item, severity, path, questions, aside in sorted(rows)
    ]


def _write_findings(name: str, findings: list[dict[str, object]]) -> None:
    """Rewrite only the findings list, keeping the file's comments and design notes."""
    yaml = YAML()
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    path = expected_path(name)
    data = yaml.load(path.read_text(encoding="utf-8"))
    data["findings"] = [_compact(finding) for finding in findings]
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)


def _compact(finding: dict[str, object]) -> CommentedMap:
    """A finding as a block mapping whose question list is written on one line."""
    row = CommentedMap(finding)
    questions = CommentedSeq(finding["questions"])
    questions.fa.set_flow_style()
    row["questions"] = questions
    return row


def test_there_are_at_least_ten_samples_covering_every_component_type():
    assert len(NAMES) >= 10
    types = set()
    for name in NAMES:
        data = YAML(typ="safe").load((SAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
        types |= {c["type"] for c in data.get("components", [])}
    assert types >= {"awareness", "livelihood", "legal_framework", "criminal_justice_capacity",
                     "victim_identification", "victim_support", "national_action_plan"}


@pytest.mark.parametrize("name", NAMES)
def test_sample_gets_exactly_its_recorded_findings(reviewer, name):
    actual = actual_findings(reviewer, name)
    if UPDATE:
        _write_findings(name, actual)
    recorded = YAML(typ="safe").load(expected_path(name).read_text(encoding="utf-8"))
    assert [dict(f) for f in recorded["findings"] or []] == actual


@pytest.mark.parametrize("name", NAMES)
def test_every_intended_flaw_is_caught_by_a_rule_citing_it(reviewer, name):
    recorded = YAML(typ="safe").load(expected_path(name).read_text(encoding="utf-8"))
    review = reviewer.review_file(SAMPLES / f"{name}.yaml")
    cited = {ref for finding in review.findings for ref in finding.rule.icat}
    missed = [ref for ref in recorded["flaws"] or []
              if not any(c == ref or c.startswith(ref + ".") for c in cited)]
    assert missed == []


@pytest.mark.parametrize("name", NAMES)
def test_well_designed_samples_have_no_errors_or_warnings(reviewer, name):
    recorded = YAML(typ="safe").load(expected_path(name).read_text(encoding="utf-8"))
    if recorded["design"] != "well":
        pytest.skip("only well-designed samples must be clean")
    review = reviewer.review_file(SAMPLES / f"{name}.yaml")
    assert [(f.rule_id, f.item, f.severity) for f in review.findings
            if f.severity in ("error", "warning")] == []


@pytest.mark.parametrize("name", [n for n in NAMES if "hollow" in n])
def test_hollowed_samples_draw_errors_and_warnings(reviewer, name):
    """The expert audit's hollow probe and ours: structure without substance is not ready."""
    severities = {f.severity for f in reviewer.review_file(SAMPLES / f"{name}.yaml").findings}
    assert {"error", "warning"} <= severities
