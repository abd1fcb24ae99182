"""The verdict, in two dimensions a funder acts on differently: soundness and completeness.

*Design soundness* asks whether what the proposal says holds up: every error (an error blocks
approval whatever its rule's kind) and the gaps of content rules (`kind: content`). *Completeness*
asks whether it answers what ICAT asks: the gaps of presence rules (`kind: presence`) below
error. A gap is one finding however many places it applies to (see gaps.py); info gaps are
notes and never change a level.

Each dimension reads *ready*, *revise* or *not ready*:

- soundness is *not ready* with any error; otherwise, like completeness, by counts of its
  warning gaps against the configuration's thresholds (`verdict:` in `.ctreview.yaml`):
  *not ready* from `not_ready_at` (default: never), else *revise* from `revise_at` (default 1),
  else *ready*.

Counts, not a share of questions answered: a rule's condition says at once whether a question
applies and whether it is answered, so ctreview knows the gaps exactly but not how many
questions applied without one; a count of gaps is what a funder can act on ("fill these 7").
The overall verdict is the worse of the two; at the default thresholds it is the verdict
ctreview always gave (not ready with an error, revise with a warning, else ready).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reviewer.gaps import COMPLETENESS, DIMENSIONS, SOUNDNESS, Gap, counted_gaps

if TYPE_CHECKING:
    from reviewer.findings import Finding

READY, REVISE, NOT_READY = "ready", "revise", "not ready"
LEVELS = (READY, REVISE, NOT_READY)  # best first
DIMENSION_LABELS = {SOUNDNESS: "Design soundness", COMPLETENESS: "Completeness"}
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class DimensionThresholds:
    """When a dimension's warning gaps make it read revise or not ready (None: never)."""

    revise_at: int | None = 1
    not_ready_at: int | None = None

    def level(self, warnings: int) -> str:
        if self.not_ready_at is not None and warnings >= self.not_ready_at:
            return NOT_READY
        if self.revise_at is not None and warnings >= self.revise_at:
            return REVISE
        return READY


@dataclass(frozen=True)
class VerdictThresholds:
    """The thresholds of both dimensions (`verdict:` in the configuration)."""

    soundness: DimensionThresholds = field(default_factory=DimensionThresholds)
    completeness: DimensionThresholds = field(default_factory=DimensionThresholds)

    def of(self, dimension: str) -> DimensionThresholds:
        return self.soundness if dimension == SOUNDNESS else self.completeness


DEFAULT_THRESHOLDS = VerdictThresholds()


@dataclass(frozen=True)
class DimensionVerdict:
    """One dimension's level, with the gaps (by severity) it was decided on."""

    dimension: str
    level: str
    counts: Mapping[str, int]  # counted gaps by severity
    not_ready_at: int | None = None  # the threshold, when warnings alone made it not ready

    @property
    def label(self) -> str:
        return DIMENSION_LABELS[self.dimension]

    @property
    def details(self) -> str:
        """What the level rests on, in words: '2 errors block approval, 3 warnings to address'."""
        errors, warnings, notes = (self.counts.get(s, 0) for s in SEVERITIES)
        parts = []
        if errors:
            verb = "blocks" if errors == 1 else "block"
            parts.append(f"{plural(errors, 'error')} {verb} approval")
        if warnings:
            what = "gap" if self.dimension == COMPLETENESS else "warning"
            todo = "to fill" if self.dimension == COMPLETENESS else "to address"
            limit = f", not ready at {self.not_ready_at}" if self.not_ready_at else ""
            parts.append(f"{plural(warnings, what)} {todo}{limit}")
        if notes:
            parts.append(plural(notes, "note"))
        return ", ".join(parts) or ("no gaps" if self.dimension == COMPLETENESS else "no findings")

    @property
    def sentence(self) -> str:
        return f"{self.label}: {self.level} ({self.details})"


@dataclass(frozen=True)
class Assessment:
    """The verdict of a proposal (or of a run): both dimensions and the worse of them."""

    soundness: DimensionVerdict
    completeness: DimensionVerdict

    @property
    def dimensions(self) -> tuple[DimensionVerdict, DimensionVerdict]:
        return (self.soundness, self.completeness)

    @property
    def level(self) -> str:
        return worst(d.level for d in self.dimensions)

    @property
    def sentence(self) -> str:
        """'Not ready. Design soundness: not ready (…). Completeness: revise (…).'"""
        return (
            f"{self.level[0].upper()}{self.level[1:]}. "
            + ". ".join(d.sentence for d in self.dimensions)
            + "."
        )

    def counts(self) -> dict[str, int]:
        """Counted gaps of both dimensions, by severity."""
        return {s: sum(d.counts.get(s, 0) for d in self.dimensions) for s in SEVERITIES}


def worst(levels: Iterable[str]) -> str:
    return max(levels, key=LEVELS.index, default=READY)


def assess(findings: Iterable[Finding], thresholds: VerdictThresholds | None = None) -> Assessment:
    """The verdict of one proposal's findings (waived and scoped-out ones do not count)."""
    return assess_gaps(counted_gaps(findings), thresholds)


def assess_gaps(gaps: Iterable[Gap], thresholds: VerdictThresholds | None = None) -> Assessment:
    limits = thresholds or DEFAULT_THRESHOLDS
    counts = {d: dict.fromkeys(SEVERITIES, 0) for d in DIMENSIONS}
    for gap in gaps:
        if gap.counted:
            counts[gap.dimension][gap.severity] += 1
    verdicts = {d: _dimension(d, counts[d], limits.of(d)) for d in DIMENSIONS}
    return Assessment(verdicts[SOUNDNESS], verdicts[COMPLETENESS])


def _dimension(dimension: str, counts: dict[str, int], limits: DimensionThresholds):
    if counts["error"]:
        return DimensionVerdict(dimension, NOT_READY, counts)
    level = limits.level(counts["warning"])
    limit = limits.not_ready_at if level == NOT_READY else None
    return DimensionVerdict(dimension, level, counts, limit)


def combine(assessments: Iterable[Assessment]) -> Assessment:
    """The verdict of several proposals: each dimension at its worst, gaps added up."""
    found = list(assessments)

    def merged(dimension: str) -> DimensionVerdict:
        parts = [getattr(a, dimension) for a in found]
        counts = {s: sum(p.counts.get(s, 0) for p in parts) for s in SEVERITIES}
        return DimensionVerdict(dimension, worst(p.level for p in parts), counts)

    return Assessment(merged(SOUNDNESS), merged(COMPLETENESS))


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
