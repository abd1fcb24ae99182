"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Follows what GitHub reads: rule metadata with help text, results located by a relative URI
and 1-based line/column, ``partialFingerprints`` so an alert follows its finding when lines
move, and waived findings as external suppressions (shown as dismissed, not lost).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from operator import attrgetter
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from reviewer.doc_links import rule_url
from reviewer.report import ReportContext
from reviewer.report.content import Entry, basis_note, build_reports, cite, one_line
from reviewer.report.markdown import md
from reviewer.review import Finding, Review
from reviewer.rules import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "ctreviewFinding/v1"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}


def render_sarif(reviews: Sequence[Review], ctx: ReportContext) -> str:
    return json.dumps(sarif_log(reviews, ctx), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def sarif_log(reviews: Sequence[Review], ctx: ReportContext) -> dict[str, Any]:
    reports = build_reports(reviews, ctx.knowledge)
    entries = [entry for report in reports for entry in (*report.entries, *report.waived)]
    rules = sorted(
        {e.finding.rule.id: e.finding.rule for e in entries}.values(), key=attrgetter("id")
    )
    index = {rule.id: n for n, rule in enumerate(rules)}
    driver = {
        "name": "ctreview",
        "version": ctx.tool_version,
        "semanticVersion": ctx.tool_version,
        "properties": {"catalogueVersion": ctx.catalogue_version},
        "rules": [_rule(rule, ctx) for rule in rules],
    }
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "unicodeCodePoints",
                "results": [_result(entry, index) for entry in entries],
            }
        ],
    }


def artifact_uri(file: str) -> str:
    """A relative URI with forward slashes (relative to the working directory when the path
    is absolute inside it), percent-encoded; an absolute path elsewhere becomes a file: URI."""
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_uri()
    return quote(PurePosixPath(*path.parts).as_posix(), safe="/")


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


def _location(finding: Finding) -> dict[str, Any]:
    uri = artifact_uri(finding.file)
    artifact = {"uri": uri} if uri.startswith("file:") else {"uri": uri, "uriBaseId": "%SRCROOT%"}
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)},
        }
    }
    if finding.yaml_path:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.yaml_path, "kind": "member"}]
    return location


def _pascal(title: str) -> str:
    """SARIF rule names are identifiers: 'Plan without a budget' -> PlanWithoutABudget."""
    return "".join(word[:1].upper() + word[1:] for word in _NON_WORD.sub(" ", title).split())
