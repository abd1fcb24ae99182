"""ESLint "stylish" style text output: findings grouped by file, one line each."""

from __future__ import annotations

from collections.abc import Sequence

import click

from reviewer.doc_links import doc_url, rule_page, rule_url
from reviewer.findings import Finding
from reviewer.inert import inert
from reviewer.report.content import INPUT_ERROR, hidden_counts, verdict
from reviewer.review import Review
from reviewer.schema import Problem

_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def render_text(reviews: Sequence[Review], *, colour: bool = False) -> str:
    """One block per file with findings or problems, in line order; waived findings stay
    listed, marked and not counted; a file that could not be reviewed shows why, as errors.
    The summary names findings hidden by --min-severity/--quiet and files not reviewed, and a
    last line says where each rule is explained. On a colour terminal the rule ids link to
    their pages."""
    lines: list[str] = []
    counts = {"error": 0, "warning": 0, "info": 0}
    waived = refused = 0
    for review in reviews:
        rows = [_refusal_row(problem, colour) for problem in review.refusals]
        refused += bool(rows)
        for finding in sorted(review.findings, key=Finding.position_key):
            if finding.waiver:
                waived += 1
            else:
                counts[finding.severity] += 1
            rows.append(_finding_row(finding, colour))
        if rows:
            width = max(len(where) for where, _ in rows)
            lines.append(_style(inert(review.file), colour, underline=True))
            lines += [f"  {where.ljust(width)}  {rest}" for where, rest in rows]
            lines.append("")
    if not reviews:
        lines.append("No proposal was reviewed.")
        return "\n".join(lines) + "\n"
    lines.append(_summary(counts, waived, hidden_counts(reviews), refused, colour))
    if any(review.findings for review in reviews):
        lines.append(
            f"Why and how to fix: ctreview explain RULE, or {doc_url(rule_page('RULE'))}"
        )
    return "\n".join(lines) + "\n"


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


def _summary(
    counts: dict[str, int], waived: int, hidden: dict[str, int], refused: int, colour: bool
) -> str:
    if refused:  # "no findings" would read as a pass
        files = "file" if refused == 1 else "files"
        text = f"{refused} {files} could not be reviewed"
        if any(counts.values()) or waived or any(hidden.values()):
            text += "; " + click.unstyle(_summary(counts, waived, hidden, 0, False))
        return _style(text, colour, fg="red", bold=True)
    total = sum(counts.values())
    extra = f"; {waived} waived" if waived else ""
    if any(hidden.values()):  # a filtered view must never read as "no findings"
        text = verdict(counts, hidden)
        return _style(
            f"{text[0].upper()}{text[1:]} (hidden by --quiet or --min-severity){extra}.",
            colour,
            fg="red" if counts["error"] else "yellow",
            bold=True,
        )
    if not total:
        return _style(
            f"No findings: the design covers every check ctreview makes{extra}.",
            colour,
            fg="green",
        )
    parts = ", ".join(
        f"{n} {kind}{'s' if n != 1 and kind != 'info' else ''}" for kind, n in counts.items()
    )
    word = "finding" if total == 1 else "findings"
    return _style(
        f"{total} {word} ({parts}{extra})",
        colour,
        fg="red" if counts["error"] else "yellow",
        bold=True,
    )


def _style(text: str, colour: bool, **styles: object) -> str:
    return click.style(text, **styles) if colour else text
