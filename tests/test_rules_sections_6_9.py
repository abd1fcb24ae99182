"""ICAT sections 6-9 rules against the samples: silent on well-designed proposals, and every
flaw a sample carries on purpose in these sections is caught by a rule that cites it."""

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from reviewer.review import Reviewer

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
PREFIXES = ("CJC-", "IDN-", "SUP-", "NPA-")
SECTIONS = ("ICAT-6.", "ICAT-7.", "ICAT-8.", "ICAT-9.")

# Flaws written into free text that the format has no field to judge (see the rule files).
UNJUDGEABLE = {
    ("shelter-closed-my", "ICAT-8.Q1.f"): "services conditional on evidence, stated only in prose",
}


def expected(name: str) -> dict:
    return YAML(typ="safe").load((SAMPLES / "expected" / f"{name}.yaml").read_text())


def sample_names(design: str) -> list[str]:
    return sorted(p.stem for p in SAMPLES.glob("*.yaml") if expected(p.stem)["design"] == design)


@pytest.fixture(scope="module")
def reviewer() -> Reviewer:
    return Reviewer()


def my_findings(reviewer: Reviewer, name: str) -> list:
    review = reviewer.review_file(SAMPLES / f"{name}.yaml")
    assert review.ok, review.problems
    return [f for f in review.findings if f.rule_id.startswith(PREFIXES)]


@pytest.mark.parametrize("name", sample_names("well"))
def test_well_designed_samples_get_no_finding(reviewer, name):
    assert [(f.rule_id, f.item) for f in my_findings(reviewer, name)] == []


@pytest.mark.parametrize("name", sample_names("flawed") + sample_names("mixed"))
def test_every_intended_flaw_is_caught_by_a_rule_citing_it(reviewer, name):
    cited = {ref for f in my_findings(reviewer, name) for ref in f.rule.icat}
    flaws = [ref for ref in expected(name)["flaws"] if ref.startswith(SECTIONS)]
    missed = [
        ref
        for ref in flaws
        if (name, ref) not in UNJUDGEABLE
        and not any(c == ref or c.startswith(ref + ".") for c in cited)
    ]
    assert missed == []


def test_mixed_sample_gets_only_its_two_flaws(reviewer):
    found = {(f.rule_id, f.item) for f in my_findings(reviewer, "child-protection-ug")}
    assert found == {("SUP-007", "c-care"), ("SUP-013", "c-care")}
