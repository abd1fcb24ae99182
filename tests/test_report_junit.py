"""JUnit XML: one test case per rule and file, failing at or above the threshold."""

import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from report_fixtures import RULES, clean_review, context, hostile_review

from reviewer.report import render


def _junit(*reviews, **ctx) -> ET.Element:
    return ET.fromstring(
        render("junit", list(reviews or [hostile_review(), clean_review()]), context(**ctx))
    )


def _failing(root: ET.Element) -> list[str]:
    return [
        case.get("name", "").split()[0]
        for case in root.iter("testcase")
        if case.find("failure") is not None
    ]


@pytest.mark.parametrize(
    ("fail_on", "failing"),
    [
        ("error", ["AWR-002", "PRG-001"]),
        ("warning", ["AWR-002", "AWR-005", "IDR-001", "PRG-001"]),
        ("info", ["AWR-002", "AWR-005", "IDR-001", "MEL-003", "PRG-001"]),
        ("never", []),
    ],
)
def test_failures_follow_the_threshold_and_ignore_waived_findings(fail_on, failing):
    root = _junit(fail_on=fail_on)
    assert _failing(root) == failing
    assert root.get("failures") == str(len(failing))
    suites = root.findall("testsuite")
    assert [s.get("failures") for s in suites] == [str(len(failing)), "0"]


def test_one_case_per_rule_and_file_with_file_as_classname():
    root = _junit()
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "samples/hostile proposal.yaml",
        "samples/clean.yaml",
    ]
    assert root.get("tests") == "12" and [s.get("tests") for s in suites] == ["6", "6"]
    case = next(c for c in suites[0].iter("testcase") if c.get("name", "").startswith("AWR-002"))
    assert case.get("classname") == "samples/hostile proposal.yaml"
    assert case.get("name") == "AWR-002 Awareness raising without a desired action"
    assert "samples/hostile proposal.yaml:30:3" in (case.find("failure").text or "")


def test_findings_below_the_threshold_are_skipped_cases_and_waived_ones_go_to_system_out():
    root = _junit()
    suite = root.find("testsuite")
    cases = {c.get("name", "").split()[0]: c for c in suite.iter("testcase")}
    skipped = cases["AWR-005"].find("skipped")
    assert skipped is not None and cases["AWR-005"].find("failure") is None
    assert skipped.get("message", "").startswith("1 warning below the fail threshold (error): ")
    assert "[warning]" in (skipped.text or "")
    assert "waived (Consent is handled by the | partner <b>)" in cases["SUP-001"].findtext(
        "system-out"
    )
    assert cases["SUP-001"].find("skipped") is None  # a waived finding passes
    assert cases["AWR-002"].find("skipped") is None and cases["AWR-002"].find("failure") is not None
    counted = sum(c.find("skipped") is not None for c in suite.iter("testcase"))
    assert suite.get("skipped") == str(counted) and root.get("skipped") == str(counted)
    assert _junit(fail_on="info").find("testsuite").find(".//skipped") is None


def test_every_case_names_its_file_and_a_fixed_time():
    root = _junit()
    assert root.get("time") == "0"
    for suite in root.findall("testsuite"):
        assert suite.get("time") == "0"
        for case in suite.iter("testcase"):
            assert case.get("file") == suite.get("name") and case.get("time") == "0"


def test_the_whole_catalogue_lists_passing_rules_too():
    root = _junit(clean_review(), rules=tuple(RULES.values()))
    names = [c.get("name", "").split()[0] for c in root.iter("testcase")]
    assert names == list(RULES) and root.get("failures") == "0"


def test_control_characters_still_give_well_formed_xml():
    review = hostile_review()
    broken = replace(
        review, findings=[replace(f, message="a\x00b\x1b[31m\ufffe & <c>") for f in review.findings]
    )
    failure = _junit(broken).find(".//failure")
    assert failure is not None and "a\\x00b\\x1b[31m" in failure.get("message", "")
