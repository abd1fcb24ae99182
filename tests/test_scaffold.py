"""`ctreview init`: a commented skeleton that is a valid draft and covers the whole format."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from reviewer.cli import cli
from reviewer.loader import load_document, load_text
from reviewer.scaffold import (
    COMPONENT_TYPES,
    fill_interactively,
    proposal_id,
    render,
    skeleton,
)
from reviewer.schema import proposal_schema, validate


def test_skeleton_is_a_valid_proposal_with_every_component_type():
    text = render(skeleton("demo", COMPONENT_TYPES))
    doc = load_text(text, "demo.yaml")
    assert validate(doc) == []
    types = [c["type"] for c in doc.data["components"]]
    assert types == list(COMPONENT_TYPES)
    for component in doc.data["components"]:
        blocks = set(component) & set(COMPONENT_TYPES)
        assert blocks == {component["type"]}  # the block of its own type, other included


def test_skeleton_explains_fields_with_icat_references():
    text = render(skeleton("demo", ["awareness"]))
    assert (
        "      # The specific action the target group should take (ICAT 3 Q2).\n"
        "      # [ICAT-3.Q2, ICAT-3.L2.b]\n"
        "      desired_action:\n"
    ) in text
    top_level = proposal_schema()["properties"]
    for key in top_level:
        assert f"\n{key}:" in text, key


def test_init_refuses_to_overwrite(tmp_path):
    target = tmp_path / "p.yaml"
    target.write_text("precious: true\n")
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert target.read_text() == "precious: true\n"


def test_init_writes_a_skeleton_that_checks(tmp_path):
    target = tmp_path / "hotline.yaml"
    result = CliRunner().invoke(
        cli, ["init", str(target), "--type", "awareness", "--type", "victim_identification"]
    )
    assert result.exit_code == 0, result.output
    doc = load_document(target)
    assert validate(doc) == []
    assert doc.data["id"] == "hotline"


def test_interactive_answers_land_in_the_right_fields():
    answers = {
        "Programme title": "Safe journeys",
        "What should the audience do differently": "Check the recruiter's licence",
        "How long will reintegration be followed up": "24",
    }

    def ask(question: str, default: str) -> str:
        return next((a for q, a in answers.items() if q in question), default)

    tree = fill_interactively(skeleton("x", ["awareness", "victim_support"]), ask)
    doc = load_text(render(tree))
    assert validate(doc) == []
    assert doc.data["title"] == "Safe journeys"
    assert (
        doc.data["components"][0]["awareness"]["desired_action"] == "Check the recruiter's licence"
    )
    assert doc.data["components"][1]["victim_support"]["reintegration_monitoring_months"] == 24


def test_interactive_cli_prompts(tmp_path):
    target = tmp_path / "p.yaml"
    answers = "My programme\nMy NGO\n\n\n\nCall the hotline\n\n"
    result = CliRunner().invoke(
        cli, ["init", str(target), "-i", "--type", "awareness"], input=answers
    )
    assert result.exit_code == 0, result.output
    data = load_document(target).data
    assert data["organisation"] == "My NGO"
    assert data["components"][0]["awareness"]["desired_action"] == "Call the hotline"


# --- names `check` would refuse -------------------------------------------------------------------

NAMES = [
    "my proposal!.yaml",
    "prévention-2027.yaml",
    "-draft.yaml",
    "日本.yaml",
    ".hidden.yaml",
    "x" * 120 + ".yaml",
    "a b.c d.yaml",
    "___.yaml",
    "proposal.v2.yml",
]


@pytest.mark.parametrize("name", NAMES)
def test_init_makes_an_id_its_own_check_accepts(name: str, tmp_path) -> None:
    """The id is made from the file name; a name that is no id is converted (with a note),
    so that `ctreview check` reviews the skeleton instead of refusing it."""
    target = tmp_path / name
    result = CliRunner().invoke(cli, ["init", "--", str(target)])
    assert result.exit_code == 0, result.output
    checked = CliRunner().invoke(cli, ["check", "--no-config", "--", str(target)])
    assert checked.exit_code in (0, 1), checked.output
    ident = load_document(target).data["id"]
    assert re.fullmatch(proposal_schema()["$defs"]["id"]["pattern"], ident), ident
    if ident != target.stem:
        assert f"note: the proposal id is '{ident}', made from the file name" in result.stderr


def test_proposal_ids_keep_what_they_can() -> None:
    assert proposal_id("my proposal!") == "my-proposal"
    assert proposal_id("prévention-2027") == "prevention-2027"
    assert proposal_id("日本") == "proposal"
    assert proposal_id("hotline") == "hotline"
    assert len(proposal_id("x" * 200)) == 64


def test_the_hint_is_a_command_that_works(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["init", "--", "-my draft.yaml"])
    assert result.exit_code == 0, result.output
    assert "run `ctreview check './-my draft.yaml'`" in result.stdout


def test_interactive_numbers_are_ascii_digits_only() -> None:
    answers = {"How long will reintegration be followed up": "²"}

    def ask(question: str, default: str) -> str:
        return next((a for q, a in answers.items() if q in question), default)

    tree = fill_interactively(skeleton("x", ["victim_support"]), ask)
    months = tree["components"][0]["victim_support"]["reintegration_monitoring_months"]
    assert months == "²", "kept as text (the format then says it wants a number)"


def test_init_never_writes_through_a_dangling_link(tmp_path) -> None:
    target = tmp_path / "p.yaml"
    target.symlink_to(tmp_path / "elsewhere.yaml")
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 2 and "already exists" in result.output
    assert not (tmp_path / "elsewhere.yaml").exists()
