"""Findings and reviews built by hand, for the tests of policy, config, baseline and diff."""

from __future__ import annotations

from dataclasses import replace

from reviewer.findings import Finding, Waiver
from reviewer.review import Review
from reviewer.rules import Rule


def make_rule(rule_id: str = "MEL-001", severity: str = "warning", entity: str = "indicator"):
    return Rule(
        id=rule_id,
        title=f"title of {rule_id}",
        severity=severity,
        applies_to=entity,
        when={"field": "id", "exists": True},
        message="message",
        rationale="rationale",
        icat=("ICAT-8.L1",),
        basis=("icat",),
        kind="presence",
    )


def make_finding(
    rule_id: str = "MEL-001",
    item: str = "ind-1",
    *,
    severity: str = "warning",
    entity: str = "indicator",
    file: str = "proposal.yaml",
    line: int = 10,
    label: str | None = None,
    message: str | None = None,
    waiver: Waiver | None = None,
) -> Finding:
    return Finding(
        rule=make_rule(rule_id, severity, entity),
        severity=severity,
        message=message or f"{rule_id} holds for {item or 'the programme'}",
        file=file,
        line=line,
        column=3,
        yaml_path="mel.indicators[0]",
        entity=entity,
        item=item,
        item_label=label if label is not None else f"name of {item}",
        component="",
        component_index=-1,
        waiver=waiver,
    )


def make_review(*findings: Finding, file: str = "proposal.yaml") -> Review:
    return Review(file, findings=[replace(f, file=file) for f in findings])


def make_waiver(rule: str = "MEL-001", item: str = "ind-1", expires: str = "") -> Waiver:
    return Waiver(rule, item, "accepted for phase 1", "Programme board", expires, "p.yaml:40")
