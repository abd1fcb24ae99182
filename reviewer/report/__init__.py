"""Render reviews in the output formats (reviewer.output writes them)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reviewer.inert import guard_commands
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


# How each format writes a colon that must not start a CI workflow command (`::`) at the
# start of a line; GitHub's own annotations are the workflow commands ctreview means to write,
# and JSON and SARIF never start a line with text.
_INERT_COLON = {"markdown": "\\:", "html": "&#58;", "junit": "&#58;"}
WORKFLOW_COMMAND_FORMATS = frozenset({"github"})


def render(fmt: str, reviews: Sequence[Review], ctx: ReportContext) -> str:
    text = RENDERERS[fmt](reviews, ctx)
    if fmt in WORKFLOW_COMMAND_FORMATS:
        return text
    return guard_commands(text, _INERT_COLON.get(fmt, "\\x3a"))
