"""Findings: what the review step hands on, one rule that holds for one item, located.

Its own module so that both the review (review.py) and the step that ties findings to what
the text lens noted (consolidate.py) can build them, without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.lens import AnswerNote
from reviewer.rules import Rule

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Waiver:
    """A finding accepted by the reviewers, with who accepted it, why and until when."""

    rule: str
    item: str
    justification: str
    accepted_by: str = ""
    expires: str = ""  # ISO date, '' for no expiry
    source: str = ""  # where the waiver is written (file:line)
    # 'waiver': accepted by reviewers; 'not_relevant': the proposal scoped the question out
    # with a reason (ICAT-0.U2), which sets the finding aside the same way (consolidate.py).
    kind: str = "waiver"

    @property
    def label(self) -> str:
        """How reports name it: 'waived' by reviewers, or 'scoped out' by the proposal."""
        return "scoped out" if self.kind == "not_relevant" else "waived"


@dataclass(frozen=True)
class Finding:
    """A rule that holds for one item of one proposal, located in the file."""

    rule: Rule
    severity: str
    message: str
    file: str
    line: int
    column: int
    yaml_path: str
    entity: str
    item: str  # the id of the item ('' for the programme itself)
    item_label: str
    component: str  # id of the component it concerns, '' for programme-level findings
    component_index: int
    waiver: Waiver | None = None  # set when an active waiver covers the finding
    # What the text lens noted about the answers the rule read: non-answers it quotes, scoped
    # answers that do not hold (and why); `scope` is a scoped answer that does hold and sets the
    # finding aside (not_relevant) or makes it info (to_be_established). See consolidate.py.
    answers: tuple[AnswerNote, ...] = ()
    scope: AnswerNote | None = None

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def fact_key(self) -> str:
        """The key of the fact the finding is about (as facts.py writes it)."""
        return "programme" if self.entity == "programme" else f"{self.entity}:{self.item}"

    @property
    def scoped_out(self) -> bool:
        """Set aside by a reasoned not_relevant answer: reported, never counted."""
        return self.scope is not None and self.scope.kind == "not_relevant"

    @property
    def identity(self) -> tuple[str, str, str]:
        """What a finding is, independent of where it stands in the file (for waivers,
        baselines and diffs): rule, entity and item id."""
        return (self.rule.id, self.entity, self.item)

    def position_key(self) -> tuple:
        """The order of line-oriented outputs (text, annotations): file, line, column."""
        return (self.file, self.line, self.column, self.rule.id, self.item)

    def sort_key(self) -> tuple:
        """The order of reports: by component (programme-level first), severity, then line."""
        return (
            self.file,
            self.component_index,
            SEVERITY_RANK[self.severity],
            self.line,
            self.column,
            self.rule.id,
            self.item,
        )
