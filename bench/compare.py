"""This working tree against an earlier commit, measured in the same minutes.

    .venv/bin/python bench/compare.py REV [--count 300] [--rounds 5] [--samples-from REV]

The machine this project is measured on drifts by 10% and more within an hour, so two
benchmark runs taken at different times cannot show a change of a few percent. This script
checks REV out into a temporary folder (`git archive`), writes one set of synthetic proposals
(from the samples of `--samples-from`, by default REV's, so that both versions accept them),
and then alternates the two versions round by round: each round, each version loads and
reviews the same proposals in a fresh process (the cycle collector paused per review, as the
CLI runs one) and runs a cold `ctreview check` of one sample. The best round of each version
is printed: interference from the rest of the machine only ever adds time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# Runs inside each version's process: loading and reviewing every file, ms per proposal.
REVIEW_SCRIPT = """
import gc, sys, time
from pathlib import Path
from reviewer.loader import load_document
from reviewer.review import Reviewer
reviewer = Reviewer()
paths = sorted(Path(sys.argv[1]).glob("*.yaml"))
total = 0.0
for path in paths:
    gc.disable()
    start = time.perf_counter()
    reviewer.review_document(load_document(path))
    total += time.perf_counter() - start
    gc.enable()
print(total / len(paths) * 1e3)
"""


def checkout(rev: str, into: Path) -> Path:
    """The tree of `rev` (code, rules, banks, samples) in a folder of its own."""
    into.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(into / "reviewer")], check=True)
    return into


def review_ms(tree: Path, folder: Path) -> float:
    done = subprocess.run(
        [PYTHON, "-c", REVIEW_SCRIPT, str(folder)],
        env=_env(tree), cwd=tree, check=True, capture_output=True, text=True,
    )
    return float(done.stdout.strip())


def cold_check_s(tree: Path, sample: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-m", "reviewer", "check", str(sample), "--no-config"],
        env=_env(tree), cwd=tree, capture_output=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"check failed in {tree}:\n{done.stderr.decode()[-2000:]}")
    return elapsed


def _env(tree: Path) -> dict[str, str]:
    """Run `tree`'s code: first on the path, ahead of the installed (editable) package
    (the processes also start in `tree`, which `-c` and `-m` put first of all)."""
    return {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}


def main() -> None:
    parser = argparse.ArgumentParser(description="This tree against REV, in the same minutes.")
    parser.add_argument("rev", help="the commit to compare with, e.g. main~3 or 0debf1d")
    parser.add_argument("--count", type=int, default=300, help="synthetic proposals")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--samples-from", help="the commit whose samples the proposals are "
                        "drawn from (default: REV's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        trees = {args.rev: checkout(args.rev, work / "rev"), "this tree": ROOT}
        subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "reviewer")], check=True)
        samples = trees[args.rev] / "samples"
        if args.samples_from:
            samples = checkout(args.samples_from, work / "samples-from") / "samples"
        synthetic.load_samples.__defaults__ = (samples,)
        folder = work / "proposals"
        synthetic.write_proposals(folder, args.count, seed=7)
        sample = sorted(samples.glob("*.yaml"))[0]
        reviews: dict[str, list[float]] = {name: [] for name in trees}
        colds: dict[str, list[float]] = {name: [] for name in trees}
        for round_number in range(1, args.rounds + 1):
            for name, tree in trees.items():
                reviews[name].append(review_ms(tree, folder))
                colds[name].append(cold_check_s(tree, sample))
            print(f"round {round_number}: " + ", ".join(
                f"{name} {reviews[name][-1]:.2f} ms" for name in trees), file=sys.stderr)
        report(args.rev, reviews, colds, args.count, sample.name)


def report(rev: str, reviews: dict, colds: dict, count: int, sample: str) -> None:
    base_review, base_cold = min(reviews[rev]), min(colds[rev])
    print(f"\n{count} synthetic proposals; best of {len(reviews[rev])} alternating rounds "
          f"(median in brackets)\n")
    print("| version | load + review, ms per proposal | change | cold check of "
          f"{sample} | change |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in reviews:
        review, cold = min(reviews[name]), min(colds[name])
        print(
            f"| {name} | {review:.2f} ({statistics.median(reviews[name]):.2f}) | "
            f"{(review / base_review - 1) * 100:+.0f}% | {cold:.3f} s "
            f"({statistics.median(colds[name]):.3f}) | {(cold / base_cold - 1) * 100:+.0f}% |"
        )


if __name__ == "__main__":
    main()
