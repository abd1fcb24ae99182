"""Measure each content check on its labelled corpus: precision, recall, and the texts it gets
wrong.

A corpus (``tests/corpora/<check>.yaml``) is a list of short texts written as proposals are
written, each labelled by a counter-trafficking M&E specialist: `match: true` when the check
should hold. The corpora were written apart from the lexicons, as ground truth. A check below
90% precision may only drive rules at info level, and so may one below 90% recall where a rule
fires on its no (a test holds both); docs/content-checks.md
and the README print these figures. Run: ``ctreview test-rules --corpus tests/corpora``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from reviewer.checks import CHECKS, TextReader
from reviewer.conditions import evaluate, signed_leaves
from reviewer.lexicon import Lexicons

# A check may drive a rule above info only if its precision reaches PRECISION_FLOOR on all
# its labelled texts (tuning and held-out together) and HELD_OUT_FLOOR on the held-out ones
# alone: texts written by someone else and never used to tune it, a guard against a lexicon
# fitted to its own corpus. Below either, its rules stay at info (tests/test_content_checks.py).
PRECISION_FLOOR = 0.90
HELD_OUT_FLOOR = 0.85
TUNING = Path("tests/corpora")
HELD_OUT = TUNING / "held-out"


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


@dataclass(frozen=True)
class CheckFigures:
    """A check's figures on its tuning corpus, its held-out corpus and both together."""

    check: str
    tuning: Measure
    held_out: Measure

    @property
    def combined(self) -> Measure:
        t, h = self.tuning, self.held_out
        return Measure(
            self.check,
            t.cases + h.cases,
            t.true_positives + h.true_positives,
            t.false_positives + h.false_positives,
            t.false_negatives + h.false_negatives,
        )

    @property
    def may_warn(self) -> bool:
        """Whether the check may drive a rule above info on its yes (see PRECISION_FLOOR): a
        false yes there accuses a design that does not have the fault."""
        return (
            self.combined.precision >= PRECISION_FLOOR
            and self.held_out.precision >= HELD_OUT_FLOOR
        )

    @property
    def may_warn_on_no(self) -> bool:
        """Whether the check may drive a rule above info on its no (a rule that fires where
        the check does not find what it looks for, e.g. "network work not described"): there a
        miss accuses a design that does say it, so the floors apply to recall."""
        return (
            self.combined.recall >= PRECISION_FLOOR
            and self.held_out.recall >= HELD_OUT_FLOOR
        )

    def may_warn_on(self, answers: Iterable[str]) -> bool:
        """Whether the check may drive a rule above info that fires on these answers."""
        return ("yes" not in answers or self.may_warn) and (
            "no" not in answers or self.may_warn_on_no
        )


def check_figures(root: Path, lexicons: Lexicons, language: str = "en") -> list[CheckFigures]:
    """Every check's figures, from the corpora under `root` (the repository)."""
    tuning = {m.check: m for m in measure_folder(root / TUNING, lexicons, language)}
    held_out = {m.check: m for m in measure_folder(root / HELD_OUT, lexicons, language)}
    return [CheckFigures(name, tuning[name], held_out[name]) for name in sorted(tuning)
            if name in held_out]


FIGURES_START = "<!-- content-check figures: generated by `ctreview generate-docs` -->"
FIGURES_END = "<!-- end of content-check figures -->"


def figures_table(
    figures: Iterable[CheckFigures], rules_of: Mapping[str, Sequence[str]] | None = None
) -> str:
    """The Markdown table README.md and docs/content-checks.md show between their markers;
    `rules_of` names, per check, the rules that read what it decides."""
    rows = [
        "| check | texts (tuning + held-out) | precision | recall | held-out precision "
        "| held-out recall | may drive warnings | rules |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for f in figures:
        both = f.combined
        rules = ", ".join((rules_of or {}).get(f.check, ())) or "none yet"
        rows.append(
            f"| `{f.check}` | {f.tuning.cases} + {f.held_out.cases} | {both.precision:.0%} "
            f"| {both.recall:.0%} | {f.held_out.precision:.0%} | {f.held_out.recall:.0%} "
            f"| {_may_drive(f)} | {rules} |"
        )
    return "\n".join(rows) + "\n"


def _may_drive(figures: CheckFigures) -> str:
    """Which rules above info the check may drive: on its yes (precision), its no (recall)."""
    sides = [side for side, ok in (("yes", figures.may_warn), ("no", figures.may_warn_on_no))
             if ok]
    if not sides:
        return "no (info only)"
    return "on yes and no" if len(sides) == 2 else f"on its {sides[0]} only"


def answers_read(rule: Any) -> dict[str, set[str]]:
    """The content checks whose decisions a rule's condition reads (through the derived fields
    it names, and, for rules on the lens's answer facts, the non_answer check itself, or the
    boilerplate check for a rule on vague answers), each
    with the answers that can make the rule fire: 'yes' (the check found what it looks for)
    and 'no' (it did not). A rule that fires on a 'no' (`not: {field: network_reach_named,
    equals: true}`) accuses every design whose words the check misses, so for it the check's
    recall is what the floors measure. A count or a list of what a check found is read on its
    'no' where the rule fires at zero or empty (`participant_risks lt 1`: no risk the check
    recognised), and on its 'yes' where it fires above (the other way round for a field that
    gathers the check's no, or a flag set where it says no, `Derived.gathers`); any other
    value is read on its 'yes'."""
    from reviewer.facts import DERIVED_FIELDS

    derived = DERIVED_FIELDS.get(rule.applies_to, {})
    found: dict[str, set[str]] = {}
    for leaf, negated in signed_leaves(rule.when):
        spec = derived.get(leaf["field"])
        if spec is None or not spec.checks:
            continue
        samples = _ANSWER_SAMPLES.get(spec.spec.kind)
        answers = {"yes"}
        if samples is not None:
            name = leaf["field"]
            answers = {
                answer
                for answer, value in samples
                if evaluate(leaf, {} if value is None else {name: value}) != negated
            } or {"yes"}
            if spec.gathers == "no":
                answers = {_OTHER_ANSWER[answer] for answer in answers}
        for check in spec.checks:
            found.setdefault(check, set()).update(answers)
    if rule.applies_to == "answer":
        vague = any(
            leaf["field"] == "kind" and leaf.get("equals") == "vague" and not negated
            for leaf, negated in signed_leaves(rule.when)
        )
        found.setdefault("boilerplate" if vague else "non_answer", set()).add("yes")
    return found


# Values a derived field takes when its check answers no everywhere, or yes somewhere (None:
# the field absent, as facts leave out false, zero and empty values).
_ANSWER_SAMPLES: dict[str, tuple[tuple[str, Any], ...]] = {
    "boolean": (("yes", True), ("no", False), ("no", None)),
    "number": (("no", 0), ("no", None), ("yes", 1), ("yes", 2), ("yes", 1000)),
    "list": (("no", []), ("no", None), ("yes", ["x"]), ("yes", ["x", "y", "z"])),
}


_OTHER_ANSWER = {"yes": "no", "no": "yes"}


def rules_by_check(rules: Iterable[Any]) -> dict[str, list[str]]:
    """For each content check, the rules that read what it decides, as 'ID (severity)', or
    'ID (severity, on its no)' for a rule that fires where the check finds nothing."""
    found: dict[str, list[str]] = {}
    for rule in rules:
        for check, answers in answers_read(rule).items():
            side = ", on its no" if "no" in answers else ""
            found.setdefault(check, []).append(f"{rule.id} ({rule.severity}{side})")
    return {check: sorted(ids) for check, ids in found.items()}


def with_block(document: str, start_marker: str, end_marker: str, text: str) -> str:
    """The document with what lies between the two markers replaced by `text` (unchanged
    when it lacks them: a document may show one generated block and not the other)."""
    start, end = document.find(start_marker), document.find(end_marker)
    if start < 0 or end < start:
        return document
    return f"{document[: start + len(start_marker)]}\n\n{text}\n{document[end:]}"


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
