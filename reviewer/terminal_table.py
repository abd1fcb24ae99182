"""Plain-text tables for the terminal (`screen`, `rules`), fitted to its width.

Columns are padded by display width (a CJK character or an emoji takes two cells), and when a
table is wider than the terminal the columns of free text (titles, references) are cut with an
ellipsis so that every row stays on one line. Output that goes to a pipe or a file is not cut
(there is no width to fit), unless COLUMNS says otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Collection, Sequence

MIN_FLEXIBLE = 12  # the cut column keeps at least this many cells
GAP = "  "


def terminal_width() -> int | None:
    """The width to fit: the terminal's, or COLUMNS; None when writing to a pipe or file."""
    if "COLUMNS" in os.environ or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def cell_width(text: str) -> int:
    """Terminal cells a text takes: wide and full-width characters two, combining marks none
    (an ASCII text, most of a table, takes one cell per character)."""
    if text.isascii():
        return len(text)
    others = _NOT_ASCII.findall(text)
    return len(text) - len(others) + sum(_char_width(char) for char in others)


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cut(text: str, width: int) -> str:
    """At most `width` cells, with an ellipsis where something was cut."""
    if cell_width(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        if used + _char_width(char) > width - 1:
            break
        kept.append(char)
        used += _char_width(char)
    return "".join(kept) + "…"


def render_table(
    rows: Sequence[Sequence[str]],
    *,
    flexible: Sequence[int],
    right: Collection[int] = (),
    width: int | None = None,
) -> str:
    """Rows (the first is the header) as aligned lines. When the table is wider than `width`
    cells, the `flexible` columns are cut, in that order, each down to MIN_FLEXIBLE cells at
    most, until it fits; columns in `right` are right-aligned."""
    widths = [max(cell_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    if width is not None:
        for column in flexible:
            excess = sum(widths) + len(GAP) * (len(widths) - 1) - width
            if excess > 0:
                widths[column] = max(MIN_FLEXIBLE, widths[column] - excess)
    lines = []
    for row in rows:
        cells = []
        for column, (cell, size) in enumerate(zip(row, widths, strict=True)):
            text = cut(cell, size) if column in flexible else cell
            padding = " " * (size - cell_width(text))
            cells.append(padding + text if column in right else text + padding)
        lines.append(GAP.join(cells).rstrip())
    return "\n".join(lines) + "\n"
