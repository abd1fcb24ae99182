"""`ctreview screen` under faults: a worker killed, the run stopped by a signal, too many jobs,
folders and files that cannot be read, link loops, a JSON proposal, reports that cannot be
written. The run goes on to a complete portfolio wherever it can, and never leaves half a
report behind.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from robustness_helpers import SAMPLES, TODAY, invoke, one_reviewer, run_as_ordinary_user

from reviewer import screen as screening
from reviewer.discovery import has_marker
from reviewer.portfolio import verdict_of

pytestmark = pytest.mark.usefixtures(one_reviewer.__name__)

GOOD = next(p for p in SAMPLES if p.name == "awareness-et.yaml")
JSON_PROPOSAL = '{"ctreview": "proposal/v1", "id": "j", "title": "A JSON proposal"}\n'


def _call(folder: Path, copies: int = 4) -> list[Path]:
    """A call's folder: copies of three samples."""
    folder.mkdir(parents=True, exist_ok=True)
    chosen = [p for p in SAMPLES if p.stem in ("awareness-et", "npa-support-md", "livelihoods-np")]
    return [
        Path(shutil.copy(sample, folder / f"{n:02d}-{sample.name}"))
        for n in range(copies)
        for sample in chosen
    ]


def _portfolio(out: Path) -> dict:
    return json.loads((out / "portfolio.json").read_text())


def _rows(out: Path) -> dict[str, dict]:
    return {Path(row["file"]).name: row for row in _portfolio(out)["proposals"]}


# --- a worker killed ------------------------------------------------------------------------------


def test_a_killed_worker_fails_its_proposal_and_the_run_goes_on(tmp_path, monkeypatch) -> None:
    files = _call(tmp_path / "call", copies=2)
    doomed = files[2]
    real = screening.screen_file

    def screen_or_die(task: screening.Task) -> screening.ScreenResult:
        if task.path == str(doomed) and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
        return real(task)

    parent = os.getpid()
    monkeypatch.setattr(screening, "screen_file", screen_or_die)
    out = tmp_path / "out"
    result = invoke(
        "screen", "--no-config", "--today", TODAY, "--jobs", "2", "--out", out, files[0].parent
    )
    assert result.exit_code == 2
    rows = _rows(out)
    assert len(rows) == len(files), "every proposal has a row"
    killed = rows[doomed.name]
    assert killed["verdict"] == "review failed"
    assert "killed by SIGKILL" in killed["error"]
    assert (
        f"error: {doomed}: not reviewed: the worker process reviewing it was killed by SIGKILL"
        in result.stderr
    )
    others = [row for name, row in rows.items() if name != doomed.name]
    assert all(row["verdict"] in ("ready", "revise", "not ready") for row in others)
    serial = tmp_path / "serial"
    monkeypatch.setattr(screening, "screen_file", real)
    invoke(
        "screen", "--no-config", "--today", TODAY, "--jobs", "1", "--out", serial, files[0].parent
    )
    expected = _rows(serial)
    for name, row in rows.items():
        if name != doomed.name:
            assert row["findings"] == expected[name]["findings"], name


def test_a_failed_review_ranks_last_and_reads_as_a_failure() -> None:
    task = screening.Task("p.yaml")
    row = screening.failed_review(task, "the worker process reviewing it was killed by SIGKILL")
    assert verdict_of(row) == "review failed" and row.exit_code == 2 and not row.reviewed


# --- the run stopped ------------------------------------------------------------------------------


def _script() -> list[str]:
    script = Path(sys.executable).parent / "ctreview"
    return [str(script)] if script.exists() else [sys.executable, "-m", "reviewer"]


def _alive_with(marker: str) -> list[int]:
    """Processes whose command line mentions `marker` (the workers share the parent's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the workers")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_workers_and_leaves_no_half_written_report(signum, tmp_path) -> None:
    _call(tmp_path / "call", copies=30)  # ninety proposals: the run is stopped well before
    out = tmp_path / f"out-{signum.name}"
    run = subprocess.Popen(
        [
            *_script(),
            "screen",
            "--no-config",
            "--today",
            TODAY,
            "--jobs",
            "2",
            "--quiet",
            "--report-format",
            "json",
            "--out",
            out,
            tmp_path / "call",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    reports = out / "proposals"
    while not (reports.is_dir() and len(list(reports.glob("*.json"))) >= 3):
        assert time.monotonic() < deadline and run.poll() is None, "the run did not start"
        time.sleep(0.05)
    run.send_signal(signum)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr
    written = list(out.rglob("*"))
    assert not [p for p in written if p.name.endswith(".tmp")], "a temporary file was left"
    assert not list(out.glob("portfolio.*")), "no portfolio for an unfinished run"
    for report in reports.glob("*.json"):
        json.loads(report.read_text())  # every report there is complete
    assert len(list(reports.glob("*.json"))) < 90
    time.sleep(0.2)
    assert _alive_with(str(out)) == [], "a worker outlived the run"


# --- how many workers -----------------------------------------------------------------------------


def test_jobs_are_capped_by_the_files_and_the_cpus(tmp_path, monkeypatch) -> None:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert screening.worker_count(64, 3) == min(3, cpus)
    assert screening.worker_count(64, 1000) == cpus
    assert screening.worker_count(None, 1) == 1
    asked = []
    real = screening.screen
    monkeypatch.setattr(screening, "screen", lambda t, c, jobs: asked.append(jobs) or real(t, c, 1))
    files = _call(tmp_path / "call", copies=1)
    invoke("screen", "--no-config", "--jobs", "64", files[0], files[1])
    assert asked == [min(2, cpus)]


# --- what cannot be read --------------------------------------------------------------------------


def test_unreadable_folders_files_and_link_loops_are_rows_and_the_rest_is_screened(
    tmp_path: Path,
) -> None:
    call = tmp_path / "call"
    _call(call, copies=1)
    locked_folder = call / "locked"
    _call(locked_folder, copies=1)
    locked_file = call / "locked-file.yaml"
    shutil.copy(GOOD, locked_file)
    (call / "loop-a.yaml").symlink_to(call / "loop-b.yaml")
    (call / "loop-b.yaml").symlink_to(call / "loop-a.yaml")
    (call / "folder-loop").symlink_to(call)  # a link to a folder is not followed
    locked_file.chmod(0)
    locked_folder.chmod(0)
    try:
        done = run_as_ordinary_user(
            ["screen", "--no-config", "--today", TODAY, "--jobs", "1", call]
        )
        checked = run_as_ordinary_user(
            ["check", "--no-config", "--today", TODAY, locked_file, call / "loop-a.yaml", GOOD]
        )
        folder_checked = run_as_ordinary_user(
            ["check", "--no-config", "--today", TODAY, "-f", "json", call]
        )
    finally:
        locked_folder.chmod(0o755)
        locked_file.chmod(0o644)
    assert done.returncode == 2, done.stderr
    assert f"error: {locked_folder}: this folder cannot be read (Permission denied)" in done.stderr
    assert f"error: {locked_file}: the file cannot be read (permission denied)" in done.stderr
    assert f"error: {call / 'loop-a.yaml'}: the file cannot be read (Too many levels" in done.stderr
    summary = done.stdout.rstrip().splitlines()[-1]
    assert "2 revise, 1 not ready, 4 input error" in summary  # folder, file, two loop ends
    assert checked.returncode == 2
    assert f"error: {locked_file}: the file cannot be read (permission denied)" in checked.stderr
    assert "Too many levels of symbolic links" in checked.stderr
    assert "awareness-et.yaml" in checked.stdout, "the readable proposal is reviewed"
    assert folder_checked.returncode == 2
    report = json.loads(folder_checked.stdout)
    refused = {p["file"]: p for p in report["proposals"] if not p["reviewed"]}
    assert "this folder cannot be read" in refused[str(locked_folder)]["input_errors"][0]["message"]
    assert {str(locked_file), str(call / "loop-a.yaml"), str(call / "loop-b.yaml")} < set(refused)
    assert sum(p["reviewed"] for p in report["proposals"]) == 3, "the rest is reviewed"


def test_a_json_proposal_named_explicitly_is_reviewed(tmp_path: Path) -> None:
    proposal = tmp_path / "proposal.json"
    proposal.write_text(JSON_PROPOSAL, encoding="utf-8")
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(json.loads(JSON_PROPOSAL), indent=2), encoding="utf-8")
    assert has_marker(str(proposal)) and has_marker(str(pretty))
    for command in ("check", "screen"):
        result = invoke(command, "--no-config", "--today", TODAY, proposal, pretty)
        assert result.exit_code == 1, (command, result.output)
        assert "proposal.json" in result.stdout and "pretty.json" in result.stdout
    other = tmp_path / "package.json"
    other.write_text('{"name": "ctreview-action", "ctreview_version": 1}\n')
    assert not has_marker(str(other)), "a JSON file without the key is passed over"


# --- reports that cannot be written ---------------------------------------------------------------


def test_a_report_that_cannot_be_written_is_not_blamed_on_the_proposal(tmp_path: Path) -> None:
    files = _call(tmp_path / "call", copies=1)
    out = tmp_path / "out"
    blocked = out / "proposals" / f"{files[0].stem}.md"
    blocked.mkdir(parents=True)  # a folder where the report should go
    result = invoke(
        "screen", "--no-config", "--today", TODAY, "--jobs", "1", "--out", out, files[0].parent
    )
    assert result.exit_code == 2
    assert f"error: cannot write {blocked}: it is a folder" in result.stderr
    row = _rows(out)[files[0].name]
    assert row["verdict"] in ("ready", "revise", "not ready"), "the proposal was reviewed"
    assert "error" not in row


def test_a_refused_proposal_gets_a_report_that_says_why(tmp_path: Path) -> None:
    call = tmp_path / "call"
    _call(call, copies=1)
    (call / "broken.yaml").write_text("ctreview: proposal/v1\nid: b\ntitle: [unclosed\n")
    out = tmp_path / "out"
    args = ("screen", "--no-config", "--today", TODAY, "--jobs", "1", "--out", out)
    result = invoke(*args, "--report-format", "sarif", "--report-format", "markdown", call)
    assert result.exit_code == 2
    row = _rows(out)["broken.yaml"]
    assert row["verdict"] == "input error"
    assert row["reports"] == {"sarif": "proposals/broken.sarif", "markdown": "proposals/broken.md"}
    assert "Why it could not be reviewed" in (out / "proposals" / "broken.md").read_text()
    sarif = json.loads((out / "proposals" / "broken.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["input-error"]
    assert "proposals/broken.md" in (out / "portfolio.md").read_text()
