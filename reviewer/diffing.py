"""Compare the findings of two versions of a proposal: resolved, introduced, unchanged.

Findings are matched by what they are (rule and item, see baseline.pair_up), never by line, so
moving text around changes nothing. Designers see their progress; funders see whether their
feedback was acted on. The Markdown form is meant for a pull-request comment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reviewer.baseline import finding_keys, pair_up
from reviewer.inert import one_line
from reviewer.policy import counted, reaches
from reviewer.report.markdown import md
from reviewer.review import Finding, Review

MARKDOWN_MARKER = "<!-- ctreview-diff -->"  # lets a bot find and update its earlier comment


@dataclass(frozen=True)
class FindingDiff:
    old_file: str
    new_file: str
    resolved: tuple[Finding, ...]  # in the old version only
    introduced: tuple[Finding, ...]  # in the new version only
    unchanged: tuple[tuple[Finding, Finding], ...]  # (old, new)

    def fails(self, fail_on: str) -> bool:
        """Whether an introduced, unwaived finding reaches the threshold (exit code 1)."""
        return any(reaches(f.severity, fail_on) for f in counted(self.introduced))


def diff_reviews(old: Review, new: Review) -> FindingDiff:
    pairs = pair_up(old.findings, new.findings, finding_keys, finding_keys)
    old_matched = {i for i, _ in pairs}
    new_matched = {j for _, j in pairs}
    return FindingDiff(
        old.file,
        new.file,
        tuple(f for i, f in enumerate(old.findings) if i not in old_matched),
        tuple(f for j, f in enumerate(new.findings) if j not in new_matched),
        tuple((old.findings[i], new.findings[j]) for i, j in pairs),
    )


def summary(diff: FindingDiff) -> str:
    return (
        f"{len(diff.resolved)} resolved, {len(diff.introduced)} introduced, "
        f"{len(diff.unchanged)} unchanged"
    )


# --- text -----------------------------------------------------------------------------------------


def render_text(diff: FindingDiff) -> str:
    lines = [f"{one_line(diff.old_file)} -> {one_line(diff.new_file)}: {summary(diff)}"]
    sections = (
        ("Introduced", "+", diff.introduced),
        ("Resolved", "-", diff.resolved),
        ("Unchanged", "=", tuple(new for _, new in diff.unchanged)),
    )
    for title, mark, findings in sections:
        if findings:
            lines += ["", f"{title} ({len(findings)}):"]
            lines += [_text_line(mark, f) for f in findings]
    return "\n".join(lines) + "\n"


def _text_line(mark: str, finding: Finding) -> str:
    line = (
        f"  {mark} {finding.severity:<7}  {finding.rule_id}  {_item(finding)}: "
        f"{one_line(finding.message)}  (line {finding.line})"
    )
    if finding.waiver:
        line += f"\n      waived: {one_line(finding.waiver.justification)}"
    return line


def _item(finding: Finding) -> str:
    return one_line(finding.item) if finding.item else "programme"


# --- Markdown -------------------------------------------------------------------------------------


def render_markdown(diff: FindingDiff) -> str:
    lines = [
        MARKDOWN_MARKER,
        "## ctreview: findings compared with the previous version",
        "",
        f"`{_code(diff.old_file)}` → `{_code(diff.new_file)}`: **{summary(diff)}**",
    ]
    if diff.introduced:
        lines += ["", f"### Introduced ({len(diff.introduced)})", "", *_table(diff.introduced)]
    if diff.resolved:
        lines += ["", f"### Resolved ({len(diff.resolved)})", "", *_table(diff.resolved)]
    if diff.unchanged:
        unchanged = tuple(new for _, new in diff.unchanged)
        lines += [
            "",
            f"<details><summary>Unchanged ({len(unchanged)})</summary>",
            "",
            *_table(unchanged),
            "",
            "</details>",
        ]
    return "\n".join(lines) + "\n"


def _table(findings: Sequence[Finding]) -> list[str]:
    rows = ["| Severity | Rule | Item | Finding | Line |", "| --- | --- | --- | --- | --- |"]
    for f in findings:
        message = md(f.message)
        if f.waiver:
            message += f" *(waived: {md(f.waiver.justification)})*"
        item = f"`{_code(f.item)}`" if f.item else "programme"
        rows.append(f"| {f.severity} | {f.rule_id} | {item} | {message} | {f.line} |")
    return rows


def _code(text: str) -> str:
    return one_line(text).replace("`", "'")
