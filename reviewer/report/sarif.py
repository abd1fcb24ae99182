"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Follows what GitHub reads: rule metadata with help text, results located by a relative URI
and 1-based line/column, ``partialFingerprints`` so an alert follows its finding when lines
move, and waived findings as external suppressions (shown as dismissed, not lost).

A file that could not be reviewed must not look clean (code scanning would close its open
alerts): each of its problems is a result of the ``input-error`` rule at level ``error``, and
a tool execution notification of the invocation, whose ``executionSuccessful`` is then false.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from operator import attrgetter
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from reviewer.doc_links import rule_url
from reviewer.inert import inert_json, one_line
from reviewer.report import ReportContext
from reviewer.report.content import (
    INPUT_ERROR,
    INPUT_ERROR_HELP,
    INPUT_ERROR_TITLE,
    Entry,
    basis_note,
    build_reports,
    cite,
)
from reviewer.report.markdown import md
from reviewer.review import Finding, Review
from reviewer.rules import Rule
from reviewer.schema import Problem

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "ctreviewFinding/v1"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}


def render_sarif(reviews: Sequence[Review], ctx: ReportContext) -> str:
    log = sarif_log(reviews, ctx)
    return inert_json(json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"


def sarif_log(reviews: Sequence[Review], ctx: ReportContext) -> dict[str, Any]:
    reports = build_reports(reviews, ctx.knowledge)
    entries = [entry for report in reports for entry in (*report.entries, *report.waived)]
    refusals = [problem for report in reports for problem in report.refusals]
    rules = sorted(
        {e.finding.rule.id: e.finding.rule for e in entries}.values(), key=attrgetter("id")
    )
    index = {rule.id: n for n, rule in enumerate(rules)}
    descriptors = [_rule(rule, ctx) for rule in rules]
    if refusals:
        index[INPUT_ERROR] = len(descriptors)
        descriptors.append(_input_error_rule())
    driver = {
        "name": "ctreview",
        "version": ctx.tool_version,
        "semanticVersion": ctx.tool_version,
        "properties": {"catalogueVersion": ctx.catalogue_version},
        "rules": descriptors,
    }
    results = [_refusal_result(problem, index[INPUT_ERROR]) for problem in refusals]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [_invocation(refusals, index.get(INPUT_ERROR, 0))],
                "columnKind": "unicodeCodePoints",
                "results": results + [_result(entry, index) for entry in entries],
            }
        ],
    }


def _input_error_rule() -> dict[str, Any]:
    return {
        "id": INPUT_ERROR,
        "name": _pascal(INPUT_ERROR_TITLE),
        "shortDescription": {"text": INPUT_ERROR_TITLE},
        "fullDescription": {"text": INPUT_ERROR_HELP},
        "help": {"text": INPUT_ERROR_HELP, "markdown": md(INPUT_ERROR_HELP)},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["input-error"], "problem.severity": "error"},
    }


def _refusal_result(problem: Problem, rule_index: int) -> dict[str, Any]:
    """A problem that kept a file from being reviewed, as an error result on the file."""
    return {
        "ruleId": INPUT_ERROR,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": plain_message(_problem_text(problem))},
        "locations": [_problem_location(problem)],
        "partialFingerprints": {FINGERPRINT_KEY: _problem_fingerprint(problem)},
    }


def _invocation(refusals: list[Problem], rule_index: int) -> dict[str, Any]:
    """The run: successful only when every file could be reviewed; each problem that kept a
    file from being reviewed is also a tool execution notification."""
    notifications = [
        {
            "level": "error",
            "message": {"text": plain_message(_problem_text(problem))},
            "locations": [_problem_location(problem)],
            "associatedRule": {"id": INPUT_ERROR, "index": rule_index},
        }
        for problem in refusals
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not refusals}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _problem_text(problem: Problem) -> str:
    where = f"{problem.yaml_path}: " if problem.yaml_path else ""
    return f"{INPUT_ERROR_TITLE}: {where}{problem.message}"


def _problem_location(problem: Problem) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": _artifact(problem.file)}
    if problem.line:
        location["region"] = {"startLine": problem.line, "startColumn": max(problem.column, 1)}
    return {"physicalLocation": location}


def _problem_fingerprint(problem: Problem) -> str:
    identity = "\x1f".join((problem.file, INPUT_ERROR, problem.yaml_path, problem.message))
    return hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def artifact_uri(file: str) -> str:
    """A relative URI with forward slashes (relative to the working directory when the path
    is absolute inside it), percent-encoded; an absolute path elsewhere becomes a file: URI."""
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_uri()
    # surrogateescape: a file name that is not UTF-8 is percent-encoded as its bytes
    return quote(PurePosixPath(*path.parts).as_posix(), safe="/", errors="surrogateescape")


def _rule(rule: Rule, ctx: ReportContext) -> dict[str, Any]:
    url = rule_url(rule)
    return {
        **({"helpUri": url} if url else {}),
        "id": rule.id,
        "name": _pascal(rule.title),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": _help(rule, ctx),
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {
            "icat": list(rule.icat),  # what the rule checks
            "questions": list(rule.questions),  # related questions, not checked
            "basis": list(rule.basis),
            "kind": rule.kind,
            "indicators": list(rule.indicators),
            "tags": sorted({*rule.tags, "design-review", *(f"icat-{s}" for s in rule.sections)}),
            "problem.severity": _PROBLEM_SEVERITY[rule.severity],
        },
    }


def _help(rule: Rule, ctx: ReportContext) -> dict[str, str]:
    """Why the rule matters, what it checks, its basis and related questions, and how to
    fix, as plain text and as (escaped) Markdown; GitHub shows the Markdown on the alert page."""
    lists = [
        ("Checks", [cite(ref, ctx.knowledge) for ref in rule.icat]),
        ("Related questions", [cite(ref, ctx.knowledge) for ref in rule.questions]),
    ]
    text, markdown = [rule.rationale], [md(rule.rationale)]
    for title, citations in lists:
        if citations:
            text.append(f"{title}:\n" + "\n".join(f"- {_cited(c.ref, c.text)}" for c in citations))
            markdown.append(
                f"**{title}**\n\n"
                + "\n".join(f"- {_cited(md(c.ref), md(c.text))}" for c in citations)
            )
    if rule.basis:
        labels = [basis_note(term, ctx.knowledge).label for term in rule.basis]
        text.append("Basis: " + " · ".join(labels))
        markdown.append("**Basis:** " + " · ".join(md(label) for label in labels))
    if rule.fix:
        text.append(f"How to fix: {rule.fix}")
        markdown.append(f"**How to fix.** {md(rule.fix)}")
    return {"text": "\n\n".join(text), "markdown": "\n\n".join(markdown)}


def _cited(ref: str, text: str) -> str:
    return f"{ref}: {text}" if text else ref


def _result(entry: Entry, rule_index: dict[str, int]) -> dict[str, Any]:
    finding = entry.finding
    result: dict[str, Any] = {
        "ruleId": finding.rule.id,
        "ruleIndex": rule_index[finding.rule.id],
        "level": _LEVELS[finding.severity],
        "message": {"text": plain_message(finding.message)},
        "locations": [_location(finding)],
        "partialFingerprints": {FINGERPRINT_KEY: entry.fingerprint},
        "properties": {
            "entity": finding.entity,
            "item": finding.item,
            "component": finding.component,
            "icat": list(finding.rule.icat),
        },
    }
    if finding.waiver is not None:
        waiver = finding.waiver
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": waiver.justification,
                "properties": {
                    "acceptedBy": waiver.accepted_by,
                    "expires": waiver.expires,
                    "source": waiver.source,
                },
            }
        ]
    return result


def plain_message(text: str) -> str:
    """SARIF message text on one line, with '[' and ']' escaped: viewers turn `[text](uri)`
    in a message into a link, and proposal text must not make links."""
    return one_line(text).replace("[", "\\[").replace("]", "\\]")


def _artifact(file: str) -> dict[str, str]:
    uri = artifact_uri(file)
    return {"uri": uri} if uri.startswith("file:") else {"uri": uri, "uriBaseId": "%SRCROOT%"}


def _location(finding: Finding) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": _artifact(finding.file),
            "region": {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)},
        }
    }
    if finding.yaml_path:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.yaml_path, "kind": "member"}]
    return location


def _pascal(title: str) -> str:
    """SARIF rule names are identifiers: 'Plan without a budget' -> PlanWithoutABudget."""
    return "".join(word[:1].upper() + word[1:] for word in _NON_WORD.sub(" ", title).split())
