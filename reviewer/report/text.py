"""ESLint "stylish" style text output: findings grouped by file, one line each."""

from __future__ import annotations

import re
from collections.abc import Sequence

import click

from reviewer.review import Review

# C0, DEL and C1 controls (ANSI escapes among them), and the Unicode line separators and
# bidirectional controls, which make a terminal show text other than what it is.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def render_text(reviews: Sequence[Review], *, colour: bool = False) -> str:
    """One block per file with findings; waived findings stay listed, marked and not counted."""
    lines: list[str] = []
    counts = {"error": 0, "warning": 0, "info": 0}
    waived = 0
    for review in reviews:
        if not review.findings:
            continue
        lines.append(_style(inert(review.file), colour, underline=True))
        width = max(len(f"{f.line}:{f.column}") for f in review.findings)
        for finding in review.findings:
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
                f"{_style(finding.rule_id, colour, dim=True)}"
            )
        lines.append("")
    if not reviews:  # every file was refused: saying "no findings" would read as a pass
        lines.append("No proposal was reviewed.")
    else:
        lines.append(_summary(counts, waived, colour))
    return "\n".join(lines) + "\n"


def inert(text: str) -> str:
    """Proposal text with control characters (ANSI escapes among them) made visible and harmless."""
    return _CONTROL.sub(_visible, text)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _summary(counts: dict[str, int], waived: int, colour: bool) -> str:
    total = sum(counts.values())
    extra = f"; {waived} waived" if waived else ""
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
