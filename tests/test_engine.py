"""The durable-rules engine against the reference evaluator, its limits and its session hygiene."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer import engine
from reviewer.conditions import FieldSpec, evaluate
from reviewer.engine import EngineError, EngineRule, RuleEngine

# Every operator: (name, condition, [(fact fields, expected)]). Each case also runs negated,
# expecting the opposite; "absent" facts exercise the absent-field semantics.
OBJ = "items"
CASES: list[tuple[str, dict[str, Any], list[tuple[dict[str, Any], bool]]]] = [
    (
        "eq-str",
        {"field": "s", "equals": "a"},
        [({"s": "a"}, True), ({"s": "b"}, False), ({}, False)],
    ),
    (
        "eq-int",
        {"field": "n", "equals": 2},
        [({"n": 2}, True), ({"n": 2.0}, True), ({"n": 3}, False)],
    ),
    (
        "eq-float",
        {"field": "n", "equals": 2.5},
        [({"n": 2.5}, True), ({"n": 2}, False), ({}, False)],
    ),
    (
        "eq-true",
        {"field": "b", "equals": True},
        [({"b": True}, True), ({"b": False}, False), ({}, False)],
    ),
    ("eq-false", {"field": "b", "equals": False}, [({"b": False}, True), ({"b": True}, False)]),
    ("eq-dotted", {"field": "a.b", "equals": 1}, [({"a.b": 1}, True), ({"a.b": 0}, False)]),
    (
        "eq-hash",
        {"field": "l#count", "equals": 0},
        [({"l#count": 0}, True), ({"l#count": 2}, False)],
    ),
    ("eq-blank", {"field": "s", "equals": "x"}, [({"s": "  "}, False), ({"s": None}, False)]),
    (
        "ne",
        {"field": "s", "not_equals": "a"},
        [({"s": "b"}, True), ({"s": "a"}, False), ({}, False)],
    ),
    ("ne-false", {"field": "b", "not_equals": False}, [({"b": True}, True), ({"b": False}, False)]),
    (
        "in",
        {"field": "s", "in": ["a", "b"]},
        [({"s": "b"}, True), ({"s": "c"}, False), ({}, False)],
    ),
    (
        "in-num",
        {"field": "n", "in": [1, 2.5]},
        [({"n": 2.5}, True), ({"n": 1.0}, True), ({"n": 2}, False)],
    ),
    (
        "not-in",
        {"field": "s", "not_in": ["a", "b"]},
        [({"s": "c"}, True), ({"s": "a"}, False), ({}, False)],
    ),
    (
        "exists",
        {"field": "s", "exists": True},
        [({"s": "a"}, True), ({"s": ""}, False), ({}, False)],
    ),
    ("exists-false", {"field": "b", "exists": False}, [({}, True), ({"b": False}, False)]),
    ("exists-zero", {"field": "n", "exists": True}, [({"n": 0}, True), ({"n": None}, False)]),
    (
        "missing",
        {"field": "l", "missing": True},
        [({"l": []}, True), ({"l": ["a"]}, False), ({}, True)],
    ),
    (
        "lt",
        {"field": "n", "lt": 2},
        [({"n": 1.5}, True), ({"n": 2}, False), ({"n": -3}, True), ({}, False)],
    ),
    ("lte", {"field": "n", "lte": 2.5}, [({"n": 2.5}, True), ({"n": 3}, False), ({}, False)]),
    (
        "gt",
        {"field": "n", "gt": 0},
        [({"n": 1e-05}, True), ({"n": 0}, False), ({"n": -0.0}, False)],
    ),
    ("gte", {"field": "n", "gte": -1}, [({"n": -1}, True), ({"n": -1.5}, False), ({}, False)]),
    ("tiny", {"field": "n", "lt": 3e-07}, [({"n": 1e-07}, True), ({"n": 4e-07}, False)]),
    ("huge", {"field": "n", "gte": 1e16}, [({"n": 2e16}, True), ({"n": 9e15}, False)]),
    (
        "contains",
        {"field": "l", "contains": "a"},
        [({"l": ["b", "a"]}, True), ({"l": ["b"]}, False), ({"l": []}, False), ({}, False)],
    ),
    ("contains-num", {"field": "l", "contains": 2}, [({"l": [1, 2]}, True), ({"l": [3]}, False)]),
    (
        "contains-any",
        {"field": "l", "contains_any": ["a", "c"]},
        [({"l": ["c"]}, True), ({"l": ["b"]}, False), ({}, False)],
    ),
    (
        "only",
        {"field": "l", "only": ["a", "b"]},
        [({"l": ["a", "b"]}, True), ({"l": ["a", "c"]}, False), ({"l": []}, False), ({}, False)],
    ),
    (
        "any-item",
        {"field": OBJ, "any_item": {"field": "k", "equals": "x"}},
        [({OBJ: [{"k": "y"}, {"k": "x"}]}, True), ({OBJ: [{"k": "y"}]}, False), ({}, False)],
    ),
    (
        "any-item-missing",
        {"field": OBJ, "any_item": {"field": "k", "missing": True}},
        [
            ({OBJ: [{"k": "x"}, {"j": 1}]}, True),
            ({OBJ: [{"k": "x"}]}, False),
            ({OBJ: [{"k": ""}]}, True),
            ({}, False),
        ],
    ),
    (
        "any-item-not",
        {"field": OBJ, "any_item": {"not": {"field": "n", "gt": 1}}},
        [
            ({OBJ: [{"n": 2}, {"n": 1}]}, True),
            ({OBJ: [{"n": 2}]}, False),
            ({OBJ: [{"k": 1}]}, True),
        ],
    ),
    (
        "any-item-list",
        {"field": OBJ, "any_item": {"field": "t", "contains": "x"}},
        [({OBJ: [{"t": ["x"]}]}, True), ({OBJ: [{"t": ["y"]}, {}]}, False)],
    ),
    (
        "any-item-nested",
        {"field": OBJ, "any_item": {"field": "sub", "any_item": {"field": "k", "equals": 1}}},
        [({OBJ: [{"sub": [{"k": 1}]}]}, True), ({OBJ: [{"k": 1, "sub": [{"j": 1}]}]}, False)],
    ),
    (
        "count-lt",
        {"field": "l", "count": {"lt": 2}},
        [({"l": ["a"]}, True), ({"l": ["a", "b"]}, False), ({}, True), ({"l": []}, True)],
    ),
    ("count-gte", {"field": "l", "count": {"gte": 1}}, [({"l": ["a"]}, True), ({}, False)]),
    ("count-eq0", {"field": OBJ, "count": {"equals": 0}}, [({}, True), ({OBJ: [{"k": 1}]}, False)]),
    (
        "count-range",
        {"field": "l", "count": {"gte": 1, "lte": 2}},
        [({"l": ["a", "b"]}, True), ({"l": ["a", "b", "c"]}, False), ({}, False)],
    ),
    (
        "all",
        {"all": [{"field": "s", "equals": "a"}, {"field": "n", "gt": 1}]},
        [({"s": "a", "n": 2}, True), ({"s": "a"}, False)],
    ),
    (
        "any",
        {"any": [{"field": "s", "equals": "a"}, {"field": "n", "gt": 1}]},
        [({"n": 2}, True), ({"s": "b"}, False)],
    ),
    (
        "not-not",
        {"not": {"not": {"field": "s", "exists": True}}},
        [({"s": "a"}, True), ({}, False)],
    ),
    (
        "not-any",
        {"not": {"any": [{"field": "s", "equals": "a"}, {"field": "l", "contains": "a"}]}},
        [({}, True), ({"l": ["a"]}, False)],
    ),
]


def _table() -> tuple[list[EngineRule], list[dict[str, Any]], dict[tuple[str, str], bool]]:
    rules, facts, expected = [], [], {}
    for name, condition, examples in CASES:
        rules += [
            EngineRule(name, "thing", condition),
            EngineRule(f"{name}~not", "thing", {"not": condition}),
        ]
        for index, (fields, holds) in enumerate(examples):
            key = f"{name}/{index}"
            facts.append({"entity": "thing", "key": key, **fields})
            expected[(name, key)] = holds
            expected[(f"{name}~not", key)] = not holds
    return rules, facts, expected


def _reference(rules: list[EngineRule], facts: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted(
        (rule.id, fact["key"])
        for rule in rules
        for fact in facts
        if fact["entity"] == rule.entity and evaluate(rule.condition, fact)
    )


@pytest.fixture(scope="module")
def table_run() -> tuple[list[EngineRule], list[dict[str, Any]], dict, list[tuple[str, str]]]:
    rules, facts, expected = _table()
    return rules, facts, expected, RuleEngine(rules).run(facts)


@pytest.mark.parametrize("case", [name for name, _, _ in CASES])
def test_operator_on_evaluate_and_engine(case: str, table_run: Any) -> None:
    rules, facts, expected, matches = table_run
    found = set(matches)
    checked = {
        (rule, key): holds for (rule, key), holds in expected.items() if rule.split("~")[0] == case
    }
    conditions = {rule.id: rule.condition for rule in rules}
    by_key = {fact["key"]: fact for fact in facts}
    for (rule, key), holds in checked.items():
        assert evaluate(conditions[rule], by_key[key]) is holds, ("evaluate", rule, key)
        assert ((rule, key) in found) is holds, ("engine", rule, key)


def test_engine_agrees_with_evaluate_on_every_table_pair(table_run: Any) -> None:
    rules, facts, _, matches = table_run
    assert matches == _reference(rules, facts)


# --- differential property test ---------------------------------------------------------------

NAMES = ("s", "a.b", "n#count", "x_y", "deep.er.name", "flag", "tags", "rows", "t.l", "q")
VOCAB = ("a", "b", "c")
NUMBERS = (-1, 0, 1, 2, 2.5, -0.5, 1e-05, 3e16)


@st.composite
def field_specs(draw: st.DrawFn, depth: int = 0) -> dict[str, FieldSpec]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True))
    kinds = ("string", "number", "boolean", "list") + (("objects",) if depth == 0 else ())
    specs = {}
    for name in names:
        kind = draw(st.sampled_from(kinds))
        items = draw(field_specs(depth + 1)) if kind == "objects" else None
        specs[name] = FieldSpec(kind, item_fields=items)
    return specs


def _scalar(kind: str) -> st.SearchStrategy[Any]:
    if kind == "number":
        return st.sampled_from(NUMBERS)
    if kind == "boolean":
        return st.booleans()
    return st.sampled_from(VOCAB)


def _list_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(VOCAB), st.sampled_from((1, 2)))


@st.composite
def leaves(draw: st.DrawFn, specs: dict[str, FieldSpec], depth: int) -> dict[str, Any]:
    name = draw(st.sampled_from(sorted(specs)))
    spec = specs[name]
    presence = draw(st.sampled_from(("exists", "missing")))
    ops: list[tuple[str, st.SearchStrategy[Any]]] = [(presence, st.booleans())]
    values = st.lists(_scalar(spec.kind), min_size=1, max_size=3)
    if spec.kind in ("string", "number", "boolean"):
        ops += [(op, _scalar(spec.kind)) for op in ("equals", "not_equals")]
        ops += [(op, values) for op in ("in", "not_in")]
    if spec.kind == "number":
        ops += [(op, st.sampled_from(NUMBERS)) for op in ("lt", "lte", "gt", "gte")]
    if spec.kind == "list":
        many = st.lists(_list_scalars(), min_size=1, max_size=3)
        ops += [("contains", _list_scalars()), ("contains_any", many), ("only", many)]
    if spec.kind in ("list", "objects"):
        tests = st.dictionaries(
            st.sampled_from(("lt", "lte", "gt", "gte", "equals")), st.integers(0, 3), min_size=1
        )
        ops.append(("count", tests))
    if spec.kind == "objects":
        ops.append(("any_item", conditions(spec.item_fields or {}, depth + 1)))
    op, argument = draw(st.sampled_from(ops))
    return {"field": name, op: draw(argument)}


@st.composite
def conditions(draw: st.DrawFn, specs: dict[str, FieldSpec], depth: int = 0) -> dict[str, Any]:
    if depth >= 2 or draw(st.integers(0, 2)) == 0:
        return draw(leaves(specs, depth))
    shape = draw(st.sampled_from(("all", "any", "not")))
    if shape == "not":
        return {"not": draw(conditions(specs, depth + 1))}
    return {shape: draw(st.lists(conditions(specs, depth + 1), min_size=1, max_size=3))}


def _within_limits(condition: dict[str, Any]) -> bool:
    return engine.size_problem(condition) is None


@st.composite
def field_values(draw: st.DrawFn, specs: dict[str, FieldSpec]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        choice = draw(st.integers(0, 4))
        if choice == 0:
            continue  # absent
        if choice == 1:
            values[name] = draw(st.sampled_from((None, "", " ", [])))  # all "not present"
        elif spec.kind == "list":
            values[name] = draw(st.lists(_list_scalars(), max_size=3))
        elif spec.kind == "objects":
            values[name] = draw(st.lists(field_values(spec.item_fields or {}), max_size=3))
        else:
            values[name] = draw(_scalar(spec.kind))
    return values


@st.composite
def catalogues(draw: st.DrawFn) -> tuple[list[EngineRule], list[dict[str, Any]]]:
    specs = draw(field_specs())
    rule_conditions = draw(
        st.lists(conditions(specs).filter(_within_limits), min_size=1, max_size=25)
    )
    rules = [EngineRule(f"R-{i:03d}", "thing", c) for i, c in enumerate(rule_conditions)]
    fact_fields = draw(st.lists(field_values(specs), min_size=1, max_size=4))
    facts = [{"entity": "thing", "key": f"thing:{i}", **f} for i, f in enumerate(fact_fields)]
    return rules, facts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogues())
def test_engine_agrees_with_evaluate(catalogue: tuple[list[EngineRule], list[dict]]) -> None:
    rules, facts = catalogue
    assert RuleEngine(rules).run(facts) == _reference(rules, facts)


@st.composite
def routed_catalogues(draw: st.DrawFn) -> tuple[list[EngineRule], list[dict[str, Any]]]:
    """Rules that require `kind` to equal a text (routed by it) mixed with rules that do not,
    and facts whose `kind` is one of those texts, another text, a number, a list or absent."""
    specs = draw(field_specs())
    rules = []
    for i in range(draw(st.integers(2, 25))):
        condition = draw(conditions(specs).filter(_within_limits))
        if draw(st.booleans()):
            required = {"field": "kind", "equals": draw(st.sampled_from(VOCAB))}
            parts = condition["all"] if set(condition) == {"all"} else [condition]
            ordered = [*parts, required] if draw(st.booleans()) else [required, *parts]
            condition = {"all": ordered}
            if not _within_limits(condition):
                continue
        rules.append(EngineRule(f"R-{i:03d}", "thing", condition))
    kinds = st.one_of(st.sampled_from((*VOCAB, "zz", 1, None)), st.lists(st.sampled_from(VOCAB)))
    facts = []
    for i, fields in enumerate(draw(st.lists(field_values(specs), min_size=1, max_size=5))):
        kind = draw(kinds)
        facts.append({"entity": "thing", "key": f"thing:{i}", **fields, "kind": kind})
    return rules, facts


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(routed_catalogues())
def test_routing_by_a_required_value_changes_no_result(
    catalogue: tuple[list[EngineRule], list[dict]],
) -> None:
    rules, facts = catalogue
    assert RuleEngine(rules).run(facts) == _reference(rules, facts)


def _count_asserts(monkeypatch: Any) -> list[str]:
    """The names of the rulesets each fact is asserted into, from now on."""
    asserted: list[str] = []
    real_assert = engine._assert

    def counting_assert(ruleset: Any, text: str, key: str) -> list[str]:
        asserted.append(ruleset.name)
        return real_assert(ruleset, text, key)

    monkeypatch.setattr(engine, "_assert", counting_assert)
    return asserted


def test_a_fact_goes_only_to_rulesets_its_value_can_match(monkeypatch: Any) -> None:
    rules = [
        EngineRule(f"T-{kind}-{i}", "routed", {"all": [{"field": "kind", "equals": kind},
                                                    {"field": "n", "gt": i}]})
        for kind in ("a", "b", "c") for i in range(40)
    ] + [EngineRule("T-any", "routed", {"field": "n", "gt": 0})]
    compiled = RuleEngine(rules)
    asserted = _count_asserts(monkeypatch)
    facts = [{"entity": "routed", "key": "routed:1", "kind": "b", "n": 100}]
    assert compiled.run(facts) == sorted([(f"T-b-{i}", "routed:1") for i in range(40)]
                                         + [("T-any", "routed:1")])
    assert 1 < len(asserted) < len(compiled.ruleset_names) / 2
    asserted.clear()
    facts = [{"entity": "routed", "key": "routed:1", "kind": ["b"], "n": 100}]  # not a text
    assert compiled.run(facts) == [("T-any", "routed:1")]
    # Not routed by value, but no `kind equals` can hold of a list: the gates close.
    assert len(asserted) == 1


def test_a_fact_meets_only_rulesets_whose_gate_opens(monkeypatch: Any) -> None:
    rules = [
        EngineRule(
            f"G-{i:02d}",
            "gated",
            {"all": [{"field": f"flag{i % 3}", "equals": True}, {"field": "n", "gt": i}]},
        )
        for i in range(90)
    ] + [
        EngineRule(
            "G-open",
            "gated",
            {"any": [{"field": "n", "gt": 0}, {"field": "flag0", "equals": True}]},
        )
    ]
    compiled = RuleEngine(rules)
    asserted = _count_asserts(monkeypatch)
    for flags in ([False, False, False], [True, False, False], [False, True, True]):
        asserted.clear()
        fact = {"entity": "gated", "key": "g:1", "n": 50}
        fact.update({f"flag{i}": flag for i, flag in enumerate(flags)})
        expected = sorted((r.id, "g:1") for r in rules if evaluate(r.condition, fact))
        assert compiled.run([fact]) == expected
        assert len(asserted) < len(compiled.ruleset_names)
    asserted.clear()
    closed = {"entity": "gated", "key": "g:2", "n": 0, "flag0": False}
    assert compiled.run([closed]) == []
    assert asserted == [], "every gate is closed (G-open's too: n > 0 or flag0): none is asserted"


# --- limits -----------------------------------------------------------------------------------


def test_fact_satisfying_150_rules_fires_them_all() -> None:
    rules = [EngineRule(f"W-{i:03d}", "wide", {"field": "n", "gte": i}) for i in range(150)]
    fact = {"entity": "wide", "key": "wide:1", "n": 1000}
    assert RuleEngine(rules).run([fact]) == [(f"W-{i:03d}", "wide:1") for i in range(150)]


def test_many_rules_with_many_passing_tests_each_fire() -> None:
    """40 rules of 10 passing tests each: far more than durable's 64-entry match stack."""
    fields = [f"p{i}" for i in range(40)]
    rules = [
        EngineRule(
            f"M-{i:03d}", "wide", {"any": [{"field": f, "gte": i} for f in fields[i % 30 :][:10]]}
        )
        for i in range(40)
    ]
    fact = {"entity": "wide", "key": "wide:2", **{f: 100 for f in fields}}
    assert RuleEngine(rules).run([fact]) == [(rule.id, "wide:2") for rule in rules]


def test_250_rules_on_values_of_one_property_compile_and_run() -> None:
    """Unchunked, ~150 negated tests on one field fail at creation (durable error 107)."""
    rules = [
        EngineRule(f"V-{i:03d}", "status", {"not": {"field": "state", "equals": f"v{i}"}})
        for i in range(250)
    ]
    compiled = RuleEngine(rules)
    assert len(compiled.ruleset_names) > 1
    facts = [{"entity": "status", "key": "s:1", "state": "v7"}, {"entity": "status", "key": "s:2"}]
    matches = compiled.run(facts)
    assert [m for m in matches if m[1] == "s:1"] == [
        (r.id, "s:1") for r in rules if r.id != "V-007"
    ]
    assert len([m for m in matches if m[1] == "s:2"]) == 250


def test_too_large_rule_is_refused_with_its_id() -> None:
    wide = {"any": [{"field": f"p{i}", "equals": 1} for i in range(60)]}
    with pytest.raises(EngineError, match="rule BIG-001: condition too large"):
        RuleEngine([EngineRule("BIG-001", "wide", wide)])


# --- behaviour of runs ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_engine() -> RuleEngine:
    return RuleEngine(
        [
            EngineRule("S-001", "component", {"field": "kind", "equals": "awareness"}),
            EngineRule("S-002", "component", {"not": {"field": "goal", "exists": True}}),
            EngineRule("S-003", "programme", {"field": "budget", "gt": 0}),
        ]
    )


def _facts() -> list[dict[str, Any]]:
    return [
        {"entity": "component", "key": f"component:{i}", "kind": ["awareness", "other"][i % 2]}
        for i in range(12)
    ] + [{"entity": "programme", "key": "programme", "budget": 10}, {"entity": "risk", "key": "r1"}]


def test_order_of_facts_does_not_matter(small_engine: RuleEngine) -> None:
    facts = _facts()
    expected = small_engine.run(facts)
    assert ("S-003", "programme") in expected and ("S-002", "component:3") in expected
    for seed in range(5):
        shuffled = facts[:]
        random.Random(seed).shuffle(shuffled)
        assert small_engine.run(shuffled) == expected


def test_facts_are_not_mutated_and_unknown_entities_skipped(small_engine: RuleEngine) -> None:
    facts = _facts()
    before = [dict(f) for f in facts]
    small_engine.run(facts)
    assert facts == before


def test_same_catalogue_reuses_its_rulesets(small_engine: RuleEngine) -> None:
    again = RuleEngine([EngineRule("S-003", "programme", {"field": "budget", "gt": 0})])
    assert set(again.ruleset_names).isdisjoint(small_engine.ruleset_names)
    twin = RuleEngine([EngineRule("S-003", "programme", {"field": "budget", "gt": 0})])
    assert twin.ruleset_names == again.ruleset_names


_state_exists = engine.state_exists


def test_no_session_state_remains_after_run(small_engine: RuleEngine, monkeypatch: Any) -> None:
    names = small_engine.ruleset_names
    with monkeypatch.context() as patch:  # first show that a leftover session would be seen
        patch.setattr(engine, "_delete_state", lambda ruleset, sid: None)
        patch.setattr(engine, "new_session_id", lambda: "leftover")
        small_engine.run(_facts())
    assert all(_state_exists(name, "leftover") for name in names)
    for name in names:
        engine._delete_state(engine.registered_ruleset(name), "leftover")
    monkeypatch.setattr(engine, "new_session_id", lambda: "hygiene-1")
    assert small_engine.run(_facts())
    assert not any(_state_exists(name, "hygiene-1") for name in names)


def test_state_is_deleted_when_a_run_fails(small_engine: RuleEngine, monkeypatch: Any) -> None:
    real_assert = engine._assert
    calls = []

    def failing_assert(ruleset: Any, text: str, key: str) -> list[str]:
        calls.append(ruleset.name)
        if len(calls) == 3:
            raise EngineError("injected")
        return real_assert(ruleset, text, key)

    monkeypatch.setattr(engine, "_assert", failing_assert)
    monkeypatch.setattr(engine, "new_session_id", lambda: "hygiene-2")
    with pytest.raises(EngineError, match="injected"):
        small_engine.run(_facts())
    assert not any(_state_exists(name, "hygiene-2") for name in calls)


def test_more_runs_than_durable_keeps_live_sessions(small_engine: RuleEngine) -> None:
    facts = _facts()[:3]
    expected = small_engine.run(facts)
    for _ in range(1100):
        assert small_engine.run(facts) == expected


# --- errors -----------------------------------------------------------------------------------


def test_identical_facts_with_distinct_keys_both_match(small_engine: RuleEngine) -> None:
    twins = [{"entity": "component", "key": k, "kind": "awareness"} for k in ("c:1", "c:2")]
    matches = small_engine.run(twins)  # durable would raise MessageObservedException on twins
    assert {("S-001", "c:1"), ("S-001", "c:2")} <= set(matches)


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        (
            [{"entity": "component", "key": "c"}, {"entity": "risk", "key": "c"}],
            "share the key 'c'",
        ),
        ([{"entity": "component"}], "needs a string 'entity' and 'key'"),
        ([{"entity": "component", "key": "c", "kind": float("nan")}], "fact 'c': field 'kind'"),
        ([{"entity": "component", "key": "c", "kind": 2**70}], "cannot compare"),
        ([{"entity": "component", "key": "c", "kind": ["a", None]}], "cannot compare"),
    ],
)
def test_bad_facts_raise_engine_error(small_engine: RuleEngine, facts: list, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        small_engine.run(facts)


def test_too_many_fields_raise_engine_error() -> None:
    rules = [
        EngineRule(f"F-{i:03d}", "big", {"field": f"p{i}", "exists": True}) for i in range(260)
    ]
    fact = {"entity": "big", "key": "big:1", **{f"p{i}": i for i in range(260)}}
    with pytest.raises(EngineError, match="durable-rules handles fewer than"):
        RuleEngine(rules).run([fact])


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            [EngineRule("E-001", "x", {"field": "a", "equal": 1})],
            "rule E-001: equal: unknown operator",
        ),
        ([EngineRule("E-001", "x", {"field": "a", "exists": True})] * 2, "repeated: E-001"),
    ],
)
def test_bad_rules_raise_engine_error(rules: list[EngineRule], message: str) -> None:
    with pytest.raises(EngineError, match=message):
        RuleEngine(rules)


def test_json_numbers_are_written_as_durable_parses_them() -> None:
    assert engine.to_json(1e-05) == "1.0e-05"
    assert engine.to_json(-3e16) == "-3.0e+16"
    assert engine.to_json(2.5e-07) == "2.5e-07"
    value = {"a": [1e-05, 2, True, 'x"é'], "b": {"c": -0.0}}
    assert json.loads(engine.to_json(value)) == value


def test_durable_is_sent_only_what_the_rules_read() -> None:
    engine = RuleEngine(
        [
            EngineRule("P-001", "component", {"field": "summary", "missing": True}),
            EngineRule("P-002", "component", {"field": "tags", "count": {"gte": 2}}),
            EngineRule(
                "P-003",
                "component",
                {"field": "rows", "any_item": {"field": "kind", "equals": "x"}},
            ),
        ]
    )
    long_text = "a long answer that no rule compares " * 20
    fact = {
        "entity": "component",
        "key": "c:1",
        "summary": long_text,
        "tags": ["a", "b", "c"],
        "rows": [{"kind": "x", "note": long_text}],
        "unread": long_text,
    }
    ((_, _, payload),) = engine._prepare([fact])
    assert long_text not in json.dumps(payload)  # markers, counts and read item fields only
    assert engine.run([fact]) == [("P-002", "c:1"), ("P-003", "c:1")]
    assert engine.run([{**fact, "summary": "  "}]) == [
        ("P-001", "c:1"),
        ("P-002", "c:1"),
        ("P-003", "c:1"),
    ]


@st.composite
def leaves_and_facts(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A leaf, two leaves under `any`, or a ruleset's gate: `any` of `all`s of leaves."""
    specs = draw(field_specs())
    leaf = draw(leaves(specs, 0))
    shape = draw(st.sampled_from(["leaf", "any", "gate"]))
    if shape == "any":
        leaf = {"any": [leaf, draw(leaves(specs, 0))]}
    elif shape == "gate":
        alls = st.lists(leaves(specs, 0), min_size=1, max_size=3).map(lambda ls: {"all": ls})
        leaf = {"any": [{"all": [leaf]}, *draw(st.lists(alls, max_size=3))]}
    return leaf, draw(st.lists(field_values(specs), min_size=1, max_size=4))


@settings(max_examples=600, deadline=None)
@given(leaves_and_facts())
def test_compiled_gate_tests_agree_with_evaluate(case: tuple[dict, list[dict]]) -> None:
    from reviewer.conditions import compile_test

    condition, facts = case
    test = compile_test(condition)
    assert [test(fact) for fact in facts] == [evaluate(condition, fact) for fact in facts]
    assert compile_test({"all": [condition]})(facts[0]) == evaluate(condition, facts[0])


ODD_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.sampled_from((0, 1, 2, -1, 2.5, float("inf"), float("nan"), 2**70, "", " ", "a", "b"))
    | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(VOCAB), inner),
    max_leaves=6,
)
ODD_LEAF_LIST = [
    {"field": "f", "equals": True},
    {"field": "f", "equals": "a"},
    {"field": "f", "equals": " "},
    {"field": "f", "in": ["a", "b", " "]},
    {"field": "f", "exists": True},
    {"field": "f", "missing": True},
    {"field": "f", "exists": False},
    {"field": "f", "count": {"gte": 1, "lt": 3}},
    {"field": "f", "count": {"equals": 0}},
    {"field": "f", "gt": 1},
    {"field": "f", "lte": 2.5},
    {"field": "f", "contains": "a"},
    {"field": "f", "contains": 1},
    {"field": "f", "contains_any": ["a", "b"]},
    {"field": "f", "contains_any": ["a", 1]},
    {"field": "f", "only": ["a"]},
    {"field": "f", "equals": 1},
    {"field": "f", "equals": 2.5},
    {"field": "f", "not_equals": "a"},
    {"field": "f", "any_item": {"field": "a", "equals": "b"}},
    {"field": "f", "any_item": {"field": "b", "count": {"gt": 0}}},
]
ODD_LEAVES = st.sampled_from(ODD_LEAF_LIST)


@settings(max_examples=400, deadline=None)
@given(ODD_LEAVES, ODD_LEAVES, st.lists(ODD_VALUES, min_size=1, max_size=3))
def test_compiled_gate_tests_agree_with_evaluate_on_values_of_any_shape(
    first: dict[str, Any], second: dict[str, Any], values: list[Any]
) -> None:
    """The generated code's shortcuts (membership for `_same`, `len` for a count) hold for
    values no field spec allows too: infinities, huge integers, mappings inside lists."""
    from reviewer.conditions import compile_test

    condition = {"any": [{"all": [first, second]}, {"all": [second]}]}
    test = compile_test(condition)
    for value in values:
        fact = {"f": value}
        assert test(fact) == evaluate(condition, fact), (condition, value)


@pytest.mark.parametrize("leaf", ODD_LEAF_LIST)
def test_compiled_leaf_tests_agree_with_evaluate_on_every_odd_value(leaf: dict[str, Any]) -> None:
    """Each compiled shortcut (a number `equals` that keeps True apart from 1, a text
    `not_equals`, `contains_any` of texts, `any_item`, a count) against `evaluate`, on every
    value of a fixed list of awkward ones."""
    from reviewer.conditions import compile_test

    odd = [None, True, False, 0, 1, 1.0, 2.5, -1, 2**70, float("nan"), float("inf"), "", " ",
           "a", "b", "1", [], [True], [1], ["a"], ["a", "b"], [{"a": "b"}], [{"a": "c"}],
           [{"b": [1]}], [{"b": []}], [None], {"a": "b"}]
    test = compile_test(leaf)
    for value in odd:
        assert test({"f": value}) == evaluate(leaf, {"f": value}), (leaf, value)
