"""Every derived field that a content check can change says so (`Derived.checks`).

The precision policy (a rule above info reads only checks that reach the floors, see
test_content_checks.py) knows which checks a rule reads only through the `checks` its derived
fields declare. A field that a check decides without declaring it lets a rule warn on a check
under the floors unseen, as XCT-006 and XCT-012 did. So each check is forced to answer yes, then
no, on every sample, and any derived field whose value moves must name that check. (The text
lens's own checks, non_answer and boilerplate, take answers out before facts are built, which
moves presence fields; they are measured as the lens and left out here.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reviewer import checks
from reviewer.facts import DERIVED_FIELDS, build_facts
from reviewer.lens import read_proposal
from reviewer.lexicon import bundled_lexicons
from reviewer.loader import load_document
from reviewer.schema import validate_with_data

REPO = Path(__file__).resolve().parent.parent
_LENS_CHECKS = frozenset({"non_answer", "boilerplate"})


def _facts(data: Any) -> dict[str, dict[str, Any]]:
    lexicons = bundled_lexicons()
    return {fact.key: fact.fields for fact in build_facts(data, read_proposal(data, lexicons))}


@pytest.fixture(scope="module")
def sample_data() -> list[Any]:
    found = []
    for path in sorted((REPO / "samples").glob("*.yaml")):
        problems, data = validate_with_data(load_document(path))
        assert not problems, path
        found.append(data)
    return found


def test_every_derived_field_a_check_moves_declares_the_check(
    sample_data: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = checks.TextReader.check
    undeclared: set[str] = set()
    moved: set[str] = set()
    for data in sample_data:
        base = _facts(data)
        for name in sorted(set(checks.CHECKS) - _LENS_CHECKS):
            for forced in (True, False):

                def check(self: Any, asked: str, text: str | None, _forced: bool = forced,
                          _name: str = name) -> bool:
                    return _forced if asked == _name and text else answer(self, asked, text)

                monkeypatch.setattr(checks.TextReader, "check", check)
                facts = _facts(data)
                monkeypatch.setattr(checks.TextReader, "check", answer)
                for key, fields in facts.items():
                    entity = key.split(":", 1)[0]
                    for field in set(fields) | set(base.get(key, {})):
                        spec = DERIVED_FIELDS[entity].get(field)
                        if spec is None or fields.get(field) == base[key].get(field):
                            continue
                        moved.add(f"{entity}.{field}")
                        if name not in spec.checks:
                            undeclared.add(f"{entity}.{field} (moved by {name})")
    assert undeclared == set(), "derived fields that do not declare the check deciding them"
    assert {"programme.goal_claims_reduction", "programme.participant_risks"} <= moved
