"""GitLab Code Quality: findings in a merge request's Code Quality widget and changes view.

GitLab reads a JSON array of issues (a subset of the Code Climate format): `description`,
`check_name`, `fingerprint`, `severity` (info, minor, major, critical, blocker) and
`location.path` with `location.lines.begin`. The fingerprint is how GitLab tells a new issue
from one it has seen: it is the finding's identity (rule, entity, item) and its file path as
GitLab sees it, never its line, so moving text around changes nothing. Waived findings are
left out (GitLab has no way to show an accepted issue); the JSON and SARIF reports keep them.
A file that could not be reviewed gets a `blocker` issue per problem (`input-error`), so the
widget never shows it as clean.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from reviewer.findings import Finding
from reviewer.inert import inert_json, one_line
from reviewer.report import ReportContext
from reviewer.report.content import INPUT_ERROR, INPUT_ERROR_TITLE
from reviewer.report.github import repository_path
from reviewer.review import Review
from reviewer.schema import Problem

# An error blocks approval (critical); a warning is to address (major); info to consider.
SEVERITIES = {"error": "critical", "warning": "major", "info": "info"}


def render_gitlab(reviews: Sequence[Review], ctx: ReportContext) -> str:
    findings = sorted(
        (f for review in reviews for f in review.findings if f.waiver is None),
        key=Finding.position_key,
    )
    refusals = [problem for review in reviews for problem in review.refusals]
    issues, seen = [], set()
    for entry in [*map(refusal_issue, refusals), *map(issue, findings)]:
        while entry["fingerprint"] in seen:  # GitLab shows one issue per fingerprint
            entry["fingerprint"] = _rehash(entry["fingerprint"])
        seen.add(entry["fingerprint"])
        issues.append(entry)
    return inert_json(json.dumps(issues, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"


def issue(finding: Finding) -> dict[str, Any]:
    path = repository_path(finding.file)
    return {
        "check_name": finding.rule.id,
        "description": one_line(f"{finding.rule.id}: {finding.message}"),
        "severity": SEVERITIES[finding.severity],
        "fingerprint": fingerprint(finding, path),
        "location": {"path": path, "lines": {"begin": max(finding.line, 1)}},
    }


def refusal_issue(problem: Problem) -> dict[str, Any]:
    """A problem that kept a file from being reviewed: a blocker on the file (its line when
    known), so GitLab never shows the file as clean."""
    path = repository_path(problem.file)
    where = f"{problem.yaml_path}: " if problem.yaml_path else ""
    identity = "\x1f".join((path, INPUT_ERROR, problem.yaml_path, problem.message))
    return {
        "check_name": INPUT_ERROR,
        "description": one_line(f"{INPUT_ERROR_TITLE}: {where}{problem.message}"),
        "severity": "blocker",
        "fingerprint": _digest(identity),
        "location": {"path": path, "lines": {"begin": max(problem.line, 1)}},
    }


def _rehash(value: str) -> str:
    return hashlib.sha256(value.encode("ascii")).hexdigest()[:32]


def fingerprint(finding: Finding, path: str) -> str:
    """Stable across runs and line moves: the repository path, rule, entity kind and item."""
    return _digest("\x1f".join((path, *finding.identity)))


def _digest(identity: str) -> str:
    # surrogateescape: a path that is not UTF-8 is hashed as its bytes
    return hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:32]
