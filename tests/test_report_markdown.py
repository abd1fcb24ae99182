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

from reviewer.findings import Waiver
from reviewer.report import render
from reviewer.review import Review

_PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_OUR_TAG = re.compile(r'<a id="(p\d+(-[a-z0-9-]+)?|not-judged)">|</a>')


def _markdown(*reviews: Review, **ctx) -> str:
    return render("markdown", list(reviews), context(**ctx))


def _section(text: str, heading: str) -> str:
    """From `heading` to the next heading of its level or above (### for a section)."""
    start = text.index(heading)
    line_start = text.rfind("\n", 0, start) + 1
    level = len(text[line_start:].split(" ", 1)[0]) if text[line_start] == "#" else 3
    stops = [text.find("\n" + "#" * n + " ", start + len(heading)) for n in range(2, level + 1)]
    end = min((stop for stop in stops if stop != -1), default=-1)
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


def test_header_verdict_then_findings_with_their_icat_knowledge():
    text = _markdown(hostile_review())
    assert "ctreview 0.1.0 · rule catalogue abc123def456" in text
    assert "- **File:** samples/hostile proposal.yaml" in text
    verdict = _section(text, '### <a id="p1-verdict"></a>Verdict')
    assert "**Verdict: not ready.**" in verdict
    assert "- **Design soundness: not ready.** 2 errors block approval, 1 warning to address." in (
        verdict
    )
    assert "- **Completeness: revise.** 1 gap to fill, 1 note." in verdict
    assert "| 3 · Awareness raising | 2 |" in verdict
    finding = _section(text, '<a id="p1-g2"></a>**Error** AWR-002 · Awareness raising')
    assert "samples/hostile proposal.yaml:30:3, components\\[0\\]" in finding
    assert "**Checks:** ICAT-3.L2.b · ICAT-3.Q2 — [why it matters and how to fix](#p1-r2)" in (
        finding
    )
    rule = _section(text, '<a id="p1-r2"></a>AWR-002')
    assert "**Why it matters.** Why AWR-002 matters." in rule
    assert "- ICAT-3.L2.b: Evaluations of awareness work" in rule
    assert "- [ICAT-3.Q3](#p1-q-icat-3-q3) How would that new behaviour" in rule
    assert (
        "- IND-3-10 (knowledge attitude change; not a proxy for behaviour change or impact): "
        "Change in how many" in rule
    )
    assert "**How to fix.** Add awareness.desired\\_action." in rule


def test_decision_first_verdict_fix_errors_warnings_notes_then_the_rest():
    text = _markdown(hostile_review())
    headings = re.findall(r"^### <a id=\"p1-([a-z]+)\"></a>", text, re.M)
    assert headings == [
        "verdict", "fix", "errors", "warnings", "notes", "questions", "related", "rules",
        "waived", "notices",
    ]  # fmt: skip
    contents = _section(text, "## Contents")
    assert [f"(#p1-{h})" in contents for h in headings] == [True] * len(headings)
    fix = _section(text, '<a id="p1-fix"></a>')
    assert fix.index("PRG-001") < fix.index("AWR-002") < fix.index("AWR-005")
    assert "MEL-003" not in fix  # info is never a fix-first


def test_warnings_are_grouped_by_component_then_by_icat_question():
    text = _markdown(hostile_review())
    warnings = _section(text, '<a id="p1-warnings"></a>')
    components = re.findall(r"^#### <a id=\"[^\"]+\"></a>(.+)$", warnings, re.M)
    assert components[0].startswith("Component c-campaign: Radio")
    assert components[1] == "Component c-hotline: Hotline"
    questions = re.findall(r"^##### (ICAT-[0-9.Q]+)", warnings, re.M)
    assert questions == ["ICAT-3.Q2", "ICAT-7.Q2"]


def test_each_rule_is_explained_once_with_every_place_it_applies_to():
    findings = [
        finding("IDR-001", 40, component="c-a", index=0, label="A"),
        finding("IDR-001", 80, component="c-b", index=1, label="B"),
    ]
    text = _markdown(replace(clean_review(), findings=findings))
    assert text.count("**Why it matters.** Why IDR-001 matters.") == 1
    assert text.count("###### <a id=") == 1  # one finding
    assert "Applies to 2 places:" in text
    assert "- <a id=\"p1-f1\"></a>A has a gap (IDR-001)." in text
    assert "- <a id=\"p1-f2\"></a>B has a gap (IDR-001)." in text
    assert "#### <a id=\"p1-warnings-1\"></a>Across several components" in text
    assert "**Findings:** [warning at 2 components](#p1-g1)" in text
    assert "Here: 1 finding in 2 places." in text


def test_questions_to_revisit_lists_each_question_once_pointing_back_to_findings():
    text = _markdown(hostile_review())
    section = _section(text, "</a>Questions to revisit")
    refs = re.findall(r"^- <a id=\"[^\"]+\"></a>\*\*(ICAT-[^*]+)\*\*", section, re.M)
    assert refs == ["ICAT-2.Q1", "ICAT-3.Q2", "ICAT-7.Q2"]  # questions the rules check
    q2 = section[section.index("**ICAT-3.Q2**") :].split("\n- ")[0]
    assert "Raised by: [AWR-002 c-campaign](#p1-g2), [AWR-005 c-campaign](#p1-g3)" in q2
    q7 = section[section.index("**ICAT-7.Q2**") :].split("\n- ")[0]
    assert "\n  - ICAT-7.Q2.a: " in q7  # a question's bullets are listed under it
    related = _section(text, "</a>Related questions")
    refs = re.findall(r"^- <a id=\"[^\"]+\"></a>\*\*(ICAT-[^*]+)\*\*", related, re.M)
    assert refs == ["ICAT-1.Q1", "ICAT-1.Q3", "ICAT-3.Q3"]
    q1 = related[related.index("**ICAT-1.Q1**") :].split("\n- ")[0]
    assert "Related to: [PRG-001 programme](#p1-g1), [IDR-001 c-hotline](#p1-g4)" in q1
    assert "Raised by" not in related


def test_each_rule_says_what_it_checks_its_basis_and_related_questions():
    text = _markdown(hostile_review())
    awr = _section(text, '<a id="p1-r2"></a>AWR-002')
    assert "**Checks**\n\n- ICAT-3.L2.b: " in awr
    assert "**Basis:** ICAT toolkit" in awr
    assert "**Related questions**\n\n- [ICAT-3.Q3](#p1-q-icat-3-q3) " in awr
    prg = _section(text, '<a id="p1-r1"></a>PRG-001')
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
    waived = _section(text, "</a>Waived findings")
    assert "SUP-001 · Support without consent" in waived
    assert "(samples/hostile proposal.yaml:85:3, components\\[1\\])" in waived
    assert "**Justification:** Consent is handled by the \\| partner \\<b\\>" in waived
    assert "**Accepted by:** Funder review board" in waived
    assert "**Expires:** 2031-01-01" in waived
    assert "expired on 2024-01-01" in _section(text, "</a>Notices")
    assert "SUP-001" not in _section(text, "</a>Warnings")


def test_scoped_out_and_to_be_established_findings_have_their_own_places():
    from reviewer.lens import AnswerNote

    scoped = Waiver("IDR-001", "c-a", "No hotline in scope", kind="not_relevant")
    plan = AnswerNote("to_be_established", (), "component", "component:c-b", "x", "act-1")
    findings = [
        finding("IDR-001", 40, component="c-a", index=0, label="A", waiver=scoped),
        replace(finding("IDR-001", 80, component="c-b", index=1, label="B"), severity="info",
                scope=plan),
    ]  # fmt: skip
    text = _markdown(replace(clean_review(), findings=findings))
    assert "**Not relevant, the proposal says, because:** No hotline in scope" in _section(
        text, "</a>Scoped out by the proposal"
    )
    established = _section(text, "</a>To be established")
    assert "B has a gap (IDR-001)" in established
    assert "</a>Notes (info)" not in text  # it is not listed as a plain note
    assert "1 note" in _section(text, "</a>Verdict")


def test_a_proposal_without_findings_gets_a_short_positive_report():
    text = _markdown(clean_review())
    assert "**Verdict: ready.**" in text
    assert "No rule found a gap in this design" in text
    for absent in ("</a>Warnings", "</a>Questions to revisit", "</a>Waived findings"):
        assert absent not in text
    assert len(text.splitlines()) < 35
    assert "docs/icat-coverage.md" in text


def test_several_proposals_get_an_overall_verdict_and_distinct_anchors():
    text = _markdown(hostile_review(), clean_review())
    assert "**Overall: Not ready. Design soundness: not ready (2 errors block approval" in text
    assert "- [A clean design](#p2): ready" in text


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
    assert all(str(link.attrGet("href")).startswith(("#p", "#not-judged")) for link in links)


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


_SHORTCUT_ALPHABET = list(
    "aZ9 .:/-_@#|*`[]<>&$~{}\\!\"'%()+,;=?^wWgGhH"  # what Markdown, links and mentions use
    "\t\n\r\x1b\u202e\xe9\xa0\u2028\u3000\u212a\u017f\u200b日"  # controls, spaces, other scripts
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(_SHORTCUT_ALPHABET), max_size=30))
def test_the_plain_text_shortcut_escapes_exactly_as_the_substitutions(text):
    from reviewer.report.markdown import _escaped, _md

    assert _md(text) == _escaped(text)


@pytest.mark.parametrize(
    "text",
    ["see www.x.org", "WWW.X.ORG", "a://b", "GH-12", "gh-1", " lead", "trail ", "two  spaces",
     "Plain text, with (punctuation): 12% done; ok? yes!", "", "x=1+2-3/4^5",
     "components[2].target_groups", "see #12 in a_b", "owner/repo#3 [x]", "a_b@c.org",
     "émigré * Köln", "\u202e[x]", "a_b\tc"],
)
def test_the_plain_text_shortcut_on_the_patterns_it_must_leave_to_the_substitutions(text):
    from reviewer.report.markdown import _escaped, _md

    assert _md(text) == _escaped(text)
