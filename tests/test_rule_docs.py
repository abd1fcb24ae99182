"""A documentation page per rule: generated, current, shipped in the wheel, linked from reports
(SARIF helpUri, text) and printed by `ctreview explain`."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_fixtures import context, hostile_review

from reviewer import cli as cli_module
from reviewer import doc_links
from reviewer.cli import cli
from reviewer.paths import data_dir
from reviewer.report import render
from reviewer.review import Reviewer
from reviewer.rule_docs import INDEX, rule_documents, rule_markdown

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


pytestmark = pytest.mark.usefixtures("cli_shares_reviewer")


@pytest.fixture
def reviewer(cli_shares_reviewer, monkeypatch) -> Reviewer:
    monkeypatch.delenv(doc_links.DOCS_URL_VARIABLE, raising=False)
    return cli_shares_reviewer


def test_committed_rule_pages_are_current_and_complete(reviewer):
    generated = rule_documents(reviewer.catalogue, reviewer.knowledge)
    committed = {f"rules/{p.name}": p.read_text(encoding="utf-8") for p in DOCS.glob("rules/*.md")}
    assert sorted(committed) == sorted(generated), (
        "docs/rules/ does not match the rules: run `ctreview generate-docs` and commit"
    )
    stale = [name for name, text in generated.items() if committed[name] != text]
    assert not stale, f"out of date: {stale[:5]}; run `ctreview generate-docs` and commit"
    assert len(generated) == len(reviewer.catalogue.rules) + 1
    index = generated[INDEX]
    assert all(f"[{rule.id}]({rule.id}.md)" in index for rule in reviewer.catalogue.rules)


def test_a_page_says_why_what_to_revisit_and_how_to_fix(reviewer):
    rule = reviewer.catalogue.get("AWR-002")
    page = rule_markdown(rule, reviewer.knowledge)
    assert page.splitlines()[2] == "# AWR-002: Awareness raising without a desired action"
    for heading in ("Why it matters", "What it checks", "Basis", "Related questions",
                    "How to fix", "Example that triggers it", "Example that passes"):
        assert f"\n## {heading}\n" in page
    for ref in (*rule.icat, *rule.questions):
        assert f"- **{ref}** " in page
    assert "| Kind | presence |" in page and "| Basis | ICAT toolkit |" in page
    assert page.index("## What it checks") < page.index("## Related questions")


def test_new_optional_rule_keys_are_shown_not_dropped(reviewer):
    """The rule catalogue may grow keys (e.g. `reviewed:`): pages show them without a code
    change."""
    rule = reviewer.catalogue.get("AWR-002")
    Extended = dataclasses.make_dataclass(  # noqa: N806 - a class
        "Extended", [("reviewed", str, dataclasses.field(default=""))], bases=(type(rule),),
        frozen=True,
    )
    extended = Extended(**{f.name: getattr(rule, f.name) for f in dataclasses.fields(rule)},
                        reviewed="Evaluation synthesis, 2019")
    page = rule_markdown(extended, reviewer.knowledge)
    assert "## Other properties\n\n- **reviewed:** Evaluation synthesis, 2019\n" in page
    assert "## Other properties" not in rule_markdown(rule, reviewer.knowledge)


def test_explain_prints_the_page_and_where_it_is(reviewer):
    runner = CliRunner()
    markdown = runner.invoke(cli, ["explain", "awr-002", "--format", "markdown"])
    assert markdown.exit_code == 0
    assert markdown.output == (DOCS / "rules" / "AWR-002.md").read_text(encoding="utf-8")
    path = runner.invoke(cli, ["explain", "AWR-002", "--path"])
    assert Path(path.output.strip()).read_text(encoding="utf-8") == markdown.output
    text = runner.invoke(cli, ["explain", "AWR-002"]).output
    assert "online:  https://github.com/ctreview/ctreview/blob/main/docs/rules/AWR-002.md" in text
    assert f"offline: {path.output.strip()}" in text


def test_rules_from_other_directories_have_no_page_of_ours(tmp_path, reviewer):
    pack = tmp_path / "funder"
    pack.mkdir()
    rule = reviewer.catalogue.get("AWR-002")
    source = Path(rule.file).read_text(encoding="utf-8")
    # A funder's pack: the bundled awareness rules renamed to a prefix of their own.
    (pack / "own.yaml").write_text(source.replace("id: AWR-", "id: FUN-"), encoding="utf-8")
    runner = CliRunner()
    text = runner.invoke(cli, ["explain", "FUN-002", "--rules", str(pack)])
    assert text.exit_code == 0 and "Documentation page" not in text.output
    page = runner.invoke(cli, ["explain", "FUN-002", "--rules", str(pack), "-f", "markdown"])
    assert page.exit_code == 0 and page.output.startswith("<!-- Generated")
    assert runner.invoke(cli, ["explain", "FUN-002", "--rules", str(pack), "--path"]).exit_code == 2


def test_sarif_links_each_bundled_rule_to_its_page(reviewer, monkeypatch):
    findings = reviewer.review_file(ROOT / "samples" / "shelter-closed-my.yaml").findings
    review = dataclasses.replace(hostile_review(), findings=findings)
    rules = json.loads(render("sarif", [review], context()))["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(
        r["helpUri"] == f"{doc_links.REPOSITORY_URL}/blob/main/docs/rules/{r['id']}.md"
        for r in rules
    )
    fixture = json.loads(render("sarif", [hostile_review()], context()))
    assert all("helpUri" not in r for r in fixture["runs"][0]["tool"]["driver"]["rules"])
    monkeypatch.setenv(doc_links.DOCS_URL_VARIABLE, "https://docs.example.org/ctreview/")
    moved = json.loads(render("sarif", [review], context()))["runs"][0]["tool"]["driver"]["rules"]
    assert moved[0]["helpUri"] == f"https://docs.example.org/ctreview/rules/{moved[0]['id']}.md"


@pytest.mark.parametrize("value", ["javascript:alert(1)", "https://x.org/\x1b]8;;", "ftp://x"])
def test_a_docs_url_that_is_not_a_plain_web_address_is_refused(monkeypatch, capsys, value):
    monkeypatch.setenv(doc_links.DOCS_URL_VARIABLE, value)
    with pytest.raises(doc_links.DocsURLError):
        doc_links.docs_base_url()
    monkeypatch.setattr("sys.argv", ["ctreview", "explain", "AWR-002"])
    with pytest.raises(SystemExit) as done:
        cli_module.main()
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "CTREVIEW_DOCS_URL must be an http(s) URL" in err and "internal error" not in err


def test_the_wheel_ships_the_pages_where_the_package_reads_them():
    """pyproject's force-include puts docs/ pages at reviewer/_data/docs/, which data_dir reads."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert shipped["docs/rules"] == "reviewer/_data/docs/rules"
    assert shipped["docs/proposal-format.md"] == "reviewer/_data/docs/proposal-format.md"
    assert data_dir("docs") == DOCS  # in a checkout; installed: reviewer/_data/docs
    assert doc_links.doc_path("proposal-format.md") == DOCS / "proposal-format.md"
