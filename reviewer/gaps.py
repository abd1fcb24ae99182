"""Gaps: one finding per gap, however many places it applies to.

The engine reports a rule once per item it holds for, so a support rule that holds for two
components is two findings, and a reviewer would raise it once ("applies to 2 components").
A **gap** is the findings of one proposal that share a rule, a severity and a waiver state
(active, to be established, waived with the same justification, or scoped out with the same
reason); its findings are the **places** it applies to. Reports that people read (Markdown,
HTML, text summaries, JSON grouping, the portfolio) list and count gaps; formats that annotate
code (SARIF, GitHub, GitLab, JUnit) keep one result per place, which code scanning and
annotations need.

Each gap also belongs to one **dimension** of the verdict (see verdict.py): *soundness* for
every error and for the findings of content rules (`kind: content`, what the answers say),
*completeness* for the other findings of presence rules (`kind: presence`, an answer absent).
Severity is the final one, after the configuration and consolidation (a finding made info
until an answer is established keeps its rule's kind).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from reviewer.findings import Finding

SOUNDNESS, COMPLETENESS = "soundness", "completeness"
DIMENSIONS = (SOUNDNESS, COMPLETENESS)  # the order reports state them in
# Where a gap stands: active gaps count; to-be-established ones count as info; waived and
# scoped-out ones are reported apart and never count.
ACTIVE, TO_BE_ESTABLISHED, WAIVED, SCOPED_OUT = (
    "active",
    "to_be_established",
    "waived",
    "scoped_out",
)
COUNTED = frozenset({ACTIVE, TO_BE_ESTABLISHED})


def dimension_of(finding: Finding) -> str:
    """Soundness for errors and content rules, completeness for presence rules below error."""
    if finding.severity == "error" or finding.rule.kind == "content":
        return SOUNDNESS
    return COMPLETENESS


def status_of(finding: Finding) -> str:
    if finding.waiver is not None:
        return SCOPED_OUT if finding.waiver.kind == "not_relevant" else WAIVED
    if finding.scope is not None and finding.scope.kind == "to_be_established":
        return TO_BE_ESTABLISHED
    return ACTIVE


def _key(finding: Finding) -> tuple:
    """What findings must share to be one gap: file, rule, severity and waiver state (a waiver
    by its justification, who accepted it and its expiry; a scope by its reason)."""
    waiver = finding.waiver
    terms = (waiver.justification, waiver.accepted_by, waiver.expires) if waiver else ()
    return (finding.file, finding.rule_id, finding.severity, status_of(finding), terms)


@dataclass(frozen=True)
class Gap:
    """Findings of one rule, severity and waiver state in one proposal: one gap, its places.

    Its components are worked out once (`cached_property`; the findings are a tuple of
    frozen findings): reports ask each gap for them many times. Its status and dimension
    are two tests of its first place, cheaper than a cached property's first lookup (which
    takes a lock on Python 3.11) on the many gaps that `screen` asks once."""

    findings: tuple[Finding, ...]  # the places, in report order (never empty)

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def rule_id(self) -> str:
        return self.first.rule_id

    @property
    def severity(self) -> str:
        return self.first.severity

    @property
    def status(self) -> str:
        return status_of(self.first)

    @property
    def counted(self) -> bool:
        return self.status in COUNTED

    @property
    def dimension(self) -> str:
        return dimension_of(self.first)

    @functools.cached_property
    def components(self) -> tuple[str, ...]:
        """The components it applies to, in file order ('' for programme-level places)."""
        return tuple(dict.fromkeys(f.component for f in self.findings))

    @functools.cached_property
    def component(self) -> str | None:
        """The one component all its places are in ('' for programme-level), or None when
        they are in several."""
        components = self.components
        return components[0] if len(components) == 1 else None


def group_gaps(findings: Iterable[Finding]) -> list[Gap]:
    """The findings as gaps, in the order of each gap's first place (Finding.sort_key)."""
    grouped: dict[tuple, list[Finding]] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        grouped.setdefault(_key(finding), []).append(finding)
    return [Gap(tuple(places)) for places in grouped.values()]


def counted_gaps(findings: Iterable[Finding]) -> list[Gap]:
    """The gaps that count towards counts and verdicts (not waived, not scoped out)."""
    return [gap for gap in group_gaps(findings) if gap.counted]
