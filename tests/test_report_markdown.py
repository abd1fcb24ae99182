"""Markdown report: full content, anchors that resolve, and proposal text that stays text."""

import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from report_fixtures import (
    NASTY,
    RULES,
    clean_review,
    context,
    finding,
    hostile_review,
    with_text,
)

from reviewer.report import render
from reviewer.review import Review

_PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_OUR_TAG = re.compile(r'<a id="p\d+(-[a-z0-9-]+)?">|</a>')


def _markdown(*reviews: Review, **ctx) -> str:
    return render("markdown", list(reviews), context(**ctx))


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n### ", start + len(heading))
    return text[start : end if end != -1 else None]


def _structure(markdown: str) -> list[tuple[str, str]]:
    """Block and inline token types, with the tag names: what the text *does*, not says."""
    shape = []
    for token in _PARSER.parse(markdown):
        shape.append((token.type, token.tag))
        for child in token.children or []:
            if child.type not in ("text", "softbreak"):
                shape.append((child.type, child.tag))
    return shape


def test_header_summary_and_findings_with_their_icat_knowledge():
    text = _markdown(hostile_review())
    assert "ctreview 0.1.0 · rule catalogue abc123def456" in text
    assert "- **File:** samples/hostile proposal.yaml" in text
    assert "**Verdict: 2 errors block approval.**" in text
    assert "| 3 · Awareness raising | 2 |" in text
    finding = _section(text, "AWR-002 · Awareness raising without a desired action")
    assert "samples/hostile proposal.yaml:30:3, YAML path components\\[0\\]" in finding
    assert "**Why it matters.** Why AWR-002 matters." in finding
    assert "- ICAT-3.L2.b: Evaluations of awareness work" in finding
    assert "- [ICAT-3.Q3](#p1-q-icat-3-q3) How would that new behaviour" in finding
    assert (
        "- IND-3-10 (knowledge attitude change; not a proxy for behaviour change or impact): "
        "Change in how many" in finding
    )
    assert "**How to fix.** Add awareness.desired\\_action." in finding


def test_groups_come_programme_first_then_components_in_file_order():
    text = _markdown(hostile_review())
    headings = re.findall(r"^#### (.+)$", _section(text, "### Findings"), re.M)
    assert headings[0] == "Programme-level findings"
    assert headings[1].startswith("Component c-campaign: Radio")
    assert headings[2] == "Component c-hotline: Hotline"
    order = [text.index(rule) for rule in ("PRG-001 ·", "MEL-003 ·", "AWR-002 ·", "AWR-005 ·")]
    assert order == sorted(order)


def test_questions_to_revisit_lists_each_question_once_pointing_back_to_findings():
    text = _markdown(hostile_review())
    section = _section(text, "### Questions to revisit")
    refs = re.findall(r"^- <a id=\"[^\"]+\"></a>\*\*(ICAT-[^*]+)\*\*", section, re.M)
    assert refs == ["ICAT-2.Q1", "ICAT-3.Q2", "ICAT-7.Q2"]  # questions the rules check
    q2 = section[section.index("**ICAT-3.Q2**") :].split("\n- ")[0]
    assert "Raised by: [AWR-002 c-campaign](#p1-f3), [AWR-005 c-campaign](#p1-f4)" in q2
    q7 = section[section.index("**ICAT-7.Q2**") :].split("\n- ")[0]
    assert "\n  - ICAT-7.Q2.a: " in q7  # a question's bullets are listed under it
    related = _section(text, "### Related questions")
    refs = re.findall(r"^- <a id=\"[^\"]+\"></a>\*\*(ICAT-[^*]+)\*\*", related, re.M)
    assert refs == ["ICAT-1.Q1", "ICAT-1.Q3", "ICAT-3.Q3"]
    q1 = related[related.index("**ICAT-1.Q1**") :].split("\n- ")[0]
    assert "Related to: [PRG-001 programme](#p1-f1), [IDR-001 c-hotline](#p1-f5)" in q1
    assert "Raised by" not in related


def test_each_finding_says_what_it_checks_its_basis_and_related_questions():
    text = _markdown(hostile_review())
    awr = text[text.index("AWR-002 · ") :].split("#####")[0]
    assert "**Checks**\n\n- ICAT-3.L2.b: " in awr
    assert "**Basis:** ICAT toolkit" in awr
    assert "**Related questions**\n\n- [ICAT-3.Q3](#p1-q-icat-3-q3) " in awr
    prg = text[text.index("PRG-001 · ") :].split("#####")[0]
    assert "ctreview's own judgement" in prg and "IATI Standard, 2018" in prg
    undeclared = replace(RULES["AWR-002"], basis=())  # a funder's rule may leave it out
    review = replace(clean_review(), findings=[replace(finding("AWR-002", 3), rule=undeclared)])
    assert "**Basis:** not declared by its rule pack" in _markdown(review)


def test_every_link_points_at_an_anchor_of_the_document():
    text = _markdown(hostile_review(), clean_review())
    anchors = re.findall(r'<a id="([^"]+)"></a>', text)
    targets = re.findall(r"\]\(#([^)]+)\)", text)
    assert len(anchors) == len(set(anchors))
    assert targets and set(targets) <= set(anchors)


def test_waived_findings_and_notices_are_shown_not_dropped():
    text = _markdown(hostile_review())
    waived = _section(text, "### Waived findings")
    assert "SUP-001 · Support without consent at samples/hostile proposal.yaml:85:3" in waived
    assert "**Justification:** Consent is handled by the \\| partner \\<b\\>" in waived
    assert "**Accepted by:** Funder review board" in waived
    assert "**Expires:** 2031-01-01" in waived
    assert "expired on 2024-01-01" in _section(text, "### Notices")
    assert "SUP-001" not in _section(text, "### Findings")


def test_a_proposal_without_findings_gets_a_short_positive_report():
    text = _markdown(clean_review())
    assert "**Verdict: ready: no findings.**" in text
    assert "No rule found a gap in this design" in text
    for absent in ("### Findings", "### Questions to revisit", "### Waived findings"):
        assert absent not in text
    assert len(text.splitlines()) < 25
    assert "docs/icat-coverage.md" in text


def test_several_proposals_get_an_overall_verdict_and_distinct_anchors():
    text = _markdown(hostile_review(), clean_review())
    assert "**Overall: 2 errors block approval.**" in text
    assert "- [A clean design](#p2): ready: no findings" in text


def test_hostile_text_cannot_make_rows_headings_links_or_html():
    hostile = _markdown(hostile_review())
    assert _structure(hostile) == _structure(_markdown(with_text(hostile_review(), "x")))
    for line in hostile.splitlines():
        assert not line.startswith(("# Injected", "## Injected", "| a | b |"))
    tokens = _PARSER.parse(hostile)
    assert not [t for t in tokens if t.type == "html_block"]
    inline_html = [c.content for t in tokens for c in t.children or [] if c.type == "html_inline"]
    assert inline_html and all(_OUR_TAG.fullmatch(tag) for tag in inline_html)
    links = [c for t in tokens for c in t.children or [] if c.type in ("link_open", "image")]
    assert all(str(link.attrGet("href")).startswith("#p") for link in links)


@pytest.mark.parametrize("text", NASTY)
def test_known_markdown_constructs_stay_text(text):
    benign = _structure(_markdown(with_text(hostile_review(), "x")))
    assert _structure(_markdown(with_text(hostile_review(), text))) == benign


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab |#*_`[]()<>!&\\\n\r-+=1.:~$\x1b{}")), max_size=40))
def test_any_text_keeps_the_structure_of_plain_text(text):
    benign = _structure(_markdown(with_text(hostile_review(), "x")))
    assert _structure(_markdown(with_text(hostile_review(), text or "x"))) == benign


def test_bare_urls_are_broken_up_so_gfm_does_not_autolink_them():
    text = _markdown(with_text(hostile_review(), "see https://x.example or WWW.x.example"))
    assert "https://" not in text and "WWW." not in text
    assert "https\\://x.example" in text
