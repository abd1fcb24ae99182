"""The review pipeline: load, validate, build facts, run rules, collect findings.

A ``Reviewer`` holds what is expensive to prepare (the knowledge base, the rule catalogue and
its compiled rulesets) and is built once per process; ``review_file`` is then cheap per proposal.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.consolidate import consolidate
from reviewer.engine import EngineRule, RuleEngine
from reviewer.facts import Fact, answer_id, build_facts
from reviewer.findings import Finding
from reviewer.gaps import counted_gaps
from reviewer.knowledge import KnowledgeBase, load_knowledge
from reviewer.lens import DEFAULT_LANGUAGE, Reading, read_proposal
from reviewer.lexicon import Lexicons, bundled_lexicons, lexicon_dirs, load_lexicons
from reviewer.loader import Document, InputError, format_yaml_path, load_document, load_text
from reviewer.paths import data_dir
from reviewer.rules import Catalogue, Rule, load_catalogue
from reviewer.schema import Problem, validate_with_data
from reviewer.verdict import VerdictThresholds


@dataclass
class Review:
    """The outcome of reviewing one file."""

    file: str
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    input_error: InputError | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # e.g. expired or unmatched waivers
    # Findings left out of the output by --min-severity/--quiet: they still count (in the
    # verdict too), and a summary must not read "no findings" while they exist.
    withheld: tuple[Finding, ...] = ()
    # The verdict thresholds of the file's configuration (None: the defaults; see verdict.py).
    thresholds: VerdictThresholds | None = None

    @property
    def hidden(self) -> dict[str, int]:
        """Gaps left out of the output (see `withheld`), by severity; empty when none."""
        counts: dict[str, int] = {}
        for gap in counted_gaps(self.withheld):
            counts[gap.severity] = counts.get(gap.severity, 0) + 1
        return counts

    @property
    def ok(self) -> bool:
        """Whether the file could be reviewed at all (no input or format problems)."""
        return self.input_error is None and not self.problems

    @property
    def refusals(self) -> list[Problem]:
        """Why the file could not be reviewed, as located problems (none when it was): what
        every report shows in place of its findings. Line and column are 0 when unknown."""
        error = self.input_error
        if error is None:
            return list(self.problems)
        message = f"{error.message}. {error.hint}"
        return [Problem(self.file, error.line or 0, error.column or 0, "", message)]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cycle collector while one file is reviewed.

    A review allocates objects by the hundred thousand (the tree, plain data, facts, payloads)
    and drops them all at the end, with no reference cycles among them; yet each automatic
    collection walks every live object, which made large proposals superlinear (a 1,000-
    component proposal spent two thirds of its rule stage collecting). Collection resumes, and
    catches up, when the review ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Reviewer:
    """Knowledge base, rule catalogue and compiled engine, prepared once per process."""

    def __init__(
        self,
        rule_dirs: Sequence[Path] = (),
        *,
        bundled: bool = True,
        knowledge: KnowledgeBase | None = None,
    ) -> None:
        self.knowledge = knowledge or load_knowledge([data_dir("question_banks")])
        dirs = ([data_dir("rules")] if bundled else []) + [Path(d) for d in rule_dirs]
        extra = lexicon_dirs(Path(d) for d in rule_dirs)
        self.lexicons: Lexicons = (
            load_lexicons([data_dir("rules") / "lexicons", *extra]) if extra else bundled_lexicons()
        )
        self.catalogue: Catalogue = load_catalogue(dirs, self.knowledge)
        self.engine = RuleEngine(
            [EngineRule(r.id, r.applies_to, r.when) for r in self.catalogue.rules]
        )

    def review_file(self, path: str | Path) -> Review:
        try:
            doc = load_document(path)
        except InputError as error:
            return Review(str(path), input_error=error)
        return self.review_document(doc)

    def review_text(self, text: str, path: str = "<string>") -> Review:
        try:
            doc = load_text(text, path)
        except InputError as error:
            return Review(path, input_error=error)
        return self.review_document(doc)

    def review_document(self, doc: Document) -> Review:
        problems, data = validate_with_data(doc)
        review = Review(doc.path, problems=problems, metadata=_metadata(data))
        if problems:
            return review
        review.findings = self.findings_for(doc, data)
        language = str(data.get("language") or DEFAULT_LANGUAGE)
        if language not in self.lexicons.languages:
            review.notices.append(
                f"{doc.path}: the answers are in '{language}', for which ctreview has no "
                "lexicons: they were checked for presence only, not for what they say"
            )
        return review

    def findings_for(self, doc: Document, data: Mapping[str, Any]) -> list[Finding]:
        reading = read_proposal(data, self.lexicons)
        facts = build_facts(data, reading)
        by_key = {fact.key: fact for fact in facts}
        component_order = _component_order(data)
        matches = self.engine.run([fact.as_engine_fact() for fact in facts])
        findings = [
            _finding(doc, data, self.catalogue.get(rule_id), by_key[key], component_order, reading)
            for rule_id, key in matches
        ]
        consolidated = consolidate(findings, reading, self.catalogue.rules)
        return sorted(consolidated, key=Finding.sort_key)


def _metadata(data: Any) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        return {}
    budget = data.get("budget") if isinstance(data.get("budget"), Mapping) else {}
    return {
        key: value
        for key, value in {
            "id": data.get("id"),
            "title": data.get("title"),
            "organisation": data.get("organisation"),
            "status": data.get("status"),
            "countries": data.get("countries"),
            "budget_total": budget.get("total"),
            "currency": budget.get("currency"),
        }.items()
        if value is not None
    }


def _component_order(data: Mapping[str, Any]) -> dict[str, int]:
    components = data.get("components") or []
    return {str(c.get("id")): index for index, c in enumerate(components) if isinstance(c, Mapping)}


def _finding(
    doc: Document,
    data: Mapping[str, Any],
    rule: Rule | None,
    fact: Fact,
    component_order: Mapping[str, int],
    reading: Reading,
) -> Finding:
    assert rule is not None, "the engine only reports rules of the catalogue"
    path = _existing_path(data, (*fact.yaml_path, *_split(rule.locate)))
    loc = doc.location(path)
    item = "" if fact.entity == "programme" else fact.key.split(":", 1)[1]
    component = item if fact.entity == "component" else ""
    if fact.entity == "answer":  # named by item and field; inside a component, kept with it
        note = reading.notes[int(item)]
        item = answer_id(note)
        component = note.item.split(":", 1)[1] if note.entity == "component" else ""
    # the message reads a few of the fact's fields: look them up, do not copy them all
    values = {"label": fact.label, "id": item, "key": fact.key}
    return Finding(
        rule=rule,
        severity=rule.severity,
        message=rule.render_message(values, fact.fields),
        file=doc.path,
        line=loc.line,
        column=loc.column,
        yaml_path=format_yaml_path(path),
        entity=fact.entity,
        item=item,
        item_label=fact.label,
        component=component,
        component_index=component_order.get(component, -1),
    )


def _split(dotted: str) -> tuple[str, ...]:
    return tuple(part for part in dotted.split(".") if part)


def _existing_path(data: Any, path: Iterable[str | int]) -> tuple[str | int, ...]:
    """The longest prefix of a path that exists in the proposal: where a required field is
    missing, the finding points at its parent."""
    found: list[str | int] = []
    node = data
    for step in path:
        if (
            isinstance(node, list)
            and isinstance(step, int)
            and step < len(node)
            or isinstance(node, dict | Mapping)
            and step in node
        ):
            node = node[step]
        else:
            break
        found.append(step)
    return tuple(found)
