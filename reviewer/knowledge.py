"""The knowledge base: ICAT's lessons, questions, sample indicators and notes, and the other
sources rules cite, all paraphrased.

The banks are data (``question_banks/*.yaml``, scheme in its README). Rules and reports
cite their references (``ICAT-3.L2.b``, ``ICAT-7.Q2``, ``ICAT-8.E``, ``ICAT-2.N16``,
``CETS-197.art13``), so loading is strict: any unknown key, duplicate, malformed reference,
dangling link or unknown vocabulary term raises a ``KnowledgeError`` naming the file, line
and item, before a wrong citation can reach a user.
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
from reviewer.spelling import did_you_mean

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

# ICAT references: ICAT-<s>.L<n> / .Q<n> (with .<letter> for a bullet), ICAT-<s>.E (the
# evaluation table), ICAT-<s>.I (the section's introduction), ICAT-<s>.N<n> (footnote n of the
# toolkit, numbered as in the toolkit, in the section where it appears) and ICAT-0.U<n> (the
# "How to use this document" guidance).
REF_RE = re.compile(
    r"^ICAT-(?:0\.U(?P<use>[1-9])"
    r"|(?P<section>[1-9])\."
    r"(?:(?P<kind>[LQ])(?P<number>[1-9][0-9]*)(?:\.(?P<bullet>[a-z]))?"
    r"|(?P<table>E)|(?P<intro>I)|N(?P<note>[1-9][0-9]*)))$"
)
INDICATOR_ID_RE = re.compile(r"^IND-(?P<section>[3-9])-(?P<number>[0-9]{2})$")
# Other sources: an id such as CETS-197 or OHCHR-2002; a part is the id, then '.' (or '-',
# for IATI's element paths) and the part's label: CETS-197.art13, IATI-result.type.
SOURCE_ID_RE = re.compile(r"^(?!ICAT-|IND-)[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
SOURCE_PART_RE = re.compile(r"^[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*$")
SOURCE_KINDS = frozenset({"standard", "guidance", "data_standard", "research"})

_TOP_KEYS = frozenset({"source", "lessons", "questions", "indicators", "notes", "sources"})


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
    # Steps of the chain this indicator cannot stand in for, where ICAT's table says so for
    # its row (e.g. reach "does not show that people took the messages on board").
    not_a_proxy_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class Note:
    """An ICAT passage outside lessons, questions and tables that carries design content:
    "How to use" guidance (ICAT-0.U<n>), a section introduction (ICAT-<s>.I) or a footnote
    (ICAT-<s>.N<n>, ``attached_to`` the lesson, question or table it annotates, if any)."""

    ref: str
    section: int  # 0 for the "How to use" guidance
    summary: str
    attached_to: str | None = None
    not_checkable: str | None = None

    @property
    def label(self) -> str:
        """How a reader names it: 'How to use the toolkit', 'footnote 16', 'introduction'."""
        match = REF_RE.match(self.ref)
        if match and match["use"]:
            return "How to use the toolkit"
        if match and match["note"]:
            return f"footnote {match['note']}"
        return f"section {self.section} introduction"


@dataclass(frozen=True)
class SourcePart:
    """A citable part of another source (an article, principle, chapter or element)."""

    ref: str
    source: str  # the source's id
    summary: str


@dataclass(frozen=True)
class Source:
    """A source other than ICAT that rules rest on: a standard, guidance, data standard or
    piece of research, with its paraphrased summary and citable parts."""

    id: str
    kind: str
    short: str  # how reports name it, e.g. 'Council of Europe Convention (CETS 197)'
    title: str
    author: str
    year: int
    summary: str
    url: str = ""
    in_icat: str = ""  # where ICAT itself points to it, if it does
    parts: tuple[SourcePart, ...] = ()

    @property
    def citation(self) -> str:
        """The full reference: 'Council of Europe (2005), Council of Europe Convention ...'."""
        return f"{self.author} ({self.year}), {self.title}"

    @property
    def label(self) -> str:
        """How a report names it in passing: 'Council of Europe Convention (CETS 197), 2005'."""
        return f"{self.short}, {self.year}"


class KnowledgeBase:
    """Lookup over the loaded banks; entries keep the order of the files."""

    def __init__(
        self,
        lessons: Iterable[Lesson],
        questions: Iterable[Question],
        indicators: Iterable[Indicator],
        notes: Iterable[Note] = (),
        sources: Iterable[Source] = (),
    ) -> None:
        self.lessons = tuple(lessons)
        self.questions = tuple(questions)
        self.indicators = tuple(indicators)
        self.notes = tuple(notes)
        self.sources = tuple(sources)
        self._lessons = {lesson.ref: lesson for lesson in self.lessons}
        self._questions = {question.ref: question for question in self.questions}
        self._indicators = {indicator.id: indicator for indicator in self.indicators}
        self._notes = {note.ref: note for note in self.notes}
        self._sources = {source.id: source for source in self.sources}
        self._parts = {part.ref: part for source in self.sources for part in source.parts}
        tables = {indicator.ref for indicator in self.indicators}
        self._refs = (
            frozenset(self._lessons) | frozenset(self._questions) | tables | frozenset(self._notes)
        )

    # Lookups return None for an unknown ref so callers can validate citations with them.
    def lesson(self, ref: str) -> Lesson | None:
        return self._lessons.get(ref)

    def question(self, ref: str) -> Question | None:
        return self._questions.get(ref)

    def indicator(self, indicator_id: str) -> Indicator | None:
        return self._indicators.get(indicator_id)

    def note(self, ref: str) -> Note | None:
        return self._notes.get(ref)

    def source(self, source_id: str) -> Source | None:
        return self._sources.get(source_id)

    def source_of(self, ref: str) -> Source | None:
        """The source a reference belongs to: the source itself, or the one a part is of."""
        part = self._parts.get(ref)
        return self._sources.get(part.source if part else ref)

    def refs(self) -> frozenset[str]:
        """Every ICAT reference: lessons, questions, their bullets, tables and notes."""
        return self._refs

    def has_ref(self, ref: str) -> bool:
        """Whether `ref` is an ICAT reference of the banks."""
        return ref in self._refs

    def resolves(self, ref: str) -> bool:
        """Whether `ref` names anything a rule may cite: ICAT, or another source or its part."""
        return ref in self._refs or ref in self._sources or ref in self._parts

    def citable(self) -> frozenset[str]:
        """Everything `resolves` accepts (for did-you-mean hints)."""
        return self._refs | frozenset(self._sources) | frozenset(self._parts)

    def is_footnote(self, ref: str) -> bool:
        match = REF_RE.match(ref)
        return bool(match and match["note"])

    def describe(self, ref: str) -> str:
        """The paraphrased text of any reference ('' when unknown); a bullet or a source's
        part is read with what it belongs to."""
        if lesson := self._lessons.get(ref):
            return lesson.summary
        if question := self._questions.get(ref):
            return question.text
        if note := self._notes.get(ref):
            return f"({note.label}) {note.summary}"
        if part := self._parts.get(ref):
            return part.summary
        if source := self._sources.get(ref):
            return f"{source.citation}. {source.summary}"
        match = REF_RE.match(ref)
        if match and match["table"]:
            return f"Sample indicators of the section {match['section']} evaluation table"
        return ""

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
    loader.check_links()
    return KnowledgeBase(
        loader.lessons, loader.questions, loader.indicators, loader.notes, loader.sources
    )


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
        self.notes: list[Note] = []
        self.sources: list[Source] = []
        self._seen: dict[str, str] = {}  # ref or id -> "file:line" of its first definition
        self._files: dict[str, Path] = {}  # ref -> file, for links checked after loading
        self._yaml = YAML(typ="rt")
        self.path = Path()  # the file being read, for error messages

    def _entries(self) -> tuple[list, ...]:
        return self.lessons, self.questions, self.indicators, self.notes, self.sources

    def load_file(self, path: Path) -> None:
        """Read one file: fast C loader first; on any problem, again in round-trip mode so the
        error names its line (the fast loader keeps no positions)."""
        self.path = path
        text = path.read_text(encoding="utf-8")
        saved = ([len(entries) for entries in self._entries()], dict(self._seen))
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

    def _restore(self, saved: tuple[list[int], dict[str, str]]) -> None:
        lengths, seen = saved
        for entries, length in zip(self._entries(), lengths, strict=True):
            del entries[length:]
        self._seen = seen

    def check_links(self) -> None:
        """Links between banks, checked once every file is read: a note's ``attached_to``
        names a lesson, question or table; rows of one indicator-table category carry the
        same ``not_a_proxy_for`` caveat."""
        targets = {e.ref for e in self.lessons + self.questions} | {i.ref for i in self.indicators}
        for note in self.notes:
            if note.attached_to is not None and note.attached_to not in targets:
                self._fail_later(
                    note.ref,
                    f"attached_to {note.attached_to!r} is not a lesson, question or table"
                    + did_you_mean(note.attached_to, targets),
                )
        caveats: dict[tuple[str, str], Indicator] = {}
        for indicator in self.indicators:
            first = caveats.setdefault((indicator.ref, indicator.table_category), indicator)
            if first.not_a_proxy_for != indicator.not_a_proxy_for:
                self._fail_later(
                    indicator.id,
                    f"not_a_proxy_for differs from {first.id}'s, in the same table category "
                    f"'{indicator.table_category}' of {indicator.ref}",
                )

    def _fail_later(self, ref: str, message: str) -> NoReturn:
        """Fail on an entry after loading: its line is found again in its file's text."""
        path = self._files[ref]
        lines = path.read_text(encoding="utf-8").splitlines()
        pattern = re.compile(rf"^\s*-?\s*(?:ref|id):\s*['\"]?{re.escape(ref)}['\"]?\s*$")
        line = next((n for n, text in enumerate(lines, 1) if pattern.match(text)), None)
        raise KnowledgeError(path, line, ref, message)

    def _read_document(self, document: Any) -> None:
        path = self.path
        if not isinstance(document, dict):
            raise KnowledgeError(path, 1, "file", "expected a mapping at the top level")
        self._check_keys(document, "file", required=(), allowed=_TOP_KEYS)
        for key, read in (
            ("lessons", self._read_lesson),
            ("questions", self._read_question),
            ("indicators", self._read_indicator),
            ("notes", self._read_note),
            ("sources", self._read_source),
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
        ref, section = self._head(node, "E", keys, {"not_a_proxy_for"})
        indicator_id = self._text(node, "id")
        match = INDICATOR_ID_RE.match(indicator_id)
        if not match:
            self._fail(node, "id", indicator_id, "malformed id, expected IND-<section 3-9>-<nn>")
        if int(match["section"]) != section:
            self._fail(node, "id", indicator_id, f"id does not match section {section}")
        self._claim(indicator_id, node)
        category = self._term(node, "category", CATEGORIES, indicator_id)
        not_a_proxy_for = ()
        if "not_a_proxy_for" in node:
            not_a_proxy_for = self._terms(node, "not_a_proxy_for", CATEGORIES, indicator_id)
            if category in not_a_proxy_for:
                self._fail(node, "not_a_proxy_for", indicator_id, "names its own category")
        self.indicators.append(
            Indicator(
                indicator_id,
                ref,
                section,
                self._text(node, "text"),
                category,
                self._text(node, "table_category"),
                self._term(node, "level", LEVELS, indicator_id),
                self._terms(node, "methods", METHODS, indicator_id),
                self._terms(node, "applies_to", APPLIES_TO, indicator_id),
                not_a_proxy_for,
            )
        )

    def _read_note(self, node: dict) -> None:
        name = self._name(node)
        required = {"ref", "section", "summary"}
        self._check_keys(
            node, name, required=required, allowed=required | {"attached_to", "not_checkable"}
        )
        ref = self._text(node, "ref")
        match = REF_RE.match(ref)
        if not match or not (match["use"] or match["intro"] or match["note"]):
            self._fail(
                node,
                "ref",
                name,
                f"malformed ref {ref!r}, expected ICAT-0.U<n>, ICAT-<s>.I or ICAT-<s>.N<n>",
            )
        section = node["section"]
        expected = 0 if match["use"] else int(match["section"])
        if not isinstance(section, int) or isinstance(section, bool) or section != expected:
            self._fail(
                node, "section", name, f"ref {ref} is in section {expected}, not {section!r}"
            )
        self._claim(ref, node)
        self.notes.append(
            Note(
                ref,
                section,
                self._text(node, "summary"),
                self._optional_text(node, "attached_to"),
                self._optional_text(node, "not_checkable"),
            )
        )

    def _read_source(self, node: dict) -> None:
        name = self._name(node)
        required = {"id", "kind", "short", "title", "author", "year", "summary"}
        optional = {"url", "in_icat", "parts"}
        self._check_keys(node, name, required=required, allowed=required | optional)
        source_id = self._text(node, "id")
        if not SOURCE_ID_RE.match(source_id):
            self._fail(
                node, "id", name, "malformed source id, expected e.g. CETS-197 or OHCHR-2002"
            )
        year = node["year"]
        if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2100:
            self._fail(node, "year", name, f"year must be a four-digit year, got {year!r}")
        self._claim(source_id, node)
        self.sources.append(
            Source(
                source_id,
                self._term(node, "kind", SOURCE_KINDS, source_id),
                self._text(node, "short"),
                self._text(node, "title"),
                self._text(node, "author"),
                year,
                self._text(node, "summary"),
                self._optional_text(node, "url") or "",
                self._optional_text(node, "in_icat") or "",
                self._source_parts(node, source_id),
            )
        )

    def _source_parts(self, node: dict, source_id: str) -> tuple[SourcePart, ...]:
        """A source's parts, each ``<id>.<label>`` (or ``<id>-<label>`` for IATI's paths)."""
        if "parts" not in node:
            return ()
        items = node["parts"]
        if not isinstance(items, list) or not items:
            self._fail(node, "parts", source_id, "parts must be a non-empty list")
        parts = []
        for index in range(len(items)):
            item = self._mapping(items, index, f"{source_id} part {index + 1}")
            self._check_keys(
                item, source_id, required={"ref", "summary"}, allowed={"ref", "summary"}
            )
            ref = self._text(item, "ref")
            label = ref[len(source_id) + 1 :]
            if ref[: len(source_id) + 1] not in (f"{source_id}.", f"{source_id}-") or not (
                SOURCE_PART_RE.match(label)
            ):
                self._fail(item, "ref", ref, f"a part's ref is {source_id}.<part>, got {ref!r}")
            self._claim(ref, item)
            parts.append(SourcePart(ref, source_id, self._text(item, "summary")))
        return tuple(parts)

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
        self._files[ref] = self.path

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
