"""Findings as a reviewer would sign them: tied to what the lens noted, one per gap.

The engine reports every rule that holds for every fact. Before the findings are handed on,
this step ties them to what the text lens noted about the answers their rules read:

- a finding caused by a **non-answer** ("N/A" where the rule wants an answer) or by
  **boilerplate** quotes it, and the answer's own finding (rule on the `answer` fact) is
  dropped as the same gap;
- a finding on a question answered **not relevant**, with a reason, is scoped out: kept in
  every report with that reason, like a waived finding, but never counted (ICAT-0.U2: only
  some questions apply to a given programme);
- a finding on a question **to be established** by a budgeted activity in time becomes info,
  with the plan (ICAT-0.U3: add an activity to generate missing information); a plan that does
  not hold leaves the finding as it was and says why;
- a finding of a rule that another rule on the same item **supersedes** (a section rule over
  the general §1 rule on the same gap, declared in the rule file) is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from reviewer.conditions import absence_fields, premise_flags, referenced_fields
from reviewer.facts import DERIVED_FIELDS, answer_id
from reviewer.findings import Finding, Waiver
from reviewer.inert import one_line
from reviewer.lens import DISMISSING_REASON, AnswerNote, Reading

if TYPE_CHECKING:
    from reviewer.rules import Rule


def consolidate(
    findings: Sequence[Finding], reading: Reading, rules: Iterable[Rule]
) -> list[Finding]:
    """The findings tied to the lens's notes, without duplicates of one gap (see above)."""
    notes_by_item: dict[str, list[AnswerNote]] = {}
    for note in reading.notes:
        notes_by_item.setdefault(note.item, []).append(note)
    studies = {item: _study(notes) for item, notes in notes_by_item.items()}
    absorbed: set[str] = set()  # answer ids of notes a finding now speaks for
    tied = []
    for finding in findings:
        if finding.entity == "answer":
            tied.append(finding)
            continue
        noted = notes_by_item.get(finding.fact_key)
        notes = _read_by(finding.rule, noted) if noted else []
        absorbed.update(answer_id(note) for note in notes)
        study = studies.get(finding.fact_key) if finding.rule.kind == "presence" else None
        tied.append(_with_notes(finding, notes, f"{finding.file}:{finding.line}", study))
    kept = [f for f in tied if not (f.entity == "answer" and f.item in absorbed)]
    return _without_superseded(kept, _superseders(rules))


def _with_notes(
    finding: Finding, notes: list[AnswerNote], source: str, study: list[AnswerNote] | None
) -> Finding:
    """The finding with what the answers its rule read say: a scoped answer that holds sets it
    aside (not_relevant) or makes it info (to_be_established); the rest is quoted. A presence
    gap in an item the proposal studies (`study`, see `_study`) is info too."""
    if not notes and study is None:
        return finding  # most findings: the lens noted nothing their rule reads
    holding = [note for note in notes if note.holds]
    scope = next((n for n in holding if n.kind == "not_relevant"), None) or next(
        (n for n in holding if n.kind == "to_be_established"), None
    )
    study = study if scope is None else None
    shown = tuple(note for note in notes if note is not scope)
    message = " ".join([finding.message, *note_sentences(shown)])
    if study is not None:
        message += f" {study_sentence(study, finding.entity)}"
        return replace(finding, answers=shown, scope=study[0], severity="info", message=message)
    if scope is None:
        return replace(finding, answers=shown, message=message)
    if scope.kind == "to_be_established":
        message += f" {note_sentence(scope)}"
        return replace(finding, answers=shown, scope=scope, severity="info", message=message)
    waiver = Waiver(
        rule=finding.rule_id,
        item=finding.item,
        justification=scope.text,
        accepted_by="the proposal (not_relevant)",
        source=source,
        kind="not_relevant",
    )
    return replace(finding, answers=shown, scope=scope, waiver=waiver, message=message)


_WHY = {
    "placeholder": "is a placeholder",
    "admission": "admits the question was not taken up",
    "not_applicable": "says 'not applicable' without a reason",
    "deferral": "puts the answer off without the step that will give it",
    "copied": "repeats another answer word for word",
    "boilerplate": "is boilerplate that names no who, what, where or when",
}


_WHY_MANY = {
    "placeholder": "are placeholders",
    "admission": "admit the question was not taken up",
    "not_applicable": "say 'not applicable' without a reason",
    "deferral": "put the answer off without the step that will give it",
    "copied": "repeat another answer word for word",
    "boilerplate": "are boilerplate that names no who, what, where or when",
}


def note_sentences(notes: Sequence[AnswerNote]) -> list[str]:
    """The sentences a finding adds about the answers its rule read: the same non-answer in
    several fields ("N/A" five times) is said once, naming the fields."""
    groups: dict[tuple[str, str], list[AnswerNote]] = {}
    sentences: list[str | tuple[str, str]] = []
    for note in notes:
        if not note.stands_in:
            sentences.append(note_sentence(note))
            continue
        key = (one_line(note.text)[:120], note.problem)
        if key not in groups:
            groups[key] = []
            sentences.append(key)
        groups[key].append(note)
    return [
        item if isinstance(item, str) else _group_sentence(groups[item])
        for item in sentences
    ]


def _group_sentence(notes: list[AnswerNote]) -> str:
    if len(notes) == 1:
        return note_sentence(notes[0])
    fields = [note.field for note in notes]
    named = ", ".join(fields[:-1]) + f" and {fields[-1]}"
    why = _WHY_MANY.get(notes[0].problem, "are not answers")
    return f"(The answers given in {named}, each '{one_line(notes[0].text)[:120]}', {why}.)"


def note_sentence(note: AnswerNote) -> str:
    """One sentence a finding adds about an answer its rule read (quoted where it is text)."""
    quoted = one_line(note.text)[:120]
    if note.stands_in:
        why = _WHY.get(note.problem, "is not an answer")
        return f"(The answer given in {note.field}, '{quoted}', {why}.)"
    if note.kind == "to_be_established":
        if note.holds:
            return (f"(The proposal will establish {note.field} by activity '{quoted}' by month "
                    f"{note.by_month}: info until then.)")
        return f"(A plan to establish {note.field} does not hold: {note.problem}.)"
    # a reason that only denies the question says so in lens.py's words; any other fails
    why = (
        note.problem.removeprefix("the reason ")
        if note.problem == DISMISSING_REASON
        else "is not a reason"
    )
    return f"(The reason given for scoping out {note.field}, '{quoted}', {why}.)"


# An item is under study when the proposal plans to establish this many of its answers in
# one activity: the study will meet its other gaps too ("we do not yet know who recruits and
# controls them": recruitment, movement and victims' profile from a month-9 mapping).
_STUDIED_ANSWERS = 2


def _study(item_notes: list[AnswerNote]) -> list[AnswerNote] | None:
    """The plans of the activity that studies an item (once per item, for its presence gaps);
    None when no activity establishes at least two of its answers."""
    by_activity: dict[str, list[AnswerNote]] = {}
    for note in item_notes:
        if note.kind == "to_be_established" and note.holds:
            by_activity.setdefault(note.text, []).append(note)
    studies = [plans for _, plans in sorted(by_activity.items()) if len(plans) >= _STUDIED_ANSWERS]
    return studies[0] if studies else None


def study_sentence(plans: list[AnswerNote], entity: str) -> str:
    fields = ", ".join(note.field for note in plans)
    month = max(note.by_month for note in plans)
    item = entity.replace("_", " ")
    return (f"(The proposal studies this {item} in activity '{one_line(plans[0].text)[:120]}', "
            f"which establishes {fields} by month {month}: info until then.)")


def _read_by(rule: Rule, notes: list[AnswerNote]) -> list[AnswerNote]:
    """The notes on answers the rule reads (directly, or through a derived field that stands
    for them)."""
    read = fields_read(rule)
    gaps = _gap_fields(rule)
    return [
        note for note in notes
        if any(_overlaps(note.field, name) for name in (
            gaps if note.kind == "not_relevant" else read
        ))
    ]


@lru_cache(maxsize=2048)
def _gap_fields(rule: Rule) -> tuple[str, ...]:
    """The fields read, less the premise flags (see `premise_flags`): what a question scoped
    out may set the finding aside for."""
    flags = premise_flags(rule.when)
    return tuple(name for name in fields_read(rule) if name not in flags)


@lru_cache(maxsize=2048)
def fields_read(rule: Rule) -> tuple[str, ...]:
    """The proposal fields a rule's condition reads for a gap (see `absence_fields`), derived
    fields replaced by their sources (any test of a derived field may stand for a gap in
    them)."""
    derived = DERIVED_FIELDS.get(rule.applies_to, {})
    found = [name for name in sorted(absence_fields(rule.when)) if name not in derived]
    for name in sorted(referenced_fields(rule.when)):
        if name in derived:
            found.extend(derived[name].sources)
    return tuple(found)


def _overlaps(answer: str, read: str) -> bool:
    return answer == read or answer.startswith(read + ".") or read.startswith(answer + ".")


def _superseders(rules: Iterable[Rule]) -> dict[str, set[str]]:
    """For each rule id, the rules that supersede it (`supersedes:` in the rule files)."""
    found: dict[str, set[str]] = {}
    for rule in rules:
        for other in rule.supersedes:
            found.setdefault(other, set()).add(rule.id)
    return found


def _without_superseded(
    findings: Sequence[Finding], superseders: dict[str, set[str]]
) -> list[Finding]:
    """Drop a finding whose rule is superseded by another rule that fired on the same item."""
    fired: dict[str, set[str]] = {}
    for finding in findings:
        fired.setdefault(finding.fact_key, set()).add(finding.rule_id)
    return [
        f
        for f in findings
        if not superseders.get(f.rule_id, set()) & fired.get(f.fact_key, set())
    ]
