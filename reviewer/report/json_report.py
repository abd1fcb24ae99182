"""The JSON report: the full report content as data, described by schemas/report.schema.json.

``schema_version`` changes its major number when a field is removed or changes meaning, and
its minor number when a field is added; consumers should ignore fields they do not know.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from numbers import Real
from typing import Any

from reviewer.inert import inert_json
from reviewer.report import ReportContext
from reviewer.report.content import (
    NOT_JUDGED,
    SEVERITIES,
    Citation,
    Entry,
    GapEntry,
    ProposalReport,
    Revisit,
    SectionQuestions,
    build_reports,
    overall_verdict,
    section_title,
)
from reviewer.review import Review
from reviewer.schema import Problem
from reviewer.verdict import Assessment, combine

SCHEMA_VERSION = "2.0"  # 1.2: files that could not be reviewed (reviewed, input_errors)
# 1.3: a waiver's kind (waiver, or not_relevant: scoped out by the proposal with a reason)
# 2.0: counts count findings one per gap (gaps[], places), scoped_out apart from waived, and
# the verdict in two dimensions (assessment: soundness and completeness)


def render_json(reviews: Sequence[Review], ctx: ReportContext) -> str:
    data = report_data(reviews, ctx)
    return inert_json(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"


def report_data(reviews: Sequence[Review], ctx: ReportContext) -> dict[str, Any]:
    reports = build_reports(reviews, ctx.knowledge)
    reviewed = [report for report in reports if not report.refusals]
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {
            "name": "ctreview",
            "version": ctx.tool_version,
            "catalogue_version": ctx.catalogue_version,
        },
        "summary": {
            "proposals": len(reports),
            "not_reviewed": sum(1 for r in reports if r.refusals),
            "counts": _total(map(_counts, reports), (*SEVERITIES, "waived", "scoped_out")),
            "places": _total(map(_places, reports), SEVERITIES),
            "verdict": overall_verdict(reports),
            "assessment": _assessment(combine(r.assessment for r in reviewed))
            if reviewed
            else None,
        },
        "proposals": [_proposal(report) for report in reports],
        "not_judged": NOT_JUDGED,
    }


def _proposal(report: ProposalReport) -> dict[str, Any]:
    review = report.review
    gap_of = {entry.anchor: gap.anchor for gap in report.gaps for entry in gap.places}
    return {
        "file": review.file,
        "reviewed": not report.refusals,
        "input_errors": [_input_error(problem) for problem in report.refusals],
        "proposal": _metadata(review.metadata),
        "verdict": report.verdict,
        "assessment": None if report.refusals else _assessment(report.assessment),
        "counts": _counts(report),
        "places": _places(report),
        "gaps": [_gap(gap) for gap in report.gaps],
        "sections": [
            {"section": section, "title": section_title(section), "findings": n}
            for section, n in report.sections
        ],
        "findings": [_finding(entry, gap_of) for entry in report.entries],
        "questions_to_revisit": [
            {**_revisit(revisit, group), "raised_by": [e.anchor for e in revisit.raised_by]}
            for group in report.questions
            for revisit in group.questions
        ],
        "related_questions": [
            _revisit(revisit, group)
            for group in report.related_questions
            for revisit in group.questions
        ],
        "waived": [_finding(entry, gap_of) for entry in report.waived],
        "notices": list(review.notices),
    }


def _revisit(revisit: Revisit, group: SectionQuestions) -> dict[str, Any]:
    return {
        **_citation(revisit.question),
        "items": [_citation(item) for item in revisit.question.items],
        "section_title": group.title,
        "related_to": [entry.anchor for entry in revisit.related_to],
    }


def _metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in metadata.items():
        if key == "countries":
            data[key] = [str(country) for country in value or []]
        elif key == "budget_total" and isinstance(value, Real) and not isinstance(value, bool):
            data[key] = value
        else:
            data[key] = str(value)
    return data


def _counts(report: ProposalReport) -> dict[str, int]:
    """Counted findings (gaps) by severity, and those set aside."""
    return {
        **report.counts,
        "waived": len(report.waived_gaps),
        "scoped_out": len(report.scoped_out),
    }


def _places(report: ProposalReport) -> dict[str, int]:
    return {severity: report.places(severity) for severity in ("error", "warning", "info")}


def _total(parts: Iterable[dict[str, int]], keys: Sequence[str]) -> dict[str, int]:
    total = dict.fromkeys(keys, 0)
    for part in parts:
        for key, n in part.items():
            total[key] += n
    return total


def _assessment(assessment: Assessment) -> dict[str, Any]:
    return {
        "level": assessment.level,
        **{
            d.dimension: {"level": d.level, "details": d.details, "counts": dict(d.counts)}
            for d in assessment.dimensions
        },
    }


def _gap(gap: GapEntry) -> dict[str, Any]:
    return {
        "id": gap.anchor,
        "rule": gap.rule.id,
        "severity": gap.severity,
        "status": gap.gap.status,
        "dimension": gap.gap.dimension,
        "applies_to": gap.label,
        "findings": [entry.anchor for entry in gap.places],
    }


def _finding(entry: Entry, gap_of: dict[str, str]) -> dict[str, Any]:
    finding, rule, waiver = entry.finding, entry.finding.rule, entry.finding.waiver
    return {
        "id": entry.anchor,
        "gap": gap_of[entry.anchor],
        "fingerprint": entry.fingerprint,
        "rule": rule.id,
        "title": rule.title,
        "severity": finding.severity,
        "message": finding.message,
        "location": {
            "file": finding.file,
            "line": max(finding.line, 1),
            "column": max(finding.column, 1),
            "yaml_path": finding.yaml_path,
        },
        "entity": finding.entity,
        "item": finding.item,
        "item_label": finding.item_label,
        "component": finding.component,
        "component_index": finding.component_index,
        "rationale": rule.rationale,
        "icat": [_citation(c) for c in entry.citations],
        "sections": list(rule.sections),
        "questions": [_citation(q) for q in entry.questions],
        "basis": [{"term": b.term, "label": b.label, "text": b.text} for b in entry.basis],
        "kind": rule.kind,
        "indicators": [
            {"id": i.id, "ref": i.ref, "text": i.text, "category": i.category}
            for i in entry.indicators
        ],
        "fix": rule.fix,
        "tags": list(rule.tags),
        "waiver": None
        if waiver is None
        else {
            "kind": waiver.kind,
            "justification": waiver.justification,
            "accepted_by": waiver.accepted_by,
            "expires": waiver.expires,
            "source": waiver.source,
        },
    }


def _input_error(problem: Problem) -> dict[str, Any]:
    """A problem that kept the file from being reviewed (line and column 0 when unknown)."""
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "yaml_path": problem.yaml_path,
        "message": problem.message,
    }


def _citation(citation: Citation) -> dict[str, str]:
    return {"ref": citation.ref, "section": citation.section, "text": citation.text}
