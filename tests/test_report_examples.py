"""End to end: `ctreview check` writes every format for real samples, and the committed
examples in docs/examples/ are what the code writes today."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from report_fixtures import SARIF_SCHEMA, Page, assert_inert_html

from reviewer import cli as cli_module
from reviewer.cli import cli
from reviewer.report.examples import EXAMPLE_FILES, PORTFOLIO_FILES, SAMPLE, example_reports
from reviewer.review import Reviewer

ROOT = Path(__file__).resolve().parent.parent
REPORT_SCHEMA = json.loads((ROOT / "reviewer/schemas/report.schema.json").read_text())


@pytest.fixture(scope="module")
def reviewer() -> Reviewer:
    return Reviewer()


@pytest.fixture(autouse=True)
def shared_reviewer(reviewer, monkeypatch):
    """Compiling the rules is the slow part: the CLI runs below share one Reviewer."""
    monkeypatch.setattr(cli_module, "_reviewer", lambda dirs: reviewer)


def _check(*args: str):
    return CliRunner().invoke(cli, ["check", "--no-config", *args], catch_exceptions=False)


def test_committed_examples_are_current(reviewer):
    generated = example_reports(ROOT, reviewer)
    assert sorted(generated) == sorted(
        [f"{Path(SAMPLE).stem}.{s}" for s in EXAMPLE_FILES.values()]
        + [f"portfolio.{ext}" for ext in PORTFOLIO_FILES]
    )
    for name, content in generated.items():
        committed = (ROOT / "docs" / "examples" / name).read_text(encoding="utf-8")
        assert reviewer.catalogue.version not in content  # no digest: diffs show real changes
        assert committed == content, (
            f"docs/examples/{name} is out of date: regenerate it with "
            "reviewer.report.examples.write_example_reports and commit the result"
        )


def test_check_writes_every_format_for_a_sample_with_findings(reviewer, tmp_path):
    out = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "sarif", "html", "junit", "github")}
    options = [arg for fmt, path in out.items() for arg in ("-o", f"{fmt}={path}")]
    result = _check(SAMPLE, "-f", "markdown", *options)
    findings = reviewer.review_file(ROOT / SAMPLE).findings
    errors = {f.rule_id for f in findings if f.severity == "error"}
    assert result.exit_code == 1 and errors

    assert '### <a id="p1-questions"></a>Questions to revisit' in result.output
    report = json.loads(out["json"].read_text())
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    assert len(report["proposals"][0]["findings"]) == len(findings)

    page = Page()
    page.feed(out["html"].read_text())
    assert_inert_html(page)

    suite = ET.fromstring(out["junit"].read_text()).find("testsuite")
    assert suite is not None and suite.get("failures") == str(len(errors))
    assert suite.get("tests") == str(len(reviewer.catalogue.rules))

    annotations = out["github"].read_text().splitlines()[:-1]
    assert len(annotations) == len(findings)

    sarif = json.loads(out["sarif"].read_text())
    assert len(sarif["runs"][0]["results"]) == len(findings)
    if SARIF_SCHEMA.is_file():
        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        jsonschema.validators.validator_for(schema)(schema).validate(sarif)


def test_a_well_designed_sample_gets_a_positive_report(reviewer):
    sample = "samples/supply-chains-bd.yaml"
    assert not reviewer.review_file(ROOT / sample).findings
    result = _check(sample, "-f", "markdown")
    assert result.exit_code == 0
    assert "**Verdict: ready.**" in result.output
    assert "</a>Warnings" not in result.output
