"""Terminal tables (`screen`, `rules`) fit the terminal's width, counting cells, not characters."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from reviewer.cli import cli
from reviewer.terminal_table import MIN_FLEXIBLE, _char_width, cell_width, cut, render_table

ROWS = [
    ("#", "FILE", "TITLE"),
    ("1", "calls/2027/awareness-et.yaml", "Safe migration: informed choices in Amhara and Tigray"),
    ("12", "calls/2027/村.yaml", "人身売買の防止 — 東南アジアの漁業における強制労働の予防"),
]


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_every_line_fits_the_width_in_cells(width):
    lines = render_table(ROWS, flexible=(2, 1), right=(0,), width=width).splitlines()
    assert all(cell_width(line) <= width for line in lines), lines
    assert lines[1].startswith(" 1  calls/")  # right-aligned rank


def test_without_a_width_nothing_is_cut_and_columns_align_by_cells():
    lines = render_table(ROWS, flexible=(2,), width=None).splitlines()
    assert ROWS[2][2] in lines[2] and "…" not in "".join(lines)
    starts = {cell_width(line[: line.index(title)]) for line, title in zip(
        lines, (r[2] for r in ROWS), strict=True)}
    assert len(starts) == 1  # the wide file name did not shift the title column


def test_cut_keeps_at_most_the_width_and_marks_the_cut():
    assert cut("人身売買の防止", 6) == "人身…" and cell_width(cut("人身売買の防止", 6)) <= 6
    assert cut("short", 10) == "short"
    narrow = render_table(ROWS, flexible=(2,), width=10).splitlines()
    assert all("…" in line or cell_width(line.split("  ")[-1]) <= MIN_FLEXIBLE for line in narrow)


def test_rules_command_fits_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "90")
    lines = CliRunner().invoke(cli, ["rules"]).output.splitlines()
    assert lines[0].startswith("ID") and all(cell_width(line) <= 90 for line in lines)


@pytest.mark.parametrize(
    "text", ["", "plain ascii", "Cut title…", "人身売買 — A mix", "e\u0301te\u0301", "tab\tand é"]
)
def test_cell_width_counts_each_character_as_the_terminal_does(text):
    """The ASCII shortcuts give what measuring every character gives."""
    assert cell_width(text) == sum(_char_width(char) for char in text)
