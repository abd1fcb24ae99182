"""Hollow out a proposal: keep its structure, replace its substance (the expert audit's test).

`hollow(data)` returns a copy in which every free-text answer becomes a placeholder or an
admission, desired behaviours and actions become states of knowledge, output indicators are
relabelled as behaviour-change outcomes and count delivery, every assumption claims to be
verified on stale opinion, the displacement analysis denies the question, targets move past
the programme's end and the budget total no longer matches its lines. A reviewer must never
judge the result better than the original (tests/test_hollowing.py).
"""

from __future__ import annotations

import copy
from itertools import cycle
from typing import Any

from reviewer.lens import AnswerField, answer_tree

PLACEHOLDERS = ("N/A", "TBD", "Not considered.", "To be determined", "None.", "Not addressed.")
KNOWLEDGE = "Be aware of the dangers of human trafficking and understand their rights"
DELIVERY = "Number of people trained and materials distributed"
_KEEP = {"id", "ctreview", "title", "name", "organisation", "language", "text", "description",
         "source", "period", "value"}


def hollow(data: dict[str, Any]) -> dict[str, Any]:
    hollowed = copy.deepcopy(data)
    words = cycle(PLACEHOLDERS)
    _replace_answers(hollowed, answer_tree(), words, top=True)
    for group in hollowed.get("target_groups") or []:
        group["desired_behaviour"] = KNOWLEDGE
    for component in hollowed.get("components") or []:
        if component.get("type") == "awareness":
            component.setdefault("awareness", {})["desired_action"] = KNOWLEDGE
    _hollow_theory(hollowed)
    _hollow_indicators(hollowed)
    _skew_budget(hollowed)
    return hollowed


def _replace_answers(node: Any, place: AnswerField, words: cycle, top: bool = False) -> None:
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        child = place.children.get(key)
        if child is None or (top and key == "waivers") or key in _KEEP:
            continue
        if isinstance(value, str) and child.answer:
            node[key] = next(words)
        elif isinstance(value, dict):
            _replace_answers(value, child, words)
        elif isinstance(value, list) and child.items is not None:
            for item in value:
                _replace_answers(item, child.items, words)


def _hollow_theory(data: dict[str, Any]) -> None:
    toc = data.setdefault("theory_of_change", {})
    toc.setdefault("displacement", {})["analysis"] = "Not applicable; no displacement is expected."
    for assumption in toc.get("assumptions") or []:
        assumption["status"] = "verified"
        assumption["evidence"] = [{"source": "Staff experience", "year": 1998,
                                   "kind": "expert_opinion"}]
        assumption.pop("test", None)


def _hollow_indicators(data: dict[str, Any]) -> None:
    indicators = (data.get("mel") or {}).get("indicators") or []
    for indicator in indicators:
        indicator["targets"] = [{"period": 2045, "value": "increase"}]
        if indicator.get("level") == "output":
            indicator.update(text=DELIVERY, level="outcome", category="behaviour_change")


def _skew_budget(data: dict[str, Any]) -> None:
    lines = data.get("budget_lines") or []
    total = sum(line.get("amount", 0) for line in lines if isinstance(line, dict))
    data.setdefault("budget", {})["total"] = total * 3 + 7
