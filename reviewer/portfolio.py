"""The portfolio report: a call's screened proposals side by side, for a programme officer.

It answers what a feedback session needs: which proposals are ready, which need revision and
which are not ready, in two dimensions (design soundness and completeness, see verdict.py; a
ranking), where in the ICAT toolkit each one falls short (a proposal x section matrix), and
which findings and questions recur across the call (with the questions' text, so the session
can be prepared from this page alone). Findings are counted one per gap (see gaps.py).

Verdicts (`verdict_of`): the worse of the two dimensions (*not ready* with any error, else by
each dimension's configured thresholds; at the defaults *revise* with any warning, else
*ready*), *input error* when the file could not be reviewed, *review failed* when its review
did not finish for a reason that is not the file's. The ranking is static, best first: verdict,
then soundness, then completeness, then errors, soundness warnings, completeness warnings,
info, then file.
The HTML page has no script at all, so no proposal text can ever run; every piece of proposal
text is escaped in every format, and CSV cells that a spreadsheet would read as a formula are
prefixed with an apostrophe. Output is deterministic (no timestamps), whatever ``--jobs`` was.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from reviewer.findings import SEVERITY_RANK
from reviewer.gaps import COMPLETENESS, SOUNDNESS
from reviewer.inert import inert_json, one_line
from reviewer.knowledge import KnowledgeBase
from reviewer.report.content import (
    OTHER_SECTION,
    SECTION_TITLES,
    SEVERITIES,
    Citation,
    cite,
)
from reviewer.report.markdown import md, md_block
from reviewer.screen import ScreenResult
from reviewer.verdict import LEVELS, Assessment, DimensionVerdict

VERDICTS = ("ready", "revise", "not ready", "input error", "review failed")  # ranking order
VERDICT_MEANINGS = {
    "ready": "design sound and complete by the call's thresholds (info notes may remain)",
    "revise": "warnings to address before approval: weaknesses of design, or gaps to fill",
    "not ready": "an error blocks approval, or a dimension reached its not-ready threshold",
    "input error": "could not be reviewed: unreadable, invalid YAML or not in the proposal format",
    "review failed": "the review did not finish (its worker process was stopped, or ctreview "
    "failed): screen the file again",
}
SECTIONS = (*SECTION_TITLES, OTHER_SECTION)
_SEVERITY_WORDS = {"error": "error", "warning": "warning", "info": "info note"}
TOP_LISTED = 10  # frequent findings and questions shown in Markdown and HTML (JSON has all)
RANKING_NOTE = (
    "Ordered by verdict (ready, revise, not ready, input error, review failed), then by design "
    "soundness, then by completeness, then by errors, soundness warnings, completeness "
    "warnings and info notes (fewest first), then by file. Findings are counted one per gap: "
    "a rule that holds in several places of a proposal counts once."
)
DIMENSIONS_NOTE = (
    "Design soundness: errors, and what the answers say (content rules). Completeness: "
    "whether ICAT's questions are answered (presence rules)."
)


def assessment_of(result: ScreenResult) -> Assessment:
    """A reviewed result's verdict in two dimensions (from its counts, at the default
    thresholds, for a result made without one)."""
    if result.assessment is not None:
        return result.assessment
    counts = result.counts
    soundness = DimensionVerdict(
        SOUNDNESS, "not ready" if counts["error"] else "revise" if counts["warning"] else "ready",
        dict(counts),
    )
    completeness = DimensionVerdict(COMPLETENESS, "ready", dict.fromkeys(SEVERITIES, 0))
    return Assessment(soundness, completeness)


def verdict_of(result: ScreenResult) -> str:
    if result.failed:
        return "review failed"
    if not result.reviewed:
        return "input error"
    return assessment_of(result).level


def dimension_levels(result: ScreenResult) -> tuple[str, str]:
    """(soundness, completeness) levels; '–' for a file that was not reviewed."""
    if not result.reviewed:
        return ("–", "–")
    assessment = assessment_of(result)
    return (assessment.soundness.level, assessment.completeness.level)


@dataclass(frozen=True)
class Row:
    """A proposal in the ranking, with its reports (format, path relative to the portfolio)."""

    rank: int
    verdict: str
    result: ScreenResult
    reports: tuple[tuple[str, str], ...] = ()

    def report(self, *preferred: str) -> str:
        """The first report written in one of the preferred formats ('' when none)."""
        written = dict(self.reports)
        return next((written[fmt] for fmt in preferred if fmt in written), "")


@dataclass(frozen=True)
class FrequentFinding:
    rule_id: str
    title: str
    severity: str  # the most severe it was reported at
    proposals: int
    findings: int  # gaps (one per proposal, severity and waiver state)
    places: int = 0


@dataclass(frozen=True)
class FrequentQuestion:
    question: Citation
    proposals: int
    findings: int


@dataclass(frozen=True)
class Portfolio:
    rows: tuple[Row, ...]  # ranked, best first
    findings: tuple[FrequentFinding, ...]  # every rule that fired, most frequent first
    questions: tuple[FrequentQuestion, ...]  # every question raised, most frequent first
    skipped: tuple[str, ...]
    tool_version: str
    catalogue_version: str

    def verdict_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(VERDICTS, 0)
        for row in self.rows:
            counts[row.verdict] += 1
        return counts

    def severity_totals(self) -> dict[str, int]:
        return {s: sum(row.result.counts[s] for row in self.rows) for s in SEVERITIES}


class Tally:
    """What recurs across the portfolio, counted as results arrive, so that a large batch
    need not keep every result's per-rule and per-question detail: `add` counts them and
    returns the result without them."""

    def __init__(self) -> None:
        # rule id -> [title, most severe severity, proposals, findings, places], kept as
        # lists (a result brings ~40 rules; a new FrequentFinding for each was most of `add`)
        self._rules: dict[str, list[Any]] = {}
        self._question_proposals: dict[str, int] = {}
        self._question_findings: dict[str, int] = {}

    def add(self, result: ScreenResult) -> ScreenResult:
        for rule in result.rules:
            counted = self._rules.get(rule.rule_id)
            if counted is None:
                self._rules[rule.rule_id] = [rule.title, rule.severity, 1, rule.count, rule.places]
                continue
            if SEVERITY_RANK[rule.severity] < SEVERITY_RANK[counted[1]]:
                counted[1] = rule.severity
            counted[2] += 1
            counted[3] += rule.count
            counted[4] += rule.places
        for ref, count in result.questions:
            self._question_proposals[ref] = self._question_proposals.get(ref, 0) + 1
            self._question_findings[ref] = self._question_findings.get(ref, 0) + count
        return replace(result, rules=(), questions=())

    def findings(self) -> tuple[FrequentFinding, ...]:
        """Every rule that fired, by the number of proposals, then of findings, then id."""
        found = (FrequentFinding(rule_id, *counted) for rule_id, counted in self._rules.items())
        return tuple(sorted(found, key=lambda f: (-f.proposals, -f.findings, f.rule_id)))

    def questions(self, knowledge: KnowledgeBase | None) -> tuple[FrequentQuestion, ...]:
        proposals, findings = self._question_proposals, self._question_findings
        order = sorted(proposals, key=lambda ref: (-proposals[ref], -findings[ref], _natural(ref)))
        return tuple(
            FrequentQuestion(_question(ref, knowledge), proposals[ref], findings[ref])
            for ref in order
        )


def build_portfolio(
    results: Sequence[ScreenResult],
    knowledge: KnowledgeBase | None,
    *,
    tool_version: str,
    skipped: Sequence[str] = (),
    reports: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    tally: Tally | None = None,
) -> Portfolio:
    """Rank the results and count what recurs (`tally`: counted already, as they arrived);
    `reports` maps a file to its written reports."""
    if tally is None:
        tally = Tally()
        results = [tally.add(result) for result in results]
    ranked = sorted(results, key=_rank_key)
    written = reports or {}
    rows = tuple(
        Row(n, verdict_of(r), r, tuple(written.get(r.file, ())) if r.reports_written else ())
        for n, r in enumerate(ranked, 1)
    )
    versions = sorted({r.catalogue_version for r in results if r.catalogue_version})
    return Portfolio(
        rows=rows,
        findings=tally.findings(),
        questions=tally.questions(knowledge),
        skipped=tuple(skipped),
        tool_version=tool_version,
        catalogue_version="+".join(versions),
    )


def _rank_key(result: ScreenResult) -> tuple:
    """Best first: the verdict, then the design's soundness (its level, errors, warnings)
    before its completeness, since weaknesses of design need rework and gaps only filling:
    a design with one gap ranks above one with seven weaknesses at the same level."""
    verdict = VERDICTS.index(verdict_of(result))
    if not result.reviewed:
        return (verdict, 0, 0, 0, 0, 0, 0, result.file)
    assessment = assessment_of(result)
    soundness, completeness = assessment.soundness, assessment.completeness
    return (
        verdict,
        LEVELS.index(soundness.level),
        result.counts["error"],
        soundness.counts.get("warning", 0),
        LEVELS.index(completeness.level),
        completeness.counts.get("warning", 0),
        result.counts["info"],
        result.file,
    )


def _question(ref: str, knowledge: KnowledgeBase | None) -> Citation:
    """A question with its text; a question that lists items ('These may include:') gets
    them too, so the list can be read on its own."""
    citation = cite(ref, knowledge)
    question = knowledge.question(ref) if knowledge else None
    if not question or not question.items:
        return citation
    items = [knowledge.question(item) for item in question.items]
    text = " ".join([citation.text, *(item.text for item in items if item)])
    return Citation(citation.ref, text, citation.section)


def _natural(ref: str) -> tuple:
    """ICAT-3.Q10 after ICAT-3.Q2."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", ref))


def section_count(row: Row, section: str) -> int:
    return dict(row.result.sections).get(section, 0)


def _sections_shown(portfolio: Portfolio) -> tuple[str, ...]:
    """ICAT sections 1-9 always (a blank column is information too), 'other' when used."""
    used = any(section_count(row, OTHER_SECTION) for row in portfolio.rows)
    return SECTIONS if used else SECTIONS[:-1]


def _section_label(section: str) -> str:
    return "other" if section == OTHER_SECTION else section


def _section_heading(section: str) -> str:
    """A matrix column's header: the section's number and name ('3 Awareness raising')."""
    if section == OTHER_SECTION:
        return "Other sources"
    return f"{section} {SECTION_TITLES[section]}"


def _dimension_texts(result: ScreenResult) -> tuple[str, str]:
    """Each dimension's level with what it rests on: 'not ready (2 errors block approval)'."""
    if not result.reviewed:
        return ("–", "–")
    return tuple(f"{d.level} ({d.details})" for d in assessment_of(result).dimensions)


def _top_text(result: ScreenResult) -> list[str]:
    return [f"{t.rule_id} ({t.severity}, line {t.line}): {t.message}" for t in result.top]


# --- Markdown ---------------------------------------------------------------------------------


def render_markdown(portfolio: Portfolio) -> str:
    lines = [f"# Portfolio screening: {_plural(len(portfolio.rows), 'proposal')}", ""]
    lines += [_provenance(portfolio), ""]
    lines += ["| verdict | proposals | meaning |", "| --- | ---: | --- |"]
    for verdict, count in portfolio.verdict_counts().items():
        lines.append(f"| {verdict} | {count} | {VERDICT_MEANINGS[verdict]} |")
    lines += ["", "## Ranking", "", RANKING_NOTE, DIMENSIONS_NOTE, ""]
    lines += [
        "| # | verdict | design soundness | completeness | proposal | organisation | errors "
        "| warnings | info | waived | top findings |",
        "| ---: | --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in portfolio.rows:
        r = row.result
        counts = [str(r.counts[s]) for s in SEVERITIES] + [str(r.waived)]
        if not r.reviewed:
            counts = ["–"] * 4
        top = "; ".join(md(text) for text in _top_text(r)) or (md(r.error) if r.error else "–")
        levels = [md(text) for text in _dimension_texts(r)]
        cells = [str(row.rank), row.verdict, *levels, _md_proposal(row), md(r.organisation)]
        lines.append("| " + " | ".join([*cells, *counts, top]) + " |")
    lines += _md_matrix(portfolio) + _md_frequent(portfolio) + _md_questions(portfolio)
    lines += _md_errors(portfolio)
    return "\n".join(lines) + "\n"


def _provenance(portfolio: Portfolio) -> str:
    totals = portfolio.severity_totals()
    found = ", ".join(_plural(n, _SEVERITY_WORDS[s]) for s, n in totals.items())
    text = (
        f"Screened with ctreview {one_line(portfolio.tool_version)}, rule catalogue "
        f"{one_line(portfolio.catalogue_version) or 'unknown'}: {found} (waived findings "
        "not counted)."
    )
    if portfolio.skipped:
        text += (
            f" {_plural(len(portfolio.skipped), 'other file')} without the `ctreview:` "
            "marker passed over."
        )
    return text


def _md_proposal(row: Row) -> str:
    r = row.result
    name = md(r.title or r.file)
    link = row.report("markdown", "html")
    name = f"[{name}](<{_href(link)}>)" if link else name
    return name + (f" ({md(r.file)})" if r.title else "")


def _md_matrix(portfolio: Portfolio) -> list[str]:
    sections = _sections_shown(portfolio)
    lines = ["", "## Findings by ICAT section", ""]
    lines += [
        "Findings of each proposal (one per gap) by the ICAT section their rule rests on (a "
        "rule resting on two sections counts in both).",
        "",
    ]
    lines.append("| # | proposal | " + " | ".join(map(_section_heading, sections)) + " |")
    lines.append("| ---: | --- |" + " ---: |" * len(sections))
    for row in portfolio.rows:
        cells = [str(section_count(row, s)) if row.result.reviewed else "–" for s in sections]
        proposal = md(row.result.title or row.result.file)
        lines.append(f"| {row.rank} | {proposal} | " + " | ".join(cells) + " |")
    return lines


def _md_frequent(portfolio: Portfolio) -> list[str]:
    lines = ["", "## Most frequent findings", ""]
    if not portfolio.findings:
        return [*lines, "No findings in any proposal."]
    lines += [_listed_note(len(portfolio.findings), "rules"), ""]
    lines += [
        "| rule | severity | title | proposals | places |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for f in portfolio.findings[:TOP_LISTED]:
        lines.append(
            f"| {md(f.rule_id)} | {f.severity} | {md(f.title)} | {f.proposals} | {f.places} |"
        )
    return lines


def _md_questions(portfolio: Portfolio) -> list[str]:
    lines = ["", "## Questions most often raised", ""]
    if not portfolio.questions:
        return [*lines, "No questions raised."]
    lines += [_listed_note(len(portfolio.questions), "questions"), ""]
    for q in portfolio.questions[:TOP_LISTED]:
        where = f"{_plural(q.proposals, 'proposal')}, {_plural(q.findings, 'finding')}"
        text = md(q.question.text) if q.question.text else "(no text in the knowledge base)"
        lines.append(f"- **{md(q.question.ref)}** ({where}): {text}")
    return lines


def _md_errors(portfolio: Portfolio) -> list[str]:
    broken = [row for row in portfolio.rows if not row.result.reviewed]
    if not broken:
        return []
    lines = ["", "## Files that could not be reviewed", ""]
    return lines + [f"- {md_block(row.result.error)}" for row in broken]


def _listed_note(total: int, what: str) -> str:
    shown = min(total, TOP_LISTED)
    more = f"; portfolio.json lists all {total}" if total > shown else ""
    return f"The {shown} most frequent of {total} {what}, by the number of proposals{more}."


# --- HTML -------------------------------------------------------------------------------------

# Colours meet WCAG AA (4.5:1) for their text: verdict words on white, dark text on every
# heat step (the darkest, #f97066, gives 6.4:1), so nothing depends on a background printing.
_CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #101828; background: #fff; overflow-wrap: anywhere; }
main { max-width: 90rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2.5rem; }
.wide { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0; overflow-wrap: normal; }
th, td { border: 1px solid #98a2b3; padding: .25rem .6rem; text-align: left;
  vertical-align: top; }
th { background: #f2f4f7; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
th.section { min-width: 6.5rem; max-width: 9rem; font-weight: 600; vertical-align: bottom; }
.v-ready { color: #067647; } .v-revise { color: #9a5b00; }
.v-not-ready, .v-input-error, .v-review-failed { color: #b42318; }
.v { font-weight: 600; white-space: nowrap; }
.why { display: block; font-weight: 400; color: #344054; font-size: .85em; white-space: normal; }
.file { color: #475467; font-size: .85em; } ul { margin: 0; padding-left: 1.1rem; }
.h1 { background: #fef3f2; } .h2 { background: #fee4e2; } .h3 { background: #fecdca; }
.h4 { background: #fda29b; font-weight: 700; } .h5 { background: #f97066; font-weight: 700; }
.h1, .h2, .h3, .h4, .h5 { color: #101828; -webkit-print-color-adjust: exact;
  print-color-adjust: exact; }
@media (max-width: 40rem) {
  main { padding: 1rem .75rem 2rem; }
  th, td { padding: .2rem .4rem; }
}
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { font-size: 9pt; line-height: 1.35; }
  main { max-width: none; padding: 0; }
  a { color: inherit; }
  .wide { overflow: visible; }
  table { width: 100%; }
  th, td { padding: .1rem .3rem; }
  td { overflow-wrap: break-word; } .file { overflow-wrap: anywhere; }
  th.section { min-width: 0; max-width: none; }
  td.proposal { width: 15%; } td.top { width: 45%; }
  tr, li { break-inside: avoid; }
  h2 { break-after: avoid; }
}
""".strip()
HEAT_STEPS = 5  # heat classes h1..h5, light to dark


def render_html(portfolio: Portfolio) -> str:
    title = f"Portfolio screening: {_plural(len(portfolio.rows), 'proposal')}"
    parts = [
        f"<h1>{_e(title)}</h1>",
        f"<p>{_e(_provenance(portfolio).replace('`', ''))}</p>",
        _wide("Verdicts", _html_verdicts(portfolio)),
        "<h2>Ranking</h2>",
        f"<p>{_e(RANKING_NOTE)} {_e(DIMENSIONS_NOTE)} The page has no script: the order is "
        "fixed.</p>",
        _wide("Ranking", _html_ranking(portfolio)),
        "<h2>Findings by ICAT section</h2>",
        _html_matrix(portfolio),
        "<h2>Most frequent findings</h2>",
        _html_frequent(portfolio),
        "<h2>Questions most often raised</h2>",
        _html_questions(portfolio),
        _html_errors(portfolio),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(part for part in parts if part)
        + "\n</main>\n</body>\n</html>\n"
    )


def _e(text: object) -> str:
    return html.escape(one_line(text))


def _wide(label: str, table: str) -> str:
    """A table that may be wider than a phone's screen scrolls inside its own region (which
    the keyboard can reach), never the page."""
    region = f'<div class="wide" role="region" aria-label="{_e(label)}" tabindex="0">'
    return f"{region}\n{table}\n</div>"


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(
        cell if cell.startswith("<th") else f'<th scope="col">{cell}</th>' for cell in header
    )
    body = "\n".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _td(text: object, numeric: bool = False, css: str = "") -> str:
    classes = " ".join(c for c in ("n" if numeric else "", css) if c)
    attrs = f' class="{classes}"' if classes else ""
    return f"<td{attrs}>{_e(text)}</td>"


def _verdict_td(verdict: str, why: str = "") -> str:
    note = f'<span class="why">{_e(why)}</span>' if why else ""
    return f'<td class="v v-{verdict.replace(" ", "-")}">{_e(verdict)}{note}</td>'


def _html_verdicts(portfolio: Portfolio) -> str:
    rows = [
        [_verdict_td(v), _td(n, True), _td(VERDICT_MEANINGS[v])]
        for v, n in portfolio.verdict_counts().items()
    ]
    return _html_table(["verdict", "proposals", "meaning"], rows)


def _html_proposal(row: Row) -> str:
    r = row.result
    name = _e(r.title or r.file)
    link = row.report("html", "markdown")
    if link:
        name = f'<a href="{html.escape(_href(link))}">{name}</a>'
    file = f'<br><span class="file">{_e(r.file)}</span>' if r.title else ""
    return f'<td class="proposal">{name}{file}</td>'


def _html_ranking(portfolio: Portfolio) -> str:
    header = [
        "#",
        "verdict",
        "design soundness",
        "completeness",
        "proposal",
        "organisation",
        "errors",
        "warnings",
        "info",
        "waived",
        "top findings",
    ]
    rows = []
    for row in portfolio.rows:
        r = row.result
        if r.reviewed:
            numbers = [_td(r.counts[s], True) for s in SEVERITIES] + [_td(r.waived, True)]
            items = "".join(f"<li>{_e(text)}</li>" for text in _top_text(r))
            top = f'<td class="top"><ul>{items}</ul></td>' if items else _td("–")
            dimensions = [_verdict_td(d.level, d.details) for d in assessment_of(r).dimensions]
        else:
            numbers = [_td("–", True)] * 4
            top = _td(r.error)
            dimensions = [_td("–"), _td("–")]
        rows.append(
            [
                _td(row.rank, True),
                _verdict_td(row.verdict),
                *dimensions,
                _html_proposal(row),
                _td(r.organisation),
                *numbers,
                top,
            ]
        )
    return _html_table(header, rows)


def _html_matrix(portfolio: Portfolio) -> str:
    sections = _sections_shown(portfolio)
    peak = max((section_count(row, s) for row in portfolio.rows for s in sections), default=0)
    header = ["#", "proposal"] + [
        f'<th scope="col" class="section">{_e(_section_heading(s))}</th>' for s in sections
    ]
    rows = []
    for row in portfolio.rows:
        cells = [
            _td(section_count(row, s), True, heat_class(section_count(row, s), peak))
            if row.result.reviewed
            else _td("–", True)
            for s in sections
        ]
        rows.append([_td(row.rank, True), _td(row.result.title or row.result.file), *cells])
    note = (
        "<p>Findings of each proposal (one per gap) by the ICAT section their rule rests on (a "
        "rule resting on two sections counts in both); the darker the cell, and from the "
        "fourth of five steps in bold, the more findings.</p>"
    )
    return note + "\n" + _wide("Findings by ICAT section", _html_table(header, rows))


def heat_class(count: int, peak: int) -> str:
    """The heat step of a cell, h1 (few) to h5 (the most in the call); '' for none."""
    if not count or not peak:
        return ""
    return f"h{max(1, -(-count * HEAT_STEPS // peak))}"


def _html_frequent(portfolio: Portfolio) -> str:
    if not portfolio.findings:
        return "<p>No findings in any proposal.</p>"
    rows = [
        [
            _td(f.rule_id),
            _td(f.severity),
            _td(f.title),
            _td(f.proposals, True),
            _td(f.places, True),
        ]
        for f in portfolio.findings[:TOP_LISTED]
    ]
    note = f"<p>{_e(_listed_note(len(portfolio.findings), 'rules'))}</p>"
    table = _html_table(["rule", "severity", "title", "proposals", "places"], rows)
    return note + "\n" + _wide("Most frequent findings", table)


def _html_questions(portfolio: Portfolio) -> str:
    if not portfolio.questions:
        return "<p>No questions raised.</p>"
    items = []
    for q in portfolio.questions[:TOP_LISTED]:
        where = f"{_plural(q.proposals, 'proposal')}, {_plural(q.findings, 'finding')}"
        text = q.question.text or "(no text in the knowledge base)"
        items.append(f"<li><strong>{_e(q.question.ref)}</strong> ({_e(where)}): {_e(text)}</li>")
    note = f"<p>{_e(_listed_note(len(portfolio.questions), 'questions'))}</p>"
    return note + "\n<ul>\n" + "\n".join(items) + "\n</ul>"


def _html_errors(portfolio: Portfolio) -> str:
    broken = [row for row in portfolio.rows if not row.result.reviewed]
    if not broken:
        return ""
    items = "\n".join(f"<li>{_e(row.result.error)}</li>" for row in broken)
    return f"<h2>Files that could not be reviewed</h2>\n<ul>\n{items}\n</ul>"


# --- CSV and JSON -----------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render_csv(portfolio: Portfolio) -> str:
    sections = SECTIONS
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["rank", "verdict", "soundness", "completeness", "file", "title", "organisation"]
        + ["errors", "warnings", "info", "waived", "places"]
        + [*(f"icat_{_section_label(s)}" for s in sections), "top_findings", "input_error"]
        + ["reports"]
    )
    for row in portfolio.rows:
        r = row.result
        numbers = [r.counts[s] for s in SEVERITIES] + [r.waived, r.places]
        matrix = [section_count(row, s) for s in sections]
        levels = list(dimension_levels(r))
        if not r.reviewed:
            numbers, matrix, levels = [""] * 5, [""] * len(sections), ["", ""]
        texts = [r.file, r.title, r.organisation]
        tail = [" | ".join(_top_text(r)), r.error, " ".join(path for _, path in row.reports)]
        writer.writerow(
            [row.rank, row.verdict, *levels, *map(_cell, texts), *numbers, *matrix]
            + [*map(_cell, tail)]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    """Proposal text as a CSV cell a spreadsheet shows and never evaluates."""
    flat = one_line(text)
    return "'" + flat if flat.startswith(_FORMULA_START) else flat


def render_json(portfolio: Portfolio) -> str:
    data = {
        "tool": {"name": "ctreview", "version": portfolio.tool_version},
        "catalogue": portfolio.catalogue_version,
        "verdicts": VERDICT_MEANINGS,
        "ranking_order": RANKING_NOTE,
        "summary": {
            "proposals": len(portfolio.rows),
            "verdicts": portfolio.verdict_counts(),
            "findings": portfolio.severity_totals(),
            "skipped": len(portfolio.skipped),
        },
        "proposals": [_json_row(row) for row in portfolio.rows],
        "frequent_findings": [
            {
                "rule": f.rule_id,
                "title": f.title,
                "severity": f.severity,
                "proposals": f.proposals,
                "findings": f.findings,
                "places": f.places,
            }
            for f in portfolio.findings
        ],
        "frequent_questions": [
            {
                "ref": q.question.ref,
                "section": q.question.section,
                "text": q.question.text,
                "proposals": q.proposals,
                "findings": q.findings,
            }
            for q in portfolio.questions
        ],
        "skipped": list(portfolio.skipped),
    }
    return inert_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def _json_row(row: Row) -> dict:
    r = row.result
    data: dict = {
        "rank": row.rank,
        "verdict": row.verdict,
        "file": r.file,
        "title": r.title,
        "organisation": r.organisation,
    }
    if not r.reviewed:
        return {**data, "error": r.error, "reports": dict(row.reports)}
    assessment = assessment_of(r)
    return {
        **data,
        "findings": dict(r.counts),
        "places": r.places,
        "soundness": _json_dimension(assessment.soundness),
        "completeness": _json_dimension(assessment.completeness),
        "waived": r.waived,
        "sections": {s: n for s, n in r.sections},
        "top_findings": [
            {"rule": t.rule_id, "severity": t.severity, "line": t.line, "message": t.message}
            for t in r.top
        ],
        "reports": dict(row.reports),
    }


def _json_dimension(dimension: DimensionVerdict) -> dict:
    return {"level": dimension.level, "details": dimension.details, **dimension.counts}


# --- terminal ---------------------------------------------------------------------------------


def render_table(portfolio: Portfolio, width: int | None = None) -> str:
    """The ranking as a plain-text table for the terminal, with a one-line summary; titles are
    cut to fit `width` cells (see terminal_table.py)."""
    from reviewer.terminal_table import render_table as table

    rows = [("#", "VERDICT", "SOUNDNESS", "COMPLETENESS", "E", "W", "I", "FILE", "TITLE")]
    for row in portfolio.rows:
        r = row.result
        counts = [str(r.counts[s]) if r.reviewed else "-" for s in SEVERITIES]
        levels = [level if r.reviewed else "-" for level in dimension_levels(r)]
        title = _shorten(one_line(r.title))
        rows.append((str(row.rank), row.verdict, *levels, *counts, one_line(r.file), title))
    text = table(rows, flexible=(8, 7), right=(0, 4, 5, 6), width=width)
    return text + "\n" + summary_line(portfolio) + "\n"


def summary_line(portfolio: Portfolio) -> str:
    counts = portfolio.verdict_counts()
    verdicts = ", ".join(f"{n} {verdict}" for verdict, n in counts.items())
    text = f"{_plural(len(portfolio.rows), 'proposal')}: {verdicts}"
    if portfolio.skipped:
        other = _plural(len(portfolio.skipped), "other file")
        text += f"; {other} without the marker passed over"
    return text + "."


def _shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _href(path: str) -> str:
    """A relative link to a written report, percent-encoded (file names are proposal text)."""
    return quote(path.replace("\\", "/"))


PORTFOLIO_FORMATS = {
    "md": render_markdown,
    "html": render_html,
    "csv": render_csv,
    "json": render_json,
}
