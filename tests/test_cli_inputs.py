"""What `ctreview check` accepts, as ESLint, ruff and yamllint users expect: files, folders,
globs and `-`; proposals recognised by their marker; output in file, line, column order."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer.cli import cli
from reviewer.report import FORMATS

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
WITH_ERRORS = "shelter-closed-my.yaml"
ONLY_WARNINGS = "child-protection-ug.yaml"
CLEAN = "hotline-campaign-kh-th.yaml"


pytestmark = pytest.mark.usefixtures("cli_shares_reviewer")


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A repository with proposals next to a configuration, a workflow and other YAML."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "proposals" / "2027").mkdir(parents=True)
    shutil.copy(SAMPLES / WITH_ERRORS, tmp_path / "proposals" / WITH_ERRORS)
    shutil.copy(SAMPLES / ONLY_WARNINGS, tmp_path / "proposals" / "2027" / ONLY_WARNINGS)
    (tmp_path / "proposals" / ".ctreview.yaml").write_text("fail_on: error\n", "utf-8")
    (tmp_path / "proposals" / "budget-notes.yaml").write_text("lines: [1, 2]\n", "utf-8")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, ["check", *args], input=stdin, catch_exceptions=False)


def reviewed_files(result) -> list[str]:
    return [p["file"] for p in json.loads(result.stdout)["proposals"]]


def test_a_folder_is_searched_for_proposals_and_other_yaml_is_counted(repo):
    result = check("proposals", "-f", "json")
    assert reviewed_files(result) == [
        f"proposals/2027/{ONLY_WARNINGS}",
        f"proposals/{WITH_ERRORS}",
    ]
    assert "skipped 1 file without the `ctreview:` marker" in result.stderr
    assert result.exit_code == 1


def test_quoted_globs_are_expanded_with_double_star_and_filtered_by_the_marker(repo):
    result = check("proposals/**/*.yaml", "-f", "json")
    assert reviewed_files(result) == [
        f"proposals/2027/{ONLY_WARNINGS}",
        f"proposals/{WITH_ERRORS}",
    ]
    assert "skipped 1 file" in result.stderr  # budget-notes.yaml; .ctreview.yaml is hidden


def test_a_glob_that_matches_nothing_is_an_input_error_and_the_rest_is_still_reviewed(repo):
    result = check("proposals/*.yml", f"proposals/2027/{ONLY_WARNINGS}")
    assert result.exit_code == 2
    assert "proposals/*.yml: no file matches this pattern" in result.stderr
    assert "SUP-007" in result.stdout


def test_a_folder_without_proposals_is_a_usage_error(repo):
    (repo / "empty").mkdir()
    result = check("empty")
    assert result.exit_code == 2 and "no proposal found" in result.stderr


def test_named_files_are_reviewed_whatever_they_hold_unless_proposals_only(repo):
    named = check("proposals/budget-notes.yaml")
    assert named.exit_code == 2 and "missing required key 'ctreview'" in named.stderr
    only = check("--proposals-only", "proposals/budget-notes.yaml", "proposals/.ctreview.yaml")
    assert only.exit_code == 0, only.output
    assert "no proposal found" in only.stderr and "skipped 2 files" in only.stderr
    mixed = check("--proposals-only", "-f", "json", "proposals/budget-notes.yaml",
                  f"proposals/{WITH_ERRORS}")
    assert reviewed_files(mixed) == [f"proposals/{WITH_ERRORS}"] and mixed.exit_code == 1


def test_standard_input_is_a_proposal_named_by_stdin_filename(repo):
    text = (SAMPLES / WITH_ERRORS).read_text(encoding="utf-8")
    plain = check("-", "-f", "json", stdin=text)
    assert reviewed_files(plain) == ["<stdin>"] and plain.exit_code == 1
    named = check("-", "--stdin-filename", "proposals/draft.yaml", "-f", "json", stdin=text)
    assert reviewed_files(named) == ["proposals/draft.yaml"]
    broken = check("-", stdin="ctreview: [\n")
    assert broken.exit_code == 2 and "<stdin>:2:1" in broken.stderr
    assert check("-", "-", stdin=text).exit_code == 2
    assert check(f"proposals/{WITH_ERRORS}", "--stdin-filename", "x.yaml").exit_code == 2


def test_standard_input_is_judged_by_the_configuration_of_its_name(repo):
    (repo / "drafts").mkdir()
    (repo / "drafts" / ".ctreview.yml").write_text("fail_on: never\n", "utf-8")
    text = (SAMPLES / WITH_ERRORS).read_text(encoding="utf-8")
    assert check("-", "--stdin-filename", "drafts/p.yaml", stdin=text).exit_code == 0
    assert check("-", "--stdin-filename", "proposals/p.yaml", stdin=text).exit_code == 1


def test_dot_ctreview_yml_is_read_and_two_spellings_in_one_folder_are_an_error(repo):
    proposal = f"proposals/{WITH_ERRORS}"
    (repo / "proposals" / ".ctreview.yaml").unlink()
    (repo / "proposals" / ".ctreview.yml").write_text("fail_on: never\n", "utf-8")
    assert check(proposal).exit_code == 0
    (repo / "proposals" / ".ctreview.yaml").write_text("fail_on: error\n", "utf-8")
    both = check(proposal)
    assert both.exit_code == 2
    assert ".ctreview.yml is in the same folder" in both.stderr


def test_text_output_is_sorted_by_file_line_and_column(repo):
    result = check("proposals", f"proposals/2027/{ONLY_WARNINGS}")
    blocks: dict[str, list[tuple[int, int]]] = {}
    for line in result.stdout.splitlines():
        if line.startswith("proposals/"):
            current = blocks.setdefault(line, [])
        elif line.startswith("  "):
            current.append(tuple(int(n) for n in line.split()[0].split(":")))
    assert list(blocks) == sorted(blocks) and len(blocks) == 2
    for positions in blocks.values():
        assert positions == sorted(positions) and len(positions) > 1


def test_quiet_on_a_file_with_only_warnings_does_not_say_no_findings(repo):
    result = check("-q", f"proposals/2027/{ONLY_WARNINGS}")
    assert result.exit_code == 0
    summary = result.stdout.splitlines()[-1]
    assert "No findings" not in result.stdout
    assert summary.startswith("No errors; 4 warnings and 15 notes not shown")
    github = check("-q", "-f", "github", f"proposals/2027/{ONLY_WARNINGS}")
    assert github.stdout == "ctreview: no errors; 4 warnings and 15 notes not shown\n"


def test_help_lists_the_format_choices():
    result = CliRunner().invoke(cli, ["check", "--help"])
    assert "[" + "|".join(FORMATS) + "]" in result.output.replace("\n", "").replace(" ", "")
    assert "gitlab" in FORMATS
    bad = CliRunner().invoke(cli, ["check", "--format", "pdf", "x.yaml"])
    assert bad.exit_code == 2 and "'pdf' is not one of" in bad.output
