"""Build rule-engine facts from a validated proposal: one flat fact per entity.

durable-rules can only be trusted on single-fact patterns, so everything a rule needs about an
entity's relations (a component's indicators and budget, the programme's component types) is
computed here and carried on the fact as counts, lists and flags.

The fields a fact may carry are declared by the proposal schema (the entity's own fields,
flattened to dotted paths) plus the derived fields listed in ``DERIVED_FIELDS``. Rule files are
checked against that catalogue (``fact_fields``), so a misspelt field is an error at load time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from reviewer import content_facts
from reviewer.checks import TextReader
from reviewer.conditions import FieldSpec
from reviewer.content_facts import CONTENT_FIELDS, Derived
from reviewer.lens import AnswerNote, Reading, read_proposal
from reviewer.lexicon import bundled_lexicons
from reviewer.schema import SCOPED_KEYS, proposal_schema, vocabulary

YamlPath = tuple[str | int, ...]

# Where each entity lives in a proposal: (path of its list, schema $defs name).
ENTITY_SOURCES: dict[str, tuple[tuple[str, ...], str]] = {
    "pattern": (("trafficking_patterns",), "pattern"),
    "target_group": (("target_groups",), "target_group"),
    "component": (("components",), "component"),
    "indicator": (("mel", "indicators"), "indicator"),
    "assumption": (("theory_of_change", "assumptions"), ""),
    "risk": (("theory_of_change", "risks"), ""),
    "budget_line": (("budget_lines",), "budget_line"),
}
# Answers the text lens took out (non-answers, scoped answers): one fact each, so a rule can
# quote the answer and name the question it leaves open (see lens.py).
ENTITIES = ("programme", *ENTITY_SOURCES, "answer")

# Lists that are entities of their own: the programme fact carries only their count.
_PROGRAMME_EXCLUDED = (
    "trafficking_patterns",
    "target_groups",
    "components",
    "mel.indicators",
    "budget_lines",
    "partners",
    "waivers",
    "theory_of_change.assumptions",
    "theory_of_change.risks",
)

# Entity collections the programme fact counts (derived fields of the same names).
_PROGRAMME_COUNTS = {
    "component_count": ("components",),
    "pattern_count": ("trafficking_patterns",),
    "target_group_count": ("target_groups",),
    "indicator_count": ("mel", "indicators"),
    "budget_line_count": ("budget_lines",),
    "partner_count": ("partners",),
    "assumption_count": ("theory_of_change", "assumptions"),
    "risk_count": ("theory_of_change", "risks"),
}

_COMPONENT_TYPES = vocabulary("component", "type")
_CATEGORIES = vocabulary("indicator", "category")
_LEVELS = vocabulary("indicator", "level")
_TG_KINDS = vocabulary("target_group", "kind")

_NUMBER = FieldSpec("number")
_BOOLEAN = FieldSpec("boolean")

_LINKED_INDICATOR = FieldSpec(
    "objects",
    item_fields={
        "id": FieldSpec("string"),
        "level": FieldSpec("string", values=_LEVELS),
        "category": FieldSpec("string", values=_CATEGORIES),
        "has_baseline": _BOOLEAN,
        "has_target": _BOOLEAN,
        "follow_up_months": _NUMBER,
    },
)

# Derived fields, computed from relations between entities. Each is documented for rule writers
# in docs/facts.md (generated from this table and the schema).
DERIVED_FIELDS: dict[str, dict[str, Derived]] = {
    "programme": {
        "component_types": (
            FieldSpec("list", values=_COMPONENT_TYPES),
            "Types of all components of the programme.",
        ),
        "strategies": (
            FieldSpec(
                "list",
                values=(
                    "reduce_vulnerability",
                    "increase_difficulty",
                    "reduce_rewards",
                    "increase_risk",
                    "reduce_social_tolerance",
                    "crowd_out",
                    "protect_victims",
                    "strengthen_systems",
                ),
            ),
            "Union of the components' strategies.",
        ),
        "target_group_kinds": (FieldSpec("list", values=_TG_KINDS), "Kinds of all target groups."),
        "indicator_levels": (
            FieldSpec("list", values=_LEVELS),
            "Levels of all indicators (a delivery count labelled outcome or impact counts as "
            "output).",
            (),
            ("delivery_count",),
        ),
        "indicator_categories": (
            FieldSpec("list", values=_CATEGORIES),
            "ICAT categories of all indicators (a delivery count labelled as a change counts as "
            "reach).",
            (),
            ("delivery_count",),
        ),
        "indicators_with_baseline": (_NUMBER, "Number of indicators that have a baseline value."),
        "indicators_with_follow_up": (_NUMBER, "Number of indicators with a follow-up period."),
        "budget_lines_total": (_NUMBER, "Sum of all budget lines."),
        "mel_budget": (_NUMBER, "Sum of the budget lines of category mel."),
        "mel_budget_percent": (_NUMBER, "MEL lines as a percentage of all budget lines."),
        "expertise_available": (FieldSpec("list"), "Expertise areas the partners bring."),
        "expertise_uncovered": (
            FieldSpec("list"),
            "Needed expertise areas that no partner brings and no gap plan covers.",
            ("expertise.gaps.plan",),
        ),
        "unverified_assumptions": (_NUMBER, "Assumptions marked unverified or without evidence."),
        **{
            name: (_NUMBER, f"Number of items in {'.'.join(path)}.")
            for name, path in _PROGRAMME_COUNTS.items()
        },
    },
    "component": {
        "indicators": (
            _LINKED_INDICATOR,
            "Indicators that measure this component, with the level and category their texts "
            "support.",
            (),
            ("delivery_count",),
        ),
        "indicator_levels": (
            FieldSpec("list", values=_LEVELS),
            "Levels of the indicators that measure it (as their texts support).",
            (),
            ("delivery_count",),
        ),
        "indicator_categories": (
            FieldSpec("list", values=_CATEGORIES),
            "ICAT categories of the indicators that measure it (as their texts support).",
            (),
            ("delivery_count",),
        ),
        "budget_total": (
            _NUMBER,
            "Sum of the budget lines linked to it (shared lines split evenly).",
        ),
        "budget_line_count": (_NUMBER, "Number of budget lines linked to it."),
        "target_group_kinds": (
            FieldSpec("list", values=_TG_KINDS),
            "Kinds of the target groups it serves.",
        ),
        "programme_component_types": (
            FieldSpec("list", values=_COMPONENT_TYPES),
            "Types of all components of the programme (itself included).",
        ),
        "patterns_cross_border": (
            _BOOLEAN,
            "Some pattern it addresses crosses a border (movement.cross_border).",
        ),
    },
    "target_group": {
        "served_by": (_NUMBER, "Number of components that serve this group."),
        "unaddressed_barriers": (
            _NUMBER,
            "Barriers without an addressed_by.",
            ("barriers.addressed_by",),
        ),
    },
    "pattern": {
        "addressed_by": (_NUMBER, "Number of components that address this pattern."),
    },
    "indicator": {
        "component_types": (
            FieldSpec("list", values=_COMPONENT_TYPES),
            "Types of the components it measures.",
        ),
        "quantitative": (_BOOLEAN, "Its measure is unit or percentage."),
    },
    "assumption": {},
    "risk": {},
    "budget_line": {},
    "answer": {},
}
_NON_ANSWERS = Derived(
    FieldSpec("list"),
    "Its fields whose answer the text lens took out as a non-answer (a placeholder, an "
    "admission, a bare 'not applicable', a copy), as boilerplate, or as a scoped answer that "
    "does not hold.",
)
DERIVED_FIELDS = {
    entity: {
        **{name: Derived(*value) for name, value in fields.items()},
        **CONTENT_FIELDS.get(entity, {}),
        **({"non_answers": _NON_ANSWERS} if entity != "answer" else {}),
    }
    for entity, fields in DERIVED_FIELDS.items()
}


@dataclass(frozen=True)
class Fact:
    """One entity of a proposal as the engine sees it, plus what reports need to point at it."""

    entity: str
    key: str
    yaml_path: YamlPath
    label: str
    fields: dict[str, Any] = field(hash=False)

    def as_engine_fact(self) -> dict[str, Any]:
        return {"entity": self.entity, "key": self.key, **self.fields}


# --- field catalogue ------------------------------------------------------------------------


@cache
def fact_fields(entity: str) -> dict[str, FieldSpec]:
    """Every field a fact of this entity may carry, with its kind and vocabulary."""
    fields = dict(_schema_fields(_entity_schema(entity)))
    if entity == "programme":
        fields = {
            name: spec for name, spec in fields.items() if not name.startswith(_PROGRAMME_EXCLUDED)
        }
    if entity == "answer":
        fields.update(_ANSWER_FIELDS)
    fields.update({name: derived.spec for name, derived in DERIVED_FIELDS[entity].items()})
    return fields


_ANSWER_FIELDS = {
    "kind": FieldSpec(
        "string", values=("non_answer", "vague", "not_relevant", "to_be_established")
    ),
    "problem": FieldSpec("string"),
    "holds": _BOOLEAN,
    "owner": FieldSpec("string", values=("programme", *ENTITY_SOURCES)),
    "field": FieldSpec("string"),
    "text": FieldSpec("string"),
    "questions": FieldSpec("list"),
    "activity": FieldSpec("string"),
    "by_month": _NUMBER,
    "copied_from": FieldSpec("string"),
    "why": FieldSpec("string"),
    "asks": FieldSpec("string"),
}
_WHY = {
    "placeholder": "a placeholder",
    "admission": "an admission that the question was not taken up",
    "not_applicable": "'not applicable' with no reason",
    "deferral": "a deferral that names no step to find the answer",
    "copied": "a copy of another answer",
    "boilerplate": "boilerplate that names no who, what, where or when",
}


def _entity_schema(entity: str) -> dict[str, Any]:
    schema = proposal_schema()
    if entity == "answer":
        return {"properties": {}}
    if entity == "programme":
        return schema
    path, defs_name = ENTITY_SOURCES[entity]
    if defs_name:
        return schema["$defs"][defs_name]
    toc = schema["$defs"]["theory_of_change"]["properties"]
    return toc[path[-1]]["items"]


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    if "oneOf" in node and node.get("x-scoped"):
        # an answer that may also be scoped: facts carry the answer's own shape
        node = {**node["oneOf"][0], **{k: v for k, v in node.items() if k != "oneOf"}}
    ref = node.get("$ref")
    if not ref:
        return node
    target = proposal_schema()["$defs"][ref.rsplit("/", 1)[1]]
    return {**_resolve(target), **{k: v for k, v in node.items() if k != "$ref"}}


def _schema_fields(node: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, FieldSpec]]:
    for name, sub in node.get("properties", {}).items():
        if name not in SCOPED_KEYS:
            yield from _field_specs(_resolve(sub), f"{prefix}{name}")


def _field_specs(node: dict[str, Any], name: str) -> Iterator[tuple[str, FieldSpec]]:
    if "oneOf" in node:  # e.g. an activity: text, or an object with an id (facts read the text)
        node = _resolve(node["oneOf"][0])
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        yield from _schema_fields(node, f"{name}.")
    elif kind == "array":
        items = _resolve(node.get("items", {}))
        if items.get("type") == "object":
            yield name, FieldSpec("objects", item_fields=dict(_schema_fields(items)))
        else:
            yield name, FieldSpec("list", values=_vocabulary(items))
    else:
        yield name, _scalar_spec(node)


def _scalar_spec(node: dict[str, Any]) -> FieldSpec:
    kind = node.get("type")
    if kind == "boolean":
        return _BOOLEAN
    if kind in ("number", "integer"):
        return _NUMBER
    return FieldSpec("string", values=_vocabulary(node))


def _vocabulary(node: dict[str, Any]) -> tuple[str, ...] | None:
    values = node.get("enum")
    return tuple(str(v) for v in values) if values else None


# --- building facts -------------------------------------------------------------------------


def build_facts(data: Mapping[str, Any], reading: Reading | None = None) -> list[Fact]:
    """All facts of a validated proposal (plain data, see schema.to_plain), as the text lens
    read it: `reading` (lens.read_proposal; read here with the bundled lexicons if not given)
    holds the data without non-answers and scoped answers, and what it noted of them."""
    reading = reading or read_proposal(data, bundled_lexicons())
    ctx = _Context(reading)
    facts = [_programme_fact(ctx)]
    for entity, (path, _) in ENTITY_SOURCES.items():
        for index, item in enumerate(_list_at(ctx.data, path)):
            if isinstance(item, dict):
                facts.append(_entity_fact(ctx, entity, (*path, index), item))
    facts.extend(_answer_fact(index, note) for index, note in enumerate(reading.notes))
    return facts


def _answer_fact(index: int, note: AnswerNote) -> Fact:
    fields = {
        "kind": note.kind,
        "problem": note.problem,
        "holds": note.holds,
        "owner": note.entity,
        "field": note.field,
        "text": note.text,
        "questions": [ref for ref in note.refs if ".Q" in ref],
        "activity": note.activity,
        "by_month": note.by_month or None,
        "copied_from": note.copied_from,
        "why": _WHY.get(note.problem, note.problem),
        "asks": ", ".join(note.refs) or "the question this field asks",
    }
    fields["questions#count"] = len(fields["questions"])
    return Fact("answer", f"answer:{index}", note.path, note.field, _drop_absent(fields))


def answer_id(note: AnswerNote) -> str:
    """An answer fact's item id: the item and field it answers, e.g.
    'component:c-radio awareness.action_impact_link' (stable for waivers, baselines and
    diffs whatever the order of lists; several answers of one field share it)."""
    return f"{note.item} {note.field}"


class _Context:
    """Relations between entities, computed once per proposal."""

    def __init__(self, reading: Reading) -> None:
        data = reading.data
        self.data = data
        self.reading = reading
        self.reader: TextReader = reading.reader or TextReader(bundled_lexicons(), "en")
        self.components = [c for c in _list_at(data, ("components",)) if isinstance(c, dict)]
        self.indicators = [i for i in _list_at(data, ("mel", "indicators")) if isinstance(i, dict)]
        self.budget_lines = [b for b in _list_at(data, ("budget_lines",)) if isinstance(b, dict)]
        self.patterns = {
            p.get("id"): p for p in _list_at(data, ("trafficking_patterns",)) if isinstance(p, dict)
        }
        self.groups = {
            g.get("id"): g for g in _list_at(data, ("target_groups",)) if isinstance(g, dict)
        }
        self.component_types = {c.get("id"): c.get("type") for c in self.components}
        self.type_names = sorted({str(t) for t in self.component_types.values()})
        # Who lists whom, indexed once: scanning every indicator for every component made
        # building facts quadratic in the size of a proposal.
        self.indicators_of = _listed_by(self.indicators, "components")
        self.lines_of = _listed_by(self.budget_lines, "components")
        self.components_of_group = _listed_by(self.components, "target_groups")
        self.components_of_pattern = _listed_by(self.components, "patterns")
        self.baseline_study_funded = content_facts.baseline_study_funded(data)
        self.memo: dict[str, Any] = {}
        self.non_answers: dict[str, list[str]] = {}
        for note in reading.notes:
            if not note.holds:  # a non-answer, boilerplate, a scoped answer that fails
                self.non_answers.setdefault(note.item, []).append(note.field)


def _listed_by(items: list[dict[str, Any]], field: str) -> dict[Any, list[dict[str, Any]]]:
    """For each id named in the items' `field` list, the items naming it, in order (once each)."""
    index: dict[Any, list[dict[str, Any]]] = {}
    for item in items:
        for ident in dict.fromkeys(_hashable(v) for v in item.get(field) or []):
            index.setdefault(ident, []).append(item)
    return index


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | None) else repr(value)


def _list_at(data: Mapping[str, Any], path: tuple[str, ...]) -> list[Any]:
    node: Any = data
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, list) else []


def _entity_fact(ctx: _Context, entity: str, path: YamlPath, item: dict[str, Any]) -> Fact:
    fields = _flatten_declared(entity, item)
    fields.update(_DERIVERS[entity](ctx, item))
    ident = str(item.get("id", path[-1]))
    fields["non_answers"] = ctx.non_answers.get(f"{entity}:{ident}", [])
    label = str(item.get("title") or item.get("name") or item.get("text") or ident)
    return Fact(entity, f"{entity}:{ident}", path, label, _drop_absent(fields))


def _programme_fact(ctx: _Context) -> Fact:
    data = ctx.data
    fields = _flatten_declared("programme", data)
    for name, path in _PROGRAMME_COUNTS.items():
        fields[name] = len(_list_at(data, path))
    fields.update(_programme_derived(ctx))
    fields["non_answers"] = ctx.non_answers.get("programme", [])
    label = str(data.get("title") or data.get("id") or "programme")
    return Fact("programme", "programme", (), label, _drop_absent(fields))


def _flatten_declared(entity: str, item: Mapping[str, Any]) -> dict[str, Any]:
    """The item's declared fields as dotted keys, plus a count for every declared list.

    Only mappings on the way to a declared field are entered: the programme's item is the
    whole proposal, whose components and indicators are facts of their own."""
    fields: dict[str, Any] = {}
    _flatten_into(fields, item, _flatten_plan(entity, ""))
    for name in _counted_lists(entity):
        fields[f"{name}#count"] = len(fields.get(name) or [])
    return fields


# What to do with each key of a mapping: its dotted name, whether it is declared, and the
# plan of the mapping it leads to (None: no declared field lies below it).
_Plan = dict[str, tuple[str, bool, "_Plan | None"]]


def _flatten_into(fields: dict[str, Any], node: Mapping[str, Any], plan: _Plan) -> None:
    """A mapping's declared fields, and those of the mappings on the way to one, looked up in
    the entity's plan (one dict lookup per key, no name built for the keys left out)."""
    for key, value in node.items():
        step = plan.get(key)
        if step is None:
            continue
        name, declared, inner = step
        if isinstance(value, dict):
            if inner is not None:
                _flatten_into(fields, value, inner)
        elif declared:
            if isinstance(value, list) and _holds_mapping(value):
                value = [_flatten(v) for v in value if isinstance(v, dict)]
            fields[name] = value


@cache
def _flatten_plan(entity: str, prefix: str) -> _Plan:
    """The plan of the mapping at `prefix` ("" or "mel.") of an entity's item: the keys whose
    dotted name (prefix + key, a key with a dot included) is declared or leads to a declared
    field."""
    declared, prefixes = fact_fields(entity), _declared_prefixes(entity)
    plan: _Plan = {}
    for name in sorted({*declared, *prefixes}):
        if not name.startswith(prefix):
            continue
        inner = _flatten_plan(entity, f"{name}.") if name in prefixes else None
        plan[name[len(prefix):]] = (name, name in declared, inner)
    return plan


def _holds_mapping(values: list[Any]) -> bool:
    for value in values:  # noqa: SIM110 - a loop: any() with a generator costs more per list
        if isinstance(value, dict):
            return True
    return False


@cache
def _declared_prefixes(entity: str) -> frozenset[str]:
    """Every dotted path that leads to a declared field of the entity ('mel' for 'mel.x')."""
    prefixes = set()
    for name in fact_fields(entity):
        parts = name.split(".")
        prefixes.update(".".join(parts[:end]) for end in range(1, len(parts)))
    return frozenset(prefixes)


@cache
def _counted_lists(entity: str) -> tuple[str, ...]:
    """The declared list fields of an entity whose count the builder sets."""
    return tuple(
        name
        for name, spec in fact_fields(entity).items()
        if spec.kind in ("list", "objects") and name not in DERIVED_FIELDS[entity]
    )


def _flatten(node: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as dotted keys; a list of mappings stays a list of flattened dicts.
    (Plain data: `dict`, not the slower `Mapping` test, on this per-value path.)"""
    flat: dict[str, Any] = {}
    for key, value in node.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list) and _holds_mapping(value):
            flat[name] = [_flatten(v) for v in value if isinstance(v, dict)]
        else:
            flat[name] = value
    return flat


def _drop_absent(fields: dict[str, Any]) -> dict[str, Any]:
    """Absent, blank and empty values are all 'not present' to the rules. (A true value is
    kept on its first test: most are.)"""
    return {
        name: value
        for name, value in fields.items()
        if value or (value is not None and value != [] and value != "")
    }


# --- derived fields -------------------------------------------------------------------------


def _programme_derived(ctx: _Context) -> dict[str, Any]:
    data, indicators, lines = ctx.data, ctx.indicators, ctx.budget_lines
    lines_total = sum(_amount(line) for line in lines)
    mel = sum(_amount(line) for line in lines if line.get("category") == "mel")
    available = _union(
        p.get("expertise") for p in _list_at(data, ("partners",)) if isinstance(p, dict)
    )
    expertise = data.get("expertise") or {}
    planned = {
        g.get("area") for g in expertise.get("gaps") or [] if isinstance(g, dict) and g.get("plan")
    }
    needed = set(expertise.get("needed") or [])
    assumptions = [
        a for a in _list_at(data, ("theory_of_change", "assumptions")) if isinstance(a, dict)
    ]
    effective = [content_facts.effective_label(i, ctx.reader) for i in indicators]
    return {
        **content_facts.programme_fields(ctx),
        "component_types": sorted({str(c.get("type")) for c in ctx.components}),
        "strategies": _union(c.get("strategies") for c in ctx.components),
        "target_group_kinds": sorted(
            {str(g["kind"]) for g in ctx.groups.values() if g.get("kind")}
        ),
        "indicator_levels": sorted({str(level) for level, _ in effective if level}),
        "indicator_categories": sorted({str(category) for _, category in effective if category}),
        "indicators_with_baseline": sum(1 for i in indicators if _has_baseline(i)),
        "indicators_with_follow_up": sum(1 for i in indicators if i.get("follow_up_months")),
        "budget_lines_total": lines_total,
        "mel_budget": mel,
        "mel_budget_percent": round(100 * mel / lines_total, 2) if lines_total else 0,
        "expertise_available": available,
        "expertise_uncovered": sorted(needed - set(available) - planned),
        "unverified_assumptions": sum(
            1 for a in assumptions if a.get("status") == "unverified" or not a.get("evidence")
        ),
    }


def _component_derived(ctx: _Context, component: dict[str, Any]) -> dict[str, Any]:
    ident = _hashable(component.get("id"))
    linked = ctx.indicators_of.get(ident, [])
    lines = ctx.lines_of.get(ident, [])
    groups = [ctx.groups.get(g) for g in component.get("target_groups") or []]
    effective = [content_facts.effective_label(i, ctx.reader) for i in linked]
    return {
        **content_facts.component_fields(ctx, component),
        "indicators": [
            _indicator_summary(i, label) for i, label in zip(linked, effective, strict=True)
        ],
        "indicators#count": len(linked),
        "indicator_levels": sorted({str(level) for level, _ in effective if level}),
        "indicator_categories": sorted({str(category) for _, category in effective if category}),
        "budget_total": round(sum(_amount(b) / len(b["components"]) for b in lines), 2),
        "budget_line_count": len(lines),
        "target_group_kinds": sorted({str(g["kind"]) for g in groups if g and g.get("kind")}),
        "programme_component_types": list(ctx.type_names),
        "patterns_cross_border": any(
            (ctx.patterns.get(p) or {}).get("movement", {}).get("cross_border") is True
            for p in component.get("patterns") or []
        ),
    }


def _indicator_summary(indicator: dict[str, Any], label: tuple[Any, Any]) -> dict[str, Any]:
    """An indicator as its components see it, with the level and category its text supports."""
    summary = {
        "id": indicator.get("id"),
        "level": label[0],
        "category": label[1],
        "has_baseline": _has_baseline(indicator),
        "has_target": bool(indicator.get("targets")),
        "follow_up_months": indicator.get("follow_up_months"),
    }
    return {k: v for k, v in summary.items() if v is not None}


def _target_group_derived(ctx: _Context, group: dict[str, Any]) -> dict[str, Any]:
    ident = group.get("id")
    barriers = [b for b in group.get("barriers") or [] if isinstance(b, dict)]
    return {
        **content_facts.target_group_fields(ctx, group),
        "served_by": len(ctx.components_of_group.get(_hashable(ident), [])),
        "unaddressed_barriers": sum(1 for b in barriers if not b.get("addressed_by")),
    }


def _pattern_derived(ctx: _Context, pattern: dict[str, Any]) -> dict[str, Any]:
    ident = pattern.get("id")
    return {
        **content_facts.pattern_fields(ctx, pattern),
        "addressed_by": len(ctx.components_of_pattern.get(_hashable(ident), [])),
    }


def _indicator_derived(ctx: _Context, indicator: dict[str, Any]) -> dict[str, Any]:
    types = {ctx.component_types.get(c) for c in indicator.get("components") or []}
    return {
        **content_facts.indicator_fields(ctx, indicator),
        "component_types": sorted(str(t) for t in types if t),
        "quantitative": indicator.get("measure") in ("unit", "percentage"),
    }


def _no_derived(ctx: _Context, item: dict[str, Any]) -> dict[str, Any]:
    return {}


_DERIVERS = {
    "component": _component_derived,
    "target_group": _target_group_derived,
    "pattern": _pattern_derived,
    "indicator": _indicator_derived,
    "assumption": content_facts.assumption_fields,
    "risk": content_facts.risk_fields,
    "budget_line": _no_derived,
}


def _has_baseline(indicator: Mapping[str, Any]) -> bool:
    baseline = indicator.get("baseline")
    return isinstance(baseline, Mapping) and baseline.get("value") is not None


def _amount(line: Mapping[str, Any]) -> float:
    amount = line.get("amount")
    return float(amount) if isinstance(amount, (int, float)) else 0.0


def _union(lists: Any) -> list[str]:
    return sorted({str(v) for values in lists for v in (values or [])})
