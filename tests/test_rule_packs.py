"""Rule packs: validated on load with file/line/rule, extra packs via --rules, examples as tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer.cli import cli
from reviewer.examples import run_examples
from reviewer.knowledge import bundled_knowledge
from reviewer.review import Reviewer
from reviewer.rules import Rule, RuleError, load_catalogue

GOOD_RULE = """\
rules:
  - id: FUN-001
    title: Programme without a summary
    severity: warning
    applies_to: programme
    when: {field: summary, missing: true}
    message: "Programme '{label}' has no summary."
    rationale: Funders read the summary first.
    icat: [ICAT-1.Q1]
    questions: [ICAT-1.Q1]
    indicators: [IND-3-01]
    fix: Add a summary.
    examples:
      fail:
        - {}
      pass:
        - {summary: A short description}
"""


def pack(tmp_path: Path, text: str, name: str = "funder.yaml") -> Path:
    directory = tmp_path / "pack"
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")
    return directory


def load(directory: Path):
    return load_catalogue([directory], bundled_knowledge())


def test_a_valid_pack_loads(tmp_path):
    catalogue = load(pack(tmp_path, GOOD_RULE))
    rule = catalogue.get("FUN-001")
    assert rule is not None and rule.severity == "warning" and rule.line == 2
    assert rule.sections == ("1",)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    fix: Add a summary.\n", "    fixx: Add a summary.\n", "unknown key 'fixx'"),
        ("severity: warning", "severity: fatal", "severity 'fatal' must be one of"),
        ("applies_to: programme", "applies_to: project", "applies_to 'project' must be one of"),
        ("field: summary,", "field: sumary,", "did you mean 'summary'"),
        ("missing: true}", "mising: true}", "did you mean 'missing'"),
        ("icat: [ICAT-1.Q1]", "icat: [ICAT-1.Q99]", "unknown reference 'ICAT-1.Q99'"),
        ("questions: [ICAT-1.Q1]", "questions: [ICAT-1.L1]", "unknown reference 'ICAT-1.L1'"),
        ("indicators: [IND-3-01]", "indicators: [IND-3-99]", "unknown reference 'IND-3-99'"),
        ("has no summary.", "has no {sumary}.", "unknown placeholder {sumary}"),
        ("id: FUN-001", "id: fun1", "must look like ABC-001"),
        ("    rationale: Funders read the summary first.\n", "", "missing key 'rationale'"),
    ],
)
def test_rule_problems_name_file_line_and_rule(tmp_path, old, new, expected):
    assert old in GOOD_RULE
    directory = pack(tmp_path, GOOD_RULE.replace(old, new))
    with pytest.raises(RuleError) as caught:
        load(directory)
    problem = caught.value.problems[0]
    assert problem.startswith(f"{directory / 'funder.yaml'}:2:5: rule ")
    assert expected in problem


def test_duplicate_rule_ids_across_files_are_refused(tmp_path):
    directory = pack(tmp_path, GOOD_RULE)
    pack(tmp_path, GOOD_RULE, name="again.yaml")
    with pytest.raises(RuleError, match="duplicate rule id"):
        load(directory)


def test_malformed_rule_file_is_reported_not_raised(tmp_path):
    with pytest.raises(RuleError, match="funder.yaml:1:1: a rule file is a mapping"):
        load(pack(tmp_path, "- just a list\n"))
    with pytest.raises(RuleError, match=r"funder.yaml:3:1: invalid YAML"):
        load(pack(tmp_path, "rules:\n  - id: [unclosed\n"))


def test_extra_pack_adds_rules_and_its_examples_run(tmp_path):
    reviewer = Reviewer([pack(tmp_path, GOOD_RULE)])
    results = run_examples(reviewer, {"FUN-001"})
    assert [(r.kind, r.ok) for r in results] == [("fail", True), ("pass", True)]


def test_examples_that_do_not_hold_are_reported(tmp_path):
    wrong = GOOD_RULE.replace("- {summary: A short description}", "- {}")
    reviewer = Reviewer([pack(tmp_path, wrong)])
    results = {r.kind: r for r in run_examples(reviewer, {"FUN-001"})}
    assert not results["pass"].ok
    assert results["pass"].detail == "expected no finding; the rule fired"


def test_invalid_example_snippet_is_reported(tmp_path):
    wrong = GOOD_RULE.replace("- {}", "- {colour: red}")
    reviewer = Reviewer([pack(tmp_path, wrong)])
    results = {r.kind: r for r in run_examples(reviewer, {"FUN-001"})}
    assert not results["fail"].ok
    assert "unknown key 'colour'" in results["fail"].detail


def test_bundled_rule_examples_all_hold():
    """The test suite runs `ctreview test-rules` over the bundled catalogue."""
    result = CliRunner().invoke(cli, ["test-rules"])
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.output


def test_every_bundled_rule_has_fail_and_pass_examples_and_references():
    reviewer = Reviewer()
    assert len(reviewer.catalogue.rules) >= 150
    for rule in reviewer.catalogue.rules:
        assert rule.examples_fail and rule.examples_pass, rule.id
        assert rule.icat and rule.fix and rule.rationale, rule.id


def test_cli_rules_and_explain(tmp_path):
    runner = CliRunner()
    listing = runner.invoke(cli, ["rules", "--rules", str(pack(tmp_path, GOOD_RULE))])
    assert listing.exit_code == 0
    assert "FUN-001" in listing.output and "ICAT-1.Q1" in listing.output
    explained = runner.invoke(cli, ["explain", "SUP-001"])
    assert explained.exit_code == 0
    for heading in (
        "Why it matters",
        "ICAT references",
        "Questions to revisit",
        "How to fix",
        "Example that triggers it",
        "Example that passes",
    ):
        assert heading in explained.output
    unknown = runner.invoke(cli, ["explain", "SUP-0001"])
    assert unknown.exit_code == 2 and "did you mean SUP-001?" in unknown.output


def test_bad_rule_pack_on_the_command_line_exits_2(tmp_path):
    directory = pack(tmp_path, GOOD_RULE.replace("severity: warning", "severity: fatal"))
    result = CliRunner().invoke(
        cli, ["check", "samples/awareness-et.yaml", "--rules", str(directory)]
    )
    assert result.exit_code == 2
    assert "cannot load the rules" in result.output
    assert "Traceback" not in result.output


def test_message_lists_read_as_words():
    rule = Rule(
        id="X-001",
        title="t",
        severity="info",
        applies_to="programme",
        when={},
        message="uncovered: {areas}; title {label}; {absent}",
        rationale="r",
        icat=("ICAT-1.Q4",),
    )
    assert rule.render_message({"areas": ["a", "b"], "label": "P"}) == "uncovered: a, b; title P; "


def test_a_condition_too_large_for_the_engine_is_refused_when_loading(tmp_path):
    alternatives = "\n".join(
        f"          - any: [{{field: summary, equals: a{i}}}, {{field: title, equals: b{i}}}]"
        for i in range(12)
    )
    big = GOOD_RULE.replace(
        "    when: {field: summary, missing: true}\n",
        f"    when:\n      all:\n{alternatives}\n",
    )
    with pytest.raises(RuleError, match="rule FUN-001: when: condition too large"):
        load(pack(tmp_path, big))
