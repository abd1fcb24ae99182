"""Measure each content check on its labelled corpus: precision, recall, and the texts it gets
wrong.

A corpus (``tests/corpora/<check>.yaml``) is a list of short texts written as proposals are
written, each labelled by a counter-trafficking M&E specialist: `match: true` when the check
should hold. The corpora were written apart from the lexicons, as ground truth. A check below
90% precision may only drive rules at info level (a test holds that); docs/content-checks.md
and the README print these figures. Run: ``ctreview test-rules --corpus tests/corpora``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

from reviewer.checks import CHECKS, TextReader
from reviewer.lexicon import Lexicons

PRECISION_FLOOR = 0.90  # below it, a check's rules stay at info


@dataclass(frozen=True)
class Case:
    text: str
    match: bool
    note: str = ""


@dataclass(frozen=True)
class Measure:
    """A check's results on its corpus."""

    check: str
    cases: int
    true_positives: int
    false_positives: int
    false_negatives: int
    wrong: tuple[tuple[Case, bool], ...] = field(default=(), repr=False)  # (case, answer)

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        relevant = self.true_positives + self.false_negatives
        return self.true_positives / relevant if relevant else 1.0

    @property
    def positives(self) -> int:
        return self.true_positives + self.false_negatives


class CorpusError(ValueError):
    """A corpus file that cannot be read; the message names the file."""


def load_corpus(path: Path) -> tuple[str, list[Case]]:
    """The check a corpus file is for, and its cases."""
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except Exception as error:  # any parse problem is the same to the caller: unreadable file
        raise CorpusError(f"{path}: cannot read the corpus ({error})") from None
    if not isinstance(data, dict) or data.get("check") not in CHECKS:
        raise CorpusError(f"{path}: 'check:' must name one of {', '.join(sorted(CHECKS))}")
    cases = []
    for index, raw in enumerate(data.get("cases") or []):
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
            raise CorpusError(f"{path}: cases[{index}] needs a text and match: true|false")
        if not isinstance(raw.get("match"), bool):
            raise CorpusError(f"{path}: cases[{index}] needs match: true or false")
        cases.append(Case(raw["text"], raw["match"], str(raw.get("note") or "")))
    return data["check"], cases


def measure(check: str, cases: Sequence[Case], reader: TextReader) -> Measure:
    answers = [(case, reader.check(check, case.text)) for case in cases]
    return Measure(
        check=check,
        cases=len(cases),
        true_positives=sum(1 for case, said in answers if said and case.match),
        false_positives=sum(1 for case, said in answers if said and not case.match),
        false_negatives=sum(1 for case, said in answers if not said and case.match),
        wrong=tuple((case, said) for case, said in answers if said != case.match),
    )


def measure_folder(folder: Path, lexicons: Lexicons, language: str = "en") -> list[Measure]:
    """Every corpus of a folder, in check-name order."""
    reader = TextReader(lexicons, language)
    loaded = [load_corpus(path) for path in sorted(Path(folder).glob("*.yaml"))]
    return sorted((measure(check, cases, reader) for check, cases in loaded),
                  key=lambda m: m.check)


def table(measures: Iterable[Measure]) -> str:
    """The figures as a Markdown table (the README and docs/content-checks.md show it)."""
    rows = [
        "| check | texts | of which should match | precision | recall |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for m in measures:
        rows.append(
            f"| `{m.check}` | {m.cases} | {m.positives} | {m.precision:.0%} | {m.recall:.0%} |"
        )
    return "\n".join(rows) + "\n"
