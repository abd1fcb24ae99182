"""Comparing two versions of a proposal: matching by rule and item, text and Markdown."""

from __future__ import annotations

from ci_helpers import make_finding, make_review, make_waiver
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reviewer.diffing import MARKDOWN_MARKER, diff_reviews, render_markdown, render_text

OLD = make_review(
    make_finding("MEL-001", "ind-1", severity="error", line=10),
    make_finding("MEL-002", "ind-1", line=11),
    make_finding("AW-001", "", entity="programme", severity="info", line=2),
    file="v1/p.yaml",
)
NEW = make_review(
    make_finding("MEL-002", "ind-1", line=40),  # moved: unchanged
    make_finding("AW-001", "", entity="programme", severity="info", line=2),
    make_finding("MEL-003", "ind-2", line=60),
    file="v2/p.yaml",
)


def test_findings_are_matched_by_rule_and_item_not_line():
    diff = diff_reviews(OLD, NEW)
    assert [f.rule_id for f in diff.resolved] == ["MEL-001"]
    assert [f.rule_id for f in diff.introduced] == ["MEL-003"]
    assert [(old.line, new.line) for old, new in diff.unchanged] == [(11, 40), (2, 2)]


def test_only_introduced_unwaived_findings_at_the_threshold_fail():
    diff = diff_reviews(OLD, NEW)
    assert not diff.fails("error")  # the only error was resolved
    assert diff.fails("warning")
    waived = make_review(*NEW.findings[:2], make_finding("MEL-003", "ind-2", waiver=make_waiver()))
    assert not diff_reviews(OLD, waived).fails("info")
    assert not diff_reviews(NEW, NEW).fails("info")  # unchanged findings never fail a diff


def test_text_lists_each_section():
    text = render_text(diff_reviews(OLD, NEW))
    assert text.splitlines()[0] == "v1/p.yaml -> v2/p.yaml: 1 resolved, 1 introduced, 2 unchanged"
    introduced = text.index("Introduced (1):\n  + warning  MEL-003  ind-2: ")
    resolved = text.index("Resolved (1):\n  - error    MEL-001  ind-1: ")
    assert introduced < resolved < text.index("Unchanged (2):")
    assert "AW-001  programme: " in text
    assert text == render_text(diff_reviews(OLD, NEW))


def test_waivers_are_shown_with_their_justification():
    waived = make_review(make_finding("MEL-003", "ind-2", waiver=make_waiver()))
    diff = diff_reviews(make_review(), waived)
    assert "waived: accepted for phase 1" in render_text(diff)
    assert "*(waived: accepted for phase 1)*" in render_markdown(diff)


def test_markdown_is_a_pull_request_comment():
    markdown = render_markdown(diff_reviews(OLD, NEW))
    assert markdown.startswith(MARKDOWN_MARKER + "\n## ")
    assert "**1 resolved, 1 introduced, 2 unchanged**" in markdown
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert html.count("<table>") == 3
    assert "<details><summary>Unchanged (2)</summary>" in markdown


def test_proposal_text_cannot_break_the_markdown():
    hostile = make_finding(
        "MEL-003",
        "ind-2",
        message="a | b <script>alert(1)</script> [x](http://e.test) **bold** &amp;\nnext",
    )
    markdown = render_markdown(diff_reviews(make_review(), make_review(hostile)))
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    cell = html[html.index("<td>a ") : html.index("</td>", html.index("<td>a "))]
    assert cell == (
        "<td>a | b &lt;script&gt;alert(1)&lt;/script&gt; [x](http://e.test) **bold** &amp;amp; next"
    )
    assert "\x1b" not in render_text(
        diff_reviews(make_review(), make_review(make_finding(message="\x1b[31mred")))
    )


finding_lists = st.lists(
    st.builds(
        make_finding,
        rule_id=st.sampled_from(["MEL-001", "MEL-002", "AW-001"]),
        item=st.sampled_from(["", "ind-1", "ind-2"]),
        line=st.integers(1, 300),
        label=st.sampled_from(["Calls", "Referrals"]),
    ),
    max_size=6,
    unique_by=lambda f: f.identity,
)


@settings(max_examples=150, deadline=None)
@given(finding_lists, finding_lists)
def test_every_finding_lands_in_exactly_one_section(old, new):
    diff = diff_reviews(make_review(*old), make_review(*new))
    assert len(diff.resolved) + len(diff.unchanged) == len(old)
    assert len(diff.introduced) + len(diff.unchanged) == len(new)
    assert all(a.rule_id == b.rule_id for a, b in diff.unchanged)
    same = diff_reviews(make_review(*new), make_review(*new))
    assert not same.resolved and not same.introduced
