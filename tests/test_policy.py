"""Exit codes, per-rule severities and waivers, on reviews built by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from ci_helpers import make_finding, make_review, make_waiver
from hypothesis import given, settings
from hypothesis import strategies as st
from robustness_helpers import SAMPLES

from reviewer.loader import InputError, load_text
from reviewer.policy import (
    Checker,
    Judgement,
    RunOptions,
    Settings,
    apply_severities,
    apply_waivers,
    exit_code,
    proposal_waivers,
    reaches,
    visible,
)
from reviewer.review import Review
from reviewer.verdict import assess

TODAY = dt.date(2027, 6, 1)
SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "hotline-campaign-kh-th.yaml"


def judge(*reviews: Review, **settings) -> int:
    return exit_code([Judgement(r, Settings(**settings)) for r in reviews])


@pytest.mark.parametrize(
    ("severity", "threshold", "expected"),
    [
        ("error", "error", True),
        ("warning", "error", False),
        ("warning", "warning", True),
        ("info", "warning", False),
        ("info", "info", True),
        ("error", "never", False),
    ],
)
def test_reaches_orders_severities(severity, threshold, expected):
    assert reaches(severity, threshold) is expected


def test_exit_code_follows_fail_on():
    review = make_review(make_finding(severity="warning"))
    assert judge(review) == 0
    assert judge(review, fail_on="warning") == 1
    assert judge(review, fail_on="info") == 1
    assert judge(make_review(make_finding(severity="error")), fail_on="never") == 0
    assert judge(make_review(make_finding(severity="error"))) == 1


def test_a_file_that_cannot_be_reviewed_is_exit_2_whatever_else_happens():
    broken = Review("bad.yaml", input_error=InputError("bad.yaml", "no such file", "Check"))
    assert judge(make_review(make_finding(severity="error")), broken) == 2


def test_max_warnings_counts_unwaived_warnings_over_the_run():
    one = make_review(make_finding("MEL-001"), file="a.yaml")
    other = make_review(make_finding("MEL-002"), file="b.yaml")
    assert judge(one, max_warnings=1) == 0
    assert judge(one, other, max_warnings=1) == 1
    assert judge(one, other, max_warnings=2) == 0
    waived = make_review(make_finding("MEL-002", waiver=make_waiver("MEL-002")), file="b.yaml")
    assert judge(one, waived, max_warnings=1) == 0


def test_waived_findings_never_fail_a_run():
    finding = make_finding(severity="error", waiver=make_waiver())
    assert judge(make_review(finding), fail_on="info", max_warnings=0) == 0


def test_strict_waivers_fails_on_stale_waivers_only_when_asked():
    review = make_review()
    stale = Judgement(review, Settings(strict_waivers=True), stale_waivers=1)
    assert exit_code([stale]) == 1
    assert exit_code([replace(stale, settings=Settings())]) == 0
    assert exit_code([replace(stale, stale_waivers=0)]) == 0


findings_strategy = st.lists(
    st.builds(
        make_finding,
        rule_id=st.sampled_from(["MEL-001", "MEL-002", "AW-001"]),
        item=st.sampled_from(["", "ind-1", "c-1"]),
        severity=st.sampled_from(["error", "warning", "info"]),
        waiver=st.one_of(st.none(), st.just(make_waiver())),
    ),
    max_size=8,
)


@settings(max_examples=100, deadline=None)
@given(
    findings_strategy,
    st.sampled_from(["error", "warning", "info", "never"]),
    st.one_of(st.none(), st.integers(0, 3)),
)
def test_exit_code_ignores_waived_findings_and_what_is_shown(findings, fail_on, max_warnings):
    review = make_review(*findings)
    unwaived = make_review(*[f for f in findings if f.waiver is None])
    code = judge(review, fail_on=fail_on, max_warnings=max_warnings)
    assert code == judge(unwaived, fail_on=fail_on, max_warnings=max_warnings)
    shown = visible(review, "error")
    assert all(f.severity == "error" for f in shown.findings)
    assert review.findings == findings  # visible() does not touch the review it is given


def test_visible_hides_lower_severities():
    review = make_review(
        make_finding("A-001", severity="error"),
        make_finding("A-002", severity="warning"),
        make_finding("A-003", severity="info"),
    )
    assert [f.rule_id for f in visible(review, "warning").findings] == ["A-001", "A-002"]
    assert len(visible(review, "info").findings) == 3


def test_apply_severities_turns_rules_off_and_reclassifies():
    review = make_review(
        make_finding("A-001", severity="warning", line=5),
        make_finding("A-002", severity="warning", line=9),
        make_finding("A-003", severity="info", line=1),
    )
    updated = apply_severities(review, {"A-001": "off", "A-002": "error"})
    assert [(f.rule_id, f.severity) for f in updated.findings] == [
        ("A-002", "error"),
        ("A-003", "info"),
    ]
    assert len(review.findings) == 3  # the input is not changed


def test_waiver_marks_the_matching_finding_only():
    review = make_review(make_finding(item="ind-1"), make_finding(item="ind-2"))
    updated, stale = apply_waivers(review, [make_waiver(item="ind-1")], TODAY)
    assert [f.waiver is not None for f in updated.findings] == [True, False]
    assert updated.findings[0].waiver.justification == "accepted for phase 1"
    assert stale == 0 and updated.notices == []


def test_programme_level_waiver_has_an_empty_item():
    review = make_review(make_finding("PRG-001", "", entity="programme"), make_finding("PRG-001"))
    updated, _ = apply_waivers(review, [make_waiver("PRG-001", "")], TODAY)
    assert [f.item for f in updated.findings if f.waiver] == [""]


def test_waiver_applies_on_its_expiry_date_and_not_after():
    review = make_review(make_finding())
    waiver = make_waiver(expires="2027-06-01")
    on_the_day, stale = apply_waivers(review, [waiver], TODAY)
    assert on_the_day.findings[0].waiver == waiver and stale == 0
    after, stale = apply_waivers(review, [waiver], TODAY + dt.timedelta(days=1))
    assert after.findings[0].waiver is None and stale == 1
    assert "expired on 2027-06-01" in after.notices[0]
    assert after.notices[0].startswith("p.yaml:40: ")
    assert judge(after, fail_on="warning") == 1  # the finding counts again


def test_unmatched_waiver_is_a_notice():
    review = make_review(make_finding(item="ind-1"))
    updated, stale = apply_waivers(review, [make_waiver(item="ind-9")], TODAY)
    assert stale == 1
    assert updated.findings[0].waiver is None
    assert updated.notices == [
        "p.yaml:40: the waiver of MEL-001 for item 'ind-9' matches no finding; "
        "remove it (or check the rule id and the item id)"
    ]


PROPOSAL_WITH_WAIVERS = """\
ctreview: proposal/v1
id: P-1
title: A proposal
waivers:
  - rule: MEL-001
    item: ind-1
    justification: >-
      Baseline survey
      funded separately.
    accepted_by: Funder panel
    expires: 2027-12-31
  - rule: PRG-002
    justification: Programme-level exception.
"""


def test_proposal_waivers_are_read_with_their_line():
    waivers = proposal_waivers(load_text(PROPOSAL_WITH_WAIVERS, "p.yaml"))
    assert [(w.rule, w.item, w.expires, w.source) for w in waivers] == [
        ("MEL-001", "ind-1", "2027-12-31", "p.yaml:5"),
        ("PRG-002", "", "", "p.yaml:12"),
    ]
    assert waivers[0].justification == "Baseline survey funded separately."
    assert waivers[0].accepted_by == "Funder panel"


class FakeReviewer:
    """Stands in for Reviewer: fixed findings for any document, a catalogue of their rules."""

    def __init__(self, findings):
        self.findings = findings
        rules = tuple({f.rule.id: f.rule for f in findings}.values())
        self.catalogue = type("Catalogue", (), {"rules": rules, "version": "test"})()

    def review_document(self, doc):
        return make_review(*self.findings, file=doc.path)


def test_checker_applies_config_severities_then_proposal_and_config_waivers(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".ctreview.yaml").write_text(
        "rules: {AW-001: 'off', MEL-002: error}\n"
        "fail_on: warning\n"
        "waivers:\n"
        "  - {rule: MEL-002, item: ind-2, file: '*.yaml', justification: Agreed with donor}\n",
        encoding="utf-8",
    )
    proposal = tmp_path / "p.yaml"
    proposal.write_text(
        SAMPLE.read_text(encoding="utf-8")
        + "waivers:\n  - {rule: MEL-001, item: ind-1, justification: Funded elsewhere}\n",
        encoding="utf-8",
    )
    findings = [
        make_finding("AW-001", "c-1"),
        make_finding("MEL-001", "ind-1"),
        make_finding("MEL-002", "ind-2"),
        make_finding("MEL-003", "ind-3", severity="info"),
    ]
    checker = Checker(RunOptions(today=TODAY), lambda dirs: FakeReviewer(findings))
    judgement = checker.judge(str(proposal))
    got = [
        (f.rule_id, f.severity, f.waiver and f.waiver.justification)
        for f in judgement.review.findings
    ]
    assert sorted(got) == [
        ("MEL-001", "warning", "Funded elsewhere"),
        ("MEL-002", "error", "Agreed with donor"),
        ("MEL-003", "info", None),
    ]
    assert judgement.settings.fail_on == "warning"
    assert exit_code([judgement]) == 0
    strict = Checker(RunOptions(today=TODAY, fail_on="info"), lambda dirs: FakeReviewer(findings))
    assert exit_code([strict.judge(str(proposal))]) == 1  # CLI flags win over the config


def test_the_configured_verdict_thresholds_reach_the_review_and_never_the_exit_code(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".ctreview.yaml").write_text(
        "verdict:\n  completeness: {not_ready_at: 2}\n", encoding="utf-8"
    )
    proposal = tmp_path / "p.yaml"
    proposal.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    findings = [make_finding("MEL-001", "ind-1"), make_finding("MEL-002", "ind-2")]
    checker = Checker(RunOptions(today=TODAY), lambda dirs: FakeReviewer(findings))
    judgement = checker.judge(str(proposal))
    assert judgement.review.thresholds.completeness.not_ready_at == 2
    assert assess(judgement.review.findings, judgement.review.thresholds).level == "not ready"
    assert exit_code([judgement]) == 0  # two warnings, fail_on error: the run passes


def test_max_warnings_counts_places_as_annotations_do_not_gaps():
    # one rule on two items is one finding in reports, two warnings for --max-warnings
    review = make_review(make_finding("MEL-001", "ind-1"), make_finding("MEL-001", "ind-2"))
    assert judge(review, max_warnings=1) == 1
    assert judge(review, max_warnings=2) == 0


def test_hidden_findings_still_decide_the_verdict():
    review = make_review(
        make_finding("A-001", severity="error"), make_finding("A-002", severity="warning")
    )
    shown = visible(review, "error")
    assert [f.rule_id for f in shown.findings] == ["A-001"]
    assert shown.hidden == {"warning": 1}
    assessment = assess([*shown.findings, *shown.withheld], shown.thresholds)
    assert assessment.completeness.level == "revise"  # the hidden presence warning


def test_the_cycle_collector_pauses_during_a_review_and_resumes_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from reviewer.policy import Checker, RunOptions
    from reviewer.review import Reviewer

    seen: list[bool] = []
    real = Reviewer.review_document

    def spy(self, doc):
        seen.append(gc.isenabled())
        return real(self, doc)

    monkeypatch.setattr(Reviewer, "review_document", spy)
    checker = Checker(RunOptions(discover_config=False))
    sample = str(SAMPLES[0])
    assert gc.isenabled()
    checker.judge(sample)
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        checker.judge(sample)  # a caller that had turned it off keeps it off
        assert not gc.isenabled()
    finally:
        gc.enable()

    def broken(self, doc):
        raise RuntimeError("boom")

    monkeypatch.setattr(Reviewer, "review_document", broken)
    with pytest.raises(RuntimeError):
        checker.judge(sample)
    assert gc.isenabled()
