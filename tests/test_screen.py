"""`ctreview screen`: finding proposals, error rows, parallel runs, written files."""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer import cli as cli_module
from reviewer.cli import cli
from reviewer.discovery import Discovery, find_proposals, has_marker
from reviewer.policy import Checker, RunOptions
from reviewer.review import Reviewer
from reviewer.screen import ScreenError, plan_tasks, summarise

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SMALL_SET = ("awareness-et", "hotline-campaign-kh-th", "npa-support-md")
NOT_A_PROPOSAL = "name: a CI workflow\non: [push]\njobs: {}\n"


@pytest.fixture(scope="module")
def reviewer() -> Reviewer:
    return Reviewer()


@pytest.fixture(autouse=True)
def shared_reviewer(reviewer, monkeypatch):
    """Compiling the rules is the slow part: one Reviewer for every command in this module
    (forked workers inherit it)."""
    monkeypatch.setattr(cli_module, "_reviewer", lambda dirs: Reviewer(dirs) if dirs else reviewer)


def run(*args: object):
    return CliRunner().invoke(cli, ["screen", *map(str, args)], catch_exceptions=False)


def copy_samples(folder: Path, names=SMALL_SET) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(SAMPLES / f"{name}.yaml", folder)) for name in names]


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- finding proposals ------------------------------------------------------------------------


def test_finds_proposals_recursively_and_counts_other_yaml(tmp_path):
    copy_samples(tmp_path / "call", SMALL_SET[:1])
    copy_samples(tmp_path / "call" / "round-2" / "late", SMALL_SET[1:])
    (tmp_path / "call" / "workflow.yml").write_text(NOT_A_PROPOSAL)
    (tmp_path / "call" / "round-2" / "notes.yaml").write_text("- just a list\n")
    (tmp_path / "call" / "README.md").write_text("ctreview: proposal/v1\n")  # not YAML by name
    copy_samples(tmp_path / "call" / ".drafts", SMALL_SET[:1])  # hidden folders are passed over

    found = find_proposals([str(tmp_path / "call")])

    names = [Path(p).relative_to(tmp_path / "call").as_posix() for p in found.proposals]
    assert names == sorted(
        ["awareness-et.yaml", *(f"round-2/late/{n}.yaml" for n in SMALL_SET[1:])]
    )
    assert [Path(p).name for p in found.skipped] == ["notes.yaml", "workflow.yml"]
    assert found.root == str(tmp_path / "call")


def test_named_files_are_filtered_by_the_marker_too_and_listed_once(tmp_path):
    (proposal,) = copy_samples(tmp_path, SMALL_SET[:1])
    other = tmp_path / "other.yaml"
    other.write_text(NOT_A_PROPOSAL)
    found = find_proposals([str(proposal), str(other), str(tmp_path)])
    assert found.proposals == (str(proposal),)
    assert found.skipped == (str(other),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# header comment\n\nctreview: proposal/v1\nid: x\n", True),
        ("\ufeffctreview: proposal/v1\n", True),
        ('"ctreview" : proposal/v1\n', True),
        ("id: x\nctreview:\n", True),
        ("# ctreview: proposal/v1\n", False),
        ("meta:\n  ctreview: proposal/v1\n", False),
        ("ctreviewer: 1\n", False),
        ("x" * 70_000 + "ctreview: proposal/v1\n", False),  # inside one long line
    ],
)
def test_the_marker_is_a_top_level_key_at_the_start_of_a_line(tmp_path, text, expected):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    assert has_marker(str(path)) is expected


def test_a_missing_path_is_kept_so_its_review_reports_it(tmp_path):
    assert has_marker(str(tmp_path / "absent.yaml"))


# --- the batch --------------------------------------------------------------------------------


def test_a_broken_file_becomes_an_error_row_and_exit_2_after_the_whole_batch(tmp_path):
    copy_samples(tmp_path)
    (tmp_path / "broken.yaml").write_text("ctreview: proposal/v1\ntitle: [unclosed\n")
    (tmp_path / "wrong.yaml").write_text("ctreview: proposal/v1\nid: 7\n")

    result = run(tmp_path, "--jobs", "1", "--out", tmp_path / "out")

    assert result.exit_code == 2
    rows = json.loads((tmp_path / "out" / "portfolio.json").read_text())["proposals"]
    by_file = {Path(row["file"]).name: row for row in rows}
    assert set(by_file) == {"broken.yaml", "wrong.yaml", *(f"{n}.yaml" for n in SMALL_SET)}
    for name in ("broken.yaml", "wrong.yaml"):
        assert by_file[name]["verdict"] == "input error"
        assert name in by_file[name]["error"]
        assert f"error: {tmp_path / name}" in result.stderr
    assert all("findings" in by_file[f"{n}.yaml"] for n in SMALL_SET)
    assert [row["verdict"] for row in rows][-2:] == ["input error", "input error"]


def test_a_broken_configuration_fails_only_the_proposals_it_governs(tmp_path):
    copy_samples(tmp_path / "good", SMALL_SET[:1])
    copy_samples(tmp_path / "bad", SMALL_SET[1:2])
    (tmp_path / "bad" / ".ctreview.yaml").write_text("fail_onn: warning\n")

    result = run(tmp_path, "--out", tmp_path / "out")

    assert result.exit_code == 2
    rows = json.loads((tmp_path / "out" / "portfolio.json").read_text())["proposals"]
    by_folder = {Path(row["file"]).parent.name: row for row in rows}
    assert by_folder["bad"]["verdict"] == "input error"
    assert ".ctreview.yaml" in by_folder["bad"]["error"]
    assert "findings" in by_folder["good"]


def test_exit_code_follows_fail_on_when_every_file_is_reviewed(tmp_path):
    copy_samples(tmp_path, ("hotline-campaign-kh-th",))  # no findings
    assert run(tmp_path, "-q").exit_code == 0
    copy_samples(tmp_path, ("shelter-closed-my",))  # errors
    assert run(tmp_path, "-q").exit_code == 1
    assert run(tmp_path, "-q", "--fail-on", "never").exit_code == 0


def test_two_jobs_write_the_same_bytes_as_one(tmp_path):
    copy_samples(tmp_path / "in", (*SMALL_SET, "shelter-closed-my", "cj-training-ng"))
    (tmp_path / "in" / "broken.yaml").write_text("ctreview: proposal/v1\n  bad: indent\n")
    outputs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}"
        result = run(tmp_path / "in", "--jobs", jobs, "--out", out, "--report-format", "json")
        assert result.exit_code == 2
        outputs[jobs] = digest(out)
    assert outputs["1"] == outputs["2"]
    assert {f"portfolio.{ext}" for ext in ("md", "html", "csv", "json")} <= set(outputs["1"])


def test_the_summary_table_lists_every_proposal_without_out(tmp_path):
    copy_samples(tmp_path)
    (tmp_path / "ci.yml").write_text(NOT_A_PROPOSAL)
    result = run(tmp_path, "-q")
    for name in SMALL_SET:
        assert f"{name}.yaml" in result.stdout
    assert "3 proposals:" in result.stdout
    assert "1 other file without the marker passed over" in result.stdout


# --- written files ----------------------------------------------------------------------------


def test_out_mirrors_the_input_tree_and_leaves_inputs_untouched(tmp_path):
    copy_samples(tmp_path / "call", SMALL_SET[:1])
    copy_samples(tmp_path / "call" / "late", SMALL_SET[1:2])
    before = digest(tmp_path / "call")
    out = tmp_path / "call" / "screening"  # inside the screened folder, on purpose

    result = run(
        tmp_path / "call", "--out", out, "--report-format", "markdown", "--report-format", "sarif"
    )

    assert result.exit_code == 1
    written = set(digest(out))
    assert written == {
        "portfolio.md", "portfolio.html", "portfolio.csv", "portfolio.json",
        "proposals/awareness-et.md", "proposals/awareness-et.sarif",
        "proposals/late/hotline-campaign-kh-th.md", "proposals/late/hotline-campaign-kh-th.sarif",
    }  # fmt: skip
    assert {k: v for k, v in digest(tmp_path / "call").items() if k in before} == before
    # a second run finds the same proposals: reports are never taken for proposals
    assert run(tmp_path / "call", "--out", out).exit_code == 1


def test_a_report_that_would_replace_an_input_is_refused_before_anything_runs(tmp_path):
    (proposal,) = copy_samples(tmp_path, SMALL_SET[:1])
    # A proposal saved under the name a report would get, named on the command line.
    trap = tmp_path / "out" / "proposals" / "awareness-et.md"
    trap.parent.mkdir(parents=True)
    trap.write_bytes(proposal.read_bytes())
    before = trap.read_bytes()

    result = run(proposal, trap, "--out", tmp_path / "out")

    assert result.exit_code == 2
    assert "refusing to write a report over an input file" in result.output
    assert trap.read_bytes() == before
    assert not (tmp_path / "out" / "portfolio.md").exists()


def test_the_portfolio_is_never_written_over_an_input(tmp_path):
    (proposal,) = copy_samples(tmp_path, SMALL_SET[:1])
    trap = tmp_path / "portfolio.json"
    trap.write_bytes(proposal.read_bytes())
    with pytest.raises(ScreenError, match="over an input"):
        plan_tasks(find_proposals([str(proposal), str(trap)]), str(tmp_path))


def test_two_proposals_that_would_share_a_report_are_refused(tmp_path):
    discovery = Discovery(("a/p.yaml", "a/p.yml"), (), str(tmp_path))
    with pytest.raises(ScreenError, match="would share the report"):
        plan_tasks(discovery, str(tmp_path / "out"))


def test_report_format_needs_out_and_must_exist(tmp_path):
    copy_samples(tmp_path, SMALL_SET[:1])
    assert run(tmp_path, "--report-format", "html").exit_code == 2
    result = run(tmp_path, "--out", tmp_path / "o", "--report-format", "pdf")
    assert result.exit_code == 2
    assert "'pdf' is not one of 'text', 'markdown'" in result.output


def test_each_proposal_is_judged_by_its_own_verdict_thresholds_and_the_exit_code_is_not(
    tmp_path,
):
    (tmp_path / ".git").mkdir()
    strict, lenient = tmp_path / "strict", tmp_path / "lenient"
    copy_samples(strict, ("npa-support-md",))  # warnings only, nearly all of presence rules
    copy_samples(lenient, ("npa-support-md",))
    (strict / ".ctreview.yaml").write_text("verdict:\n  completeness: {not_ready_at: 2}\n")
    result = run(tmp_path, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 0, result.output  # no errors: fail_on error passes
    rows = {
        Path(row["file"]).parent.name: row
        for row in json.loads((tmp_path / "out" / "portfolio.json").read_text())["proposals"]
    }
    assert rows["strict"]["completeness"]["level"] == "not ready"
    assert rows["strict"]["verdict"] == "not ready"
    assert rows["lenient"]["completeness"]["level"] == "revise"
    assert [row["rank"] for row in (rows["lenient"], rows["strict"])] == [1, 2]
    report = (tmp_path / "out" / "proposals" / "strict" / "npa-support-md.md").read_text()
    assert "**Verdict: not ready.**" in report and "not ready at 2" in report


def test_a_screened_result_crosses_processes_unchanged(reviewer):
    """Workers send each result to the parent pickled (by position, see `_by_position`): the
    parent gets an equal result, counts, rules, questions, top findings and verdict included."""
    checker = Checker(RunOptions(discover_config=False), lambda dirs: reviewer)
    result = summarise(checker.judge(str(SAMPLES / "awareness-et.yaml")), "v1")
    assert result.rules and result.top and result.assessment is not None
    assert pickle.loads(pickle.dumps(result)) == result


def test_a_screened_row_counts_each_gap_once_by_severity(reviewer):
    """A row's counts are the counted gaps by severity, what a report's counts of the same
    findings say (`severity_counts`), on every sample."""
    from reviewer.gaps import counted_gaps
    from reviewer.report.content import severity_counts

    checker = Checker(RunOptions(discover_config=False), lambda dirs: reviewer)
    warned = 0
    for path in sorted(SAMPLES.glob("*.yaml")):
        judgement = checker.judge(str(path))
        firsts = [gap.first for gap in counted_gaps(judgement.review.findings)]
        result = summarise(judgement, "v1")
        assert result.counts == severity_counts(firsts), path.name
        warned += result.counts["warning"]
    assert warned > 10
