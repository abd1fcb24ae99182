"""Configuration confinement: what `extends:` may reach, how deep, and which files discovery
trusts. A pull request controls `.ctreview.yaml`; it must not make ctreview read and print a
file outside the repository, or one a CI step left in the workspace.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from robustness_helpers import SAMPLES, TODAY, invoke, one_reviewer

from reviewer.config import MAX_EXTENDS_DEPTH, ConfigError, ConfigFinder, find_config, load_config
from reviewer.paths import real_path

pytestmark = pytest.mark.usefixtures(one_reviewer.__name__)

SAMPLE = next(p for p in SAMPLES if p.name == "awareness-et.yaml")  # has errors: exit 1
SECRET = "AKIA-THIS-IS-A-SECRET"


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    return repo


def _config(folder: Path, text: str, name: str = ".ctreview.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _problem(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    return problem


def test_an_absolute_path_is_never_followed(tmp_path: Path) -> None:
    config = _config(_repo(tmp_path), "extends: /etc/passwd.yaml\n")
    assert "is an absolute path; write it relative to this file" in _problem(config)
    config.write_text("extends: /etc/passwd\n")
    assert "root:" not in _problem(config)


@pytest.mark.parametrize(
    "value", ["../outside.yaml", "sub/../../outside.yaml", "../repo/../outside.yaml"]
)
def test_dot_dot_cannot_leave_the_repository(value: str, tmp_path: Path) -> None:
    _config(tmp_path, f"fail_on: never\nx: {SECRET}\n", "outside.yaml")
    config = _config(_repo(tmp_path), f"extends: {value}\n")
    problem = _problem(config)
    assert "leads outside" in problem and "the tree that holds this configuration" in problem
    assert SECRET not in problem


def test_dot_dot_inside_the_repository_is_fine(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    _config(repo / "shared", "fail_on: never\n", "funder.yaml")
    config = _config(repo / "calls", "extends: ../shared/funder.yaml\n")
    assert load_config(config).fail_on == "never"


def test_outside_a_repository_extends_stays_in_the_config_folder(tmp_path: Path) -> None:
    _config(tmp_path, "fail_on: never\n", "base.yaml")
    config = _config(tmp_path / "calls", "extends: ../base.yaml\n")
    assert "leads outside" in _problem(config)


def test_a_link_that_leads_outside_is_not_followed(tmp_path: Path) -> None:
    outside = _config(tmp_path, f"token: {SECRET}\n", "secrets.yaml")
    repo = _repo(tmp_path)
    (repo / "base.yaml").symlink_to(outside)
    problem = _problem(_config(repo, "extends: ./base.yaml\n"))
    assert "leads outside" in problem and SECRET not in problem


@pytest.mark.parametrize("value", ["../outside-rules", "/etc", "~/rules", "rules/../../x"])
def test_rule_dirs_stay_in_the_repository_as_extends_does(value: str, tmp_path: Path) -> None:
    outside = tmp_path / "outside-rules"
    outside.mkdir()
    (outside / "stolen.yaml").write_text(f"rules: [{SECRET}]\n", encoding="utf-8")
    config = _config(_repo(tmp_path), f"rule_dirs: ['{value}']\n")
    problem = _problem(config)
    assert "rule_dirs:" in problem and SECRET not in problem
    assert "leads outside" in problem or "is an absolute path" in problem


def test_rule_dirs_inside_the_repository_are_fine(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "funder-rules").mkdir()
    config = _config(repo / "calls", "rule_dirs: [../funder-rules]\n")
    assert load_config(config).rule_dirs == (real_path(repo / "funder-rules"),)


def test_only_yaml_files_can_be_extended(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    _config(repo / "ci", f"TOKEN={SECRET}\n", ".env")
    problem = _problem(_config(repo, "extends: ci/.env\n"))
    assert "is not a .yaml or .yml file" in problem and SECRET not in problem


def test_an_extended_file_s_content_is_never_printed(tmp_path: Path) -> None:
    """A YAML file a CI step wrote into the workspace, named by a pull request's config."""
    repo = _repo(tmp_path)
    _config(repo, f"aws_key: {SECRET}\n", "credentials.yaml")
    _config(repo, "extends: credentials.yaml\n")
    proposal = repo / "p.yaml"
    proposal.write_bytes(SAMPLE.read_bytes())
    result = invoke("check", "--today", TODAY, proposal)
    assert result.exit_code == 2
    assert "credentials.yaml: extended by" in result.stderr
    assert "its content is not shown here" in result.stderr
    assert SECRET not in result.output


def test_the_file_itself_still_shows_its_problems_when_named(tmp_path: Path) -> None:
    config = _config(_repo(tmp_path), "fail_onn: never\n")
    assert "unknown key 'fail_onn'" in _problem(config)


def test_an_extends_chain_has_a_depth_limit(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    for n in range(MAX_EXTENDS_DEPTH):  # c0 -> c1 -> ... -> c8: nine files
        _config(repo, f"extends: c{n + 1}.yaml\n", f"c{n}.yaml")
    _config(repo, "fail_on: never\n", f"c{MAX_EXTENDS_DEPTH}.yaml")
    problem = _problem(repo / "c0.yaml")
    assert f"extends goes more than {MAX_EXTENDS_DEPTH} files deep" in problem
    assert load_config(repo / "c1.yaml").fail_on == "never", "one file fewer is fine"


def test_extending_the_same_file_many_times_is_bounded(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    _config(repo, "extends: [" + ", ".join(["b.yaml"] * 40) + "]\n", "a.yaml")
    _config(repo, "extends: [" + ", ".join(["c.yaml"] * 40) + "]\n", "b.yaml")
    _config(repo, "fail_on: never\n", "c.yaml")
    assert "extends reads more than" in _problem(repo / "a.yaml")


def test_deeply_nested_configuration_and_baseline_are_messages(tmp_path: Path) -> None:
    config = _config(tmp_path, "rules: " + "[" * 50_000 + "]" * 50_000 + "\n", "deep.yaml")
    result = invoke("check", "--config", config, SAMPLE)
    assert result.exit_code == 2 and "nested more than 64 levels deep" in result.stderr
    baseline = tmp_path / "deep.json"
    baseline.write_text('{"version": 1, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}")
    result = invoke("check", "--no-config", "--baseline", baseline, SAMPLE)
    assert result.exit_code == 2 and "nested far too deeply" in result.stderr


# --- discovery ------------------------------------------------------------------------------------


def test_discovery_stops_at_the_repository_root(tmp_path: Path) -> None:
    _config(tmp_path, "fail_on: never\n")
    repo = _repo(tmp_path)
    proposal = repo / "proposals" / "p.yaml"
    proposal.parent.mkdir()
    proposal.write_bytes(SAMPLE.read_bytes())
    assert find_config(proposal.parent) is None
    assert invoke("check", "--today", TODAY, proposal).exit_code == 1, "recommended applies"


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_config_owned_by_another_user_is_passed_over_with_a_note(tmp_path: Path) -> None:
    folder = tmp_path / "shared-tmp"
    config = _config(folder, "fail_on: never\n")
    os.chown(config, 65534, 65534)
    proposal = folder / "p.yaml"
    proposal.write_bytes(SAMPLE.read_bytes())
    result = invoke("check", "--today", TODAY, proposal)
    assert result.exit_code == 1, "the foreign fail_on: never did not apply"
    assert f"notice: ignoring {config}: it is owned by another user (uid 65534)" in result.stderr
    assert "pass it with --config to use it anyway" in result.stderr
    assert invoke("check", "--today", TODAY, "--config", config, proposal).exit_code == 0


def test_a_config_every_user_may_write_is_passed_over(tmp_path: Path) -> None:
    outer = _config(tmp_path, "fail_on: warning\n")
    folder = tmp_path / "world"
    config = _config(folder, "fail_on: never\n")
    config.chmod(0o666)
    finder = ConfigFinder()
    assert finder.config_for(folder / "p.yaml").fail_on == "warning", "the next one up applies"
    assert finder.notes == [
        f"ignoring {config}: every user may write it; pass it with --config to use it anyway"
    ]
    assert outer.exists()


def test_notes_are_said_once_per_configuration(tmp_path: Path) -> None:
    folder = tmp_path / "world"
    config = _config(folder, "fail_on: never\n")
    config.chmod(0o666)
    for name in ("a.yaml", "b.yaml"):
        (folder / name).write_bytes(SAMPLE.read_bytes())
    result = invoke("check", "--today", TODAY, folder / "a.yaml", folder / "b.yaml")
    assert result.stderr.count("notice: ignoring") == 1
