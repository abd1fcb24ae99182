"""ESLint "stylish" style text output: findings grouped by file, one line each."""

from __future__ import annotations

import re
from collections.abc import Sequence

import click

from reviewer.doc_links import doc_url, rule_page, rule_url
from reviewer.report.content import hidden_counts, verdict
from reviewer.review import Finding, Review

# C0, DEL and C1 controls (ANSI escapes among them), and the Unicode line separators and
# bidirectional controls, which make a terminal show text other than what it is.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def render_text(reviews: Sequence[Review], *, colour: bool = False) -> str:
    """One block per file with findings, in line order; waived findings stay listed, marked and
    not counted. The summary names findings hidden by --min-severity/--quiet, and a last line
    says where each rule is explained. On a colour terminal the rule ids link to their pages."""
    lines: list[str] = []
    counts = {"error": 0, "warning": 0, "info": 0}
    waived = 0
    for review in reviews:
        if not review.findings:
            continue
        lines.append(_style(inert(review.file), colour, underline=True))
        width = max(len(f"{f.line}:{f.column}") for f in review.findings)
        for finding in sorted(review.findings, key=Finding.position_key):
            where = f"{finding.line}:{finding.column}".ljust(width)
            if finding.waiver:
                waived += 1
                label = _style("waived ", colour, fg="green")
                note = f" (waived: {inert(finding.waiver.justification)})"
            else:
                counts[finding.severity] += 1
                label = _style(finding.severity.ljust(7), colour, fg=_COLOURS[finding.severity])
                note = ""
            lines.append(
                f"  {where}  {label}  {inert(finding.message)}{note}  "
                f"{_rule_id(finding, colour)}"
            )
        lines.append("")
    if not reviews:  # every file was refused: saying "no findings" would read as a pass
        lines.append("No proposal was reviewed.")
        return "\n".join(lines) + "\n"
    lines.append(_summary(counts, waived, hidden_counts(reviews), colour))
    if any(review.findings for review in reviews):
        lines.append(
            f"Why and how to fix: ctreview explain RULE, or {doc_url(rule_page('RULE'))}"
        )
    return "\n".join(lines) + "\n"


def _rule_id(finding: Finding, colour: bool) -> str:
    """The rule id, dimmed; on a colour terminal also a link to its page (OSC 8, as ruff and
    ls do; terminals without link support show the id alone)."""
    styled = _style(finding.rule_id, colour, dim=True)
    url = rule_url(finding.rule) if colour else None
    return f"\x1b]8;;{url}\x1b\\{styled}\x1b]8;;\x1b\\" if url else styled


def inert(text: str) -> str:
    """Proposal text with control characters (ANSI escapes among them) made visible and harmless."""
    return _CONTROL.sub(_visible, text)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _summary(
    counts: dict[str, int], waived: int, hidden: dict[str, int], colour: bool
) -> str:
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
