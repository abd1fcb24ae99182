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
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from reviewer.checks import TextReader, joined
from reviewer.conditions import FieldSpec
from reviewer.lens import Reading, period, programme_months

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
    checks meet the precision policy (corpus.py)."""

    spec: FieldSpec
    meaning: str
    sources: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()


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
            "professionals serving them, or its livelihood beneficiaries are survivors).",
        ),
        "at_origin_only": Derived(
            _BOOLEAN,
            "Every pattern it addresses crosses a border to a destination that names none "
            "of the programme's countries: it works where victims return, not where they "
            "were exploited (and where proceedings would be).",
        ),
        "serves_foreign_victims": Derived(
            _BOOLEAN,
            "Some pattern it addresses crosses a border into a place the programme names: the "
            "victims it meets are foreigners there.",
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
        ),
        "serves_children_only": Derived(
            _BOOLEAN,
            "A support component every victim group of which is made up of children.",
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
        "network_reach_named": Derived(
            _BOOLEAN,
            "Its network targeting, activity kinds or activities name how it reaches "
            "organisers and networks (financial investigation, joint teams, owners, ...).",
            ("criminal_justice_capacity.network_targeting",),
            checks=("network_reach",),
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
        "group_services": Derived(
            _LIST,
            "Support services of every support component that serves one of its target "
            "groups (itself included): phased support counts as one package.",
            ("victim_support.services",),
        ),
    },
    "indicator": {
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
            "A unit or percentage indicator whose targets hold no number ('increase').",
            ("targets",),
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
            "Its text or methods name a comparison or contribution method.",
            checks=("comparison_method",),
        ),
    },
    "assumption": {
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
    },
    "risk": {
        "to_participants": Derived(
            _BOOLEAN,
            "The risk is one of harm to the people the programme works with.",
            checks=("risk_to_participants",),
        ),
    },
}


def sources_of(entity: str, name: str) -> tuple[str, ...]:
    found = CONTENT_FIELDS.get(entity, {}).get(name)
    return found.sources if found else ()


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
    }


def _budget_gap(data: Mapping[str, Any]) -> float | None:
    total = _mapping(data.get("budget")).get("total")
    lines = [_amount(line) for line in _dicts(data.get("budget_lines"))]
    if not isinstance(total, (int, float)) or total <= 0 or not lines:
        return None
    return round(abs(sum(lines) - total) * 100 / total, 2)


_DIMENSION_WORDS = {
    "territorial": ("place", "area", "district", "province", "village", "border", "route",
                    "region", "town", "city", "country", "elsewhere", "neighbouring", "port",
                    "crossing", "corridor", "commune"),
    "target": ("group", "women", "men", "children", "girls", "boys", "migrants", "people",
               "communities", "victims", "workers", "families", "crew", "nationalit",
               "neighbours", "relatives", "survivors", "employers", "factories"),
    "tactical": ("method", "online", "recruit", "tactic", "means", "deception", "social media",
                 "broker", "agent", "advert", "backdoor", "at sea", "transshipment"),
    "temporal": ("season", "time", "month", "year", "night", "harvest", "later", "period",
                 "longer", "peak", "festival", "holiday", "delay", "schedule"),
    "functional": ("other crime", "smuggling", "drug", "another form", "other form",
                   "different form", "labour exploitation", "sexual exploitation", "begging",
                   "other sector", "another sector", "switch", "shift to", "shifting to",
                   "vending", "transshipment", "other kinds of work", "other exploitation"),
}


def _undiscussed(
    displacement: Mapping[str, Any], data: Mapping[str, Any], reader: TextReader
) -> list[str]:
    """Displacement kinds listed as considered that none of the displacement texts touches on
    (words of the dimension, or the proposal's own regions for territorial)."""
    if not reader.available:
        return []
    text = " ".join(
        str(v) for k, v in displacement.items() if isinstance(v, str) and k != "types_considered"
    ).casefold()
    places = tuple(str(r).casefold() for r in data.get("regions") or [])
    missing = []
    for kind in displacement.get("types_considered") or []:
        words = _DIMENSION_WORDS.get(str(kind), ())
        if kind == "territorial":
            words = (*words, *places)
        if not any(word in text for word in words):
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
    return {
        "desired_behaviour_is_knowledge": reader.check(
            "knowledge_not_action", group.get("desired_behaviour")
        ),
        "generic": group.get("size") is None and reader.check("generic_group", described),
        "barriers_information_only": information_only(reader, group.get("barriers")),
        "includes_children": reader.check("mentions_children", people),
        "children_only": reader.check("children_only", people),
    }


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
    fields: dict[str, Any] = {
        "survivor_focused": survivor_focused(ctx, component),
        **_route_fields(ctx, component),
        "barriers_information_only": information_only(
            reader, _mapping(component.get(block)).get(key)
        ),
    }
    if kind == "other":
        fields["trains_justice_officials"] = reader.check("justice_training", texts)
        if fields["trains_justice_officials"]:
            fields["inferred_type"] = "criminal_justice_capacity"
    if kind == "awareness":
        fields["awareness.desired_action_is_knowledge"] = reader.check(
            "knowledge_not_action", _mapping(component.get("awareness")).get("desired_action")
        )
    if kind == "criminal_justice_capacity":
        fields.update(_justice_fields(ctx, component, texts))
    if kind == "victim_identification":
        fields["builds_referral_mechanism"] = _builds_mechanism(reader, component, texts)
    if kind == "national_action_plan":
        fields.update(_plan_fields(ctx, component, texts))
    if kind == "victim_support":
        support_kinds = _mapping(component.get("victim_support")).get("activity_kinds") or []
        fields["delivers_services"] = not support_kinds or "direct_services" in support_kinds
        fields["group_services"] = _group_services(ctx, component)
        fields["serves_children_only"] = _serves_children_only(ctx, component)
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


def survivor_focused(ctx: Context, component: Mapping[str, Any]) -> bool:
    """Work with trafficked persons (and those who serve them) only."""
    livelihood = _mapping(component.get("livelihood"))
    if livelihood.get("beneficiaries") == "trafficked_persons":
        return True
    kinds = {
        (ctx.groups.get(g) or {}).get("kind") for g in component.get("target_groups") or []
    }
    return "victims" in kinds and kinds <= _SERVING


def _route_fields(ctx: Context, component: Mapping[str, Any]) -> dict[str, bool]:
    """`at_origin_only`: the component works only where its patterns start (each crosses a
    border from a place the programme names, a country or region, to one it does not name).
    `serves_foreign_victims`: some pattern crosses a border into a place the programme names."""
    routes = _routes(ctx, component)
    return {
        "at_origin_only": bool(routes) and all(
            route is not None and route[0] and not route[1] for route in routes
        ),
        "serves_foreign_victims": any(route is not None and route[1] for route in routes),
    }


def _routes(ctx: Context, component: Mapping[str, Any]) -> list[tuple[bool, bool] | None]:
    """For each pattern the component addresses: (starts in a place the programme names,
    ends in one), or None where it is not a cross-border pattern with both ends written."""
    places = _places_pattern(tuple(_programme_places(ctx.data)))
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
    acts = [a.get("text") if isinstance(a, dict) else a for a in component.get("activities") or []]
    return joined([component.get("title"), component.get("description"), *acts])


def _serves_children_only(ctx: Context, component: Mapping[str, Any]) -> bool:
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
        "network_reach_named": network,
        "corruption_named": reader.check("corruption_named", _corruption_texts(ctx, component)),
    }


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
        if note.item == key and note.kind == "non_answer" and note.field.startswith(prefix)
    ]


def _group_services(ctx: Context, component: Mapping[str, Any]) -> list[str]:
    services: set[str] = set()
    for group in component.get("target_groups") or []:
        for sibling in ctx.components_of_group.get(group, []):
            if sibling.get("type") == "victim_support":
                services |= set(_mapping(sibling.get("victim_support")).get("services") or [])
    services |= set(_mapping(component.get("victim_support")).get("services") or [])
    return sorted(str(s) for s in services)


# --- indicators -------------------------------------------------------------------------------


def indicator_fields(ctx: Context, indicator: Mapping[str, Any]) -> dict[str, Any]:
    """Each check runs only where a rule can use it (a case count at impact level, testimony
    in support work, ...), which keeps the text lens's cost per proposal low."""
    reader = ctx.reader
    text = str(indicator.get("text") or "")
    methods = joined(indicator.get("methods") or [])
    with_methods = joined([text, methods], " | ")
    level, category = indicator.get("level"), indicator.get("category")
    kinds = {ctx.component_types.get(c) for c in indicator.get("components") or []}
    changes = level in ("outcome", "impact") or category in _BEHAVIOUR_CATEGORIES
    delivery = changes and reader.check("delivery_count", text)
    fields = {
        "counts_delivery": delivery,
        "label_contradicted": delivery,
        "follow_up_too_short": _follow_up_too_short(indicator, kinds),
        "targets_outside_period": _targets_outside(ctx.data, indicator),
        "targets_not_numeric": _targets_not_numeric(indicator),
        "percent_out_of_range": _percent_out_of_range(indicator),
        "baseline_after_first_target": _baseline_after_first_target(indicator),
        "baseline_study_funded": ctx.baseline_study_funded,
    }
    if changes:
        fields["methods_weak"] = reader.check("weak_method", methods)
        fields["counts_unvalidated_reports"] = reader.check("unvalidated_reports", with_methods)
    if level == "impact" or category == "impact":
        fields["counts_recorded_cases"] = reader.check("case_count", with_methods)
        fields["names_comparison"] = reader.check("comparison_method", with_methods)
    if "victim_support" in kinds:
        fields["rewards_cooperation"] = reader.check("rewards_cooperation", text)
    if "criminal_justice_capacity" in kinds and level != "output":
        fields["justice_count_without_role"] = reader.check("cj_count_without_role", text)
    return fields


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
    months = indicator.get("follow_up_months")
    if indicator.get("category") != "retention" or not isinstance(months, int):
        return False
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
    follow_up = indicator.get("follow_up_months")
    extra_years = (follow_up + 11) // 12 if isinstance(follow_up, int) else 0
    last = end.year + extra_years
    return [str(y) for y in target_years(indicator, start.year) if y < start.year or y > last]


def _targets_not_numeric(indicator: Mapping[str, Any]) -> bool:
    if indicator.get("measure") not in ("unit", "percentage"):
        return False
    values = [t.get("value") for t in _dicts(indicator.get("targets"))]
    return bool(values) and any(
        not isinstance(v, (int, float)) and not _DIGIT.search(str(v)) for v in values
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
    }


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
        )
    }


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


