"""The terminal format: ESLint "stylish" lines, waived findings marked, text made inert."""

from __future__ import annotations

import re
from dataclasses import replace

from report_fixtures import clean_review, hostile_review

from reviewer.inert import inert
from reviewer.policy import visible
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
    assert f"{len(unwaived)} finding" in lines[-2]
    assert f"{len(waived)} waived" in lines[-2]
    assert lines[-1] == (
        "Why and how to fix: ctreview explain RULE, or "
        "https://github.com/ctreview/ctreview/blob/main/docs/rules/RULE.md"
    )


def test_findings_are_listed_by_line_and_column_whatever_their_component():
    review = hostile_review()
    mixed = replace(
        review,
        findings=[
            replace(f, line=100 - 10 * n, column=n, component_index=n)
            for n, f in enumerate(review.findings)
        ],
    )
    lines = [line for line in render_text([mixed]).splitlines() if re.match(r"  \d+:\d", line)]
    positions = [tuple(map(int, line.split()[0].split(":"))) for line in lines]
    assert positions == sorted(positions) and len(positions) == len(review.findings)


def test_a_filtered_view_never_reads_as_no_findings():
    review = clean_review()
    quiet = visible(replace(review, findings=list(hostile_review().findings)), "error")
    assert quiet.hidden and all(f.severity == "error" for f in quiet.findings)
    summary = render_text([replace(quiet, findings=[])]).splitlines()[-1]
    assert "No findings" not in summary
    assert summary.startswith("No errors; ") and "not shown (hidden by --quiet" in summary


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


def test_rule_ids_link_to_their_pages_only_for_bundled_rules_on_a_colour_terminal(monkeypatch):
    from reviewer import doc_links

    review = hostile_review()
    plain = render_text([review], colour=False)
    assert "\x1b]8;;" not in plain
    monkeypatch.setattr(doc_links, "is_bundled", lambda rule: rule.id == "AWR-002")
    coloured = render_text([review], colour=True)
    link = "\x1b]8;;https://github.com/ctreview/ctreview/blob/main/docs/rules/AWR-002.md\x1b\\"
    assert link in coloured
    assert coloured.count("\x1b]8;;https") == sum(f.rule_id == "AWR-002" for f in review.findings)


def test_each_file_starts_with_its_verdict_and_what_to_fix_first():
    lines = render_text([hostile_review()]).splitlines()
    assert lines[1] == (
        "  Not ready. Design soundness: not ready (2 errors block approval, 1 warning to "
        "address). Completeness: revise (1 gap to fill, 1 note)."
    )
    # IDR-001 alone raises ICAT-7.Q2 (fixing it closes it); AWR-005 shares ICAT-3.Q2
    assert lines[2] == "  Fix first: PRG-001 1:3, AWR-002 30:3, IDR-001 80:3, AWR-005 40:3"


def test_the_summary_counts_a_rule_holding_in_several_places_once():
    review = hostile_review()
    twice = [f for f in review.findings if f.rule_id == "IDR-001"][0]
    again = replace(twice, item="c-other", component="c-other", line=99, component_index=2)
    text = render_text([replace(review, findings=[*review.findings, again])])
    lines = text.splitlines()
    assert sum(line.rstrip().endswith("IDR-001") for line in lines) == 2  # a line per place
    assert lines[-2] == "5 findings in 6 places (2 errors, 2 warnings, 1 info; 1 waived)"
