"""Load and validate rule packs: YAML files of rules that domain experts read and edit.

A rule pack is a directory of ``*.yaml`` files, each holding ``rules:``, a list of rules (see
docs/writing-rules.md). Every rule is checked when loaded: its keys, its condition against the
fields facts carry, its ICAT references, question and indicator ids, its message placeholders.
All problems are reported at once, each naming the file, line and rule id.
"""

from __future__ import annotations

import hashlib
import re
import stat
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.error import YAMLError

from reviewer import prebuilt
from reviewer.conditions import check_condition
from reviewer.engine import size_problem
from reviewer.facts import ENTITIES, fact_fields
from reviewer.knowledge import KnowledgeBase
from reviewer.loader import DEFAULT_MAX_BYTES, InputError, load_document
from reviewer.schema import to_plain

SEVERITIES = ("error", "warning", "info")
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*-[0-9]{3}$")
REF_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*-[0-9A-Za-z.]+$")
_REQUIRED = ("id", "title", "severity", "applies_to", "when", "message", "rationale", "icat")
_OPTIONAL = ("questions", "indicators", "fix", "locate", "examples", "tags")
_PLACEHOLDER_FIELDS = ("label", "id", "key")


class RuleError(Exception):
    """Rule packs that cannot be used; str() lists every problem, one per line."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue, as written in its pack."""

    id: str
    title: str
    severity: str
    applies_to: str
    when: Mapping[str, Any] = field(hash=False)
    message: str
    rationale: str
    icat: tuple[str, ...]
    questions: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    fix: str = ""
    locate: str = ""
    examples_fail: tuple[Mapping[str, Any], ...] = field(default=(), hash=False)
    examples_pass: tuple[Mapping[str, Any], ...] = field(default=(), hash=False)
    tags: tuple[str, ...] = ()
    file: str = ""
    line: int = 0

    @property
    def sections(self) -> tuple[str, ...]:
        """ICAT sections the rule rests on, e.g. ('3',), in reference order."""
        found = [
            ref.split("-", 1)[1].split(".", 1)[0] for ref in self.icat if ref.startswith("ICAT-")
        ]
        return tuple(dict.fromkeys(found))

    def render_message(self, values: Mapping[str, Any]) -> str:
        """The message with placeholders filled; lists read as 'a, b', absent fields as ''."""
        readable = {
            key: ", ".join(map(str, value)) if isinstance(value, list) else value
            for key, value in values.items()
        }
        return string.Formatter().vformat(self.message, (), _Defaulting(readable))


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class Catalogue:
    """The rules of one or more packs, in id order, with a version for provenance."""

    rules: tuple[Rule, ...]
    version: str

    def get(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)


def load_catalogue(dirs: Iterable[Path], knowledge: KnowledgeBase) -> Catalogue:
    """Load and validate every pack; raise RuleError listing all problems."""
    rules: list[Rule] = []
    problems: list[str] = []
    digest = hashlib.sha256()
    for path in _pack_files(dirs, problems):
        digest.update(path.read_bytes())
        loaded, file_problems = _load_file(path, knowledge)
        rules.extend(loaded)
        problems.extend(file_problems)
    problems.extend(_duplicate_ids(rules))
    if problems:
        raise RuleError(problems)
    return Catalogue(tuple(sorted(rules, key=lambda r: r.id)), digest.hexdigest()[:12])


def _pack_files(dirs: Iterable[Path], problems: list[str]) -> list[Path]:
    files: list[Path] = []
    for directory in dirs:
        directory = Path(directory)
        if not directory.is_dir():
            problems.append(
                f"{directory}: rule directory not found (give a folder of *.yaml rule files)"
            )
            continue
        for path in sorted(directory.glob("*.yaml")):
            unusable = _unusable_pack_file(path)
            if unusable:
                problems.append(f"{path}: {unusable}")
            else:
                files.append(path)
    return files


def _unusable_pack_file(path: Path) -> str | None:
    """Why a rule file must not be read: a pipe or a link to a device named like a rule file
    would block the run or never end, and a huge file would fill memory."""
    try:
        info = path.stat()
    except OSError as error:
        return f"the rule file cannot be read ({error.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return "this is not a regular file (a rule file is a YAML text file)"
    if info.st_size > DEFAULT_MAX_BYTES:
        return f"the rule file is larger than the limit of {DEFAULT_MAX_BYTES:,} bytes"
    return None


def _load_file(path: Path, knowledge: KnowledgeBase) -> tuple[list[Rule], list[str]]:
    """Rules of one file. A clean file is read with the fast C loader (rule line numbers come
    from a scan of the text); any problem sends it through the guarded round-trip loader, so
    every message carries its exact position."""
    fast = _fast_parse(path)
    if fast is not None:
        data, starts = fast
        rules, problems = _rules_of(str(path), data, starts.__getitem__, knowledge)
        if not problems:
            return rules, []
    try:
        doc = load_document(path)
    except InputError as error:
        return [], [str(error)]

    def where(index: int) -> tuple[int, int]:
        loc = doc.location(("rules", index))
        return loc.line, loc.column

    return _rules_of(doc.path, doc.data, where, knowledge)


_RULE_START = re.compile(r"^( *- +)id:", re.MULTILINE)
_ANCHOR_OR_TAG = re.compile(r"(^|[\s\[{,:-])[&*!]\S", re.MULTILINE)


def _fast_parse(path: Path) -> tuple[Any, list[tuple[int, int]]] | None:
    """The file's data and each rule's (line, column), or None where the careful path is
    needed: anchors, aliases or tags (refused there), odd layouts, or any parse error."""
    try:
        if path.stat().st_size > DEFAULT_MAX_BYTES:
            return None
        text = path.read_text(encoding="utf-8")
        if _ANCHOR_OR_TAG.search(text):
            return None
        data = prebuilt.load(text)
    except (OSError, UnicodeDecodeError, YAMLError, ValueError):
        return None
    rules = data.get("rules") if isinstance(data, Mapping) else None
    matches = list(_RULE_START.finditer(text))
    indent = min((len(m.group(1)) for m in matches), default=0)  # rules, not nested example ids
    starts = [
        (text.count("\n", 0, m.start()) + 1, indent + 1)
        for m in matches
        if len(m.group(1)) == indent
    ]
    if not isinstance(rules, list) or len(starts) != len(rules):
        return None
    return data, starts


def _rules_of(
    path: str, data: Any, where: Callable[[int], tuple[int, int]], knowledge: KnowledgeBase
) -> tuple[list[Rule], list[str]]:
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        return [], [f"{path}:1:1: a rule file is a mapping with a 'rules:' list"]
    unknown = sorted(set(data) - {"rules", "description"})
    problems = [
        f"{path}:1:1: unknown top-level key '{key}' (expected 'rules' and optionally 'description')"
        for key in unknown
    ]
    rules = []
    for index, raw in enumerate(data["rules"]):
        rule, rule_problems = _load_rule(path, where(index), raw, knowledge)
        problems.extend(rule_problems)
        if rule:
            rules.append(rule)
    return rules, problems


def _load_rule(
    path: str, where: tuple[int, int], raw: Any, knowledge: KnowledgeBase
) -> tuple[Rule | None, list[str]]:
    line, column = where
    rule_id = str(raw.get("id", "?")) if isinstance(raw, Mapping) else "?"
    prefix = f"{path}:{line}:{column}: rule {rule_id}: "
    if not isinstance(raw, Mapping):
        return None, [prefix + "a rule is a mapping of keys (id, title, severity, ...)"]
    plain = to_plain(raw)
    problems = [prefix + p for p in _rule_problems(plain, knowledge)]
    if problems:
        return None, problems
    examples = plain.get("examples") or {}
    rule = Rule(
        id=plain["id"],
        title=plain["title"],
        severity=plain["severity"],
        applies_to=plain["applies_to"],
        when=plain["when"],
        message=plain["message"],
        rationale=" ".join(plain["rationale"].split()),
        icat=tuple(plain["icat"]),
        questions=tuple(plain.get("questions", ())),
        indicators=tuple(plain.get("indicators", ())),
        fix=" ".join(plain.get("fix", "").split()),
        locate=plain.get("locate", ""),
        examples_fail=tuple(examples.get("fail", ())),
        examples_pass=tuple(examples.get("pass", ())),
        tags=tuple(plain.get("tags", ())),
        file=path,
        line=line,
    )
    return rule, []


def _rule_problems(raw: Mapping[str, Any], knowledge: KnowledgeBase) -> list[str]:
    problems = [f"missing key '{key}'" for key in _REQUIRED if key not in raw]
    problems += [
        f"unknown key '{key}' (allowed: {', '.join(_REQUIRED + _OPTIONAL)})"
        for key in raw
        if key not in _REQUIRED + _OPTIONAL
    ]
    if problems:
        return problems
    if not RULE_ID.match(str(raw["id"])):
        problems.append(f"id {raw['id']!r} must look like ABC-001 (letters, a dash, three digits)")
    if raw["severity"] not in SEVERITIES:
        problems.append(f"severity {raw['severity']!r} must be one of {', '.join(SEVERITIES)}")
    if raw["applies_to"] not in ENTITIES:
        problems.append(f"applies_to {raw['applies_to']!r} must be one of {', '.join(ENTITIES)}")
        return problems
    fields = fact_fields(raw["applies_to"])
    condition_errors = check_condition(raw["when"], fields)
    problems += [f"when: {error}" for error in condition_errors]
    if not condition_errors and (too_big := size_problem(raw["when"])):
        problems.append(f"when: {too_big}")
    problems += _placeholder_problems(str(raw["message"]), fields)
    problems += _reference_problems(raw, knowledge)
    problems += _example_shape_problems(raw.get("examples"))
    return problems


def _placeholder_problems(message: str, fields: Mapping[str, Any]) -> list[str]:
    try:
        placeholders = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(message)
            if name is not None
        ]
    except ValueError as error:
        return [f"message: {error} (use {{label}} style placeholders; write {{{{ for a brace)"]
    # A format spec such as {label:>999999999} would build a gigabyte string per finding.
    problems = [
        f"message: placeholder {{{name}}} takes no format or conversion; write {{{name}}}"
        for name, spec, conversion in placeholders
        if spec or conversion
    ]
    return problems + [
        f"message: unknown placeholder {{{name}}} (use {', '.join(_PLACEHOLDER_FIELDS)} "
        f"or a field of the fact)"
        for name, _, _ in placeholders
        if name not in _PLACEHOLDER_FIELDS and name not in fields
    ]


def _reference_problems(raw: Mapping[str, Any], knowledge: KnowledgeBase) -> list[str]:
    problems = []
    for key, known in (
        ("icat", knowledge.has_ref),
        ("questions", lambda ref: knowledge.question(ref) is not None),
        ("indicators", lambda ref: knowledge.indicator(ref) is not None),
    ):
        values = raw.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            problems.append(f"{key} must be a list of ids")
            continue
        problems += [
            f"{key}: unknown reference {value!r}"
            for value in values
            if not (known(value) or _external_ref(key, value))
        ]
    if not raw.get("icat"):
        problems.append("icat: a rule cites at least one reference it rests on")
    return problems


def _external_ref(key: str, value: str) -> bool:
    """References to other sources (e.g. IATI-..., ICMPD-...) are allowed in `icat`."""
    return key == "icat" and not value.startswith("ICAT-") and bool(REF_PATTERN.match(value))


def _example_shape_problems(examples: Any) -> list[str]:
    if examples is None:
        return []
    if not isinstance(examples, Mapping) or set(examples) - {"fail", "pass"}:
        return ["examples: a mapping with 'fail' and/or 'pass' lists of proposal snippets"]
    return [
        f"examples: {kind}[{i}] must be a mapping of proposal keys"
        for kind in ("fail", "pass")
        for i, snippet in enumerate(examples.get(kind) or [])
        if not isinstance(snippet, Mapping)
    ]


def _duplicate_ids(rules: Sequence[Rule]) -> list[str]:
    seen: dict[str, Rule] = {}
    problems = []
    for rule in rules:
        if rule.id in seen:
            first = seen[rule.id]
            problems.append(
                f"{rule.file}:{rule.line}:1: rule {rule.id}: duplicate rule id "
                f"(also at {first.file}:{first.line})"
            )
        else:
            seen[rule.id] = rule
    return problems
