"""`ctreview init`: a commented skeleton that is a valid draft and covers the whole format."""

from __future__ import annotations

from click.testing import CliRunner

from reviewer.cli import cli
from reviewer.loader import load_document, load_text
from reviewer.scaffold import COMPONENT_TYPES, fill_interactively, render, skeleton
from reviewer.schema import proposal_schema, validate


def test_skeleton_is_a_valid_proposal_with_every_component_type():
    text = render(skeleton("demo", COMPONENT_TYPES))
    doc = load_text(text, "demo.yaml")
    assert validate(doc) == []
    types = [c["type"] for c in doc.data["components"]]
    assert types == list(COMPONENT_TYPES)
    for component in doc.data["components"]:
        blocks = set(component) & set(COMPONENT_TYPES)
        assert blocks == ({component["type"]} - {"other"})


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
