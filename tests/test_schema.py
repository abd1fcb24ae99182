"""The proposal format validator: every problem at once, located, with did-you-mean."""

from __future__ import annotations

import jsonschema
import pytest

from reviewer.loader import load_text
from reviewer.schema import is_proposal, proposal_schema, to_plain, validate

HEAD = "ctreview: proposal/v1\nid: p1\ntitle: Test programme\n"


def problems(body: str) -> list[str]:
    return [str(p) for p in validate(load_text(HEAD + body, "p.yaml"))]


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(proposal_schema())


def test_minimal_proposal_is_valid():
    assert problems("") == []


def test_missing_marker_and_required_keys_are_reported_at_the_top():
    found = [str(p) for p in validate(load_text("title: x\n", "p.yaml"))]
    assert "p.yaml:1:1: missing required key 'ctreview'" in found
    assert "p.yaml:1:1: missing required key 'id'" in found


def test_misspelt_key_points_at_the_key_with_did_you_mean():
    found = problems(
        "components:\n  - id: c1\n    type: awareness\n    awareness:\n"
        "      desired_actoin: Call the hotline\n"
    )
    assert len(found) == 1
    assert found[0].startswith("p.yaml:8:7: components[0].awareness.desired_actoin: unknown key")
    assert "did you mean 'desired_action'?" in found[0]


def test_misspelt_key_with_empty_value_is_still_reported():
    found = problems(
        "components:\n  - id: c1\n    type: livelihood\n    livelihood:\n      income_treshold:\n"
    )
    assert len(found) == 1 and "did you mean 'income_threshold'?" in found[0]


def test_a_text_cut_at_a_comma_in_a_flow_mapping_is_explained():
    found = problems(
        "components:\n  - {id: c1, type: awareness, awareness: "
        "{desired_action: Call the hotline, before travelling abroad}}\n"
    )
    assert len(found) == 1
    assert "unknown key 'before travelling abroad'" in found[0]
    assert "the end of a text cut at a comma inside {...}: put the whole text in quotes" in found[0]
    misspelt = problems(
        "components:\n  - {id: c1, type: livelihood, livelihood: {income_treshold: }}\n"
    )
    assert len(misspelt) == 1 and "comma" not in misspelt[0]  # a key without spaces: a slip


def test_vocabulary_value_did_you_mean():
    found = problems("components:\n  - id: c1\n    type: awarness\n")
    assert found == [
        "p.yaml:6:11: components[0].type: 'awarness' is not an allowed value (did you mean "
        "'awareness'?); expected one of: awareness, livelihood, legal_framework, "
        "criminal_justice_capacity, victim_identification, victim_support, "
        "national_action_plan, other"
    ]


def test_every_problem_of_a_file_is_reported_at_once():
    found = problems(
        "status: drafft\nbudget: {total: -5, currency: usd}\n"
        "components:\n  - {id: c1, type: other, colour: red}\n"
    )
    assert len(found) == 4
    assert [p.split(":")[1] for p in found] == ["4", "5", "5", "7"]


def test_unknown_reference_with_did_you_mean():
    found = problems(
        "target_groups:\n  - id: youth-kampala\ncomponents:\n"
        "  - {id: c1, type: awareness, target_groups: [youth-kampla]}\n"
    )
    assert len(found) == 1
    assert "unknown target group id 'youth-kampla' (did you mean 'youth-kampala'?)" in found[0]


def test_indicator_and_budget_references_are_checked():
    found = problems(
        "components:\n  - {id: c1, type: other}\n"
        "mel:\n  indicators:\n    - {id: i1, text: x, components: [c2]}\n"
        "budget_lines:\n  - {id: b1, amount: 5, components: [c3]}\n"
    )
    assert len(found) == 2
    assert "unknown component id 'c2'" in found[0]
    assert "unknown component id 'c3'" in found[1]


def test_duplicate_ids_name_the_first_definition():
    found = problems("components:\n  - {id: c1, type: other}\n  - {id: c1, type: other}\n")
    assert found == [
        "p.yaml:6:10: components[1].id: duplicate id 'c1' (first defined at line 5); "
        "ids must be unique within components"
    ]


def test_block_must_match_component_type():
    found = problems("components:\n  - id: c1\n    type: livelihood\n    awareness: {}\n")
    assert len(found) == 1 and "belongs on a component of type 'awareness'" in found[0]


def test_top_level_list_is_refused_with_a_clear_message():
    found = [str(p) for p in validate(load_text("- a\n- b\n", "p.yaml"))]
    assert found == [
        "p.yaml:1:1: the top level is a list; a proposal is a mapping that starts "
        "with 'ctreview: proposal/v1'"
    ]


@pytest.mark.parametrize("value", ["", "  ", "~", "null"])
def test_blank_optional_values_count_as_absent(value):
    assert (
        problems(
            f"summary: {value}\ncomponents:\n  - id: c1\n    type: awareness\n"
            f"    awareness:\n      desired_action: {value}\n"
        )
        == []
    )


def test_dates_are_checked():
    assert problems("period: {start: 2027-01-01, end: 2029-12-31}\n") == []
    found = problems("period: {start: '2027-02-30'}\n")
    assert len(found) == 1 and "is not a valid date" in found[0]


def test_wrong_type_says_what_was_expected():
    found = problems("countries: KH\n")
    assert found == ["p.yaml:4:12: countries: expected a list, found the text 'KH'"]


def test_to_plain_converts_ruamel_scalars_and_drops_blanks():
    doc = load_text("a: 2027-01-01\nb: true\nc: 1.5\nd:\ne: [1, '']\n")
    assert to_plain(doc.data) == {"a": "2027-01-01", "b": True, "c": 1.5, "e": [1, ""]}


def test_is_proposal_needs_the_marker():
    assert is_proposal({"ctreview": "proposal/v1"})
    assert not is_proposal({"openapi": "3.0"})
    assert not is_proposal(["ctreview"])
