"""Everything ctreview says in ICAT's name is paraphrased: no run of eight consecutive words of
any rule, question, lesson or indicator text is copied from the ICAT toolkit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parent.parent
# The domain sources live in shared/ beside the repository (developer machines and CI).
ICAT_TEXT = REPO.parent / "shared" / "seeds" / "004_96a8170c6adf34c9.txt"
DATA_FILES = sorted([*REPO.glob("rules/*.yaml"), *REPO.glob("question_banks/*.yaml")])
RUN = 8


def word_runs(text: str) -> set[tuple[str, ...]]:
    """Every run of RUN consecutive words, ignoring case, whitespace and punctuation."""
    tokens = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(tokens[i : i + RUN]) for i in range(len(tokens) - RUN + 1)}


def texts(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [t for value in node.values() for t in texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in texts(value)]
    return []


@pytest.fixture(scope="module")
def source() -> set[tuple[str, ...]]:
    if not ICAT_TEXT.exists():
        pytest.skip(f"ICAT source text not available at {ICAT_TEXT}")
    return word_runs(ICAT_TEXT.read_text(encoding="utf-8"))


def test_there_is_knowledge_to_check():
    names = {path.name for path in DATA_FILES}
    assert {"icat-questions.yaml", "icat-lessons.yaml", "icat-indicators.yaml"} <= names
    assert len(names) >= 10


def without_titles(data: object) -> object:
    """The bank without the titles of other sources: a work's title is its name, which ICAT
    cites too (e.g. OHCHR's Recommended Principles and Guidelines), not text to paraphrase."""
    if isinstance(data, dict) and isinstance(data.get("sources"), list):
        sources = [
            {k: v for k, v in s.items() if k != "title"} if isinstance(s, dict) else s
            for s in data["sources"]
        ]
        return {**data, "sources": sources}
    return data


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_text_copies_eight_consecutive_words_from_icat(path, source):
    data = without_titles(YAML(typ="safe").load(path.read_text(encoding="utf-8")))
    copied = [" ".join(run) for text in texts(data) for run in word_runs(text) & source]
    assert copied == []


def test_only_the_titles_of_other_sources_are_exempt():
    bank = {"sources": [{"id": "X", "title": "kept out", "summary": "checked"}], "notes": []}
    assert texts(without_titles(bank)) == ["X", "checked"]
    lessons = {"lessons": [{"title": "checked"}]}
    assert without_titles(lessons) == lessons


def test_word_runs_catch_a_copied_clause_despite_case_and_punctuation():
    copied = word_runs("Victims continue to be punished for crimes undertaken as a result")
    assert word_runs("NOTE: victims continue to be\n punished, for crimes undertaken!") & copied
    assert not word_runs("Victims are still penalised for offences they were forced into") & copied
