"""Where a review's time goes, and what caching the rule catalogue would buy.

    .venv/bin/python bench/headroom.py [--count 50]

Times each stage of a review in-process on synthetic proposals (median per proposal). The parse
is timed twice: `load_document` as ctreview runs it (libyaml's events when the fast path is
sure of the result, see reviewer/loader.py), and ruamel's pure-Python round-trip loader alone
(the fallback, and the only parser before); both must give the same tree. Then a prototype
(see bench/README.md, "Headroom"):

- start-up: the knowledge base and rule catalogue unpickled from a cache instead of loaded.

The prototype lives here only; nothing in reviewer/ is changed.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_proposals  # noqa: E402

from reviewer import loader  # noqa: E402
from reviewer.facts import build_facts  # noqa: E402
from reviewer.knowledge import load_knowledge  # noqa: E402
from reviewer.loader import load_document  # noqa: E402
from reviewer.paths import data_dir  # noqa: E402
from reviewer.review import Reviewer  # noqa: E402
from reviewer.rules import load_catalogue  # noqa: E402
from reviewer.schema import to_plain, validate  # noqa: E402


def _same_tree(a, b) -> bool:
    if isinstance(a, dict):
        return a.lc.data == b.lc.data and all(_same_tree(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return a.lc.data == b.lc.data and all(map(_same_tree, a, b))
    return type(a) is type(b) and a == b


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description="Stage costs and headroom (bench/README.md).")
    parser.add_argument("--count", type=int, default=50)
    count = parser.parse_args().count
    reviewer = Reviewer()
    with tempfile.TemporaryDirectory() as temp:
        paths = write_proposals(Path(temp), count, seed=7)
        texts = [p.read_text(encoding="utf-8") for p in paths]
        stages: dict[str, list[float]] = {}

        def timed(stage: str, function, *args):
            start = time.perf_counter()
            result = function(*args)
            stages.setdefault(stage, []).append(time.perf_counter() - start)
            return result

        for path, text in zip(paths, texts, strict=True):
            doc = timed("parse (load_document)", load_document, path)
            tree = timed("parse (ruamel round-trip only)", loader._slow_parse, text, str(path))
            assert _same_tree(tree, doc.data), path
            assert not timed("validate (JSON Schema, references)", validate, doc)
            data = to_plain(doc.data)
            timed("build facts", build_facts, data)
            timed("rules (facts through durable-rules)", reviewer.findings_for, doc, data)

    start = time.perf_counter()
    knowledge = load_knowledge([data_dir("question_banks")])
    catalogue = load_catalogue([data_dir("rules")], knowledge)
    loaded = time.perf_counter() - start
    blob = pickle.dumps((knowledge, catalogue))
    start = time.perf_counter()
    pickle.loads(blob)
    unpickled = time.perf_counter() - start

    print(f"median per proposal over {count} synthetic proposals:\n")
    print("| stage | ms |\n| --- | ---: |")
    for stage, values in stages.items():
        print(f"| {stage} | {median_ms(values):.1f} |")
    rest = sum(median_ms(values) for stage, values in stages.items() if "parse" not in stage)
    print()
    for parser in ("load_document", "ruamel round-trip only"):
        total = median_ms(stages[f"parse ({parser})"]) + rest
        print(f"review with parse ({parser}): {total:.0f} ms per proposal, at most "
              f"{2000 / total:.0f} proposals/s on 2 free cores")  # fmt: skip
    print(f"knowledge + catalogue: loaded {loaded * 1e3:.0f}, unpickled {unpickled * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
