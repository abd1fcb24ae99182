"""Run the rule catalogue on facts with durable-rules 2.0.28, every rule matching one fact.

Rules are compiled (`conditions.compile_condition`) into rulesets of one entity each (and of
one required value, see `_Routes`), small enough to stay inside durable's limits, each with a
catch-all rule. A run asserts every fact in one fresh session (`sid`) of the C engine, records
which rules fire, and deletes the session's state after. durable's Python layer (`Host`,
`Ruleset`) is not used: see `_Ruleset`.

Limits of durable-rules 2.0.28 measured on this machine (docs/architecture.md, "Engine notes"),
which set the constants below:
- Matching walks a ruleset's tests with a stack of 64 entries: 65 tests passing at once for one
  fact crash the process (segfault, or error 303 then a crash in `delete_state`). The tests and
  `$or` joins of all rules of a ruleset (a list test counting one) bound that stack.
- A rule holds at most 15 `$and`/`$or` nodes (error 113 at creation).
- A rule fires once per satisfied alternative of its `$or`s (duplicates are merged here).
- One test followed by more than ~128 `$nex` tests fails at creation (107); 512 tests after one
  test make creation loop forever. Both are far above the per-ruleset budget.
- A fact holds at most 254 properties (302), so facts carry only the fields rules read.
- An expression that matches durable's own state fact (`$nex` tests do) makes an action loop
  forever, so every rule also requires the `is_fact` marker.
- durable's JSON parser rejects exponents without a fraction (`1e-05`), so JSON is written here.
- A fact no rule matches is refused (code 1) but still leaves a session state, and deleting
  that state crashes: hence the catch-all rule of every ruleset, and gates (`gate_of`) that
  keep a fact from rulesets none of whose rules can hold.
(Two flaws of list-item matching are handled in `conditions._compile_item` and `_list_test`.)
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import itertools
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import durable_rules_engine

from reviewer import prebuilt
from reviewer.conditions import (
    ConditionError,
    FieldUse,
    Test,
    any_of,
    compile_condition,
    compile_test,
    count_key,
    field_key,
    field_uses,
    is_present,
)

MAX_TESTS_PER_RULESET = 48
MAX_RULES_PER_RULESET = 30
MAX_ALTERNATIVES_PER_RULE = 256
MAX_JUNCTIONS_PER_RULE = 15
MAX_FACT_PROPERTIES = 250
_INT_LIMIT = 2**63  # durable stores integers in 64 bits

_MARKER = "is_fact"
_GUARD = {_MARKER: 1}
_ID_PREFIX = "fact:"  # keeps fact ids apart from durable's state ids ("sid-...")
_CATCH_ALL = "catch_all"


class EngineError(RuntimeError):
    """The rule engine could not compile the rules or run them on the facts."""


@dataclass(frozen=True)
class EngineRule:
    """One rule as the engine sees it: an id, the entity it applies to and its condition."""

    id: str
    entity: str
    condition: Mapping[str, Any]


# --- durable-rules plumbing -------------------------------------------------------------------


_MAYBE_EXPONENT = re.compile(r"\d[eE][-+]?\d")
_STRING_OR_BARE_EXPONENT = re.compile(r'("(?:[^"\\]|\\.)*")|(?<![\w.])(-?\d+)([eE][-+]?\d+)')


def to_json(value: Any) -> str:
    """JSON as durable-rules parses it: a fraction before any exponent (`1.0e-05`).

    One json.dumps call (it runs in C; serialising facts was half of a review's rule time),
    then, only when an exponent may be there, bare exponents outside strings get a fraction.
    A bare exponent comes only from a float, whose repr always signs it ("1e-05", "1e+16"):
    a text without "e-" or "e+" is not searched (the search cost as much as the dumps).
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_as_dict)
    if ("e-" not in text and "e+" not in text) or not _MAYBE_EXPONENT.search(text):
        return text
    return _STRING_OR_BARE_EXPONENT.sub(_with_fraction, text)


def _as_dict(value: Any) -> dict:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _with_fraction(match: re.Match[str]) -> str:
    string, mantissa, exponent = match.groups()
    return string or f"{mantissa}.0{exponent}"


_lock = threading.RLock()  # durable's C engine is not thread-safe
_session_ids = itertools.count(1)


class _Ruleset:
    """A ruleset of durable's C engine, and which rule id each of its rules stands for.

    ctreview drives the C engine directly (`durable_rules_engine`), not through durable's
    Python `Host`: the Host starts timer threads that never stop and race with calls, parses
    every message and state it is handed back, and serialises a fact again for each ruleset.
    Here a fact is serialised once, and only the name of each fired rule is read back.

    A ruleset of rules whose compiled form comes from the bundled stamp is created in durable
    the first time a fact is asserted into it (`lazy`): one proposal meets a third of the
    rulesets, and creating all ~50 took ~17 ms of every cold check. Every bundled ruleset is
    created by the tests, so creating one later cannot fail; any other rule's ruleset is
    created at once, so that durable's refusal shows when the rules load."""

    __slots__ = ("name", "rule_ids", "gate", "_definition", "_handle")

    def __init__(
        self,
        name: str,
        definition: dict[str, Any],
        rule_ids: Mapping[str, str],
        gate: Gate | None = None,
        *,
        lazy: bool = False,
    ) -> None:
        self.name = name
        self.rule_ids = rule_ids  # durable's rule name -> rule id ("" for the catch-all)
        self.gate = gate  # one of its rules' gates holds (see `gate_of`); None: no gate
        self._definition: dict[str, Any] | None = definition
        self._handle: int | None = None
        if not lazy:
            self.create()

    @property
    def created(self) -> bool:
        return self._handle is not None

    @property
    def handle(self) -> int:
        """durable's handle of the ruleset, created on first use."""
        return self._handle if self._handle is not None else self.create()

    def create(self) -> int:
        with _lock:
            if self._handle is None:
                assert self._definition is not None
                try:
                    text = to_json(self._definition)
                    self._handle = durable_rules_engine.create_ruleset(self.name, text)
                except durable_rules_engine.error as error:
                    raise EngineError(
                        f"durable-rules rejected ruleset {self.name}: {error}"
                    ) from error
                self._definition = None
            return self._handle

    def may_match(self, fact: Mapping[str, Any]) -> bool:
        """Whether some rule of the ruleset can hold of the fact: its gate opens."""
        return self.gate is None or self.gate(fact)


def new_session_id() -> str:
    return f"review-{next(_session_ids)}"


# --- compiling --------------------------------------------------------------------------------


class Size(NamedTuple):
    """What durable's limits depend on, for one compiled expression."""

    tests: int  # tests (and `$or` joins) matching may hold on its stack at once
    alternatives: int  # most alternatives of one level: the fact's, or a list's items'
    junctions: int  # `$and` and `$or` nodes


def expression_size(expression: Mapping[str, Any]) -> Size:
    """The size of a compiled expression. A list test counts as one test: durable matches the
    items apart, and a rule fires at most once per list test."""
    tests, alternatives, junctions, in_items = _size(expression)
    return Size(tests, max(alternatives, in_items), junctions)


def _size(expression: Mapping[str, Any]) -> tuple[int, int, int, int]:
    for op in ("$and", "$or"):
        if op in expression:
            sizes = [_size(part) for part in expression[op]]
            counts = [size[1] for size in sizes]
            alternatives = math.prod(counts) if op == "$and" else sum(counts)
            tests = sum(size[0] for size in sizes) + (op == "$or")  # `$or` adds a join node
            junctions = 1 + sum(size[2] for size in sizes)
            return tests, alternatives, junctions, max(size[3] for size in sizes)
    for op in ("$iany", "$iall"):
        if op in expression:
            (items,) = expression[op].values()
            _, alternatives, junctions, deeper = _size(items)
            return 1, 1, junctions, max(alternatives, deeper)
    return 1, 1, 0, 0


def guarded(expression: dict[str, Any]) -> dict[str, Any]:
    """The rule's expression, also requiring the fact marker (flattened: junctions are scarce)."""
    parts = expression["$and"] if set(expression) == {"$and"} else [expression]
    return {"$and": [_GUARD, *parts]}


def size_problem(condition: Mapping[str, Any]) -> str | None:
    """Why durable-rules cannot take this (valid) condition as one rule, if it cannot."""
    return _size_problem(expression_size(_guarded_expression(condition)))


_expressions: dict[int, tuple[Mapping[str, Any], dict[str, Any]]] = {}


def _guarded_expression(condition: Mapping[str, Any]) -> dict[str, Any]:
    """`guarded(compile_condition(condition))`, compiled once per condition object: loading
    a catalogue checks each rule's size and the engine then compiles the same conditions
    (~6 ms of every start). Keyed by identity and kept with the object, so a key is never
    reused for another condition; rule conditions are not changed once loaded."""
    entry = _expressions.get(id(condition))
    if entry is not None and entry[0] is condition:
        return entry[1]
    expression = guarded(compile_condition(condition))
    if len(_expressions) >= 4096:  # a process that loads many catalogues (the tests)
        _expressions.clear()
    _expressions[id(condition)] = (condition, expression)
    return expression


def _size_problem(size: Size) -> str | None:
    limits = (
        (size.tests, MAX_TESTS_PER_RULESET, "tests"),
        (size.alternatives, MAX_ALTERNATIVES_PER_RULE, "alternatives once 'any'/'not' expand"),
        (size.junctions, MAX_JUNCTIONS_PER_RULE, "and/or nodes"),
    )
    over = [f"{value} {what} (at most {limit})" for value, limit, what in limits if value > limit]
    if not over:
        return None
    return f"condition too large for durable-rules: {'; '.join(over)}; split it into several rules"


@dataclass(frozen=True)
class _CompiledRule:
    id: str
    expression: dict[str, Any]
    tests: int
    gate: tuple[Mapping[str, Any], ...] | None  # see `gate_of`
    stamped: bool = dataclasses.field(default=False, compare=False)  # see `_Ruleset`


def _compile_rule(rule: EngineRule) -> _CompiledRule:
    try:
        expression = _guarded_expression(rule.condition)
    except ConditionError as error:
        raise EngineError(f"rule {rule.id}: {error}") from error
    size = expression_size(expression)
    problem = _size_problem(size)
    if problem:
        raise EngineError(f"rule {rule.id}: {problem}")
    return _CompiledRule(rule.id, expression, size.tests, gate_of(rule.condition))


# --- compiled rules kept in prebuilt.jsonl ---------------------------------------------------
#
# Compiling the bundled rules was ~14 ms of every start. `ctreview generate-docs` records each
# bundled rule's compiled form in reviewer/prebuilt.jsonl (a stamp), keyed by the text of its
# condition, with a fingerprint of the code that compiles it; a start whose code matches takes a
# rule's compiled form from there, and compiles any other rule (an edited one, a funder's own) as
# before. So the shortcut can be stale but never wrong, as prebuilt's parsed data.

COMPILED_STAMP = "bundled-rules-compiled"


def compiled_stamp(rules: Sequence[EngineRule]) -> str:
    """The stamp's value for these rules: the code's fingerprint and each condition's
    compiled form (JSON, one line)."""
    compiled = {}
    for rule in rules:
        found = _compile_rule(rule)
        gate = None if found.gate is None else list(found.gate)
        compiled[_condition_key(rule.condition)] = [found.expression, found.tests, gate]
    record = {"code": _code_fingerprint(), "rules": compiled}
    # Keys keep their order: the definitions sent to durable stay byte for byte the same.
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _compiled(rule: EngineRule) -> _CompiledRule:
    """`_compile_rule(rule)`, from the stamp when it holds the rule's condition."""
    stored = _stamped_rules().get(_condition_key(rule.condition))
    if stored is None:
        return _compile_rule(rule)
    expression, tests, gate = stored
    return _CompiledRule(
        rule.id, expression, tests, None if gate is None else tuple(gate), stamped=True
    )


@functools.cache
def _stamped_rules() -> dict[str, list[Any]]:
    text = prebuilt.stamp(COMPILED_STAMP)
    if text is None:
        return {}
    record = json.loads(text)
    code = _code_fingerprint()
    return record["rules"] if code and record.get("code") == code else {}


def _code_fingerprint() -> str:
    """The code a compiled form depends on: this module and the conditions' compiler ("" if
    their sources are not installed, which no stamp matches)."""
    digest = hashlib.sha256()
    try:
        for name in ("engine.py", "conditions.py"):
            digest.update((Path(__file__).parent / name).read_bytes())
    except OSError:
        return ""
    return digest.hexdigest()


def _condition_key(condition: Mapping[str, Any]) -> str:
    try:
        return json.dumps(condition, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):  # not JSON (no rule file gives such a condition)
        return ""


def _chunks(rules: list[_CompiledRule]) -> list[list[_CompiledRule]]:
    """Consecutive groups within the per-ruleset budgets of rules and tests; rules without a
    gate are kept apart from gated ones, whose ruleset they would open for every fact."""
    chunks: list[list[_CompiledRule]] = []
    tests = 0
    for rule in rules:
        full = len(chunks[-1]) == MAX_RULES_PER_RULESET if chunks else True
        apart = bool(chunks) and (chunks[-1][-1].gate is None) != (rule.gate is None)
        if full or apart or tests + rule.tests > MAX_TESTS_PER_RULESET:
            chunks.append([])
            tests = 0
        chunks[-1].append(rule)
        tests += rule.tests
    return chunks


def _create_chunk(name: str, rules: list[_CompiledRule]) -> _Ruleset:
    """One durable ruleset for a chunk of rules, with a catch-all rule: durable refuses a fact
    that no rule of the ruleset matches."""
    definition: dict[str, Any] = {
        f"rule{index}": {"all": [{"m": rule.expression}]} for index, rule in enumerate(rules)
    }
    definition[_CATCH_ALL] = {"all": [{"m": _GUARD}]}
    rule_ids = {f"rule{index}": rule.id for index, rule in enumerate(rules)}
    gate_parts = {_canonical(r.gate): r.gate for r in rules if r.gate is not None}
    gates = tuple(compile_test({"all": list(parts)}) for _, parts in sorted(gate_parts.items()))
    ungated = any(rule.gate is None for rule in rules)
    return _Ruleset(
        name,
        definition,
        {**rule_ids, _CATCH_ALL: ""},
        None if ungated else any_of(gates),
        lazy=all(rule.stamped for rule in rules),
    )


def _catalogue_hash(rules: Sequence[EngineRule]) -> str:
    canonical = [[rule.id, rule.entity, rule.condition] for rule in rules]
    text = json.dumps(canonical, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- gates ------------------------------------------------------------------------------------

# A rule's gate is the parts its condition requires (parts of its top-level `all`, or the
# condition itself) that are cheap to test and may well be false; a ruleset opens for a fact
# when one of its rules' gates holds. A fact is asserted only into rulesets that open: a rule
# with a required part false cannot hold. Most asserts fired nothing but the catch-all;
# a gate is a dict lookup. Gates only skip rulesets that cannot match: durable still decides
# every rule on its full condition, and the differential tests hold the gated engine to
# `evaluate`.
Gate = Test  # a compiled test of a fact (conditions.compile_test)


def gate_of(condition: Mapping[str, Any]) -> tuple[Mapping[str, Any], ...] | None:
    """The required parts the gate tests, most often false first (None: none worth testing,
    see `_gate_rank`)."""
    parts = condition.get("all") if isinstance(condition.get("all"), list) else [condition]
    ranked = sorted((rank, index) for index, part in enumerate(parts) if (rank := _gate_rank(part)))
    return tuple(parts[index] for _, index in ranked) or None


def _gate_rank(part: Any) -> int:
    """How often a required part tends to be false, 1 (most often: a vocabulary value, a
    derived flag `equals: true`) to 4 (presence, inequality); 0 for parts a gate does not
    test (`not`, nested combinations), which durable alone decides."""
    if isinstance(part, Mapping) and set(part) == {"any"} and isinstance(part["any"], list):
        leaves = all(_gate_rank(child) and "any" not in child for child in part["any"])
        return 4 if leaves else 0
    if not (isinstance(part, Mapping) and "field" in part and len(part) == 2):
        return 0
    (op,) = (key for key in part if key != "field")
    if op in ("equals", "in"):
        return 3 if part[op] is False else 1
    if op in ("missing", "contains", "contains_any") or (op == "exists" and part[op] is False):
        return 2
    if op in ("lt", "lte", "gt", "gte", "any_item"):
        return 3
    if op == "count":
        return 4 if set(part[op]) <= {"gt", "gte"} else 3
    return 4  # exists, not_equals, not_in, only


def _gate_order(rule: _CompiledRule) -> tuple[bool, str, str]:
    """Ungated rules first and apart (see `_chunks`); then rules by their gate, so that rules
    gated alike share a ruleset."""
    return (rule.gate is not None, "" if rule.gate is None else _canonical(rule.gate), rule.id)


def _canonical(parts: tuple[Mapping[str, Any], ...]) -> str:
    return json.dumps(parts, sort_keys=True, default=str)


# --- routing ----------------------------------------------------------------------------------


def required_text(condition: Mapping[str, Any]) -> tuple[str, str] | None:
    """(field, text) when the condition can only hold if that field equals that text: it is
    an `equals` leaf with a text value, or one of the top-level `all` parts is."""
    parts = condition.get("all") if isinstance(condition.get("all"), list) else [condition]
    for part in parts:
        is_leaf = isinstance(part, Mapping) and set(part) == {"field", "equals"}
        if is_leaf and isinstance(part["equals"], str):
            return str(part["field"]), part["equals"]
    return None


@dataclass(frozen=True)
class _Routes:
    """The rulesets of one entity. Most component rules apply to one component type only
    (`type equals awareness`), so rules that require a text value of one field are grouped by
    that value, and a fact is asserted into the rulesets of its own value plus those of the
    rules that require none. Routing only skips rulesets none of whose rules can match: every
    rule keeps its full condition, and durable still decides. (Asserting a component into all
    twenty component rulesets was most of a review's rule time.)"""

    field: str | None
    common: tuple[_Ruleset, ...]
    by_value: Mapping[str, tuple[_Ruleset, ...]]

    def rulesets_for(self, fact: Mapping[str, Any]) -> tuple[_Ruleset, ...]:
        if self.field is None:
            return self.common
        value = fact.get(self.field)
        if isinstance(value, str):
            return self.common + self.by_value.get(value, ())
        return self.all

    @property
    def all(self) -> tuple[_Ruleset, ...]:
        return self.common + tuple(r for group in self.by_value.values() for r in group)


def _route_field(rules: Sequence[EngineRule]) -> str | None:
    """The field most rules of an entity require a text value of, if rules require several
    values of it (then grouping by it saves work)."""
    required = [pair for pair in map(required_text, (r.condition for r in rules)) if pair]
    values: dict[str, set[str]] = {}
    for field, text in required:
        values.setdefault(field, set()).add(text)
    usable = [(len(texts), field) for field, texts in values.items() if len(texts) > 1]
    return max(usable)[1] if usable else None


def _groups(rules: Sequence[EngineRule], field: str | None) -> dict[str, list[EngineRule]]:
    """Rules by the value of `field` they require ("" for rules that require none)."""
    groups: dict[str, list[EngineRule]] = {}
    for rule in rules:
        pair = required_text(rule.condition)
        value = pair[1] if pair and pair[0] == field else ""
        groups.setdefault(value, []).append(rule)
    return groups


def _register(rules: Sequence[EngineRule]) -> dict[str, _Routes]:
    """The rulesets of each entity, created once per catalogue and process."""
    digest = _catalogue_hash(rules)
    with _lock:
        if digest not in _registered:
            _registered[digest] = _create_all(rules, digest)
        return _registered[digest]


def _create_all(rules: Sequence[EngineRule], digest: str) -> dict[str, _Routes]:
    by_entity: dict[str, list[EngineRule]] = {}
    for rule in rules:
        by_entity.setdefault(rule.entity, []).append(rule)
    routes: dict[str, _Routes] = {}
    for number, (entity, entity_rules) in enumerate(sorted(by_entity.items())):
        label = "".join(c if c.isascii() and c.isalnum() else "_" for c in entity)
        field = _route_field(entity_rules)
        rulesets: dict[str, tuple[_Ruleset, ...]] = {}
        for group, (value, group_rules) in enumerate(sorted(_groups(entity_rules, field).items())):
            compiled = sorted(map(_compiled, group_rules), key=_gate_order)
            chunks = _chunks(compiled)
            rulesets[value] = tuple(
                _create_chunk(f"ctreview_{digest}_{number}_{label}_{group}_{i}", chunk)
                for i, chunk in enumerate(chunks)
            )
        common = rulesets.pop("", ())
        routes[entity] = _Routes(field, common, rulesets)
    return routes


_registered: dict[str, dict[str, _Routes]] = {}  # catalogue hash -> entity -> its rulesets


# --- running ----------------------------------------------------------------------------------


class RuleEngine:
    """A compiled rule catalogue, run on the facts of one review at a time."""

    def __init__(self, rules: Sequence[EngineRule]) -> None:
        ordered = sorted(rules, key=lambda rule: (rule.entity, rule.id))
        counts = Counter(rule.id for rule in rules)
        duplicates = sorted(rule_id for rule_id, count in counts.items() if count > 1)
        if duplicates:
            raise EngineError(f"rule ids must be unique; repeated: {', '.join(duplicates)}")
        self._routes = _register(ordered)
        uses: dict[str, dict[str, FieldUse]] = {}
        for rule in ordered:
            field_uses(rule.condition, uses.setdefault(rule.entity, {}))
        self._uses = {
            entity: {
                name: _Use(use, field_key(name), count_key(name))
                for name, use in sorted(read.items())
            }
            for entity, read in uses.items()
        }

    @property
    def ruleset_names(self) -> tuple[str, ...]:
        return tuple(r.name for routes in self._routes.values() for r in routes.all)

    def run(self, facts: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
        """Sorted (rule id, fact key) for every rule each fact satisfies."""
        prepared = self._prepare(facts)
        sid = new_session_id()
        found: set[tuple[str, str]] = set()
        touched: dict[str, _Ruleset] = {}
        with _lock:
            try:
                for key, rulesets, payload in prepared:
                    text = to_json({**payload, "sid": sid})
                    for ruleset in rulesets:
                        touched[ruleset.name] = ruleset
                        found.update((rule_id, key) for rule_id in _assert(ruleset, text, key))
            finally:
                for ruleset in touched.values():
                    _delete_state(ruleset, sid)
        return sorted(found)

    def _prepare(
        self, facts: Sequence[Mapping[str, Any]]
    ) -> list[tuple[str, tuple[_Ruleset, ...], dict[str, Any]]]:
        """(key, rulesets, durable payload) of each fact some rule applies to."""
        prepared = []
        seen: set[str] = set()
        for fact in facts:
            entity, key = fact.get("entity"), fact.get("key")
            if not isinstance(entity, str) or not isinstance(key, str) or not key:
                raise EngineError(f"a fact needs a string 'entity' and 'key': {dict(fact)!r}")
            if key in seen:
                raise EngineError(f"two facts share the key {key!r}; keys must be unique")
            seen.add(key)
            if entity in self._routes:
                rulesets = tuple(
                    r for r in self._routes[entity].rulesets_for(fact) if r.may_match(fact)
                )
                if rulesets:
                    prepared.append((key, rulesets, _payload(fact, self._uses[entity], key)))
        return prepared


@dataclass(frozen=True)
class _Use:
    """How rules read one top-level field, with its durable keys worked out once."""

    use: FieldUse
    field_key: str
    count_key: str

    @functools.cached_property
    def whole(self) -> bool:
        """Whether a scalar is sent as it is (else a presence marker), as `_put` decides."""
        return bool(self.use.value or self.use.items)


def _payload(fact: Mapping[str, Any], uses: Mapping[str, _Use], key: str) -> dict[str, Any]:
    """The fact as durable sees it: what the rules read of it, renamed, and id and marker.

    Only what some rule tests is sent, in the least form that answers the test: a field
    tested for presence alone becomes a marker, a list only counted becomes its count, list
    items keep the fields `any_item` tests read. durable parses every fact once per ruleset
    it meets, so a long text nobody compares is parsed for nothing."""
    payload: dict[str, Any] = {"id": _ID_PREFIX + key, _MARKER: 1}
    try:
        for name, value in fact.items():  # a fact holds fewer fields than rules read
            read = uses.get(name)
            if read is None or value is None:
                continue
            kind = type(value)
            if kind is str or kind is bool:  # most values: what `_put` does with them, inline
                if kind is bool or value.strip():
                    payload[read.field_key] = value if read.whole else 1
            else:
                _put(payload, name, value, read.use, read.field_key, read.count_key)
    except ValueError as error:
        raise EngineError(f"fact {key!r}: {error}") from error
    if len(payload) >= MAX_FACT_PROPERTIES:
        raise EngineError(
            f"fact {key!r}: rules read {len(payload)} of its fields and counts; durable-rules "
            f"handles fewer than {MAX_FACT_PROPERTIES}"
        )
    return payload


def _put(
    target: dict[str, Any],
    name: str,
    value: Any,
    use: FieldUse,
    key: str | None = None,
    counted: str | None = None,
) -> None:
    """Store what the rules read of a present value under its durable name(s) (`key` and
    `counted`: field_key(name) and count_key(name), when the caller has them)."""
    if not is_present(value):
        return
    if not isinstance(value, list | tuple):
        target[key or field_key(name)] = _scalar(name, value) if use.value or use.items else 1
        return
    if use.count:
        target[counted or count_key(name)] = len(value)
    if use.value or use.items is not None:
        target[key or field_key(name)] = [_item(name, item, use.items) for item in value]
    elif use.presence:
        target[key or field_key(name)] = 1


def _item(name: str, item: Any, uses: dict[str, FieldUse] | None) -> Any:
    if uses is None or not isinstance(item, Mapping):
        return _scalar(name, item)
    stored: dict[str, Any] = {}
    for key in sorted(uses):
        value = item.get(key)
        if value is not None:
            _put(stored, key, value, uses[key])
    return stored


def _scalar(name: str, value: Any) -> Any:
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int) and -_INT_LIMIT < value < _INT_LIMIT:
        return value
    if isinstance(value, float) and value - value == 0:  # finite
        return value
    raise ValueError(f"field '{name}' holds {value!r}, which the rule engine cannot compare")


def _assert(ruleset: _Ruleset, text: str, key: str) -> list[str]:
    """Assert one fact (its JSON text) into a ruleset; the ids of the rules it fires.

    durable queues an action per satisfied rule; each is started, completed and the next one
    started, as durable's own Host does, but only the fired rule's name is read from the
    message. Every rule reads one fact, and each assert's actions are all run before the next
    assert, so every action started here is about this fact."""
    handle = ruleset.handle
    try:
        code, state = durable_rules_engine.assert_fact(handle, text)
        if code in (1, 2):  # not handled (no catch-all?) / the same fact asserted twice
            raise EngineError(f"durable-rules refused the fact (code {code})")
        if code == 3:  # as durable's own Ruleset: no state handle comes with this code
            state = 0
        fired: list[str] = []
        action = durable_rules_engine.start_action_for_state(handle, state)
        while action:
            state_text, message = action[0], action[1]
            fired.append(ruleset.rule_ids[message[2 : message.index('"', 2)]])
            durable_rules_engine.update_state(handle, state_text)
            message = durable_rules_engine.complete_and_start_action(handle, state)
            action = (state_text, message) if message else None
    except (durable_rules_engine.error, EngineError, KeyError, ValueError) as error:
        detail = str(error) or type(error).__name__
        raise EngineError(
            f"durable-rules failed on fact {key!r} ({ruleset.name}): {detail}"
        ) from error
    return [rule_id for rule_id in fired if rule_id]


def _delete_state(ruleset: _Ruleset, sid: str) -> None:
    # Fails only when no state was created: the first assert into this ruleset failed.
    with contextlib.suppress(durable_rules_engine.error):
        durable_rules_engine.delete_state(ruleset.handle, sid)


def registered_ruleset(name: str) -> _Ruleset:
    """A ruleset created in this process, by name (tests check session hygiene with it)."""
    every = {r.name: r for e in _registered.values() for routes in e.values() for r in routes.all}
    return every[name]


def state_exists(ruleset_name: str, sid: str) -> bool:
    """Whether durable still holds a session's state in a ruleset (tests check hygiene)."""
    try:
        durable_rules_engine.get_state(registered_ruleset(ruleset_name).handle, sid)
    except durable_rules_engine.error:
        return False
    return True
