"""Load and validate rule packs: YAML files of rules that domain experts read and edit.

A rule pack is a directory of ``*.yaml`` files, each holding ``rules:``, a list of rules (see
docs/writing-rules.md). Every rule is checked when loaded: its keys, its condition against the
fields facts carry, its references (each must resolve in the knowledge base, ICAT or another
source), question and indicator ids, its declared basis and kind, its message placeholders.
All problems are reported at once, each naming the file, line and rule id.
"""

from __future__ import annotations

import functools
import hashlib
import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml.error import YAMLError

from reviewer import prebuilt
from reviewer.conditions import check_condition
from reviewer.engine import size_problem
from reviewer.facts import ENTITIES, fact_fields
from reviewer.knowledge import KnowledgeBase
from reviewer.loader import (
    DEFAULT_MAX_BYTES,
    InputError,
    ProblemsError,
    load_document,
    shorten,
    unusable_data_file,
)
from reviewer.paths import data_dir
from reviewer.schema import to_plain
from reviewer.spelling import did_you_mean

SEVERITIES = ("error", "warning", "info")
# What a rule's finding says: `presence`, something the design should state is not stated;
# `content`, what is stated (a label, value, number or the combination of items) is unsound.
KINDS = ("presence", "content")
# Where a rule's judgement comes from (docs/writing-rules.md): ICAT's main text, its
# footnotes, another source of question_banks/sources.yaml, or ctreview's own judgement.
BASIS_TERMS = ("icat", "icat-footnote", "ctreview-judgement")
OTHER_STANDARD = "other-standard:"
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*-[0-9]{3}$")
_REQUIRED = (
    "id", "title", "severity", "applies_to", "when", "message", "rationale", "icat", "kind"
)  # fmt: skip
_OPTIONAL = (
    "basis", "questions", "indicators", "fix", "locate", "examples", "tags", "supersedes"
)  # fmt: skip
_PLACEHOLDER_FIELDS = ("label", "id", "key")


class RuleError(ProblemsError):
    """Rule packs that cannot be used; str() lists every problem, one per line."""


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
    icat: tuple[str, ...]  # what the rule checks: ICAT references and other sources' parts
    questions: tuple[str, ...] = ()  # related ICAT questions to revisit, not checked
    indicators: tuple[str, ...] = ()
    basis: tuple[str, ...] = ()  # () when a funder's rule does not declare it
    kind: str = ""  # presence | content
    fix: str = ""
    locate: str = ""
    examples_fail: tuple[Mapping[str, Any], ...] = field(default=(), hash=False)
    examples_pass: tuple[Mapping[str, Any], ...] = field(default=(), hash=False)
    tags: tuple[str, ...] = ()
    # Rules this one replaces where both hold for the same item: the more specific finding
    # stands for the gap (one finding per gap; checked when the catalogue loads).
    supersedes: tuple[str, ...] = ()
    file: str = ""
    line: int = 0

    @functools.cached_property  # asked for every finding of every report and screening row
    def sections(self) -> tuple[str, ...]:
        """ICAT sections 1-9 the rule checks, e.g. ('3',), in reference order ("How to use
        the toolkit", filed as section 0, is not a section)."""
        found = [
            ref.split("-", 1)[1].split(".", 1)[0] for ref in self.icat if ref.startswith("ICAT-")
        ]
        return tuple(section for section in dict.fromkeys(found) if section != "0")

    @property
    def sources(self) -> tuple[str, ...]:
        """Ids of the other sources the rule declares it rests on (`other-standard:<id>`)."""
        return tuple(
            term[len(OTHER_STANDARD) :] for term in self.basis if term.startswith(OTHER_STANDARD)
        )

    def render_message(
        self, values: Mapping[str, Any], more: Mapping[str, Any] | None = None
    ) -> str:
        """The message with placeholders filled from `values`, then `more` (a finding's fact
        fields, looked up rather than copied); lists read as 'a, b', absent fields as ''."""
        parts = _template(self.message)
        if parts is None:  # conversions or nested fields: the formatter's own way
            readable = {}
            for key in _placeholders(self.message):
                value = _lookup(key, values, more)
                if value is not None:
                    readable[key] = _readable(value)
            return _FORMATTER.vformat(self.message, (), _Defaulting(readable))
        out = []
        for literal, name, spec in parts:
            out.append(literal)
            if name:
                value = _lookup(name, values, more)
                out.append(_format_field("" if value is None else _readable(value), spec))
        return "".join(out)


def _lookup(name: str, values: Mapping[str, Any], more: Mapping[str, Any] | None) -> Any:
    value = values.get(name)
    return more.get(name) if value is None and more is not None else value


def _readable(value: Any) -> Any:
    return ", ".join(map(str, value)) if isinstance(value, list) else value


@lru_cache(maxsize=1024)
def _placeholders(message: str) -> tuple[str, ...]:
    """The field names a message's placeholders read (each message parsed once)."""
    return tuple(name for _, name, _, _ in string.Formatter().parse(message) if name)


@lru_cache(maxsize=1024)
def _template(message: str) -> tuple[tuple[str, str | None, str], ...] | None:
    """A message as (literal text, field name, format spec) parts, parsed once, for filling
    without the formatter's per-call parsing; None where a placeholder has a conversion
    (`{x!r}`), a nested field in its spec, or no name (those go through the formatter)."""
    parts = []
    for literal, name, spec, conversion in string.Formatter().parse(message):
        if conversion or (spec and "{" in spec) or name == "":
            return None
        parts.append((literal, name, spec or ""))
    return tuple(parts)


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _format_field(value: Any, format_spec: str) -> str:
    """Numbers as a reader writes them: 2,120,002 rather than 2120002.0, 78.3 rather than
    78.33333 (years and small counts stay as they are)."""
    if not format_spec and isinstance(value, float) and not isinstance(value, bool):
        value = int(value) if value.is_integer() else round(value, 1)
    if not format_spec and isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    return format(value, format_spec)


class _FieldFormatter(string.Formatter):
    """Placeholders name fact fields, dotted paths included ({awareness.desired_action}):
    the whole name is the key, never attribute or index access."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        return kwargs[field_name], field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        return _format_field(value, format_spec)


_FORMATTER = _FieldFormatter()


@dataclass(frozen=True)
class Catalogue:
    """The rules of one or more packs, in id order, with a version for provenance."""

    rules: tuple[Rule, ...]
    version: str

    def get(self, rule_id: str) -> Rule | None:
        return self._by_id.get(rule_id)

    @functools.cached_property
    def _by_id(self) -> dict[str, Rule]:
        """Rules by id (every finding looks its rule up; a scan of ~300 rules each time was
        measurable)."""
        return {rule.id: rule for rule in self.rules}


def load_catalogue(
    dirs: Iterable[Path], knowledge: KnowledgeBase, *, trust_prebuilt: bool = True
) -> Catalogue:
    """Load and validate every pack; raise RuleError listing all problems. The bundled
    rules must also declare their `basis` (a funder's rules may leave it out).

    The bundled packs are checked rule by rule only when they, the knowledge base, the fact
    fields or the checking code differ from when `reviewer/prebuilt.jsonl` was written (its
    stamp, see `validation_fingerprint`): that check was a tenth of a cold start, and
    `ctreview generate-docs` runs it in full before writing the stamp."""
    rules: list[Rule] = []
    problems: list[str] = []
    digest = hashlib.sha256()
    bundled = data_dir("rules").resolve()
    files = _pack_files(dirs, problems)
    texts = {path: path.read_bytes() for path in files}
    bundled_texts = [text for path, text in texts.items() if path.parent.resolve() == bundled]
    trusted = (
        trust_prebuilt
        and bool(bundled_texts)
        and prebuilt.stamp(VALIDATED_STAMP) == validation_fingerprint(bundled_texts, knowledge)
    )
    for path in files:
        digest.update(texts[path])
        own = path.parent.resolve() == bundled
        checks = _Checks(knowledge, require_basis=own, trusted=trusted and own)
        loaded, file_problems = _load_file(path, checks)
        rules.extend(loaded)
        problems.extend(file_problems)
    problems.extend(_duplicate_ids(rules))
    problems.extend(_supersedes_problems(rules))
    if problems:
        raise RuleError(problems)
    return Catalogue(tuple(sorted(rules, key=lambda r: r.id)), digest.hexdigest()[:12])


VALIDATED_STAMP = "bundled-rules-validated"
_CHECKING_CODE = ("rules.py", "conditions.py", "engine.py")


def validation_fingerprint(rule_texts: Iterable[bytes], knowledge: KnowledgeBase) -> str:
    """What the validity of rule packs depends on: their text, the references the knowledge
    base resolves, the fields facts offer rules, and the code that checks them."""
    digest = hashlib.sha256()
    for text in sorted(hashlib.sha256(text).digest() for text in rule_texts):
        digest.update(text)
    for refs in (
        sorted(knowledge.citable()),
        _question_refs(knowledge)(),
        _indicator_ids(knowledge)(),
    ):
        digest.update("\n".join(refs).encode() + b"\0")
    for entity in ENTITIES:
        digest.update(repr(sorted(fact_fields(entity).items())).encode())
    for name in _CHECKING_CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


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
            unusable = unusable_data_file(path, "rule file")
            if unusable:
                problems.append(f"{path}: {unusable}")
            else:
                files.append(path)
    return files


def _load_file(path: Path, checks: _Checks) -> tuple[list[Rule], list[str]]:
    """Rules of one file. A clean file is read with the fast C loader (rule line numbers come
    from a scan of the text); any problem sends it through the guarded round-trip loader, so
    every message carries its exact position."""
    fast = _fast_parse(path)
    if fast is not None:
        data, starts = fast
        rules, problems = _rules_of(str(path), data, starts.__getitem__, checks)
        if not problems:
            return rules, []
    try:
        doc = load_document(path)
    except InputError as error:
        return [], [str(error)]

    def where(index: int) -> tuple[int, int]:
        loc = doc.location(("rules", index))
        return loc.line, loc.column

    # plain, blanks kept: a rule is read from plain data on both paths (see `_load_rule`)
    return _rules_of(doc.path, to_plain(doc.data, keep_blank=True), where, checks)


_RULE_ITEM = re.compile(r" *- +")  # what opens a line holding a rule's `id:`


def rule_starts(text: str) -> list[tuple[int, int]]:
    """(offset, width) of each line of the text that opens `<spaces>- <spaces>id:`, as the
    pattern `^( *- +)id:` (multiline) finds them: width is the part before `id:`. Found from
    the occurrences of `id:`, which a scan of the whole text by that pattern (~2 ms over the
    bundled rule files at every start) has no literal to skip to."""
    starts = []
    at = text.find("id:")
    while at >= 0:
        line_start = text.rfind("\n", 0, at) + 1
        if _RULE_ITEM.fullmatch(text, line_start, at):
            starts.append((line_start, at - line_start))
        at = text.find("id:", at + 3)
    return starts


def _has_anchor_or_tag(text: str) -> bool:
    """Whether an anchor (&a), alias (*a) or tag (!t) may start somewhere: a mark followed by
    a non-space, at a line start or after a space or one of [{,:-. (Patterns over the whole
    text took 1-10 ms over the bundled rule files at every start; the marks are rare, so
    they are found with `str.find`.)"""
    for mark in "&*!":
        at = text.find(mark)
        while at >= 0:
            following = text[at + 1 : at + 2]
            if following and not following.isspace() and (
                at == 0 or text[at - 1] in "[{,:-" or text[at - 1].isspace()
            ):
                return True
            at = text.find(mark, at + 1)
    return False


def _fast_parse(path: Path) -> tuple[Any, list[tuple[int, int]]] | None:
    """The file's data and each rule's (line, column), or None where the careful path is
    needed: anchors, aliases or tags (refused there), odd layouts, or any parse error."""
    try:
        if path.stat().st_size > DEFAULT_MAX_BYTES:
            return None
        text = path.read_text(encoding="utf-8")
        if _has_anchor_or_tag(text):
            return None
        data = prebuilt.load(text)
    except (OSError, UnicodeDecodeError, YAMLError, ValueError):
        return None
    rules = data.get("rules") if isinstance(data, Mapping) else None
    found = rule_starts(text)
    indent = min((width for _, width in found), default=0)  # rules, not nested example ids
    starts, line, counted_to = [], 1, 0
    for offset, width in found:
        if width == indent:  # lines counted on from the previous rule's start
            line += text.count("\n", counted_to, offset)
            counted_to = offset
            starts.append((line, indent + 1))
    if not isinstance(rules, list) or len(starts) != len(rules):
        return None
    return data, starts


def _rules_of(
    path: str, data: Any, where: Callable[[int], tuple[int, int]], checks: _Checks
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
        rule, rule_problems = _load_rule(path, where(index), raw, checks)
        problems.extend(rule_problems)
        if rule:
            rules.append(rule)
    return rules, problems


def _load_rule(
    path: str, where: tuple[int, int], raw: Any, checks: _Checks
) -> tuple[Rule | None, list[str]]:
    line, column = where
    rule_id = str(raw.get("id", "?")) if isinstance(raw, Mapping) else "?"
    prefix = f"{path}:{line}:{column}: rule {rule_id}: "
    if not isinstance(raw, Mapping):
        return None, [prefix + "a rule is a mapping of keys (id, title, severity, ...)"]
    if checks.trusted:  # the bundled rules as checked: already plain (a test holds them so)
        plain, problems = raw, []
    else:  # to_plain drops keys without a value: look for cut texts in `raw` first
        plain = to_plain(raw)
        problems = [prefix + p for p in [*_cut_text_problems(raw), *_rule_problems(plain, checks)]]
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
        basis=tuple(plain.get("basis", ())),
        kind=plain["kind"],
        fix=" ".join(plain.get("fix", "").split()),
        locate=plain.get("locate", ""),
        examples_fail=tuple(examples.get("fail", ())),
        examples_pass=tuple(examples.get("pass", ())),
        tags=tuple(plain.get("tags", ())),
        supersedes=tuple(plain.get("supersedes", ())),
        file=path,
        line=line,
    )
    return rule, []


@dataclass(frozen=True)
class _Checks:
    """What a rule is checked against: the knowledge base its references must resolve in,
    and whether it must declare its basis (the bundled rules must)."""

    knowledge: KnowledgeBase
    require_basis: bool = False
    trusted: bool = False  # checked in full when prebuilt.jsonl was written (see load_catalogue)


def _rule_problems(raw: Mapping[str, Any], checks: _Checks) -> list[str]:
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
    if raw["kind"] not in KINDS:
        problems.append(
            f"kind {raw['kind']!r} must be presence (fires because an answer is absent) or "
            "content (judges what is written)"
        )
    supersedes = raw.get("supersedes", [])
    if not isinstance(supersedes, list) or not all(
        isinstance(ident, str) and RULE_ID.match(ident) for ident in supersedes
    ):
        problems.append("supersedes: a list of rule ids (e.g. [GEN-002])")
    problems += _placeholder_problems(str(raw["message"]), fields)
    problems += _reference_problems(raw, checks.knowledge)
    if not problems:
        problems += _basis_problems(raw, checks)
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
    """Every reference resolves in the knowledge base: `icat` (what the rule checks) to an
    ICAT reference or another source of question_banks/sources.yaml, `questions` (related
    questions) to an ICAT question, `indicators` to a sample indicator."""
    problems = []
    for key, known, choices in (
        ("icat", knowledge.resolves, knowledge.citable),
        ("questions", lambda ref: knowledge.question(ref) is not None, _question_refs(knowledge)),
        ("indicators", lambda ref: knowledge.indicator(ref) is not None, _indicator_ids(knowledge)),
    ):
        values = raw.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            problems.append(f"{key} must be a list of ids")
            continue
        problems += [
            f"{key}: unknown reference {value!r}{did_you_mean(value, choices())}"
            for value in values
            if not known(value)
        ]
        problems += [f"{key}: {value!r} is listed twice" for value in _repeated(values)]
    if not raw.get("icat"):
        problems.append("icat: a rule cites at least one reference it checks")
    elif isinstance(raw.get("questions"), list):
        problems += [
            f"questions: {ref!r} is also in icat; questions lists related questions the rule "
            "does not check (keep it in icat only)"
            for ref in raw["questions"]
            if ref in raw["icat"]
        ]
    return problems


# Did-you-mean candidates, computed only when a reference is unknown.
def _question_refs(knowledge: KnowledgeBase) -> Callable[[], list[str]]:
    return lambda: [question.ref for question in knowledge.questions]


def _indicator_ids(knowledge: KnowledgeBase) -> Callable[[], list[str]]:
    return lambda: [indicator.id for indicator in knowledge.indicators]


def _repeated(values: Sequence[str]) -> list[str]:
    """The values listed more than once (each once, in order of their second listing)."""
    counts = Counter(values)
    return [value for value in dict.fromkeys(values) if counts[value] > 1]


def _basis_problems(raw: Mapping[str, Any], checks: _Checks) -> list[str]:
    """`basis` names known terms and sources, and declares every kind of reference the rule
    cites in `icat` (ICAT text, an ICAT footnote, another source)."""
    if "basis" not in raw:
        if checks.require_basis:
            return [
                "basis: missing; a bundled rule declares where it comes from (icat, "
                "icat-footnote, other-standard:<source id>, ctreview-judgement)"
            ]
        return []
    basis = raw["basis"]
    if not isinstance(basis, list) or not basis or not all(isinstance(b, str) for b in basis):
        return ["basis must be a non-empty list, e.g. [icat] or [icat, ctreview-judgement]"]
    knowledge = checks.knowledge
    problems = [_basis_term_problem(term, knowledge) for term in basis]
    problems += [f"basis: {term!r} is listed twice" for term in _repeated(basis)]
    for needed, refs in _basis_needed(raw["icat"], knowledge).items():
        if needed not in basis:
            problems.append(f"basis: add {needed} (icat cites {', '.join(refs)})")
    return [problem for problem in problems if problem]


def _basis_term_problem(term: str, knowledge: KnowledgeBase) -> str:
    if term in BASIS_TERMS:
        return ""
    if term.startswith(OTHER_STANDARD):
        source = term[len(OTHER_STANDARD) :]
        if knowledge.source(source) is not None:
            return ""
        ids = [s.id for s in knowledge.sources]
        return (
            f"basis: unknown source {source!r}{did_you_mean(source, ids)} "
            "(sources are listed in question_banks/sources.yaml)"
        )
    terms = [*BASIS_TERMS, f"{OTHER_STANDARD}<source id>"]
    return f"basis: unknown term {term!r}{did_you_mean(term, BASIS_TERMS)} (use {', '.join(terms)})"


def _basis_needed(icat: Sequence[str], knowledge: KnowledgeBase) -> dict[str, list[str]]:
    """The basis terms the references in `icat` call for, each with the references."""
    needed: dict[str, list[str]] = {}
    for ref in icat:
        if knowledge.has_ref(ref):
            term = "icat-footnote" if knowledge.is_footnote(ref) else "icat"
        elif source := knowledge.source_of(ref):
            term = OTHER_STANDARD + source.id
        else:
            continue
        needed.setdefault(term, []).append(ref)
    return needed


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


def _cut_text_problems(raw: Mapping[str, Any]) -> list[str]:
    """Example keys that are the end of a cut text: in a flow mapping (`{a: b, c}`) a comma ends
    the value, so "{remediation: Fees repaid, verified with workers}" sets remediation to "Fees
    repaid" and adds a key "verified with workers" without a value, which the example then
    silently leaves out. No key of the proposal format holds a space, so such a key is almost
    certainly a cut."""
    return [
        f"examples: {path}: the key {shorten(key, 60)!r} has no value, so a comma probably cut the "
        "text before it in a {...} mapping; put that text in quotes"
        for path, key in _valueless_spaced_keys(raw.get("examples"), "")
    ]


def _valueless_spaced_keys(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if value is None and " " in str(key).strip():
                yield path, str(key)
            else:
                yield from _valueless_spaced_keys(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _valueless_spaced_keys(item, f"{path}[{index}]")


def _supersedes_problems(rules: Sequence[Rule]) -> list[str]:
    """A rule supersedes rules that exist and read the same kind of fact (a finding on a
    component cannot stand for one on a target group), and never itself or, in turn, a rule
    that supersedes it."""
    by_id = {rule.id: rule for rule in rules}
    problems = []
    for rule in rules:
        where = f"{rule.file}:{rule.line}:1: rule {rule.id}: supersedes: "
        for other_id in rule.supersedes:
            other = by_id.get(other_id)
            if other is None:
                problems.append(where + f"no rule {other_id!r} in the catalogue")
            elif other is rule or rule.id in other.supersedes:
                problems.append(where + f"{other_id} cannot supersede {rule.id} in turn")
            elif other.applies_to != rule.applies_to:
                problems.append(
                    where + f"{other_id} applies to {other.applies_to}, {rule.id} to "
                    f"{rule.applies_to}; a rule supersedes only rules on the same items"
                )
    return problems


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
