"""Writing reports safely (reviewer/output.py, reviewer/console.py).

A report is never written through a link at its path, never over an input of the run, gets
the mode the umask gives, replaces a file under /dev/shm rather than growing it, and a write
that fails is an output error with exit code 2 that names the report, never the proposal.
Standard output that goes away, is closed or is full ends the run quietly.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from robustness_helpers import (
    SAMPLES,
    TODAY,
    check,
    invoke,
    one_reviewer,
    run_as_ordinary_user,
    run_ctreview,
)

from reviewer import output
from reviewer.output import OutputError, write_atomic
from reviewer.stopping import Stopped, stop_on_signals

pytestmark = pytest.mark.usefixtures(one_reviewer.__name__)

SAMPLE = next(p for p in SAMPLES if p.name == "livelihoods-np.yaml")


def _proposal(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(SAMPLE, folder / "proposal.yaml"))


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- where a report goes -------------------------------------------------------------------------


def test_a_link_at_the_report_path_is_replaced_and_its_target_left_alone(tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    link = tmp_path / "report.sarif"
    link.symlink_to(precious)
    result = check(SAMPLE, "--output", f"sarif={link}")
    assert result.exit_code in (0, 1), result.output
    assert precious.read_text() == "keep me\n"
    assert not link.is_symlink() and json.loads(link.read_text())["version"] == "2.1.0"


def test_a_dangling_link_or_a_link_to_a_device_is_replaced_too(tmp_path: Path) -> None:
    for name, target in (("dangling.json", tmp_path / "nowhere"), ("device.json", "/dev/null")):
        link = tmp_path / name
        link.symlink_to(target)
        assert check(SAMPLE, "--output", f"json={link}").exit_code in (0, 1)
        assert link.is_file() and not link.is_symlink()
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("kind", ["proposal", "link-to-proposal", "config", "baseline", "rule"])
def test_a_report_is_never_written_over_an_input_of_the_run(kind: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    proposal = _proposal(repo)
    (repo / ".git").mkdir()
    config = repo / ".ctreview.yaml"
    config.write_text("fail_on: never\n")
    rules = repo / "rules"
    rules.mkdir()
    (rules / "funder.yaml").write_text("rules: []\n")
    baseline = repo / "baseline.json"
    assert invoke("check", proposal, "--write-baseline", baseline).exit_code == 0
    target = {
        "proposal": proposal,
        "link-to-proposal": repo / "link.json",
        "config": config,
        "baseline": baseline,
        "rule": rules / "funder.yaml",
    }[kind]
    if kind == "link-to-proposal":
        target.symlink_to(proposal)
    before = {p: p.read_bytes() for p in (proposal, config, baseline, rules / "funder.yaml")}
    result = invoke(
        "check", proposal, "--rules", rules, "--baseline", baseline, "-o", f"json={target}"
    )
    assert result.exit_code == 2
    assert f"cannot write {target}: refusing to write a report over an input" in result.stderr
    assert before == {p: p.read_bytes() for p in before}, "an input changed"


def test_write_baseline_never_replaces_the_configuration(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    proposal = _proposal(repo)
    config = repo / ".ctreview.yaml"
    config.write_text("fail_on: never\n")
    result = invoke("check", proposal, "--write-baseline", config)
    assert result.exit_code == 2 and "refusing to write a report over an input" in result.stderr
    assert config.read_text() == "fail_on: never\n"


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_report_gets_the_mode_the_umask_gives(umask: int, tmp_path: Path) -> None:
    old = os.umask(umask)
    try:
        target = tmp_path / "review.md"
        assert check(SAMPLE, "--output", f"markdown={target}").exit_code in (0, 1)
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="no /dev/shm on this system")
def test_a_report_under_dev_shm_is_replaced_not_appended_to(tmp_path: Path) -> None:
    target = Path("/dev/shm") / f"ctreview-test-{os.getpid()}-{tmp_path.name}.sarif"
    try:
        for _ in range(2):
            assert check(SAMPLE, "--output", f"sarif={target}").exit_code in (0, 1)
        json.loads(target.read_text())  # one report, not two glued together
    finally:
        target.unlink(missing_ok=True)


# --- writes that fail ----------------------------------------------------------------------------


def test_a_name_too_long_is_an_output_error(tmp_path: Path) -> None:
    target = tmp_path / ("x" * 300 + ".json")
    result = check(SAMPLE, "--output", f"json={target}")
    assert result.exit_code == 2
    assert "the file name is too long" in result.stderr
    assert str(SAMPLE) not in result.stderr, "the proposal is not to blame"


def test_a_full_disk_is_an_output_error_and_the_old_report_stays(tmp_path, monkeypatch) -> None:
    target = tmp_path / "review.json"
    target.write_text("the previous report\n")
    real_fill = output._fill

    def full_disk(handle: int, content: str) -> None:
        real_fill(handle, content[:100])  # some of it fits, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output, "_fill", full_disk)
    result = check(SAMPLE, "--output", f"json={target}")
    assert result.exit_code == 2
    assert f"cannot write {target}: the disk is full" in result.stderr
    assert target.read_text() == "the previous report\n"
    assert _leftovers(tmp_path) == []


def test_a_device_that_refuses_the_write_is_an_output_error() -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    result = check(SAMPLE, "--output", "json=/dev/full")
    assert result.exit_code == 2 and "cannot write /dev/full: the disk is full" in result.stderr


def test_the_file_size_limit_is_an_output_error(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes a write fail with EFBIG (Python ignores SIGXFSZ): exit 2, the report
    left as it was, no partial file."""
    target = tmp_path / "review.html"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    done = run_ctreview(
        ["check", "--no-config", "--today", TODAY, SAMPLE, "-o", f"html={target}"],
        preexec_fn=limit,
    )
    assert done.returncode == 2, done.stderr
    assert f"cannot write {target}: the file would exceed the file-size limit" in done.stderr
    assert not target.exists() and _leftovers(tmp_path) == []


def test_a_read_only_folder_is_an_output_error(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        done = run_as_ordinary_user(
            ["check", "--no-config", "--today", TODAY, SAMPLE, "-o", f"json={folder / 'r.json'}"]
        )
    finally:
        folder.chmod(0o755)
    assert done.returncode == 2, done.stderr
    assert f"cannot write {folder / 'r.json'}: permission denied" in done.stderr
    assert list(folder.iterdir()) == []


def test_write_atomic_refuses_a_folder_and_names_the_reason(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="it is a folder"):
        write_atomic(tmp_path, "text")


# --- standard output -----------------------------------------------------------------------------


def _script() -> list[str]:
    script = Path(sys.executable).parent / "ctreview"
    return [str(script)] if script.exists() else [sys.executable, "-m", "reviewer"]


def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: Path) -> None:
    """`ctreview check ... | head -1`: no traceback, no message, status 141 (128 + SIGPIPE);
    the files named by --output are still written."""
    target = tmp_path / "review.json"
    # every sample as Markdown: far more than a pipe holds, so the writer meets the closed end
    command = [*_script(), "check", "--no-config", "--today", TODAY, *SAMPLES, "-f", "markdown"]
    producer = subprocess.Popen(
        [*command, "-o", f"json={target}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert producer.stdout is not None and producer.stderr is not None
    producer.stdout.readline()
    producer.stdout.close()  # the reader goes away after one line
    stderr = producer.stderr.read().decode()
    assert (producer.wait(timeout=60), stderr) == (141, "")
    assert json.loads(target.read_text())["proposals"]


def test_a_full_standard_output_is_an_output_error() -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*_script(), "check", "--no-config", "--today", TODAY, SAMPLE],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "Error: cannot write standard output: the disk is full"
    ]


def test_a_closed_standard_output_is_an_output_error() -> None:
    done = subprocess.run(
        [*_script(), "check", "--no-config", "--today", TODAY, SAMPLE],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    assert done.returncode == 2
    assert "cannot write standard output: it is closed" in done.stderr
    assert "Traceback" not in done.stderr


# --- stopped by a signal -------------------------------------------------------------------------


def test_a_write_stopped_by_a_signal_leaves_the_old_report_and_no_temporary_file(
    tmp_path, monkeypatch
) -> None:
    target = tmp_path / "review.md"
    target.write_text("the previous report\n")

    def stopped_halfway(handle: int, content: str) -> None:
        os.write(handle, content[:10].encode())
        raise Stopped(signal.SIGTERM)

    monkeypatch.setattr(output, "_fill", stopped_halfway)
    with pytest.raises(Stopped):
        write_atomic(target, "a new report, never finished")
    assert target.read_text() == "the previous report\n"
    assert _leftovers(tmp_path) == []


def test_a_signal_while_the_temporary_file_is_created_leaves_no_temporary_file(
    tmp_path, monkeypatch
) -> None:
    """A signal that arrives just after the temporary file exists, before its name is kept
    (a worker stopped by `screen`'s parent, seen once in CI), is held until the name is kept:
    the write then stops and removes the file."""
    import tempfile

    real = tempfile.mkstemp

    def signalled(*args, **kwargs):
        created = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)  # delivered at once unless held
        return created

    monkeypatch.setattr(tempfile, "mkstemp", signalled)
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    stop_on_signals()
    try:
        with pytest.raises(Stopped):
            write_atomic(tmp_path / "review.md", "a report")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    assert _leftovers(tmp_path) == [] and not (tmp_path / "review.md").exists()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_check_stopped_by_a_signal_exits_with_the_conventional_status(signum, tmp_path) -> None:
    target = tmp_path / "review.json"
    many = tmp_path / "many"  # several seconds of work: the signal comes well before the end
    many.mkdir()
    for n in range(600):
        shutil.copy(SAMPLE, many / f"p{n:03d}.yaml")
    run = subprocess.Popen(
        [*_script(), "check", "--no-config", "--today", TODAY, many, "-o", f"json={target}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    assert run.poll() is None, "the run ended before the signal"
    run.send_signal(signum)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 128 + signum
    assert "Traceback" not in stderr
    assert not target.exists() and _leftovers(tmp_path) == []
    assert not [p for p in many.iterdir() if not p.name.endswith(".yaml")]
