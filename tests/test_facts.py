"""Fact building: one flat fact per entity, relations computed up front."""

from __future__ import annotations

from pathlib import Path

from reviewer.facts import ENTITIES, build_facts, fact_fields
from reviewer.loader import load_text
from reviewer.schema import to_plain, validate

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

PROPOSAL = """\
ctreview: proposal/v1
id: p1
title: Hotline programme
summary: "  "
target_groups:
  - id: youth
    kind: potential_victims
    barriers:
      - {description: Distrust of police}
      - {description: No phone credit, addressed_by: Toll-free number}
expertise:
  needed: [behaviour_change, criminal_justice, research]
  gaps:
    - {area: research, plan: Hire a university team}
partners:
  - {id: ngo, name: Local NGO, expertise: [behaviour_change]}
theory_of_change:
  assumptions:
    - {id: a1, text: People call the hotline, status: unverified}
    - {id: a2, text: Police act on calls, evidence: [{source: Police records 2024}]}
components:
  - id: aw
    type: awareness
    target_groups: [youth]
    awareness:
      desired_action: Call 1288 before leaving
      barriers: []
  - id: id
    type: victim_identification
mel:
  indicators:
    - {id: i1, text: People reached, level: output, category: reach, components: [aw]}
    - id: i2
      text: Valid calls
      level: outcome
      category: behaviour_change
      measure: unit
      components: [aw, id]
      baseline: {value: 0, year: 2026, source: Hotline log}
budget_lines:
  - {id: b1, amount: 1000, components: [aw]}
  - {id: b2, amount: 600, components: [aw, id]}
  - {id: b3, amount: 400, category: mel}
"""


def facts_by_key():
    doc = load_text(PROPOSAL, "p.yaml")
    assert validate(doc) == []
    return {fact.key: fact for fact in build_facts(to_plain(doc.data))}


def test_one_fact_per_entity_with_unique_keys():
    facts = facts_by_key()
    assert sorted(facts) == sorted(
        [
            "programme",
            "target_group:youth",
            "component:aw",
            "component:id",
            "indicator:i1",
            "indicator:i2",
            "assumption:a1",
            "assumption:a2",
            "budget_line:b1",
            "budget_line:b2",
            "budget_line:b3",
        ]
    )


def test_component_carries_its_indicators_and_budget():
    fields = facts_by_key()["component:aw"].fields
    assert fields["indicators#count"] == 2
    assert fields["indicator_categories"] == ["behaviour_change", "reach"]
    assert fields["indicator_levels"] == ["outcome", "output"]
    assert {i["id"]: i["has_baseline"] for i in fields["indicators"]} == {"i1": False, "i2": True}
    assert fields["budget_total"] == 1300.0  # b1 + half of the shared b2
    assert fields["budget_line_count"] == 2
    assert fields["target_group_kinds"] == ["potential_victims"]
    assert fields["programme_component_types"] == ["awareness", "victim_identification"]
    assert fields["awareness.desired_action"] == "Call 1288 before leaving"


def test_absent_blank_and_empty_values_are_not_present_but_counted():
    fields = facts_by_key()["component:aw"].fields
    assert "awareness.barriers" not in fields
    assert fields["awareness.barriers#count"] == 0
    assert "summary" not in facts_by_key()["programme"].fields
    bare = facts_by_key()["component:id"].fields
    assert "indicators" in bare and bare["indicators#count"] == 1
    assert "victim_identification.opportunity_points" not in bare
    assert bare["victim_identification.opportunity_points#count"] == 0


def test_programme_derived_fields():
    fields = facts_by_key()["programme"].fields
    assert fields["component_types"] == ["awareness", "victim_identification"]
    assert fields["component_count"] == 2
    assert fields["indicator_count"] == 2
    assert fields["indicators_with_baseline"] == 1
    assert fields["mel_budget"] == 400.0
    assert fields["mel_budget_percent"] == 20.0
    assert fields["expertise_available"] == ["behaviour_change"]
    assert fields["expertise_uncovered"] == ["criminal_justice"]
    assert fields["unverified_assumptions"] == 1
    assert "components" not in fields and "mel.indicators" not in fields


def test_target_group_and_indicator_relations():
    facts = facts_by_key()
    group = facts["target_group:youth"].fields
    assert group["served_by"] == 1
    assert group["unaddressed_barriers"] == 1
    assert group["barriers#count"] == 2
    indicator = facts["indicator:i2"].fields
    assert indicator["component_types"] == ["awareness", "victim_identification"]
    assert indicator["quantitative"] is True
    assert indicator["baseline.value"] == 0


def test_facts_only_carry_catalogued_fields():
    for fact in facts_by_key().values():
        catalogue = fact_fields(fact.entity)
        for name in fact.fields:
            assert name in catalogue or name.endswith("#count"), (fact.key, name)


def test_catalogue_declares_kinds_and_vocabularies():
    component = fact_fields("component")
    assert component["type"].kind == "string" and "awareness" in component["type"].values
    assert component["awareness.desired_action"].kind == "string"
    assert component["awareness.barriers"].kind == "objects"
    assert "addressed_by" in component["awareness.barriers"].item_fields
    assert component["victim_support.accommodation.free_to_leave"].kind == "boolean"
    assert component["victim_support.reintegration_monitoring_months"].kind == "number"
    assert component["strategies"].kind == "list"
    assert set(ENTITIES) >= {"programme", "component", "indicator"}
    for entity in ENTITIES:
        assert fact_fields(entity)


def test_declared_fields_are_flattened_as_the_whole_item_would_be() -> None:
    """`_flatten_declared` enters only mappings on the way to a declared field; what it gives
    must be what flattening everything and keeping the declared fields gives."""
    from pathlib import Path

    from reviewer.facts import ENTITY_SOURCES, _counted_lists, _flatten, _flatten_declared

    samples = sorted((Path(__file__).parent.parent / "samples").glob("*.yaml"))
    assert samples
    compared = 0
    for sample in samples:
        data = to_plain(load_text(sample.read_text(encoding="utf-8"), str(sample)).data)
        items = [("programme", data)]
        for entity, (path, _) in ENTITY_SOURCES.items():
            node = data
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
            items += [(entity, item) for item in node or [] if isinstance(item, dict)]
        for entity, item in items:
            everything = _flatten(item)
            expected = {k: v for k, v in everything.items() if k in fact_fields(entity)}
            for name in _counted_lists(entity):
                expected[f"{name}#count"] = len(everything.get(name) or [])
            assert _flatten_declared(entity, item) == expected, (sample.name, entity)
            compared += 1
    assert compared > 100


def _flatten_as_before(entity: str, item: dict) -> dict:
    """facts._flatten_declared as it was before its plan: every key's dotted name built and
    looked up among the declared fields and the prefixes leading to them."""
    from reviewer.facts import _counted_lists, _declared_prefixes, _flatten, _holds_mapping

    declared, prefixes = fact_fields(entity), _declared_prefixes(entity)
    fields: dict = {}

    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                if name in prefixes:
                    walk(value, f"{name}.")
            elif name in declared:
                if isinstance(value, list) and _holds_mapping(value):
                    value = [_flatten(v) for v in value if isinstance(v, dict)]
                fields[name] = value

    walk(item, "")
    for name in _counted_lists(entity):
        fields[f"{name}#count"] = len(fields.get(name) or [])
    return fields


def _odd_items(entity: str) -> list[dict]:
    """Items whose keys are declared names, their prefixes, dotted names written as one key,
    and unknown keys, holding mappings, lists of mappings and scalars."""
    from reviewer.facts import _declared_prefixes

    names = sorted({*fact_fields(entity), *_declared_prefixes(entity)})
    values = [None, "", "text", 3, [], ["a"], [{"b": 1, "c": {"d": 2}}], {"x": 1}]
    items = []
    for offset, value in enumerate(values):
        item: dict = {"unknown": 1, "a.b": 2}
        for index, name in enumerate(names):
            head, _, rest = name.partition(".")
            if (index + offset) % 3 == 0 and rest:
                item.setdefault(head, {})
                if isinstance(item[head], dict):
                    item[head][rest] = value
            elif (index + offset) % 3 == 1:
                item[name] = value
            else:
                item[head] = value if rest == "" else {rest: value}
        items.append(item)
    return items


def test_flattening_by_plan_keeps_what_building_every_name_kept():
    from reviewer.facts import _flatten_declared

    def outcome(flatten, entity: str, item: dict) -> object:
        try:
            return flatten(entity, item)
        except TypeError as error:  # a count of a value no valid proposal holds there
            return type(error)

    kept = 0
    for entity in ENTITIES:
        for item in _odd_items(entity):
            now = outcome(_flatten_declared, entity, item)
            assert now == outcome(_flatten_as_before, entity, item), entity
            kept += isinstance(now, dict) and len(now)
    assert kept > 100
    for path in sorted(SAMPLES.glob("*.yaml")):
        data = to_plain(load_text(path.read_text(encoding="utf-8"), str(path)).data)
        for component in data.get("components") or []:
            assert _flatten_declared("component", component) == _flatten_as_before(
                "component", component
            )
        assert _flatten_declared("programme", data) == _flatten_as_before("programme", data)
