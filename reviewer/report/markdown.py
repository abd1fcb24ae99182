"""The Markdown report: the full content, for pull requests, wikis and the HTML page.

Every piece of proposal (and rule pack) text goes through `md()`, so a title with a pipe, a
leading '#', a backtick, a newline or a link cannot break a table, make a heading or a link.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reviewer.inert import one_line
from reviewer.report import ReportContext
from reviewer.report.content import (
    INPUT_ERROR_HELP,
    NOT_JUDGED,
    Citation,
    ComponentGroup,
    Entry,
    GapEntry,
    ProposalReport,
    RuleNote,
    SectionQuestions,
    build_reports,
    overall_verdict,
    question_anchor,
    section_title,
    with_hidden,
)
from reviewer.review import Review

# Characters with a meaning in CommonMark or GFM inline text (code, emphasis, links, HTML,
# entities, tables, strikethrough, math): each is backslash-escaped, which CommonMark
# renders as the character itself.
_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&$])")
# Bare URLs that GFM would turn into links: break the pattern with an escape.
_AUTOLINK = re.compile(r"(?i)(://|\bwww\.)")
# GitHub makes `@name` a mention (it notifies that person) and `name@host.org` a mail link,
# after Markdown is parsed, so a backslash cannot stop it; a zero-width space after the `@`
# (written as an entity, so the Markdown itself stays visible text) breaks both patterns.
_MENTION_BREAK = "@&#8203;"
# `#123`, `owner/repo#123` and `GH-123` become links to an issue or pull request, and GitHub
# notes the reference on that issue's timeline: the same break, after `#` or inside `GH-`.
_ISSUE_REFERENCE = re.compile(r"\\#(?=\d)|\bGH(?=-\d)")
# What makes a block when it starts a line: list items, ordered lists, setext underlines, and
# a CI workflow command (`::`) when the Markdown is printed in a CI log.
_LINE_START = re.compile(r"^([-+=]|\d+[.)]|:(?=:))")
# Printable text (`str.isprintable`: nothing `one_line` changes but spaces) with (`_WORK`) no
# double space, space at either end, URL or issue-reference pattern needs at most its special
# characters escaped, and none when it has none (`_NO_MARKUP`): most messages, titles and
# questions. A search or two answer for the six substitutions (tests/test_report_markdown.py
# holds the shortcuts to them).
_NO_MARKUP = re.compile(r"[^\\`*_{}\[\]<>#|~&$@]*\Z")
_WORK = re.compile(r"(?i)  |^ | \Z|://|www\.|gh-")


def md(text: object) -> str:
    """Proposal text as inert Markdown inline content: one line, no markup, no links."""
    return _md_text(text) if isinstance(text, str) and len(text) <= 1000 else _md(text)


@functools.lru_cache(maxsize=2048)  # at most ~4 MB
def _md_text(text: str) -> str:
    """`md` of a short text, remembered: a report escapes the same rule titles, messages and
    questions hundreds of times, and a screening run thousands."""
    return _md(text)


def _md(text: object) -> str:
    if type(text) is str and text.isprintable() and not _WORK.search(text):
        if _NO_MARKUP.match(text):
            return text
        if "#" not in text and "@" not in text:  # a field name, a YAML path: escapes only
            return _INLINE_SPECIAL.sub(r"\\\1", text)
    return _escaped(text)


def _escaped(text: object) -> str:
    escaped = _INLINE_SPECIAL.sub(r"\\\1", one_line(text))
    unlinked = _AUTOLINK.sub(lambda m: m.group().replace(":", "\\:").replace(".", "\\."), escaped)
    unreferenced = _ISSUE_REFERENCE.sub(lambda m: m.group() + "&#8203;", unlinked)
    return unreferenced.replace("@", _MENTION_BREAK)


def md_block(text: object) -> str:
    """Like `md`, for text that starts a line (a paragraph or a list item's text)."""
    escaped = _LINE_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], md(text))
    return escaped or "(no text)"


@dataclass(frozen=True)
class Marks:
    """How anchors and severity badges are written: raw HTML and bold for Markdown readers,
    or markers that the HTML renderer turns into elements (it accepts no raw HTML)."""

    anchor_format: str = '<a id="{}"></a>'
    badge_format: str = "**{label}**"

    def anchor(self, anchor: str) -> str:
        return self.anchor_format.format(anchor)

    def badge(self, severity: str) -> str:
        return self.badge_format.format(label=severity.capitalize(), severity=severity)


MARKDOWN_MARKS = Marks()
_REVISIT_INTRO = (
    "Each question is listed once, with the findings that raised it (their rule checks the "
    "question). Work through them with the design team and answer them in the proposal."
)
_RELATED_INTRO = (
    "Questions the findings point to as related, though no finding's rule checks them: "
    "worth a look while revising."
)
_COUNTING_NOTE = (
    "Counts are of findings, one per gap: a rule that holds for several components or items "
    "is one finding listing every place it applies to."
)
_DIMENSION_MEANING = {
    "soundness": "errors, and what the answers say (content rules)",
    "completeness": "whether the questions are answered (presence rules)",
}
_FIX_INTRO = (
    "Errors first, then the warnings whose fix closes the most ICAT questions (questions no "
    "other finding keeps open), then those raising the most, then those in the most places."
)
_RULES_INTRO = (
    "Each rule once: why it matters, what it checks, its basis, related questions, indicators "
    "and how to fix it, with the findings it gave."
)
_ESTABLISHED_INTRO = (
    "Answers the proposal plans to establish by a budgeted activity in time (a question "
    "answered `to_be_established`): info until then, as ICAT advises adding an activity to "
    "generate missing information."
)
_SCOPED_INTRO = (
    "Questions the proposal answered `not_relevant`, with its reason: set aside, never "
    "counted, shown so that the reviewers can judge the reason."
)
_WAIVED_INTRO = "Accepted by the reviewers, with a justification; they do not count."


def render_markdown(reviews: Sequence[Review], ctx: ReportContext) -> str:
    return build_markdown(reviews, ctx, MARKDOWN_MARKS)


def build_markdown(reviews: Sequence[Review], ctx: ReportContext, marks: Marks) -> str:
    reports = build_reports(reviews, ctx.knowledge)
    lines = [
        "# Design review report",
        "",
        f"ctreview {md(ctx.tool_version)} · rule catalogue {md(ctx.catalogue_version)} · "
        + _reviewed(reports),
    ]
    if len(reports) > 1:
        lines += ["", f"**Overall: {md(overall_verdict(reports))}**"]
    if not reports:
        lines += ["", "No proposal was reviewed."]
    else:
        lines += ["", "## Contents", "", *_contents(reports)]
    for report in reports:
        lines += ["", *_proposal(report, marks)]
    lines += ["", f"## {marks.anchor('not-judged')}What this review cannot judge", ""]
    lines += [md_block(NOT_JUDGED)]
    return "\n".join(lines) + "\n"


def _reviewed(reports: Sequence[ProposalReport]) -> str:
    reviewed = sum(1 for report in reports if not report.refusals)
    if reviewed == len(reports):
        return f"{reviewed} proposal{'' if reviewed == 1 else 's'} reviewed"
    return f"{len(reports)} file{'' if len(reports) == 1 else 's'}, {reviewed} reviewed"


# --- contents -----------------------------------------------------------------------------


def _sections(report: ProposalReport) -> list[tuple[str, str, int | None]]:
    """The report's sections that have content: (anchor, title, how many findings or None)."""
    a = report.anchor
    if report.refusals:
        found = [(f"{a}-refusals", "Why it could not be reviewed", len(report.refusals))]
    else:
        found = [(f"{a}-verdict", "Verdict", None)]
        warnings = sum(len(g.gaps) for g in report.warnings)
        notes = sum(len(g.gaps) for g in report.notes)
        found += [
            (f"{a}-fix", "Fix these first", len(report.fix_first)),
            (f"{a}-errors", "Blocking findings (errors)", len(report.errors)),
            (f"{a}-warnings", "Warnings", warnings),
            (f"{a}-notes", "Notes (info)", notes),
            (f"{a}-established", "To be established", len(report.established)),
            (f"{a}-questions", "Questions to revisit", _count(report.questions)),
            (f"{a}-related", "Related questions", _count(report.related_questions)),
            (f"{a}-rules", "Rules behind the findings", len(report.rules)),
        ]
    found += [
        (f"{a}-scoped", "Scoped out by the proposal", len(report.scoped_out)),
        (f"{a}-waived", "Waived findings", len(report.waived_gaps)),
        (f"{a}-notices", "Notices", len(report.review.notices)),
    ]
    return [(anchor, title, n) for anchor, title, n in found if n != 0]


def _count(groups: Sequence[SectionQuestions]) -> int:
    return sum(len(group.questions) for group in groups)


def _contents(reports: Sequence[ProposalReport]) -> list[str]:
    lines = []
    for report in reports:
        level = report.assessment.level if not report.refusals else "not reviewed"
        lines.append(f"- [{md(report.title)}](#{report.anchor}): {level}")
        for anchor, title, n in _sections(report):
            count = f" ({n})" if n is not None else ""
            lines.append(f"  - [{title}](#{anchor}){count}")
    lines.append("- [What this review cannot judge](#not-judged)")
    return lines


# --- one proposal -------------------------------------------------------------------------


def _proposal(report: ProposalReport, marks: Marks) -> list[str]:
    review, a = report.review, report.anchor
    lines = [f"## {marks.anchor(a)}{md(report.title)}", "", *_facts(review)]

    def section(key: str, title: str, *body: str) -> None:
        lines.extend(["", f"### {marks.anchor(f'{a}-{key}')}{title}", "", *body])

    if report.refusals:
        lines += ["", f"**Verdict: {md(report.verdict)}.**"]
        section("refusals", "Why it could not be reviewed", *_refusals(report))
    else:
        section("verdict", "Verdict", *_verdict(report))
        if report.fix_first:
            section("fix", "Fix these first", _FIX_INTRO, "", *_fix_first(report))
        if report.errors:
            entries = [_gap(gap, marks, "####") for gap in report.errors]
            section("errors", "Blocking findings (errors)", *_joined(entries))
        if report.warnings:
            section("warnings", "Warnings", *_grouped(report.warnings, marks))
        if report.notes:
            section("notes", "Notes (info)", *_grouped(report.notes, marks))
        if report.established:
            entries = [_gap(gap, marks, "####") for gap in report.established]
            section("established", "To be established", _ESTABLISHED_INTRO, "", *_joined(entries))
        if report.questions:
            section("questions", "Questions to revisit", _REVISIT_INTRO)
            lines.extend(_questions(report.questions, marks))
        if report.related_questions:
            section("related", "Related questions", _RELATED_INTRO)
            lines.extend(_questions(report.related_questions, marks))
        if report.rules:
            section("rules", "Rules behind the findings", _RULES_INTRO, "")
            listed = _listed_questions(report)
            lines.extend(_joined([_rule(note, report, marks, listed) for note in report.rules]))
    if report.scoped_out:
        entries = [_set_aside(gap, marks) for gap in report.scoped_out]
        section("scoped", "Scoped out by the proposal", _SCOPED_INTRO, "", *_joined(entries))
    if report.waived_gaps:
        entries = [_set_aside(gap, marks) for gap in report.waived_gaps]
        section("waived", "Waived findings", _WAIVED_INTRO, "", *_joined(entries))
    if review.notices:
        section("notices", "Notices", *[f"- {md_block(notice)}" for notice in review.notices])
    return lines


def _joined(blocks: Sequence[list[str]]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        lines += ([""] if lines else []) + block
    return lines


def _facts(review: Review) -> list[str]:
    meta = review.metadata
    countries = ", ".join(map(str, meta.get("countries") or [])) or None
    budget = meta.get("budget_total")
    rows = [
        ("Organisation", meta.get("organisation")),
        ("Proposal id", meta.get("id")),
        ("Status", meta.get("status")),
        ("Countries", countries),
        ("Budget", None if budget is None else f"{budget} {meta.get('currency', '')}".strip()),
        ("File", review.file),
    ]
    return [f"- **{name}:** {md(value)}" for name, value in rows if value is not None]


def _refusals(report: ProposalReport) -> list[str]:
    lines = []
    for problem in report.refusals:
        where = f"line {problem.line}, column {problem.column}" if problem.line else "the file"
        path = f" ({md(problem.yaml_path)})" if problem.yaml_path else ""
        lines.append(f"- **{where}**{path}: {md(problem.message)}")
    return [*lines, "", md_block(INPUT_ERROR_HELP)]


def _verdict(report: ProposalReport) -> list[str]:
    assessment = report.assessment
    hidden = with_hidden("", report.review.hidden).strip()
    lines = [f"**Verdict: {assessment.level}.**" + (f" {hidden}" if hidden else ""), ""]
    for dimension in assessment.dimensions:
        meaning = _DIMENSION_MEANING[dimension.dimension]
        lines.append(
            f"- **{dimension.label}: {dimension.level}.** {_sentence(dimension.details)}. "
            f"*{_sentence(meaning)}.*"
        )
    places = sum(len(g.places) for g in report.gaps if g.gap.counted)
    counted = sum(1 for g in report.gaps if g.gap.counted)
    lines += ["", f"{_COUNTING_NOTE} Here: {_plural(counted, 'finding')} in "
              f"{_plural(places, 'place')}."]
    if not report.gaps:
        lines += ["", _positive(report)]
    elif report.sections:
        sections = [
            (f"{s} · {section_title(s)}" if s.isdigit() else section_title(s), str(n))
            for s, n in report.sections
        ]
        lines += ["", *_table(("ICAT section", "Findings"), sections)]
    return lines


def _positive(report: ProposalReport) -> str:
    aside = len(report.scoped_out) + len(report.waived_gaps)
    note = f" ({aside} set aside, below)" if aside else ""
    return (
        "No rule found a gap in this design: it states what ctreview checks against the ICAT "
        f"lessons{note}. Keep the questions of the ICAT toolkit at hand during delivery and "
        "evaluation."
    )


def _fix_first(report: ProposalReport) -> list[str]:
    lines = []
    for n, item in enumerate(report.fix_first, 1):
        gap = item.gap
        if item.closes:
            effect = f"fixing it closes {', '.join(md(ref) for ref in item.closes)}"
        elif item.raises:
            refs = ", ".join(md(ref) for ref in item.raises)
            effect = f"raises {refs}, which other findings raise too"
        else:
            effect = "checks no ICAT question directly"
        places = f" in {len(gap.places)} places" if len(gap.places) > 1 else ""
        lines.append(
            f"{n}. **{gap.severity.capitalize()}** [{md(gap.rule.id)} · {md(gap.rule.title)}]"
            f"(#{gap.anchor}), {md(gap.label)}{places}: {effect}."
        )
        if gap.rule.fix:
            lines.append(f"   {md(gap.rule.fix)}")
    return lines


def _grouped(groups: Sequence[ComponentGroup], marks: Marks) -> list[str]:
    """Findings by component (h4), then by the ICAT question their rule checks first (h5)."""
    lines: list[str] = []
    for group in groups:
        lines += ["", f"#### {marks.anchor(group.anchor)}{md(group.title)}"]
        for question in group.questions:
            lines += ["", f"##### {md(question.title)}"]
            for gap in question.gaps:
                lines += ["", *_gap(gap, marks, "######")]
    return lines[1:]


def _gap(gap: GapEntry, marks: Marks, level: str) -> list[str]:
    """One gap: its heading, every place it applies to, what it checks and a link to its rule."""
    rule = gap.rule
    heading = f"{marks.badge(gap.severity)} {md(rule.id)} · {md(rule.title)}"
    lines = [f"{level} {marks.anchor(gap.anchor)}{heading}", ""]
    if len(gap.places) > 1:
        lines += [f"Applies to {len(gap.places)} places:", ""]
    lines += [_place(entry, marks) for entry in gap.places]
    checks = " · ".join(md(c.ref) for c in gap.first.citations)
    lines += ["", f"**Checks:** {checks} — [why it matters and how to fix](#{gap.rule_anchor})"]
    return lines


def _place(entry: Entry, marks: Marks) -> str:
    finding = entry.finding
    where = f"{finding.file}:{finding.line}:{finding.column}"
    path = f", {md(finding.yaml_path)}" if finding.yaml_path else ""
    return f"- {marks.anchor(entry.anchor)}{md(finding.message)} ({md(where)}{path})"


def _set_aside(gap: GapEntry, marks: Marks) -> list[str]:
    """A scoped-out or waived gap, with the reason or the waiver."""
    lines = _gap(gap, marks, "####")
    waiver = gap.gap.first.waiver
    assert waiver is not None
    if waiver.kind == "not_relevant":
        reason = md(waiver.justification)
        return [*lines, "", f"**Not relevant, the proposal says, because:** {reason}"]
    lines += [
        "",
        f"- **Justification:** {md(waiver.justification)}",
        f"- **Accepted by:** {md(waiver.accepted_by or 'not stated')}",
        f"- **Expires:** {md(waiver.expires or 'no expiry')}",
    ]
    sources = dict.fromkeys(
        f.waiver.source for f in gap.gap.findings if f.waiver and f.waiver.source
    )
    if sources:
        lines.append(f"- **Waiver:** {', '.join(md(source) for source in sources)}")
    return lines


def _listed_questions(report: ProposalReport) -> set[str]:
    """The anchors of the questions the report lists (a rule's related question links there)."""
    return {r.anchor for g in (*report.questions, *report.related_questions) for r in g.questions}


def _rule(note: RuleNote, report: ProposalReport, marks: Marks, listed: set[str]) -> list[str]:
    rule = note.rule
    found = ", ".join(
        f"[{_status_word(g)} at {md(g.label)}](#{g.anchor})" for g in note.gaps
    )
    lines = [
        f"#### {marks.anchor(note.anchor)}{md(rule.id)} · {md(rule.title)}",
        "",
        f"**Findings:** {found}",
        "",
        f"**Why it matters.** {md(rule.rationale)}",
        "",
        "**Checks**",
        "",
        *[f"- {_citation(c)}" for c in note.citations],
    ]
    basis = " · ".join(md(b.label) for b in note.basis) or "not declared by its rule pack"
    lines += ["", f"**Basis:** {basis}"]
    if note.questions:
        lines += ["", "**Related questions**", ""]
        for q in note.questions:  # linked where the list has it (not for waived findings)
            anchor = question_anchor(report.anchor, q.ref)
            ref = f"[{md(q.ref)}](#{anchor})" if anchor in listed else md(q.ref)
            lines.append(f"- {ref} {md(q.text)}")
    if note.indicators:
        lines += ["", "**Indicators you could use**", ""]
        lines += [f"- {md(i.id)} ({md(i.label)}): {md(i.text)}" for i in note.indicators]
    if rule.fix:
        lines += ["", f"**How to fix.** {md(rule.fix)}"]
    return lines


def _status_word(gap: GapEntry) -> str:
    status = gap.gap.status
    if status == "scoped_out":
        return "scoped out"
    if status in ("waived", "to_be_established"):
        return status.replace("_", " ")
    return gap.severity


def _citation(citation: Citation) -> str:
    return f"{md(citation.ref)}: {md(citation.text)}" if citation.text else md(citation.ref)


def _questions(groups: Sequence[SectionQuestions], marks: Marks) -> list[str]:
    lines: list[str] = []
    for group in groups:
        heading = f"{group.section} · {group.title}" if group.section.isdigit() else group.title
        lines += ["", f"#### {md(heading)}", ""]
        for revisit in group.questions:
            found_by = [
                f"{label}: {_links(gaps)}"
                for label, gaps in (
                    ("Raised by", revisit.raised_by),
                    ("Related to", revisit.related_to),
                )
                if gaps
            ]
            lines.append(
                f"- {marks.anchor(revisit.anchor)}**{md(revisit.question.ref)}** "
                f"{md(revisit.question.text)}  \n  " + "  \n  ".join(found_by)
            )
            lines += [f"  - {md(i.ref)}: {md(i.text)}" for i in revisit.question.items]
    return lines


def _links(gaps: Sequence[GapEntry]) -> str:
    return ", ".join(f"[{md(g.rule.id)} {md(g.label)}](#{g.anchor})" for g in gaps)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _table(header: tuple[str, str], rows: Sequence[tuple[str, str]]) -> list[str]:
    return [
        f"| {header[0]} | {header[1]} |",
        "| --- | --- |",
        *[f"| {left} | {right} |" for left, right in rows],
    ]
