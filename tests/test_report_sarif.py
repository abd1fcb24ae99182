"""SARIF 2.1.0: valid against the official schema, shaped as GitHub code scanning reads it."""

import json
from dataclasses import replace

import jsonschema
import pytest
from report_fixtures import FILE, SARIF_SCHEMA, clean_review, context, hostile_review

from reviewer.report import render
from reviewer.report.sarif import artifact_uri


def _sarif(*reviews) -> dict:
    return json.loads(
        render("sarif", list(reviews or [hostile_review(), clean_review()]), context())
    )


def _run(*reviews) -> dict:
    return _sarif(*reviews)["runs"][0]


@pytest.mark.skipif(
    not SARIF_SCHEMA.is_file(), reason=f"official SARIF schema not found at {SARIF_SCHEMA}"
)
def test_valid_against_the_official_sarif_schema():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    validator.validate(_sarif())
    validator.validate(_sarif(clean_review()))
    broken = _sarif()
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert not validator.is_valid(broken)


def test_rules_carry_help_icat_references_and_levels():
    run = _run()
    assert run["tool"]["driver"]["name"] == "ctreview"
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    awr = next(r for r in rules if r["id"] == "AWR-002")
    assert awr["name"] == "AwarenessRaisingWithoutADesiredAction"
    assert awr["shortDescription"]["text"] == "Awareness raising without a desired action"
    assert awr["fullDescription"]["text"] == "Why AWR-002 matters."
    assert "Checks:\n- ICAT-3.L2.b" in awr["help"]["text"]
    assert "Related questions:\n- ICAT-3.Q3" in awr["help"]["text"]
    assert "**Related questions**" in awr["help"]["markdown"]
    assert "Basis: ICAT toolkit" in awr["help"]["text"]
    assert awr["properties"]["questions"] == ["ICAT-3.Q3"]
    assert awr["properties"]["basis"] == ["icat"] and awr["properties"]["kind"] == "presence"
    assert awr["defaultConfiguration"]["level"] == "error"
    assert awr["properties"]["icat"] == ["ICAT-3.L2.b", "ICAT-3.Q2"]
    assert {"awareness", "icat-3", "design-review"} <= set(awr["properties"]["tags"])


def test_results_point_at_their_rule_file_line_and_column():
    run = _run()
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == 6
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    levels = {r["ruleId"]: r["level"] for r in results}
    assert (
        levels["AWR-002"] == "error"
        and levels["IDR-001"] == "warning"
        and levels["MEL-003"] == "note"
    )
    awr = next(r for r in results if r["ruleId"] == "AWR-002")
    physical = awr["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "samples/hostile%20proposal.yaml"
    assert physical["region"] == {"startLine": 30, "startColumn": 3}
    assert "](" not in awr["message"]["text"].replace("\\]", "")


def test_waived_findings_are_external_suppressions():
    results = _run()["results"]
    waived = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in waived] == ["SUP-001"]
    suppression = waived[0]["suppressions"][0]
    assert suppression["kind"] == "external"
    assert suppression["justification"] == "Consent is handled by the | partner <b>"


def test_fingerprints_follow_the_finding_not_its_line():
    def fingerprints(review):
        return {r["ruleId"]: r["partialFingerprints"] for r in _run(review)["results"]}

    review = hostile_review()
    moved = replace(review, findings=[replace(f, line=f.line + 7) for f in review.findings])
    assert fingerprints(review) == fingerprints(moved)
    other_item = replace(review, findings=[replace(f, item=f.item + "-2") for f in review.findings])
    assert set(map(str, fingerprints(review).values())).isdisjoint(
        map(str, fingerprints(other_item).values())
    )


def test_artifact_uris_are_relative_with_forward_slashes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert artifact_uri("./proposals/a b.yaml") == "proposals/a%20b.yaml"
    assert artifact_uri(str(tmp_path / "sub" / "x.yaml")) == "sub/x.yaml"
    assert artifact_uri("/elsewhere/x.yaml").startswith("file:///")
    assert artifact_uri(FILE) == "samples/hostile%20proposal.yaml"
