"""ESLint "stylish" style text output: findings grouped by file, one line each."""

from __future__ import annotations

from collections.abc import Sequence

import click

from reviewer.doc_links import doc_url, rule_page, rule_url
from reviewer.findings import Finding
from reviewer.inert import inert
from reviewer.report.content import (
    INPUT_ERROR,
    ProposalReport,
    build_reports,
    hidden_counts,
    overall_verdict,
)
from reviewer.review import Review
from reviewer.schema import Problem

_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}
_LEVEL_COLOURS = {"ready": "green", "revise": "yellow", "not ready": "red"}


def render_text(reviews: Sequence[Review], *, colour: bool = False) -> str:
    """One block per file with findings or problems: its verdict and what to fix first, then
    one line per place in line order (as editors and terminals navigate); waived findings stay
    listed, marked and not counted; a file that could not be reviewed shows why, as errors.
    The summary counts findings one per gap (see reviewer/gaps.py), names those hidden by
    --min-severity/--quiet and files not reviewed, and a last line says where each rule is
    explained. On a colour terminal the rule ids link to their pages."""
    lines: list[str] = []
    reports = build_reports(reviews, None)
    for review, report in zip(reviews, reports, strict=True):
        rows = [_refusal_row(problem, colour) for problem in review.refusals]
        rows += [
            _finding_row(finding, colour)
            for finding in sorted(review.findings, key=Finding.position_key)
        ]
        if rows or review.hidden:
            lines.append(_style(inert(review.file), colour, underline=True))
            if not review.refusals:
                lines += ["  " + line for line in _decision(report, colour)]
            width = max((len(where) for where, _ in rows), default=0)
            lines += [f"  {where.ljust(width)}  {rest}" for where, rest in rows]
            lines.append("")
    if not reviews:
        lines.append("No proposal was reviewed.")
        return "\n".join(lines) + "\n"
    reviewed = [report for report in reports if not report.refusals]
    if len(reviewed) > 1 and any(r.gaps or r.review.hidden for r in reviewed):
        lines.append(_style(f"Overall: {overall_verdict(reports)}", colour, bold=True))
    lines.append(_summary(reports, hidden_counts(reviews), colour))
    if any(review.findings for review in reviews):
        lines.append(
            f"Why and how to fix: ctreview explain RULE, or {doc_url(rule_page('RULE'))}"
        )
    return "\n".join(lines) + "\n"


def _decision(report: ProposalReport, colour: bool) -> list[str]:
    """The file's verdict and the findings to fix first (rule and first place)."""
    level = report.assessment.level
    lines = [_style(report.verdict, colour, fg=_LEVEL_COLOURS[level], bold=True)]
    if report.fix_first:
        first = ", ".join(
            f"{item.gap.rule.id} {item.gap.first.finding.line}:{item.gap.first.finding.column}"
            for item in report.fix_first
        )
        lines.append(f"Fix first: {inert(first)}")
    return lines


def _finding_row(finding: Finding, colour: bool) -> tuple[str, str]:
    if finding.waiver:
        label = _style(finding.waiver.label.ljust(7), colour, fg="green")
        note = f" ({finding.waiver.label}: {inert(finding.waiver.justification)})"
    else:
        label = _style(finding.severity.ljust(7), colour, fg=_COLOURS[finding.severity])
        note = ""
    rule = _rule_id(finding, colour)
    return f"{finding.line}:{finding.column}", f"{label}  {inert(finding.message)}{note}  {rule}"


def _refusal_row(problem: Problem, colour: bool) -> tuple[str, str]:
    where = f"{problem.line}:{problem.column}" if problem.line else "-"
    path = f"{problem.yaml_path}: " if problem.yaml_path else ""
    label = _style("error  ", colour, fg="red")
    rule = _style(INPUT_ERROR, colour, dim=True)
    return where, f"{label}  {inert(path + problem.message)}  {rule}"


def _rule_id(finding: Finding, colour: bool) -> str:
    """The rule id, dimmed; on a colour terminal also a link to its page (OSC 8, as ruff and
    ls do; terminals without link support show the id alone)."""
    styled = _style(finding.rule_id, colour, dim=True)
    url = rule_url(finding.rule) if colour else None
    return f"\x1b]8;;{url}\x1b\\{styled}\x1b]8;;\x1b\\" if url else styled


def _summary(reports: Sequence[ProposalReport], hidden: dict[str, int], colour: bool) -> str:
    """Findings counted one per gap, with their places; never "no findings" while some are
    hidden from the output or a file could not be reviewed."""
    refused = sum(1 for report in reports if report.refusals)
    counts = dict.fromkeys(("error", "warning", "info"), 0)
    for report in reports:
        for severity, n in report.counts.items():
            counts[severity] += n - report.review.hidden.get(severity, 0)
    aside = {
        "waived": sum(len(r.waived_gaps) for r in reports),
        "scoped out": sum(len(r.scoped_out) for r in reports),
    }
    places = sum(len(g.places) for r in reports for g in r.gaps if g.gap.counted)
    shown = sum(counts.values())
    extra = "".join(f"; {n} {word}" for word, n in aside.items() if n)
    if shown:
        parts = ", ".join(
            f"{n} {kind}{'s' if n != 1 and kind != 'info' else ''}" for kind, n in counts.items()
        )
        text = f"{_plural(shown, 'finding')} in {_plural(places, 'place')} ({parts}{extra})"
    elif any(hidden.values()):
        text = ("No errors" if "warning" in hidden else "No errors or warnings") + extra
    else:
        text = f"No findings: the design covers every check ctreview makes{extra}"
    if any(hidden.values()):  # a filtered view must never read as "no findings"
        words = " and ".join(
            _plural(hidden[s], "note" if s == "info" else s)
            for s in ("error", "warning", "info")
            if hidden.get(s)
        )
        text += f"; {words} not shown (hidden by --quiet or --min-severity)"
    if refused:
        files = "file" if refused == 1 else "files"
        head = f"{refused} {files} could not be reviewed"
        text = head if not shown and not any(hidden.values()) and not extra else f"{head}; {text}"
        return _style(text, colour, fg="red", bold=True)
    fg = "red" if counts["error"] or hidden.get("error") else "yellow"
    if not shown and not any(hidden.values()):
        return _style(text + ".", colour, fg="green")
    return _style(text + ("." if any(hidden.values()) else ""), colour, fg=fg, bold=True)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _style(text: str, colour: bool, **styles: object) -> str:
    return click.style(text, **styles) if colour else text
