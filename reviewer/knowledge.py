"""The ICAT knowledge base: paraphrased lessons, questions and sample indicators.

The banks are data (``question_banks/*.yaml``, scheme in its README). Rules and reports
cite their references (``ICAT-3.L2.b``, ``ICAT-7.Q2``, ``ICAT-8.E``), so loading is strict:
any unknown key, duplicate, malformed reference or unknown vocabulary term raises a
``KnowledgeError`` naming the file, line and item, before a wrong citation can reach a user.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from reviewer import prebuilt
from reviewer.paths import data_dir
from reviewer.schema import vocabulary

COMPONENT_TYPES = frozenset(vocabulary("component", "type"))
# What a question or indicator may apply to: a component type, or the programme as a whole.
APPLIES_TO = COMPONENT_TYPES | {"programme"}
CATEGORIES = frozenset(vocabulary("indicator", "category"))
LEVELS = frozenset(vocabulary("indicator", "level"))
METHODS = frozenset(
    {
        "beneficiary_tracking",
        "budget_documents",
        "case_analysis",
        "case_file_review",
        "client_discussions",
        "community_records",
        "court_records",
        "existing_research",
        "feedback_forms",
        "follow_up_participants",
        "group_discussions",
        "hotline_records",
        "household_survey",
        "identification_records",
        "improvement_plans",
        "income_data",
        "intercept_survey",
        "legal_review",
        "longitudinal_mixed_methods",
        "media_data",
        "npa_document",
        "online_survey",
        "organisation_records",
        "police_records",
        "post_training_evaluation",
        "pre_post_test",
        "programme_records",
        "service_records",
        "session_records",
        "skills_simulation",
        "training_records",
        "treaty_registry",
        "victim_interviews",
        "victim_survey",
    }
)

REF_RE = re.compile(
    r"^ICAT-(?P<section>[1-9])\."
    r"(?:(?P<kind>[LQ])(?P<number>[1-9][0-9]*)(?:\.(?P<bullet>[a-z]))?|(?P<table>E))$"
)
INDICATOR_ID_RE = re.compile(r"^IND-(?P<section>[3-9])-(?P<number>[0-9]{2})$")

_TOP_KEYS = frozenset({"source", "lessons", "questions", "indicators"})


class KnowledgeError(ValueError):
    """A question bank is malformed; the message says where (file:line) and what."""

    def __init__(self, path: Path, line: int | None, item: str, message: str) -> None:
        self.path, self.line, self.item = path, line, item
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {item}: {message}")


@dataclass(frozen=True)
class Lesson:
    """An ICAT lesson learned, or one bullet of it (then ``parent`` is the lesson's ref)."""

    ref: str
    section: int
    summary: str
    not_checkable: str | None = None
    parent: str | None = None
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """An ICAT design question, or one bullet of it; bullets inherit ``applies_to``."""

    ref: str
    section: int
    text: str
    applies_to: tuple[str, ...]
    not_checkable: str | None = None
    parent: str | None = None
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Indicator:
    """A sample indicator from the evaluation table ``ref`` of an ICAT section."""

    id: str
    ref: str
    section: int
    text: str
    category: str
    table_category: str
    level: str
    methods: tuple[str, ...]
    applies_to: tuple[str, ...]


class KnowledgeBase:
    """Lookup over the loaded banks; entries keep the order of the files."""

    def __init__(
        self,
        lessons: Iterable[Lesson],
        questions: Iterable[Question],
        indicators: Iterable[Indicator],
    ) -> None:
        self.lessons = tuple(lessons)
        self.questions = tuple(questions)
        self.indicators = tuple(indicators)
        self._lessons = {lesson.ref: lesson for lesson in self.lessons}
        self._questions = {question.ref: question for question in self.questions}
        self._indicators = {indicator.id: indicator for indicator in self.indicators}
        tables = {indicator.ref for indicator in self.indicators}
        self._refs = frozenset(self._lessons) | frozenset(self._questions) | tables

    # Lookups return None for an unknown ref so callers can validate citations with them.
    def lesson(self, ref: str) -> Lesson | None:
        return self._lessons.get(ref)

    def question(self, ref: str) -> Question | None:
        return self._questions.get(ref)

    def indicator(self, indicator_id: str) -> Indicator | None:
        return self._indicators.get(indicator_id)

    def refs(self) -> frozenset[str]:
        """Every citable reference: lessons, questions, their bullets and tables."""
        return self._refs

    def has_ref(self, ref: str) -> bool:
        return ref in self._refs

    def questions_for(self, component_type: str) -> tuple[Question, ...]:
        """Top-level questions that concern `component_type` (or ``programme``)."""
        _check_term(component_type, APPLIES_TO, "component type")
        return tuple(
            q for q in self.questions if q.parent is None and component_type in q.applies_to
        )

    def indicators_for(
        self, component_type: str, categories: Iterable[str] | None = None
    ) -> tuple[Indicator, ...]:
        """Sample indicators for `component_type`, optionally only the given categories."""
        _check_term(component_type, APPLIES_TO, "component type")
        wanted = None if categories is None else frozenset(categories)
        for category in wanted or ():
            _check_term(category, CATEGORIES, "indicator category")
        return tuple(
            i
            for i in self.indicators
            if component_type in i.applies_to and (wanted is None or i.category in wanted)
        )


def _check_term(term: str, vocabulary: frozenset[str], what: str) -> None:
    if term not in vocabulary:
        raise ValueError(f"unknown {what} {term!r}; expected one of {sorted(vocabulary)}")


def load_knowledge(dirs: Sequence[Path] | None = None) -> KnowledgeBase:
    """Load and validate every ``*.yaml`` bank in `dirs` (default: the bundled banks)."""
    loader = _Loader()
    for directory in map(Path, dirs if dirs is not None else [data_dir("question_banks")]):
        if not directory.is_dir():
            raise KnowledgeError(directory, None, "directory", "not a directory")
        for path in sorted(directory.glob("*.yaml")):
            loader.load_file(path)
    return KnowledgeBase(loader.lessons, loader.questions, loader.indicators)


@functools.cache
def bundled_knowledge() -> KnowledgeBase:
    """The bundled banks, loaded once per process."""
    return load_knowledge()


def _line(node: Any, key: str | int | None = None) -> int | None:
    """1-based line of `node` (or of its key / list item), from ruamel's round-trip data."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    if isinstance(key, int):
        return lc.item(key)[0] + 1
    if key is not None and key in node:
        return lc.key(key)[0] + 1
    return lc.line + 1




class _Loader:
    """Accumulates entries across files so duplicates are caught between files too."""

    def __init__(self) -> None:
        self.lessons: list[Lesson] = []
        self.questions: list[Question] = []
        self.indicators: list[Indicator] = []
        self._seen: dict[str, str] = {}  # ref or id -> "file:line" of its first definition
        self._yaml = YAML(typ="rt")
        self.path = Path()  # the file being read, for error messages

    def load_file(self, path: Path) -> None:
        """Read one file: fast C loader first; on any problem, again in round-trip mode so the
        error names its line (the fast loader keeps no positions)."""
        self.path = path
        text = path.read_text(encoding="utf-8")
        saved = (len(self.lessons), len(self.questions), len(self.indicators), dict(self._seen))
        try:
            self._read_document(prebuilt.load(text))
            return
        except (KnowledgeError, YAMLError, ValueError):
            self._restore(saved)
        try:
            document = self._yaml.load(text)
        except MarkedYAMLError as error:
            line = error.problem_mark.line + 1 if error.problem_mark else None
            raise KnowledgeError(path, line, "yaml", str(error.problem)) from error
        self._read_document(document)

    def _restore(self, saved: tuple[int, int, int, dict[str, str]]) -> None:
        lessons, questions, indicators, seen = saved
        del self.lessons[lessons:], self.questions[questions:], self.indicators[indicators:]
        self._seen = seen

    def _read_document(self, document: Any) -> None:
        path = self.path
        if not isinstance(document, dict):
            raise KnowledgeError(path, 1, "file", "expected a mapping at the top level")
        self._check_keys(document, "file", required=(), allowed=_TOP_KEYS)
        for key, read in (
            ("lessons", self._read_lesson),
            ("questions", self._read_question),
            ("indicators", self._read_indicator),
        ):
            if key in document:
                entries = document[key]
                if not isinstance(entries, list):
                    raise KnowledgeError(path, _line(document, key), key, "expected a list")
                for index in range(len(entries)):
                    read(self._mapping(entries, index, f"{key}[{index}]"))

    # -- entries ------------------------------------------------------------------------

    def _read_lesson(self, node: dict) -> None:
        ref, section = self._head(
            node, "L", {"ref", "section", "summary"}, {"items", "not_checkable"}
        )
        bullets = [
            Lesson(
                item_ref,
                section,
                self._text(item, "summary"),
                self._optional_text(item, "not_checkable"),
                parent=ref,
            )
            for item_ref, item in self._bullets(node, ref, "summary")
        ]
        self.lessons.append(
            Lesson(
                ref,
                section,
                self._text(node, "summary"),
                self._optional_text(node, "not_checkable"),
                items=tuple(bullet.ref for bullet in bullets),
            )
        )
        self.lessons.extend(bullets)

    def _read_question(self, node: dict) -> None:
        ref, section = self._head(
            node, "Q", {"ref", "section", "text", "applies_to"}, {"items", "not_checkable"}
        )
        applies_to = self._terms(node, "applies_to", APPLIES_TO, ref)
        bullets = [
            Question(
                item_ref,
                section,
                self._text(item, "text"),
                applies_to,
                self._optional_text(item, "not_checkable"),
                parent=ref,
            )
            for item_ref, item in self._bullets(node, ref, "text")
        ]
        self.questions.append(
            Question(
                ref,
                section,
                self._text(node, "text"),
                applies_to,
                self._optional_text(node, "not_checkable"),
                items=tuple(b.ref for b in bullets),
            )
        )
        self.questions.extend(bullets)

    def _read_indicator(self, node: dict) -> None:
        keys = {
            "id",
            "ref",
            "section",
            "text",
            "category",
            "table_category",
            "level",
            "methods",
            "applies_to",
        }
        ref, section = self._head(node, "E", keys, set())
        indicator_id = self._text(node, "id")
        match = INDICATOR_ID_RE.match(indicator_id)
        if not match:
            self._fail(node, "id", indicator_id, "malformed id, expected IND-<section 3-9>-<nn>")
        if int(match["section"]) != section:
            self._fail(node, "id", indicator_id, f"id does not match section {section}")
        self._claim(indicator_id, node)
        self.indicators.append(
            Indicator(
                indicator_id,
                ref,
                section,
                self._text(node, "text"),
                self._term(node, "category", CATEGORIES, indicator_id),
                self._text(node, "table_category"),
                self._term(node, "level", LEVELS, indicator_id),
                self._terms(node, "methods", METHODS, indicator_id),
                self._terms(node, "applies_to", APPLIES_TO, indicator_id),
            )
        )

    # -- shared checks --------------------------------------------------------------------

    def _head(
        self, node: dict, kind: str, required: set[str], optional: set[str]
    ) -> tuple[str, int]:
        """Check keys, ``ref`` and ``section`` of a top-level entry; claim its ref."""
        name = self._name(node)
        self._check_keys(node, name, required=required, allowed=required | optional)
        ref = self._text(node, "ref")
        section = node["section"]
        if not isinstance(section, int) or isinstance(section, bool) or not 1 <= section <= 9:
            self._fail(node, "section", name, f"section must be an integer 1-9, got {section!r}")
        match = REF_RE.match(ref)
        if not match or match["bullet"] or (match["kind"] or match["table"]) != kind:
            shape = {"L": "ICAT-<s>.L<n>", "Q": "ICAT-<s>.Q<n>", "E": "ICAT-<s>.E"}[kind]
            self._fail(node, "ref", name, f"malformed ref {ref!r}, expected {shape}")
        if int(match["section"]) != section:
            self._fail(node, "ref", name, f"ref {ref} is not in section {section}")
        if kind != "E":
            self._claim(ref, node)
        return ref, section

    def _bullets(self, node: dict, ref: str, text_key: str) -> list[tuple[str, dict]]:
        """The entry's bullets, whose refs must be ``<ref>.a``, ``<ref>.b``, ... in order."""
        if "items" not in node:
            return []
        items = node["items"]
        if not isinstance(items, list) or not items:
            self._fail(node, "items", ref, "items must be a non-empty list")
        bullets = []
        for index, item in enumerate(items):
            expected = f"{ref}.{chr(ord('a') + index)}"
            item = self._mapping(items, index, f"{ref} item {index + 1}")
            keys = {"ref", text_key}
            self._check_keys(item, expected, required=keys, allowed=keys | {"not_checkable"})
            item_ref = self._text(item, "ref")
            if not REF_RE.match(item_ref):
                self._fail(item, "ref", expected, f"malformed ref {item_ref!r}")
            if item_ref != expected:
                self._fail(item, "ref", expected, f"bullet ref {item_ref} should be {expected}")
            self._claim(item_ref, item)
            bullets.append((item_ref, item))
        return bullets

    def _claim(self, ref: str, node: dict) -> None:
        where = f"{self.path}:{_line(node)}"
        if ref in self._seen:
            self._fail(node, None, ref, f"duplicate, first defined at {self._seen[ref]}")
        self._seen[ref] = where

    def _check_keys(
        self, node: dict, name: str, required: Iterable[str], allowed: frozenset[str] | set[str]
    ) -> None:
        for key in node:
            if key not in allowed:
                self._fail(node, key, name, f"unknown key {key!r}; allowed: {sorted(allowed)}")
        for key in required:
            if key not in node:
                self._fail(node, None, name, f"missing key {key!r}")

    def _mapping(self, seq: list, index: int, name: str) -> dict:
        node = seq[index]
        if not isinstance(node, dict):
            raise KnowledgeError(self.path, _line(seq, index), name, "expected a mapping")
        return node

    def _text(self, node: dict, key: str) -> str:
        value = node[key]
        if not isinstance(value, str) or not value.strip():
            self._fail(node, key, self._name(node), f"{key} must be a non-empty string")
        return " ".join(value.split())

    def _optional_text(self, node: dict, key: str) -> str | None:
        return self._text(node, key) if key in node else None

    def _term(self, node: dict, key: str, vocabulary: frozenset[str], name: str) -> str:
        value = node[key]
        if not isinstance(value, str) or value not in vocabulary:
            self._fail(node, key, name, f"unknown {key} {value!r}; allowed: {sorted(vocabulary)}")
        return value

    def _terms(
        self, node: dict, key: str, vocabulary: frozenset[str], name: str
    ) -> tuple[str, ...]:
        values = node[key]
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(value, str) for value in values)
            or len(set(values)) != len(values)
        ):
            self._fail(node, key, name, f"{key} must be a non-empty list without repeats")
        for value in values:
            if value not in vocabulary:
                self._fail(
                    node, key, name, f"unknown {key} term {value!r}; allowed: {sorted(vocabulary)}"
                )
        return tuple(values)

    def _name(self, node: dict) -> str:
        """How an error names an entry: its id or ref, else its position."""
        for key in ("id", "ref"):
            if isinstance(node.get(key), str):
                return node[key]
        return f"entry at line {_line(node)}"

    def _fail(self, node: dict, key: str | None, name: str, message: str) -> NoReturn:
        raise KnowledgeError(self.path, _line(node, key), name, message)
