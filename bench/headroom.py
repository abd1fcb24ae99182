"""Where a review's time goes, and what two changes outside the screening code would buy.

    .venv/bin/python bench/headroom.py [--count 50]

Times each stage of a review in-process on synthetic proposals (median per proposal), then the
same stages with two prototypes, each checked to give the same result as the code it stands
in for (see bench/README.md, "Headroom"):

- parse: libyaml (ruamel.yaml.clib) composes the nodes and a short walk builds the same
  round-trip tree with the same line/column records, instead of ruamel's pure-Python parser;
- start-up: the knowledge base and rule catalogue unpickled from a cache instead of loaded.

The prototypes live here only; nothing in reviewer/ is changed.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.cyaml import CSafeLoader
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_proposals  # noqa: E402

from reviewer.facts import build_facts  # noqa: E402
from reviewer.knowledge import load_knowledge  # noqa: E402
from reviewer.loader import load_document  # noqa: E402
from reviewer.paths import data_dir  # noqa: E402
from reviewer.review import Reviewer  # noqa: E402
from reviewer.rules import load_catalogue  # noqa: E402
from reviewer.schema import to_plain, validate  # noqa: E402

warnings.simplefilter("ignore")  # ruamel warns that CSafeLoader is a legacy API


def c_parse(text: str) -> CommentedMap:
    """The round-trip tree, with its line/column records, from libyaml's nodes."""
    loader = CSafeLoader(text)
    return _tree(loader.get_single_node(), loader)


def _tree(node, loader):
    if isinstance(node, MappingNode):
        mapping = CommentedMap()
        mapping._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            mapping[key] = _tree(value_node, loader)
            key_mark, value_mark = key_node.start_mark, value_node.start_mark
            mapping._yaml_set_kv_line_col(
                key, [key_mark.line, key_mark.column, value_mark.line, value_mark.column]
            )
        return mapping
    if isinstance(node, SequenceNode):
        sequence = CommentedSeq()
        sequence._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
        for index, item in enumerate(node.value):
            sequence.append(_tree(item, loader))
            sequence._yaml_set_idx_line_col(index, [item.start_mark.line, item.start_mark.column])
        return sequence
    assert isinstance(node, ScalarNode)
    return loader.construct_object(node)


def _same_tree(a, b) -> bool:
    if isinstance(a, dict):
        return a.lc.data == b.lc.data and all(_same_tree(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return a.lc.data == b.lc.data and all(map(_same_tree, a, b))
    return a == b


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
            doc = timed("parse (round-trip, ruamel)", load_document, path)
            tree = timed("parse (libyaml + positions)", c_parse, text)
            assert _same_tree(doc.data, tree), path
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
    for parser in ("round-trip, ruamel", "libyaml + positions"):
        total = median_ms(stages[f"parse ({parser})"]) + rest
        print(f"review with parse ({parser}): {total:.0f} ms per proposal, at most "
              f"{2000 / total:.0f} proposals/s on 2 free cores")  # fmt: skip
    print(f"knowledge + catalogue: loaded {loaded * 1e3:.0f}, unpickled {unpickled * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
