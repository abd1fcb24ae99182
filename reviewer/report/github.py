"""GitHub Actions workflow commands: each finding becomes an annotation on its line.

GitHub reads ``::error file=F,line=L,col=C,title=T::MESSAGE`` from a step's output. Property
values escape ``%``, CR, LF, ``:`` and ``,``; the message escapes ``%``, CR and LF, so a
proposal's text can neither end the command early nor start a new one. Waived findings are
not annotated; the closing summary line counts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote

from reviewer.report import ReportContext
from reviewer.report.content import build_reports, hidden_counts, severity_counts, verdict
from reviewer.report.sarif import artifact_uri
from reviewer.report.text import inert
from reviewer.review import Finding, Review

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render_github(reviews: Sequence[Review], ctx: ReportContext) -> str:
    reports = build_reports(reviews, ctx.knowledge)
    findings = [entry.finding for report in reports for entry in report.entries]
    lines = [annotation(finding) for finding in sorted(findings, key=Finding.position_key)]
    waived = sum(len(r.waived) for r in reports)
    lines.append(
        f"ctreview: {verdict(severity_counts(findings), hidden_counts(reviews))}"
        + (f" ({waived} waived)" if waived else "")
    )
    return "\n".join(lines) + "\n"


def annotation(finding: Finding) -> str:
    rule = finding.rule
    properties = {
        "file": repository_path(finding.file),
        "line": str(max(finding.line, 1)),
        "col": str(max(finding.column, 1)),
        "title": f"{rule.id} {rule.title}",
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    where = f"at {finding.yaml_path}; " if finding.yaml_path else ""
    message = f"{finding.message} ({where}see {', '.join(rule.icat)})"
    return f"::{COMMANDS[finding.severity]} {joined}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """GitHub's escaping of a command's message; other control characters made visible."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return inert(escaped)


def escape_property(text: str) -> str:
    """GitHub's escaping of a command property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def repository_path(file: str) -> str:
    """The path CI services (GitHub, GitLab) match against the repository: relative to the
    working directory, forward slashes."""
    return unquote(artifact_uri(file).removeprefix("file://"))
