"""JSON report: valid against the committed schema, and carrying the full content as data."""

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from report_fixtures import clean_review, context, hostile_review

from reviewer.report import render

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "reviewer/schemas/report.schema.json").read_text()
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _report(*reviews, **ctx) -> dict:
    return json.loads(
        render("json", list(reviews or [hostile_review(), clean_review()]), context(**ctx))
    )


def test_schema_is_valid_and_the_report_follows_it():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    VALIDATOR.validate(_report())
    VALIDATOR.validate(_report(clean_review(), knowledge=None))
    VALIDATOR.validate(json.loads(render("json", [], context())))


@pytest.mark.parametrize(
    "break_it",
    [
        lambda r: r.pop("schema_version"),
        lambda r: r["proposals"][0]["findings"][0].pop("icat"),
        lambda r: r["proposals"][0]["findings"][0].update(severity="fatal"),
        lambda r: r["proposals"][0]["findings"][0].update(waiver={"justification": "x"}),
        lambda r: r["proposals"][0]["waived"][0].update(waiver=None),
        lambda r: r["proposals"][0]["questions_to_revisit"][0].update(raised_by=[]),
        lambda r: r["proposals"][0]["related_questions"][0].update(related_to=[]),
        lambda r: r["proposals"][0]["findings"][0].update(kind="both"),
        lambda r: r["proposals"][0]["findings"][0]["basis"][0].update(term="gossip"),
        lambda r: r["proposals"][0]["findings"][0]["icat"][0].update(extra=1),
    ],
)
def test_schema_rejects_reports_that_break_the_contract(break_it):
    report = copy.deepcopy(_report())
    break_it(report)
    assert not VALIDATOR.is_valid(report)


def test_provenance_summary_and_counts():
    report = _report()
    assert report["schema_version"] == "2.0"
    assert report["tool"] == {
        "name": "ctreview",
        "version": "0.1.0",
        "catalogue_version": "abc123def456",
    }
    summary = report["summary"]
    assert summary["counts"] == {
        "error": 2, "warning": 2, "info": 1, "waived": 1, "scoped_out": 0
    }  # fmt: skip
    assert summary["places"] == {"error": 2, "warning": 2, "info": 1}
    assert (summary["proposals"], summary["not_reviewed"]) == (2, 0)
    assert summary["verdict"].startswith("Not ready. Design soundness: not ready (2 errors")
    assert summary["assessment"]["level"] == "not ready"
    assert summary["assessment"]["soundness"] == {
        "level": "not ready",
        "details": "2 errors block approval, 1 warning to address",
        "counts": {"error": 2, "warning": 1, "info": 0},
    }
    assert summary["assessment"]["completeness"]["counts"] == {
        "error": 0, "warning": 1, "info": 1
    }  # fmt: skip
    first = report["proposals"][0]
    assert first["proposal"]["organisation"].startswith("[click me]")
    assert {s["section"]: s["findings"] for s in first["sections"]} == {
        "1": 1,
        "2": 1,
        "3": 2,
        "7": 1,
        "8": 1,
    }
    assert "docs/icat-coverage.md" in report["not_judged"]


def test_findings_carry_location_and_icat_knowledge_in_report_order():
    findings = _report()["proposals"][0]["findings"]
    assert [f["rule"] for f in findings] == ["PRG-001", "MEL-003", "AWR-002", "AWR-005", "IDR-001"]
    awr = findings[2]
    assert awr["location"] == {
        "file": "samples/hostile proposal.yaml",
        "line": 30,
        "column": 3,
        "yaml_path": "components[0]",
    }
    assert [c["ref"] for c in awr["icat"]] == ["ICAT-3.L2.b", "ICAT-3.Q2"]
    assert all(c["text"] for c in awr["icat"]) and awr["icat"][0]["section"] == "3"
    assert [q["ref"] for q in awr["questions"]] == ["ICAT-3.Q3"]  # related, not checked
    assert awr["kind"] == "presence" and awr["basis"] == [
        {"term": "icat", "label": "ICAT toolkit", "text": ""}
    ]
    prg = next(f for f in findings if f["rule"] == "PRG-001")
    iati = next(b for b in prg["basis"] if b["term"] == "other-standard:IATI")
    assert iati["label"] == "IATI Standard, 2018"
    assert iati["text"]  # the source's summary
    assert awr["indicators"][0]["id"] == "IND-3-10" and awr["indicators"][0]["category"]
    assert awr["waiver"] is None and awr["component"] == "c-campaign"


def test_questions_to_revisit_once_each_pointing_at_findings_of_the_report():
    proposal = _report()["proposals"][0]
    ids = {f["id"] for f in proposal["findings"]}
    questions = proposal["questions_to_revisit"]
    assert len({q["ref"] for q in questions}) == len(questions)
    gaps = {g["id"]: g for g in proposal["gaps"]}
    assert all(set(q["raised_by"]) <= set(gaps) for q in questions)
    assert {place for g in gaps.values() for place in g["findings"]} >= ids
    by_ref = {q["ref"]: q for q in questions}
    assert [gaps[g]["rule"] for g in by_ref["ICAT-3.Q2"]["raised_by"]] == ["AWR-002", "AWR-005"]
    assert by_ref["ICAT-3.Q2"]["section_title"] == "Awareness raising"
    assert by_ref["ICAT-3.Q2"]["items"] == []
    assert by_ref["ICAT-7.Q2"]["items"][0]["ref"] == "ICAT-7.Q2.a"
    assert "ICAT-1.Q1" not in by_ref  # only listed as related: not raised
    related = {q["ref"]: q for q in proposal["related_questions"]}
    assert [gaps[g]["rule"] for g in related["ICAT-1.Q1"]["related_to"]] == ["PRG-001", "IDR-001"]
    assert set(related) == {"ICAT-1.Q1", "ICAT-1.Q3", "ICAT-3.Q3"}  # a bullet under its question


def test_a_rule_holding_in_several_places_is_one_gap_listing_them():
    from dataclasses import replace as with_

    from report_fixtures import finding

    findings = [
        finding("IDR-001", 40, component="c-a", index=0, label="A"),
        finding("IDR-001", 80, component="c-b", index=1, label="B"),
    ]
    proposal = _report(with_(clean_review(), findings=findings))["proposals"][0]
    (gap,) = proposal["gaps"]
    assert gap == {
        "id": "p1-g1",
        "rule": "IDR-001",
        "severity": "warning",
        "status": "active",
        "dimension": "completeness",
        "applies_to": "2 components",
        "findings": ["p1-f1", "p1-f2"],
    }
    assert [f["gap"] for f in proposal["findings"]] == ["p1-g1", "p1-g1"]
    assert proposal["counts"]["warning"] == 1 and proposal["places"]["warning"] == 2


def test_waived_findings_are_listed_with_their_waiver():
    proposal = _report()["proposals"][0]
    assert [w["rule"] for w in proposal["waived"]] == ["SUP-001"]
    assert proposal["waived"][0]["waiver"] == {
        "kind": "waiver",
        "justification": "Consent is handled by the | partner <b>",
        "accepted_by": "Funder review board",
        "expires": "2031-01-01",
        "source": "waivers.yaml:4",
    }
    assert proposal["notices"] == ["waiver for XYZ-001 on c-old expired on 2024-01-01 <em>"]


def test_a_clean_proposal_is_ready():
    proposal = _report(clean_review())["proposals"][0]
    assert proposal["verdict"].startswith("Ready. Design soundness: ready (no findings)")
    assert proposal["assessment"]["level"] == "ready" and proposal["gaps"] == []
    assert proposal["findings"] == proposal["waived"] == proposal["questions_to_revisit"] == []
