"""One finding per gap, and the verdict in two dimensions (reviewer/gaps.py, verdict.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ci_helpers import make_finding, make_waiver

from reviewer.gaps import COMPLETENESS, SOUNDNESS, dimension_of, group_gaps
from reviewer.lens import AnswerNote
from reviewer.verdict import (
    DimensionThresholds,
    VerdictThresholds,
    assess,
    combine,
)


def finding(rule_id: str, item: str, severity: str = "warning", kind: str = "presence", **kw):
    made = make_finding(rule_id, item, severity=severity, **kw)
    return replace(made, rule=replace(made.rule, kind=kind))


@pytest.mark.parametrize(
    ("severity", "kind", "dimension"),
    [
        ("error", "presence", SOUNDNESS),  # every error is a soundness problem
        ("error", "content", SOUNDNESS),
        ("warning", "content", SOUNDNESS),
        ("info", "content", SOUNDNESS),
        ("warning", "presence", COMPLETENESS),
        ("info", "presence", COMPLETENESS),
    ],
)
def test_dimension_of_a_finding(severity, kind, dimension):
    assert dimension_of(finding("R-001", "x", severity, kind)) == dimension


def test_a_gap_is_one_rule_severity_and_waiver_state_whatever_its_places():
    waiver = make_waiver("R-001", "c")
    other = replace(make_waiver("R-001", "d"), justification="another reason")
    plan = AnswerNote("to_be_established", (), "indicator", "indicator:e", "f", "act")
    findings = [
        finding("R-001", "a"),
        finding("R-001", "b"),  # same gap as a
        replace(finding("R-001", "z"), severity="error"),  # another severity
        finding("R-001", "c", waiver=waiver),
        finding("R-001", "d", waiver=other),  # another justification
        replace(finding("R-001", "e"), scope=plan, severity="info"),
        finding("R-002", "a"),
    ]
    gaps = group_gaps(findings)
    assert sorted((g.rule_id, g.severity, g.status, len(g.findings)) for g in gaps) == [
        ("R-001", "error", "active", 1),
        ("R-001", "info", "to_be_established", 1),
        ("R-001", "warning", "active", 2),
        ("R-001", "warning", "waived", 1),
        ("R-001", "warning", "waived", 1),
        ("R-002", "warning", "active", 1),
    ]


def test_default_thresholds_give_the_verdict_ctreview_always_gave():
    def level(*findings):
        return assess(findings).level

    assert level() == "ready"
    assert level(finding("R-001", "a", "info", "content")) == "ready"
    assert level(finding("R-001", "a", "warning", "presence")) == "revise"
    assert level(finding("R-001", "a", "warning", "content")) == "revise"
    assert level(finding("R-001", "a", "error", "presence")) == "not ready"
    # waived findings do not count
    assert level(finding("R-001", "a", "error", waiver=make_waiver("R-001", "a"))) == "ready"


def test_each_dimension_has_its_own_thresholds_counted_in_gaps():
    presence = [finding("P-001", "a"), finding("P-001", "b"), finding("P-002", "a")]  # 2 gaps
    content = [finding("C-001", "a", kind="content")]
    thresholds = VerdictThresholds(
        soundness=DimensionThresholds(revise_at=2),
        completeness=DimensionThresholds(revise_at=1, not_ready_at=2),
    )
    assessment = assess([*presence, *content], thresholds)
    assert assessment.soundness.level == "ready"  # 1 content gap, revise from 2
    assert assessment.completeness.level == "not ready"  # 2 gaps, not the 3 places
    assert assessment.completeness.details == "2 gaps to fill, not ready at 2"
    assert assessment.level == "not ready"
    never = VerdictThresholds(completeness=DimensionThresholds(revise_at=None))
    assert assess(presence, never).level == "ready"
    # an error makes soundness not ready whatever the thresholds
    error = finding("E-001", "a", "error")
    assert assess([error], VerdictThresholds(soundness=DimensionThresholds(None))).level == (
        "not ready"
    )


def test_a_run_takes_each_dimension_at_its_worst_and_adds_the_gaps():
    one = assess([finding("P-001", "a")])
    other = assess([finding("C-001", "a", "error", "content"), finding("P-002", "a", "info")])
    run = combine([one, other])
    assert (run.soundness.level, run.completeness.level) == ("not ready", "revise")
    assert run.completeness.counts == {"error": 0, "warning": 1, "info": 1}
    assert run.sentence == (
        "Not ready. Design soundness: not ready (1 error blocks approval). "
        "Completeness: revise (1 gap to fill, 1 note)."
    )
