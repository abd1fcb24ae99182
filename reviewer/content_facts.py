"""Derived fields about what a proposal says: content checks and cross-checks, per entity.

facts.py builds one flat fact per entity; this module adds the fields that judge content
rather than presence, so that rules stay single-fact (durable-rules is unsafe on joins):
what the text lens read (content checks through `Context.reader`), and cross-field checks on
numbers and dates (targets inside the programme period, budget lines against the total).
Every field is declared in `CONTENT_FIELDS` with its kind and meaning (docs/facts.md is
generated from it) and, where it stands for an answer, the proposal fields it reads
(`sources`), so a finding it triggers can be tied to a non-answer or a scoped answer there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from reviewer.checks import TextReader, is_not_applicable, joined
from reviewer.conditions import FieldSpec, is_present
from reviewer.lens import AnswerField, Reading, answer_tree, period, programme_months
from reviewer.lexicon import normalise
from reviewer.schema import proposal_schema

_NUMBER = FieldSpec("number")
_BOOLEAN = FieldSpec("boolean")
_LIST = FieldSpec("list")

# Expert thresholds, with their source (docs/content-checks.md repeats them).
RETENTION_MONTHS = {  # ICAT-3.E (awareness: 6 months) and 6.E, 4.E, 8.E (12 months)
    "awareness": 6,
    "criminal_justice_capacity": 12,
    "livelihood": 12,
    "victim_support": 12,
}
EVIDENCE_HORIZON_YEARS = 10  # ctreview's judgement: evidence older than this is stale
BUDGET_TOLERANCE_PERCENT = 1.0  # rounding: lines within 1% of the total add up
EMPIRICAL_KINDS = frozenset(
    {"survey", "research", "evaluation", "administrative_data", "case_files"}
)
_BEHAVIOUR_CATEGORIES = frozenset({"behaviour_change", "retention", "impact"})
_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
_PROGRAMME_YEAR = re.compile(r"\byear\s*(\d{1,2})\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


class Derived(NamedTuple):
    """A derived field: its kind, what it means, the proposal fields it stands for, and the
    content checks (checks.py) that decide it: a rule above info may read it only if those
    checks meet the precision policy (corpus.py). A count or list gathers the items a check
    says yes of, and a flag is set where it says yes, unless `gathers` says "no" (evidence
    whose source is *not* opinion; victims who are foreigners unless the text says returnees)."""

    spec: FieldSpec
    meaning: str
    sources: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    gathers: str = "yes"


class Context(Protocol):
    """What derivations need from facts.py's context (relations computed once per proposal)."""

    data: Mapping[str, Any]
    reader: TextReader
    reading: Reading
    components: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    groups: dict[Any, dict[str, Any]]
    component_types: dict[Any, Any]
    indicators_of: dict[Any, list[dict[str, Any]]]
    lines_of: dict[Any, list[dict[str, Any]]]
    components_of_group: dict[Any, list[dict[str, Any]]]
    components_of_pattern: dict[Any, list[dict[str, Any]]]
    patterns: dict[Any, dict[str, Any]]
    baseline_study_funded: bool
    memo: dict[str, Any]  # values computed once per proposal for several entities


CONTENT_FIELDS: dict[str, dict[str, Derived]] = {
    "programme": {
        "prevention_strategies": Derived(
            FieldSpec("list"),
            "Strategies of the components that work on prevention: survivor-focused "
            "components (serving victims only) are left out, since lowering survivors' risk "
            "of re-trafficking is protection, not supply-side prevention (ICAT-4.Q5).",
        ),
        "text_lens_applied": Derived(
            _BOOLEAN, "The text lens could read the proposal's language (see `language`)."
        ),
        "period_months": Derived(_NUMBER, "Length of the programme in months."),
        "budget_gap_percent": Derived(
            _NUMBER,
            "How far the sum of the budget lines is from budget.total, in % of the total.",
            ("budget.total", "budget_lines"),
        ),
        "components_unfunded": Derived(_LIST, "Components that no budget line pays for."),
        "displacement_denied": Derived(
            _BOOLEAN,
            "The displacement analysis dismisses the question without reasoning.",
            ("theory_of_change.displacement.analysis",),
            checks=("displacement_denial",),
        ),
        "displacement_types_undiscussed": Derived(
            _LIST,
            "Kinds of displacement listed as considered that no displacement text discusses.",
            ("theory_of_change.displacement",),
        ),
        "baseline_study_funded": Derived(
            _BOOLEAN,
            "A baseline study is planned and a MEL budget line pays for it.",
            ("mel.evaluation.baseline_study",),
        ),
    },
    "target_group": {
        "desired_behaviour_is_knowledge": Derived(
            _BOOLEAN,
            "desired_behaviour names a state of knowledge or attitude, no observable action.",
            ("desired_behaviour",),
            checks=("knowledge_not_action",),
        ),
        "generic": Derived(
            _BOOLEAN,
            "Name and description are generic (youth, communities, the public) with no "
            "place, trait or number, and no size is given.",
            ("name", "description", "size"),
            checks=("generic_group",),
        ),
        "barriers_information_only": Derived(
            _NUMBER,
            "Structural, economic or institutional barriers addressed only by information.",
            ("barriers",),
            checks=("information_only",),
        ),
        "includes_children": Derived(
            _BOOLEAN, "The group includes children.", checks=("mentions_children",)
        ),
        "children_only": Derived(
            _BOOLEAN, "The group is made up of children only.", checks=("children_only",)
        ),
    },
    "component": {
        "survivor_focused": Derived(
            _BOOLEAN,
            "It serves trafficked persons only (its target groups are victims and the "
            "professionals serving them, and for a support component their families and home "
            "communities; or its livelihood beneficiaries are survivors).",
        ),
        "at_origin_only": Derived(
            _BOOLEAN,
            "Every pattern it addresses crosses a border to a destination that names none "
            "of the programme's countries: it works where victims return, not where they "
            "were exploited (and where proceedings would be).",
        ),
        "serves_foreign_victims": Derived(
            _BOOLEAN,
            "Some pattern it addresses crosses a border into a place the programme names "
            "(from a place it does not name, unless it names several countries): the victims "
            "it meets are foreigners there, unless its title and description say it serves "
            "returnees (people back in their own country) and no one abroad.",
            ("title", "description"),
            checks=("serves_returnees",),
            gathers="no",
        ),
        "behaviour_measured": Derived(
            _BOOLEAN,
            "Some indicator of the component measures what people do, soundly: behaviour "
            "change by what its text counts, by methods that follow people beyond the event "
            "and observe more than knowledge or intentions (not read for justice training, "
            "whose rules ask their own question).",
            ("mel.indicators",),
            checks=("delivery_count", "weak_method", "knowledge_measure"),
            gathers="no",
        ),
        "identification_police_only": Derived(
            _BOOLEAN,
            "victim_identification.identifying_actors reserves identification or "
            "certification to the police or another law-enforcement body, the others only "
            "detecting and referring, or help follows its decision.",
            ("victim_identification.identifying_actors",),
            checks=("police_only_identification",),
        ),
        "return_decided_for": Derived(
            _BOOLEAN,
            "victim_support.return.voluntariness_check leaves the decision on return to "
            "someone other than the survivor (family, village head, embassy, immigration), "
            "assumes it, or makes return the default with other options by exception.",
            ("victim_support.return.voluntariness_check",),
            checks=("return_not_chosen",),
        ),
        "reflection_denied": Derived(
            _BOOLEAN,
            "victim_support.reflection_period gives no time to recover and decide: a statement "
            "on arrival or within days, a briefing on testifying, or help tied to cooperating, "
            "and nothing that keeps the victim's choice.",
            ("victim_support.reflection_period",),
            checks=("no_reflection",),
        ),
        "turnover_unmitigated": Derived(
            _BOOLEAN,
            "criminal_justice_capacity.turnover_mitigation names no measure that keeps trained "
            "staff in post, trains replacements or keeps the skills in the institution "
            "(rotation welcomed, turnover denied, trainees left to pass it on).",
            ("criminal_justice_capacity.turnover_mitigation",),
            checks=("turnover_unmitigated",),
        ),
        "referral_on_paper": Derived(
            _BOOLEAN,
            "For a national or informal referral mechanism: its functioning is asserted from "
            "documents or structures only (procedures adopted, focal persons named, an MoU "
            "signed), with no referral figures, review or named failure.",
            ("victim_identification.referral_mechanism.functioning",),
            checks=("paper_mechanism",),
        ),
        "livelihood.income_threshold_from_proxy": Derived(
            _BOOLEAN,
            "A livelihood component's income-threshold analysis takes its level from a figure "
            "set for another purpose (minimum wage, poverty line, average income) with nothing "
            "the people concerned said or did.",
            ("livelihood.income_threshold.analysis",),
            checks=("threshold_from_proxy",),
        ),
        "livelihood.income_threshold_dismissed": Derived(
            _BOOLEAN,
            "livelihood.income_threshold.analysis waves the question away (any gain is enough, "
            "no threshold needed, poverty named as the driver) and states no level.",
            ("livelihood.income_threshold.analysis",),
            checks=("threshold_dismissed",),
        ),
        "livelihood.targeting_credit_gated": Derived(
            _BOOLEAN,
            "livelihood.targeting.criteria require creditworthiness or assets (collateral, a "
            "guarantor, a repayment or savings record, an existing business, an own "
            "contribution) and nothing in that criterion lifts the condition.",
            ("livelihood.targeting.criteria",),
            checks=("credit_gated",),
        ),
        "awareness.safer_alternative_asserted": Derived(
            _BOOLEAN,
            "awareness.safer_alternative declares the promoted channel safe because it is "
            "licensed, regulated or official, with no evidence for this audience and no "
            "safeguard the campaign adds.",
            ("awareness.safer_alternative",),
            checks=("channel_assumed_safe",),
        ),
        "awareness.desired_action_is_knowledge": Derived(
            _BOOLEAN,
            "awareness.desired_action names a state of knowledge, no observable action.",
            ("awareness.desired_action",),
            checks=("knowledge_not_action",),
        ),
        "barriers_information_only": Derived(
            _NUMBER,
            "Its structural, economic or institutional barriers addressed only by information.",
            (
                "awareness.barriers",
                "victim_identification.barriers",
                "victim_support.reintegration_barriers",
                "criminal_justice_capacity.implementation_barriers",
            ),
            checks=("information_only",),
        ),
        "serves_children_only": Derived(
            _BOOLEAN,
            "A support component open to girls and boys only (`victim_support.open_to`), "
            "or every victim group of which is made up of children.",
            checks=("children_only",),
        ),
        "trains_justice_officials": Derived(
            _BOOLEAN,
            "A component of type other whose title or activities describe training of "
            "criminal justice officials.",
            checks=("justice_training",),
        ),
        "inferred_type": Derived(
            FieldSpec("string", values=("criminal_justice_capacity",)),
            "The type its content shows, where that differs from `type: other`.",
            checks=("justice_training",),
        ),
        "works_with_investigators": Derived(
            _BOOLEAN,
            "It works with investigators or prosecutors (respondents, target groups, title "
            "or activities say so).",
            checks=("investigative_work",),
        ),
        "corruption_named": Derived(
            _BOOLEAN,
            "The programme names corruption, bribery or officials' complicity as a problem: "
            "in this component's implementation barriers, an enabling factor of a pattern it "
            "addresses, or the risk register.",
            ("criminal_justice_capacity.implementation_barriers",),
            checks=("corruption_named",),
        ),
        "skills_use_measured": Derived(
            _BOOLEAN,
            "An indicator linked to it follows trainees over time (retention) or measures the "
            "practice the training should change (behaviour change that is not a count of "
            "investigations, prosecutions or convictions without the offenders' role, which "
            "moves with much besides the training).",
            checks=("delivery_count", "cj_count_without_role"),
            gathers="no",
        ),
        "network_reach_named": Derived(
            _BOOLEAN,
            "Its network targeting, activity kinds or activities name how it reaches "
            "organisers and networks (financial investigation, joint teams, owners, ...).",
            ("criminal_justice_capacity.network_targeting",),
            checks=("network_reach",),
        ),
        "victims_penalised": Derived(
            _BOOLEAN,
            "A justice component's answer on non-punishment, or a legal component's analysis "
            "of harmonisation with immigration law, says victims are detained, removed, fined "
            "or charged for what they did as a result of being trafficked, or spared that only "
            "if they cooperate.",
            ("criminal_justice_capacity.non_punishment", "legal_framework.analysis.harmonisation"),
            checks=("victims_penalised",),
        ),
        "network_targeting_raids": Derived(
            _BOOLEAN,
            "A justice component's answer on reaching networks rests on raids, rescues, "
            "flagrante arrests or closures, and names nothing that reaches beyond the people "
            "found in them (following the money, joint investigation, linking cases, owners "
            "and financiers).",
            ("criminal_justice_capacity.network_targeting",),
            checks=("raids_as_network_work",),
        ),
        "support_tied_to_cooperation": Derived(
            _BOOLEAN,
            "A support component's answers on the reflection period and on cooperation with "
            "justice make some of the help depend on the victim's cooperation (kept for "
            "witnesses, withdrawn from those who decline).",
            ("victim_support.reflection_period", "victim_support.cooperation_with_justice"),
            checks=("support_for_cooperation",),
        ),
        "representation_unstable": Derived(
            _BOOLEAN,
            "A national plan component's answer on its coordinating body's representation "
            "leaves who attends open from meeting to meeting (any official, whoever is "
            "available, a delegate of their choosing), with no named members and deputies.",
            ("national_action_plan.coordinating_body.representation",),
            checks=("representation_unstable",),
        ),
        "builds_referral_mechanism": Derived(
            _BOOLEAN,
            "The component builds the referral mechanism (status being_built, or its texts "
            "say so).",
            ("victim_identification.referral_mechanism",),
            checks=("mechanism_building",),
        ),
        "costing_planned": Derived(
            _BOOLEAN,
            "Costing the national plan is a step of the programme (an activity or text).",
            ("national_action_plan.budget",),
            checks=("costing_planned",),
        ),
        "coordination_irregular": Derived(
            _BOOLEAN,
            "The coordinating body meets as needed, with no regular rhythm.",
            ("national_action_plan.coordinating_body",),
            checks=("as_needed",),
        ),
        "coordinating_body_generic": Derived(
            _BOOLEAN,
            "The body named to coordinate the plan is a generic phrase (\"the government\", "
            "\"relevant ministries\"), not a body that can be asked what it did.",
            ("national_action_plan.coordinating_body.name",),
            checks=("generic_body",),
        ),
        "activities_generic_responsible": Derived(
            _NUMBER,
            "National plan activities whose `responsible` names no body.",
            ("national_action_plan.activities",),
            checks=("generic_body",),
        ),
        "delivers_services": Derived(
            _BOOLEAN,
            "A support component that delivers services to victims (its activity_kinds "
            "include direct_services, or are not given).",
        ),
        "handover_described": Derived(
            _BOOLEAN,
            "A support component whose title and description say its care is a first or "
            "bridging stage, after which another provider takes over the survivors' "
            "longer-term support (SUP-040 then asks for `onward_provider`).",
            ("title", "description"),
            checks=("hands_over_support",),
        ),
        "penalties_mandatory": Derived(
            _BOOLEAN,
            "A legal component whose `penalties` leave the court no discretion (mandatory "
            "minimum or life terms, the death penalty, a fixed term, no fine or suspended "
            "sentence).",
            ("legal_framework.penalties",),
            checks=("mandatory_penalty",),
        ),
        "access_gated": Derived(
            _BOOLEAN,
            "An identification or support component whose answer on equal access "
            "(`equal_access_to_services`, `referral_independence`, or for children "
            "`children.access_without_designation`) makes services depend on "
            "a formal status or on who identified the person (only once certified by the "
            "police, only for those who report or cooperate).",
            # not children.access_without_designation: adult services scope it out, and a
            # source set aside would set the finding aside with it
            ("victim_identification.equal_access_to_services",
             "victim_support.referral_independence"),
            checks=("certification_gated",),
        ),
        "dismissed_answers": Derived(
            _LIST,
            "Fields of a legal or identification component's block (dotted, e.g. "
            "`legal_framework.analysis.labour_law_coverage`) answered by setting the question "
            "aside: a text opening \"Not relevant\", \"Not applicable\" or \"Not needed\", "
            "with a reason or not, or a `{not_relevant: reason}` that holds.",
        ),
        "addresses_labour_exploitation": Derived(
            _BOOLEAN,
            "Some pattern the legal component addresses (every pattern of the programme if it "
            "names none) is labour exploitation (forced labour, domestic servitude, servitude, "
            "slavery).",
        ),
        "addresses_cross_border_labour": Derived(
            _BOOLEAN,
            "Some such labour pattern crosses a border.",
        ),
        "legal_asked_elsewhere": Derived(
            _LIST,
            "The programme-wide legal questions (the legal analysis and each ICAT 5 question "
            "in it, `non_tip_charges`, `complementary_measures`) that another legal_framework "
            "component answers, or, where none does, that the first legal component asks: "
            "the programme's legal analysis is one, and each question is asked once.",
        ),
        "group_services": Derived(
            _LIST,
            "Support services of every support component that serves one of its target "
            "groups (itself included): phased support counts as one package.",
            ("victim_support.services",),
        ),
        "group_reintegration_barriers": Derived(
            _NUMBER,
            "Barriers to reintegration stated by the support components that serve one of its "
            "target groups (itself included): one package, one analysis.",
            ("victim_support.reintegration_barriers",),
        ),
        "group_identification_barriers": Derived(
            _NUMBER,
            "Barriers to identification stated by the identification components that serve "
            "one of its target groups (itself included): one analysis for the ways the same "
            "victims are found.",
            ("victim_identification.barriers",),
        ),
        "group_missed_review_stated": Derived(
            _BOOLEAN,
            "Some identification component that serves one of its target groups (itself "
            "included) says how victims' accounts are used to find missed chances to identify "
            "them, without setting the question aside as not needed.",
            ("victim_identification.missed_identification_review",),
        ),
        "group_equal_access_stated": Derived(
            _BOOLEAN,
            "Some identification component that serves one of its target groups (itself "
            "included) says how victims get the same services whoever identified them.",
            ("victim_identification.equal_access_to_services",),
        ),
        "group_reintegration_monitoring_months": Derived(
            _NUMBER,
            "The longest reintegration follow-up (months) of the support components that "
            "serve one of its target groups (itself included): a first stage whose people "
            "another component of the package follows up is followed up.",
            ("victim_support.reintegration_monitoring_months",),
        ),
        "group_indicator_categories": Derived(
            _LIST,
            "Categories (as their texts support them) of the indicators of the support "
            "components that serve one of its target groups (itself included).",
            ("indicators",),
            checks=("delivery_count",),
        ),
    },
    "indicator": {
        "targets_set_aside": Derived(
            _BOOLEAN,
            "An indicator whose targets are scoped out as not relevant with a reason that "
            "holds: a context indicator that no one is judged by.",
            ("targets",),
        ),
        "measures_knowledge_only": Derived(
            _BOOLEAN,
            "Its numerator, denominator and methods observe only knowledge, attitudes or "
            "intentions (test scores, recall, attitude surveys), not what people did; read on "
            "impact indicators and on behaviour change and impact ones.",
            ("numerator", "denominator", "methods"),
            checks=("knowledge_measure",),
        ),
        "counts_delivery": Derived(
            _BOOLEAN,
            "Its text counts delivery (people trained, sessions held, ...); read on outcome "
            "and impact indicators and on behaviour change, retention and impact ones.",
            checks=("delivery_count",),
        ),
        "label_contradicted": Derived(
            _BOOLEAN,
            "It counts delivery but is labelled outcome or impact, or behaviour change, "
            "retention or impact.",
            checks=("delivery_count",),
        ),
        "counts_recorded_cases": Derived(
            _BOOLEAN,
            "Its text or methods count trafficking by cases recorded, reported or identified.",
            checks=("case_count",),
        ),
        "methods_weak": Derived(
            _BOOLEAN,
            "Every method measures only at the event or from a self-selected group.",
            ("methods",),
            checks=("weak_method",),
        ),
        "follow_up_too_short": Derived(
            _BOOLEAN,
            "A retention indicator followed up sooner than ICAT's tables ask (6 months for "
            "awareness, 12 for justice, livelihood and support work).",
            ("follow_up_months",),
        ),
        "targets_outside_period": Derived(
            _LIST, "Target periods (years) before the start or after the end of the programme.",
            ("targets",),
        ),
        "targets_not_numeric": Derived(
            _BOOLEAN,
            "A unit or percentage indicator with a target that states no amount ('increase'): "
            "no figure, no amount in words, no bound on the baseline, and no step or time "
            "that will set it ('set in month 15 from the test claims').",
            ("targets",),
            checks=("target_stated", "target_scheduled"),
        ),
        "percent_out_of_range": Derived(
            _BOOLEAN, "A percentage baseline or target below 0 or above 100."
        ),
        "baseline_after_first_target": Derived(
            _BOOLEAN, "The baseline year is later than the first target's year."
        ),
        "baseline_study_funded": Derived(
            _BOOLEAN, "The programme plans and budgets a baseline study.",
        ),
        "counts_unvalidated_reports": Derived(
            _BOOLEAN,
            "It counts calls or reports without validating them.",
            checks=("unvalidated_reports",),
        ),
        "rewards_cooperation": Derived(
            _BOOLEAN,
            "It counts testimony, cooperation or return as success.",
            checks=("rewards_cooperation",),
        ),
        "justice_count_without_role": Derived(
            _BOOLEAN,
            "It counts investigations, prosecutions or convictions without offenders' role.",
            checks=("cj_count_without_role",),
        ),
        "names_comparison": Derived(
            _BOOLEAN,
            "Its text or methods name a comparison or contribution method, or the programme "
            "does (theory_of_change.contribution, a comparing mel.evaluation.approach, "
            "mel.evaluation.comparison).",
            ("methods", "theory_of_change.contribution", "mel.evaluation.comparison"),
            checks=("comparison_method",),
        ),
    },
    "assumption": {
        "evidence_knowledge_only": Derived(
            _BOOLEAN,
            "For an assumption that awareness changes behaviour or that training turns into "
            "practice: every evidence source observes only knowledge, attitudes or intentions "
            "(test scores, recall, statements of intent), none what people did.",
            ("evidence",),
            checks=("knowledge_measure",),
        ),
        "test_planned": Derived(
            _BOOLEAN,
            "A test of the assumption is planned: a `test` with how and when, or the text "
            "says how and when it will be tested.",
            ("test",),
            checks=("test_planned",),
        ),
        "evidence_empirical_recent": Derived(
            _NUMBER,
            f"Evidence items of an empirical kind from at most {EVIDENCE_HORIZON_YEARS} years "
            "before the programme starts, whose source is not opinion.",
            ("evidence",),
            checks=("opinion_source",),
            gathers="no",
        ),
        "evidence_opinion": Derived(
            _NUMBER, "Evidence items whose source is opinion or cannot be checked.",
            ("evidence",),
            checks=("opinion_source",),
        ),
    },
    "pattern": {
        "prevention_components": Derived(
            _NUMBER,
            "Components addressing the pattern that work on prevention (not survivor-focused, "
            "and with a prevention strategy or of a prevention type).",
        ),
        "enabling_analysed_elsewhere": Derived(
            _BOOLEAN,
            "Another pattern of the programme lists enabling factors, and this one names the "
            "crime-prevention responses considered for it (MAP-010 is then MAP-023, at info).",
        ),
        "recruitment_missing": Derived(
            _LIST,
            "The parts of recruitment (how, by_whom, where) the proposal does not give, for "
            "a finding to name them.",
        ),
        "movement_missing": Derived(
            _LIST,
            "The parts of movement (how, by_whom, from, to) the proposal does not give, for a "
            "finding to name them.",
        ),
        "context_only": Derived(
            _BOOLEAN,
            "No component targets the pattern, other patterns are targeted, and the proposal "
            "scopes out its crime-prevention responses with a reason that holds: the pattern is "
            "mapped as context (say, to watch for displacement), and the questions that tailor "
            "a response to it do not arise.",
        ),  # no sources: it scopes rules, it stands for no gap an answer could fill
    },
    "risk": {
        "to_participants": Derived(
            _BOOLEAN,
            "The risk is one of harm to the people the programme works with.",
            checks=("risk_to_participants",),
        ),
    },
}


# --- programme --------------------------------------------------------------------------------


def programme_fields(ctx: Context) -> dict[str, Any]:
    data, reader = ctx.data, ctx.reader
    toc = _mapping(data.get("theory_of_change"))
    displacement = _mapping(toc.get("displacement"))
    return {
        "prevention_strategies": sorted(
            {
                str(s)
                for c in ctx.components
                if not survivor_focused(ctx, c)
                for s in c.get("strategies") or []
            }
        ),
        "text_lens_applied": ctx.reading.applied,
        "period_months": programme_months(data),
        "budget_gap_percent": _budget_gap(data),
        "components_unfunded": sorted(
            str(c.get("id")) for c in ctx.components if not ctx.lines_of.get(c.get("id"))
        ) if data.get("budget_lines") else [],
        "displacement_denied": reader.check(
            "displacement_denial", displacement.get("analysis")
        ),
        "displacement_types_undiscussed": _undiscussed(displacement, data, reader),
        "baseline_study_funded": ctx.baseline_study_funded,
        **crosscutting_programme_fields(ctx),
    }


def _budget_gap(data: Mapping[str, Any]) -> float | None:
    total = _mapping(data.get("budget")).get("total")
    lines = [_amount(line) for line in _dicts(data.get("budget_lines"))]
    if not isinstance(total, (int, float)) or total <= 0 or not lines:
        return None
    return round(abs(sum(lines) - total) * 100 / total, 2)


def _undiscussed(
    displacement: Mapping[str, Any], data: Mapping[str, Any], reader: TextReader
) -> list[str]:
    """Displacement kinds listed as considered that none of the displacement texts touches on:
    the words of the kind (lexicon `displacement_<kind>`, which names the kind too:
    "functional"), or the proposal's own regions for territorial. An answer to other_targets
    that speaks only of places ("recruiters could move to neighbouring States") does not
    discuss other people. A language without the lexicons is not judged."""
    if not reader.available:
        return []
    text = " ".join(
        str(v) for k, v in displacement.items() if isinstance(v, str) and k != "types_considered"
    )
    folded = text.casefold()
    places = tuple(str(r).casefold() for r in data.get("regions") or [])
    missing = []
    for kind in displacement.get("types_considered") or []:
        words = reader.words.lexicons.get(f"displacement_{kind}", reader.language)
        if words is None:
            return []  # a kind this language's lexicons do not hold: not judged
        in_place = kind == "territorial" and any(place in folded for place in places)
        if words.find(text) is None and not in_place:
            missing.append(str(kind))
    return missing


def baseline_study_funded(data: Mapping[str, Any]) -> bool:
    evaluation = _mapping(_mapping(data.get("mel")).get("evaluation"))
    if evaluation.get("baseline_study") is not True:
        return False
    return any(
        line.get("category") == "mel"
        and _amount(line) > 0
        and "baseline" in str(line.get("description", "")).casefold()
        for line in _dicts(data.get("budget_lines"))
    )


# --- target groups ----------------------------------------------------------------------------


def target_group_fields(ctx: Context, group: Mapping[str, Any]) -> dict[str, Any]:
    reader = ctx.reader
    described = joined([group.get("name"), group.get("description")], ". ")
    people = joined([described, *(group.get("segments") or [])], "; ")
    fields = {
        "desired_behaviour_is_knowledge": reader.check(
            "knowledge_not_action", group.get("desired_behaviour")
        ),
        "generic": group.get("size") is None and reader.check("generic_group", described),
        "barriers_information_only": information_only(reader, group.get("barriers")),
        "includes_children": reader.check("mentions_children", people),
        "children_only": reader.check("children_only", people),
    }
    if group.get("desired_behaviour"):
        fields["behaviour_measured"] = behaviour_measured(ctx, group)
    return fields


def information_only(reader: TextReader, barriers: Any) -> int:
    """Barriers of a kind information cannot remove, 'addressed' by information alone."""
    return sum(
        1
        for barrier in _dicts(barriers)
        if barrier.get("kind") in ("structural", "economic", "institutional")
        and reader.check("information_only", barrier.get("addressed_by"))
    )


# --- components -------------------------------------------------------------------------------


def component_fields(ctx: Context, component: Mapping[str, Any]) -> dict[str, Any]:
    reader = ctx.reader
    kind = component.get("type")
    texts = _component_texts(component)
    block, key = _BARRIER_BLOCKS.get(str(kind), ("", ""))
    own = _mapping(component.get(str(kind)))  # the block of the component's own type
    fields: dict[str, Any] = {
        "survivor_focused": survivor_focused(ctx, component),
        **_route_fields(ctx, component),
        "barriers_information_only": information_only(
            reader, _mapping(component.get(block)).get(key)
        ),
    }
    if kind != "criminal_justice_capacity":
        fields["behaviour_measured"] = _behaviour_measured(ctx, component)
    if kind == "other":
        fields["trains_justice_officials"] = reader.check(
            "justice_training", _headed_activities(component)
        )
        if fields["trains_justice_officials"]:
            fields["inferred_type"] = "criminal_justice_capacity"
    if kind == "awareness":
        fields["awareness.desired_action_is_knowledge"] = reader.check(
            "knowledge_not_action", own.get("desired_action")
        )
        fields["awareness.safer_alternative_asserted"] = reader.check(
            "channel_assumed_safe", own.get("safer_alternative")
        )
    if kind == "livelihood":
        analysis = _mapping(own.get("income_threshold")).get("analysis")
        fields["livelihood.income_threshold_dismissed"] = reader.check(
            "threshold_dismissed", analysis
        )
        fields["livelihood.income_threshold_from_proxy"] = reader.check(
            "threshold_from_proxy", analysis
        )
        targeting = _mapping(own.get("targeting"))
        fields["livelihood.targeting_credit_gated"] = reader.check(
            "credit_gated", joined(c for c in targeting.get("criteria") or [] if type(c) is str)
        )
    if kind == "legal_framework":
        fields["legal_asked_elsewhere"] = legal_asked_elsewhere(ctx, component)
        fields["dismissed_answers"] = dismissed_answers(ctx, component)
        fields["penalties_mandatory"] = reader.check("mandatory_penalty", own.get("penalties"))
        fields["victims_penalised"] = reader.check(
            "victims_penalised", _mapping(own.get("analysis")).get("harmonisation")
        )
        fields.update(_exploitation_fields(ctx, component))
    if kind == "criminal_justice_capacity":
        fields.update(_justice_fields(ctx, component, texts))
    if kind == "victim_identification":
        fields["builds_referral_mechanism"] = _builds_mechanism(reader, component, texts)
        referral = _mapping(own.get("referral_mechanism"))
        fields["identification_police_only"] = reader.check(
            "police_only_identification", own.get("identifying_actors")
        )
        if referral.get("status") in ("national", "informal"):
            fields["referral_on_paper"] = reader.check(
                "paper_mechanism", referral.get("functioning")
            )
        fields.update(_identification_package_fields(ctx, component))
        fields["dismissed_answers"] = dismissed_answers(ctx, component)
        fields["access_gated"] = reader.check(
            "certification_gated", own.get("equal_access_to_services")
        )
    if kind == "national_action_plan":
        fields.update(_plan_fields(ctx, component, texts))
    if kind == "victim_support":
        fields["delivers_services"] = delivers_services(component)
        fields["access_gated"] = reader.check(
            "certification_gated", own.get("referral_independence")
        ) or reader.check(  # each answer read alone: one's "regardless" lifts no other's gate
            "certification_gated", _mapping(own.get("children")).get("access_without_designation")
        )
        fields["reflection_denied"] = reader.check("no_reflection", own.get("reflection_period"))
        fields["support_tied_to_cooperation"] = reader.check(
            "support_for_cooperation",
            joined([own.get("reflection_period"), own.get("cooperation_with_justice")], ". "),
        )
        fields["return_decided_for"] = reader.check(
            "return_not_chosen", _mapping(own.get("return")).get("voluntariness_check")
        )
        fields["handover_described"] = reader.check(
            "hands_over_support",
            _heading(component),
        )
        package = group_package(ctx, component)
        fields["group_services"] = sorted({
            str(s) for c in package for s in _mapping(c.get("victim_support")).get("services") or []
        })
        fields["group_reintegration_barriers"] = sum(
            len(_mapping(c.get("victim_support")).get("reintegration_barriers") or [])
            for c in package
        )
        follow_ups = [
            _mapping(c.get("victim_support")).get("reintegration_monitoring_months")
            for c in package
        ]
        fields["group_reintegration_monitoring_months"] = max(
            (months for months in follow_ups if isinstance(months, int)), default=None
        )
        fields["group_indicator_categories"] = sorted({
            str(category)
            for c in package
            for indicator in ctx.indicators_of.get(c.get("id"), [])
            if (category := effective_label(indicator, reader)[1])
        })
        fields["serves_children_only"] = _serves_children_only(ctx, component)
    fields.update(crosscutting_component_fields(ctx, component))
    return fields


_BARRIER_BLOCKS = {
    "awareness": ("awareness", "barriers"),
    "victim_identification": ("victim_identification", "barriers"),
    "victim_support": ("victim_support", "reintegration_barriers"),
    "criminal_justice_capacity": ("criminal_justice_capacity", "implementation_barriers"),
}


_READS_TEXTS = frozenset(
    {"other", "criminal_justice_capacity", "victim_identification", "national_action_plan"}
)


_SERVING = frozenset({"victims", "service_providers"})
_REINTEGRATION = frozenset({"communities"})


def survivor_focused(ctx: Context, component: Mapping[str, Any]) -> bool:
    """Work with trafficked persons (and those who serve them) only. Support to victims may
    also reach their families and home communities: that is reintegration, not prevention
    among people at risk."""
    livelihood = _mapping(component.get("livelihood"))
    if livelihood.get("beneficiaries") == "trafficked_persons":
        return True
    kinds = {
        (ctx.groups.get(g) or {}).get("kind") for g in component.get("target_groups") or []
    }
    support = component.get("type") == "victim_support"
    serving = (_SERVING | _REINTEGRATION) if support else _SERVING
    return "victims" in kinds and kinds <= serving


def _route_fields(ctx: Context, component: Mapping[str, Any]) -> dict[str, bool]:
    """`at_origin_only`: the component works only where its patterns start (each crosses a
    border from a place the programme names, a country or region, to one it does not name).
    `serves_foreign_victims`: some pattern crosses a border into a place the programme names
    (from a place it does not name, unless it names several countries), and the component
    does not say it serves returnees only (a programme that names both ends of a route may
    support, at home, those who came back: they are not foreigners there)."""
    routes = _routes(ctx, component)
    # In a one-country programme, a route that starts and ends in places it names is its
    # nationals' (women taken from Tirana to bars in Tirana, and on to Italy): not foreigners.
    one_country = len(ctx.data.get("countries") or []) <= 1
    into_named = any(
        route is not None and route[1] and not (one_country and route[0]) for route in routes
    )
    return {
        "at_origin_only": bool(routes) and all(
            route is not None and route[0] and not route[1] for route in routes
        ),
        "serves_foreign_victims": into_named and not (
            component.get("type") == "victim_support"
            and ctx.reader.check(
                "serves_returnees",
                _heading(component),
            )
        ),
    }


def _routes(ctx: Context, component: Mapping[str, Any]) -> list[tuple[bool, bool] | None]:
    """For each pattern the component addresses: (starts in a place the programme names,
    ends in one), or None where it is not a cross-border pattern with both ends written."""
    if "places" not in ctx.memo:  # the same for every component
        ctx.memo["places"] = _places_pattern(tuple(_programme_places(ctx.data)))
    places = ctx.memo["places"]
    if places is None:
        return []
    routes: list[tuple[bool, bool] | None] = []
    for ident in component.get("patterns") or []:
        movement = _mapping((ctx.patterns.get(ident) or {}).get("movement"))
        origin = str(movement.get("from") or "").casefold()
        destination = str(movement.get("to") or "").casefold()
        if movement.get("cross_border") is not True or not origin or not destination:
            routes.append(None)
        else:
            routes.append((bool(places.search(origin)), bool(places.search(destination))))
    return routes


def _programme_places(data: Mapping[str, Any]) -> list[str]:
    return [
        *country_names(data.get("countries") or []),
        *(
            part.strip()
            for region in data.get("regions") or []
            for part in _PLACE_PARTS.split(str(region).casefold())
            if len(part.strip()) > 2
        ),
    ]


@lru_cache(maxsize=256)
def _places_pattern(places: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for all the places a programme names (compiled once per set of places)."""
    if not places:
        return None
    ordered = sorted(set(places), key=lambda place: (-len(place), place))
    return re.compile(r"\b(?:" + "|".join(map(re.escape, ordered)) + r")\b")


# "Central Visayas (Cebu, Bohol)" names three places.
_PLACE_PARTS = re.compile(r"[(),;/]|\band\b|\bthe\b")


def country_names(codes: Iterable[str]) -> list[str]:
    """The names of countries given as ISO codes, in lower case (reviewer/data/countries.json)."""
    table = _countries()
    return [name.casefold() for code in codes for name in table.get(str(code), [])]


@cache
def _countries() -> dict[str, list[str]]:
    path = Path(__file__).parent / "data" / "countries.json"
    return json.loads(path.read_text(encoding="utf-8"))["countries"]


def _component_texts(component: Mapping[str, Any]) -> str:
    """Title, description and activities: what a component says it does."""
    heading = [component.get("title"), component.get("description")]
    return joined([*heading, *_activity_texts(component)])


def _activity_texts(component: Mapping[str, Any]) -> list[Any]:
    return [a.get("text") if isinstance(a, dict) else a for a in component.get("activities") or []]


def _heading(component: Mapping[str, Any]) -> str:
    """Title and description as one text: what a component says it is, which the checks of
    whom it serves and how it hands people on read."""
    return joined([component.get("title"), component.get("description")], ". ")


def _headed_activities(component: Mapping[str, Any]) -> str:
    """The heading (title and description) first, then each activity: what
    `justice_training` reads one activity at a time, each with the heading."""
    heading = _heading(component)
    activities = joined(_activity_texts(component))
    return f"{heading}; {activities}" if activities else heading


_CHILDREN = frozenset({"girls", "boys"})


def _serves_children_only(ctx: Context, component: Mapping[str, Any]) -> bool:
    """The component says it is open to girls and boys only (`open_to`), or every victim
    group it serves is made up of children: a children's component of a programme whose
    victim group is everyone it identifies is still a children's component."""
    open_to = _mapping(component.get("victim_support")).get("open_to") or []
    if open_to and set(map(str, open_to)) <= _CHILDREN:
        return True
    victims = [
        ctx.groups[g]
        for g in component.get("target_groups") or []
        if g in ctx.groups and ctx.groups[g].get("kind") in ("victims", "potential_victims")
    ]
    return bool(victims) and all(
        ctx.reader.check("children_only", joined([g.get("name"), g.get("description")], ". "))
        for g in victims
    )


_INVESTIGATIVE = frozenset({"police", "investigators", "prosecutors", "border_officials"})
_NETWORK_KINDS = frozenset(
    {"financial_investigation", "joint_investigation_teams", "proactive_investigation"}
)


def _justice_fields(ctx: Context, component: Mapping[str, Any], texts: str) -> dict[str, Any]:
    reader = ctx.reader
    block = _mapping(component.get("criminal_justice_capacity"))
    respondents = set(block.get("respondents") or [])
    if respondents:
        investigators = bool(respondents & _INVESTIGATIVE)
    else:
        groups = [ctx.groups.get(g) or {} for g in component.get("target_groups") or []]
        said = joined([texts, *(joined([g.get("name"), g.get("description")]) for g in groups)])
        investigators = reader.check("investigative_work", said)
    network = bool(_NETWORK_KINDS & set(block.get("activity_kinds") or [])) or reader.check(
        "network_reach", joined([block.get("network_targeting"), texts])
    )
    return {
        "works_with_investigators": investigators,
        "skills_use_measured": _skills_use_measured(ctx, component),
        "network_reach_named": network,
        "corruption_named": reader.check("corruption_named", _corruption_texts(ctx, component)),
        "turnover_unmitigated": reader.check(
            "turnover_unmitigated", block.get("turnover_mitigation")
        ),
        "victims_penalised": reader.check("victims_penalised", block.get("non_punishment")),
        "network_targeting_raids": reader.check(
            "raids_as_network_work", block.get("network_targeting")
        ),
    }


def _behaviour_measured(ctx: Context, component: Mapping[str, Any]) -> bool:
    """Whether some indicator of the component measures what people do, soundly: a
    behaviour-change indicator (by what its text counts, not only its label) whose methods
    follow people beyond the event and observe more than what they know or say they will
    do."""
    reader = ctx.reader
    for indicator in ctx.indicators_of.get(component.get("id"), []):
        if effective_label(indicator, reader)[1] != "behaviour_change":
            continue
        if not reader.check("weak_method", _with_methods(indicator)) and not reader.check(
            "knowledge_measure", _measure(indicator)
        ):
            return True
    return False


def _with_methods(indicator: Mapping[str, Any]) -> str:
    """What an indicator counts and how, as weak_method, the report and case checks read it."""
    methods = joined(indicator.get("methods") or [])
    return joined([str(indicator.get("text") or ""), methods], " | ")


def _measure(indicator: Mapping[str, Any]) -> str:
    """What an indicator observes (numerator, denominator, methods), as knowledge_measure
    reads it."""
    methods = joined(indicator.get("methods") or [])
    return joined([indicator.get("numerator"), indicator.get("denominator"), methods], " | ")


def _skills_use_measured(ctx: Context, component: Mapping[str, Any]) -> bool:
    """ICAT-6.L3 asks whether trainees later act differently: a follow-up of the trainees
    answers it, and so does a measure of their practice (cases with financial evidence,
    inspections that apply the procedure); a jurisdiction's case totals do not."""
    for indicator in ctx.indicators_of.get(component.get("id"), []):
        category = effective_label(indicator, ctx.reader)[1]
        if category == "retention":
            return True
        text = str(indicator.get("text") or "")
        if category == "behaviour_change" and not ctx.reader.check("cj_count_without_role", text):
            return True
    return False


def _corruption_texts(ctx: Context, component: Mapping[str, Any]) -> str:
    """Where a proposal says officials are corrupt or complicit: what may stop trainees
    applying the training, what lets traffickers avoid prosecution, what may go wrong."""
    block = _mapping(component.get("criminal_justice_capacity"))
    patterns = [ctx.patterns.get(p) or {} for p in component.get("patterns") or []]
    if not patterns:
        patterns = list(ctx.patterns.values())
    factors = [f.get("description") for p in patterns for f in _dicts(p.get("enabling_factors"))]
    risks = [r.get("text") if isinstance(r, Mapping) else r
             for r in _mapping(ctx.data.get("theory_of_change")).get("risks") or []]
    barriers = [b.get("description") for b in _dicts(block.get("implementation_barriers"))]
    return joined([*barriers, *factors, *risks])


def _builds_mechanism(reader: TextReader, component: Mapping[str, Any], texts: str) -> bool:
    mechanism = _mapping(_mapping(component.get("victim_identification")).get("referral_mechanism"))
    if mechanism.get("status") == "being_built":
        return True
    return reader.check("mechanism_building", joined([mechanism.get("functioning"), texts]))


def _plan_fields(ctx: Context, component: Mapping[str, Any], texts: str) -> dict[str, Any]:
    reader = ctx.reader
    plan = _mapping(component.get("national_action_plan"))
    body = _mapping(plan.get("coordinating_body"))
    plan_texts = joined(
        [plan.get("prioritisation"), texts,
         *(joined([a.get("text"), a.get("target")]) for a in _dicts(plan.get("activities")))]
    )
    # "As needed" is also a non-answer, which the lens took out: read what was written.
    written = original_answers(ctx, component, "national_action_plan.coordinating_body.")
    rhythm = joined([body.get("meeting_frequency"), body.get("capacity"), *written])
    return {
        "costing_planned": reader.check("costing_planned", plan_texts),
        "coordination_irregular": reader.check("as_needed", rhythm),
        "representation_unstable": reader.check(
            "representation_unstable",
            joined([
                body.get("representation"),
                *original_answers(
                    ctx, component, "national_action_plan.coordinating_body.representation"
                ),
            ]),
        ),
        "coordinating_body_generic": reader.check("generic_body", body.get("name")),
        "activities_generic_responsible": sum(
            1 for a in _dicts(plan.get("activities"))
            if reader.check("generic_body", a.get("responsible"))
        ),
    }


def original_answers(ctx: Context, item: Mapping[str, Any], prefix: str) -> list[str]:
    """The texts the lens took out of an item's fields under `prefix` (as written)."""
    key = f"component:{item.get('id')}"
    return [
        note.text
        for note in ctx.reading.notes
        if note.item == key and note.stands_in and note.field.startswith(prefix)
    ]


def _identification_package_fields(
    ctx: Context, component: Mapping[str, Any]
) -> dict[str, Any]:
    """What the identification components that serve one of its target groups say together
    (`group_package`): the barriers to identifying those victims, and how they get the same
    services whoever identified them, are one analysis for street outreach and a phone line
    that find the same women."""
    package = group_package(ctx, component)
    return {
        "group_identification_barriers": sum(
            len(_mapping(c.get("victim_identification")).get("barriers") or []) for c in package
        ),
        "group_equal_access_stated": any(
            _answers(ctx, c, "victim_identification.equal_access_to_services") for c in package
        ),
        "group_missed_review_stated": any(
            _answers(ctx, c, "victim_identification.missed_identification_review")
            and "victim_identification.missed_identification_review"
            not in dismissed_answers(ctx, c)
            for c in package
        ),
    }


def dismissed_answers(ctx: Context, component: Mapping[str, Any]) -> list[str]:
    """The fields of the component's own block (dotted, e.g.
    'legal_framework.analysis.labour_law_coverage') whose answer sets the question aside as
    not applying or not needed: a text that opens so ("Not relevant: labour matters are for
    the Ministry of Labour", "Not needed: everyone flagged is screened"), reason or not, or a
    `{not_relevant: reason}` that holds. Rules read it where the proposal's own facts say the
    question applies (a labour-law question in a reform against labour trafficking). Kept per
    proposal: a package of components asks it of each of its members."""
    memo = ctx.memo.setdefault("dismissed", {})
    if id(component) not in memo:
        memo[id(component)] = _dismissed(ctx, component)
    return memo[id(component)]


def _dismissed(ctx: Context, component: Mapping[str, Any]) -> list[str]:
    kind = str(component.get("type"))
    dismissed = {
        f"{kind}.{name}" for name, text in _texts_of(_mapping(component.get(kind)))
        if is_not_applicable(text) or normalise(text).startswith(_DISMISSALS)
    }
    dismissed.update(
        note.field for note in ctx.reading.notes_of(f"component:{component.get('id')}")
        if note.kind == "not_relevant" and note.holds
    )
    return sorted(dismissed)


# Openers that set a question aside as needless ("Not needed: everyone flagged is screened").
_DISMISSALS = ("not needed", "not necessary", "unnecessary", "not required")


def _texts_of(block: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, str]]:
    for key, value in block.items():
        if isinstance(value, str):
            yield f"{prefix}{key}", value
        elif isinstance(value, Mapping):
            yield from _texts_of(value, f"{prefix}{key}.")


_LABOUR_EXPLOITATION = frozenset(
    {"forced_labour", "domestic_servitude", "servitude", "slavery_or_similar_practices"}
)


def _exploitation_fields(ctx: Context, component: Mapping[str, Any]) -> dict[str, bool]:
    """Whether the patterns the component addresses (all the programme's if it names none)
    include labour exploitation, and labour exploitation across a border."""
    named = [ctx.patterns[p] for p in component.get("patterns") or [] if p in ctx.patterns]
    patterns = named or list(ctx.patterns.values())
    labour = [
        p for p in patterns if _LABOUR_EXPLOITATION & set(map(str, p.get("exploitation") or []))
    ]
    return {
        "addresses_labour_exploitation": bool(labour),
        "addresses_cross_border_labour": any(
            _mapping(p.get("movement")).get("cross_border") is True for p in labour
        ),
    }


@cache
def programme_legal_questions() -> tuple[str, ...]:
    """The legal_framework fields that ask about the country's law, not about one piece of
    legal work: the legal analysis (as a whole, and each ICAT 5 question in it), cases charged
    under other offences and the complementary measures. Penalties stay with the component
    that drafts the offence."""
    legal = proposal_schema()["$defs"]["legal_framework"]["properties"]
    return (
        "analysis",
        *(f"analysis.{key}" for key in legal["analysis"]["properties"]),
        "non_tip_charges",
        "complementary_measures",
    )


def legal_asked_elsewhere(ctx: Context, component: Mapping[str, Any]) -> list[str]:
    """The programme-wide legal questions (`programme_legal_questions`) that another
    legal_framework component of the programme answers, or, where none answers one, that
    another component asks: the first that records some analysis (the per-question rules ask
    only where an analysis is written), else the first. A programme drafting an act in one
    component and its regulations in another has one legal analysis: each question is asked
    once."""
    if "legal_answered" not in ctx.memo:  # the same for every legal component
        legal = [c for c in ctx.components if c.get("type") == "legal_framework"]
        answered = {
            question: [c for c in legal if _answers(ctx, c, f"legal_framework.{question}")]
            for question in programme_legal_questions()
        }
        asker = next(iter(answered["analysis"]), legal[0] if legal else None)
        ctx.memo["legal_answered"] = answered, asker
    answered, asker = ctx.memo["legal_answered"]
    return [
        question
        for question, answering in answered.items()
        if any(c is not component for c in answering)
        or (not answering and asker is not component)
    ]


def _answers(ctx: Context, component: Mapping[str, Any], field: str) -> bool:
    """The component answers the question of a (dotted) field: the field is there once the
    lens has taken out non-answers (a mapping: some field in it is), or a scoped answer there
    holds (a reason it does not apply, a study that will answer it in time)."""
    node: Any = component
    for key in field.split("."):
        node = _mapping(node).get(key)
    if isinstance(node, Mapping) and any(is_present(value) for value in node.values()):
        return True
    if not isinstance(node, Mapping) and is_present(node):
        return True
    item = f"component:{component.get('id')}"
    return any(
        note.holds and (note.field == field or note.field.startswith(f"{field}."))
        for note in ctx.reading.notes_of(item)
    )


def group_package(ctx: Context, component: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The components of the component's type that serve one of its target groups, itself
    first: phased or parallel support (case management in one component, legal aid in
    another) is one package to the people it serves, and outreach and a phone line find the
    same women; the rules ask of the package once."""
    kind = component.get("type")
    package: dict[int, Mapping[str, Any]] = {id(component): component}
    for group in component.get("target_groups") or []:
        for sibling in ctx.components_of_group.get(group, []):
            if sibling.get("type") == kind:
                package.setdefault(id(sibling), sibling)
    return list(package.values())


# --- indicators -------------------------------------------------------------------------------


def indicator_fields(ctx: Context, indicator: Mapping[str, Any]) -> dict[str, Any]:
    """Each check runs only where a rule can use it (a case count at impact level, testimony
    in support work, ...), which keeps the text lens's cost per proposal low."""
    reader = ctx.reader
    text = str(indicator.get("text") or "")
    with_methods = _with_methods(indicator)
    level, category = indicator.get("level"), indicator.get("category")
    kinds = {ctx.component_types.get(c) for c in indicator.get("components") or []}
    changes = level in ("outcome", "impact") or category in _BEHAVIOUR_CATEGORIES
    delivery = changes and reader.check("delivery_count", text)
    fields = {
        "counts_delivery": delivery,
        "label_contradicted": delivery,
        "follow_up_too_short": _follow_up_too_short(indicator, kinds),
        "targets_outside_period": _targets_outside(ctx.data, indicator),
        "targets_not_numeric": _targets_not_numeric(indicator, reader),
        "percent_out_of_range": _percent_out_of_range(indicator),
        "baseline_after_first_target": _baseline_after_first_target(indicator),
        "baseline_study_funded": ctx.baseline_study_funded,
        "follow_up_point_count": len(follow_up_months_of(indicator)),
        "targets_set_aside": _targets_set_aside(ctx, indicator),
    }
    if changes:
        fields["methods_weak"] = reader.check("weak_method", with_methods)
        fields["counts_unvalidated_reports"] = reader.check("unvalidated_reports", with_methods)
    if level == "impact" or category in ("impact", "behaviour_change"):
        fields["measures_knowledge_only"] = reader.check("knowledge_measure", _measure(indicator))
    if level == "impact" or category == "impact":
        fields["counts_recorded_cases"] = reader.check("case_count", with_methods)
        fields["names_comparison"] = programme_compares(ctx.data) or reader.check(
            "comparison_method", with_methods
        )
    if "victim_support" in kinds:
        fields["rewards_cooperation"] = reader.check("rewards_cooperation", text)
    if "criminal_justice_capacity" in kinds and level != "output":
        fields["justice_count_without_role"] = reader.check("cj_count_without_role", text)
    return fields


def _targets_set_aside(ctx: Context, indicator: Mapping[str, Any]) -> bool:
    """The indicator's targets are scoped out as not relevant, with a reason that holds: a
    context indicator the evaluation reads ("identification numbers depend on police activity,
    so no target is set"), which nobody is judged by."""
    return any(
        note.kind == "not_relevant" and note.holds and note.field == "targets"
        for note in ctx.reading.notes_of(f"indicator:{indicator.get('id')}")
    )


def effective_label(indicator: Mapping[str, Any], reader: TextReader) -> tuple[Any, Any]:
    """The level and category an indicator's text supports: a count of delivery labelled as
    an outcome or as behaviour change is an output of reach, whatever its label says."""
    level, category = indicator.get("level"), indicator.get("category")
    if reader.check("delivery_count", str(indicator.get("text") or "")):
        if level in ("outcome", "impact"):
            level = "output"
        if category in (*_BEHAVIOUR_CATEGORIES, "knowledge_attitude_change"):
            category = "reach"
    return level, category


def _follow_up_too_short(indicator: Mapping[str, Any], kinds: set[Any]) -> bool:
    points = follow_up_months_of(indicator)
    if indicator.get("category") != "retention" or not points:
        return False
    months = max(points)
    needed = max((RETENTION_MONTHS.get(str(k), 0) for k in kinds), default=0)
    return months < needed


def target_years(indicator: Mapping[str, Any], start_year: int | None) -> list[int]:
    """The year of each target: a year written in its period, or 'year N' of the programme."""
    years = []
    for target in _dicts(indicator.get("targets")):
        label = str(target.get("period", ""))
        found = _YEAR.search(label)
        if found:
            years.append(int(found.group(0)))
        elif start_year and (relative := _PROGRAMME_YEAR.search(label)):
            years.append(start_year + int(relative.group(1)) - 1)
    return years


def _targets_outside(data: Mapping[str, Any], indicator: Mapping[str, Any]) -> list[str]:
    start, end = period(data)
    if start is None or end is None:
        return []
    follow_up = max(follow_up_months_of(indicator), default=0)
    extra_years = (follow_up + 11) // 12
    last = end.year + extra_years
    return [str(y) for y in target_years(indicator, start.year) if y < start.year or y > last]


def _targets_not_numeric(indicator: Mapping[str, Any], reader: TextReader) -> bool:
    """A target written as text that states no amount, and does not say when and from what
    step its figure will be set ("set in month 15 from the test claims" is a candid answer
    before a baseline). In a language the lens cannot read, a text target counts as stated
    when it holds a digit."""
    if indicator.get("measure") not in ("unit", "percentage"):
        return False
    values = [t.get("value") for t in _dicts(indicator.get("targets"))]
    if None in values:
        return True  # a target without a value (or whose value the lens took out)
    texts = [str(v) for v in values if not isinstance(v, (int, float))]
    if not reader.available:
        return any(not _DIGIT.search(text) for text in texts)
    return any(
        not reader.check("target_stated", text) and not reader.check("target_scheduled", text)
        for text in texts
    )


def _percent_out_of_range(indicator: Mapping[str, Any]) -> bool:
    if indicator.get("measure") != "percentage":
        return False
    values = [t.get("value") for t in _dicts(indicator.get("targets"))]
    values.append(_mapping(indicator.get("baseline")).get("value"))
    return any(isinstance(v, (int, float)) and not 0 <= v <= 100 for v in values)


def _baseline_after_first_target(indicator: Mapping[str, Any]) -> bool:
    year = _mapping(indicator.get("baseline")).get("year")
    years = target_years(indicator, None)
    return isinstance(year, int) and bool(years) and year > min(years)


# --- assumptions and risks --------------------------------------------------------------------


def assumption_fields(ctx: Context, assumption: Mapping[str, Any]) -> dict[str, Any]:
    reader = ctx.reader
    test = _mapping(assumption.get("test"))
    planned = bool(test.get("how") and (test.get("by_month") or test.get("indicator")))
    start, _ = period(ctx.data)
    horizon = (start.year if start else None)
    evidence = list(_dicts(assumption.get("evidence")))
    opinion = [e for e in evidence if reader.check("opinion_source", e.get("source"))]
    return {
        "test_planned": planned or reader.check(
            "test_planned", joined([assumption.get("text"), test.get("how")])
        ),
        "evidence_empirical_recent": sum(
            1
            for e in evidence
            if e.get("kind") in EMPIRICAL_KINDS
            and e not in opinion
            and (horizon is None or (e.get("year") or 0) >= horizon - EVIDENCE_HORIZON_YEARS)
        ),
        "evidence_opinion": len(opinion),
        "evidence_knowledge_only": _evidence_knowledge_only(reader, assumption, evidence),
    }


_BEHAVIOUR_BELIEFS = frozenset({"awareness_to_behaviour", "training_to_practice"})


def _evidence_knowledge_only(
    reader: TextReader, assumption: Mapping[str, Any], evidence: list[dict[str, Any]]
) -> bool:
    """Read only for the beliefs ICAT finds unsupported that are about what people will do:
    knowledge gained is no evidence that conduct changed (ICAT-3 evaluation table)."""
    if assumption.get("kind") not in _BEHAVIOUR_BELIEFS or not evidence:
        return False
    return all(reader.check("knowledge_measure", e.get("source")) for e in evidence)


_PREVENTION = frozenset(
    {"reduce_vulnerability", "increase_difficulty", "reduce_rewards", "increase_risk",
     "reduce_social_tolerance", "crowd_out"}
)
_PREVENTION_TYPES = frozenset({"awareness", "livelihood", "criminal_justice_capacity"})


def pattern_fields(ctx: Context, pattern: Mapping[str, Any]) -> dict[str, Any]:
    addressing = ctx.components_of_pattern.get(pattern.get("id"), [])
    return {
        "prevention_components": sum(
            1
            for c in addressing
            if not survivor_focused(ctx, c)
            and (_PREVENTION & set(c.get("strategies") or []) or c.get("type") in _PREVENTION_TYPES)
        ),
        "context_only": not addressing and _responses_scoped_out(ctx, pattern) and any(
            ctx.components_of_pattern.get(other) for other in ctx.patterns
        ),
        "recruitment_missing": _parts_missing(pattern, "recruitment", ("how", "by_whom", "where")),
        "movement_missing": _parts_missing(pattern, "movement", ("how", "by_whom", "from", "to")),
        "enabling_analysed_elsewhere": _enabling_analysed_elsewhere(ctx, pattern),
    }


def _enabling_analysed_elsewhere(ctx: Context, pattern: Mapping[str, Any]) -> bool:
    """Another pattern of the programme lists enabling factors, and this one names the
    crime-prevention responses considered for it: the designers have done the analysis ICAT
    asks for, on the pattern they work on most, and thought about this one's responses."""
    responses = _mapping(pattern.get("responses_considered"))
    if not any(is_present(value) for value in responses.values()):
        return False
    return any(
        other is not pattern and other.get("enabling_factors")
        for other in ctx.patterns.values()
    )


def _parts_missing(item: Mapping[str, Any], block: str, parts: tuple[str, ...]) -> list[str]:
    """`block.part` for each part the item's block does not give (as the lens left it)."""
    given = _mapping(item.get(block))
    return [f"{block}.{part}" for part in parts if not is_present(given.get(part))]


def _responses_scoped_out(ctx: Context, pattern: Mapping[str, Any]) -> bool:
    """Whether the proposal says, with a reason that holds, that no crime-prevention response
    to the pattern is relevant: it does not act on the pattern."""
    return any(
        note.kind == "not_relevant" and note.holds and note.field == "responses_considered"
        for note in ctx.reading.notes_of(f"pattern:{pattern.get('id')}")
    )


def risk_fields(ctx: Context, risk: Mapping[str, Any]) -> dict[str, Any]:
    return {"to_participants": ctx.reader.check("risk_to_participants", risk.get("text"))}


# --- helpers ----------------------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _dicts(items: Any) -> Iterable[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _amount(line: Mapping[str, Any]) -> float:
    amount = line.get("amount")
    return float(amount) if isinstance(amount, (int, float)) else 0.0


# --- cross-cutting concerns (issue 14) ----------------------------------------------------------
#
# The results chain, risks and do-no-harm, data protection, safeguarding, participation, gender
# and age, sustainability, coordination, proportionality, and the national plan's cycle. Each
# field is computed from structured answers (and the existing content checks reduction_claim,
# risk_to_participants and mentions_children), only for the entities whose rules read it.

_PEOPLE_CATEGORIES = frozenset(
    {"reach", "satisfaction", "knowledge_attitude_change", "retention", "behaviour_change"}
)
_PEOPLE_KINDS = frozenset({"victims", "potential_victims", "communities"})
_CHANGE_LEVELS = frozenset({"outcome", "impact"})
_COMPARING_APPROACHES = frozenset({"experimental", "quasi_experimental", "contribution_analysis"})
_DATA_PARTS = ("consent", "access_control", "sharing", "retention")
_PARTICIPATION_PARTS = ("design", "governance", "mel")
_PLAN_AREAS = ("prevention", "protection", "prosecution", "enabling_framework")
_PLAN_CYCLE = {"monitoring": "by", "review": "by", "evaluation": "by", "reporting": "to"}
_REPORTING_POINTS = frozenset({"public_reporting", "self_identification"})
_EVALUATIONS = ("baseline_study", "mid_term", "final", "impact_study", "final_review")
# ctreview's judgement: below these amounts per person served (in USD, at the rough rates of
# reviewer/data/currencies.json), individual support cannot be what the design describes.
COST_FLOOR_USD = {"victim_support": 200, "livelihood": 100}

_CROSSCUTTING_FIELDS: dict[str, dict[str, Derived]] = {
    "programme": {
        "goal_claims_reduction": Derived(
            _BOOLEAN,
            "The goal claims less trafficking or exploitation (content check reduction_claim).",
            ("theory_of_change.goal",),
            checks=("reduction_claim",),
        ),
        "contribution_stated": Derived(
            _BOOLEAN,
            "The theory of change says how the programme's contribution will be judged, or the "
            "evaluation names a comparison or contribution method.",
            ("theory_of_change.contribution", "mel.evaluation.approach",
             "mel.evaluation.comparison"),
        ),
        "assumption_links_missing": Derived(
            _LIST,
            "Links of the results chain (output: output to outcome; outcome: outcome to impact) "
            "with no assumption at that level or of a kind that concerns that link, where some "
            "assumption states its level.",
            ("theory_of_change.assumptions",),
        ),
        "works_with_participants": Derived(
            _BOOLEAN,
            "It works directly with victims, callers or children: a victims group, a group that "
            "includes children, a support or identification component, or a campaign that asks "
            "people to report.",
            checks=("mentions_children",),
        ),
        "participant_risks": Derived(
            _NUMBER, "Risks of harm to the people the programme works with.",
            ("theory_of_change.risks",),
            checks=("risk_to_participants",),
        ),
        "victim_data_components": Derived(
            _LIST,
            "Components that handle victims' or callers' personal data: support that delivers "
            "services (case files) and identification work (hotline records, screening "
            "interviews, reviews of victims' accounts).",
        ),
        "data_protection_missing": Derived(
            _LIST,
            "Parts of data protection not stated: consent, access_control, sharing, retention "
            "(all four when there is no data_protection block).",
            ("data_protection",),
        ),
        "victim_data_protection_named": Derived(
            _BOOLEAN,
            "Some text of a component that handles victims' data, or some risk mitigation, "
            "names how their privacy is protected (consent, confidentiality, private "
            "interviews, anonymity, restricted access, ...; content check "
            "data_protection_named). Read only where there is no data_protection block.",
            ("components", "theory_of_change.risks"),
            checks=("data_protection_named",),
        ),
        "research_with_victims": Derived(
            _BOOLEAN,
            "Victims are a target group and a study or evaluation is planned, so victims will "
            "be interviewed or their records studied.",
        ),
        "children_components": Derived(
            _LIST,
            "Components that work with children (see the component's serves_children).",
            checks=("mentions_children",),
        ),
        "children_components_unprotected": Derived(
            _LIST,
            "Components that work with children outside the child protection system: all but "
            "support components that state their link to it.",
            checks=("mentions_children",),
        ),
        "survivor_participation_missing": Derived(
            _LIST,
            "Where survivors take no stated part: design, governance, mel (all three when there "
            "is no survivor_participation block).",
            ("survivor_participation",),
        ),
        "victim_groups": Derived(
            _LIST,
            "Groups the victims of its patterns belong to (union of the patterns' victim_profile).",
            ("trafficking_patterns",),
        ),
        "people_sexes": Derived(
            _LIST,
            "Sexes (female, male) of the people its indicators count: its patterns' victims, "
            "narrowed to whom its services are open to where every component is victim support "
            "and each that delivers services states open_to.",
            ("trafficking_patterns", "components[].victim_support.open_to"),
        ),
        "people_indicators": Derived(
            _LIST,
            "Quantitative indicators that count people (counts: people, or, where counts is not "
            "given, reach, satisfaction, knowledge, retention or behaviour indicators) in work "
            "with victims, potential victims or communities.",
            ("mel.indicators",),
            checks=("delivery_count",),
        ),
        "people_indicators_by_sex": Derived(
            _NUMBER,
            "People-level indicators disaggregated by sex.",
            ("mel.indicators",),
            checks=("delivery_count",),
        ),
        "people_indicators_undisaggregated": Derived(
            _LIST,
            "People-level indicators not disaggregated by both sex and age (by age alone where "
            "the people counted are of one sex, see people_sexes).",
            ("mel.indicators",),
            checks=("delivery_count",),
        ),
        "percentages_without_denominator": Derived(
            _LIST,
            "Outcome and impact indicators measured as a percentage that name no denominator.",
            ("mel.indicators",),
        ),
        "service_components": Derived(
            _LIST,
            "Components that run a service people rely on: support delivering services, or "
            "identification run through public or self-reporting (a hotline).",
        ),
        "services_without_handover": Derived(
            _LIST,
            "Service components that sustainability.handover does not cover.",
            ("sustainability",),
        ),
        "handover_undated": Derived(
            _LIST, "Service components whose handover has no date.", ("sustainability.handover",)
        ),
    },
    "target_group": {
        "behaviour_measured": Derived(
            _BOOLEAN,
            "Some component that serves the group has an outcome or impact indicator, or one of "
            "behaviour change, retention or impact (as its text supports).",
            checks=("delivery_count",),
        ),
    },
    "component": {
        "outputs_only": Derived(
            _BOOLEAN,
            "Its indicators are all at output level (as their texts support) while the "
            "programme measures outcomes or impact elsewhere.",
            checks=("delivery_count",),
        ),
        "serves_children": Derived(
            _BOOLEAN,
            "It works with children: a target group that includes them, support that serves "
            "them, or outreach to children at risk.",
            checks=("mentions_children",),
        ),
        "post_grant_funding": Derived(
            FieldSpec("string", values=("named", "none")),
            "For a service in sustainability.handover: whether a source pays for it after the "
            "grant (named) or none does (none).",
            ("sustainability.handover",),
        ),
        "groups_left_out": Derived(
            _LIST,
            "Groups its patterns' victims belong to (victim_profile) that no support "
            "component for those patterns is open to.",
            ("victim_support.open_to",),
        ),
        "assistance_waits_for_identification": Derived(
            _BOOLEAN,
            "Assistance starts no sooner than the formal identification decision takes "
            "(days_to_assistance against the programme's days_to_decision), and that decision "
            "takes more than a week.",
            ("victim_support.days_to_assistance",),
        ),
        "people_served": Derived(
            _NUMBER,
            "People its support reaches: the size of its client groups (victims; for livelihoods "
            "also potential victims) that only components of its type serve, or else the "
            "largest numeric reach target of an indicator measuring it alone.",
        ),
        "cost_per_person": Derived(
            _NUMBER, "Its budget per person served, in the proposal's currency."
        ),
        "cost_per_person_usd": Derived(
            _NUMBER, "The same in US dollars at rough rates (reviewer/data/currencies.json)."
        ),
        "cost_per_person_low": Derived(
            _BOOLEAN,
            "Its budget per person served is below what individual support costs at the least "
            f"(ctreview's judgement: USD {COST_FLOOR_USD['victim_support']} for victim "
            f"support, USD {COST_FLOOR_USD['livelihood']} for livelihoods).",
        ),
        "plan_areas_missing": Derived(
            _LIST,
            "Areas of a national response (ICMPD 2021) the plan's areas_covered leaves out.",
            ("national_action_plan.areas_covered",),
        ),
        "plan_scope_missing": Derived(
            _LIST,
            "Parts of the plan's scope not stated: areas_covered, timeframe.",
            ("national_action_plan.areas_covered", "national_action_plan.timeframe"),
        ),
        "plan_cycle_missing": Derived(
            _LIST,
            "Steps of the plan's cycle (monitoring, review, evaluation, reporting) with no body "
            "named to carry them out.",
            ("national_action_plan.monitoring", "national_action_plan.review",
             "national_action_plan.evaluation", "national_action_plan.reporting"),
        ),
        "plan_activities_output_only": Derived(
            _BOOLEAN,
            "Every plan activity that states its result level is at output level (two or more).",
            ("national_action_plan.activities",),
        ),
    },
    "indicator": {
        "follow_up_point_count": Derived(
            _NUMBER,
            "Points at which the measure is repeated (follow_up_points, or 1 for a lone "
            "follow_up_months).",
            ("follow_up_points", "follow_up_months"),
        ),
    },
}
for _entity, _fields in _CROSSCUTTING_FIELDS.items():
    CONTENT_FIELDS.setdefault(_entity, {}).update(_fields)


def crosscutting_programme_fields(ctx: Context) -> dict[str, Any]:
    data, reader = ctx.data, ctx.reader
    toc = _mapping(data.get("theory_of_change"))
    groups = list(ctx.groups.values())
    kinds = {g.get("kind") for g in groups}
    children = [c for c in ctx.components if serves_children(ctx, c)]
    people = _people_indicators(ctx)
    sexes = people_sexes(ctx)
    # by age alone where the people counted are of one sex (fishers who are all men): a
    # breakdown by sex would then say nothing
    breakdown = {"sex", "age"} if len(sexes) != 1 else {"age"}
    services = [c for c in ctx.components if runs_service(c)]
    victim_data = [c for c in ctx.components if _handles_victim_data(c)]
    handed = _handover_by_component(data)
    return {
        "goal_claims_reduction": reader.check("reduction_claim", toc.get("goal")),
        "contribution_stated": programme_compares(data),
        "assumption_links_missing": _assumption_links_missing(toc),
        "works_with_participants": _works_with_participants(ctx, kinds),
        "participant_risks": sum(
            1 for risk in _dicts(toc.get("risks"))
            if reader.check("risk_to_participants", risk.get("text"))
        ),
        "victim_data_components": _ids(victim_data),
        "data_protection_missing": _missing_parts(data.get("data_protection"), _DATA_PARTS),
        "victim_data_protection_named": (
            None if data.get("data_protection") else _data_protection_named(ctx, victim_data, toc)
        ),
        "research_with_victims": "victims" in kinds and _evaluation_planned(data),
        "children_components": _ids(children),
        "children_components_unprotected": _ids(
            c for c in children if not _inside_child_protection(c)
        ),
        "survivor_participation_missing": _missing_parts(
            data.get("survivor_participation"), _PARTICIPATION_PARTS
        ),
        "victim_groups": sorted(
            {str(g) for p in ctx.patterns.values() for g in p.get("victim_profile") or []}
        ),
        "people_sexes": sexes,
        "people_indicators": _ids(people),
        "people_indicators_by_sex": sum(1 for i in people if "sex" in _disaggregation(i)),
        "people_indicators_undisaggregated": _ids(
            i for i in people if not breakdown <= _disaggregation(i)
        ),
        "percentages_without_denominator": _ids(
            i for i in ctx.indicators
            if i.get("measure") == "percentage"
            and i.get("level") in _CHANGE_LEVELS
            and not i.get("denominator")
        ),
        "service_components": _ids(services),
        "services_without_handover": _ids(c for c in services if c.get("id") not in handed),
        "handover_undated": _ids(
            c for c in services
            if c.get("id") in handed and not any(h.get("handover_date") for h in handed[c["id"]])
        ),
    }


def programme_compares(data: Mapping[str, Any]) -> bool:
    """The programme says how its contribution to less trafficking will be judged: a
    contribution statement, a comparing evaluation approach, or a named comparison."""
    toc = _mapping(data.get("theory_of_change"))
    evaluation = _mapping(_mapping(data.get("mel")).get("evaluation"))
    return bool(
        toc.get("contribution")
        or evaluation.get("approach") in _COMPARING_APPROACHES
        or evaluation.get("comparison")
    )


def _assumption_links_missing(toc: Mapping[str, Any]) -> list[str]:
    """The links no assumption covers, by its level or by its kind: ICAT's three unsupported
    beliefs say which link they concern (awareness into behaviour and training into practice
    turn outputs into outcomes; less trafficking here meaning less overall turns outcomes into
    impact), whatever level a designer wrote for them."""
    assumptions = list(_dicts(toc.get("assumptions")))
    levels = {a.get("level") for a in assumptions if a.get("level")}
    if not levels:
        return []
    links = levels | {_LINK_OF_KIND.get(a.get("kind")) for a in assumptions}
    return [level for level in ("output", "outcome") if level not in links]


_LINK_OF_KIND = {
    "awareness_to_behaviour": "output",
    "training_to_practice": "output",
    "local_to_overall": "outcome",
}


def _works_with_participants(ctx: Context, kinds: set[Any]) -> bool:
    if "victims" in kinds:
        return True
    if any(serves_children(ctx, c) for c in ctx.components):
        return True
    return any(
        c.get("type") in ("victim_support", "victim_identification")
        or _mapping(c.get("awareness")).get("objective") == "promote_reporting"
        for c in ctx.components
    )


def _data_protection_named(
    ctx: Context, components: list[dict[str, Any]], toc: Mapping[str, Any]
) -> bool:
    """Whether the proposal says, anywhere in the components that record people's data or
    in a risk's mitigation, how their privacy is protected: a design without the
    data_protection block may still have thought about it."""
    if not components:
        return False
    place = answer_tree().children["components"].items
    texts = [t for c in components for t in _answers_in(c, place)] if place else []
    texts += [str(risk.get("mitigation")) for risk in _dicts(toc.get("risks"))]
    return any(ctx.reader.check("data_protection_named", text) for text in texts if text)


def _answers_in(node: Any, place: AnswerField) -> list[str]:
    """The free-text answers a piece of the proposal holds, at any depth, titles included;
    not its ids, dates and vocabulary values, which name no measure (and were most of the
    texts a component holds)."""
    if isinstance(node, str):
        return [node] if place.answer else []
    if isinstance(node, Mapping):
        children = place.children
        return [
            text
            for key, value in node.items()
            if key in children
            for text in _answers_in(value, children[key])
        ]
    if isinstance(node, list) and place.items is not None:
        return [text for value in node for text in _answers_in(value, place.items)]
    return []


def _handles_victim_data(component: Mapping[str, Any]) -> bool:
    if component.get("type") == "victim_identification":
        return True
    return component.get("type") == "victim_support" and delivers_services(component)


def delivers_services(component: Mapping[str, Any]) -> bool:
    kinds = _mapping(component.get("victim_support")).get("activity_kinds") or []
    return not kinds or "direct_services" in kinds


def runs_service(component: Mapping[str, Any]) -> bool:
    """A service people rely on day to day: support delivered to victims, or identification
    people reach by reporting themselves or others (a hotline, a reporting line)."""
    if component.get("type") == "victim_support":
        return delivers_services(component)
    if component.get("type") == "victim_identification":
        points = _mapping(component.get("victim_identification")).get("opportunity_points") or []
        return bool(_REPORTING_POINTS & set(points))
    return False


def _evaluation_planned(data: Mapping[str, Any]) -> bool:
    evaluation = _mapping(_mapping(data.get("mel")).get("evaluation"))
    return any(evaluation.get(key) is True for key in _EVALUATIONS)


def serves_children(ctx: Context, component: Mapping[str, Any]) -> bool:
    memo = ctx.memo.setdefault("serves_children", {})
    key = component.get("id")
    if key not in memo:
        groups = [ctx.groups.get(g) or {} for g in component.get("target_groups") or []]
        support = _mapping(component.get("victim_support"))
        points = _mapping(component.get("victim_identification")).get("opportunity_points") or []
        memo[key] = (
            _mapping(support.get("children")).get("served") is True
            or "child_outreach" in points
            or any(_group_includes_children(ctx, g) for g in groups)
        )
    return bool(memo[key])


# Groups of people at work: officials, providers, firms. Their members are adults whatever
# their titles name ("police women and children's desks", "child protection officers").
_PROFESSIONAL_KINDS = frozenset(
    {"criminal_justice_respondents", "policymakers", "service_providers", "businesses"}
)


def _group_includes_children(ctx: Context, group: Mapping[str, Any]) -> bool:
    if group.get("kind") in _PROFESSIONAL_KINDS:
        return False
    described = joined([group.get("name"), group.get("description")], ". ")
    people = joined([described, *(group.get("segments") or [])], "; ")
    return ctx.reader.check("mentions_children", people)


def _inside_child_protection(component: Mapping[str, Any]) -> bool:
    children = _mapping(_mapping(component.get("victim_support")).get("children"))
    return component.get("type") == "victim_support" and bool(
        children.get("child_protection_link")
    )


def _missing_parts(block: Any, parts: Sequence[str]) -> list[str]:
    block = _mapping(block)
    return [part for part in parts if not block.get(part)]


def _people_indicators(ctx: Context) -> list[dict[str, Any]]:
    serving = {
        c.get("id")
        for c in ctx.components
        if _PEOPLE_KINDS & {_kind_of(ctx, g) for g in c.get("target_groups") or []}
    }
    return [
        i for i in ctx.indicators
        if i.get("measure") in ("unit", "percentage")
        and _counts_people(ctx, i)
        and serving & set(i.get("components") or [])
    ]


def _kind_of(ctx: Context, group_id: Any) -> Any:
    return (ctx.groups.get(group_id) or {}).get("kind")


def _counts_people(ctx: Context, indicator: Mapping[str, Any]) -> bool:
    """What the indicator says it counts, or else what its category suggests."""
    if indicator.get("counts"):
        return indicator.get("counts") == "people"
    return effective_label(indicator, ctx.reader)[1] in _PEOPLE_CATEGORIES


_FEMALE, _MALE = frozenset({"women", "girls"}), frozenset({"men", "boys"})


def people_sexes(ctx: Context) -> list[str]:
    """The sexes ('female', 'male') of the people the programme's indicators count: those of
    its patterns' victims, narrowed to the groups its services are open to where support is
    all it does (every component victim support, each that delivers services stating
    `open_to`): a programme for men returned from scam compounds counts men, whoever else its
    patterns harm."""
    groups = {g for p in ctx.patterns.values() for g in p.get("victim_profile") or []}
    if all(c.get("type") == "victim_support" for c in ctx.components):
        services = [_mapping(c.get("victim_support")) for c in ctx.components
                    if delivers_services(c)]
        if services and all(s.get("open_to") for s in services):
            groups &= {g for s in services for g in s["open_to"]}
    return [name for name, sex in (("female", _FEMALE), ("male", _MALE)) if groups & sex]




def _disaggregation(indicator: Mapping[str, Any]) -> set[Any]:
    return set(indicator.get("disaggregation") or [])


def _handover_by_component(data: Mapping[str, Any]) -> dict[Any, list[dict[str, Any]]]:
    found: dict[Any, list[dict[str, Any]]] = {}
    for entry in _dicts(_mapping(data.get("sustainability")).get("handover")):
        found.setdefault(entry.get("component"), []).append(entry)
    return found


def _ids(items: Iterable[Mapping[str, Any]]) -> list[str]:
    return [str(item.get("id")) for item in items]


def behaviour_measured(ctx: Context, group: Mapping[str, Any]) -> bool:
    for component in ctx.components_of_group.get(group.get("id"), []):
        for indicator in ctx.indicators_of.get(component.get("id"), []):
            level, category = effective_label(indicator, ctx.reader)
            if level in _CHANGE_LEVELS or category in _BEHAVIOUR_CATEGORIES:
                return True
    return False


def crosscutting_component_fields(ctx: Context, component: Mapping[str, Any]) -> dict[str, Any]:
    kind = component.get("type")
    fields: dict[str, Any] = {
        "outputs_only": _outputs_only(ctx, component),
        "serves_children": serves_children(ctx, component),
    }
    if runs_service(component):
        fields["post_grant_funding"] = _post_grant_funding(ctx.data, component)
    if kind == "victim_support":
        fields["groups_left_out"] = _groups_left_out(ctx, component)
        fields["assistance_waits_for_identification"] = _waits_for_identification(
            ctx, component
        )
    if kind in COST_FLOOR_USD:
        fields.update(_cost_per_person(ctx, component))
    if kind == "national_action_plan":
        fields.update(_plan_cycle_fields(component))
    return fields


def _outputs_only(ctx: Context, component: Mapping[str, Any]) -> bool:
    linked = ctx.indicators_of.get(component.get("id"), [])
    levels = {effective_label(i, ctx.reader)[0] for i in linked} - {None}
    if levels != {"output"}:
        return False
    memo = ctx.memo
    if "programme_changes" not in memo:
        memo["programme_changes"] = any(
            effective_label(i, ctx.reader)[0] in _CHANGE_LEVELS for i in ctx.indicators
        )
    return bool(memo["programme_changes"])


def _post_grant_funding(data: Mapping[str, Any], component: Mapping[str, Any]) -> str | None:
    entries = _handover_by_component(data).get(component.get("id"))
    if not entries:
        return None
    sources = {s for e in entries for s in e.get("funded_by") or []} - {"none"}
    return "named" if sources or any(e.get("funding_source") for e in entries) else "none"


def _groups_left_out(ctx: Context, component: Mapping[str, Any]) -> list[str]:
    """Who the victims of its patterns are, less who support for those patterns is open to
    (phased or parallel support components count together, as in group_services)."""
    if not _mapping(component.get("victim_support")).get("open_to"):
        return []
    patterns = set(component.get("patterns") or [])
    profile = {
        g for p in patterns for g in (ctx.patterns.get(p) or {}).get("victim_profile") or []
    }
    open_to: set[str] = set()
    for sibling in ctx.components:
        shared = patterns & set(sibling.get("patterns") or [])
        if sibling.get("type") == "victim_support" and shared:
            open_to |= set(_mapping(sibling.get("victim_support")).get("open_to") or [])
    return sorted(str(g) for g in profile - open_to)


# A formal decision taken within a week (a labour inspectorate's rescue decided the same day)
# leaves no one waiting for help in the sense CETS 197 art. 10 and 12 guard against: there the
# conclusive decision takes weeks or months (ctreview's judgement of where the line falls).
_PROMPT_DECISION_DAYS = 7


def _waits_for_identification(ctx: Context, component: Mapping[str, Any]) -> bool:
    """Assistance starts no sooner than the quickest formal identification decision, and that
    decision takes more than a week."""
    days = _mapping(component.get("victim_support")).get("days_to_assistance")
    decisions = [
        _mapping(c.get("victim_identification")).get("days_to_decision")
        for c in ctx.components
        if c.get("type") == "victim_identification"
    ]
    decisions = [d for d in decisions if isinstance(d, int) and d > 0]
    return (
        isinstance(days, int)
        and bool(decisions)
        and days >= min(decisions) > _PROMPT_DECISION_DAYS
    )


def _cost_per_person(ctx: Context, component: Mapping[str, Any]) -> dict[str, Any]:
    """Budget per person served, where both are known (livelihood and support components)."""
    if component.get("type") == "victim_support" and not delivers_services(component):
        return {}
    people = _people_served(ctx, component)
    lines = ctx.lines_of.get(component.get("id"), [])
    budget = sum(_amount(b) / max(len(b.get("components") or []), 1) for b in lines)
    if not people or budget <= 0:
        return {}
    cost = round(budget / people, 2)
    fields: dict[str, Any] = {"people_served": people, "cost_per_person": cost}
    rate = usd_rate(_mapping(ctx.data.get("budget")).get("currency"))
    if rate is not None:
        usd = round(cost * rate, 2)
        fields["cost_per_person_usd"] = usd
        fields["cost_per_person_low"] = usd < COST_FLOOR_USD[str(component.get("type"))]
    return fields


_CLIENT_KINDS = {
    "victim_support": frozenset({"victims"}),
    "livelihood": frozenset({"victims", "potential_victims"}),
}


def _people_served(ctx: Context, component: Mapping[str, Any]) -> int:
    """The component's own clients: the sizes of its client groups that only components of its
    type serve (a group that awareness or identification work also reaches is a population,
    of which support serves a part), or else the largest numeric reach target of an indicator
    that measures it alone."""
    kind = component.get("type")
    sizes = [
        group.get("size")
        for ident in component.get("target_groups") or []
        if (group := ctx.groups.get(ident) or {}).get("kind") in _CLIENT_KINDS[str(kind)]
        and all(c.get("type") == kind for c in ctx.components_of_group.get(ident, []))
    ]
    if any(isinstance(size, int) and size > 0 for size in sizes):
        return sum(size for size in sizes if isinstance(size, int))
    targets = [
        t.get("value")
        for i in ctx.indicators_of.get(component.get("id"), [])
        if i.get("category") == "reach" and i.get("measure") == "unit"
        and len(i.get("components") or []) == 1
        for t in _dicts(i.get("targets"))
    ]
    return int(max((t for t in targets if isinstance(t, (int, float))), default=0))


def usd_rate(currency: Any) -> float | None:
    """US dollars per unit of the currency, roughly (None for a currency not in the table)."""
    return _rates().get(str(currency)) if currency else None


@cache
def _rates() -> dict[str, float]:
    path = Path(__file__).parent / "data" / "currencies.json"
    table = json.loads(path.read_text("utf-8"))["usd_per_unit"]
    return {code: float(rate) for code, rate in table.items()}


def _plan_cycle_fields(component: Mapping[str, Any]) -> dict[str, Any]:
    plan = _mapping(component.get("national_action_plan"))
    areas = plan.get("areas_covered") or []
    activities = _dicts(plan.get("activities"))
    levels = [a.get("result_level") for a in activities if a.get("result_level")]
    return {
        "plan_areas_missing": [a for a in _PLAN_AREAS if a not in areas] if areas else [],
        "plan_scope_missing": [
            name for name, stated in (
                ("areas_covered", bool(areas)),
                ("timeframe", bool(_mapping(plan.get("timeframe")).get("end_year"))),
            ) if not stated
        ],
        "plan_cycle_missing": [
            step for step, who in _PLAN_CYCLE.items() if not _mapping(plan.get(step)).get(who)
        ],
        "plan_activities_output_only": len(levels) >= 2 and set(levels) == {"output"},
    }


def follow_up_months_of(indicator: Mapping[str, Any]) -> list[int]:
    """Every month at which the measure is repeated (follow_up_points and follow_up_months)."""
    points = [p for p in indicator.get("follow_up_points") or [] if isinstance(p, int)]
    single = indicator.get("follow_up_months")
    if isinstance(single, int) and single not in points:
        points.append(single)
    return sorted(points)
