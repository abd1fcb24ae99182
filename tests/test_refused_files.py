"""A file that could not be reviewed shows in every report format, and no verdict reads "ready".

CI trusts the machine-readable reports, not only the exit code: a proposal that fails to load or
validate must not vanish from them (GitHub code scanning would close its open alerts, a JUnit
view would show nothing, the GitHub log would say "ready").
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from report_fixtures import SARIF_SCHEMA
from robustness_helpers import SAMPLES, TODAY, invoke, one_reviewer

from reviewer.report import FORMATS

pytestmark = pytest.mark.usefixtures(one_reviewer.__name__)

REPO = Path(__file__).resolve().parent.parent
REPORT_SCHEMA = json.loads((REPO / "reviewer/schemas/report.schema.json").read_text())
GOOD = next(p for p in SAMPLES if p.name == "awareness-et.yaml")
BROKEN_YAML = "ctreview: proposal/v1\nid: broken\ntitle: [unclosed\n"
NOT_THE_FORMAT = "ctreview: proposal/v1\nid: 5\n"


@pytest.fixture
def refused(tmp_path: Path) -> dict[str, Path]:
    """Three files that cannot be reviewed, for three reasons: YAML, format, no such file."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN_YAML, encoding="utf-8")
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text(NOT_THE_FORMAT, encoding="utf-8")
    return {"broken": broken, "invalid": invalid, "missing": tmp_path / "missing.yaml"}


def _run(fmt: str, *paths: Path) -> str:
    result = invoke("check", "--no-config", "--today", TODAY, *paths, "-f", fmt)
    assert result.exit_code == 2, result.output
    return result.stdout


# "ready" as a verdict or a dimension's level ("not ready" is what a refused file may get).
READY = r"(?i)(?<!not )\bready\b"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_names_every_refused_file_and_never_says_ready(fmt, refused) -> None:
    output = _run(fmt, *refused.values())
    for path in refused.values():
        assert path.name in output, f"{fmt} does not mention {path.name}"
    assert not re.search(READY, output), f"{fmt} reads as ready"
    assert "No findings" not in output


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_refused_file_next_to_a_good_one_is_still_reported(fmt, refused) -> None:
    output = _run(fmt, refused["broken"], GOOD)
    assert "broken.yaml" in output and "awareness-et.yaml" in output
    assert not re.search(READY, output)


def test_sarif_has_an_input_error_result_and_a_tool_notification(refused) -> None:
    log = json.loads(_run("sarif", refused["broken"], refused["missing"], GOOD))
    if SARIF_SCHEMA.is_file():
        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        jsonschema.validators.validator_for(schema)(schema).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    errors = [r for r in run["results"] if r["ruleId"] == "input-error"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in errors} == {
        refused["broken"].as_uri(),
        refused["missing"].as_uri(),
    }
    assert all(r["level"] == "error" for r in errors)
    assert all(rules[r["ruleIndex"]]["id"] == "input-error" for r in errors)
    region = next(r for r in errors if "broken" in str(r))["locations"][0]["physicalLocation"]
    assert region["region"]["startLine"] == 4, "the YAML error is located"
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert len(notes) == 2 and all(n["level"] == "error" for n in notes)
    assert any(r["ruleId"] != "input-error" for r in run["results"]), "the good file's findings"


def test_sarif_of_a_clean_run_says_the_execution_succeeded() -> None:
    run = json.loads(_run_ok("sarif", GOOD))["runs"][0]
    assert run["invocations"] == [{"executionSuccessful": True}]


def _run_ok(fmt: str, *paths: Path) -> str:
    result = invoke("check", "--no-config", "--today", TODAY, *paths, "-f", fmt)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_junit_has_a_failing_test_case_per_refused_file(refused) -> None:
    root = ET.fromstring(_run("junit", refused["broken"], refused["invalid"], GOOD))
    suites = {Path(s.get("name")).name: s for s in root}
    for name in ("broken.yaml", "invalid.yaml"):
        suite = suites[name]
        assert (suite.get("tests"), suite.get("failures")) == ("1", "1")
        failure = suite.find("testcase/failure")
        assert failure is not None and failure.get("type") == "input-error"
    assert "expected text, found the number 5" in ET.tostring(suites["invalid.yaml"], "unicode")
    total_failures = sum(int(s.get("failures")) for s in root)
    assert int(root.get("failures")) == total_failures >= 2


def test_github_has_an_error_annotation_per_problem(refused) -> None:
    lines = _run("github", refused["broken"], refused["invalid"], refused["missing"]).splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 4  # one YAML problem, two format problems, one missing file
    assert any("broken.yaml,line=4,col=1" in line for line in errors)
    missing = next(line for line in errors if "missing.yaml" in line)
    assert ",line=" not in missing, "a file-level problem has no line"
    assert lines[-1] == "ctreview: 3 files could not be reviewed"


def test_json_lists_refused_files_with_their_problems(refused) -> None:
    report = json.loads(_run("json", refused["invalid"], GOOD))
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    assert report["summary"]["not_reviewed"] == 1
    assert report["summary"]["verdict"].startswith("1 file could not be reviewed; the others: ")
    # Proposals are listed by path, so which comes first depends on where the checkout lies.
    by_name = {Path(p["file"]).name: p for p in report["proposals"]}
    invalid, good = by_name["invalid.yaml"], by_name[GOOD.name]
    assert invalid["reviewed"] is False and good["reviewed"] is True
    assert [(e["line"], e["column"], e["yaml_path"]) for e in invalid["input_errors"]] == [
        (1, 1, ""),
        (2, 5, "id"),
    ]
    assert invalid["findings"] == [] and invalid["verdict"].startswith("not reviewed")


def test_markdown_and_html_say_why_the_file_was_not_reviewed(refused) -> None:
    markdown = _run("markdown", refused["broken"])
    assert "**Verdict: not reviewed: 1 problem to fix first.**" in markdown
    assert '### <a id="p1-refusals"></a>Why it could not be reviewed' in markdown
    assert "**line 4, column 1**" in markdown
    html = _run("html", refused["broken"])
    assert '<h3><a id="p1-refusals"></a>Why it could not be reviewed</h3>' in html


def test_text_lists_the_problems_under_the_file(refused) -> None:
    text = _run("text", refused["invalid"])
    expected = "invalid.yaml\n  1:1  error    missing required key 'title'  input-error\n"
    assert expected in text
    assert text.rstrip().endswith("1 file could not be reviewed")


def test_the_summary_counts_findings_and_refusals_together(refused) -> None:
    text = _run("text", refused["broken"], GOOD)
    summary = next(line for line in text.splitlines() if "could not be reviewed" in line)
    assert summary.startswith("1 file could not be reviewed; ") and "findings" in summary


def test_refused_files_are_in_files_written_with_output(refused, tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    result = invoke("check", "--no-config", refused["broken"], "-o", f"sarif={target}")
    assert result.exit_code == 2
    results = json.loads(target.read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["input-error"]


def test_gitlab_has_a_blocker_issue_per_problem(refused) -> None:
    issues = json.loads(_run("gitlab", refused["broken"], refused["invalid"], GOOD))
    blockers = [i for i in issues if i["check_name"] == "input-error"]
    assert [
        (Path(i["location"]["path"]).name, i["location"]["lines"]["begin"]) for i in blockers
    ] == [
        ("broken.yaml", 4),
        ("invalid.yaml", 1),
        ("invalid.yaml", 2),
    ]
    assert all(i["severity"] == "blocker" for i in blockers)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert len(issues) > len(blockers), "the good file's findings"
