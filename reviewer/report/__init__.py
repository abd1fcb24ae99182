"""Render reviews in the output formats and write them (atomically, never over an input)."""

from __future__ import annotations

import importlib
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.knowledge import KnowledgeBase
from reviewer.review import Review
from reviewer.rules import Rule


@dataclass(frozen=True)
class ReportContext:
    """What every format may need besides the reviews (provenance, settings)."""

    tool_version: str
    catalogue_version: str
    knowledge: KnowledgeBase | None = None
    colour: bool = False
    inputs: tuple[str, ...] = field(default=())
    fail_on: str = "error"  # lowest severity that fails (JUnit failures); 'never' for none
    # The whole catalogue, so JUnit can list the rules that passed too; when empty, only the
    # rules with findings become test cases.
    rules: tuple[Rule, ...] = field(default=())


def _text(reviews: Sequence[Review], ctx: ReportContext) -> str:
    from reviewer.report.text import render_text

    return render_text(reviews, colour=ctx.colour)


Renderer = Callable[[Sequence[Review], ReportContext], str]


def _lazy(module: str, function: str) -> Renderer:
    """A renderer imported on first use: `ctreview check` loads only the formats it writes."""

    def render_format(reviews: Sequence[Review], ctx: ReportContext) -> str:
        return getattr(importlib.import_module(f"reviewer.report.{module}"), function)(reviews, ctx)

    return render_format


RENDERERS: dict[str, Renderer] = {
    "text": _text,
    "markdown": _lazy("markdown", "render_markdown"),
    "html": _lazy("html", "render_html"),
    "json": _lazy("json_report", "render_json"),
    "sarif": _lazy("sarif", "render_sarif"),
    "junit": _lazy("junit", "render_junit"),
    "github": _lazy("github", "render_github"),
    "gitlab": _lazy("gitlab", "render_gitlab"),
}
FORMATS = tuple(RENDERERS)


def render(fmt: str, reviews: Sequence[Review], ctx: ReportContext) -> str:
    return RENDERERS[fmt](reviews, ctx)


def write_atomic(path: Path, content: str, inputs: Sequence[str] = ()) -> None:
    """Write via a temporary file and rename, so a reader never sees half a report; refuse to
    write over an input file. A pipe or device (/dev/stdout, /dev/null, a FIFO) is appended
    to: renaming a file over it would replace the device itself, and truncating /dev/stdout
    would erase what was printed before."""
    target = Path(path).resolve()
    if any(Path(p).resolve() == target for p in inputs):
        raise ValueError(f"{path}: refusing to write a report over an input file")
    if _is_stream(Path(path)):
        with open(path, "a", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _is_stream(path: Path) -> bool:
    """Whether a path names a device, a pipe or a file descriptor rather than a file of its own."""
    if path.absolute().parts[1:2] in (("dev",), ("proc",)):
        return True
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))
