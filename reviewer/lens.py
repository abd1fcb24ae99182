"""The text lens: what a proposal's free-text answers say, read between validation and facts.

Rules judge facts; facts used to take any filled field as answered, so "N/A", "TBD" and "Not
addressed by the project" silenced the very rules that should have fired, and weak text scored
better than a blank. The lens reads every answer before facts are built:

- **non-answers** (placeholders, admissions, a bare "not applicable", a long text copied from
  another field) are taken out, so every presence rule sees them as absent, and noted, so the
  finding can quote them and a rule of its own can ask for an answer;
- **boilerplate** (a promise that fits any proposal and names nothing checkable, the
  `boilerplate` check) is a vague answer: taken out and noted like a non-answer, so it never
  scores better than a blank either;
- **scoped answers** (`{not_relevant: reason}`, `{to_be_established: {activity, by_month}}`,
  see the schema's `scoped_answer`) are taken out and noted, with whether they hold: a reason
  of a clause; an activity that is budgeted and ends in time;
- the **language** of the proposal picks the lexicons; a language without them leaves the text
  unread (content checks answer no) and the programme fact says so.

The rest of the text stays as written; content checks on it are asked through `Reading.reader`
when facts are built (facts.py, content_facts.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from reviewer.checks import TextReader, may_be_boilerplate, word_count
from reviewer.lexicon import Lexicons
from reviewer.schema import SCOPED_ANSWER, SCOPED_KEYS, proposal_schema

YamlPath = tuple[str | int, ...]

DEFAULT_LANGUAGE = "en"
# Where each entity lives (kept in step with facts.ENTITY_SOURCES, which a test checks).
ENTITY_LISTS: dict[tuple[str, ...], str] = {
    ("trafficking_patterns",): "pattern",
    ("target_groups",): "target_group",
    ("components",): "component",
    ("mel", "indicators"): "indicator",
    ("theory_of_change", "assumptions"): "assumption",
    ("theory_of_change", "risks"): "risk",
    ("budget_lines",): "budget_line",
}
# Names and ids are labels, not answers; waivers are the reviewers' words, not the design's.
_NOT_ANSWERS = frozenset({"id", "ctreview", "title", "name", "organisation", "language"})
_SKIPPED_SECTIONS = frozenset({"waivers"})
# Fields that name, describe or measure a thing rather than answer a design question: they are
# not read for boilerplate (a description may be general; an answer to a question may not).
DESCRIPTION_FIELDS = frozenset({
    "description", "text", "source", "frequency", "numerator", "denominator", "by_whom",
})
# A copy counts only when it is long enough not to be a common short phrase.
_MIN_COPIED_WORDS = 8
_MIN_REASON_WORDS = 3
# In a baseline or a target these state a value (nothing yet; or, for a yes/no indicator such
# as "plan adopted by Cabinet", its state), not a missing answer.
_VALUES = frozenset({"none", "nil", "no", "yes", "nothing", "zero", "0"})


SCOPED_KINDS = ("not_relevant", "to_be_established")


@dataclass(frozen=True)
class AnswerNote:
    """Something the lens noticed about one answer of the proposal.

    `kind`: 'non_answer', 'vague', 'not_relevant' or 'to_be_established'. `problem`: for a
    non-answer, why it is one ('placeholder', 'admission', 'not_applicable', 'deferral',
    'copied'); for a vague answer, 'boilerplate'; for a scoped answer, why it does not hold
    ('' when it does)."""

    kind: str
    path: YamlPath
    entity: str
    item: str  # the fact key of the item holding the answer ('programme' for the programme)
    field: str  # dotted, relative to the entity, without list indexes
    text: str  # the answer as written, or the reason given
    problem: str = ""
    refs: tuple[str, ...] = ()  # the ICAT references of the question the field answers
    activity: str = ""
    by_month: int = 0
    copied_from: str = ""  # for a copy: the dotted path of the first occurrence

    @property
    def stands_in(self) -> bool:
        """Its text stood where an answer should be (a non-answer or boilerplate): quoted by
        the findings it causes, and read as written where a check needs the words."""
        return self.kind in ("non_answer", "vague")

    @property
    def holds(self) -> bool:
        """A scoped answer that stands (a non-answer or boilerplate never does)."""
        return self.kind in SCOPED_KINDS and not self.problem


@dataclass
class Reading:
    """What the lens made of one proposal."""

    data: dict[str, Any]  # the proposal without non-answers and scoped answers
    notes: list[AnswerNote] = field(default_factory=list)
    reader: TextReader | None = None
    language: str = DEFAULT_LANGUAGE
    applied: bool = True  # False: no lexicons for the language, text left unread

    def notes_of(self, item: str) -> list[AnswerNote]:
        return [note for note in self.notes if note.item == item]


def read_proposal(data: Mapping[str, Any], lexicons: Lexicons) -> Reading:
    """The lens over validated plain data (see the module docstring)."""
    language = str(data.get("language") or DEFAULT_LANGUAGE)
    reader = TextReader(lexicons, language)
    walk = _Walk(reader, data)
    walk.mapping({k: v for k, v in data.items() if k not in _SKIPPED_SECTIONS}, answer_tree(), ())
    walk.mark_copies()
    notes = walk.notes + _checked_scopes(walk.scoped, data, reader)
    cleaned = _without(data, [note.path for note in notes])
    return Reading(cleaned, sorted(notes, key=_note_order), reader, language, reader.available)


def _note_order(note: AnswerNote) -> tuple:
    return tuple((0, step) if isinstance(step, int) else (1, step) for step in note.path)


# --- the schema's view of answers -------------------------------------------------------------


@dataclass
class AnswerField:
    """What the schema says of one place in a proposal, with the places inside it."""

    answer: bool = False  # free text (or a number-or-text value) that answers a question
    scoped: bool = False  # may be answered with a scoped answer
    refs: tuple[str, ...] = ()
    value: bool = False  # a number-or-text value (a baseline, a target): only placeholders count
    required: bool = False  # the format requires it where its parent is written
    children: dict[str, AnswerField] = field(default_factory=dict)
    items: AnswerField | None = None
    holds_answers: bool = False  # some place inside answers a question (else the walk skips it)
    read: bool = False  # answers a question or holds answers: a list of ids is not walked


_NOT_AN_ANSWER = AnswerField()


@cache
def answer_tree() -> AnswerField:
    """The proposal schema as a tree of places, built once per process."""
    root = _place(proposal_schema(), (), 0)
    _mark_answers(root)
    return root


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    defs = proposal_schema()["$defs"]
    while "$ref" in node and len(node) <= 3:  # a bare reference (annotations beside it kept)
        extra = {k: v for k, v in node.items() if k != "$ref"}
        node = {**defs[node["$ref"].rsplit("/", 1)[1]], **extra}
    return node


def _place(node: dict[str, Any], refs: tuple[str, ...], depth: int) -> AnswerField:
    if depth > 20 or str(node.get("$ref", "")).endswith(("/idref", "/id", "/date")):
        return AnswerField(refs=refs)
    node = _resolve(node)
    refs = tuple(node.get("x-icat") or ()) or refs
    branches = [b for b in node.get("oneOf") or [] if b.get("$ref") != SCOPED_ANSWER]
    shapes = [_resolve(b) for b in branches] or [node]
    place = AnswerField(
        answer=any(_is_text(shape) for shape in shapes),
        scoped=bool(node.get("x-scoped")),
        refs=refs,
        value=any(_is_value(shape) for shape in shapes),
    )
    for shape in shapes:
        required = set(shape.get("required") or ())
        for name, sub in shape.get("properties", {}).items():
            if name not in SCOPED_KEYS:
                place.children[name] = _place(sub, refs, depth + 1)
                place.children[name].required = name in required
        items = shape.get("items")
        if isinstance(items, dict):
            place.items = _place(items, refs, depth + 1)
    return place


def _mark_answers(place: AnswerField) -> bool:
    inside = [_mark_answers(child) for child in place.children.values()]
    if place.items is not None:
        inside.append(_mark_answers(place.items))
    place.holds_answers = any(inside) or place.scoped
    place.read = place.holds_answers or place.answer
    return place.read


def _is_value(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    return isinstance(kind, list) and "string" in kind and len(kind) > 1


def _is_text(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "string" in kinds and "enum" not in node and "pattern" not in node and (
        "format" not in node
    )


# --- walking a proposal -----------------------------------------------------------------------


class _Walk:
    """One pass over the data: non-answers and scoped answers noted, long texts kept."""

    def __init__(self, reader: TextReader, data: Mapping[str, Any]) -> None:
        self.reader = reader
        self.data = data
        self.notes: list[AnswerNote] = []
        self.scoped: list[tuple[YamlPath, AnswerField, dict[str, Any]]] = []
        self.texts: list[tuple[str, YamlPath, AnswerField]] = []  # long answers, to find copies

    def mapping(self, value: dict[str, Any], place: AnswerField, path: YamlPath) -> None:
        children = place.children
        for key, item in value.items():
            child = children.get(key)
            if child is None or not child.read:
                continue  # an id, a vocabulary value, a number: nothing to read
            if type(item) is str:
                if child.answer and key not in _NOT_ANSWERS:
                    self.text(item, (*path, key), child)
            elif type(item) is dict:
                if child.scoped and ("not_relevant" in item or "to_be_established" in item):
                    self.scoped.append(((*path, key), child, item))
                elif child.holds_answers:
                    self.mapping(item, child, (*path, key))
            elif type(item) is list and child.items is not None and child.items.read:
                self.sequence(item, child.items, (*path, key))

    def sequence(self, value: list[Any], place: AnswerField, path: YamlPath) -> None:
        alone = len(value) == 1  # a list of one text is the whole answer: read it as one
        for index, item in enumerate(value):
            if type(item) is str:
                if place.answer:
                    self.text(item, (*path, index), place, listed=True, alone=alone)
            elif type(item) is dict and place.holds_answers:
                self.mapping(item, place, (*path, index))

    def text(
        self,
        text: str,
        path: YamlPath,
        place: AnswerField,
        *,
        listed: bool = False,
        alone: bool = False,
    ) -> None:
        """Note a non-answer (a deferral too, "Details to follow", except in an item of a longer
        list, which names a thing), or boilerplate in an answer to a design question (not in a
        list item, nor in a description); remember long answers to find copies later."""
        described = path[-1] in DESCRIPTION_FIELDS
        kind = self.reader.non_answer(text, deferral=alone or not listed)
        if place.value and (kind == "admission" or text.strip(" .").casefold() in _VALUES):
            kind = None  # "No provision" or "None" is a baseline value, not a non-answer
        if kind is not None:
            self.notes.append(note_at("non_answer", path, text, kind, place.refs, self.data))
            return
        if (
            not (place.value or listed or described)
            and self.reader.available
            and may_be_boilerplate(self.reader.words, text)
            and self.reader.check("boilerplate", text)
        ):
            self.notes.append(note_at("vague", path, text, "boilerplate", place.refs, self.data))
            return  # noted once: a copy of it elsewhere is boilerplate there too
        if self.reader.available and text.count(" ") >= _MIN_COPIED_WORDS - 1:
            self.texts.append((text, path, place))

    def mark_copies(self) -> None:
        """A long answer written word for word under another question is not an answer to it
        (the first occurrence stands; the same field of sibling items may repeat itself)."""
        first: dict[str, YamlPath] = {}
        for text, path, place in self.texts:
            if single_spaced(text):  # most texts: spaced as the key will be
                key = text.casefold()  # its words are its spaces plus one (see `text`)
            else:
                words = text.casefold().split()
                if len(words) < _MIN_COPIED_WORDS:
                    continue
                key = " ".join(words)
            if key not in first:
                first[key] = path
                continue
            original = first[key]
            if _field_name(original) != _field_name(path):
                note = note_at("non_answer", path, text, "copied", place.refs, self.data)
                self.notes.append(_with_source(note, original))


def single_spaced(text: str) -> bool:
    """Whether the text is `" ".join(text.split())` already: its only whitespace is single
    spaces between words. (Every other whitespace character, a tab or a no-break space, is
    not printable.)"""
    return (
        text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "
    )


def _field_name(path: YamlPath) -> str:
    return next((str(step) for step in reversed(path) if isinstance(step, str)), "")


def _with_source(note: AnswerNote, original: YamlPath) -> AnswerNote:
    source = ".".join(str(step) for step in original)
    return AnswerNote(**{**note.__dict__, "copied_from": source})


def _without(data: Any, paths: list[YamlPath]) -> Any:
    """The data with the values at `paths` removed, copying only the containers on the way to
    them (most proposals have few non-answers, and the rest of the tree is shared)."""
    if not paths:
        return data
    removed = [path for path in paths if len(path) == 1]
    deeper: dict[Any, list[YamlPath]] = {}
    for path in paths:
        if len(path) > 1:
            deeper.setdefault(path[0], []).append(path[1:])
    gone = {path[0] for path in removed}
    if isinstance(data, dict):
        copy = {key: value for key, value in data.items() if key not in gone}
        for key, rest in deeper.items():
            if key in copy:
                copy[key] = _without(copy[key], rest)
        return copy
    if isinstance(data, list):
        return [
            _without(item, deeper[index]) if index in deeper else item
            for index, item in enumerate(data)
            if index not in gone
        ]
    return data


def note_at(
    kind: str,
    path: YamlPath,
    text: str,
    problem: str,
    refs: tuple[str, ...],
    data: Mapping[str, Any],
    **extra: Any,
) -> AnswerNote:
    entity, item, field_name = locate(path, data)
    return AnswerNote(kind, path, entity, item, field_name, text, problem, refs, **extra)


def locate(path: YamlPath, data: Mapping[str, Any]) -> tuple[str, str, str]:
    """The entity, fact key and entity-relative field of a data path (as facts.py keys them)."""
    for prefix, entity in ENTITY_LISTS.items():
        size = len(prefix)
        if tuple(path[:size]) == prefix and len(path) > size and isinstance(path[size], int):
            item = _at(data, path[: size + 1])
            ident = item.get("id", path[size]) if isinstance(item, dict) else path[size]
            rest = [str(step) for step in path[size + 1 :] if isinstance(step, str)]
            return entity, f"{entity}:{ident}", ".".join(rest)
    return "programme", "programme", ".".join(str(s) for s in path if isinstance(s, str))


def _at(data: Any, path: YamlPath) -> Any:
    for step in path:
        if isinstance(data, dict) and isinstance(step, str):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and step < len(data):
            data = data[step]
        else:
            return None
    return data


# --- scoped answers ---------------------------------------------------------------------------


def _checked_scopes(
    scoped: list[tuple[YamlPath, AnswerField, dict[str, Any]]],
    data: Mapping[str, Any],
    reader: TextReader,
) -> list[AnswerNote]:
    notes = []
    for path, place, answer in scoped:
        refs = place.refs
        if "not_relevant" in answer:
            reason = str(answer["not_relevant"])
            problem = _reason_problem(reason, reader) or _dismissing_reason(path, reason, reader)
            notes.append(note_at("not_relevant", path, reason, problem, refs, data))
        if isinstance(answer.get("to_be_established"), dict):
            plan = answer["to_be_established"]
            activity, month = str(plan.get("activity", "")), int(plan.get("by_month") or 0)
            problem = _plan_problem(activity, month, path, data)
            notes.append(note_at("to_be_established", path, activity, problem, refs, data,
                                 activity=activity, by_month=month))
    return notes


def _reason_problem(reason: str, reader: TextReader) -> str:
    """Why a not_relevant reason does not hold ('' when it does): a reason is at least a clause
    and says something; "N/A" or "not applicable here" restates the claim."""
    if word_count(reason) < _MIN_REASON_WORDS or reader.non_answer(reason):
        return "the reason is not a reason: say in a clause why the question does not arise"
    return ""


# Questions whose "not relevant" reason may only restate a dismissal of the question itself,
# with the content check that recognises one: "there is no scope for traffickers to shift
# their operations" sets the displacement question aside by answering it with a denial.
_DISMISSING_REASONS = {("theory_of_change", "displacement"): "displacement_denial"}
DISMISSING_REASON = "the reason dismisses the question instead of saying why it does not arise"


def _dismissing_reason(path: YamlPath, reason: str, reader: TextReader) -> str:
    """Why a not_relevant reason that dismisses the question it scopes out does not hold."""
    check = _DISMISSING_REASONS.get(tuple(step for step in path if isinstance(step, str)))
    if check and reader.check(check, reason):
        return DISMISSING_REASON
    return ""


def _plan_problem(activity: str, month: int, path: YamlPath, data: Mapping[str, Any]) -> str:
    """Why a to_be_established plan does not hold ('' when it does)."""
    found = activities(data).get(activity)
    if found is None:
        return f"no activity has the id '{activity}'"
    if not _budgeted(activity, found, data):
        return f"activity '{activity}' has no budget line (name it in a line's activities)"
    duration = programme_months(data)
    if duration and month > duration:
        return f"month {month} is after the programme's {duration} months"
    start = found.get("start_month")  # an activity still running by then may answer first
    if isinstance(start, int) and start > month:
        return f"activity '{activity}' starts in month {start}, after month {month}"
    needed_by = _first_target_month(path, data)
    if needed_by and month > needed_by:
        return (f"month {month} comes after month {needed_by}, when the first target it "
                f"bears on is due")
    return ""


def activities(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Activities with an id: components' activities and national plans' activities, each with
    the component that holds it."""
    found: dict[str, dict[str, Any]] = {}
    for component in _dicts(data.get("components")):
        for activity in _dicts(component.get("activities")):
            if isinstance(activity.get("id"), str):
                found[activity["id"]] = {**activity, "component": component.get("id")}
        plan = component.get("national_action_plan")
        for activity in _dicts(plan.get("activities") if isinstance(plan, dict) else None):
            if isinstance(activity.get("id"), str):
                found[activity["id"]] = {**activity, "component": component.get("id")}
    return found


def _budgeted(ident: str, activity: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    if isinstance(activity.get("budget"), (int, float)) and activity["budget"] > 0:
        return True
    for line in _dicts(data.get("budget_lines")):
        if ident in (line.get("activities") or []):
            return True
        if activity.get("component") in (line.get("components") or []):
            return True
    return False


def programme_months(data: Mapping[str, Any]) -> int:
    """The programme's length in whole months (0 when the period is not given)."""
    start, end = period(data)
    if not start or not end or end < start:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + (end.day >= start.day)


def period(data: Mapping[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    span = data.get("period") if isinstance(data.get("period"), dict) else {}
    return _date(span.get("start")), _date(span.get("end"))


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _first_target_month(path: YamlPath, data: Mapping[str, Any]) -> int:
    """The month (from the programme's start) of the first year-dated target of the indicators
    of the component the path belongs to: information that bears on results is due before."""
    start, _ = period(data)
    if start is None or len(path) < 2 or path[0] != "components":
        return 0
    component = _at(data, path[:2])
    ident = component.get("id") if isinstance(component, dict) else None
    mel = data.get("mel") if isinstance(data.get("mel"), dict) else {}
    years = [
        int(target["period"])
        for indicator in _dicts(mel.get("indicators"))
        if ident in (indicator.get("components") or [])
        for target in _dicts(indicator.get("targets"))
        if str(target.get("period", "")).isdigit() and len(str(target["period"])) == 4
    ]
    if not years:
        return 0
    return max(1, (min(years) - start.year) * 12 + 12 - start.month + 1)


def _dicts(items: Any) -> Iterator[dict[str, Any]]:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            yield item
