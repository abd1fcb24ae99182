"""GitLab Code Quality: the issue fields GitLab reads, stable fingerprints, waived findings out."""

from __future__ import annotations

import json
from dataclasses import replace

from report_fixtures import clean_review, context, hostile_review

from reviewer.report import render

REQUIRED = {"description", "check_name", "fingerprint", "severity", "location"}


def _issues(*reviews) -> list[dict]:
    return json.loads(render("gitlab", list(reviews or [hostile_review()]), context()))


def test_one_issue_per_unwaived_finding_with_the_fields_gitlab_reads():
    review = hostile_review()
    issues = _issues(review, clean_review())
    active = [f for f in review.findings if f.waiver is None]
    assert len(issues) == len(active) and len(active) < len(review.findings)
    for issue in issues:
        assert set(issue) == REQUIRED
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == "samples/hostile proposal.yaml"
        assert issue["location"]["lines"]["begin"] >= 1
        assert issue["description"].startswith(f"{issue['check_name']}: ")
    severities = {i["check_name"]: i["severity"] for i in issues}
    assert severities["AWR-002"] == "critical"  # an error blocks approval
    assert {f.severity for f in active} == {"error", "warning", "info"}
    assert set(severities.values()) == {"critical", "major", "info"}
    begins = [i["location"]["lines"]["begin"] for i in issues]
    assert begins == sorted(begins)


def test_fingerprints_follow_the_finding_not_its_line():
    review = hostile_review()
    moved = replace(review, findings=[replace(f, line=f.line + 40) for f in review.findings])
    before, after = _issues(review), _issues(moved)
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert [i["location"]["lines"]["begin"] + 40 for i in before] == [
        i["location"]["lines"]["begin"] for i in after
    ]
    other = "samples/other.yaml"
    copied = [replace(f, file=other) for f in review.findings]
    elsewhere = replace(review, file=other, findings=copied)
    assert not {i["fingerprint"] for i in _issues(elsewhere)} & {i["fingerprint"] for i in before}


def test_fingerprints_are_unique_even_for_repeated_findings():
    review = hostile_review()
    twice = replace(review, findings=[*review.findings, *review.findings])
    fingerprints = [i["fingerprint"] for i in _issues(twice)]
    assert len(fingerprints) == len(set(fingerprints))


def test_the_report_is_deterministic_and_text_is_inert():
    assert render("gitlab", [hostile_review()], context()) == render(
        "gitlab", [hostile_review()], context()
    )
    review = hostile_review()
    evil = replace(review, findings=[replace(f, message="a\x1b[31m\nb") for f in review.findings])
    for issue in _issues(evil):
        assert "\x1b" not in issue["description"] and "\n" not in issue["description"]


def test_no_findings_is_an_empty_array():
    assert render("gitlab", [clean_review()], context()) == "[]\n"
