"""The condition language of rule files (`when:`): checking, compiling to durable-rules, evaluating.

A condition is a small tree (see docs/architecture.md, "Engine contract"):

    all: [...] | any: [...] | not: <condition> | field: <path> + exactly one operator

`evaluate` is the reference semantics, written to be obviously right. `compile_condition` turns a
condition into one durable-rules expression over one fact; a differential test keeps the two
equal. durable-rules coerces across types (`true == 1 == "1"`), so the two agree on facts whose
values have the kinds their `FieldSpec`s declare, which `check_condition` makes conditions respect.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reviewer.spelling import did_you_mean

KINDS = ("string", "number", "boolean", "list", "objects")
SCALAR_KINDS = ("string", "number", "boolean")
LIST_KINDS = ("list", "objects")

COMBINATORS = ("all", "any", "not")
COMPARISONS = ("lt", "lte", "gt", "gte")
COUNT_TESTS = (*COMPARISONS, "equals")
OPERATORS = (
    "equals",
    "not_equals",
    "in",
    "not_in",
    "exists",
    "missing",
    *COMPARISONS,
    "contains",
    "contains_any",
    "only",
    "any_item",
    "count",
)

# What each operator accepts: its value's shape, and the field kinds it applies to.
_SCALAR_VALUE, _SCALARS_VALUE, _BOOL_VALUE, _NUMBER_VALUE = "scalar", "scalars", "bool", "number"
_CONDITION_VALUE, _COUNT_VALUE = "condition", "count"
_OPERATOR_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "equals": (_SCALAR_VALUE, SCALAR_KINDS),
    "not_equals": (_SCALAR_VALUE, SCALAR_KINDS),
    "in": (_SCALARS_VALUE, SCALAR_KINDS),
    "not_in": (_SCALARS_VALUE, SCALAR_KINDS),
    "exists": (_BOOL_VALUE, KINDS),
    "missing": (_BOOL_VALUE, KINDS),
    **{op: (_NUMBER_VALUE, ("number",)) for op in COMPARISONS},
    "contains": (_SCALAR_VALUE, ("list",)),
    "contains_any": (_SCALARS_VALUE, ("list",)),
    "only": (_SCALARS_VALUE, ("list",)),
    "any_item": (_CONDITION_VALUE, ("objects",)),
    "count": (_COUNT_VALUE, LIST_KINDS),
}

Path = list[str | int]

# Inside list items durable-rules needs conditions as decision trees (see `_compile_item`),
# up to 3**n branches for n tests.
MAX_ITEM_TESTS = 6


class ConditionError(ValueError):
    """A problem in a condition, located by `path` (keys and list indexes from its root)."""

    def __init__(self, message: str, path: Sequence[str | int] = ()) -> None:
        self.path: Path = list(path)
        self.message = message
        where = ".".join(str(step) for step in self.path)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class FieldSpec:
    """What a fact field holds: its kind, allowed values, and (for `objects`) its items' fields."""

    kind: str
    values: tuple[str, ...] | None = None
    item_fields: Mapping[str, FieldSpec] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r} (one of {', '.join(KINDS)})")


# --- presence and name mangling (shared with the engine) -------------------------------------


def is_present(value: object) -> bool:
    """Absent, null, blank strings and empty lists are all 'not present' to rules."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if _is_list(value):
        return len(value) > 0  # type: ignore[arg-type]
    return True


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple)


@lru_cache(maxsize=4096)  # called for every field of every fact; names repeat
def _escape(name: str) -> str:
    # Injective: ASCII letters and digits stay, any other character becomes _<hex>_ .
    return "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):x}_" for c in name)


def field_key(name: str) -> str:
    """The key a field is stored under in durable-rules (which reads `a.b` as a nested path).

    The prefix keeps fact fields apart from durable's own keys (`id`, `sid`, `$s`)."""
    return "f_" + _escape(name)


def count_key(name: str) -> str:
    """The key holding the number of items of list field `name` (set by the engine)."""
    return "n_" + _escape(name)


def referenced_fields(cond: Mapping[str, Any]) -> set[str]:
    """The fact fields `cond` reads (the keys read inside `any_item` belong to the items)."""
    if "not" in cond:
        return referenced_fields(cond["not"])
    if "all" in cond or "any" in cond:
        children = cond.get("all", cond.get("any"))
        return set().union(*(referenced_fields(child) for child in children))
    return {cond["field"]}


def absence_fields(cond: Mapping[str, Any], negated: bool = False) -> set[str]:
    """The fields whose absence can make `cond` hold: `missing`, `exists: false`, a count
    that holds at zero, any test under a `not`, and within `any_item` the item fields whose
    absence can make the item test hold (as `list.field`). A rule fires *for* a gap only in these
    fields; a field it requires to be present (`exists: true`, `equals: ...`) is no gap of
    its, so an answer struck out there is not quoted by, or scoped out of, its finding."""
    if "not" in cond:
        return absence_fields(cond["not"], not negated)
    if "all" in cond or "any" in cond:
        children = cond.get("all", cond.get("any"))
        return set().union(*(absence_fields(child, negated) for child in children))
    op = next(key for key in cond if key != "field")
    if op == "any_item" and not negated:  # an item lacking an answer can make it hold
        return {f"{cond['field']}.{inner}" for inner in absence_fields(cond[op])}
    if op in ("exists", "missing"):
        holds_when_absent = cond[op] == (op == "missing")
    elif op == "count":
        holds_when_absent = all(_compare(test, 0, n) for test, n in cond[op].items())
    else:
        holds_when_absent = False  # a value test fails on an absent field
    return {cond["field"]} if holds_when_absent != negated else set()


def premise_flags(cond: Mapping[str, Any], negated: bool = False) -> set[str]:
    """Flags a condition requires not to be set (`not: {field: F, equals: true}`), such as
    `victim_support.children.served` in a rule about services for adults: the flag's absence
    is the rule's premise. A question scoped out around it ("children: not relevant, adults
    only") confirms the premise; it does not answer the rule's gap."""
    if "not" in cond:
        return premise_flags(cond["not"], not negated)
    if "all" in cond or "any" in cond:
        children = cond.get("all", cond.get("any"))
        return set().union(*(premise_flags(child, negated) for child in children))
    return {cond["field"]} if negated and cond.get("equals") is True else set()


@dataclass
class FieldUse:
    """How the rules read one fact field, so that the engine sends durable only that.

    `presence`: exists/missing (a marker stands for the value); `count`: the list's length;
    `value`: the value itself (comparisons, `contains`...); `items`: what `any_item` tests
    read in each item, by item field."""

    presence: bool = False
    count: bool = False
    value: bool = False
    items: dict[str, FieldUse] | None = None


def field_uses(
    cond: Mapping[str, Any], into: dict[str, FieldUse] | None = None
) -> dict[str, FieldUse]:
    """How `cond` reads each field it names, merged into `into` (several rules, one entity)."""
    uses: dict[str, FieldUse] = {} if into is None else into
    for leaf in _leaves(cond):
        op = next(key for key in leaf if key != "field")
        use = uses.setdefault(leaf["field"], FieldUse())
        if op in ("exists", "missing"):
            use.presence = True
        elif op == "count":
            use.count = True
        elif op == "any_item":
            use.items = field_uses(leaf[op], use.items if use.items is not None else {})
        else:
            use.value = True
    return uses


# --- checking ---------------------------------------------------------------------------------


def check_condition(cond: object, fields: Mapping[str, FieldSpec]) -> list[ConditionError]:
    """Every problem of `cond` against the fields of a fact, each with its path."""
    errors: list[ConditionError] = []
    _check(cond, fields, [], errors)
    return errors


def structure_errors(cond: object) -> list[ConditionError]:
    """Problems of shape alone (operators, value types), whatever the fields are."""
    errors: list[ConditionError] = []
    _check(cond, None, [], errors)
    return errors


def _check(
    cond: object, fields: Mapping[str, FieldSpec] | None, path: Path, errors: list[ConditionError]
) -> None:
    if not isinstance(cond, Mapping) or not cond:
        errors.append(ConditionError("a condition must be a non-empty mapping", path))
        return
    combinators = [key for key in cond if key in COMBINATORS]
    if combinators:
        if len(cond) > 1:
            others = ", ".join(repr(key) for key in cond if key != combinators[0])
            message = f"'{combinators[0]}' must stand alone in its mapping (also found {others})"
            errors.append(ConditionError(message, path))
            return
        _check_combinator(combinators[0], cond[combinators[0]], fields, path, errors)
    elif "field" in cond:
        _check_leaf(cond, fields, path, errors)
    else:
        for key in cond:
            hint = did_you_mean(str(key), (*COMBINATORS, "field"))
            errors.append(ConditionError(f"unknown key '{key}'{hint}", [*path, str(key)]))


def _check_combinator(
    name: str,
    body: object,
    fields: Mapping[str, FieldSpec] | None,
    path: Path,
    errors: list[ConditionError],
) -> None:
    if name == "not":
        _check(body, fields, [*path, "not"], errors)
    elif not isinstance(body, list) or not body:
        message = f"'{name}' needs a non-empty list of conditions"
        errors.append(ConditionError(message, [*path, name]))
    else:
        for index, child in enumerate(body):
            _check(child, fields, [*path, name, index], errors)


def _check_leaf(
    cond: Mapping[str, Any],
    fields: Mapping[str, FieldSpec] | None,
    path: Path,
    errors: list[ConditionError],
) -> None:
    name = cond["field"]
    if not isinstance(name, str) or not name:
        errors.append(ConditionError("'field' must be a non-empty string", [*path, "field"]))
        return
    operators = [key for key in cond if key != "field"]
    for key in operators:
        if key not in OPERATORS:
            hint = did_you_mean(str(key), OPERATORS)
            errors.append(ConditionError(f"unknown operator '{key}'{hint}", [*path, str(key)]))
    known = [key for key in operators if key in OPERATORS]
    if len(operators) != 1:
        if not operators or len(known) > 1:
            found = ", ".join(f"'{key}'" for key in known) or "none"
            message = f"field '{name}' needs exactly one operator (found {found})"
            errors.append(ConditionError(message, path))
        return
    if not known:
        return
    op = known[0]
    before = len(errors)
    if not _check_value_shape(op, cond[op], fields, [*path, op], errors):
        return
    if fields is not None:
        _check_against_field(name, op, cond[op], fields, path, errors)
    if op == "any_item" and len(errors) == before and len(_leaves(cond[op])) > MAX_ITEM_TESTS:
        message = f"'any_item' may test at most {MAX_ITEM_TESTS} things in an item"
        errors.append(ConditionError(message, [*path, op]))


# durable-rules stores integers in 64 bits.
_INT_LIMIT = 2**63


def _is_scalar(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int):
        return -_INT_LIMIT < value < _INT_LIMIT
    return isinstance(value, str)


def _is_number(value: object) -> bool:
    return _is_scalar(value) and isinstance(value, int | float) and not isinstance(value, bool)


def _check_value_shape(
    op: str,
    value: object,
    fields: Mapping[str, FieldSpec] | None,
    path: Path,
    errors: list[ConditionError],
) -> bool:
    """Whether `value` has the shape `op` needs (recording an error if not)."""
    shape = _OPERATOR_RULES[op][0]
    problem = None
    if shape == _SCALAR_VALUE and not _is_scalar(value):
        problem = "needs a single value (string, number or boolean)"
    elif shape == _SCALARS_VALUE and not (
        isinstance(value, list) and value and all(_is_scalar(v) for v in value)
    ):
        problem = "needs a non-empty list of values (strings, numbers or booleans)"
    elif shape == _BOOL_VALUE and not isinstance(value, bool):
        problem = "needs true or false"
    elif shape == _NUMBER_VALUE and not _is_number(value):
        problem = "needs a finite number (integers within 64 bits)"
    elif shape == _COUNT_VALUE:
        problem = _count_problem(value)
    elif shape == _CONDITION_VALUE and fields is None:
        _check(value, None, path, errors)
    if problem:
        errors.append(ConditionError(f"'{op}' {problem}", path))
    return problem is None


def _count_problem(value: object) -> str | None:
    if not isinstance(value, Mapping) or not value:
        return f"needs a mapping of tests, e.g. {{gte: 1}} ({', '.join(COUNT_TESTS)})"
    for key, number in value.items():
        if key not in COUNT_TESTS:
            return f"has unknown test '{key}'{did_you_mean(str(key), COUNT_TESTS)}"
        if not _is_number(number):
            return f"test '{key}' needs a finite number"
    return None


def _check_against_field(
    name: str,
    op: str,
    value: object,
    fields: Mapping[str, FieldSpec],
    path: Path,
    errors: list[ConditionError],
) -> None:
    spec = fields.get(name)
    kinds = _OPERATOR_RULES[op][1]
    if spec is None:
        hint = did_you_mean(name, sorted(fields))
        errors.append(ConditionError(f"unknown field '{name}'{hint}", [*path, "field"]))
    elif spec.kind not in kinds:
        wanted = " or ".join(kinds)
        message = f"'{op}' applies to {wanted} fields; '{name}' is a {spec.kind} field"
        errors.append(ConditionError(message, [*path, op]))
    if spec is None or spec.kind not in kinds:
        if op == "any_item":  # still report the inner condition's own problems
            _check(value, None, [*path, op], errors)
        return
    if op == "any_item":
        _check(value, spec.item_fields or {}, [*path, op], errors)
    elif _OPERATOR_RULES[op][0] == _SCALAR_VALUE:
        _check_item_value(name, spec, value, [*path, op], errors)
    elif _OPERATOR_RULES[op][0] == _SCALARS_VALUE:
        for index, item in enumerate(value):  # type: ignore[arg-type]
            _check_item_value(name, spec, item, [*path, op, index], errors)


def _check_item_value(
    name: str, spec: FieldSpec, value: object, path: Path, errors: list[ConditionError]
) -> None:
    """A value compared with field `name`: of the field's kind, and in its vocabulary if any."""
    expected = {"string": str, "number": (int, float), "boolean": bool}.get(spec.kind)
    wrong_type = expected is not None and (
        not isinstance(value, expected) or (spec.kind == "number" and isinstance(value, bool))
    )
    if wrong_type:
        message = f"{value!r} is not a {spec.kind}, but '{name}' is a {spec.kind} field"
        errors.append(ConditionError(message, path))
    elif spec.values is not None and value not in spec.values:
        hint = did_you_mean(str(value), spec.values)
        errors.append(ConditionError(f"{value!r} is not a value of '{name}'{hint}", path))


# --- the reference evaluator ------------------------------------------------------------------


def evaluate(cond: Mapping[str, Any], fact: Mapping[str, Any]) -> bool:
    """Whether `fact` (a flat mapping, or one item of an `objects` field) satisfies `cond`."""
    _raise_first(structure_errors(cond))
    return _evaluate(cond, fact)


def compile_test(cond: Mapping[str, Any]) -> Test:
    """`evaluate` for one checked condition as a function of the fact, with the common leaves
    (a text or flag `equals`, `in` texts, presence) reduced to a dict lookup, for tests run
    on every fact (the engine's gates). Anything else falls back to `evaluate`'s code."""
    if set(cond) == {"any"}:
        return any_of(tuple(compile_test(child) for child in cond["any"]))
    if set(cond) == {"all"}:
        return all_of(tuple(compile_test(child) for child in cond["all"]))
    op = next((key for key in cond if key != "field"), "")
    name, arg = cond.get("field"), cond.get(op)
    if op == "equals" and isinstance(arg, bool):
        return lambda fact: fact.get(name) is arg
    if op == "equals" and isinstance(arg, str):
        return lambda fact: fact.get(name) == arg and is_present(arg)
    if op == "in" and all(isinstance(a, str) for a in arg):
        texts = frozenset(a for a in arg if is_present(a))
        return lambda fact: isinstance(value := fact.get(name), str) and value in texts
    if op in ("exists", "missing"):
        wanted = arg == (op == "exists")
        return lambda fact: is_present(fact.get(name)) == wanted
    if op == "count" and isinstance(arg, Mapping):
        return _count_test(name, tuple(arg.items()))
    if op in COMPARISONS and _is_number(arg):
        compare = _COMPARE[op]
        return lambda fact: _is_number(value := fact.get(name)) and compare(value, arg)
    if op == "contains" and isinstance(arg, str):  # `in` is `_same` for a text
        return lambda fact: _is_list(value := fact.get(name)) and arg in value
    if op == "contains_any" and all(isinstance(a, str) for a in arg):
        return _contains_any_test(name, frozenset(arg))
    if op == "equals" and _is_number(arg):  # `_same`: True is not 1
        return lambda fact: type(value := fact.get(name)) is not bool and value == arg
    if op == "not_equals" and isinstance(arg, str):
        return lambda fact: is_present(value := fact.get(name)) and value != arg
    if op == "any_item" and isinstance(arg, Mapping):
        return _any_item_test(name, compile_test(arg))
    return lambda fact: _evaluate(cond, fact)


_COMPARE = {"lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge}


def _contains_any_test(name: str, texts: frozenset[str]) -> Test:
    def contains_any(fact: Mapping[str, Any]) -> bool:
        value = fact.get(name)
        if not _is_list(value):
            return False
        for item in value:  # noqa: SIM110 - any() with a generator is slower here
            if isinstance(item, str) and item in texts:
                return True
        return False

    return contains_any


def _any_item_test(name: str, test: Test) -> Test:
    def any_item(fact: Mapping[str, Any]) -> bool:
        value = fact.get(name)
        if not _is_list(value):
            return False
        for item in value:  # noqa: SIM110 - any() with a generator is slower here
            if isinstance(item, Mapping) and test(item):
                return True
        return False

    return any_item


def _count_test(name: str, tests: tuple[tuple[str, Any], ...]) -> Test:
    def counted(fact: Mapping[str, Any]) -> bool:
        value = fact.get(name)
        size = len(value) if _is_list(value) else 0
        for test, number in tests:  # noqa: SIM110 - all() with a generator is slower here
            if not _compare(test, size, number):
                return False
        return True

    return counted


Test = Callable[[Mapping[str, Any]], bool]


def any_of(tests: tuple[Test, ...]) -> Test:
    """Whether one of the tests holds of a fact (a loop: a generator per fact costs more)."""
    if len(tests) == 1:
        return tests[0]

    def run(fact: Mapping[str, Any]) -> bool:
        for test in tests:  # noqa: SIM110 - any() with a generator is slower here
            if test(fact):
                return True
        return False

    return run


def all_of(tests: tuple[Test, ...]) -> Test:
    """Whether every test holds of a fact."""
    if len(tests) == 1:
        return tests[0]

    def run(fact: Mapping[str, Any]) -> bool:
        for test in tests:  # noqa: SIM110 - all() with a generator is slower here
            if not test(fact):
                return False
        return True

    return run


def _raise_first(errors: list[ConditionError]) -> None:
    if errors:
        raise errors[0]


def _evaluate(cond: Mapping[str, Any], fact: Mapping[str, Any]) -> bool:
    if "all" in cond:
        return all(_evaluate(child, fact) for child in cond["all"])
    if "any" in cond:
        return any(_evaluate(child, fact) for child in cond["any"])
    if "not" in cond:
        return not _evaluate(cond["not"], fact)
    op = next(key for key in cond if key != "field")
    value = fact.get(cond["field"])
    if op == "count":
        size = len(value) if _is_list(value) else 0
        return all(_compare(test, size, n) for test, n in cond[op].items())
    if op in ("exists", "missing"):
        return is_present(value) == (cond[op] == (op == "exists"))
    if not is_present(value):
        return False
    return _evaluate_present(op, cond[op], value)


def _evaluate_present(op: str, arg: Any, value: Any) -> bool:
    if op == "equals":
        return _same(value, arg)
    if op == "not_equals":
        return not _same(value, arg)
    if op == "in":
        return any(_same(value, a) for a in arg)
    if op == "not_in":
        return not any(_same(value, a) for a in arg)
    if op in COMPARISONS:
        return _is_number(value) and _compare(op, value, arg)
    if not _is_list(value):
        return False
    if op == "contains":
        return any(_same(item, arg) for item in value)
    if op == "contains_any":
        return any(_same(item, a) for item in value for a in arg)
    if op == "only":
        return all(any(_same(item, a) for a in arg) for item in value)
    assert op == "any_item", op
    return any(isinstance(item, Mapping) and _evaluate(arg, item) for item in value)


def _same(a: object, b: object) -> bool:
    """Equality that keeps booleans, numbers and strings apart (True is not 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


def _compare(op: str, left: float, right: float) -> bool:
    if op == "lt":
        return left < right
    if op == "lte":
        return left <= right
    if op == "gt":
        return left > right
    if op == "gte":
        return left >= right
    return left == right  # "equals", for count


# --- compiling to durable-rules --------------------------------------------------------------

# For a count test, the opposite test (used when negating).
_OPPOSITE = {"lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt", "equals": "not_equals"}
_DURABLE_OP = {"lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte", "not_equals": "$neq"}


def compile_condition(cond: Mapping[str, Any]) -> dict[str, Any]:
    """The durable-rules expression matching exactly the facts `evaluate` accepts.

    Field names become `field_key` names and counts read `count_key` names, so facts must be
    renamed the same way (the engine does it). `not` is pushed down to the leaves, where a
    negated leaf also holds when its field is absent (`$nex`)."""
    _raise_first(structure_errors(cond))
    return _compile(cond, negate=False)


def _compile(cond: Mapping[str, Any], negate: bool) -> dict[str, Any]:
    if "not" in cond:
        return _compile(cond["not"], not negate)
    if "all" in cond or "any" in cond:
        conjunction = ("all" in cond) != negate
        children = [_compile(c, negate) for c in cond.get("all", cond.get("any"))]
        return _and(children) if conjunction else _or(children)
    literal = _literal(cond, scope="")
    wanted = not negate
    absent = [{"$nex": {literal.ref: 1}}] if literal.when_absent == wanted else []
    present = literal.holds if wanted else literal.fails
    return _or(absent + ([present] if present else []))


@dataclass(frozen=True)
class _Literal:
    """A leaf as tests on one property: when absent, present and holding, present and failing."""

    ref: str
    when_absent: bool
    holds: dict[str, Any] | None  # None: cannot happen
    fails: dict[str, Any] | None


def _literal(leaf: Mapping[str, Any], scope: str) -> _Literal:
    """`scope` prefixes references: "" on the fact, "$i." on a list item."""
    op = next(key for key in leaf if key != "field")
    name, arg = leaf["field"], leaf[op]
    if op == "count":
        ref = scope + count_key(name)
        holds = _and([_compare_test(ref, test, n) for test, n in arg.items()])
        fails = _or([_compare_test(ref, _OPPOSITE[test], n) for test, n in arg.items()])
        return _Literal(ref, all(_compare(test, 0, n) for test, n in arg.items()), holds, fails)
    ref = scope + field_key(name)
    if op in ("exists", "missing"):
        present = arg == (op == "exists")
        test = {"$ex": {ref: 1}}
        return _Literal(ref, not present, test if present else None, None if present else test)
    return _Literal(ref, False, _leaf_test(op, arg, ref, False), _leaf_test(op, arg, ref, True))


def _leaf_test(op: str, arg: Any, ref: str, negate: bool) -> dict[str, Any]:
    """The test of a present field (negated when `negate`)."""
    if op in ("not_equals", "not_in"):
        op, arg, negate = ("equals" if op == "not_equals" else "in"), arg, not negate
    if op == "equals":
        return _compare_test(ref, "not_equals" if negate else "equals", arg)
    if op == "in":
        tests = [_compare_test(ref, "not_equals" if negate else "equals", v) for v in arg]
        return _and(tests) if negate else _or(tests)
    if op in COMPARISONS:
        return _compare_test(ref, _OPPOSITE[op] if negate else op, arg)
    if op == "any_item":
        return _list_test("$iall" if negate else "$iany", ref, _compile_item(arg, negate))
    # contains, contains_any, only: tests on each item of a list of scalars.
    values = [arg] if op == "contains" else arg
    matches_one = _or([_compare_test("$i", "equals", v) for v in values])
    matches_none = _and([_compare_test("$i", "not_equals", v) for v in values])
    if op == "only":
        quantifier, item_test = ("$iany", matches_none) if negate else ("$iall", matches_one)
    else:
        quantifier, item_test = ("$iall", matches_none) if negate else ("$iany", matches_one)
    return _list_test(quantifier, ref, item_test)


# Always true / never true of a list item: item keys are all field_key or count_key names.
_ALWAYS_IN_ITEM = {"$nex": {"$i.none": 1}}
_NEVER_IN_ITEM = {"$ex": {"$i.none": 1}}


def _list_test(op: str, ref: str, item_test: dict[str, Any]) -> dict[str, Any]:
    """`$iany`/`$iall` of `item_test`. When the item test ends with an `$or`, durable reads an
    unset part of the node that joins the alternatives, and creation fails at random (error
    102); a final test that always holds avoids that."""
    if _ends_with_or(item_test):
        item_test = _and([item_test, _ALWAYS_IN_ITEM])
    return {op: {ref: item_test}}


def _ends_with_or(expression: Mapping[str, Any]) -> bool:
    if "$and" in expression:
        return _ends_with_or(expression["$and"][-1])
    return "$or" in expression


_OUTCOMES = ("absent", "holds", "fails")


def _compile_item(cond: Mapping[str, Any], negate: bool) -> dict[str, Any]:
    """The test of one list item (negated when `negate`), in a shape durable matches correctly.

    On list items durable keeps only the outcome of the last item property it tried, so
    alternatives must not start with tests of different properties. The condition becomes a
    decision tree instead: each branching tests the outcomes of one leaf (one property), and
    a branch stops as soon as the condition's value is known."""
    literals = [_literal(leaf, scope="$i.") for leaf in _leaves(cond)]
    first_use = {lit.ref: i for i, lit in reversed(list(enumerate(literals)))}
    order = sorted(range(len(literals)), key=lambda i: (first_use[literals[i].ref], i))
    tree = _decide(cond, not negate, literals, order, [None] * len(literals), {})
    if isinstance(tree, dict):
        return tree
    return _ALWAYS_IN_ITEM if tree else _NEVER_IN_ITEM


def _decide(
    cond: Mapping[str, Any],
    wanted: bool,
    literals: list[_Literal],
    order: list[int],
    known: list[bool | None],
    present: dict[str, bool],
) -> dict[str, Any] | bool:
    """An item test for `cond == wanted` given the leaf values known so far (True/False when
    that no longer depends on the item)."""
    value = _partial(cond, iter(known))
    if value is not None:
        return value == wanted
    index = next(i for i in order if known[i] is None)
    lit = literals[index]
    branches = []
    for outcome in _OUTCOMES:
        is_absent = outcome == "absent"
        test = {"absent": {"$nex": {lit.ref: 1}}, "holds": lit.holds, "fails": lit.fails}[outcome]
        if test is None or present.get(lit.ref, not is_absent) == is_absent:
            continue  # this outcome cannot happen
        values = [*known[:index], lit.when_absent if is_absent else outcome == "holds"]
        values += known[index + 1 :]
        rest = _decide(cond, wanted, literals, order, values, {**present, lit.ref: not is_absent})
        if lit.ref in present and is_absent:
            return rest  # known to be absent: nothing to test
        if rest is not False:
            branches.append(test if rest is True else _and([test, rest]))
    return _or(branches) if branches else False


def _leaves(cond: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [leaf for leaf, _ in signed_leaves(cond)]


def signed_leaves(
    cond: Mapping[str, Any], negated: bool = False
) -> list[tuple[Mapping[str, Any], bool]]:
    """The leaf tests of a condition in order, each with whether it stands under a `not`
    (an odd number of them): what a leaf's truth means for the whole condition."""
    if "not" in cond:
        return signed_leaves(cond["not"], not negated)
    if "all" in cond or "any" in cond:
        children = cond.get("all", cond.get("any"))
        return [pair for child in children for pair in signed_leaves(child, negated)]
    return [(cond, negated)]


def _partial(cond: Mapping[str, Any], values: Iterator[bool | None]) -> bool | None:
    """The value of `cond` from its leaves' values in `_leaves` order (None: not known yet)."""
    if "not" in cond:
        value = _partial(cond["not"], values)
        return None if value is None else not value
    if "all" in cond or "any" in cond:
        results = [_partial(child, values) for child in cond.get("all", cond.get("any"))]
        decisive = "all" not in cond  # any: one True decides; all: one False decides
        if decisive in results:
            return decisive
        return None if None in results else not decisive
    return next(values)


def _compare_test(ref: str, op: str, value: Any) -> dict[str, Any]:
    if op == "equals":
        return {ref: value}
    return {_DURABLE_OP[op]: {ref: value}}


def _and(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return _join("$and", parts)


def _or(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return _join("$or", parts)


def _join(op: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """`op` over `parts`, flattening nested uses of the same operator."""
    flat: list[dict[str, Any]] = []
    for part in parts:
        flat += part[op] if set(part) == {op} else [part]
    return flat[0] if len(flat) == 1 else {op: flat}
