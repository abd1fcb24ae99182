"""`ctreview explain RULE`: everything a designer needs to understand and fix one rule."""

from __future__ import annotations

import textwrap
from pathlib import Path

from reviewer.doc_links import doc_path, rule_page, rule_url
from reviewer.examples import snippet_text
from reviewer.inert import inert_lines
from reviewer.knowledge import KnowledgeBase
from reviewer.report.content import basis_note, indicator_note
from reviewer.rules import Rule

_WIDTH = 92
_KINDS = {
    "presence": "presence (fires when the proposal does not state something)",
    "content": "content (judges what the proposal states)",
}


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
    kind = _KINDS.get(rule.kind, rule.kind or "not declared")
    parts = [
        f"{rule.id}  {rule.title}",
        f"severity: {rule.severity}    applies to: {rule.applies_to}    kind: {kind}",
        _section("Why it matters", rule.rationale),
        _section("Checks", "\n".join(_reference_line(ref, knowledge) for ref in rule.icat)),
        _section("Basis", _basis(rule, knowledge)),
    ]
    if rule.questions:
        lines = [f"{ref}  {_question_text(ref, knowledge)}" for ref in rule.questions]
        parts.append(_section("Related questions", "\n".join(lines)))
    if rule.indicators:
        lines = [f"{ident}  {_indicator_text(ident, knowledge)}" for ident in rule.indicators]
        parts.append(_section("Indicators you could use", "\n".join(lines)))
    if rule.fix:
        parts.append(_section("How to fix", rule.fix))
    for snippets, title in (
        (rule.examples_fail, "Example that triggers it"),
        (rule.examples_pass, "Example that passes"),
    ):
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
    """A reference with its paraphrased text: an ICAT lesson, question, table or note, or
    another source or its part (the source itself is named under Basis)."""
    return f"{ref}  {knowledge.describe(ref)}".rstrip()


def _basis(rule: Rule, knowledge: KnowledgeBase) -> str:
    """Where the rule comes from: each basis term, other sources with their summary."""
    if not rule.basis:
        return "not declared by this rule pack"
    lines = []
    for term in rule.basis:
        note = basis_note(term, knowledge)
        lines.append(note.text or note.label)  # another source: its reference and summary
    return "\n".join(lines)


def _question_text(ref: str, knowledge: KnowledgeBase) -> str:
    question = knowledge.question(ref)
    return question.text if question else ""


def _indicator_text(ident: str, knowledge: KnowledgeBase) -> str:
    """The indicator with its chain step and, where ICAT's table says so, what it cannot
    stand in for (e.g. reach is not a proxy for behaviour change)."""
    note = indicator_note(ident, knowledge)
    return f"{note.text} ({note.label})" if note.text else ""
