"""Run the rule catalogue on facts with durable-rules 2.0.28, every rule matching one fact.

Rules are compiled (`conditions.compile_condition`) into rulesets of one entity each, small
enough to stay inside durable's limits, each with a catch-all rule. A run asserts every fact in
one fresh session (`sid`), records which rules fire, and deletes the session's state after.

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
(Two flaws of list-item matching are handled in `conditions._compile_item` and `_list_test`.)
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import itertools
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import durable_rules_engine
from durable.engine import Host, Promise, Ruleset

from reviewer.conditions import (
    ConditionError,
    compile_condition,
    count_key,
    field_key,
    is_present,
    referenced_fields,
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
_RECORD, _IGNORE = "record:", "ignore"


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
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_as_dict)
    if not _MAYBE_EXPONENT.search(text):
        return text
    return _STRING_OR_BARE_EXPONENT.sub(_with_fraction, text)


def _as_dict(value: Any) -> dict:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _with_fraction(match: re.Match[str]) -> str:
    string, mantissa, exponent = match.groups()
    return string or f"{mantissa}.0{exponent}"


class _Ruleset(Ruleset):
    """durable's Ruleset, writing its own JSON (see `to_json`): the constructor and `assert_fact`
    are durable's, with `to_json` in place of `json.dumps`."""

    def __init__(self, name: str, host: Host, definition: dict[str, Any]) -> None:
        self._name, self._host, self._definition = name, host, definition
        self._actions = {
            rule: Promise(host.get_action(body.pop("run"))) for rule, body in definition.items()
        }
        self._handle = durable_rules_engine.create_ruleset(name, to_json(definition))

    def assert_fact(self, fact: dict[str, Any]) -> Any:
        result = durable_rules_engine.assert_fact(self._handle, to_json(fact))
        return self._handle_result(result, fact)


class _QuietHost(Host):
    """durable's Host without the timer threads `_run` starts (they never stop and race calls)."""

    def _run(self) -> None:
        pass

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        if action_name == _IGNORE:
            return _ignore
        return _recorder(action_name.removeprefix(_RECORD))

    def add_ruleset(self, name: str, definition: dict[str, Any]) -> None:
        # A copy: creating a ruleset takes the actions ("run") out of its definition.
        self._ruleset_directory[name] = _Ruleset(name, self, copy.deepcopy(definition))


_lock = threading.RLock()  # durable's C engine is not thread-safe
_host: _QuietHost | None = None
_matches: dict[str, set[tuple[str, str]]] = {}  # sid -> (rule id, fact key) found in that run
_registered: dict[str, dict[str, tuple[str, ...]]] = {}  # catalogue hash -> entity -> rulesets
_session_ids = itertools.count(1)


def host() -> _QuietHost:
    """The one durable-rules host of this process."""
    global _host
    with _lock:
        if _host is None:
            _host = _QuietHost()
        return _host


def _recorder(rule_id: str) -> Callable[[Any], None]:
    def record(closure: Any) -> None:  # one parameter: durable runs two-parameter actions async
        fact = closure.m
        _matches[fact["sid"]].add((rule_id, fact["id"].removeprefix(_ID_PREFIX)))

    return record


def _ignore(closure: Any) -> None:
    """The catch-all rule's action: without that rule, durable raises on unmatched facts."""


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
    return _size_problem(expression_size(guarded(compile_condition(condition))))


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


def _compile_rule(rule: EngineRule) -> _CompiledRule:
    try:
        expression = guarded(compile_condition(rule.condition))
    except ConditionError as error:
        raise EngineError(f"rule {rule.id}: {error}") from error
    size = expression_size(expression)
    problem = _size_problem(size)
    if problem:
        raise EngineError(f"rule {rule.id}: {problem}")
    return _CompiledRule(rule.id, expression, size.tests)


def _chunks(rules: list[_CompiledRule]) -> list[list[_CompiledRule]]:
    """Consecutive groups within the per-ruleset budgets of rules and tests."""
    chunks: list[list[_CompiledRule]] = []
    tests = 0
    for rule in rules:
        full = len(chunks[-1]) == MAX_RULES_PER_RULESET if chunks else True
        if full or tests + rule.tests > MAX_TESTS_PER_RULESET:
            chunks.append([])
            tests = 0
        chunks[-1].append(rule)
        tests += rule.tests
    return chunks


def _definition(rules: list[_CompiledRule]) -> dict[str, Any]:
    definition: dict[str, Any] = {
        f"rule{index}": {
            "all": [{"m": rule.expression}],
            "run": _RECORD + rule.id,
        }
        for index, rule in enumerate(rules)
    }
    definition["catch_all"] = {"all": [{"m": _GUARD}], "run": _IGNORE}
    return definition


def _catalogue_hash(rules: Sequence[EngineRule]) -> str:
    canonical = [[rule.id, rule.entity, rule.condition] for rule in rules]
    text = json.dumps(canonical, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _register(rules: Sequence[EngineRule]) -> dict[str, tuple[str, ...]]:
    """The ruleset names of each entity, creating the rulesets once per catalogue."""
    digest = _catalogue_hash(rules)
    with _lock:
        if digest in _registered:
            return _registered[digest]
        by_entity: dict[str, list[_CompiledRule]] = {}
        for rule in rules:
            by_entity.setdefault(rule.entity, []).append(_compile_rule(rule))
        names: dict[str, tuple[str, ...]] = {}
        for number, (entity, compiled) in enumerate(sorted(by_entity.items())):
            label = "".join(c if c.isascii() and c.isalnum() else "_" for c in entity)
            chunks = _chunks(compiled)
            names[entity] = tuple(
                f"ctreview_{digest}_{number}_{label}_{i}" for i in range(len(chunks))
            )
            for name, chunk in zip(names[entity], chunks, strict=True):
                try:
                    host().add_ruleset(name, _definition(chunk))
                except Exception as error:
                    raise EngineError(f"durable-rules rejected ruleset {name}: {error}") from error
        _registered[digest] = names
        return names


# --- running ----------------------------------------------------------------------------------


class RuleEngine:
    """A compiled rule catalogue, run on the facts of one review at a time."""

    def __init__(self, rules: Sequence[EngineRule]) -> None:
        ordered = sorted(rules, key=lambda rule: (rule.entity, rule.id))
        counts = Counter(rule.id for rule in rules)
        duplicates = sorted(rule_id for rule_id, count in counts.items() if count > 1)
        if duplicates:
            raise EngineError(f"rule ids must be unique; repeated: {', '.join(duplicates)}")
        self._rulesets = _register(ordered)
        self._fields: dict[str, set[str]] = {}
        for rule in ordered:
            self._fields.setdefault(rule.entity, set()).update(referenced_fields(rule.condition))

    @property
    def ruleset_names(self) -> tuple[str, ...]:
        return tuple(name for names in self._rulesets.values() for name in names)

    def run(self, facts: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
        """Sorted (rule id, fact key) for every rule each fact satisfies."""
        prepared = self._prepare(facts)
        sid = new_session_id()
        touched: dict[str, None] = {}
        with _lock:
            found = _matches[sid] = set()
            try:
                for key, names, payload in prepared:
                    for name in names:
                        touched[name] = None
                        _assert(name, {**payload, "sid": sid}, key)
            finally:
                del _matches[sid]
                for name in touched:
                    _delete_state(name, sid)
        return sorted(found)

    def _prepare(
        self, facts: Sequence[Mapping[str, Any]]
    ) -> list[tuple[str, tuple[str, ...], dict[str, Any]]]:
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
            if entity in self._rulesets:
                payload = _payload(fact, self._fields[entity], key)
                prepared.append((key, self._rulesets[entity], payload))
        return prepared


def _payload(fact: Mapping[str, Any], fields: set[str], key: str) -> dict[str, Any]:
    """The fact as durable sees it: renamed fields the rules read, list counts, id and marker."""
    payload: dict[str, Any] = {"id": _ID_PREFIX + key, _MARKER: 1}
    try:
        for name in sorted(fields):
            _put(payload, name, fact.get(name))
    except ValueError as error:
        raise EngineError(f"fact {key!r}: {error}") from error
    if len(payload) >= MAX_FACT_PROPERTIES:
        raise EngineError(
            f"fact {key!r}: rules read {len(payload)} of its fields and counts; durable-rules "
            f"handles fewer than {MAX_FACT_PROPERTIES}"
        )
    return payload


def _put(target: dict[str, Any], name: str, value: Any) -> None:
    """Store a present value under its durable name (lists also get their count)."""
    if not is_present(value):
        return
    if isinstance(value, list | tuple):
        target[field_key(name)] = [_item(name, item) for item in value]
        target[count_key(name)] = len(value)
    else:
        target[field_key(name)] = _scalar(name, value)


def _item(name: str, item: Any) -> Any:
    if not isinstance(item, Mapping):
        return _scalar(name, item)
    stored: dict[str, Any] = {}
    for key, value in item.items():
        _put(stored, str(key), value)
    return stored


def _scalar(name: str, value: Any) -> Any:
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int) and -_INT_LIMIT < value < _INT_LIMIT:
        return value
    if isinstance(value, float) and value - value == 0:  # finite
        return value
    raise ValueError(f"field '{name}' holds {value!r}, which the rule engine cannot compare")


def _assert(ruleset: str, payload: dict[str, Any], key: str) -> None:
    try:
        host().assert_fact(ruleset, payload)
    except Exception as error:
        detail = getattr(error, "message", None) or str(error) or type(error).__name__
        raise EngineError(f"durable-rules failed on fact {key!r} ({ruleset}): {detail}") from error


def _delete_state(ruleset: str, sid: str) -> None:
    # Fails only when no state was created: the first assert into this ruleset failed.
    with contextlib.suppress(durable_rules_engine.error):
        host().delete_state(ruleset, sid)
