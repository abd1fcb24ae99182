"""Reviews built by hand for the report tests, independent of the rule engine and rule files.

Two proposals: one with findings of every severity, at programme and component level, a
waived finding, a notice and hostile text (HTML, Markdown, ANSI, links) in every field a
proposal controls; and one with no findings. Findings are deliberately out of report order.
"""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

from reviewer.findings import Finding, Waiver
from reviewer.knowledge import bundled_knowledge
from reviewer.report import ReportContext
from reviewer.review import Review
from reviewer.rules import Rule

# The official SARIF schema, in a `shared/schemas` folder beside the repository or beside a
# folder above it (a git worktree sits deeper than the main checkout); never copied into it.
_SARIF_CANDIDATES = [
    folder / "shared" / "schemas" / "sarif-schema-2.1.0.json"
    for folder in Path(__file__).resolve().parents[1:]
]
SARIF_SCHEMA = next((p for p in _SARIF_CANDIDATES if p.is_file()), _SARIF_CANDIDATES[1])
FILE = "samples/hostile proposal.yaml"
CLEAN_FILE = "samples/clean.yaml"
HOSTILE_TITLE = "Safe | Line\n# Injected heading\n| a | b |\n<script>alert(1)</script>"
HOSTILE_ORG = "[click me](javascript:alert(1)) \x1b[31mred\x1b[0m `code` https://evil.example"
HOSTILE_LABEL = 'Radio <img src=x onerror="alert(1)"> | spots ![x](https://evil.example/x.png)'


def rule(rule_id: str, severity: str, **fields) -> Rule:
    values = {
        "title": f"Title of {rule_id}",
        "applies_to": "component",
        "when": {"field": "type", "equals": "awareness"},
        "message": "{label} has a gap.",
        "rationale": f"Why {rule_id} matters.",
        "icat": ("ICAT-3.L2.b",),
        "basis": ("icat",),
        "kind": "presence",
        **fields,
    }
    return Rule(id=rule_id, severity=severity, **values)


RULES = {
    "PRG-001": rule(
        "PRG-001",
        "error",
        applies_to="programme",
        title="No behaviour change named",
        icat=("ICAT-1.L2", "ICAT-2.Q1", "IATI-1.2"),
        questions=("ICAT-1.Q1",),
        basis=("icat", "other-standard:IATI", "ctreview-judgement"),
        fix="Name whose behaviour must change.",
    ),
    "MEL-003": rule(
        "MEL-003",
        "info",
        applies_to="indicator",
        title="Indicator without a baseline",
        icat=("ICAT-8.E",),
        questions=("ICAT-1.Q3.a",),
        indicators=("IND-8-01",),
    ),
    "AWR-002": rule(
        "AWR-002",
        "error",
        title="Awareness raising without a desired action",
        icat=("ICAT-3.L2.b", "ICAT-3.Q2"),
        questions=("ICAT-3.Q3",),
        indicators=("IND-3-10",),
        fix="Add awareness.desired_action.",
        tags=("awareness",),
    ),
    "AWR-005": rule(
        "AWR-005",
        "warning",
        title="Audience not segmented",
        icat=("ICAT-3.L2.b", "ICAT-3.Q2"),
        kind="content",
    ),
    "IDR-001": rule(
        "IDR-001",
        "warning",
        title="Identification points not named",
        icat=("ICAT-7.Q2",),
        questions=("ICAT-1.Q1",),
        indicators=("IND-7-01",),
    ),
    "SUP-001": rule(
        "SUP-001",
        "warning",
        title="Support without consent",
        icat=("ICAT-8.E",),
        questions=("ICAT-9.Q1",),
    ),
    "PRG-010": rule("PRG-010", "error", applies_to="programme", title="Never reported"),
}


def finding(
    rule_id: str,
    line: int,
    *,
    file: str = FILE,
    component: str = "",
    index: int = -1,
    entity: str = "",
    item: str = "",
    label: str = "",
    waiver: Waiver | None = None,
    message: str = "",
) -> Finding:
    the_rule = RULES[rule_id]
    return Finding(
        rule=the_rule,
        severity=the_rule.severity,
        message=message or f"{label or 'The programme'} has a gap ({rule_id}).",
        file=file,
        line=line,
        column=3,
        yaml_path=f"components[{index}]" if component else "",
        entity=entity or ("component" if component else the_rule.applies_to),
        item=item or component,
        item_label=label,
        component=component,
        component_index=index,
        waiver=waiver,
    )


WAIVER = Waiver(
    rule="SUP-001",
    item="c-hotline",
    justification="Consent is handled by the | partner <b>",
    accepted_by="Funder review board",
    expires="2031-01-01",
    source="waivers.yaml:4",
)


def hostile_review() -> Review:
    findings = [
        finding("IDR-001", 80, component="c-hotline", index=1, label="Hotline"),
        finding("AWR-005", 40, component="c-campaign", index=0, label=HOSTILE_LABEL),
        finding("MEL-003", 120, entity="indicator", item="ind-1", label="Calls"),
        finding("SUP-001", 85, component="c-hotline", index=1, label="Hotline", waiver=WAIVER),
        finding(
            "AWR-002",
            30,
            component="c-campaign",
            index=0,
            label=HOSTILE_LABEL,
            message=f"Awareness component '{HOSTILE_LABEL}' names no action.\n## Injected",
        ),
        finding("PRG-001", 1, label=HOSTILE_TITLE),
    ]
    return Review(
        FILE,
        findings=findings,
        metadata={
            "id": "HOST-1",
            "title": HOSTILE_TITLE,
            "organisation": HOSTILE_ORG,
            "countries": ["KH", "TH"],
            "budget_total": 2450000,
            "currency": "USD",
        },
        notices=["waiver for XYZ-001 on c-old expired on 2024-01-01 <em>"],
    )


def clean_review() -> Review:
    return Review(
        CLEAN_FILE,
        metadata={"id": "CLEAN-1", "title": "A clean design", "organisation": "Good Org"},
    )


def context(**overrides) -> ReportContext:
    values = {"knowledge": bundled_knowledge(), **overrides}
    return ReportContext("0.1.0", "abc123def456", **values)


def with_text(review: Review, text: str) -> Review:
    """The same review with `text` in every field a proposal (or waiver file) controls."""
    findings = [
        replace(
            f,
            message=text,
            item_label=text,
            waiver=f.waiver and replace(f.waiver, justification=text, accepted_by=text),
        )
        for f in review.findings
    ]
    metadata = {**review.metadata, "title": text, "organisation": text}
    return replace(review, findings=findings, metadata=metadata, notices=[text])


# Text that means something in Markdown, HTML or a terminal: reports must show it as text.
NASTY = [
    "a | b",
    "# heading",
    "- item",
    "+ item",
    "1. item",
    "2) item",
    "---",
    "===",
    "> quote",
    "    code",
    "```",
    "`code`",
    "*em* _em_",
    "[link](https://x.example)",
    "![img](x.png)",
    "<b>bold</b>",
    "<https://x.example>",
    "https://x.example",
    "www.x.example",
    "&amp;",
    "~~gone~~",
    "$x$",
    "line\n# heading",
    "line\r\n| a |",
    "\x1b[2J",
    "{#p1-f1}",
    "\\",
]


# Attributes that fetch or run something, wherever they appear.
_LOADING = {"src", "srcset", "data", "action", "formaction", "poster", "background", "xlink:href"}


class Page(HTMLParser):
    """Collects every start tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)


def assert_inert_html(page: Page) -> None:
    """No script, no loaded resource, no event handler, no link out of the page."""
    names = [tag for tag, _ in page.tags]
    for forbidden in ("script", "img", "iframe", "object", "embed", "link", "form", "base", "svg"):
        assert forbidden not in names
    assert names.count("style") == 1
    for tag, attrs in page.tags:
        if tag == "meta":  # only the page's own: charset, viewport, generator, CSP
            assert (
                "charset" in attrs
                or attrs.get("name") in ("viewport", "generator")
                or attrs.get("http-equiv") == "Content-Security-Policy"
            ), attrs
    for tag, attrs in page.tags:
        assert not [name for name in attrs if name.startswith("on")], tag
        assert not set(attrs) & _LOADING, tag
        assert "style" not in attrs, tag
        if "href" in attrs:
            assert str(attrs["href"]).startswith("#"), attrs
    assert "url(" not in page.style and "@import" not in page.style
