"""Benchmark ctreview: cold start, screening throughput against the parse floor, scaling in
proposal size, memory in batch size, and the rule catalogue's compile time.

    .venv/bin/python bench/benchmark.py            # the full run (about half an hour on 2 cores)
    .venv/bin/python bench/benchmark.py --quick    # smaller batches, one run each (a few minutes)

Every timing is the median of several runs of a fresh process (`--runs`), except memory, which
is measured once. Proposals are synthetic (bench/synthetic.py, fixed seed) and written to a
temporary folder that is removed afterwards (`--keep DIR` keeps them there instead).
See bench/README.md for the targets and the figures measured.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_proposals  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CTREVIEW = str(Path(sys.executable).parent / "ctreview")
SAMPLE = ROOT / "samples" / "awareness-et.yaml"
SEED = 7

# Parses every file named in argv[1] (one path a line) with ruamel's round-trip loader.
FLOOR_SCRIPT = """
import sys
from ruamel.yaml import YAML
yaml = YAML()
for path in open(sys.argv[1], encoding="utf-8").read().split("\\n"):
    if path:
        with open(path, encoding="utf-8") as handle:
            yaml.load(handle.read())
"""

# The same with ctreview's own loader (its libyaml fast path, see reviewer/loader.py): what
# reading the files costs ctreview itself, a floor for screening that is not the issue's.
LOADER_FLOOR_SCRIPT = """
import sys
from reviewer.loader import load_document
for path in open(sys.argv[1], encoding="utf-8").read().split("\\n"):
    if path:
        load_document(path)
"""

# Times each stage of one review, in-process, on the files in argv[2:]; argv[1]: repeats.
STAGES_SCRIPT = """
import statistics, sys, time
import reviewer.loader as loader
from reviewer.review import Reviewer, paused_gc
from reviewer.schema import validate, to_plain
reviewer = Reviewer()
default_nodes = loader.MAX_NODES
for path in sys.argv[2:]:
    loader.MAX_NODES = default_nodes
    try:
        loader.load_document(path)
        accepted = "yes"
    except loader.InputError as error:
        accepted = "no: " + error.message
    loader.MAX_NODES = 10**7  # lift the safety limits: this measures the algorithms
    times = {"parse": [], "validate": [], "rules": []}
    for _ in range(int(sys.argv[1])):
        with paused_gc():  # as `check` and `screen` run a review
            t0 = time.perf_counter()
            doc = loader.load_document(path, max_bytes=10**9)
            t1 = time.perf_counter()
            assert not validate(doc)
            t2 = time.perf_counter()
            reviewer.findings_for(doc, to_plain(doc.data))
            t3 = time.perf_counter()
        for stage, seconds in zip(times, (t1 - t0, t2 - t1, t3 - t2)):
            times[stage].append(seconds)
    medians = {stage: statistics.median(values) for stage, values in times.items()}
    print(path, *(f"{medians[s]:.6f}" for s in times), accepted, sep="\\t")
"""

# Runs the command in argv[1:] and prints the peak RSS (kB) of its largest process.
MEMORY_SCRIPT = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""

COMPILE_SCRIPT = """
import time
t0 = time.perf_counter()
from reviewer.review import Reviewer
from reviewer.engine import EngineRule, RuleEngine
t1 = time.perf_counter()
reviewer = Reviewer()
t2 = time.perf_counter()
rules = reviewer.catalogue.rules
engine_rules = [EngineRule(r.id + "_again", r.applies_to, r.when) for r in rules]
t3 = time.perf_counter()
RuleEngine(engine_rules)  # a second catalogue (new ids): the engine compile alone
t4 = time.perf_counter()
print(f"{t1 - t0:.6f} {t2 - t1:.6f} {t4 - t3:.6f} {len(rules)}")
"""


def run(command: Sequence[str], **kwargs) -> float:
    """Wall time of one process, output discarded; fails on exit codes other than 0 and 1."""
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()[-2000:]}")
    return elapsed


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def screen_command(folder: Path, jobs: int, *extra: str) -> list[str]:
    return [CTREVIEW, "screen", str(folder), "--quiet", "--no-config", "--jobs", str(jobs), *extra]


def parse_floor(files: list[Path], jobs: int, workdir: Path, script: str = FLOOR_SCRIPT) -> float:
    """Wall time of `jobs` processes parsing their share of the files (round-trip, no checks;
    or with another `script`)."""
    lists = []
    for index in range(jobs):
        listing = workdir / f"floor-{index}.txt"
        listing.write_text("\n".join(str(p) for p in files[index::jobs]), encoding="utf-8")
        lists.append(listing)
    start = time.perf_counter()
    processes = [subprocess.Popen([PYTHON, "-c", script, str(p)]) for p in lists]
    if any(process.wait() for process in processes):
        raise SystemExit("the parse floor script failed")
    return time.perf_counter() - start


class TreeMemory:
    """Samples the resident memory of a process and its descendants (Linux /proc)."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid, self.interval = pid, interval
        self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.is_set():
            screen = _tree(self.pid)[1:]  # the wrapper itself is not counted
            self.peak_total = max(self.peak_total, sum(map(_rss_kb, screen)))
            self._stop.wait(self.interval)


def _tree(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def screen_memory(folder: Path, jobs: int) -> tuple[float, int, int]:
    """(wall seconds, peak RSS of all screen processes together, peak RSS of the largest one),
    in kB. A small wrapper runs the screen so that its getrusage(RUSAGE_CHILDREN) sees only
    the screen's processes; the total is sampled from /proc."""
    start = time.perf_counter()
    wrapper = subprocess.Popen(
        [PYTHON, "-c", MEMORY_SCRIPT, *screen_command(folder, jobs)], stdout=subprocess.PIPE
    )
    with TreeMemory(wrapper.pid) as memory:
        largest, _ = wrapper.communicate()
    return time.perf_counter() - start, memory.peak_total, int(largest)


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown",
    )  # fmt: skip
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark ctreview (see bench/README.md).")
    parser.add_argument("--quick", action="store_true", help="smaller batches, one run each")
    parser.add_argument("--runs", type=int, help="runs per timing (default 3, quick 1)")
    parser.add_argument("--keep", type=Path, help="write the proposals here and keep them")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    batch, big_batch = (200, 2_000) if args.quick else (1_000, 10_000)
    sizes = (10, 100, 1_000)
    with tempfile.TemporaryDirectory(prefix="ctreview-bench-") as temp:
        work = args.keep or Path(temp)
        report(work, runs, batch, big_batch, sizes)


def report(work: Path, runs: int, batch: int, big_batch: int, sizes: Sequence[int]) -> None:
    say(f"machine: {machine()}")
    say(f"writing {big_batch:,} synthetic proposals (seed {SEED}) to {work} ...")
    files = write_proposals(work / "batch", batch, SEED)
    write_proposals(work / "big", big_batch - batch, SEED, start=batch)
    for path in files:  # the big batch holds the small one: proposal i is always the same
        os.link(path, work / "big" / path.name)
    size = statistics.median(p.stat().st_size for p in files) / 1000
    rows: list[tuple[str, str, str]] = []

    def row(measure: str, result: str, notes: str) -> None:
        say(f"{measure}: {result} ({notes})")
        rows.append((measure, result, notes))

    load, total, engine, rules = subprocess.run(
        [PYTHON, "-c", COMPILE_SCRIPT], capture_output=True, text=True, check=True
    ).stdout.split()
    row(
        "rule catalogue load + compile (`Reviewer()`)",
        f"{float(total) * 1e3:.0f} ms",
        f"{rules} rules; engine compile alone {float(engine) * 1e3:.0f} ms; "
        f"imports {float(load) * 1e3:.0f} ms",
    )
    cold = median_of(max(runs, 5), lambda: run([CTREVIEW, "check", str(SAMPLE)]))
    row("cold `ctreview check` of one sample", f"{cold:.2f} s", "target <= 0.25 s")

    for jobs in (1, 2):
        wall = median_of(runs, lambda jobs=jobs: run(screen_command(work / "batch", jobs)))
        floor = median_of(runs, lambda jobs=jobs: parse_floor(files, jobs, work))
        row(
            f"screen {batch:,} proposals, --jobs {jobs}",
            f"{batch / wall:.1f} /s",
            f"{wall:.1f} s; target >= 300/s with 2 jobs",
        )
        row(
            f"parse floor (round-trip only), {jobs} process(es)",
            f"{batch / floor:.1f} /s",
            f"{floor:.1f} s; screen / floor = {wall / floor:.2f} (target <= 1.5)",
        )
        loading = median_of(
            runs, lambda jobs=jobs: parse_floor(files, jobs, work, LOADER_FLOOR_SCRIPT)
        )
        row(
            f"load floor (ctreview's loader only), {jobs} process(es)",
            f"{batch / loading:.1f} /s",
            f"{loading:.1f} s; screen / load floor = {wall / loading:.2f}",
        )
    out = str(work / "out")
    wall = median_of(runs, lambda: run(screen_command(work / "batch", 2, "--out", out)))
    row(
        f"screen {batch:,} proposals, --jobs 2 --out",
        f"{batch / wall:.1f} /s",
        f"{wall:.1f} s; a Markdown report per proposal and the portfolio",
    )

    scaled = [
        write_proposals(work / f"size-{n}", 1, SEED, components=n, indicators=2 * n)[0]
        for n in sizes
    ]
    stages = subprocess.run(
        [PYTHON, "-c", STAGES_SCRIPT, str(max(runs, 3)), *map(str, scaled)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.splitlines()
    for n, path, line in zip(sizes, scaled, stages, strict=True):
        parse, validate, rules_time = (float(x) for x in line.split("\t")[1:4])
        seconds = parse + validate + rules_time
        row(
            f"one proposal, {n:,} components, {2 * n:,} indicators",
            f"{seconds * 1e3:.0f} ms",
            f"{path.stat().st_size / 1e6:.2f} MB; parse {parse * 1e3:.0f} + validate "
            f"{validate * 1e3:.0f} + rules {rules_time * 1e3:.0f} ms = "
            f"{seconds / n * 1e3:.1f} ms per component; default limits accept it: "
            f"{line.split(chr(9))[4]}",
        )

    for folder, count in ((work / "batch", batch), (work / "big", big_batch)):
        wall, tree, largest = screen_memory(folder, 2)
        row(
            f"peak memory, screen {count:,} proposals, --jobs 2",
            f"{tree / 1024:.0f} MB",
            f"all processes; largest {largest / 1024:.0f} MB; {count / wall:.1f} proposals/s",
        )

    print("\n| measure | result | notes |\n| --- | ---: | --- |")
    for cells in rows:
        print("| " + " | ".join(cells) + " |")
    print(f"\n{machine()}; median proposal {size:.0f} kB; median of {runs} run(s) per timing")


def say(text: str) -> None:
    print(textwrap.shorten(text, 200), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
