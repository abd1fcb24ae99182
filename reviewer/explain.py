"""`ctreview explain RULE`: everything a designer needs to understand and fix one rule."""

from __future__ import annotations

import textwrap
from pathlib import Path

from reviewer.doc_links import doc_path, rule_page, rule_url
from reviewer.examples import snippet_text
from reviewer.inert import inert_lines
from reviewer.knowledge import KnowledgeBase
from reviewer.rules import Rule

_WIDTH = 92


def page_locations(rule: Rule) -> tuple[str | None, Path | None]:
    """The rule's documentation page online and installed (None for rules without one)."""
    url = rule_url(rule)
    return url, doc_path(rule_page(rule.id)) if url else None


def explain_rule(
    rule: Rule, knowledge: KnowledgeBase, *, url: str | None = None, path: Path | None = None
) -> str:
    """The explanation as printed: a rule pack is outside text, so every line is inert."""
    return inert_lines(_explanation(rule, knowledge, url, path))


def _explanation(
    rule: Rule, knowledge: KnowledgeBase, url: str | None, path: Path | None
) -> str:
    parts = [
        f"{rule.id}  {rule.title}",
        f"severity: {rule.severity}    applies to: {rule.applies_to}",
        _section("Why it matters", rule.rationale),
        _section(
            "ICAT references", "\n".join(_reference_line(ref, knowledge) for ref in rule.icat)
        ),
    ]
    if rule.questions:
        lines = [f"{ref}  {_question_text(ref, knowledge)}" for ref in rule.questions]
        parts.append(_section("Questions to revisit", "\n".join(lines)))
    if rule.indicators:
        lines = [f"{ident}  {_indicator_text(ident, knowledge)}" for ident in rule.indicators]
        parts.append(_section("Indicators you could use", "\n".join(lines)))
    if rule.fix:
        parts.append(_section("How to fix", rule.fix))
    for kind, title in (("fail", "Example that triggers it"), ("pass", "Example that passes")):
        snippets = rule.examples_fail if kind == "fail" else rule.examples_pass
        for snippet in snippets[:1]:
            parts.append(_section(title, snippet_text(snippet).rstrip(), wrap=False))
    pages = [f"online:  {url}"] if url else []
    pages += [f"offline: {path}"] if path else []
    if pages:
        parts.append(_section("Documentation page", "\n".join(pages), wrap=False))
    return "\n\n".join(parts) + "\n"


def _section(title: str, body: str, *, wrap: bool = True) -> str:
    if wrap:
        body = "\n".join(
            textwrap.fill(line, _WIDTH, subsequent_indent="    ") for line in body.splitlines()
        )
    return f"{title}\n{textwrap.indent(body, '  ')}"


def _reference_line(ref: str, knowledge: KnowledgeBase) -> str:
    lesson = knowledge.lesson(ref)
    question = knowledge.question(ref)
    text = lesson.summary if lesson else question.text if question else ""
    return f"{ref}  {text}".rstrip()


def _question_text(ref: str, knowledge: KnowledgeBase) -> str:
    question = knowledge.question(ref)
    return question.text if question else ""


def _indicator_text(ident: str, knowledge: KnowledgeBase) -> str:
    indicator = knowledge.indicator(ident)
    return f"{indicator.text} ({indicator.category})" if indicator else ""
