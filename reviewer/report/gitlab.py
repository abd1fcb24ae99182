"""GitLab Code Quality: findings in a merge request's Code Quality widget and changes view.

GitLab reads a JSON array of issues (a subset of the Code Climate format): `description`,
`check_name`, `fingerprint`, `severity` (info, minor, major, critical, blocker) and
`location.path` with `location.lines.begin`. The fingerprint is how GitLab tells a new issue
from one it has seen: it is the finding's identity (rule, entity, item) and its file path as
GitLab sees it, never its line, so moving text around changes nothing. Waived findings are
left out (GitLab has no way to show an accepted issue); the JSON and SARIF reports keep them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from reviewer.report import ReportContext
from reviewer.report.content import one_line
from reviewer.report.github import repository_path
from reviewer.review import Finding, Review

# An error blocks approval (critical); a warning is to address (major); info to consider.
SEVERITIES = {"error": "critical", "warning": "major", "info": "info"}


def render_gitlab(reviews: Sequence[Review], ctx: ReportContext) -> str:
    findings = sorted(
        (f for review in reviews for f in review.findings if f.waiver is None),
        key=Finding.position_key,
    )
    issues, seen = [], set()
    for finding in findings:
        entry = issue(finding)
        while entry["fingerprint"] in seen:  # GitLab shows one issue per fingerprint
            entry["fingerprint"] = _rehash(entry["fingerprint"])
        seen.add(entry["fingerprint"])
        issues.append(entry)
    return json.dumps(issues, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def issue(finding: Finding) -> dict[str, Any]:
    path = repository_path(finding.file)
    return {
        "check_name": finding.rule.id,
        "description": one_line(f"{finding.rule.id}: {finding.message}"),
        "severity": SEVERITIES[finding.severity],
        "fingerprint": fingerprint(finding, path),
        "location": {"path": path, "lines": {"begin": max(finding.line, 1)}},
    }


def _rehash(value: str) -> str:
    return hashlib.sha256(value.encode("ascii")).hexdigest()[:32]


def fingerprint(finding: Finding, path: str) -> str:
    """Stable across runs and line moves: the repository path, rule, entity kind and item."""
    identity = "\x1f".join((path, *finding.identity))
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]
