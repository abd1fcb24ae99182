"""Invariants a funder relies on when comparing proposals and re-running reviews.

- The findings do not depend on the order of any list in a proposal.
- The same input gives byte-identical reports in every format, even across processes with
  different hash seeds (set iteration order changes with the seed).
- `screen --jobs 2` gives exactly what `--jobs 1` gives.
- A run writes only the outputs it is told to write, and a second run changes nothing else.
- A review leaves the document it reads as it was (its plain data shares the document's
  containers where there is nothing to drop or convert).
"""

from __future__ import annotations

import copy
import filecmp
import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from robustness_helpers import (
    FORMATS,
    REPO,
    SAMPLES,
    SCALE,
    TODAY,
    check,
    dump_yaml,
    invoke,
    load_plain,
    one_reviewer,
    run_ctreview,
)

pytestmark = pytest.mark.usefixtures(one_reviewer.__name__)

SAMPLE_DATA = {path.name: load_plain(path) for path in SAMPLES}
REPORT_NAMES = {
    "markdown": "report.md",
    "html": "report.html",
    "json": "report.json",
    "sarif": "report.sarif",
    "junit": "report.xml",
    "github": "report.github.txt",
    "text": "report.txt",
}


# --- list order -------------------------------------------------------------------------------


def shuffle_every_list(node: Any, rng: random.Random) -> int:
    """Shuffle, in place, every list in a tree (lists inside lists too); return how many."""
    shuffled = 0
    if isinstance(node, dict):
        for value in node.values():
            shuffled += shuffle_every_list(value, rng)
    elif isinstance(node, list):
        for item in node:
            shuffled += shuffle_every_list(item, rng)
        rng.shuffle(node)
        shuffled += 1
    return shuffled


def finding_identities(path: Path) -> list[tuple[str, str, str]]:
    """The findings of a review as (rule id, entity, item), sorted."""
    result = check(path, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return sorted(
        (f["rule"], f["entity"], f["item"])
        for proposal in json.loads(result.stdout)["proposals"]
        for f in proposal["findings"]
    )


@pytest.fixture(scope="module")
def baseline_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    """Each sample's findings, read back from the same YAML dumper the shuffled copies use."""
    folder = tmp_path_factory.mktemp("in-order")
    return {
        name: finding_identities(dump_yaml(data, folder / name))
        for name, data in SAMPLE_DATA.items()
    }


@settings(
    max_examples=24 * SCALE,
    deadline=None,
    derandomize=SCALE == 1,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=st.sampled_from(sorted(SAMPLE_DATA)), rng=st.randoms(use_true_random=False))
def test_findings_do_not_depend_on_list_order(
    tmp_path: Path, baseline_findings: dict[str, list[tuple]], name: str, rng: random.Random
) -> None:
    data = copy.deepcopy(SAMPLE_DATA[name])
    assert shuffle_every_list(data, rng) > 10
    shuffled = finding_identities(dump_yaml(data, tmp_path / name))
    assert shuffled == baseline_findings[name]


def test_the_order_property_can_fail(tmp_path: Path) -> None:
    """The comparison above sees a change: removing a component changes the findings."""
    name = "livelihoods-np.yaml"
    data = copy.deepcopy(SAMPLE_DATA[name])
    data["budget_lines"] = data["budget_lines"][:1]
    changed = finding_identities(dump_yaml(data, tmp_path / name))
    original = finding_identities(dump_yaml(SAMPLE_DATA[name], tmp_path / f"original-{name}"))
    assert changed != original


# --- reproducible reports ----------------------------------------------------------------------


def _all_formats(out: Path, hash_seed: str) -> str:
    """Every format of one review of all samples, from a fresh process; the text on stdout."""
    outputs = [f"{fmt}={out / REPORT_NAMES[fmt]}" for fmt in FORMATS if fmt != "text"]
    args = ["check", "--today", TODAY, *(str(p.relative_to(REPO)) for p in SAMPLES)]
    for spec in outputs:
        args += ["--output", spec]
    done = run_ctreview(args, cwd=REPO, PYTHONHASHSEED=hash_seed)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def test_reports_are_byte_identical_across_runs(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    text = [_all_formats(first, "1"), _all_formats(second, "2")]
    assert text[0] == text[1] and "findings" in text[0]
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(REPORT_NAMES[f] for f in FORMATS if f != "text")
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_in_process_runs_give_identical_output(tmp_path: Path) -> None:
    for fmt in FORMATS:
        runs = [check(SAMPLES[0], "--format", fmt).stdout for _ in range(2)]
        assert runs[0] == runs[1] and runs[0], fmt


# --- screening in parallel -----------------------------------------------------------------------


def test_screen_with_two_jobs_equals_one_job(tmp_path: Path) -> None:
    if not (REPO / "reviewer" / "screen.py").exists():
        pytest.skip("reviewer/screen.py (ctreview screen) does not exist yet")
    outs = {jobs: tmp_path / f"jobs-{jobs}" for jobs in (1, 2)}
    tables = {}
    for jobs, out in outs.items():
        common = ["screen", "--today", TODAY, "--jobs", str(jobs), "samples"]
        tables[jobs] = run_ctreview(common, cwd=REPO).stdout
        done = run_ctreview(
            [*common, "--out", str(out), *(f"--report-format={fmt}" for fmt in FORMATS)], cwd=REPO
        )
        assert done.returncode in (0, 1), done.stderr
    assert tables[1] == tables[2] and "samples/" in tables[1]
    comparison = filecmp.dircmp(outs[1], outs[2])
    _assert_same_tree(comparison)
    assert len(list(outs[1].rglob("*"))) > len(SAMPLES) * len(FORMATS)


def _assert_same_tree(comparison: filecmp.dircmp) -> None:
    assert not comparison.left_only and not comparison.right_only
    for name in comparison.common_files:
        left = Path(comparison.left) / name
        assert left.read_bytes() == (Path(comparison.right) / name).read_bytes(), left
    for sub in comparison.subdirs.values():
        _assert_same_tree(sub)


# --- what a run touches --------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every file and folder under root: content (None for folders) and modification time."""
    return {
        str(path.relative_to(root)): (
            None if path.is_dir() else path.read_bytes(),
            path.stat().st_mtime_ns,
        )
        for path in sorted(root.rglob("*"))
    }


def changed(before: dict, after: dict) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def test_a_run_writes_only_its_named_outputs(tmp_path: Path) -> None:
    work = tmp_path / "call"
    shutil.copytree(REPO / "samples", work / "samples")
    proposals = sorted((work / "samples").glob("*.yaml"))
    outputs = {"json": "out/review.json", "sarif": "out/review.sarif", "html": "review.html"}
    args = ["check", "--no-config", "--today", TODAY, *proposals]
    for fmt, name in outputs.items():
        args += ["--output", f"{fmt}={work / name}"]
    states = [snapshot(work)]
    for _ in range(2):
        assert invoke(*args).exit_code in (0, 1)
        states.append(snapshot(work))
    named = set(outputs.values())
    assert changed(states[0], states[1]) == named | {"out"}
    assert changed(states[1], states[2]) <= named | {"out"}, "only the outputs are rewritten"
    for name in named:
        assert states[1][name][0] == states[2][name][0], f"{name} differs between runs"


def test_a_baseline_run_writes_only_the_baseline(tmp_path: Path) -> None:
    work = tmp_path / "call"
    shutil.copytree(REPO / "samples", work / "samples")
    proposals = sorted((work / "samples").glob("*.yaml"))
    args = ["check", "--no-config", "--today", TODAY, *proposals]
    before = snapshot(work)
    assert invoke(*args, "--write-baseline", work / "baseline.json").exit_code == 0
    after = snapshot(work)
    assert changed(before, after) == {"baseline.json"}
    result = invoke(*args, "--baseline", work / "baseline.json")
    assert result.exit_code == 0
    assert changed(after, snapshot(work)) == set(), "reading a baseline writes nothing"


def test_a_review_leaves_the_document_as_it_was() -> None:
    """No step changes the data it is handed, which shares containers with the document
    (schema._plain_noting_blanks copies only what it drops or converts)."""
    from reviewer.loader import load_document
    from reviewer.review import Reviewer

    reviewer = Reviewer()
    paths = [
        *SAMPLES,
        *sorted((REPO / "samples" / "probes").glob("*.yaml")),
        *sorted((REPO / "tests" / "proposals" / "unseen").rglob("*.yaml")),
    ]
    assert len(paths) > 30
    found = 0
    for path in paths:
        doc = load_document(path)
        before = copy.deepcopy(doc.data)
        review = reviewer.review_document(doc)
        assert review.ok, path
        assert repr(doc.data) == repr(before), path
        found += len(review.findings)
    assert found > 500
