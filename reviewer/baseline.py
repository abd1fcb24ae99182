"""Baselines: record today's findings so that only new ones are reported from now on.

An organisation adopting ctreview on proposals already in progress writes a baseline once
(`--write-baseline`) and then checks with `--baseline`: the recorded findings are not reported,
and recorded findings that no longer occur are listed so the file can be refreshed.

A finding is recorded by what it is, never by where it stands: its file (relative to the
baseline's folder), rule, entity kind and item id, plus a fingerprint of the rule, entity kind
and the item's name. Matching goes by identity first; a finding whose item id was renamed but
whose name was kept still matches by fingerprint. Line moves and reordering never matter.
Waived findings are not recorded: a waiver that expires must make its finding count again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TypeVar

from reviewer.loader import InputError, read_bounded
from reviewer.paths import real_path
from reviewer.review import Finding, Review

BASELINE_VERSION = 1
# A baseline line is about 250 bytes: this holds some 200,000 findings, and keeps a pipe, a
# device or a runaway file named as the baseline from blocking the run or filling memory.
MAX_BASELINE_BYTES = 50_000_000
_FIELDS = ("file", "rule", "entity", "item", "fingerprint")

T = TypeVar("T")
U = TypeVar("U")


class BaselineError(Exception):
    """A baseline file that cannot be used (str() says which file and what to do)."""


@dataclass(frozen=True, order=True)
class Entry:
    """One recorded finding."""

    file: str  # relative to the baseline's folder, '/'-separated
    rule: str
    entity: str
    item: str
    fingerprint: str

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.rule, self.entity, self.item)


def fingerprint(finding: Finding) -> str:
    """A stable hash of the rule, the entity kind and the item's name (case and spacing
    ignored): it survives line moves and a renamed item id."""
    name = " ".join(finding.item_label.lower().split())
    text = "\x1f".join((finding.rule_id, finding.entity, name))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def pair_up(
    old: Sequence[T],
    new: Sequence[U],
    old_keys: Callable[[T], tuple[tuple, str]],
    new_keys: Callable[[U], tuple[tuple, str]],
) -> list[tuple[int, int]]:
    """Index pairs (old, new) of the same finding: equal identity first, then an equal
    fingerprint among the rest when it is unique on both sides (never guess between two)."""
    pairs: list[tuple[int, int]] = []
    by_identity: dict[tuple, list[int]] = {}
    for j, item in enumerate(new):
        by_identity.setdefault(new_keys(item)[0], []).append(j)
    left = []
    for i, item in enumerate(old):
        candidates = by_identity.get(old_keys(item)[0])
        if candidates:
            pairs.append((i, candidates.pop(0)))
        else:
            left.append(i)
    taken = {j for _, j in pairs}
    right = [j for j in range(len(new)) if j not in taken]
    old_prints = _unique({i: old_keys(old[i])[1] for i in left})
    new_prints = _unique({j: new_keys(new[j])[1] for j in right})
    pairs += [(i, new_prints[fp]) for fp, i in old_prints.items() if fp in new_prints]
    return sorted(pairs)


def _unique(prints: dict[int, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in prints.values():
        counts[value] = counts.get(value, 0) + 1
    return {value: index for index, value in prints.items() if counts[value] == 1}


def finding_keys(finding: Finding) -> tuple[tuple, str]:
    return (finding.identity, fingerprint(finding))


def entry_keys(entry: Entry) -> tuple[tuple, str]:
    return (entry.identity, entry.fingerprint)


# --- writing and reading --------------------------------------------------------------------------


def relative_file(file: str, folder: Path) -> str:
    """A reviewed file's path relative to the baseline's folder, '/'-separated."""
    return Path(os.path.relpath(real_path(file), real_path(folder))).as_posix()


def entries_for(reviews: Sequence[Review], folder: Path) -> list[Entry]:
    """The unwaived findings of the reviews, as sorted baseline entries."""
    return sorted(
        {
            Entry(relative_file(r.file, folder), f.rule_id, f.entity, f.item, fingerprint(f))
            for r in reviews
            for f in r.findings
            if f.waiver is None
        }
    )


def baseline_json(entries: Sequence[Entry]) -> str:
    """The baseline file's content: versioned, sorted, no timestamps (so diffs stay small)."""
    document = {"version": BASELINE_VERSION, "findings": [asdict(e) for e in sorted(entries)]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_baseline(path: str | Path) -> list[Entry]:
    """The entries of a baseline file; raise BaselineError if it is missing or malformed."""
    name = str(path)
    redo = "write it again with `ctreview check --write-baseline FILE ...`"
    if not os.path.lexists(name):
        raise BaselineError(f"{name}: no such baseline file; {redo}")
    try:
        document = json.loads(read_bounded(name, MAX_BASELINE_BYTES).decode("utf-8"))
    except InputError as error:
        raise BaselineError(f"{name}: cannot read the baseline ({error.message}); {redo}") from None
    except UnicodeDecodeError as error:
        raise BaselineError(f"{name}: cannot read the baseline ({error})") from None
    except json.JSONDecodeError as error:
        raise BaselineError(
            f"{name}:{error.lineno}:{error.colno}: not valid JSON ({error.msg}); {redo}"
        ) from None
    except RecursionError:  # a baseline is two levels deep; thousands of brackets are not one
        raise BaselineError(f"{name}: the JSON is nested far too deeply; {redo}") from None
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION:
        raise BaselineError(
            f"{name}: not a ctreview baseline of version {BASELINE_VERSION}; {redo}"
        )
    findings = document.get("findings")
    if not isinstance(findings, list) or not all(_is_entry(f) for f in findings):
        raise BaselineError(
            f"{name}: 'findings' must be a list of objects with the text fields "
            f"{', '.join(_FIELDS)}; {redo}"
        )
    return [Entry(**{key: f[key] for key in _FIELDS}) for f in findings]


def _is_entry(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(key), str) for key in _FIELDS)


# --- applying -------------------------------------------------------------------------------------


def apply_baseline(
    reviews: Sequence[Review], entries: Sequence[Entry], folder: Path
) -> tuple[list[Review], int]:
    """Drop the unwaived findings the baseline records; add a notice for each recorded
    finding of a reviewed file that no longer occurs. Returns the reviews and how many
    findings were dropped (files not reviewed in this run are left alone)."""
    by_file: dict[str, list[Entry]] = {}
    for entry in entries:
        by_file.setdefault(entry.file, []).append(entry)
    updated, dropped = [], 0
    for review in reviews:
        recorded = by_file.get(relative_file(review.file, folder), [])
        if not review.ok or not recorded:
            updated.append(review)
            continue
        new_review, count = _apply_one(review, recorded)
        updated.append(new_review)
        dropped += count
    return updated, dropped


def _apply_one(review: Review, recorded: Sequence[Entry]) -> tuple[Review, int]:
    pairs = pair_up(recorded, review.findings, entry_keys, finding_keys)
    matched_entries = {i for i, _ in pairs}
    baselined = {j for _, j in pairs if review.findings[j].waiver is None}
    kept = [f for j, f in enumerate(review.findings) if j not in baselined]
    notices = [
        f"{review.file}: baseline entry {e.rule} for "
        f"{f'item {e.item!r}' if e.item else 'the programme'} no longer occurs; "
        "refresh the baseline with --write-baseline"
        for i, e in enumerate(recorded)
        if i not in matched_entries
    ]
    return replace(review, findings=kept, notices=[*review.notices, *notices]), len(baselined)
