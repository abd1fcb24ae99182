"""The command line as users meet it: entry points, exit codes, schema, and no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer import cli as cli_module
from reviewer.cli import cli
from reviewer.schema import schema_json

REPO = Path(__file__).resolve().parent.parent
WELL = str(REPO / "samples" / "hotline-campaign-kh-th.yaml")
WITH_ERRORS = str(REPO / "samples" / "shelter-closed-my.yaml")


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reviewer", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


def test_python_dash_m_works_like_the_console_script():
    done = run_module("check", WELL)
    assert done.returncode == 0, done.stderr
    assert "No findings" in done.stdout
    assert run_module("--version").stdout.startswith("ctreview, version ")


def test_exit_codes_0_1_2():
    runner = CliRunner()
    assert runner.invoke(cli, ["check", WELL]).exit_code == 0
    assert runner.invoke(cli, ["check", WITH_ERRORS]).exit_code == 1
    assert runner.invoke(cli, ["check", WITH_ERRORS, "--fail-on", "never"]).exit_code == 0
    assert runner.invoke(cli, ["check", "no/such/file.yaml"]).exit_code == 2
    assert runner.invoke(cli, ["check", WELL, "--format", "pdf"]).exit_code == 2


def test_a_broken_file_among_good_ones_still_reports_the_good_ones(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("ctreview: proposal/v1\nid: x\ntitle: [unclosed\n")
    result = CliRunner().invoke(cli, ["check", WITH_ERRORS, str(broken)])
    assert result.exit_code == 2
    assert "SUP-001" in result.stdout
    assert f"{broken}:" in result.stderr and "Traceback" not in result.output


def test_schema_command_prints_the_published_schema():
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["$id"] == "urn:ctreview:schema:proposal:v1"
    assert result.output == schema_json()
    assert result.output == (REPO / "docs" / "proposal.schema.json").read_text(encoding="utf-8")


def test_an_internal_error_is_a_message_not_a_traceback(monkeypatch, capsys):
    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_module, "_reviewer", explode)
    monkeypatch.setattr(sys, "argv", ["ctreview", "rules"])
    monkeypatch.delenv("CTREVIEW_DEBUG", raising=False)
    with pytest.raises(SystemExit) as done:
        cli_module.main()
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err
    assert "Traceback" not in err


def test_coverage_command_matches_the_committed_document():
    result = CliRunner().invoke(cli, ["coverage"])
    assert result.exit_code == 0
    committed = (REPO / "docs" / "icat-coverage.md").read_text(encoding="utf-8")
    assert result.output == committed
