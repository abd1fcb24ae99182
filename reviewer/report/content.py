"""What a findings report says, independent of its format.

Markdown, HTML and JSON carry the same content; building it once here keeps them in step:
findings grouped by component then severity, each with what its rule checks (ICAT lessons,
questions, tables, notes, other sources), its basis, related questions and indicators; the
consolidated questions to revisit (raised: a finding's rule checks them; related: apart);
waived findings, counts and a verdict.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reviewer.findings import SEVERITY_RANK, Finding
from reviewer.gaps import (
    ACTIVE,
    COUNTED,
    SCOPED_OUT,
    TO_BE_ESTABLISHED,
    WAIVED,
    Gap,
    group_gaps,
    status_of,
)
from reviewer.knowledge import KnowledgeBase
from reviewer.review import Review
from reviewer.rules import Rule
from reviewer.schema import Problem
from reviewer.verdict import Assessment, assess, combine

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
    """One finding (a place a gap applies to) as reported, with the knowledge its rule
    points to."""

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
class GapEntry:
    """One gap as reported: one rule, severity and waiver state, with every place it applies
    to (see reviewer/gaps.py). Reports list and count these, not places."""

    gap: Gap
    anchor: str  # e.g. 'p1-g2'
    places: tuple[Entry, ...]
    rule_anchor: str  # where the rule's rationale, checks and fix are printed, e.g. 'p1-r3'

    @property
    def rule(self) -> Rule:
        return self.gap.first.rule

    @property
    def severity(self) -> str:
        return self.gap.severity

    @property
    def first(self) -> Entry:
        return self.places[0]

    @property
    def label(self) -> str:
        """Where it applies, in a few words: 'programme', 'c-shelter', '2 components'."""
        items = {(f.entity, f.item) for f in self.gap.findings}
        if len(items) == 1:
            return self.gap.first.item or "programme"
        components = [c for c in self.gap.components if c]
        if len(components) == len(self.gap.findings):
            return f"{len(components)} components"
        return f"{len(self.places)} places"


@dataclass(frozen=True)
class QuestionGroup:
    """Gaps of one component grouped under the ICAT question their rule checks first."""

    ref: str  # the question ('' for rules that check no ICAT question)
    text: str
    gaps: tuple[GapEntry, ...]

    @property
    def title(self) -> str:
        return f"{self.ref} {_stem(self.text)}".strip() if self.ref else OTHER_CHECKS


@dataclass(frozen=True)
class ComponentGroup:
    """The gaps of one component ('' for programme-level, None for several), by question."""

    component: str | None
    label: str
    questions: tuple[QuestionGroup, ...]
    anchor: str = ""

    @property
    def title(self) -> str:
        if self.component is None:
            if all(c for gap in self.gaps for c in gap.gap.components):
                return "Across several components"
            return "Across several parts of the proposal"
        if not self.component:
            return "Programme-level"
        return f"Component {self.component}: {self.label}"

    @property
    def gaps(self) -> tuple[GapEntry, ...]:
        return tuple(gap for group in self.questions for gap in group.gaps)


@dataclass(frozen=True)
class FixFirst:
    """A gap worth fixing first: its severity, then the ICAT questions its fix closes (those
    no other gap of the proposal keeps open), then how many it raises and its places."""

    gap: GapEntry
    closes: tuple[str, ...]
    raises: tuple[str, ...]


@dataclass(frozen=True)
class RuleNote:
    """A rule behind the findings, printed once: why it matters, what it checks, its basis,
    related questions, indicators, how to fix, and every gap (with its places) it gave."""

    rule: Rule
    anchor: str
    citations: tuple[Citation, ...]
    questions: tuple[Citation, ...]
    indicators: tuple[IndicatorNote, ...]
    basis: tuple[BasisNote, ...]
    gaps: tuple[GapEntry, ...]


@dataclass(frozen=True)
class Revisit:
    """A question to revisit, listed once: the gaps whose rule checks it (or one of its
    bullets) raised it; gaps that only list it as related are kept apart."""

    question: Citation
    anchor: str
    raised_by: tuple[GapEntry, ...]
    related_to: tuple[GapEntry, ...] = ()


@dataclass(frozen=True)
class SectionQuestions:
    section: str
    title: str
    questions: tuple[Revisit, ...]


@dataclass(frozen=True)
class ProposalReport:
    """Everything a report says about one reviewed file, decision first: the verdict, what
    blocks, what to fix first, then the rest by severity (see docs/report-formats.md)."""

    review: Review
    anchor: str
    assessment: Assessment
    gaps: tuple[GapEntry, ...]  # every gap, counted or not, in report order
    sections: tuple[tuple[str, int], ...]  # (ICAT section, counted gaps citing it)
    questions: tuple[SectionQuestions, ...]  # raised: some gap's rule checks them
    related_questions: tuple[SectionQuestions, ...]  # only related to gaps
    rules: tuple[RuleNote, ...]  # each rule once, in order of first appearance
    fix_first: tuple[FixFirst, ...]
    warnings: tuple[ComponentGroup, ...] = ()  # active warnings by component and question
    notes: tuple[ComponentGroup, ...] = ()  # active info, except those to be established
    refusals: tuple[Problem, ...] = ()  # why the file could not be reviewed (none when it was)

    @property
    def title(self) -> str:
        return str(self.review.metadata.get("title") or self.review.file)

    @property
    def counts(self) -> dict[str, int]:
        """Counted gaps by severity (to-be-established ones are info)."""
        return self.assessment.counts()

    @property
    def verdict(self) -> str:
        if self.refusals:
            return f"not reviewed: {_plural(len(self.refusals), 'problem')} to fix first"
        return with_hidden(self.assessment.sentence, self.review.hidden)

    def by_status(self, *statuses: str, severity: str = "") -> tuple[GapEntry, ...]:
        return tuple(
            g
            for g in self.gaps
            if g.gap.status in statuses and (not severity or g.severity == severity)
        )

    @property
    def errors(self) -> tuple[GapEntry, ...]:
        """The blocking gaps."""
        return self.by_status(ACTIVE, severity="error")

    @property
    def established(self) -> tuple[GapEntry, ...]:
        """Gaps made info because the proposal plans to establish the answer."""
        return self.by_status(TO_BE_ESTABLISHED)

    @property
    def scoped_out(self) -> tuple[GapEntry, ...]:
        return self.by_status(SCOPED_OUT)

    @property
    def waived_gaps(self) -> tuple[GapEntry, ...]:
        return self.by_status(WAIVED)

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every counted place, in report order (component, severity, line)."""
        places = [e for g in self.gaps if g.gap.counted for e in g.places]
        return tuple(sorted(places, key=lambda e: e.finding.sort_key()))

    @property
    def waived(self) -> tuple[Entry, ...]:
        """Every place set aside, waived or scoped out, in report order."""
        places = [e for g in self.gaps if not g.gap.counted for e in g.places]
        return tuple(sorted(places, key=lambda e: e.finding.sort_key()))

    def places(self, severity: str) -> int:
        """Counted places of one severity (a gap counts once, its places each)."""
        return sum(len(g.places) for g in self.gaps if g.gap.counted and g.severity == severity)


FIX_FIRST = 5  # gaps in the "fix these first" list
OTHER_CHECKS = "Other ICAT lessons and sources"  # gaps whose rule checks no ICAT question
_LEAD_IN = re.compile(r"(?<=[?.])\s+[^?.]*:\Z")  # "... help? These may include:"


def _stem(question: str) -> str:
    """A question that introduces a list, without its lead-in: the list is not shown."""
    trimmed = _LEAD_IN.sub("", question)
    return trimmed[:-1] + "…" if trimmed.endswith(":") else trimmed


def build_reports(
    reviews: Sequence[Review], knowledge: KnowledgeBase | None
) -> list[ProposalReport]:
    return [build_report(review, f"p{n}", knowledge) for n, review in enumerate(reviews, 1)]


def build_report(review: Review, anchor: str, knowledge: KnowledgeBase | None) -> ProposalReport:
    ordered = sorted(review.findings, key=Finding.sort_key)  # the order of the report
    counted = [f for f in ordered if status_of(f) in COUNTED]
    set_aside = [f for f in ordered if status_of(f) not in COUNTED]
    entries = {id(f): _entry(f, f"{anchor}-f{n}", knowledge) for n, f in enumerate(counted, 1)} | {
        id(f): _entry(f, f"{anchor}-w{n}", knowledge) for n, f in enumerate(set_aside, 1)
    }
    gaps = _gap_order(group_gaps(ordered))
    rule_anchors: dict[str, str] = {}
    for gap in gaps:
        rule_anchors.setdefault(gap.rule_id, f"{anchor}-r{len(rule_anchors) + 1}")
    reported = tuple(
        GapEntry(
            gap,
            f"{anchor}-g{n}",
            tuple(entries[id(f)] for f in gap.findings),
            rule_anchors[gap.rule_id],
        )
        for n, gap in enumerate(gaps, 1)
    )
    active = [g for g in reported if g.gap.counted]
    raised, related = _questions(active, anchor, knowledge)
    plain = [g for g in active if g.gap.status == ACTIVE]

    def groups(severity: str, kind: str) -> tuple[ComponentGroup, ...]:
        members = [g for g in plain if g.severity == severity]
        return _component_groups(members, f"{anchor}-{kind}", knowledge)

    return ProposalReport(
        review=review,
        anchor=anchor,
        assessment=assess([*review.findings, *review.withheld], review.thresholds),
        gaps=reported,
        sections=section_counts(g.gap.first for g in active),
        questions=raised,
        related_questions=related,
        rules=_rule_notes(reported, knowledge),
        fix_first=fix_first(active),
        warnings=groups("warning", "warnings"),
        notes=groups("info", "notes"),
        refusals=tuple(review.refusals),
    )


def _gap_order(gaps: Iterable[Gap]) -> list[Gap]:
    """Report order: by severity, then component (programme-level first, gaps across several
    components next), then line."""

    def key(gap: Gap) -> tuple:
        first = gap.first
        return (SEVERITY_RANK[gap.severity], _component_rank(gap), first.sort_key())

    return sorted(gaps, key=key)


def _component_rank(gap: Gap) -> float:
    if gap.component is None:
        return -0.5
    return gap.first.component_index if gap.component else -1


def fix_first(gaps: Sequence[GapEntry], limit: int = FIX_FIRST) -> tuple[FixFirst, ...]:
    """The errors and warnings to fix first: by severity, then by how many ICAT questions the
    fix closes (questions that no other counted gap raises), then how many it raises, then
    how many places it applies to, then report order."""
    raisers: dict[str, int] = {}
    for gap in gaps:
        for ref in raised_questions(gap.rule):
            raisers[ref] = raisers.get(ref, 0) + 1
    candidates = []
    for order, gap in enumerate(gaps):
        if gap.severity == "info":
            continue
        raises = raised_questions(gap.rule)
        closes = tuple(ref for ref in raises if raisers[ref] == 1)
        rank = (SEVERITY_RANK[gap.severity], -len(closes), -len(raises), -len(gap.places), order)
        candidates.append((rank, FixFirst(gap, closes, raises)))
    return tuple(item for _, item in sorted(candidates, key=lambda c: c[0])[:limit])


def _component_groups(
    gaps: Sequence[GapEntry], anchor: str, knowledge: KnowledgeBase | None
) -> tuple[ComponentGroup, ...]:
    """Gaps by component (programme-level, across several, then file order), each component's
    by the ICAT question their rule checks first (in question order, other checks last)."""
    by_component: dict[str | None, list[GapEntry]] = {}
    for gap in sorted(gaps, key=lambda g: (_component_rank(g.gap), g.first.finding.sort_key())):
        by_component.setdefault(gap.gap.component, []).append(gap)
    groups = []
    for n, (component, members) in enumerate(by_component.items(), 1):
        label = members[0].gap.first.item_label if component else ""
        questions = _question_groups(members, knowledge)
        groups.append(ComponentGroup(component, label, questions, f"{anchor}-{n}"))
    return tuple(groups)


def _question_groups(
    gaps: Sequence[GapEntry], knowledge: KnowledgeBase | None
) -> tuple[QuestionGroup, ...]:
    """Gaps under the first ICAT question their rule checks ('' when it checks none)."""
    grouped: dict[str, list[GapEntry]] = {}
    for gap in gaps:
        grouped.setdefault(next(iter(raised_questions(gap.rule)), ""), []).append(gap)
    order = sorted(grouped, key=lambda ref: (not ref, _ref_order(ref)))
    return tuple(
        QuestionGroup(ref, cite(ref, knowledge).text if ref else "", tuple(grouped[ref]))
        for ref in order
    )


def _rule_notes(gaps: Sequence[GapEntry], knowledge: KnowledgeBase | None) -> tuple[RuleNote, ...]:
    by_rule: dict[str, list[GapEntry]] = {}
    for gap in gaps:
        by_rule.setdefault(gap.gap.rule_id, []).append(gap)
    notes = []
    for members in by_rule.values():
        entry = members[0].first
        notes.append(
            RuleNote(
                members[0].rule,
                members[0].rule_anchor,
                entry.citations,
                entry.questions,
                entry.indicators,
                entry.basis,
                tuple(members),
            )
        )
    return tuple(sorted(notes, key=lambda note: int(note.anchor.rsplit("-r", 1)[1])))


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Gaps by severity among `findings` (each gap once however many places it has)."""
    return gap_severity_counts(group_gaps(findings))


def gap_severity_counts(gaps: Iterable[Gap]) -> dict[str, int]:
    """Gaps by severity, every severity named (0 where none)."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for gap in gaps:
        counts[gap.severity] += 1
    return counts


def section_counts(findings: Iterable[Finding]) -> tuple[tuple[str, int], ...]:
    """Gaps per ICAT section; a rule resting on two sections counts in both. `findings` are
    one per gap (or places, counted as given)."""
    counts: dict[str, int] = {}
    for finding in findings:
        for section in finding.rule.sections or (OTHER_SECTION,):
            counts[section] = counts.get(section, 0) + 1
    return tuple(sorted(counts.items(), key=lambda item: _section_rank(item[0])))


def section_title(section: str) -> str:
    return SECTION_TITLES.get(section, "Other sources")


def hidden_counts(reviews: Iterable[Review]) -> dict[str, int]:
    """Gaps hidden by --min-severity/--quiet in all `reviews`, by severity."""
    total: dict[str, int] = {}
    for review in reviews:
        for severity, count in review.hidden.items():
            total[severity] = total.get(severity, 0) + count
    return total


def with_hidden(sentence: str, hidden: dict[str, int]) -> str:
    """A verdict with the gaps it counts that the output does not show: a filtered view
    never reads as ready."""
    hidden = {severity: n for severity, n in hidden.items() if n}
    if not hidden:
        return sentence
    words = " and ".join(
        _plural(hidden[s], "note" if s == "info" else s) for s in SEVERITIES if s in hidden
    )
    return f"{sentence} {words[0].upper()}{words[1:]} not shown."


def overall_verdict(reports: Sequence[ProposalReport]) -> str:
    """The verdict of a whole run: both dimensions at their worst over the proposals, gaps
    added up; never "ready" while a file could not be reviewed (nor silent about findings
    hidden from the output)."""
    reviewed = [report for report in reports if not report.refusals]
    hidden = hidden_counts(report.review for report in reviewed)
    sentence = with_hidden(combine(r.assessment for r in reviewed).sentence, hidden)
    refused = len(reports) - len(reviewed)
    if not refused:
        return sentence
    head = f"{_plural(refused, 'file')} could not be reviewed"
    return head if not reviewed else f"{head}; the others: {sentence}"


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
    return _raised(rule.icat)


@functools.lru_cache(maxsize=4096)  # asked for every finding of a report and a screening row
def _raised(icat: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(revisit_ref(ref) for ref in icat if _QUESTION.match(ref)))


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
    """A finding as reported, with what its rule points to (looked up once per process)."""
    return Entry(finding, anchor, *_pointed(finding.rule, knowledge))


@functools.lru_cache(maxsize=1024)  # a rule's references are the same in every report
def _pointed(rule: Rule, knowledge: KnowledgeBase | None) -> tuple[tuple, tuple, tuple, tuple]:
    """The citations, related questions, indicators and basis a rule points to."""
    return (
        tuple(cite(ref, knowledge) for ref in rule.icat),
        tuple(cite(ref, knowledge) for ref in dict.fromkeys(rule.questions)),
        tuple(indicator_note(i, knowledge) for i in rule.indicators),
        tuple(basis_note(term, knowledge) for term in rule.basis),
    )


@functools.lru_cache(maxsize=1024)  # pure: each report of a screening reads the same
def basis_note(term: str, knowledge: KnowledgeBase | None) -> BasisNote:
    """A basis term read for people: other standards by their citation and summary."""
    if term in BASIS_LABELS:
        return BasisNote(term, BASIS_LABELS[term])
    source = knowledge.source(term.split(":", 1)[-1]) if knowledge else None
    if source is None:
        return BasisNote(term, term)
    return BasisNote(term, source.label, f"{source.citation}. {source.summary}")


@functools.lru_cache(maxsize=4096)  # pure, and read for every rule of every report
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


@functools.lru_cache(maxsize=4096)  # pure: each report of a screening reads the same
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


def _questions(
    gaps: Sequence[GapEntry], report_anchor: str, knowledge: KnowledgeBase | None
) -> tuple[tuple[SectionQuestions, ...], tuple[SectionQuestions, ...]]:
    """The questions to revisit, each once (a bullet under its question): those some gap's
    rule checks (raised), then those gaps only list as related."""
    raised: dict[str, list[GapEntry]] = {}
    related: dict[str, list[GapEntry]] = {}
    for gap in gaps:
        for ref in raised_questions(gap.rule):
            raised.setdefault(ref, []).append(gap)
        for ref in dict.fromkeys(revisit_ref(q.ref) for q in gap.first.questions):
            related.setdefault(ref, []).append(gap)

    def revisit(ref: str) -> Revisit:
        return Revisit(
            cite(ref, knowledge),
            question_anchor(report_anchor, ref),
            tuple(raised.get(ref, ())),
            tuple(g for g in related.get(ref, ()) if g not in raised.get(ref, ())),
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
