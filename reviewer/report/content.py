"""What a findings report says, independent of its format.

Markdown, HTML and JSON carry the same content; building it once here keeps them in step:
findings grouped by component then severity, each with what its rule checks (ICAT lessons,
questions, tables, notes, other sources), its basis, related questions and indicators; the
consolidated questions to revisit (raised: a finding's rule checks them; related: apart);
waived findings, counts and a verdict.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reviewer.findings import Finding
from reviewer.knowledge import KnowledgeBase
from reviewer.review import Review
from reviewer.rules import Rule
from reviewer.schema import Problem

SEVERITIES = ("error", "warning", "info")
SECTION_TITLES = {
    "1": "Any counter-trafficking intervention",
    "2": "Mapping patterns and choosing responses",
    "3": "Awareness raising",
    "4": "Livelihoods",
    "5": "Legal framework",
    "6": "Criminal justice capacity",
    "7": "Identification and referral",
    "8": "Support and durable solutions",
    "9": "National plans of action",
}
# How a rule's declared basis reads in a report (other sources read as their citation).
BASIS_LABELS = {
    "icat": "ICAT toolkit",
    "icat-footnote": "ICAT footnote",
    "ctreview-judgement": "ctreview's own judgement (goes beyond its sources)",
}
_BULLET = re.compile(r"^(ICAT-[1-9]\.Q[0-9]+)\.[a-z]$")
_QUESTION = re.compile(r"^ICAT-[1-9]\.Q[0-9]+(?:\.[a-z])?$")
NOT_JUDGED = (
    "A document review checks what the proposal says, not whether it is true or will be done "
    "well: the quality of the evidence, the skills of the team, the context on the ground and "
    "what happens during delivery are for the reviewers and the evaluation. "
    "docs/icat-coverage.md lists which ICAT lessons and questions the rules check and which "
    "they cannot."
)
OTHER_SECTION = "other"  # findings whose rule cites no ICAT section
# The rule id every format gives a file that could not be reviewed (unreadable, not YAML, not
# in the proposal format): it is not a catalogue rule, and it is always an error.
INPUT_ERROR = "input-error"
INPUT_ERROR_TITLE = "File could not be reviewed"
INPUT_ERROR_HELP = (
    "ctreview could not review this file: it cannot be read, is not valid YAML, or is not in "
    "the proposal format. No rule ran on it, so its findings are unknown. Fix the problems "
    "reported (the format is described in docs/proposal-format.md) and run ctreview again."
)


@dataclass(frozen=True)
class Citation:
    """A reference (ICAT lesson, question, table, or another source) with its summary."""

    ref: str
    text: str  # '' when the knowledge base has no text for it (external sources)
    section: str = ""  # ICAT section, '' for other sources
    items: tuple[Citation, ...] = ()  # a question's bullets ("such as: a, b, c")


@dataclass(frozen=True)
class IndicatorNote:
    """A sample indicator a rule suggests."""

    id: str
    ref: str
    text: str
    category: str
    table_category: str = ""  # the ICAT table's own row label
    not_a_proxy_for: tuple[str, ...] = ()  # chain steps it cannot stand in for (ICAT's caveat)

    @property
    def label(self) -> str:
        """How a memo names its place on ICAT's chain, with ICAT's caveat when there is one:
        'reach; not a proxy for knowledge or attitude change, behaviour change or impact'."""
        step = self.category.replace("_", " ") or "indicator"
        if self.category == "output" and self.table_category:
            step = f"{self.table_category}, not on ICAT's results chain"
        if not self.not_a_proxy_for:
            return step
        steps = [c.replace("_", " ") for c in self.not_a_proxy_for]
        listed = ", ".join(steps[:-1]) + " or " + steps[-1] if len(steps) > 1 else steps[0]
        return f"{step}; not a proxy for {listed}"


@dataclass(frozen=True)
class BasisNote:
    """Where a rule's judgement comes from: a term of its `basis`, read for people."""

    term: str  # icat | icat-footnote | other-standard:<id> | ctreview-judgement
    label: str  # 'ICAT toolkit', or the source's citation
    text: str = ""  # the source's summary, for other standards


@dataclass(frozen=True)
class Entry:
    """One finding as reported, with the knowledge its rule points to."""

    finding: Finding
    anchor: str  # unique in the report, e.g. 'p1-f3' ('p1-w1' for a waived finding)
    citations: tuple[Citation, ...]  # what the rule checks (its `icat`)
    questions: tuple[Citation, ...]  # related questions, not checked
    indicators: tuple[IndicatorNote, ...]
    basis: tuple[BasisNote, ...] = ()  # () when the rule does not declare it

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.finding)


@dataclass(frozen=True)
class ComponentGroup:
    """The active findings of one component ('' for programme-level), by severity."""

    component: str
    label: str
    entries: tuple[Entry, ...]

    @property
    def title(self) -> str:
        if not self.component:
            return "Programme-level findings"
        return f"Component {self.component}: {self.label}"


@dataclass(frozen=True)
class Revisit:
    """A question to revisit, listed once: the findings whose rule checks it (or one of its
    bullets) raised it; findings that only list it as related are kept apart."""

    question: Citation
    anchor: str
    raised_by: tuple[Entry, ...]
    related_to: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class SectionQuestions:
    section: str
    title: str
    questions: tuple[Revisit, ...]


@dataclass(frozen=True)
class ProposalReport:
    """Everything a report says about one reviewed file."""

    review: Review
    anchor: str
    counts: dict[str, int]  # active findings by severity
    sections: tuple[tuple[str, int], ...]  # (ICAT section, active findings citing it)
    groups: tuple[ComponentGroup, ...]
    questions: tuple[SectionQuestions, ...]  # raised: some finding's rule checks them
    waived: tuple[Entry, ...]
    related_questions: tuple[SectionQuestions, ...] = ()  # only related to findings
    refusals: tuple[Problem, ...] = ()  # why the file could not be reviewed (none when it was)

    @property
    def title(self) -> str:
        return str(self.review.metadata.get("title") or self.review.file)

    @property
    def verdict(self) -> str:
        if self.refusals:
            return f"not reviewed: {_plural(len(self.refusals), 'problem')} to fix first"
        return verdict(self.counts, self.review.hidden)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(entry for group in self.groups for entry in group.entries)


def build_reports(
    reviews: Sequence[Review], knowledge: KnowledgeBase | None
) -> list[ProposalReport]:
    return [build_report(review, f"p{n}", knowledge) for n, review in enumerate(reviews, 1)]


def build_report(review: Review, anchor: str, knowledge: KnowledgeBase | None) -> ProposalReport:
    ordered = sorted(review.findings, key=Finding.sort_key)  # the order of the report
    active = [f for f in ordered if f.waiver is None]
    waived = [f for f in ordered if f.waiver is not None]
    entries = [_entry(f, f"{anchor}-f{n}", knowledge) for n, f in enumerate(active, 1)]
    raised, related = _questions(entries, anchor, knowledge)
    return ProposalReport(
        review=review,
        anchor=anchor,
        counts=severity_counts(active),
        sections=section_counts(active),
        groups=_groups(entries),
        questions=raised,
        waived=tuple(_entry(f, f"{anchor}-w{n}", knowledge) for n, f in enumerate(waived, 1)),
        related_questions=related,
        refusals=tuple(review.refusals),
    )


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def section_counts(findings: Iterable[Finding]) -> tuple[tuple[str, int], ...]:
    """Findings per ICAT section; a rule resting on two sections counts in both."""
    counts: dict[str, int] = {}
    for finding in findings:
        for section in finding.rule.sections or (OTHER_SECTION,):
            counts[section] = counts.get(section, 0) + 1
    return tuple(sorted(counts.items(), key=lambda item: _section_rank(item[0])))


def section_title(section: str) -> str:
    return SECTION_TITLES.get(section, "Other sources")


def hidden_counts(reviews: Iterable[Review]) -> dict[str, int]:
    """Findings hidden by --min-severity/--quiet in all `reviews`, by severity."""
    total: dict[str, int] = {}
    for review in reviews:
        for severity, count in review.hidden.items():
            total[severity] = total.get(severity, 0) + count
    return total


def verdict(counts: dict[str, int], hidden: dict[str, int] | None = None) -> str:
    """One line a reader acts on: errors block, warnings are to address, info to consider.
    Findings hidden from the output are named, so a filtered view never reads as ready."""
    hidden = {severity: n for severity, n in (hidden or {}).items() if n}
    if not hidden:
        return _shown_verdict(counts)
    words = " and ".join(
        _plural(hidden[s], "note" if s == "info" else s) for s in SEVERITIES if s in hidden
    )
    if any(counts.values()):
        return f"{_shown_verdict(counts)}; {words} not shown"
    settled = "no errors" if "warning" in hidden else "no errors or warnings"
    return f"{settled}; {words} not shown"


def _shown_verdict(counts: dict[str, int]) -> str:
    errors = counts["error"]
    if errors:
        return f"{_plural(errors, 'error')} {'blocks' if errors == 1 else 'block'} approval"
    if counts["warning"]:
        return f"no errors; {_plural(counts['warning'], 'warning')} to address"
    if counts["info"]:
        return f"no errors or warnings; {_plural(counts['info'], 'note')} to consider"
    return "ready: no findings"


def overall_verdict(reports: Sequence[ProposalReport]) -> str:
    """The verdict of a whole run: never "ready" while a file could not be reviewed (nor while
    findings are hidden, see `verdict`)."""
    active = severity_counts(entry.finding for report in reports for entry in report.entries)
    hidden = hidden_counts(report.review for report in reports)
    refused = sum(1 for report in reports if report.refusals)
    if not refused:
        return verdict(active, hidden)
    head = f"{_plural(refused, 'file')} could not be reviewed"
    if refused == len(reports):
        return head
    found = any(active.values()) or any(hidden.values())
    return f"{head}; the others: " + (verdict(active, hidden) if found else "no findings")


def fingerprint(finding: Finding) -> str:
    """A stable id for a finding that survives line moves: file, rule, entity and item."""
    identity = "\x1f".join((finding.file, *finding.identity))
    # surrogateescape: a file name that is not UTF-8 hashes as its bytes
    return hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def question_anchor(report_anchor: str, ref: str) -> str:
    """The anchor of a question in the consolidated list; a bullet links to its question."""
    ref = revisit_ref(ref)
    return f"{report_anchor}-q-" + re.sub(r"[^a-z0-9]+", "-", ref.lower()).strip("-")


def raised_questions(rule: Rule) -> tuple[str, ...]:
    """The questions a rule's findings raise: the ICAT questions it checks (in `icat`), a
    bullet counted as its question. Related questions (`questions`) are not raised."""
    return tuple(dict.fromkeys(revisit_ref(ref) for ref in rule.icat if _QUESTION.match(ref)))


def revisit_ref(ref: str) -> str:
    """The question a reference is revisited under: a bullet (ICAT-7.Q2.c) under its
    question (ICAT-7.Q2), whose bullets the list shows; anything else as it is."""
    match = _BULLET.match(ref)
    return match.group(1) if match else ref


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _section_rank(section: str) -> tuple[int, str]:
    return (int(section), "") if section.isdigit() else (99, section)


def _entry(finding: Finding, anchor: str, knowledge: KnowledgeBase | None) -> Entry:
    rule = finding.rule
    return Entry(
        finding=finding,
        anchor=anchor,
        citations=tuple(cite(ref, knowledge) for ref in rule.icat),
        questions=tuple(cite(ref, knowledge) for ref in dict.fromkeys(rule.questions)),
        indicators=tuple(indicator_note(i, knowledge) for i in rule.indicators),
        basis=tuple(basis_note(term, knowledge) for term in rule.basis),
    )


def basis_note(term: str, knowledge: KnowledgeBase | None) -> BasisNote:
    """A basis term read for people: other standards by their citation and summary."""
    if term in BASIS_LABELS:
        return BasisNote(term, BASIS_LABELS[term])
    source = knowledge.source(term.split(":", 1)[-1]) if knowledge else None
    if source is None:
        return BasisNote(term, term)
    return BasisNote(term, source.label, f"{source.citation}. {source.summary}")


def cite(ref: str, knowledge: KnowledgeBase | None) -> Citation:
    """A reference with its paraphrased text; a bullet is read together with its stem."""
    section = ref.split("-", 1)[1].split(".", 1)[0] if ref.startswith("ICAT-") else ""
    if knowledge is None:
        return Citation(ref, "", section)
    lesson, question = knowledge.lesson(ref), knowledge.question(ref)
    if lesson:
        parent = knowledge.lesson(lesson.parent) if lesson.parent else None
        return Citation(ref, _with_stem(parent.summary if parent else "", lesson.summary), section)
    if question:
        parent = knowledge.question(question.parent) if question.parent else None
        text = _with_stem(parent.text if parent else "", question.text)
        items = tuple(Citation(i, knowledge.question(i).text, section) for i in question.items)
        return Citation(ref, text, section, items)
    if ref.endswith(".E") and section:
        return Citation(
            ref, f"Sample indicators for section {section} ({section_title(section)})", section
        )
    return Citation(ref, knowledge.describe(ref), section)  # notes and other sources


def _with_stem(stem: str, text: str) -> str:
    if not stem:
        return text
    return f"{stem} {text}" if stem.endswith(":") else f"{stem} In particular: {text}"


def indicator_note(indicator_id: str, knowledge: KnowledgeBase | None) -> IndicatorNote:
    indicator = knowledge.indicator(indicator_id) if knowledge else None
    if indicator is None:
        return IndicatorNote(indicator_id, "", "", "")
    return IndicatorNote(
        indicator.id,
        indicator.ref,
        indicator.text,
        indicator.category,
        indicator.table_category,
        indicator.not_a_proxy_for,
    )


def _groups(entries: Sequence[Entry]) -> tuple[ComponentGroup, ...]:
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.finding.component, []).append(entry)
    return tuple(
        ComponentGroup(
            component, members[0].finding.item_label if component else "", tuple(members)
        )
        for component, members in groups.items()
    )


def _questions(
    entries: Sequence[Entry], report_anchor: str, knowledge: KnowledgeBase | None
) -> tuple[tuple[SectionQuestions, ...], tuple[SectionQuestions, ...]]:
    """The questions to revisit, each once (a bullet under its question): those some
    finding's rule checks (raised), then those findings only list as related."""
    raised: dict[str, list[Entry]] = {}
    related: dict[str, list[Entry]] = {}
    for entry in entries:
        for ref in raised_questions(entry.finding.rule):
            raised.setdefault(ref, []).append(entry)
        for ref in dict.fromkeys(revisit_ref(q.ref) for q in entry.questions):
            related.setdefault(ref, []).append(entry)

    def revisit(ref: str) -> Revisit:
        return Revisit(
            cite(ref, knowledge),
            question_anchor(report_anchor, ref),
            tuple(raised.get(ref, ())),
            tuple(e for e in related.get(ref, ()) if e not in raised.get(ref, ())),
        )

    only_related = [ref for ref in related if ref not in raised]
    return _by_section(map(revisit, sorted(raised, key=_ref_order))), _by_section(
        map(revisit, sorted(only_related, key=_ref_order))
    )


def _by_section(revisits: Iterable[Revisit]) -> tuple[SectionQuestions, ...]:
    by_section: dict[str, list[Revisit]] = {}
    for revisit in revisits:
        by_section.setdefault(revisit.question.section or OTHER_SECTION, []).append(revisit)
    return tuple(
        SectionQuestions(section, section_title(section), tuple(members))
        for section, members in sorted(by_section.items(), key=lambda i: _section_rank(i[0]))
    )


def _ref_order(ref: str) -> tuple:
    """ICAT-3.Q10 after ICAT-3.Q2: compare the numbers in a reference as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", ref)
    )
