"""Synthetic proposals for the benchmark, built from the samples' own parts.

Each proposal takes a sample's programme-level parts (patterns, target groups, theory of change,
partners) and draws its components and indicators from the pool of every sample's components
and indicators, so values come from the format's vocabularies and read like real proposals.
Ids are renumbered and every reference (component -> target group, pattern, partner; indicator,
budget line and barrier -> component) is redrawn among the ids the proposal defines, so every
proposal is valid. Budget lines add up to the total. A proposal depends only on (seed, index),
never on how many are generated or in which order.

    python bench/synthetic.py OUT_DIR --count 100 [--seed 7] [--components N --indicators M]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


class Generator:
    """Draws proposals from the samples' parts with a fixed seed."""

    def __init__(self, samples: list[dict[str, Any]], seed: int) -> None:
        self.samples = samples
        self.seed = seed
        self.components = [c for s in samples for c in s["components"]]
        self.indicators = [i for s in samples for i in s["mel"]["indicators"]]

    def proposal(
        self, index: int, components: int | None = None, indicators: int | None = None
    ) -> dict[str, Any]:
        rng = random.Random(f"{self.seed}:{index}")
        data = copy.deepcopy(rng.choice(self.samples))
        data["id"] = f"SYN-{index:06d}"
        data["title"] = f"{data['title']} (synthetic {index})"
        count = components or rng.randint(5, 15)
        data["components"] = [self._component(rng, data, n) for n in range(1, count + 1)]
        component_ids = [c["id"] for c in data["components"]]
        count = indicators or rng.randint(10, 30)
        data["mel"]["indicators"] = [
            self._indicator(rng, component_ids, n) for n in range(1, count + 1)
        ]
        for group in data["target_groups"]:
            for barrier in group.get("barriers", []):
                if "components" in barrier:
                    barrier["components"] = _some(rng, component_ids)
        data["budget_lines"] = _budget(rng, component_ids, data["budget"]["total"])
        for entry in (data.get("sustainability") or {}).get("handover", []):
            entry["component"] = rng.choice(component_ids)
        return data

    def _component(self, rng: random.Random, data: dict[str, Any], n: int) -> dict[str, Any]:
        component = copy.deepcopy(rng.choice(self.components))
        component["id"] = f"c-{n}"
        for field, source in (
            ("target_groups", "target_groups"),
            ("patterns", "trafficking_patterns"),
            ("partners", "partners"),
        ):
            if field in component:
                component[field] = _some(rng, [item["id"] for item in data[source]])
        return component

    def _indicator(self, rng: random.Random, component_ids: list[str], n: int) -> dict[str, Any]:
        indicator = copy.deepcopy(rng.choice(self.indicators))
        indicator["id"] = f"i-{n}"
        indicator["components"] = _some(rng, component_ids)
        return indicator


def _some(rng: random.Random, ids: list[str]) -> list[str]:
    return sorted(rng.sample(ids, min(len(ids), rng.randint(1, 2))))


def _budget(rng: random.Random, component_ids: list[str], total: int) -> list[dict[str, Any]]:
    """One activity line per component plus staff, MEL and overhead, adding up to `total`."""
    shares = {"staff": 0.15, "mel": 0.07, "overhead": 0.07}
    fixed = {category: int(total * share) for category, share in shares.items()}
    left = total - sum(fixed.values())
    weights = [rng.randint(1, 5) for _ in component_ids]
    amounts = [left * w // sum(weights) for w in weights]
    amounts[0] += left - sum(amounts)
    lines = [
        {"id": f"bl-{cid}", "description": f"Activities of {cid}", "amount": amount,
         "category": "activities", "components": [cid]}
        for cid, amount in zip(component_ids, amounts, strict=True)
    ]  # fmt: skip
    lines += [
        {"id": f"bl-{category}", "description": category.title(), "amount": amount,
         "category": category, "components": list(component_ids)}
        for category, amount in fixed.items()
    ]  # fmt: skip
    return lines


# --- a small block-style YAML writer (ruamel's emitter is too slow for 10,000 files) ----------


def to_yaml(data: dict[str, Any]) -> str:
    return "\n".join(_mapping(data, 0)) + "\n"


def _mapping(data: dict[str, Any], indent: int) -> Iterator[str]:
    pad = " " * indent
    for key, value in data.items():
        if isinstance(value, dict) and value:
            yield f"{pad}{key}:"
            yield from _mapping(value, indent + 2)
        elif isinstance(value, list) and value:
            yield f"{pad}{key}:"
            yield from _sequence(value, indent + 2)
        else:
            yield f"{pad}{key}: {_scalar(value)}"


def _sequence(items: list[Any], indent: int) -> Iterator[str]:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict) and item:
            lines = list(_mapping(item, indent + 2))
            yield f"{pad}- {lines[0].lstrip()}"
            yield from lines[1:]
        else:
            yield f"{pad}- {_scalar(item)}"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def load_samples(folder: Path = SAMPLES) -> list[dict[str, Any]]:
    yaml = YAML(typ="safe")
    return [yaml.load(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.yaml"))]


def write_proposals(
    folder: Path,
    count: int,
    seed: int = 7,
    *,
    components: int | None = None,
    indicators: int | None = None,
    start: int = 0,
) -> list[Path]:
    """Write proposals `start` .. `start + count - 1` as folder/pNNNNNN.yaml."""
    generator = Generator(load_samples(), seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(start, start + count):
        path = folder / f"p{index:06d}.yaml"
        data = generator.proposal(index, components, indicators)
        path.write_text(to_yaml(data), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--components", type=int)
    parser.add_argument("--indicators", type=int)
    args = parser.parse_args()
    paths = write_proposals(
        args.out, args.count, args.seed, components=args.components, indicators=args.indicators
    )
    print(f"wrote {len(paths)} proposals to {args.out}")


if __name__ == "__main__":
    main()
