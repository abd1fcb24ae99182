"""The terminal format: ESLint "stylish" lines, waived findings marked, text made inert."""

from __future__ import annotations

from report_fixtures import clean_review, hostile_review

from reviewer.inert import inert
from reviewer.report.text import render_text


def test_stylish_lines_and_summary_count_only_unwaived_findings():
    review = hostile_review()
    text = render_text([review])
    lines = text.splitlines()
    assert lines[0] == inert(review.file)
    unwaived = [f for f in review.findings if not f.waiver]
    waived = [f for f in review.findings if f.waiver]
    assert waived, "the fixture has a waived finding"
    for finding in review.findings:
        assert any(line.rstrip().endswith(finding.rule_id) and f"{finding.line}:" in line
                   for line in lines)
    assert sum(" waived " in line for line in lines) == len(waived)
    assert f"{len(unwaived)} finding" in lines[-1]
    assert f"{len(waived)} waived" in lines[-1]


def test_no_findings_gives_a_short_positive_line():
    assert render_text([clean_review()]) == (
        "No findings: the design covers every check ctreview makes.\n"
    )


def test_control_characters_never_reach_the_terminal():
    text = render_text([hostile_review()])
    assert "\x1b" not in text
    assert "\\x1b[31m" in text or all("\x1b" not in f.message for f in hostile_review().findings)
    assert inert("a\x1b[2Jb\x00c\x9b") == "a\\x1b[2Jb\\x00c\\x9b"


def test_colour_only_when_asked():
    plain = render_text([hostile_review()], colour=False)
    coloured = render_text([hostile_review()], colour=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in coloured
