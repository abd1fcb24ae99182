"""The text lens and the content facts: what they read, where, and how they count.

Counted items are put first and last in their lists (an off-by-one or a first-match-only loop
would miss one of the two), and every check is also shown not to fire on a near miss.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewer.facts import build_facts
from reviewer.findings import Finding
from reviewer.lens import read_proposal
from reviewer.lexicon import bundled_lexicons
from reviewer.review import Reviewer

INFO_ONLY = {
    "description": "Fees beyond reach",
    "kind": "economic",
    "addressed_by": "Radio messages on the fee ban",
}
MATERIAL = {
    "description": "No documents",
    "kind": "structural",
    "addressed_by": "Mobile registration unit issues ID cards in the village",
}
SOCIAL = {
    "description": "Stigma",
    "kind": "social_cultural",
    "addressed_by": "Radio messages by returnees",
}


def base(**extra: Any) -> dict[str, Any]:
    return {"ctreview": "proposal/v1", "id": "p", "title": "P", **extra}


def facts_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {fact.key: fact.fields for fact in build_facts(data)}


@pytest.mark.parametrize(
    "barriers",
    [
        [INFO_ONLY, MATERIAL, SOCIAL, INFO_ONLY],
        [INFO_ONLY, SOCIAL, MATERIAL],
        [MATERIAL, INFO_ONLY],
    ],
)
def test_information_only_barriers_are_counted_wherever_they_stand(barriers):
    data = base(target_groups=[{"id": "g", "barriers": barriers}])
    expected = sum(1 for b in barriers if b is INFO_ONLY)
    assert facts_of(data)["target_group:g"]["barriers_information_only"] == expected


def test_a_social_barrier_answered_with_information_is_not_counted():
    data = base(target_groups=[{"id": "g", "barriers": [SOCIAL]}])
    assert facts_of(data)["target_group:g"]["barriers_information_only"] == 0


@pytest.mark.parametrize("position", ["first", "last"])
def test_a_non_answer_anywhere_in_a_list_counts_as_absent(position):
    barriers = [
        {"description": "Distrust", "addressed_by": "N/A"},
        {"description": "Distance", "addressed_by": "Bus fares paid by the project"},
        {"description": "Cost", "addressed_by": "Fee waiver"},
    ]
    if position == "last":
        barriers.reverse()
    data = base(target_groups=[{"id": "g", "barriers": barriers}])
    group = facts_of(data)["target_group:g"]
    assert group["unaddressed_barriers"] == 1
    assert group["non_answers"] == ["barriers.addressed_by"]


def test_list_items_that_are_placeholders_are_dropped_from_lists():
    data = base(
        components=[{"id": "c", "type": "other", "activities": ["TBD", "Train 40 nurses", "N/A"]}]
    )
    assert facts_of(data)["component:c"]["activities#count"] == 1


def test_unfunded_components_listed_first_and_last():
    components = [{"id": f"c{i}", "type": "other"} for i in range(4)]
    lines = [{"id": "b", "amount": 10, "components": ["c1", "c2"]}]
    programme = facts_of(base(components=components, budget_lines=lines))["programme"]
    assert programme["components_unfunded"] == ["c0", "c3"]


def test_budget_gap_in_percent_of_the_total():
    lines = [{"id": "a", "amount": 600}, {"id": "b", "amount": 390}]
    programme = facts_of(base(budget={"total": 1000}, budget_lines=lines))["programme"]
    assert programme["budget_gap_percent"] == 1.0
    assert "budget_gap_percent" not in facts_of(base(budget_lines=lines))["programme"]


def test_targets_outside_the_period_first_and_last():
    indicator = {
        "id": "i",
        "text": "Valid calls",
        "measure": "unit",
        "targets": [
            {"period": 2020, "value": 1},
            {"period": "Year 2", "value": 2},
            {"period": "2029", "value": 3},
            {"period": 2045, "value": 4},
        ],
    }
    data = base(
        period={"start": "2027-01-01", "end": "2029-12-31"}, mel={"indicators": [indicator]}
    )
    assert facts_of(data)["indicator:i"]["targets_outside_period"] == ["2020", "2045"]


def test_follow_up_months_allow_targets_after_the_end():
    indicator = {
        "id": "i",
        "text": "Still employed",
        "follow_up_months": 12,
        "targets": [{"period": 2030, "value": 1}],
    }
    data = base(
        period={"start": "2027-01-01", "end": "2029-12-31"}, mel={"indicators": [indicator]}
    )
    assert "targets_outside_period" not in facts_of(data)["indicator:i"]


def test_delivery_counts_read_as_outputs_on_the_component():
    indicators = [
        {
            "id": "i1",
            "text": "Number of police officers trained",
            "level": "outcome",
            "category": "behaviour_change",
            "components": ["c"],
        },
        {
            "id": "i2",
            "text": "Share of trained officers who open a financial investigation",
            "level": "outcome",
            "category": "behaviour_change",
            "components": ["c"],
        },
    ]
    data = base(
        components=[{"id": "c", "type": "criminal_justice_capacity"}],
        mel={"indicators": indicators},
    )
    facts = facts_of(data)
    assert facts["indicator:i1"]["label_contradicted"] is True
    assert facts["indicator:i2"]["label_contradicted"] is False
    summary = {i["id"]: (i["level"], i["category"]) for i in facts["component:c"]["indicators"]}
    assert summary == {"i1": ("output", "reach"), "i2": ("outcome", "behaviour_change")}


def test_survivor_focused_work_is_left_out_of_prevention_strategies():
    groups = [{"id": "survivors", "kind": "victims"}, {"id": "youth", "kind": "potential_victims"}]
    components = [
        {
            "id": "s",
            "type": "livelihood",
            "target_groups": ["survivors"],
            "strategies": ["reduce_vulnerability"],
        },
        {
            "id": "p",
            "type": "awareness",
            "target_groups": ["youth"],
            "strategies": ["increase_difficulty"],
        },
    ]
    programme = facts_of(base(target_groups=groups, components=components))["programme"]
    assert programme["prevention_strategies"] == ["increase_difficulty"]


@pytest.mark.parametrize(("kind", "focused"), [("victim_support", True), ("awareness", False)])
def test_support_that_reaches_victims_families_is_still_survivor_focused(kind, focused):
    """Family tracing and reintegration reach a victim's family and home community; the same
    groups in an awareness component are people at risk."""
    groups = [{"id": "children", "kind": "victims"}, {"id": "families", "kind": "communities"}]
    component = {"id": "c", "type": kind, "target_groups": ["children", "families"]}
    facts = facts_of(base(target_groups=groups, components=[component]))
    assert facts["component:c"]["survivor_focused"] is focused


def test_a_pattern_names_the_parts_of_recruitment_and_movement_it_leaves_out():
    pattern = {"id": "p", "name": "P", "recruitment": {"how": "Job offers", "where": "TBD"},
               "movement": {"how": "Bus", "by_whom": "Brokers", "from": "Kigoma", "to": "Dar"}}
    fields = facts_of(base(trafficking_patterns=[pattern]))["pattern:p"]
    assert fields["recruitment_missing"] == ["recruitment.by_whom", "recruitment.where"]
    assert fields.get("movement_missing", []) == []


@pytest.mark.parametrize(
    ("analysis", "undiscussed"),
    [
        ("Brokers may move the same workers into fishing, hiring unseen (functional).", []),
        ("Brokers may concentrate on households the programme does not reach.", ["functional"]),
        ("Recruiters could move to neighbouring States.", ["target", "functional"]),
    ],
)
def test_a_displacement_kind_is_discussed_in_its_words_or_by_its_name(analysis, undiscussed):
    toc = {"displacement": {"analysis": analysis, "types_considered": ["target", "functional"]}}
    programme = facts_of(base(theory_of_change=toc))["programme"]
    assert programme.get("displacement_types_undiscussed", []) == undiscussed


def test_at_origin_only_needs_the_route_to_start_where_the_programme_works():
    pattern = {
        "id": "p",
        "movement": {"from": "Central Visayas", "to": "Households in Riyadh", "cross_border": True},
    }
    data = base(
        countries=["PH"],
        regions=["Central Visayas (Cebu, Bohol)"],
        trafficking_patterns=[pattern],
        components=[{"id": "c", "type": "victim_support", "patterns": ["p"]}],
    )
    assert facts_of(data)["component:c"]["at_origin_only"] is True
    destination = copy.deepcopy(data)
    # people brought into a place it names from one it does not: foreigners there (a route
    # from Central Visayas to Cebu would be its own nationals')
    destination["trafficking_patterns"][0]["movement"]["from"] = "Sabah, Malaysia"
    destination["trafficking_patterns"][0]["movement"]["to"] = "Factories in Cebu"
    facts = facts_of(destination)["component:c"]
    assert facts["at_origin_only"] is False and facts["serves_foreign_victims"] is True


@pytest.mark.parametrize(
    ("title", "foreign"),
    [
        ("Case management and open shelter for returnees in Osh", False),
        ("Counselling for women who came home from farms in Almaty region", False),
        ("Shelter in Almaty for Kyrgyz workers, with assisted voluntary return", True),
        ("Support to foreign victims in Almaty and to returnees in Osh", True),
        ("Case management and open shelter in Osh", True),  # nothing said: read by the route
    ],
)
def test_a_support_component_for_returnees_does_not_serve_foreigners(title, foreign):
    """A programme that names both ends of a route: the component's own words say where
    the people it serves are."""
    pattern = {
        "id": "p",
        "movement": {"from": "Osh oblast", "to": "Farms in Almaty region", "cross_border": True},
    }
    data = base(
        countries=["KG", "KZ"],
        regions=["Osh oblast", "Almaty region"],
        trafficking_patterns=[pattern],
        components=[{"id": "c", "type": "victim_support", "title": title, "patterns": ["p"]}],
    )
    assert facts_of(data)["component:c"]["serves_foreign_victims"] is foreign


@pytest.mark.parametrize(
    ("indicators", "measured"),
    [
        ([("Investigators trained", "reach")], False),
        ([("Trafficking convictions in the four States", "behaviour_change")], False),
        ([("Number of investigators trained", "behaviour_change")], False),  # a delivery count
        ([("Trainees still in post 12 months on", "retention")], True),
        ([("Trafficking convictions in the four States", "behaviour_change"),
          ("Share of indictments that charge an organiser or financier", "behaviour_change")],
         True),
    ],
)
def test_skills_use_is_measured_by_retention_or_by_practice_not_by_case_totals(
    indicators, measured
):
    data = base(
        components=[{"id": "c", "type": "criminal_justice_capacity"}],
        mel={"indicators": [
            {"id": f"i{n}", "text": text, "category": category, "components": ["c"]}
            for n, (text, category) in enumerate(indicators)
        ]},
    )
    assert facts_of(data)["component:c"]["skills_use_measured"] is measured


@pytest.mark.parametrize(
    ("title", "description", "activities", "trains"),
    [
        # the trainees of one activity, the police of another: not a training of the police
        ("Complaints against recruiters", None,
         ["Training of 20 returnee paralegals in documenting complaints",
          "Monthly case conferences with the police anti-trafficking unit and prosecutors"],
         False),
        ("Complaints against recruiters", None,
         ["Training of 20 police investigators in documenting complaints"], True),
        # the heading says whom, an activity says how
        ("Regional prosecutors' offices", None,
         ["Three-day course on financial evidence", "Refresher after six months"], True),
        (None, "Work with the border police", ["Induction course at the academy"], True),
        # no heading: each activity is read alone
        (None, None, ["Training of paralegals", "Case conferences with the police"], False),
    ],
)
def test_justice_training_reads_each_activity_with_the_heading(
    title, description, activities, trains
):
    component = {"id": "c", "type": "other", "title": title, "description": description,
                 "activities": [{"id": f"a{n}", "text": t} for n, t in enumerate(activities)]}
    data = base(components=[{k: v for k, v in component.items() if v is not None}])
    fields = facts_of(data)["component:c"]
    assert fields["trains_justice_officials"] is trains
    assert fields.get("inferred_type") == ("criminal_justice_capacity" if trains else None)


def _legal(ident: str, **block: Any) -> dict[str, Any]:
    return {"id": ident, "type": "legal_framework", "legal_framework": block}


@pytest.mark.parametrize(
    ("components", "elsewhere", "here"),
    [
        # the act's component answers; the regulations' component is not asked again, and
        # what neither answers (existing laws) is asked of the first one with an analysis
        ([_legal("act", analysis={"victim_treatment": "Victims are not punished"},
                 non_tip_charges="Flagged in the register"),
          _legal("regs", analysis={"implementing_guidance": "Regulations drafted"})],
         {("regs", "analysis.victim_treatment"), ("regs", "non_tip_charges"),
          ("regs", "analysis.existing_laws"), ("act", "analysis.implementing_guidance")},
         {("act", "analysis.victim_treatment"), ("act", "analysis.existing_laws"),
          ("regs", "analysis.implementing_guidance")}),
        # the first component records no analysis: the second one is asked
        ([_legal("first"), _legal("second", analysis={"existing_laws": "Penal Code s. 12"})],
         {("first", "analysis"), ("first", "analysis.victim_treatment"),
          ("first", "non_tip_charges")},
         {("second", "analysis.victim_treatment"), ("second", "non_tip_charges"),
          ("second", "analysis.existing_laws")}),
        # a scoped answer that holds answers too; a placeholder does not
        ([_legal("act", analysis={"victim_treatment": {"not_relevant":
                  "the act's victim provisions are left unchanged by this reform"},
                  "existing_laws": "Penal Code s. 12"}),
          _legal("regs", analysis={"victim_treatment": "N/A", "legal_persons": "TBD",
                                   "existing_laws": "Penal Code s. 12 and the Labour Act"})],
         {("regs", "analysis.victim_treatment"), ("regs", "analysis.legal_persons")},
         {("act", "analysis.victim_treatment"), ("act", "analysis.legal_persons")}),
    ],
)
def test_the_programme_legal_analysis_is_asked_once(components, elsewhere, here):
    """`legal_asked_elsewhere` lists a question for a component when another one answers it
    or, answered nowhere, asks it: `here` are those left to the component itself."""
    facts = facts_of(base(components=components))
    for ident, question in elsewhere | here:
        listed = question in facts[f"component:{ident}"].get("legal_asked_elsewhere", [])
        assert listed is ((ident, question) in elsewhere), (ident, question)


def test_legal_rules_ask_a_programme_wide_question_of_one_component():
    """LEG-004 and LEG-017 fire once for two legal components that both leave them open,
    and not at all where either answers."""
    reviewer = Reviewer()
    act = _legal("act", analysis={"existing_laws": "Penal Code s. 12"})
    regs = _legal("regs", analysis={"implementing_guidance": "Regulations drafted"})

    def fired(components: list[dict[str, Any]]) -> list[tuple[str, str]]:
        review = reviewer.review_text(json.dumps(base(components=components)), "p.yaml")
        return sorted((f.rule.id, f.item) for f in review.findings
                      if f.rule.id in ("LEG-004", "LEG-017"))

    assert fired([act, regs]) == [("LEG-004", "act"), ("LEG-017", "act")]
    answered = copy.deepcopy(regs)
    answered["legal_framework"]["analysis"]["victim_treatment"] = "Non-punishment clause"
    answered["legal_framework"]["non_tip_charges"] = "Flagged in the register"
    assert fired([act, answered]) == []


@pytest.mark.parametrize(
    ("line_groups", "asked"),
    [
        (["tg-women"], set()),  # the line and the outreach find the same women: answered
        (["tg-men"], {"IDN-008", "IDN-014"}),  # other people, other barriers: asked
    ],
)
def test_identification_components_that_find_the_same_victims_share_one_analysis(
    line_groups, asked
):
    outreach = {
        "id": "c-outreach", "type": "victim_identification", "target_groups": ["tg-women"],
        "victim_identification": {
            "barriers": [{"description": "Women avoid the victim label",
                          "kind": "social_cultural", "addressed_by": "Health offer first"}],
            "equal_access_to_services": "The regional project serves every form and gender",
        },
    }
    line = {"id": "c-line", "type": "victim_identification", "target_groups": line_groups}
    groups = [{"id": g, "kind": "victims"} for g in ("tg-women", "tg-men")]
    data = base(target_groups=groups, components=[outreach, line])
    review = Reviewer().review_text(json.dumps(data), "p.yaml")
    fired = {f.rule.id for f in review.findings
             if f.item == "c-line" and f.rule.id in ("IDN-008", "IDN-014")}
    assert fired == asked


@pytest.mark.parametrize(
    ("title", "onward_provider", "described", "asked"),
    [
        # the provider is named: the reintegration questions are its own
        ("Bridge support until the specialised project takes over",
         "The regional project takes over after a joint case meeting", True, set()),
        # described in prose only: still asked, and told how to say it
        ("Bridge support until the specialised project takes over", None, True,
         {"SUP-023", "SUP-027", "SUP-040"}),
        ("Emergency shelter for 30 days, then referred on to the council's housing team",
         None, True, {"SUP-023", "SUP-027", "SUP-040"}),
        ("Emergency shelter for 30 days", None, False, {"SUP-023", "SUP-027"}),
        ("Shelter for women, run by us until 2029, when the shelter is handed over to the "
         "ministry", None, False, {"SUP-023", "SUP-027"}),
        # a placeholder names no one
        ("Bridge support until the specialised project takes over", "TBD", True,
         {"SUP-023", "SUP-027", "SUP-040"}),
    ],
)
def test_a_support_component_that_names_its_onward_provider_is_not_asked_for_reintegration(
    title, onward_provider, described, asked
):
    support: dict[str, Any] = {"services": ["accommodation", "case_management", "legal_aid"]}
    if onward_provider:
        support["onward_provider"] = onward_provider
    data = base(components=[{"id": "c", "type": "victim_support", "title": title,
                             "victim_support": support}])
    assert facts_of(data)["component:c"]["handover_described"] is described
    review = Reviewer().review_text(json.dumps(data), "p.yaml")
    fired = {f.rule.id for f in review.findings if f.rule.id in ("SUP-023", "SUP-027", "SUP-040")}
    assert fired == asked


def _fired(data: dict[str, Any], *rules: str) -> set[tuple[str, str]]:
    review = Reviewer().review_text(json.dumps(data), "p.yaml")
    return {(f.rule.id, f.item) for f in review.findings if f.rule.id in rules}


def test_a_children_component_of_an_all_victims_group_may_place_children_by_care_order():
    """`open_to: [girls, boys]` says the component serves children, though its target group
    is every victim the programme identifies: a care-order placement is not detention."""
    support = {"open_to": ["girls", "boys"], "accommodation": {
        "provided": True, "voluntary": False, "free_to_leave": False,
        "placement_basis": "care_order", "best_interests_review": "Reviewed every 3 months"}}
    data = base(
        target_groups=[{"id": "tg", "name": "Identified victims", "kind": "victims"}],
        components=[{"id": "c", "type": "victim_support", "target_groups": ["tg"],
                     "victim_support": support}],
    )
    assert facts_of(data)["component:c"]["serves_children_only"] is True
    assert _fired(data, "SUP-001", "SUP-002") == set()
    support["open_to"] = ["girls", "women"]
    assert _fired(data, "SUP-001", "SUP-002") == {("SUP-001", "c")}  # it supersedes SUP-002


@pytest.mark.parametrize(
    ("countries", "origin", "foreign"),
    [
        (["AL"], "Tirana and Shkodër", False),  # nationals moved within and out of Albania
        (["AL"], "Kosovo", True),  # people brought into Albania
        (["KG", "KZ"], "Osh oblast", True),  # two countries: Kyrgyz victims in Kazakhstan
    ],
)
def test_a_one_country_route_that_starts_at_home_serves_nationals(countries, origin, foreign):
    regions = ["Tirana", "Shkodër", "Osh oblast", "Almaty region"]
    destination = "Bars in Tirana and Almaty region, and cities in Italy"
    pattern = {"id": "p", "movement": {"from": origin, "to": destination, "cross_border": True}}
    data = base(countries=countries, regions=regions, trafficking_patterns=[pattern],
                components=[{"id": "c", "type": "victim_support", "patterns": ["p"]}])
    assert facts_of(data)["component:c"]["serves_foreign_victims"] is foreign


@pytest.mark.parametrize(
    ("exploitation", "cross_border", "analysis", "non_tip", "kinds", "expected"),
    [
        # dismissals of questions the proposal's own facts say apply
        (["domestic_servitude"], True,
         {"labour_law_coverage": "Not relevant: labour matters are for the Ministry of Labour",
          "labour_migration_agreements": {"not_relevant": "The labour ministry manages it"}},
         "Not relevant: all cases will be charged under the Act", ["amending_law"],
         {"LEG-019", "LEG-020", "LEG-021"}),
        # the same words where the facts say the questions do not apply
        (["sexual_exploitation"], False,
         {"labour_law_coverage": "Not relevant: the pattern is sexual exploitation in flats"},
         "Not relevant: the regulations change no offence", ["implementing_regulations"],
         set()),
        # answers, not dismissals
        (["forced_labour"], True,
         {"labour_law_coverage": "Farm work is excluded from the Labour Code; the bill covers it"},
         "Fraud charges are flagged in the register", ["amending_law"], set()),
    ],
)
def test_a_legal_question_set_aside_against_the_proposals_own_facts_is_a_finding(
    exploitation, cross_border, analysis, non_tip, kinds, expected
):
    pattern = {"id": "p", "exploitation": exploitation,
               "movement": {"from": "Kenya", "to": "Gulf states", "cross_border": cross_border}}
    component = _legal("c", activity_kinds=kinds, analysis=analysis, non_tip_charges=non_tip)
    component["patterns"] = ["p"]
    data = base(trafficking_patterns=[pattern], components=[component])
    assert {rule for rule, _ in _fired(data, "LEG-019", "LEG-020", "LEG-021")} == expected


@pytest.mark.parametrize(
    ("evaluation", "asked"),
    [
        ({"final": True, "impact_study": False}, True),
        ({"final": True, "baseline_study": True, "approach": "before_after",
          "comparison": "Before and after in the same villages"}, True),
        ({"final": True, "baseline_study": False, "approach": "quasi_experimental",
          "comparison": "20 matched villages"}, True),
        ({"final": True, "baseline_study": True, "approach": "quasi_experimental",
          "comparison": "20 matched villages surveyed at the same points"}, False),
        ({"final": True, "baseline_study": True, "approach": "contribution_analysis",
          "comparison": "Three population rounds and a log of rival explanations"}, False),
    ],
)
def test_impact_indicators_are_measured_by_a_study_or_a_comparison_from_a_baseline(
    evaluation, asked
):
    data = base(components=[{"id": "c", "type": "awareness"}], mel={
        "indicators": [{"id": "i", "text": "Share of girls who left school for work",
                        "level": "impact", "category": "impact", "components": ["c"]}],
        "evaluation": evaluation,
    })
    assert bool(_fired(data, "MEL-012")) is asked


@pytest.mark.parametrize(
    ("penalties", "fires"),
    [
        ("Mandatory life imprisonment for every trafficking offence, with no fine option", True),
        ("Graded penalties with aggravation for organisers, without mandatory minimums", False),
        ("The 2014 Act imposes mandatory life imprisonment; the reform will repeal it and "
         "restore judicial discretion", False),
    ],
)
def test_penalties_that_leave_the_court_no_discretion_are_a_finding(penalties, fires):
    data = base(components=[_legal("c", activity_kinds=["amending_law"], penalties=penalties)])
    assert facts_of(data)["component:c"]["penalties_mandatory"] is fires
    assert bool(_fired(data, "LEG-022")) is fires


@pytest.mark.parametrize(
    ("kind", "field", "text", "fires"),
    [
        ("victim_identification", "equal_access_to_services",
         "Shelter and grants are given to returnees certified as victims by the police; those "
         "identified by NGOs are referred to county services for general support", True),
        ("victim_support", "referral_independence",
         "Admission to the safe house only once the prosecutor has issued a referral letter",
         True),
        ("victim_support", "referral_independence",
         "The same package from the first referral, regardless of formal identification", False),
        ("victim_identification", "equal_access_to_services",
         "At present only police-certified victims enter state shelters; the project supports "
         "the ministry to amend the ordinance so that NGO referrals get the identical package",
         False),
    ],
)
def test_help_that_waits_for_a_status_or_for_cooperation_is_a_finding(kind, field, text, fires):
    data = base(components=[{"id": "c", "type": kind, kind: {field: text}}])
    assert facts_of(data)["component:c"]["access_gated"] is fires
    assert bool(_fired(data, "SUP-041")) is fires


@pytest.mark.parametrize(
    ("line_review", "outreach_review", "asked"),
    [
        ("Not needed: everyone flagged at the airport is screened, so no one is missed",
         None, True),  # a dismissal is no answer
        ("Not needed: everyone flagged at the airport is screened, so no one is missed",
         "Women accompanied are asked where they met officials before", False),  # answered once
        ("Each identified caller is asked which services she met before", None, False),
    ],
)
def test_a_review_of_missed_identifications_set_aside_as_needless_is_still_asked(
    line_review, outreach_review, asked
):
    line = {"id": "c-line", "type": "victim_identification", "target_groups": ["tg"],
            "victim_identification": {"missed_identification_review": line_review}}
    components = [line]
    if outreach_review:
        components.append({
            "id": "c-outreach", "type": "victim_identification", "target_groups": ["tg"],
            "victim_identification": {"missed_identification_review": outreach_review}})
    data = base(target_groups=[{"id": "tg", "kind": "victims"}], components=components)
    assert (("IDN-011", "c-line") in _fired(data, "IDN-011")) is asked


@pytest.mark.parametrize(
    ("target", "asked"),
    [
        ("set in month 15 from the test claims", False),  # candid: when and from what
        ("To be fixed after the baseline survey (month 6)", False),
        ("Increase", True),
        ("by month 18", True),  # a time, nothing that sets the figure
        ("Baseline to be established in Year 1", True),  # the baseline's date, not the target's
        ("25", False),
    ],
)
def test_a_target_that_says_when_and_how_it_will_be_set_is_not_a_bare_direction(target, asked):
    data = base(mel={"indicators": [{
        "id": "i", "text": "Share of claims paid", "measure": "percentage",
        "targets": [{"period": 2028, "value": target}],
    }]})
    assert bool(_fired(data, "MEL-021")) is asked


@pytest.mark.parametrize(
    ("text", "methods", "asked"),
    [
        ("Share of Task Force meetings attended by each member's named representative",
         ["Attendance lists against the terms of reference"], set()),
        ("Number of coordination workshops held", ["Attendance sheets"], {"MEL-016", "MEL-018"}),
        # a post-test observes knowledge: MEL-030 says so, in place of MEL-018
        ("Share of trainees who apply the referral SOPs", ["Post-test at the end of the workshop"],
         {"MEL-030"}),
        ("Share of trainees who apply the referral SOPs", ["Attendance at the refresher day"],
         {"MEL-018"}),
    ],
)
def test_a_coordination_bodys_attendance_is_its_members_behaviour(text, methods, asked):
    data = base(mel={"indicators": [{
        "id": "i", "text": text, "level": "outcome", "category": "behaviour_change",
        "methods": methods,
    }]})
    assert {rule for rule, _ in _fired(data, "MEL-016", "MEL-018", "MEL-030")} == asked


@pytest.mark.parametrize(
    ("first_enabling", "second_responses", "fired"),
    [
        (True, True, {("MAP-023", "p2")}),  # analysed for p1, responses weighed for p2: info
        (True, False, {("MAP-010", "p2")}),  # nothing thought through for p2: the warning
        (False, True, {("MAP-010", "p1"), ("MAP-010", "p2")}),  # no analysis anywhere
    ],
)
def test_enabling_factors_analysed_for_one_pattern_lower_the_question_for_another(
    first_enabling, second_responses, fired
):
    factor = {"description": "Brokers are paid per recruit", "kind": "profit",
              "in_scope": False, "addressable": False}
    first: dict[str, Any] = {"id": "p1"}
    if first_enabling:
        first["enabling_factors"] = [factor]
    second: dict[str, Any] = {"id": "p2"}
    if second_responses:
        second["responses_considered"] = {"increase_difficulty": "Committees follow every child"}
    data = base(trafficking_patterns=[first, second])
    assert _fired(data, "MAP-010", "MAP-023") == fired


def test_a_first_stage_is_followed_up_and_rated_through_its_package():
    """Reception care whose people the reintegration component of the same group follows up
    for 24 months, and asks about their satisfaction, is asked neither again (SUP-007,
    SUP-032); a component that delivers no service is not asked about satisfaction."""
    data = base(
        target_groups=[{"id": "tg", "kind": "victims"}],
        components=[
            {"id": "c-reception", "type": "victim_support", "target_groups": ["tg"],
             "victim_support": {"activity_kinds": ["direct_services"]}},
            {"id": "c-reintegration", "type": "victim_support", "target_groups": ["tg"],
             "victim_support": {"activity_kinds": ["direct_services"],
                                "reintegration_monitoring_months": 24}},
            {"id": "c-protocol", "type": "victim_support", "target_groups": ["tg"],
             "victim_support": {"activity_kinds": ["standards_and_procedures"]}},
        ],
        mel={"indicators": [
            {"id": "i-sat", "text": "Share of clients satisfied with the services",
             "category": "satisfaction", "components": ["c-reintegration"]},
            {"id": "i-rec", "text": "Men received within 24 hours", "category": "reach",
             "components": ["c-reception"]},
            {"id": "i-pro", "text": "Protocol signed", "category": "output",
             "components": ["c-protocol"]},
        ]},
    )
    assert _fired(data, "SUP-007", "SUP-032") == set()
    data["components"][1]["victim_support"]["reintegration_monitoring_months"] = 6
    assert _fired(data, "SUP-007", "SUP-032") == {("SUP-007", "c-reception"),
                                                  ("SUP-007", "c-reintegration")}


def test_lens_notes_say_where_and_why():
    data = base(
        target_groups=[{"id": "g", "most_vulnerable": "Not applicable."}],
        theory_of_change={
            "displacement": {
                "analysis": {"not_relevant": "N/A"},
                "member_replacement": {"not_relevant": "the programme arrests no one"},
            }
        },
    )
    notes = read_proposal(data, bundled_lexicons()).notes
    described = {(n.kind, n.item, n.field, n.problem, n.holds) for n in notes}
    assert described == {
        ("non_answer", "target_group:g", "most_vulnerable", "not_applicable", False),
        (
            "not_relevant",
            "programme",
            "theory_of_change.displacement.analysis",
            "the reason is not a reason: say in a clause why the question does not arise",
            False,
        ),
        ("not_relevant", "programme", "theory_of_change.displacement.member_replacement", "", True),
    }


def test_a_baseline_of_none_is_a_value_not_a_placeholder():
    indicator = {
        "id": "i",
        "text": "Policies in place",
        "baseline": {"value": "None", "year": 2026},
        "targets": [{"period": 2028, "value": "TBD"}],
    }
    reading = read_proposal(base(mel={"indicators": [indicator]}), bundled_lexicons())
    assert [(n.field, n.text) for n in reading.notes] == [("targets.value", "TBD")]


@pytest.mark.parametrize(
    ("criteria", "deferred"),
    [
        (["Selection criteria will be finalised with the commands once the project starts"], True),
        (["Two years in post", "Details to follow once the project starts"], False),
    ],
)
def test_a_list_of_one_deferral_is_a_deferral_a_longer_list_names_things(criteria, deferred):
    component = {"id": "c1", "type": "criminal_justice_capacity",
                 "criminal_justice_capacity": {"candidate_selection": {"criteria": criteria}}}
    reading = read_proposal(base(components=[component]), bundled_lexicons())
    assert [n.problem for n in reading.notes] == (["deferral"] if deferred else [])


def test_yes_and_no_are_the_values_of_a_yes_no_indicator_not_placeholders():
    """"Yes" answers no design question, but it is the target of "plan adopted by Cabinet"."""
    indicator = {
        "id": "i",
        "text": "National plan adopted by Cabinet",
        "measure": "nominal",
        "baseline": {"value": "No.", "year": 2026},
        "targets": [{"period": 2027, "value": "Yes"}, {"period": 2028, "value": "To be confirmed"}],
    }
    reading = read_proposal(base(mel={"indicators": [indicator]}), bundled_lexicons())
    assert [(n.field, n.text) for n in reading.notes] == [("targets.value", "To be confirmed")]


def test_a_copied_answer_is_a_non_answer_where_it_is_copied_to():
    text = "Brokers may move to villages in the next district where the programme does not work"
    data = base(theory_of_change={"displacement": {"analysis": text, "other_targets": text}})
    notes = read_proposal(data, bundled_lexicons()).notes
    assert [(n.field, n.problem, n.copied_from) for n in notes] == [
        (
            "theory_of_change.displacement.other_targets",
            "copied",
            "theory_of_change.displacement.analysis",
        )
    ]


@pytest.mark.parametrize(
    "copy",
    [
        "BROKERS may move to villages in the next district where the programme does not work",
        "Brokers  may move to villages in the next district\nwhere the programme does not work",
        " Brokers may move to villages in the next district where the programme does not\twork ",
        "Brokers may move to villages in the next district where the\xa0programme does not work",
    ],
)
def test_a_copy_is_found_whatever_its_case_and_spacing(copy):
    text = "Brokers may move to villages in the next district where the programme does not work"
    data = base(theory_of_change={"displacement": {"analysis": text, "other_targets": copy}})
    notes = read_proposal(data, bundled_lexicons()).notes
    assert [(n.field, n.problem) for n in notes] == [
        ("theory_of_change.displacement.other_targets", "copied")
    ]


def test_every_whitespace_character_but_the_space_is_unprintable():
    """What lens.single_spaced relies on to find tabs, line breaks and no-break spaces."""
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    assert len(spaces) > 20
    assert all(c == " " or not c.isprintable() for c in spaces)


@given(st.text(alphabet="ab \t\n\xa0\u2028\u3000\x1c\x85E\u00df.", max_size=16))
def test_a_single_spaced_text_is_its_own_copy_key(text):
    """lens.single_spaced: where it holds, the copy key is the casefolded text."""
    from reviewer.lens import single_spaced

    if single_spaced(text):
        assert text.casefold() == " ".join(text.casefold().split())
        assert len(text.casefold().split()) == (text.count(" ") + 1 if text else 0)
    elif text.isprintable() and " " not in text.strip(" "):
        assert text[:1] == " " or text[-1:] == " "  # only a space at an end is irregular


BOILERPLATE = "Appropriate safeguards will be put in place wherever required."


@pytest.mark.parametrize("position", ["first", "last"])
def test_boilerplate_counts_as_absent_wherever_it_stands(position):
    """A promise that fits any proposal is taken out like a non-answer (it never scores
    better than a blank) and noted as vague, with what it said."""
    concrete = "Field officers report threats to the protection lead within 24 hours"
    risks = [
        {"id": "r1", "text": "Survivor-witnesses are threatened", "mitigation": concrete},
        {"id": "r2", "text": "Brokers retaliate", "mitigation": BOILERPLATE},
    ]
    if position == "first":
        risks.reverse()
    data = base(theory_of_change={"risks": risks})
    reading = read_proposal(data, bundled_lexicons())
    assert [(n.kind, n.item, n.field, n.problem) for n in reading.notes] == [
        ("vague", "risk:r2", "mitigation", "boilerplate")
    ]
    risks_read = reading.data["theory_of_change"]["risks"]
    assert {risk["id"]: risk.get("mitigation") for risk in risks_read} == {
        "r1": concrete,
        "r2": None,
    }
    facts = facts_of(data)
    assert facts["risk:r2"]["non_answers"] == ["mitigation"]
    assert "non_answers" not in facts["risk:r1"]
    answers = [f for key, f in facts.items() if key.startswith("answer:")]
    assert [(a["kind"], a["owner"], a["text"]) for a in answers] == [
        ("vague", "risk", BOILERPLATE)
    ]


def test_boilerplate_written_in_two_fields_is_boilerplate_in_both_not_a_copy():
    long = (
        "Appropriate safeguards will be put in place wherever required and all relevant "
        "stakeholders will be closely engaged throughout implementation."
    )
    data = base(theory_of_change={"displacement": {"analysis": long, "other_targets": long}})
    notes = read_proposal(data, bundled_lexicons()).notes
    assert [(n.kind, n.field, n.problem) for n in notes] == [
        ("vague", "theory_of_change.displacement.analysis", "boilerplate"),
        ("vague", "theory_of_change.displacement.other_targets", "boilerplate"),
    ]


def test_a_dismissal_with_boilerplate_reassurance_is_left_to_the_dismissal_check():
    """Taken out as boilerplate, "no displacement is expected" would go unread; it is a
    dismissal, which displacement_denial judges (GEN-030)."""
    text = (
        "No displacement is expected; the situation will be closely monitored throughout "
        "implementation."
    )
    data = base(theory_of_change={"displacement": {"analysis": text}})
    reading = read_proposal(data, bundled_lexicons())
    assert reading.notes == []
    assert facts_of(data)["programme"]["displacement_denied"] is True


def test_a_gap_plan_left_as_a_placeholder_is_quoted_by_the_uncovered_expertise_finding(reviewer):
    text = (
        "expertise:\n  needed: [behaviour_change]\n"
        "  gaps: [{area: behaviour_change, plan: TBD}]\n"
        "partners: [{id: p1, name: Media house, expertise: [communications]}]\n"
    )
    found = findings(reviewer, text)
    gen015 = [f for f in found if f.rule_id == "GEN-015"]
    assert len(gen015) == 1 and "'TBD'" in gen015[0].message
    assert not [f for f in found if f.rule_id == "TXT-001"]  # the same gap, said once


HIGH_RISK = (
    "theory_of_change:\n  risks:\n    - {{id: r1, text: Brokers retaliate against returnees, "
    "likelihood: high, severity: high, mitigation: {answer}}}\n"
)


def test_boilerplate_is_quoted_by_the_finding_it_causes(reviewer):
    found = findings(reviewer, HIGH_RISK.format(answer=BOILERPLATE))
    xct011 = [f for f in found if f.rule_id == "XCT-011"]
    assert len(xct011) == 1 and xct011[0].severity == "warning"
    assert "'Appropriate safeguards" in xct011[0].message
    assert "boilerplate" in xct011[0].message
    assert not [f for f in found if f.rule_id == "TXT-005"]  # the same gap, said once
    concrete = "Returnees get the hotline's 24-hour number and a relocation grant"
    assert not [
        f for f in findings(reviewer, HIGH_RISK.format(answer=concrete))
        if f.rule_id in ("XCT-011", "TXT-005")
    ]


def test_boilerplate_no_other_rule_reads_draws_its_own_info_finding(reviewer):
    text = "target_groups:\n  - id: g\n    kind: potential_victims\n    most_vulnerable: {answer}\n"
    vague = findings(reviewer, text.format(answer=BOILERPLATE))
    txt005 = [f for f in vague if f.rule_id == "TXT-005"]
    assert [(f.severity, f.item) for f in txt005] == [("info", "target_group:g most_vulnerable")]
    assert "'Appropriate safeguards" in txt005[0].message
    specific = "Girls aged 14-17 in the three border districts who have left school"
    assert not [
        f for f in findings(reviewer, text.format(answer=specific)) if f.rule_id == "TXT-005"
    ]


def test_a_list_item_or_a_statement_is_not_read_as_boilerplate():
    """Lists name things, each short ("Victim-centred interviewing"); a statement of what is
    ("Case plans are aligned with the national programme") promises nothing."""
    data = base(
        components=[{
            "id": "c1",
            "type": "criminal_justice_capacity",
            "criminal_justice_capacity": {"competencies": [BOILERPLATE]},
        }],
        theory_of_change={"risks": [{
            "id": "r1",
            "text": "Funding ends",
            "mitigation": "Case plans are aligned with the national programme in line with needs",
        }]},
    )
    assert read_proposal(data, bundled_lexicons()).notes == []


@pytest.mark.parametrize(
    ("value", "language", "stated"),
    [
        ("baseline minus a third", "en", True),  # a bound a budgeted baseline turns into a figure
        ("No higher than the baseline cohort", "en", True),
        ("Increase", "en", False),
        ("Above baseline by Q4 2028", "en", False),  # a direction; year and quarter: no amount
        ("aumento del 20%", "xx", True),  # a language the lens cannot read: a digit states it
        ("half", "xx", False),  # ... and only a digit: its words are not read
    ],
)
def test_a_target_states_an_amount_in_figures_words_or_a_bound(value, language, stated):
    indicator = {"id": "i", "text": "Share of returnees who paid a fee", "measure": "percentage",
                 "targets": [{"period": 2027, "value": 30}, {"period": 2028, "value": value}]}
    fields = facts_of(base(language=language, mel={"indicators": [indicator]}))["indicator:i"]
    assert fields.get("targets_not_numeric", False) is not stated


def test_an_unread_language_leaves_answers_as_written_and_says_so():
    data = base(language="xx", target_groups=[{"id": "g", "most_vulnerable": "N/A"}])
    reading = read_proposal(data, bundled_lexicons())
    assert reading.applied is False and reading.notes == []
    review = Reviewer().review_text(
        "ctreview: proposal/v1\nid: p\ntitle: P\nlanguage: xx\n", "p.yaml"
    )
    assert any("no lexicons" in notice for notice in review.notices)


# --- consolidated findings ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def reviewer() -> Reviewer:
    return Reviewer()


def findings(reviewer: Reviewer, text: str) -> list[Finding]:
    review = reviewer.review_text("ctreview: proposal/v1\nid: p\ntitle: P\n" + text, "p.yaml")
    assert review.ok, [str(p) for p in review.problems]
    return review.findings


AWARENESS = """\
components:
  - id: c1
    type: awareness
    awareness:
      desired_action: Call the hotline before leaving
      action_impact_link: {answer}
"""


def test_a_non_answer_is_quoted_by_the_finding_it_causes_once(reviewer):
    found = findings(reviewer, AWARENESS.format(answer="TBD"))
    aw003 = [f for f in found if f.rule_id == "AWR-003"]
    assert len(aw003) == 1 and "'TBD'" in aw003[0].message
    assert not [f for f in found if f.rule_id == "TXT-001"]  # the same gap, said once


PATTERN_OPTIONS = """\
trafficking_patterns:
  - id: p1
    name: Forced labour on fishing vessels
    responses_considered: {increase_difficulty: N/A, reduce_rewards: N/A, increase_risk: TBD}
components:
  - {id: c1, type: awareness, patterns: [p1], strategies: [increase_difficulty]}
"""


def test_the_same_non_answer_in_several_fields_is_quoted_once_with_every_field(reviewer):
    map017 = [f for f in findings(reviewer, PATTERN_OPTIONS) if f.rule_id == "MAP-017"]
    assert len(map017) == 1
    message = map017[0].message
    assert message.count("'N/A'") == 1 and message.count("'TBD'") == 1
    assert ("responses_considered.increase_difficulty and responses_considered.reduce_rewards, "
            "each 'N/A'") in message


PATTERN_GAPS = """\
trafficking_patterns:
  - id: p1
    name: Sexual exploitation of children on the coast
    responses_considered:
      increase_risk: Joint patrols of hotels with the tourist police
      crowd_out: Not applicable.
      reduce_rewards: {reduce_rewards}
components:
  - {{id: c1, type: awareness, patterns: [p1], strategies: [increase_risk]}}
"""


def test_a_finding_quotes_only_the_answers_whose_gap_it_reports(reviewer):
    """MAP-019 (crowd_out missing) also asks that some other option exist; a non-answer in
    reduce_rewards is MAP-020's gap, not MAP-019's, and is quoted there only."""
    found = {f.rule_id: f for f in findings(reviewer, PATTERN_GAPS.format(reduce_rewards="TBD"))}
    map019, map020 = found["MAP-019"].message, found["MAP-020"].message
    assert "'Not applicable.'" in map019 and "'TBD'" not in map019
    assert "'TBD'" in map020 and "Not applicable" not in map020


STUDIED_PATTERN = """\
trafficking_patterns:
  - id: p1
    name: Apartment-based sexual exploitation advertised online
    exploitation: [sexual_exploitation]
    recruitment: {{to_be_established: {{activity: a1, by_month: 9}}}}
    movement: {movement}
components:
  - id: c1
    type: awareness
    patterns: [p1]
    activities: [{{id: a1, text: Mapping of online recruitment, start_month: 2, end_month: 10}}]
budget_lines: [{{id: b1, amount: 5000, activities: [a1]}}]
period: {{start: "2027-01-01", end: "2028-12-31"}}
"""


@pytest.mark.parametrize(
    ("movement", "severity"),
    [("{to_be_established: {activity: a1, by_month: 9}}", "info"),
     ("{how: By bus, by_whom: Brokers, from: Lagos, to: Turin}", "warning")],
)
def test_a_gap_in_a_pattern_the_proposal_studies_is_info_until_the_study(
    reviewer, movement, severity
):
    """Two of the pattern's answers come from one mapping activity: it is under study, and
    its other gaps (vulnerability factors) are info until then; with one answer planned, not."""
    found = [f for f in findings(reviewer, STUDIED_PATTERN.format(movement=movement))
             if f.rule_id == "MAP-007"]
    assert [f.severity for f in found] == [severity]
    assert ("studies this pattern in activity 'a1'" in found[0].message) is (severity == "info")


def test_scoping_one_option_out_does_not_set_aside_another(reviewer):
    reason = "{not_relevant: 'hotel staff exploit the children for pay in kind, not money'}"
    found = {f.rule_id: f for f in findings(reviewer, PATTERN_GAPS.format(reduce_rewards=reason))}
    assert found["MAP-020"].waiver is not None and found["MAP-020"].waiver.kind == "not_relevant"
    assert found["MAP-019"].waiver is None


@pytest.mark.parametrize(
    ("targets", "kind"),
    [
        ("{not_relevant: 'a context indicator: the regional project decides whom it admits'}",
         "not_relevant"),
        ("[]", None),
    ],
)
def test_a_context_indicator_says_why_it_has_no_target(reviewer, targets, kind):
    """Targets answer ICAT-1.Q6 like any design question, so they may be scoped out."""
    text = f"""\
mel:
  indicators:
    - {{id: i1, text: Women admitted by the regional project, level: output, targets: {targets}}}
"""
    mel009 = [f for f in findings(reviewer, text) if f.rule_id == "MEL-009"]
    assert len(mel009) == 1
    assert (mel009[0].waiver.kind if mel009[0].waiver else None) == kind


def test_scoping_out_children_does_not_set_aside_what_adult_services_lack(reviewer):
    """"Children: not relevant, adults only" answers whether children are served (SUP-014),
    and is the very premise of SUP-031 (protection from reprisals, asked of adult services):
    it sets the first aside, not the second."""
    text = """\
components:
  - id: c1
    type: victim_support
    victim_support:
      services: [accommodation, case_management]
      children: {not_relevant: the shelter serves adult women and refers any child the same day}
"""
    found = {f.rule_id: f for f in findings(reviewer, text)}
    assert found["SUP-014"].waiver is not None and found["SUP-014"].waiver.kind == "not_relevant"
    assert found["SUP-031"].waiver is None


def test_a_reasoned_not_relevant_sets_the_finding_aside(reviewer):
    answer = "{not_relevant: the campaign only relays an existing government service}"
    aw003 = [
        f for f in findings(reviewer, AWARENESS.format(answer=answer)) if f.rule_id == "AWR-003"
    ]
    assert len(aw003) == 1
    assert aw003[0].waiver is not None and aw003[0].waiver.kind == "not_relevant"
    assert aw003[0].waiver.justification.startswith("the campaign only relays")


def test_a_budgeted_plan_makes_the_finding_info_until_then(reviewer):
    text = (
        AWARENESS.format(answer="{to_be_established: {activity: a1, by_month: 4}}")
        + """\
    activities: [{id: a1, text: Formative research on reporting, start_month: 1, end_month: 4}]
budget_lines: [{id: b1, amount: 5000, activities: [a1]}]
period: {start: "2027-01-01", end: "2028-12-31"}
"""
    )
    aw003 = [f for f in findings(reviewer, text) if f.rule_id == "AWR-003"]
    assert [f.severity for f in aw003] == ["info"] and "by month 4" in aw003[0].message
    unbudgeted = text.replace("budget_lines: [{id: b1, amount: 5000, activities: [a1]}]\n", "")
    aw003 = [f for f in findings(reviewer, unbudgeted) if f.rule_id == "AWR-003"]
    assert [f.severity for f in aw003] == ["warning"] and "no budget line" in aw003[0].message


@pytest.mark.parametrize(
    ("months", "holds"),
    [("start_month: 1, end_month: 4", True), ("start_month: 2, end_month: 12", True),
     ("start_month: 6, end_month: 8", False)],
)
def test_a_plan_holds_when_its_activity_starts_by_the_month_promised(reviewer, months, holds):
    """A mapping that runs from month 2 to 12 can say where recruitment happens by month 4;
    one that starts in month 6 cannot."""
    text = (
        AWARENESS.format(answer="{to_be_established: {activity: a1, by_month: 4}}")
        + f"""    activities: [{{id: a1, text: Formative research on reporting, {months}}}]
budget_lines: [{{id: b1, amount: 5000, activities: [a1]}}]
period: {{start: "2027-01-01", end: "2028-12-31"}}
"""
    )
    aw003 = [f for f in findings(reviewer, text) if f.rule_id == "AWR-003"]
    assert [f.severity for f in aw003] == ["info" if holds else "warning"]
    assert holds or "starts in month 6, after month 4" in aw003[0].message


def test_a_superseded_finding_gives_way_on_the_same_item(reviewer):
    text = """\
components:
  - id: c1
    type: victim_support
    victim_support: {accommodation: {provided: true, voluntary: false, free_to_leave: false}}
"""
    ids = {f.rule_id for f in findings(reviewer, text)}
    assert "SUP-001" in ids and "SUP-002" not in ids
    voluntary_only = text.replace("free_to_leave: false", "free_to_leave: true")
    assert "SUP-002" in {f.rule_id for f in findings(reviewer, voluntary_only)}


# --- ninth session: set 7's readings ------------------------------------------------------


def _people_programme(components: list[dict[str, Any]]) -> dict[str, Any]:
    return base(
        trafficking_patterns=[{"id": "p", "victim_profile": ["women", "men"]}],
        target_groups=[{"id": "tg", "name": "Returned men", "kind": "victims"}],
        components=components,
        mel={"indicators": [{"id": "i", "text": "Survivors given psychosocial care",
                             "category": "reach", "measure": "unit",
                             "components": [components[0]["id"]]}]},
    )


@pytest.mark.parametrize(
    ("components", "asked"),
    [
        # support is all it does, and its services are open to men only: it counts men
        ([{"id": "c", "type": "victim_support", "target_groups": ["tg"],
           "victim_support": {"open_to": ["men"]}},
          {"id": "d", "type": "victim_support", "target_groups": ["tg"],
           "victim_support": {"activity_kinds": ["protocols"]}}], False),
        # a service that does not say whom it is open to: the patterns' victims decide
        ([{"id": "c", "type": "victim_support", "target_groups": ["tg"],
           "victim_support": {"open_to": ["men"]}},
          {"id": "d", "type": "victim_support", "target_groups": ["tg"]}], True),
        # awareness work reaches both sexes, whatever the shelter is open to
        ([{"id": "c", "type": "victim_support", "target_groups": ["tg"],
           "victim_support": {"open_to": ["men"]}},
          {"id": "d", "type": "awareness", "target_groups": ["tg"]}], True),
    ],
)
def test_a_support_only_programme_counts_the_sexes_its_services_are_open_to(components, asked):
    assert bool(_fired(_people_programme(components), "XCT-042")) is asked


def _livelihood(**block: Any) -> dict[str, Any]:
    return base(components=[{"id": "c", "type": "livelihood", "title": "Grants",
                             "livelihood": block}])


@pytest.mark.parametrize(
    ("analysis", "fired"),
    [
        ("Poverty is the main driver; any increase in income reduces the pressure to migrate.",
         {"LIV-011"}),
        ("Poverty drives migration, but women said they would stay for about USD 120 a month.",
         set()),
        # a non-answer is absent, and the presence rule asks for the analysis: one finding
        ("N/A", {"LIV-002"}),
    ],
)
def test_an_income_threshold_waved_away_is_one_finding(analysis, fired):
    data = _livelihood(income_threshold={"analysis": analysis})
    assert {rule for rule, _ in _fired(data, "LIV-002", "LIV-011")} == fired


@pytest.mark.parametrize(
    ("criteria", "asked"),
    [
        (["Member of a savings group for at least six months", "Aged 18-30"], True),
        (["Aged 18-30", "A guarantor from the credit union"], True),
        (["Aged 18-30", "No guarantor is required; the group guarantees the loan"], False),
        (["Household on the district poverty list"], False),
    ],
)
def test_entry_conditions_of_creditworthiness_are_read_criterion_by_criterion(criteria, asked):
    data = _livelihood(targeting={"criteria": criteria})
    assert bool(_fired(data, "LIV-012")) is asked


@pytest.mark.parametrize(
    ("methods", "fired"),
    [
        (["Pre- and post-test questionnaires"], {"MEL-030"}),  # supersedes MEL-018
        (["Attendance sheets"], {"MEL-018"}),
        (["Post-test", "Follow-up survey asking whether migrants checked the agency licence"],
         set()),
    ],
)
def test_behaviour_measured_by_knowledge_is_named_as_such(methods, fired):
    data = base(mel={"indicators": [{
        "id": "i", "text": "Share of migrants who use a licensed agency", "level": "outcome",
        "category": "behaviour_change", "methods": methods}]})
    assert {rule for rule, _ in _fired(data, "MEL-018", "MEL-030")} == fired


@pytest.mark.parametrize(
    ("status", "kind", "asked"),
    [
        ("verified", "awareness_to_behaviour", True),
        ("verified", "training_to_practice", True),
        ("partly_verified", "awareness_to_behaviour", False),  # candid: not called verified
        ("verified", "other", False),  # knowledge may well verify a belief about knowledge
    ],
)
def test_a_behaviour_belief_verified_on_test_scores_is_questioned(status, kind, asked):
    data = base(theory_of_change={"assumptions": [{
        "id": "a", "text": "People act on what they learn", "kind": kind, "status": status,
        "evidence": [{"source": "Pilot: knowledge scores rose from 40% to 85% after the "
                                "sessions", "year": 2025, "kind": "evaluation"}]}]})
    assert bool(_fired(data, "GEN-035")) is asked


@pytest.mark.parametrize(
    ("analysis", "asked"),
    [
        ("Every household will be reached, so brokers will have no one left to recruit.", True),
        ("With fewer potential victims, trafficking will fall rather than move.", True),
        ("Some brokers may give up, but others could move to online recruitment, which the "
         "hotline data will show.", False),
    ],
)
def test_a_claim_that_traffickers_find_no_one_is_no_displacement_analysis(analysis, asked):
    data = base(components=[{"id": "c", "type": "awareness"}],
                theory_of_change={"displacement": {"analysis": analysis}})
    assert bool(_fired(data, "GEN-030")) is asked


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("Number of rescued children reunified with their families within 60 days", True),
        ("Share of reunified or placed children attending school 12 months later", False),
    ],
)
def test_outcomes_measured_after_return_do_not_reward_return(text, asked):
    data = base(components=[{"id": "c", "type": "victim_support"}],
                mel={"indicators": [{"id": "i", "text": text, "components": ["c"]}]})
    assert bool(_fired(data, "SUP-038")) is asked


def test_a_theory_based_evaluation_from_a_baseline_measures_impact():
    indicators = [{"id": "i", "text": "Share of returnees sustainably reintegrated",
                   "level": "impact", "category": "impact"}]
    evaluation = {"final": True, "baseline_study": True, "comparison": "Tracer study against "
                  "jobseekers from the same employment offices"}
    for approach, asked in (("theory_based", False), ("before_after", True)):
        data = base(mel={"indicators": indicators,
                         "evaluation": {**evaluation, "approach": approach}})
        assert bool(_fired(data, "MEL-012")) is asked


@pytest.mark.parametrize(
    ("behaviour_methods", "asked"),
    [
        (["Follow-up phone survey six months after the session"], False),  # what they do
        (["Post-test at the end of the session"], True),  # a test is no behaviour measure
        (["Show of hands at the close of the session"], True),  # seen only at the event
    ],
)
def test_knowledge_without_retention_is_asked_unless_behaviour_is_measured(
    behaviour_methods, asked
):
    data = base(components=[{"id": "c", "type": "awareness"}], mel={"indicators": [
        {"id": "k", "text": "Share who can name three warning signs", "level": "outcome",
         "category": "knowledge_attitude_change", "components": ["c"]},
        {"id": "b", "text": "Share of migrants who checked the agency licence before paying",
         "level": "outcome", "category": "behaviour_change", "components": ["c"],
         "methods": behaviour_methods},
    ]})
    assert bool(_fired(data, "MEL-003")) is asked


@pytest.mark.parametrize(
    ("functioning", "asked"),
    [
        ("The guidelines were validated in 2017 and distributed to all districts, which have "
         "designated focal persons, so the mechanism is in place nationwide.", True),
        ("Guidelines adopted in 2017; in 2024 focal persons referred 143 presumed victims, 119 "
         "reaching care within 48 hours.", False),
        ("The SOPs exist but police rarely use them; the programme pays a liaison officer.",
         False),
    ],
)
def test_a_referral_mechanism_said_to_work_because_its_papers_exist(functioning, asked):
    data = base(components=[{"id": "c", "type": "victim_identification",
                             "victim_identification": {"referral_mechanism": {
                                 "status": "national", "functioning": functioning}}}])
    fired = {rule for rule, _ in _fired(data, "IDN-006", "IDN-015")}
    assert fired == ({"IDN-015"} if asked else set())


@pytest.mark.parametrize(
    ("actors", "asked"),
    [
        ("Social welfare officers, labour inspectors and NGOs detect suspected cases and refer "
         "them to the police, which alone certifies victims.", True),
        ("Labour inspectors, health staff and NGOs may identify presumed victims; the police "
         "formally recognise them, and services start at once.", False),
        ("Currently only the police can certify victims; the amendment the programme supports "
         "lets social welfare officers identify them too.", False),
    ],
)
def test_identification_reserved_to_the_police_is_questioned(actors, asked):
    data = base(components=[{"id": "c", "type": "victim_identification",
                             "victim_identification": {"identifying_actors": actors}}])
    assert bool(_fired(data, "IDN-016")) is asked


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("Trafficking cases in Madre de Dios ending in a conviction", True),
        ("Trafficking cases in the province ending in the conviction of an organiser or owner",
         False),
        ("Cases of exploitation reported by workers' committees", False),  # no justice outcome
    ],
)
def test_a_count_of_cases_whose_outcome_comes_later_is_a_justice_count(text, asked):
    data = base(components=[{"id": "c", "type": "criminal_justice_capacity"}],
                mel={"indicators": [{"id": "i", "text": text, "level": "outcome",
                                     "components": ["c"]}]})
    assert bool(_fired(data, "CJC-022")) is asked


@pytest.mark.parametrize(
    ("answer", "fired"),
    [
        ("Rotation is not a loss: trained officers carry their skills to their next posting.",
         {"CJC-025"}),
        ("Participants will share knowledge with colleagues on their return.", {"CJC-025"}),
        ("Posting agreements keep graduates in their units for two years; the module is part "
         "of the academy's induction.", set()),
        ("N/A", {"CJC-012"}),  # a non-answer: the presence rule asks, once
    ],
)
def test_turnover_answered_without_a_measure(answer, fired):
    data = base(components=[{"id": "c", "type": "criminal_justice_capacity",
                             "criminal_justice_capacity": {"turnover_mitigation": answer}}])
    assert {rule for rule, _ in _fired(data, "CJC-012", "CJC-025")} == fired


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("Calls to the hotline", True),
        ("Port calls at Cape Town by vessels held or notified, before and after the pilot",
         False),  # a ship's call at a port is no report
    ],
)
def test_port_calls_are_not_hotline_calls(text, asked):
    data = base(mel={"indicators": [{"id": "i", "text": text, "level": "outcome"}]})
    assert bool(_fired(data, "MEL-024")) is asked


@pytest.mark.parametrize(
    ("answer", "asked"),
    [
        ("Women who come forward themselves are referred elsewhere, since admission to the "
         "shelter is by referral from the investigating police officer or prosecutor.", True),
        ("The same care is offered to boys referred by any court, police unit, Border Guard "
         "post or care home.", False),
    ],
)
def test_help_gated_by_who_referred_is_read_against_help_offered_to_any_referral(
    answer, asked
):
    data = base(components=[{"id": "c", "type": "victim_support",
                             "victim_support": {"referral_independence": answer}}])
    assert bool(_fired(data, "SUP-041")) is asked


@pytest.mark.parametrize(
    ("answer", "fired"),
    [
        ("Residents give their recorded interview to the prosecutor within 72 hours of "
         "admission, while memory is fresh.", {"SUP-042"}),
        ("No client is asked to decide about reporting to the police at intake; support is "
         "the same whatever is decided.", set()),
        ("At least 30 days before any request to give a statement; care continues "
         "whatever the victim decides.", set()),
    ],
)
def test_a_reflection_period_in_name_only(answer, fired):
    data = base(components=[{"id": "c", "type": "victim_support",
                             "victim_support": {"reflection_period": answer}}])
    assert {rule for rule, _ in _fired(data, "SUP-010", "SUP-042")} == fired


@pytest.mark.parametrize(
    ("check", "mandatory", "fired"),
    [
        ("The village chief confirms with her family that she wishes to return.", False,
         {"SUP-043"}),
        ("The survivor decides in private with her own counsellor; her family is contacted "
         "only if she agrees.", False, set()),
        # mandatory return is the error SUP-004 names; the voluntariness text is moot
        ("The village chief confirms with her family that she wishes to return.", True,
         {"SUP-004"}),
    ],
)
def test_a_return_decided_for_the_survivor(check, mandatory, fired):
    support = {"return": {"mandatory": mandatory, "voluntariness_check": check}}
    data = base(components=[{"id": "c", "type": "victim_support", "victim_support": support}])
    assert {rule for rule, _ in _fired(data, "SUP-004", "SUP-043")} == fired


@pytest.mark.parametrize(
    ("answer", "asked"),
    [
        ("Agencies licensed by the Ministry of Labour are safe because they are registered and "
         "regulated.", True),
        ("The campaign does not call licensed agencies safe: most men who were exploited went "
         "through them. It promotes a checked offer and a receipt.", False),
        ("In the 2025 returnee survey, workers placed by licensed agencies paid half the fees; "
         "the campaign names only agencies with no upheld complaints.", False),
    ],
)
def test_a_channel_declared_safe_because_it_is_licensed(answer, asked):
    data = base(components=[{"id": "c", "type": "awareness",
                             "awareness": {"safer_alternative": answer}}])
    assert bool(_fired(data, "AWR-019")) is asked


_PUNITIVE = ("Presumed victims without regular status are placed at the disposal of the "
             "immigration authority; those who decline assistance are deported.")
_PROTECTIVE = ("No presumed victim is detained or reported to the immigration service; "
               "prosecutors screen every suspect from a raid before any charge.")
_ENDED = ("At present fishers found without documents are deported within days; the protocol "
          "this programme negotiates introduces screening before any immigration action.")


@pytest.mark.parametrize(
    ("answer", "penalised"),
    [(_PUNITIVE, True), (_PROTECTIVE, False), (_ENDED, False),
     ("Victims are exempt from prosecution provided they testify against the trafficker", True)],
)
def test_an_answer_on_non_punishment_that_punishes_victims(answer, penalised):
    data = base(components=[{"id": "c", "type": "criminal_justice_capacity",
                             "criminal_justice_capacity": {"non_punishment": answer}}])
    assert facts_of(data)["component:c"]["victims_penalised"] is penalised
    assert bool(_fired(data, "CJC-027")) is penalised


@pytest.mark.parametrize(
    ("answer", "penalised"),
    [("No amendment is needed: foreign victims are removed through the Immigration Act's "
      "procedure once criminal proceedings end.", True),
     ("The law protects victims from expulsion and respects non-refoulement; no change is "
      "proposed.", False)],
)
def test_a_harmonisation_analysis_that_leaves_foreign_victims_to_removal(answer, penalised):
    data = base(components=[_legal("c", activity_kinds=["amending_law"],
                                   analysis={"harmonisation": answer})])
    assert facts_of(data)["component:c"]["victims_penalised"] is penalised
    assert bool(_fired(data, "LEG-023")) is penalised


@pytest.mark.parametrize(
    ("answer", "raids"),
    [
        ("Joint operations on bars arrest the managers and staff found in flagrante; more "
         "operations, arrests and closures mean weaker networks.", True),
        ("Each rescue opens a financial investigation into the venue's owner and the accounts "
         "that receive the earnings.", False),
        ("Raids only where a minor is in danger; other cases run as proactive investigations.",
         False),
        ("Mentors push each case beyond the arrested recruiter to the broker behind them.", False),
    ],
)
def test_raids_and_arrests_offered_as_the_way_to_reach_networks(answer, raids):
    data = base(components=[{"id": "c", "type": "criminal_justice_capacity",
                             "criminal_justice_capacity": {"network_targeting": answer}}])
    assert facts_of(data)["component:c"]["network_targeting_raids"] is raids
    assert bool(_fired(data, "CJC-028")) is raids


@pytest.mark.parametrize(
    ("reason", "holds"),
    [
        ("there is no scope for traffickers to shift their operations, since every crossing is "
         "covered", False),
        ("the programme only funds legal aid for survivors already identified, so it changes "
         "nothing traffickers could move away from", True),
    ],
)
def test_a_displacement_scope_out_that_dismisses_the_question_does_not_hold(
    reviewer, reason, holds
):
    text = f"""\
theory_of_change:
  displacement: {{not_relevant: "{reason}"}}
components:
  - {{id: c1, type: criminal_justice_capacity, title: Investigators' course}}
"""
    gen009 = [f for f in findings(reviewer, text) if f.rule_id == "GEN-009"]
    assert len(gen009) == 1
    assert (gen009[0].waiver is not None) is holds
    assert ("dismisses the question" in gen009[0].message) is not holds


@pytest.mark.parametrize(
    ("reflection", "tied"),
    [
        ("After it ends, shelter places are kept for residents who have decided to give "
         "evidence; residents who decline move to independent accommodation.", True),
        ("Statements only with the survivor's informed consent, with a support person present, "
         "and never as a condition for services.", False),
        ("Ninety days before any decision; those who choose to testify get an escort to court, "
         "and everyone keeps the shelter place whether or not they testify.", False),
    ],
)
def test_help_the_text_ties_to_cooperation(reflection, tied):
    support = {"conditional_on_cooperation": False, "reflection_period": reflection}
    data = base(components=[{"id": "c", "type": "victim_support", "victim_support": support}])
    assert facts_of(data)["component:c"]["support_tied_to_cooperation"] is tied
    assert bool(_fired(data, "SUP-044")) is tied


@pytest.mark.parametrize(
    ("analysis", "proxy"),
    [
        ("The provincial minimum wage, IDR 2.33 million a month, covers a worker's decent living "
         "needs, so a young woman earning it will stay.", True),
        ("The minimum wage is IDR 2.33 million, but in our 2025 baseline young women said they "
         "would stay for IDR 3.5 million, close to what sponsors promise.", False),
        ("No survey has asked at what income women would stay, so we use the national minimum "
         "wage as the threshold.", True),
    ],
)
def test_an_income_threshold_taken_from_a_proxy_figure(analysis, proxy):
    data = base(components=[{"id": "c", "type": "livelihood",
                             "livelihood": {"income_threshold": {"analysis": analysis}}}])
    assert facts_of(data)["component:c"]["livelihood.income_threshold_from_proxy"] is proxy
    assert bool(_fired(data, "LIV-013")) is proxy


@pytest.mark.parametrize(
    ("targets", "judged"),
    [
        ({"not_relevant": "a context indicator read in the contribution analysis; identification "
                          "numbers depend on police activity, so no target is set"}, False),
        ([{"period": 2028, "value": 10}], True),
    ],
)
def test_a_context_indicator_with_its_targets_set_aside_is_judged_by_no_one(targets, judged):
    """Identified victims are a poor measure of impact (MEL-017) only where someone is
    judged by them; a context indicator whose targets are set aside for a reason is not."""
    data = base(components=[{"id": "c", "type": "awareness"}], mel={"indicators": [{
        "id": "i", "text": "Victims identified in the province whose origin is the campaign "
        "districts", "level": "impact", "category": "impact", "components": ["c"],
        "methods": ["Prosecutors' records"], "targets": targets}]})
    assert facts_of(data)["indicator:i"]["targets_set_aside"] is not judged
    assert bool(_fired(data, "MEL-017")) is judged


@pytest.mark.parametrize(
    ("representation", "unstable"),
    [
        ("When the member cannot attend, the institution may send any official it authorises, "
         "so that sessions keep a quorum and decisions are not delayed.", True),
        ("Each institution names a member at director level and a standing deputy of the same "
         "rank for the plan period; the secretariat tracks attendance.", False),
    ],
)
def test_representation_left_open_from_meeting_to_meeting(representation, unstable):
    plan = {"coordinating_body": {"name": "National Commission",
                                  "representation": representation}}
    data = base(components=[{"id": "c", "type": "national_action_plan",
                             "national_action_plan": plan}])
    assert facts_of(data)["component:c"]["representation_unstable"] is unstable
    assert bool(_fired(data, "NPA-027")) is unstable


@pytest.mark.parametrize(
    ("kind", "asked"), [("criminal_justice_capacity", False), ("awareness", True)]
)
def test_justice_results_are_not_read_as_a_measure_of_trafficking(kind, asked):
    """Convictions of organisers are what justice work aims at (CJC-022 judges whom they
    reach); counted as the impact of a campaign they stand for less trafficking (MEL-017)."""
    data = base(components=[{"id": "c", "type": kind}], mel={"indicators": [{
        "id": "i", "text": "Trafficking convictions in the five jurisdictions",
        "level": "impact", "category": "impact", "components": ["c"],
        "methods": ["Court records"], "targets": [{"period": 2030, "value": 15}]}]})
    assert bool(_fired(data, "MEL-017")) is asked
