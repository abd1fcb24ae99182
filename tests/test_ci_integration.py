"""End to end: the CLI on sample proposals, the pre-commit hook and the GitHub Action as written.

The hook's and the Action's command lines are read from their YAML files and executed with the
venv's `ctreview` on PATH, so a broken entry, option name or shell line fails here first.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from reviewer import cli as cli_module
from reviewer.cli import cli
from reviewer.coverage import strict_severities
from reviewer.policy import reaches
from reviewer.review import Reviewer

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
WELL_DESIGNED = SAMPLES / "hotline-campaign-kh-th.yaml"
NO_FINDINGS = SAMPLES / "fisheries-identification-th-id.yaml"  # not even a scoped-out one
VENV_BIN = Path(sys.executable).parent
STALE_WAIVER = (
    "waivers:\n  - {rule: ZZZ-999, item: nothing, justification: Matches no finding on purpose.}\n"
)


@pytest.fixture(scope="module")
def reviewer() -> Reviewer:
    return Reviewer()


@pytest.fixture(autouse=True)
def shared_reviewer(reviewer, monkeypatch):
    """The CLI builds its Reviewer per command; share one across these tests (compiling the
    rules is the slow part). The subprocess tests below build their own."""
    monkeypatch.setattr(cli_module, "_reviewer", lambda dirs: Reviewer(dirs) if dirs else reviewer)


@pytest.fixture(scope="module")
def sample_with_findings(reviewer) -> Path:
    """A sample proposal that has findings under the bundled rules."""
    for path in sorted(SAMPLES.glob("*.yaml")):
        if reviewer.review_file(path).findings:
            return path
    pytest.fail("no sample proposal has findings: the CI tests need one")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def findings_of(reviewer: Reviewer, path: Path):
    return reviewer.review_file(path).findings


# --- check: exit codes, configuration, waivers, baseline ------------------------------------------


def test_exit_code_follows_the_most_severe_finding(reviewer, sample_with_findings):
    severities = {f.severity for f in findings_of(reviewer, sample_with_findings)}
    file = str(sample_with_findings)
    assert run("check", "--no-config", "--fail-on", "never", file).exit_code == 0
    assert run("check", "--no-config", "--fail-on", "info", file).exit_code == 1
    expected = 1 if "error" in severities else 0
    assert run("check", "--no-config", file).exit_code == expected


def test_quiet_hides_but_does_not_change_the_exit_code(reviewer, sample_with_findings):
    file = str(sample_with_findings)
    loud = run("check", "--no-config", "--fail-on", "info", "-f", "json", file)
    quiet = run("check", "--no-config", "--fail-on", "info", "-q", "-f", "json", file)
    assert loud.exit_code == quiet.exit_code == 1
    shown = [f["severity"] for r in json.loads(quiet.stdout)["proposals"] for f in r["findings"]]
    assert set(shown) <= {"error"}
    assert len(shown) == sum(
        f.severity == "error" for f in findings_of(reviewer, sample_with_findings)
    )


def test_config_turns_rules_off_and_waivers_keep_findings_visible(
    reviewer, sample_with_findings, tmp_path
):
    found = findings_of(reviewer, sample_with_findings)
    rule_ids = [f.rule_id for f in found]
    first = next(f for f in found if rule_ids.count(f.rule_id) == 1)  # waive this one
    (tmp_path / ".git").mkdir()
    proposal = tmp_path / "proposals" / "p.yaml"
    proposal.parent.mkdir()
    shutil.copy(sample_with_findings, proposal)
    waiver = (
        f"  - rule: {first.rule_id}\n    item: '{first.item}'\n    file: 'proposals/*.yaml'\n"
        "    justification: Accepted by the panel.\n    expires: 2030-01-01\n"
    )
    off = "".join(f"  {rule}: 'off'\n" for rule in sorted(set(rule_ids) - {first.rule_id}))
    (tmp_path / ".ctreview.yaml").write_text(
        f"fail_on: info\nrules:\n{off or '  {}'}\nwaivers:\n{waiver}", encoding="utf-8"
    )
    result = run("check", "--today", "2029-12-31", "-f", "json", str(proposal))
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)["proposals"]
    assert report["findings"] == []
    assert [f["rule"] for f in report["waived"]] == [first.rule_id]
    assert "Accepted by the panel." in json.dumps(report["waived"])
    expired = run("check", "--today", "2030-01-02", str(proposal))
    assert expired.exit_code == 1
    assert "expired on 2030-01-01" in expired.stderr


def test_invalid_config_is_exit_2_with_its_position(tmp_path):
    (tmp_path / ".git").mkdir()
    shutil.copy(WELL_DESIGNED, tmp_path / "p.yaml")
    (tmp_path / ".ctreview.yaml").write_text("rules:\n  NOPE-001: warning\n", encoding="utf-8")
    result = run("check", str(tmp_path / "p.yaml"))
    assert result.exit_code == 2
    assert ".ctreview.yaml:2:3: unknown rule id 'NOPE-001'" in result.stderr
    assert "Traceback" not in result.output


def test_strict_waivers_fail_on_a_waiver_that_matches_nothing(tmp_path):
    proposal = tmp_path / "p.yaml"
    proposal.write_text(WELL_DESIGNED.read_text(encoding="utf-8") + STALE_WAIVER, "utf-8")
    relaxed = run("check", "--no-config", "--fail-on", "never", str(proposal))
    assert relaxed.exit_code == 0 and "matches no finding" in relaxed.stderr
    strict = run("check", "--no-config", "--fail-on", "never", "--strict-waivers", str(proposal))
    assert strict.exit_code == 1


def test_baseline_round_trip(sample_with_findings, tmp_path):
    proposal = tmp_path / "p.yaml"
    shutil.copy(sample_with_findings, proposal)
    baseline = tmp_path / "baseline.json"
    args = ("check", "--no-config", "--fail-on", "info")
    assert run(*args, "--write-baseline", str(baseline), str(proposal)).exit_code == 0
    entries = json.loads(baseline.read_text(encoding="utf-8"))["findings"]
    assert entries and {e["file"] for e in entries} == {"p.yaml"}
    result = run(*args, "--baseline", str(baseline), str(proposal))
    assert result.exit_code == 0, result.output
    assert "no longer occurs" not in result.stderr
    gone = {**entries[0], "rule": "ZZZ-999"}  # a recorded finding that no longer occurs
    baseline.write_text(json.dumps({"version": 1, "findings": [*entries, gone]}), "utf-8")
    result = run(*args, "--baseline", str(baseline), str(proposal))
    assert result.exit_code == 0
    assert result.stderr.count("no longer occurs") == 1 and "ZZZ-999" in result.stderr
    baseline.write_text("{}", "utf-8")
    assert run(*args, "--baseline", str(baseline), str(proposal)).exit_code == 2


def test_config_show_prints_every_rule(reviewer, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".ctreview.yaml").write_text("extends: strict\n", encoding="utf-8")
    result = run("config", "--show", str(tmp_path / "p.yaml"))
    assert result.exit_code == 0, result.output
    shown = YAML(typ="safe").load(result.stdout)
    assert shown["fail_on"] == "warning" and shown["strict_waivers"] is True
    own = {rule.id: rule.severity for rule in reviewer.catalogue.rules}
    assert shown["rules"] == {**own, **strict_severities()}  # strict raises a few to error
    schema = run("config", "--schema")
    assert schema.stdout == (ROOT / "docs" / "config.schema.json").read_text(encoding="utf-8")


# --- diff -----------------------------------------------------------------------------------------


def test_diff_of_a_proposal_with_itself_changes_nothing(sample_with_findings):
    result = run("diff", "--no-config", str(sample_with_findings), str(sample_with_findings))
    assert result.exit_code == 0
    assert " 0 resolved, 0 introduced, " in result.stdout.splitlines()[0]


def test_diff_reports_introduced_findings(reviewer, sample_with_findings):
    found = findings_of(reviewer, sample_with_findings)
    worst = min(("error", "warning", "info").index(f.severity) for f in found)
    threshold = ("error", "warning", "info")[worst]
    forward = run(
        "diff",
        "--no-config",
        "--fail-on",
        threshold,
        "-f",
        "markdown",
        str(WELL_DESIGNED),
        str(sample_with_findings),
    )
    assert forward.exit_code == 1
    assert "### Introduced" in forward.stdout
    backward = run(
        "diff", "--no-config", "--fail-on", threshold, str(sample_with_findings), str(WELL_DESIGNED)
    )
    assert "Resolved (" in backward.stdout
    if not any(reaches(f.severity, threshold) for f in findings_of(reviewer, WELL_DESIGNED)):
        assert backward.exit_code == 0


# --- pre-commit hook and GitHub Action, as written ------------------------------------------------


def shell_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("CTREVIEW_DEBUG", None)
    env.update(extra)
    return env


def load_yaml(name: str):
    return YAML(typ="safe").load((ROOT / name).read_text(encoding="utf-8"))


def mixed_repository(root: Path, *proposals: Path) -> list[str]:
    """A repository holding proposals next to a configuration (in the proposals' folder, where
    the hook used to fail on it), a workflow, a rule pack and other YAML; the relative paths of
    every YAML file, as pre-commit passes them."""
    (root / ".git").mkdir(exist_ok=True)
    (root / "proposals").mkdir(exist_ok=True)
    for proposal in proposals:
        shutil.copy(proposal, root / "proposals" / proposal.name)
    others = {
        "proposals/.ctreview.yaml": "fail_on: error\n",
        "proposals/.ctreview.yml.bak.yaml": "notes: [1]\n",
        ".github/workflows/ci.yml": "on: push\njobs: {}\n",
        "funder-rules/extra.yaml": "rules: []\n",
        "mkdocs.yml": "site_name: x\n",
    }
    for name, text in others.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*.y*ml") if ".git/" not in str(p)
    )


def run_hook_entry(hook: dict, root: Path, files: list[str]) -> subprocess.CompletedProcess:
    command = [*shlex.split(hook["entry"]), *hook.get("args", [])]
    return subprocess.run(
        [*command, *files],
        cwd=root,
        env=shell_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_pre_commit_hook_reviews_proposals_and_passes_over_other_yaml(tmp_path):
    (hook,) = load_yaml(".pre-commit-hooks.yaml")
    assert (hook["id"], hook["language"], hook["types"]) == ("ctreview", "python", ["yaml"])
    assert hook["entry"] == "ctreview check --proposals-only" and "files" not in hook
    files = mixed_repository(tmp_path, WELL_DESIGNED)
    assert "proposals/.ctreview.yaml" in files and len(files) == 6
    good = run_hook_entry(hook, tmp_path, files)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "skipped 5 files without the `ctreview:` marker" in good.stderr
    only_config = run_hook_entry(hook, tmp_path, ["proposals/.ctreview.yaml", "mkdocs.yml"])
    assert only_config.returncode == 0, only_config.stderr
    (tmp_path / "proposals" / "broken.yaml").write_text("ctreview: [\n", encoding="utf-8")
    broken = run_hook_entry(hook, tmp_path, [*files, "proposals/broken.yaml"])
    assert broken.returncode == 2 and "broken.yaml:2:1" in broken.stderr


def test_pre_commit_runs_the_hook_as_written_on_a_mixed_repository(tmp_path):
    """pre-commit itself selects the files (types, files, exclude) and runs the entry. The hook
    is declared as our .pre-commit-hooks.yaml writes it, except `language: system` (ctreview
    from this venv) instead of `python`, which would pip-install the repository into a new
    environment: that build is not run here."""
    pre_commit = shutil.which("pre-commit", path=str(VENV_BIN))
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]' installs it)")
    (hook,) = load_yaml(".pre-commit-hooks.yaml")
    mixed_repository(tmp_path, WELL_DESIGNED)
    local = {**hook, "language": "system"}
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (tmp_path / ".pre-commit-config.yaml").write_text(json.dumps(config), encoding="utf-8")
    env = shell_env(PRE_COMMIT_HOME=str(tmp_path / ".cache"), GIT_CONFIG_GLOBAL=os.devnull)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True)

    shutil.rmtree(tmp_path / ".git")
    git("init", "-q")
    git("add", "-A")
    run = [pre_commit, "run", "--all-files", "--color", "never"]
    passed = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "ctreview (counter-trafficking proposal design review)" in passed.stdout
    assert "Passed" in passed.stdout
    shutil.copy(SAMPLES / "shelter-closed-my.yaml", tmp_path / "proposals" / "closed.yaml")
    git("add", "-A")
    failed = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1 and "Failed" in failed.stdout
    assert "proposals/closed.yaml" in failed.stdout and "SUP-001" in failed.stdout


def github_substitute(text: str, inputs: dict[str, str], outputs: dict[str, str]) -> str:
    """What GitHub does to `${{ ... }}` in a composite action, for the expressions used here."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        if expression.startswith("steps.run.outputs."):
            return outputs.get(expression.removeprefix("steps.run.outputs."), "")
        raise AssertionError(f"expression this test does not model: {expression}")

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def run_action(workspace: Path, **given: str) -> tuple[dict[str, str], int, str]:
    """Run the Action's shell steps (not setup-python, install or upload) as GitHub would;
    return its outputs, the job's exit code and the log of the review step."""
    action = load_yaml("action.yml")
    inputs = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    assert set(given) <= set(inputs), "unknown input"
    inputs.update(given)
    steps = {step.get("id") or step["name"]: step for step in action["runs"]["steps"]}
    outputs_file = workspace / "github_output"
    outputs_file.write_text("", encoding="utf-8")

    def shell_step(step) -> subprocess.CompletedProcess:
        env = {k: github_substitute(str(v), inputs, outputs) for k, v in step["env"].items()}
        script = workspace / "step.sh"
        script.write_text(github_substitute(step["run"], inputs, outputs), encoding="utf-8")
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=shell_env(GITHUB_OUTPUT=str(outputs_file), **env),
            capture_output=True,
            text=True,
            timeout=180,
        )

    outputs: dict[str, str] = {}
    review = shell_step(steps["run"])
    assert review.returncode == 0, review.stderr
    outputs = dict(
        line.split("=", 1) for line in outputs_file.read_text(encoding="utf-8").splitlines()
    )
    verdict = shell_step(steps["Pass or fail by ctreview's exit code"])
    return outputs, verdict.returncode, review.stdout


def test_action_reviews_writes_sarif_and_passes(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "proposals" / "kh").mkdir(parents=True)
    shutil.copy(WELL_DESIGNED, tmp_path / "proposals" / "kh" / "p.yaml")
    outputs, code, _ = run_action(tmp_path, files="proposals/**/*.yaml", **{"fail-on": "error"})
    assert outputs == {"exit-code": "0", "sarif-file": "ctreview.sarif"}
    assert code == 0
    sarif = json.loads((tmp_path / "ctreview.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"


def test_action_defaults_review_the_repository_and_annotate_each_finding_once(
    tmp_path, reviewer, sample_with_findings
):
    """Default inputs on a repository that also holds configurations and other YAML: only the
    proposals are reviewed, and each finding is annotated once (from the uploaded SARIF, so
    the log carries no workflow-command annotations of its own)."""
    mixed_repository(tmp_path, NO_FINDINGS, sample_with_findings)
    assert findings_of(reviewer, NO_FINDINGS) == []
    active = [f for f in findings_of(reviewer, sample_with_findings) if f.waiver is None]
    outputs, code, log = run_action(tmp_path, **{"fail-on": "never"})
    assert (outputs["exit-code"], code) == ("0", 0)
    sarif = json.loads((tmp_path / "ctreview.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert len(results) == len(active)
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        f"proposals/{sample_with_findings.name}"
    }
    assert not [line for line in log.splitlines() if line.startswith("::")]
    _, _, log = run_action(tmp_path, **{"fail-on": "never", "upload-sarif": "false"})
    annotations = [line for line in log.splitlines() if line.startswith("::")]
    assert len(annotations) == len(active)


def test_action_fails_the_job_by_the_exit_code(tmp_path):
    (tmp_path / ".git").mkdir()
    proposal = tmp_path / "p.proposal.yaml"
    proposal.write_text(WELL_DESIGNED.read_text(encoding="utf-8") + STALE_WAIVER, "utf-8")
    outputs, code, _ = run_action(
        tmp_path,
        files="*.proposal.yaml",
        args="--strict-waivers --today 2027-01-01",
        format="text",
        **{"fail-on": "never"},
    )
    assert (outputs["exit-code"], code) == ("1", 1)
    outputs, code, _ = run_action(tmp_path, files="missing/*.yaml")
    assert (outputs["exit-code"], code) == ("2", 2)
