"""GitHub Actions workflow commands: each finding becomes an annotation on its line.

GitHub reads ``::error file=F,line=L,col=C,title=T::MESSAGE`` from a step's output. Property
values escape ``%``, CR, LF, ``:`` and ``,``; the message escapes ``%``, CR and LF, so a
proposal's text can neither end the command early nor start a new one. A file that could not
be reviewed gets an ``::error`` per problem (title ``input-error``). Waived findings are not
annotated; the closing summary line counts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote

from reviewer.findings import Finding
from reviewer.inert import inert
from reviewer.report import ReportContext
from reviewer.report.content import INPUT_ERROR, INPUT_ERROR_TITLE, build_reports, overall_verdict
from reviewer.report.sarif import artifact_uri
from reviewer.review import Review
from reviewer.schema import Problem

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render_github(reviews: Sequence[Review], ctx: ReportContext) -> str:
    reports = build_reports(reviews, ctx.knowledge)
    findings = [entry.finding for report in reports for entry in report.entries]
    lines = [refusal_annotation(problem) for report in reports for problem in report.refusals]
    lines += [annotation(finding) for finding in sorted(findings, key=Finding.position_key)]
    aside = {
        "waived": sum(len(r.waived_gaps) for r in reports),
        "scoped out": sum(len(r.scoped_out) for r in reports),
    }
    note = ", ".join(f"{n} {word}" for word, n in aside.items() if n)
    lines.append(f"ctreview: {overall_verdict(reports)}" + (f" ({note})" if note else ""))
    return "\n".join(lines) + "\n"


def refusal_annotation(problem: Problem) -> str:
    """An ``::error`` for a problem that kept a file from being reviewed (on its line when
    known, else on the file)."""
    properties = {"file": repository_path(problem.file)}
    if problem.line:
        properties |= {"line": str(problem.line), "col": str(max(problem.column, 1))}
    properties["title"] = f"{INPUT_ERROR} {INPUT_ERROR_TITLE}"
    where = f"{problem.yaml_path}: " if problem.yaml_path else ""
    return _command("error", properties, f"{where}{problem.message}")


def annotation(finding: Finding) -> str:
    rule = finding.rule
    properties = {
        "file": repository_path(finding.file),
        "line": str(max(finding.line, 1)),
        "col": str(max(finding.column, 1)),
        "title": f"{rule.id} {rule.title}",
    }
    where = f"at {finding.yaml_path}; " if finding.yaml_path else ""
    message = f"{finding.message} ({where}see {', '.join(rule.icat)})"
    return _command(COMMANDS[finding.severity], properties, message)


def _command(command: str, properties: dict[str, str], message: str) -> str:
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{command} {joined}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """GitHub's escaping of a command's message; other control characters made visible."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return inert(escaped)


def escape_property(text: str) -> str:
    """GitHub's escaping of a command property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def repository_path(file: str) -> str:
    """The path CI services (GitHub, GitLab) match against the repository: relative to the
    working directory, forward slashes (a name that is not UTF-8 keeps its bytes as
    surrogates, which the annotation shows as escapes)."""
    return unquote(artifact_uri(file).removeprefix("file://"), errors="surrogateescape")
