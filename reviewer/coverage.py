"""`ctreview coverage`: what the rules check of ICAT, at which level, and what else they rest on.

docs/icat-coverage.md lists every reference of the knowledge base (ICAT's lessons, questions,
evaluation tables, "How to use" guidance and footnotes, and the other sources' parts) with its
coverage level:

- **checked (content)**: a rule of kind `content` checks it (judges what a proposal states);
- **checked (presence)**: only rules of kind `presence` check it (fire when it is not stated);
- **cited only**: no rule checks it, but a rule lists it as a related question (or, for
  another source, declares it in its basis);
- **not covered** / **not checkable**: no rule checks it, with the reason when a document
  cannot show it.

A test fails when the committed document is out of date, and another when a reference's level
falls below the committed snapshot (tests/icat-coverage.snapshot), so coverage never shrinks
unnoticed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reviewer.knowledge import KnowledgeBase
from reviewer.rules import OTHER_STANDARD, Catalogue, Rule

SECTION_TITLES = {
    0: "How to use the toolkit",
    1: "General questions for any counter-trafficking intervention",
    2: "Mapping trafficking patterns and responses",
    3: "Raising awareness",
    4: "Improving livelihoods",
    5: "Strengthening the legal framework",
    6: "Building criminal justice capacity",
    7: "Identifying and referring trafficked persons",
    8: "Support and durable solutions",
    9: "National plans of action",
}
CONTENT, PRESENCE, CITED = "checked (content)", "checked (presence)", "cited only"
NOT_COVERED, NOT_CHECKABLE = "not covered", "not checkable"
# Higher is more coverage: a level falling is coverage shrinking.
LEVEL_RANK = {CONTENT: 3, PRESENCE: 2, CITED: 1, NOT_COVERED: 0, NOT_CHECKABLE: 0}
SOURCE_SECTION = 10  # sorts other sources after ICAT's sections


@dataclass(frozen=True)
class CoverageRow:
    ref: str
    section: int  # ICAT section (0: "How to use"); SOURCE_SECTION for other sources
    kind: str  # lesson | question | table | how-to-use | introduction | footnote | source | part
    summary: str
    content_rules: tuple[str, ...]  # rules of kind content that check it
    presence_rules: tuple[str, ...]  # rules of kind presence that check it
    related_rules: tuple[str, ...]  # rules that list it as a related question
    not_checkable: str | None
    basis_rules: tuple[str, ...] = ()  # for a source: rules declaring it in their basis

    @property
    def rules(self) -> tuple[str, ...]:
        """Every rule that checks it, of either kind."""
        return tuple(sorted(self.content_rules + self.presence_rules))

    @property
    def level(self) -> str:
        if self.content_rules:
            return CONTENT
        if self.presence_rules:
            return PRESENCE
        if self.related_rules or self.basis_rules:
            return CITED
        return NOT_CHECKABLE if self.not_checkable else NOT_COVERED

    @property
    def status(self) -> str:
        """'covered' when a rule checks it; otherwise its level."""
        return "covered" if self.rules else self.level


def coverage_rows(knowledge: KnowledgeBase, catalogue: Catalogue) -> list[CoverageRow]:
    """One row per reference of the knowledge base, ICAT's in section order, then sources."""
    index = _RuleIndex(catalogue.rules)
    suggested = {indicator for rule in catalogue.rules for indicator in rule.indicators}
    rows = [
        index.row(e.ref, e.section, "lesson", e.summary, e.not_checkable) for e in knowledge.lessons
    ]
    rows += [
        index.row(q.ref, q.section, "question", q.text, q.not_checkable)
        for q in knowledge.questions
    ]
    tables = dict.fromkeys(indicator.ref for indicator in knowledge.indicators)
    rows += [
        index.row(ref, int(ref[5]), "table", _table_summary(ref, knowledge, suggested), None)
        for ref in tables
    ]
    rows += [
        index.row(note.ref, note.section, _note_kind(note.ref), note.summary, note.not_checkable)
        for note in knowledge.notes
    ]
    for source in knowledge.sources:
        row = index.row(
            source.id, SOURCE_SECTION, "source", f"{source.citation} ({source.kind})", None
        )
        rows.append(_with_basis(row, index.basis.get(source.id, ())))
        rows += [
            index.row(part.ref, SOURCE_SECTION, "part", part.summary, None) for part in source.parts
        ]
    icat = sorted(
        (r for r in rows if r.section < SOURCE_SECTION), key=lambda r: (r.section, _ref_key(r.ref))
    )
    return icat + [r for r in rows if r.section == SOURCE_SECTION]


class _RuleIndex:
    """Which rules check, relate to, or declare as basis each reference."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.checks: dict[tuple[str, str], list[str]] = defaultdict(list)  # (ref, kind)
        self.related: dict[str, list[str]] = defaultdict(list)
        self.basis: dict[str, tuple[str, ...]] = {}
        declared: dict[str, list[str]] = defaultdict(list)
        for rule in rules:
            for ref in dict.fromkeys(rule.icat):
                self.checks[(ref, rule.kind)].append(rule.id)
            for ref in dict.fromkeys(rule.questions):
                self.related[ref].append(rule.id)
            for term in rule.basis:
                if term.startswith(OTHER_STANDARD):
                    declared[term[len(OTHER_STANDARD) :]].append(rule.id)
        self.basis = {source: tuple(ids) for source, ids in declared.items()}

    def row(
        self, ref: str, section: int, kind: str, summary: str, reason: str | None
    ) -> CoverageRow:
        return CoverageRow(
            ref,
            section,
            kind,
            summary,
            tuple(self.checks.get((ref, "content"), ())),
            tuple(self.checks.get((ref, "presence"), ())),
            tuple(self.related.get(ref, ())),
            reason,
        )


def _with_basis(row: CoverageRow, rules: tuple[str, ...]) -> CoverageRow:
    return CoverageRow(
        row.ref,
        row.section,
        row.kind,
        row.summary,
        row.content_rules,
        row.presence_rules,
        row.related_rules,
        row.not_checkable,
        rules,
    )


def _note_kind(ref: str) -> str:
    if ".U" in ref:
        return "how-to-use"
    return "introduction" if ref.endswith(".I") else "footnote"


def _table_summary(ref: str, knowledge: KnowledgeBase, suggested: set[str]) -> str:
    """The table with how many of its sample indicators some rule suggests."""
    ids = [indicator.id for indicator in knowledge.indicators if indicator.ref == ref]
    used = sum(indicator_id in suggested for indicator_id in ids)
    return (
        f"Evaluation table of section {ref[5]}: {len(ids)} sample indicators, "
        f"{used} of them suggested by rules"
    )


def _ref_key(ref: str) -> tuple:
    """Natural order: ICAT-3.L2 < ICAT-3.L2.a < ICAT-3.L10 < ICAT-3.Q1 < ICAT-3.E < notes."""
    order = {"L": 0, "Q": 1, "E": 2, "I": 3, "N": 4, "U": 5}
    parts = ref.split(".")[1:]
    return tuple(
        (order.get(part[0], 9), int(part[1:]), "")
        if part[1:].isdigit()
        else (order.get(part, 9), 0, part)
        for part in parts
    )


def coverage_levels(rows: Sequence[CoverageRow]) -> dict[str, str]:
    """Reference -> level, the content of the coverage snapshot."""
    return {row.ref: row.level for row in rows}


def snapshot_text(rows: Sequence[CoverageRow]) -> str:
    """The committed snapshot of coverage levels (tests/icat-coverage.snapshot)."""
    lines = [
        "# Coverage level of every reference (ctreview coverage). A test fails when a level falls",
        "# or the snapshot is stale; after a deliberate change, update it with",
        "#   CTREVIEW_UPDATE_COVERAGE=1 .venv/bin/pytest tests/test_coverage.py",
        "# and read the diff.",
    ]
    lines += [f"{row.ref}\t{row.level}" for row in rows]
    return "\n".join(lines) + "\n"


def parse_snapshot(text: str) -> dict[str, str]:
    return dict(
        line.split("\t", 1) for line in text.splitlines() if line and not line.startswith("#")
    )


def shrunk(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """References whose level fell (or that disappeared) since the snapshot was recorded."""
    return [
        f"{ref}: {level} -> {current.get(ref, 'removed')}"
        for ref, level in recorded.items()
        if LEVEL_RANK.get(current.get(ref, ""), -1) < LEVEL_RANK[level]
    ]


def coverage_markdown(rows: Sequence[CoverageRow], catalogue: Catalogue) -> str:
    icat = [row for row in rows if row.section < SOURCE_SECTION]
    sources = [row for row in rows if row.section == SOURCE_SECTION]
    lines = [
        "<!-- Generated by `ctreview coverage`. Do not edit by hand. -->",
        "",
        "# ICAT coverage",
        "",
        "Every reference of the knowledge base (`question_banks/`, scheme in its README): ICAT's "
        'lessons, questions and their bullets, its evaluation tables, its "How to use" guidance '
        "and the footnotes with design content, then the other sources the rules rest on. Each "
        "has a coverage level:",
        "",
        f"- **{CONTENT}**: a rule of kind `content` checks it, judging what a proposal states "
        "(a label, value or number, the combination of stated items, or what a free-text "
        "answer says, read by a measured content check: docs/content-checks.md).",
        f"- **{PRESENCE}**: only rules of kind `presence` check it: they fire when the proposal "
        "does not state the answer. A placeholder or an admission (\"N/A\", \"not "
        "considered\") counts as not stated.",
        f"- **{CITED}**: no rule checks it, but a rule lists it among the related questions its "
        "findings point to (or, for another source, declares it in its `basis`).",
        f"- **{NOT_COVERED}**: a document could show it, and no rule checks it yet; "
        f"**{NOT_CHECKABLE}**: a proposal document cannot show it (the reason is given).",
        "",
        "A rule checks the references of its `icat` list (docs/writing-rules.md). A test keeps "
        "this document current, and another fails when a level falls below the committed "
        "snapshot `tests/icat-coverage.snapshot`.",
        "",
        *_summary(icat, catalogue),
        "",
        "What a document review cannot judge: whether the facts a proposal states are true "
        "(country data, the real state of a referral mechanism, the actual level of awareness), "
        "and how the programme is implemented. ctreview checks that the designers asked and "
        "answered ICAT's questions; it does not check the answers against the world.",
    ]
    for section in sorted({row.section for row in icat}):
        lines += _section_table(section, [row for row in icat if row.section == section])
    lines += _sources(sources)
    lines += _concerns(catalogue.rules)
    lines += _rule_bases(catalogue.rules)
    return "\n".join(lines) + "\n"


def _summary(rows: Sequence[CoverageRow], catalogue: Catalogue) -> list[str]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.level] += 1
    checkable = len(rows) - counts[NOT_CHECKABLE]
    checked = counts[CONTENT] + counts[PRESENCE]
    kinds = defaultdict(lambda: [0, 0])
    for row in rows:
        if row.level != NOT_CHECKABLE:
            kinds[row.kind][0] += 1
            kinds[row.kind][1] += bool(row.rules)
    by_kind = ", ".join(
        f"{_KIND_NAMES.get(kind, kind + 's')} {done} of {total}"
        for kind, (total, done) in kinds.items()
    )
    share = f" ({100 * checked // checkable}%)" if checkable else ""
    rules = catalogue.rules
    content_rules = sum(rule.kind == "content" for rule in rules)
    return [
        f"- {len(rows)} ICAT references: {counts[CONTENT]} {CONTENT}, {counts[PRESENCE]} "
        f"{PRESENCE}, {counts[CITED]} {CITED}, {counts[NOT_COVERED]} {NOT_COVERED}, "
        f"{counts[NOT_CHECKABLE]} {NOT_CHECKABLE}.",
        f"- Checkable references checked by a rule: {checked} of {checkable}{share}; by kind "
        f"of reference (checkable ones): {by_kind}.",
        f"- Rule catalogue: {len(rules)} rules, {content_rules} of kind content and "
        f"{len(rules) - content_rules} of kind presence.",
    ]


_KIND_NAMES = {"how-to-use": '"How to use" entries', "introduction": "introductions"}


def _section_table(section: int, rows: Sequence[CoverageRow]) -> list[str]:
    lines = [
        "",
        f"## Section {section}: {SECTION_TITLES.get(section, '')}",
        "",
        "| reference | kind | summary | checked by (content) | checked by (presence) | "
        "related in | level |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        level = row.level if row.level != NOT_CHECKABLE else f"{NOT_CHECKABLE}: {row.not_checkable}"
        cells = (
            row.ref,
            row.kind,
            _cell(row.summary),
            _rules(row.content_rules),
            _rules(row.presence_rules),
            _rules(row.related_rules),
            _cell(level),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _table_start(title: str, intro: str, columns: Sequence[str]) -> list[str]:
    """A section heading, its introduction and a table header."""
    return [
        "",
        f"## {title}",
        "",
        intro,
        "",
        "| " + " | ".join(columns) + " |",
        "|" + " --- |" * len(columns),
    ]


def _sources(rows: Sequence[CoverageRow]) -> list[str]:
    lines = _table_start(
        "Other sources",
        "The sources of `question_banks/sources.yaml` other than ICAT: which rules check a "
        "provision of theirs (in `icat`) and which declare them in their `basis`. A source a "
        "rule rests on without checking a provision of it is *cited only*.",
        ("reference", "summary", "checked by", "basis of", "level"),
    )
    for row in rows:
        lines.append(
            f"| {row.ref} | {_cell(row.summary)} | {_rules(row.rules)} | "
            f"{_rules(row.basis_rules) if row.kind == 'source' else ''} | {row.level} |"
        )
    return lines


# Concerns beyond ICAT's sections, by the tag rules carry for them (rules/crosscutting.yaml,
# rules/action-plan-cycle.yaml, rules/format-gaps.yaml).
CONCERNS = {
    "results-chain": "Results chain",
    "risks": "Risks and do-no-harm",
    "data-protection": "Data protection and research ethics",
    "safeguarding": "Child safeguarding",
    "participation": "Survivor participation",
    "gender-age-disability": "Sex, age and disability",
    "sustainability": "Sustainability and exit",
    "coordination": "Coordination",
    "proportionality": "Proportionality",
    "national-plan": "National plans beyond ICAT section 9 (ICMPD 2021)",
    "measurement": "Format: how indicators are counted and followed up",
    "evaluation": "Format: phase, evaluation approach, M&E framework",
    "legal": "Format: treaty status",
    "dose": "Format: dose of training and awareness",
    "timeliness": "Format: identification and assistance times",
    "other": "Format: components of type other",
}


def concern_of(rule: Rule) -> str | None:
    """The concern a rule's tags place it in (its most specific known tag), if any."""
    known = [tag for tag in rule.tags if tag in CONCERNS]
    return known[-1] if known else None


def _concerns(rules: Sequence[Rule]) -> list[str]:
    """Rules on concerns beyond ICAT's sections: what each checks, at what level, and the
    standards other than ICAT's main text it rests on."""
    lines = _table_start(
        "Cross-cutting concerns",
        "Rules on what an expert reviewer checks in any programme beyond ICAT's sections (their "
        "`tags` name the concern): their severity (in the recommended preset, and in `strict`, "
        "a funder's final review) and kind (a presence check fires when an "
        "answer is absent, a content check judges what is stated), the references they check, "
        "and what else they rest on: an ICAT footnote, another standard of "
        "`question_banks/sources.yaml`, or ctreview's own judgement.",
        ("concern", "rule", "severity", "in strict", "kind", "checks", "rests also on"),
    )
    strict = strict_severities()
    grouped = sorted(
        (list(CONCERNS).index(concern), rule.id, concern, rule)
        for rule in rules
        if (concern := concern_of(rule))
    )
    for _, _, concern, rule in grouped:
        also = [b.removeprefix("other-standard:") for b in rule.basis if b != "icat"]
        lines.append(
            f"| {CONCERNS[concern]} | {rule.id} | {rule.severity} | "
            f"{strict.get(rule.id, rule.severity)} | {rule.kind} | "
            f"{_rules(rule.icat)} | {_rules(also)} |"
        )
    return lines


def strict_severities() -> dict[str, str]:
    """The severities the bundled `strict` preset sets (a funder's final review)."""
    from reviewer.config import preset

    return {setting.rule: setting.severity for setting in preset("strict").rules}


def _rule_bases(rules: Sequence[Rule]) -> list[str]:
    """The rules that rest on more than ICAT's main text, with what else they rest on."""
    lines = _table_start(
        "Rules resting on more than ICAT's main text",
        "Rules whose `basis` names an ICAT footnote, another source or ctreview's own judgement "
        "(the rest rest on ICAT's main text alone).",
        ("rule", "kind", "basis"),
    )
    lines += [
        f"| {rule.id} | {rule.kind} | {', '.join(rule.basis)} |"
        for rule in rules
        if rule.basis and tuple(rule.basis) != ("icat",)
    ]
    undeclared = [rule.id for rule in rules if not rule.basis]
    if undeclared:
        lines += ["", f"Rules that do not declare a basis: {', '.join(undeclared)}."]
    return lines


def _rules(ids: Sequence[str]) -> str:
    return ", ".join(ids) or "-"


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())
