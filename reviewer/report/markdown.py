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
    Entry,
    ProposalReport,
    SectionQuestions,
    build_reports,
    overall_verdict,
    question_anchor,
    section_title,
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
# What makes a block when it starts a line: list items, ordered lists, setext underlines, and
# a CI workflow command (`::`) when the Markdown is printed in a CI log.
_LINE_START = re.compile(r"^([-+=]|\d+[.)]|:(?=:))")


def md(text: object) -> str:
    """Proposal text as inert Markdown inline content: one line, no markup, no links."""
    return _md_text(text) if isinstance(text, str) and len(text) <= 1000 else _md(text)


@functools.lru_cache(maxsize=2048)  # at most ~4 MB
def _md_text(text: str) -> str:
    """`md` of a short text, remembered: a report escapes the same rule titles, messages and
    questions hundreds of times, and a screening run thousands."""
    return _md(text)


def _md(text: object) -> str:
    escaped = _INLINE_SPECIAL.sub(r"\\\1", one_line(text))
    unlinked = _AUTOLINK.sub(lambda m: m.group().replace(":", "\\:").replace(".", "\\."), escaped)
    return unlinked.replace("@", _MENTION_BREAK)


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
        lines += ["", f"**Overall: {overall_verdict(reports)}.**"]
        lines += [""] + [f"- [{md(r.title)}](#{r.anchor}): {r.verdict}" for r in reports]
    if not reports:
        lines += ["", "No proposal was reviewed."]
    for report in reports:
        lines += ["", *_proposal(report, marks)]
    lines += ["", "## What this review cannot judge", "", md_block(NOT_JUDGED)]
    return "\n".join(lines) + "\n"


def _reviewed(reports: Sequence[ProposalReport]) -> str:
    reviewed = sum(1 for report in reports if not report.refusals)
    if reviewed == len(reports):
        return f"{reviewed} proposal{'' if reviewed == 1 else 's'} reviewed"
    return f"{len(reports)} file{'' if len(reports) == 1 else 's'}, {reviewed} reviewed"


def _proposal(report: ProposalReport, marks: Marks) -> list[str]:
    review = report.review
    lines = [f"## {marks.anchor(report.anchor)}{md(report.title)}", ""]
    lines += _facts(review)
    lines += ["", f"**Verdict: {report.verdict}.**"]
    if report.refusals:
        lines += ["", "### Why it could not be reviewed", "", *_refusals(report)]
    elif not report.entries:
        lines += ["", _positive(report)]
    else:
        lines += ["", "### Summary", "", *_summary(report), "", "### Findings"]
        for group in report.groups:
            lines += ["", f"#### {md(group.title)}"]
            for entry in group.entries:
                lines += ["", *_finding(entry, report.anchor, marks)]
        lines += ["", "### Questions to revisit", "", _REVISIT_INTRO]
        lines += _questions(report.questions, marks)
        if report.related_questions:
            lines += ["", "### Related questions", "", _RELATED_INTRO]
            lines += _questions(report.related_questions, marks)
    if report.waived:
        lines += ["", "### Waived findings", "", *_waived(report, marks)]
    if review.notices:
        lines += ["", "### Notices", ""] + [f"- {md_block(notice)}" for notice in review.notices]
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


def _positive(report: ProposalReport) -> str:
    waived = len(report.waived)
    note = f" ({waived} waived finding{'s' if waived != 1 else ''} below)" if waived else ""
    return (
        "No rule found a gap in this design: it states what ctreview checks against the ICAT "
        f"lessons{note}. Keep the questions of the ICAT toolkit at hand during delivery and "
        "evaluation."
    )


def _summary(report: ProposalReport) -> list[str]:
    rows = [(severity, str(n)) for severity, n in report.counts.items()]
    rows.append(("waived", str(len(report.waived))))
    lines = _table(("Severity", "Findings"), rows)
    sections = [
        (f"{s} · {section_title(s)}" if s.isdigit() else section_title(s), str(n))
        for s, n in report.sections
    ]
    return [*lines, "", *_table(("ICAT section", "Findings"), sections)]


def _finding(entry: Entry, report_anchor: str, marks: Marks) -> list[str]:
    finding, rule = entry.finding, entry.finding.rule
    where = f"{finding.file}:{finding.line}:{finding.column}"
    item = f"{finding.entity} {finding.item}".strip() if finding.item else finding.entity
    heading = f"{marks.badge(finding.severity)} {md(rule.id)} · {md(rule.title)}"
    lines = [
        f"##### {marks.anchor(entry.anchor)}{heading}",
        "",
        md_block(finding.message),
        "",
        f"- **Where:** {md(where)}"
        + (f", YAML path {md(finding.yaml_path)}" if finding.yaml_path else ""),
        f"- **Item:** {md(item)} ({md(finding.item_label)})",
        "",
        f"**Why it matters.** {md(rule.rationale)}",
        "",
        "**Checks**",
        "",
        *[f"- {_citation(c)}" for c in entry.citations],
    ]
    basis = " · ".join(md(b.label) for b in entry.basis) or "not declared by its rule pack"
    lines += ["", f"**Basis:** {basis}"]
    if entry.questions:
        lines += ["", "**Related questions**", ""]
        lines += [
            f"- [{md(q.ref)}](#{question_anchor(report_anchor, q.ref)}) {md(q.text)}"
            for q in entry.questions
        ]
    if entry.indicators:
        lines += ["", "**Indicators you could use**", ""]
        lines += [
            f"- {md(i.id)} ({md(i.label)}): {md(i.text)}"
            for i in entry.indicators
        ]
    if rule.fix:
        lines += ["", f"**How to fix.** {md(rule.fix)}"]
    return lines


def _citation(citation: Citation) -> str:
    return f"{md(citation.ref)}: {md(citation.text)}" if citation.text else md(citation.ref)


def _questions(groups: Sequence[SectionQuestions], marks: Marks) -> list[str]:
    lines: list[str] = []
    for group in groups:
        heading = f"{group.section} · {group.title}" if group.section.isdigit() else group.title
        lines += ["", f"#### {md(heading)}", ""]
        for revisit in group.questions:
            found_by = [
                f"{label}: {_links(entries)}"
                for label, entries in (
                    ("Raised by", revisit.raised_by),
                    ("Related to", revisit.related_to),
                )
                if entries
            ]
            lines.append(
                f"- {marks.anchor(revisit.anchor)}**{md(revisit.question.ref)}** "
                f"{md(revisit.question.text)}  \n  " + "  \n  ".join(found_by)
            )
            lines += [f"  - {md(i.ref)}: {md(i.text)}" for i in revisit.question.items]
    return lines


def _links(entries: Sequence[Entry]) -> str:
    return ", ".join(
        f"[{md(e.finding.rule.id)} {md(e.finding.item or 'programme')}](#{e.anchor})"
        for e in entries
    )


def _waived(report: ProposalReport, marks: Marks) -> list[str]:
    lines = [
        "Accepted by the reviewers, or scoped out by the proposal with a reason (a question "
        "answered `not_relevant`); they do not count towards the verdict.",
    ]
    for entry in report.waived:
        finding, waiver = entry.finding, entry.finding.waiver
        assert waiver is not None
        where = f"{finding.file}:{finding.line}:{finding.column}"
        lines += [
            "",
            f"- {marks.anchor(entry.anchor)}{marks.badge(finding.severity)} "
            f"{md(finding.rule.id)} · {md(finding.rule.title)} at {md(where)}: "
            f"{md(finding.message)}",
        ]
        if waiver.kind == "not_relevant":
            lines.append(f"  - **Scoped out by the proposal, not relevant because:** "
                         f"{md(waiver.justification)}")
        else:
            lines += [
                f"  - **Justification:** {md(waiver.justification)}",
                f"  - **Accepted by:** {md(waiver.accepted_by or 'not stated')}",
                f"  - **Expires:** {md(waiver.expires or 'no expiry')}",
            ]
        if waiver.source and waiver.kind != "not_relevant":
            lines.append(f"  - **Waiver:** {md(waiver.source)}")
    return lines


def _table(header: tuple[str, str], rows: Sequence[tuple[str, str]]) -> list[str]:
    return [
        f"| {header[0]} | {header[1]} |",
        "| --- | --- |",
        *[f"| {left} | {right} |" for left, right in rows],
    ]
