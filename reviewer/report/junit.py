"""JUnit XML, for CI systems that show test results: one test case per rule and file.

A rule fails in a file when one of its (unwaived) findings there reaches the fail threshold
(``ReportContext.fail_on``). JUnit has no "warning" status, so a rule whose findings are all
below the threshold is reported as skipped, with the findings as the reason: skipped is the one
status CI views (GitLab, Jenkins, Azure) count and show without failing the run. Waived findings
go to the test case's system-out: the test passes, the finding is still there.

Each test case names its `file` (GitLab links to it). `time` is always 0: rules run together, so
there is no time per rule, and a measured time would make the report differ on every run.

A file that could not be reviewed is a suite with one failing test case, ``input-error``, that
lists why.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from reviewer.findings import Finding
from reviewer.inert import inert, one_line
from reviewer.policy import reaches
from reviewer.report import ReportContext
from reviewer.report.content import INPUT_ERROR, INPUT_ERROR_TITLE
from reviewer.report.github import repository_path
from reviewer.review import Review
from reviewer.rules import Rule

# Characters XML 1.0 cannot carry at all (ElementTree would write them and break the file).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render_junit(reviews: Sequence[Review], ctx: ReportContext) -> str:
    rules = ctx.rules or _rules_with_findings(reviews)
    root = ET.Element("testsuites", name="ctreview")
    for review in reviews:
        root.append(_suite(review, rules, ctx) if review.ok else _refused_suite(review, ctx))
    for key in ("tests", "failures", "skipped"):
        root.set(key, str(sum(int(suite.get(key, "0")) for suite in root)))
    root.set("errors", "0")
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def fails(finding: Finding, fail_on: str) -> bool:
    """Whether a finding fails the run, as the exit code decides: unwaived, at the threshold."""
    return finding.waiver is None and reaches(finding.severity, fail_on)


def _rules_with_findings(reviews: Sequence[Review]) -> tuple[Rule, ...]:
    rules = {f.rule.id: f.rule for review in reviews for f in review.findings}
    return tuple(rules[rule_id] for rule_id in sorted(rules))


def _suite(review: Review, rules: Sequence[Rule], ctx: ReportContext) -> ET.Element:
    suite = ET.Element("testsuite", name=_attr(review.file))
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("ctreview.version", ctx.tool_version),
        ("ctreview.catalogue_version", ctx.catalogue_version),
        ("ctreview.fail_on", ctx.fail_on),
        ("proposal.title", str(review.metadata.get("title", ""))),
    ):
        ET.SubElement(properties, "property", name=name, value=_attr(value))
    failures = skipped = 0
    for rule in rules:
        findings = sorted(
            (f for f in review.findings if f.rule.id == rule.id), key=Finding.sort_key
        )
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_attr(review.file),
            name=_attr(f"{rule.id} {rule.title}"),
            file=_attr(repository_path(review.file)),
            time="0",
        )
        failing = [f for f in findings if fails(f, ctx.fail_on)]
        below = [f for f in findings if f.waiver is None and not fails(f, ctx.fail_on)]
        waived = [f for f in findings if f.waiver is not None]
        if failing:
            failures += 1
            failure = ET.SubElement(
                case,
                "failure",
                type=failing[0].severity,
                message=_attr(_summary(failing)),
            )
            failure.text = _xml("\n".join(_line(f) for f in failing))
        elif below:
            skipped += 1
            reason = ET.SubElement(case, "skipped", message=_attr(_below(below, ctx.fail_on)))
            reason.text = _xml("\n".join(_line(f) for f in below))
        if waived:
            ET.SubElement(case, "system-out").text = _xml("\n".join(_line(f) for f in waived))
    suite.set("tests", str(len(rules)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    suite.set("time", "0")
    return suite


def _refused_suite(review: Review, ctx: ReportContext) -> ET.Element:
    """The suite of a file that could not be reviewed: one failing test case, never none
    (a CI view would otherwise show nothing for it, or a pass)."""
    suite = ET.Element(
        "testsuite",
        name=_attr(review.file),
        tests="1",
        failures="1",
        errors="0",
        skipped="0",
        time="0",
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("ctreview.version", ctx.tool_version),
        ("ctreview.catalogue_version", ctx.catalogue_version),
    ):
        ET.SubElement(properties, "property", name=name, value=_attr(value))
    case = ET.SubElement(
        suite,
        "testcase",
        classname=_attr(review.file),
        name=f"{INPUT_ERROR} {INPUT_ERROR_TITLE}",
        file=_attr(repository_path(review.file)),
        time="0",
    )
    problems = review.refusals
    first = one_line(problems[0].message)
    summary = first if len(problems) == 1 else f"{len(problems)} problems; first: {first}"
    failure = ET.SubElement(case, "failure", type=INPUT_ERROR, message=_attr(summary))
    failure.text = _xml("\n".join(one_line(problem) for problem in problems))
    return suite


def _below(findings: Sequence[Finding], fail_on: str) -> str:
    """Why a test case with findings did not fail: they are below the threshold."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    words = ", ".join(f"{n} {severity}" for severity, n in counts.items())
    threshold = "--fail-on never" if fail_on == "never" else f"the fail threshold ({fail_on})"
    return f"{words} below {threshold}: {one_line(findings[0].message)}"


def _summary(findings: Sequence[Finding]) -> str:
    first = one_line(findings[0].message)
    return first if len(findings) == 1 else f"{len(findings)} findings; first: {first}"


def _line(finding: Finding) -> str:
    where = f"{finding.file}:{finding.line}:{finding.column}"
    status = (
        f"{finding.waiver.label} ({finding.waiver.justification})"
        if finding.waiver
        else finding.severity
    )
    path = f" {finding.yaml_path}" if finding.yaml_path else ""
    return one_line(f"{where} [{status}]{path}: {finding.message}")


def _xml(text: str) -> str:
    """Lines of text XML can hold, made inert: anything else is written as a visible escape."""
    lines = (_NOT_XML.sub(_visible, inert(line)) for line in text.split("\n"))
    return "\n".join(lines)


def _attr(text: object) -> str:
    """An attribute value: one line (see `_xml`)."""
    return _xml(one_line(text))


def _visible(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"
