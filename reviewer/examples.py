"""Run every rule's own examples: `fail` snippets must trigger it, `pass` snippets must not.

A snippet is a partial proposal (top-level keys) laid over a minimal valid proposal, so a rule
writer only writes what the rule is about. Snippets are validated like real proposals, which
keeps examples honest when the format changes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML

from reviewer.review import Reviewer
from reviewer.rules import Rule

BASE_PROPOSAL: dict[str, Any] = {
    "ctreview": "proposal/v1",
    "id": "example",
    "title": "Example proposal",
}


@dataclass(frozen=True)
class ExampleResult:
    rule_id: str
    kind: str  # 'fail' or 'pass'
    index: int
    ok: bool
    detail: str  # why it failed ('' when ok)


def snippet_text(snippet: Mapping[str, Any]) -> str:
    """The snippet laid over the base proposal, as YAML text."""
    stream = io.StringIO()
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.dump({**BASE_PROPOSAL, **snippet}, stream)
    return stream.getvalue()


def run_examples(reviewer: Reviewer, rule_ids: set[str] | None = None) -> list[ExampleResult]:
    results = []
    for rule in reviewer.catalogue.rules:
        if rule_ids is None or rule.id in rule_ids:
            results.extend(_rule_results(reviewer, rule))
    return results


def _rule_results(reviewer: Reviewer, rule: Rule) -> list[ExampleResult]:
    results = []
    if not rule.examples_fail:
        results.append(
            ExampleResult(
                rule.id, "fail", 0, False, "the rule has no `fail` example (every rule needs one)"
            )
        )
    for kind, snippets in (("fail", rule.examples_fail), ("pass", rule.examples_pass)):
        for index, snippet in enumerate(snippets):
            results.append(_check(reviewer, rule, kind, index, snippet))
    return results


def _check(
    reviewer: Reviewer, rule: Rule, kind: str, index: int, snippet: Mapping[str, Any]
) -> ExampleResult:
    review = reviewer.review_text(snippet_text(snippet), f"{rule.id} {kind}[{index}]")
    if review.input_error or review.problems:
        problems = [str(review.input_error)] if review.input_error else review.problems
        detail = "the example is not a valid proposal: " + "; ".join(str(p) for p in problems)
        return ExampleResult(rule.id, kind, index, False, detail)
    fired = any(f.rule_id == rule.id for f in review.findings)
    if kind == "fail" and not fired:
        return ExampleResult(rule.id, kind, index, False, "expected the rule to fire; it did not")
    if kind == "pass" and fired:
        return ExampleResult(rule.id, kind, index, False, "expected no finding; the rule fired")
    return ExampleResult(rule.id, kind, index, True, "")
