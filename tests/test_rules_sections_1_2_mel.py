"""ICAT sections 1-2 and MEL rules (GEN-, MAP-, MEL-) against the samples: silent on
well-designed proposals, and every flaw a sample carries on purpose in sections 1-2 is caught by
a rule that cites it. Also checks that these rule files paraphrase rather than copy ICAT."""

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from reviewer.review import Reviewer

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
RULE_FILES = [REPO / "rules" / name for name in ("general.yaml", "mapping.yaml", "mel.yaml")]
ICAT_TEXT = REPO.parent / "shared" / "seeds" / "004_96a8170c6adf34c9.txt"
PREFIXES = ("GEN-", "MAP-", "MEL-")
SECTIONS = ("ICAT-1.", "ICAT-2.")

def expected(name: str) -> dict:
    return YAML(typ="safe").load((SAMPLES / "expected" / f"{name}.yaml").read_text())


def sample_names(*designs: str) -> list[str]:
    return sorted(p.stem for p in SAMPLES.glob("*.yaml") if expected(p.stem)["design"] in designs)


@pytest.fixture(scope="module")
def reviewer() -> Reviewer:
    return Reviewer()


def findings(reviewer: Reviewer, name: str) -> list:
    review = reviewer.review_file(SAMPLES / f"{name}.yaml")
    assert review.ok, review.problems
    return review.findings


@pytest.mark.parametrize("name", sample_names("well"))
def test_well_designed_samples_get_no_finding(reviewer, name):
    mine = [(f.rule_id, f.item) for f in findings(reviewer, name) if f.rule_id.startswith(PREFIXES)]
    assert mine == []


@pytest.mark.parametrize("name", sample_names("flawed", "mixed"))
def test_every_intended_flaw_in_sections_1_2_is_caught(reviewer, name):
    found = findings(reviewer, name)
    cited = {ref for f in found for ref in f.rule.icat}
    flaws = [ref for ref in expected(name)["flaws"] if ref.startswith(SECTIONS)]
    missed = [ref for ref in flaws if not any(c == ref or c.startswith(ref + ".") for c in cited)]
    assert missed == []


def test_supply_side_only_prevention_is_flagged_once_per_programme(reviewer):
    for name in ("livelihoods-np", "prevention-package-vn"):
        hits = [f for f in findings(reviewer, name) if f.rule_id == "MAP-016"]
        assert [(f.entity, f.item) for f in hits] == [("programme", "")]


# -- paraphrase check ---------------------------------------------------------------------

RUN = 8


def word_runs(text: str) -> set[tuple[str, ...]]:
    tokens = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(tokens[i : i + RUN]) for i in range(len(tokens) - RUN + 1)}


def texts(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [t for value in node.values() for t in texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in texts(value)]
    return []


@pytest.mark.skipif(not ICAT_TEXT.exists(), reason="ICAT source text not available")
@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_rule_files_copy_no_eight_word_run_from_icat(path):
    source = word_runs(ICAT_TEXT.read_text(encoding="utf-8"))
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    copied = [" ".join(run) for text in texts(data) for run in word_runs(text) & source]
    assert copied == []
