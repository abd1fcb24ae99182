"""Where a review's time goes, stage by stage.

    .venv/bin/python bench/headroom.py [--count 50]

Times each stage of a review in-process on synthetic proposals (median per proposal), with the
cycle collector paused as `check` and `screen` run a review. The parse is timed twice:
`load_document` as ctreview runs it (libyaml's events when the fast path is sure of the
result, see reviewer/loader.py), and ruamel's pure-Python round-trip loader alone (the
fallback, and the only parser before); both must give the same tree. Then the start-up parts:
loading the knowledge base and rule catalogue, and compiling the engine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_proposals  # noqa: E402

from reviewer import loader  # noqa: E402
from reviewer.engine import EngineRule, RuleEngine  # noqa: E402
from reviewer.facts import build_facts  # noqa: E402
from reviewer.knowledge import load_knowledge  # noqa: E402
from reviewer.loader import load_document  # noqa: E402
from reviewer.paths import data_dir  # noqa: E402
from reviewer.review import Reviewer, paused_gc  # noqa: E402
from reviewer.rules import load_catalogue  # noqa: E402
from reviewer.schema import validate_with_data  # noqa: E402

VALIDATE = "validate (schema check, references)"
FINDINGS = "facts + rules + findings (findings_for)"


def _same_tree(a, b, positions_a, positions_b) -> bool:
    """Same data and positions (loader.Positions) on both parsers' results."""
    if isinstance(a, dict | list):
        if positions_a[id(a)] != positions_b[id(b)] or type(a) is not type(b):
            return False
        pairs = ((a[k], b[k]) for k in a) if isinstance(a, dict) else zip(a, b, strict=True)
        return all(_same_tree(x, y, positions_a, positions_b) for x, y in pairs)
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
            with paused_gc():
                doc = timed("parse (load_document)", load_document, path)
                tree = timed("parse (ruamel round-trip only)", loader._slow_parse, text, str(path))
                slow, positions = loader.plain_with_positions(tree)
                assert _same_tree(slow, doc.data, positions, doc.positions), path
                problems, data = timed(VALIDATE, validate_with_data, doc)
                assert not problems
                facts = timed("build facts", build_facts, data)
                engine_facts = [fact.as_engine_fact() for fact in facts]
                timed("rules (facts through durable-rules)", reviewer.engine.run, engine_facts)
                timed(FINDINGS, reviewer.findings_for, doc, data)

    start = time.perf_counter()
    knowledge = load_knowledge([data_dir("question_banks")])
    catalogue = load_catalogue([data_dir("rules")], knowledge)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    RuleEngine([EngineRule(r.id + "_again", r.applies_to, r.when) for r in catalogue.rules])
    compiled = time.perf_counter() - start

    print(f"median per proposal over {count} synthetic proposals:\n")
    print("| stage | ms |\n| --- | ---: |")
    for stage, values in stages.items():
        print(f"| {stage} | {median_ms(values):.1f} |")
    review = median_ms(stages[VALIDATE]) + median_ms(stages[FINDINGS])
    print()
    for parser in ("load_document", "ruamel round-trip only"):
        total = median_ms(stages[f"parse ({parser})"]) + review
        print(f"review with parse ({parser}): {total:.1f} ms per proposal, at most "
              f"{2000 / total:.0f} proposals/s on 2 free cores")  # fmt: skip
    print(f"start-up: knowledge + catalogue loaded in {loaded * 1e3:.0f} ms, "
          f"engine compiled in {compiled * 1e3:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
