"""The portfolio report: ranking, section matrix, recurring findings and questions, escaping.

Expectations on samples are computed from `ctreview check --format json` of each file, never
hard-coded, so the tests keep holding while the rule packs grow.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from ci_helpers import make_finding
from click.testing import CliRunner
from markdown_it import MarkdownIt

from reviewer import cli as cli_module
from reviewer.cli import cli
from reviewer.knowledge import bundled_knowledge
from reviewer.portfolio import (
    SECTIONS,
    Tally,
    build_portfolio,
    dimension_levels,
    heat_class,
    render_csv,
    render_html,
    render_json,
    render_markdown,
    render_table,
    verdict_of,
)
from reviewer.review import Reviewer
from reviewer.screen import RuleCount, ScreenResult
from reviewer.verdict import DimensionThresholds, VerdictThresholds, assess

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SET = ("awareness-et", "hotline-campaign-kh-th", "npa-support-md", "shelter-closed-my")
VERDICT_ORDER = ("ready", "revise", "not ready", "input error")


@pytest.fixture(scope="module")
def reviewer() -> Reviewer:
    return Reviewer()


@pytest.fixture(autouse=True)
def shared_reviewer(reviewer, monkeypatch):
    monkeypatch.setattr(cli_module, "_reviewer", lambda dirs: Reviewer(dirs) if dirs else reviewer)


def invoke(*args: object):
    return CliRunner().invoke(cli, list(map(str, args)), catch_exceptions=False)


# --- on hand-made results ---------------------------------------------------------------------


def result(file: str, error=0, warning=0, info=0, **fields) -> ScreenResult:
    return ScreenResult(file, counts={"error": error, "warning": warning, "info": info}, **fields)


def test_verdicts():
    assert verdict_of(result("a", info=4)) == "ready"
    assert verdict_of(result("a", warning=1, info=4)) == "revise"
    assert verdict_of(result("a", error=1)) == "not ready"
    assert verdict_of(ScreenResult("a", error="a.yaml: no such file")) == "input error"


def test_ranking_is_verdict_then_errors_then_warnings_then_info_then_file():
    results = [
        ScreenResult("z-broken", error="bad"),
        result("e2", error=2),
        result("e1-many-warnings", error=1, warning=9),
        result("w3", warning=3),
        result("w1-b", warning=1, info=2),
        result("w1-a", warning=1, info=2),
        result("w1-few-info", warning=1),
        result("clean-with-notes", info=5),
        result("clean"),
    ]
    portfolio = build_portfolio(results, None, tool_version="t")
    assert [row.result.file for row in portfolio.rows] == [
        "clean", "clean-with-notes", "w1-few-info", "w1-a", "w1-b", "w3",
        "e1-many-warnings", "e2", "z-broken",
    ]  # fmt: skip
    assert [row.rank for row in portfolio.rows] == list(range(1, 10))
    assert portfolio.verdict_counts() == {
        "ready": 2, "revise": 4, "not ready": 2, "input error": 1, "review failed": 0
    }


def assessed(file: str, *findings, thresholds=None, **fields) -> ScreenResult:
    """A result whose verdict is decided, as in `summarise`, from findings (rule kinds)."""
    gaps = assess(findings, thresholds)
    return result(file, **gaps.counts(), assessment=gaps, **fields)


def test_the_ranking_uses_both_dimensions_soundness_first():
    def made(rule_id: str, kind: str, item: str):
        made = make_finding(rule_id, item)
        return replace(made, rule=replace(made.rule, kind=kind))

    unsound = assessed("a-unsound", made("C-001", "content", "x"))
    incomplete = assessed(
        "b-incomplete", *(made(f"P-00{n}", "presence", "x") for n in range(1, 4))
    )
    both = assessed("c-both", made("C-001", "content", "x"), made("P-001", "presence", "x"))
    rows = build_portfolio([unsound, incomplete, both], None, tool_version="t").rows
    # all three read revise; sound-but-incomplete first though it has more warnings
    assert [row.verdict for row in rows] == ["revise"] * 3
    assert [row.result.file for row in rows] == ["b-incomplete", "a-unsound", "c-both"]
    # at the same levels, fewer weaknesses of design rank first, whatever gaps either has
    weak = assessed("e-weak", *(made(f"C-00{n}", "content", "x") for n in range(1, 4)))
    gappy = assessed("f-gappy", made("C-001", "content", "x"),
                     *(made(f"P-00{n}", "presence", "x") for n in range(1, 3)))
    rows = build_portfolio([weak, gappy], None, tool_version="t").rows
    assert [row.result.file for row in rows] == ["f-gappy", "e-weak"]
    strict = VerdictThresholds(completeness=DimensionThresholds(not_ready_at=3))
    late = assessed(
        "d-strict", *(made(f"P-00{n}", "presence", "x") for n in range(1, 4)),
        thresholds=strict,
    )  # fmt: skip
    assert verdict_of(late) == "not ready" and dimension_levels(late) == ("ready", "not ready")


def test_every_format_states_both_dimensions_per_proposal():
    def made(rule_id: str, kind: str, severity: str = "warning"):
        made = make_finding(rule_id, "x", severity=severity)
        return replace(made, rule=replace(made.rule, kind=kind))

    rows = [
        assessed("a.yaml", made("P-001", "presence"), title="A"),
        assessed("b.yaml", made("C-001", "content", "error"), title="B"),
    ]
    portfolio = build_portfolio(rows, None, tool_version="t")
    data = json.loads(render_json(portfolio))["proposals"]
    assert [(r["soundness"]["level"], r["completeness"]["level"]) for r in data] == [
        ("ready", "revise"), ("not ready", "ready")
    ]  # fmt: skip
    assert data[1]["soundness"]["details"] == "1 error blocks approval"
    table = list(csv.DictReader(io.StringIO(render_csv(portfolio))))
    assert [(r["soundness"], r["completeness"]) for r in table] == [
        ("ready", "revise"), ("not ready", "ready")
    ]  # fmt: skip
    assert "| 1 | revise | ready (no findings) | revise (1 gap to fill) |" in render_markdown(
        portfolio
    )
    page = render_html(portfolio)
    assert '<td class="v v-not-ready">not ready<span class="why">1 error blocks approval' in page
    terminal = render_table(portfolio, width=200).splitlines()
    assert terminal[0].split()[:4] == ["#", "VERDICT", "SOUNDNESS", "COMPLETENESS"]
    assert terminal[1].split()[:4] == ["1", "revise", "ready", "revise"]


def test_the_matrix_names_its_sections_and_heat_steps_have_dark_text():
    rows = [result("a", warning=9, sections=(("3", 9), ("8", 1))), result("b", warning=1)]
    page = render_html(build_portfolio(rows, None, tool_version="t"))
    assert '<th scope="col" class="section">3 Awareness raising</th>' in page
    assert '<td class="n h5">9</td>' in page and '<td class="n h1">1</td>' in page
    assert [heat_class(n, 10) for n in (0, 1, 2, 3, 5, 7, 10)] == [
        "", "h1", "h1", "h2", "h3", "h4", "h5"
    ]  # fmt: skip
    css = page.split("<style>")[1].split("</style>")[0]
    assert "style=" not in page and "color: #fff" not in css  # no white numbers to vanish
    markdown = render_markdown(build_portfolio(rows, None, tool_version="t"))
    assert "| # | proposal | 1 Any counter-trafficking intervention | 2 Mapping" in markdown


def test_frequent_findings_count_proposals_and_findings_at_the_worst_severity():
    def counts(rule_id: str, severity: str, n: int) -> RuleCount:
        return RuleCount(rule_id, f"title of {rule_id}", severity, n)

    results = [
        result("a", rules=(counts("R-1", "warning", 3), counts("R-2", "info", 1))),
        result("b", rules=(counts("R-1", "error", 1),)),
        result("c", rules=(counts("R-2", "info", 5),)),
        result("d", rules=(counts("R-3", "info", 1),)),
    ]
    findings = build_portfolio(results, None, tool_version="t").findings
    assert [(f.rule_id, f.proposals, f.findings, f.severity) for f in findings] == [
        ("R-2", 2, 6, "info"),
        ("R-1", 2, 4, "error"),
        ("R-3", 1, 1, "info"),
    ]


def test_frequent_questions_carry_their_text_and_listed_items():
    knowledge = bundled_knowledge()
    parent = next(q for q in knowledge.questions if q.items and not q.parent)
    plain = next(q for q in knowledge.questions if not q.items and not q.parent)
    results = [
        result("a", questions=((parent.ref, 2), (plain.ref, 1))),
        result("b", questions=((plain.ref, 1),)),
    ]
    questions = build_portfolio(results, knowledge, tool_version="t").questions
    assert [(q.question.ref, q.proposals, q.findings) for q in questions] == [
        (plain.ref, 2, 2),
        (parent.ref, 1, 2),
    ]
    assert questions[0].question.text == plain.text
    first_item = knowledge.question(parent.items[0])
    assert questions[1].question.text.startswith(parent.text)
    assert first_item.text in questions[1].question.text


def test_output_does_not_depend_on_the_order_results_arrive_in():
    results = [
        result("b", warning=1, sections=(("3", 1),), rules=(RuleCount("R", "T", "warning", 1),)),
        result("a", warning=1, sections=(("3", 1),), rules=(RuleCount("R", "T", "warning", 1),)),
        ScreenResult("c", error="broken"),
    ]
    one = build_portfolio(results, None, tool_version="t")
    other = build_portfolio(results[::-1], None, tool_version="t")
    for render in (render_markdown, render_html, render_csv):
        assert render(one) == render(other)


def test_a_tally_counted_as_results_arrive_gives_the_same_portfolio():
    results = [
        result("a", warning=2, rules=(RuleCount("R", "T", "warning", 2),), questions=(("Q", 2),)),
        result("b", error=1, rules=(RuleCount("S", "U", "error", 1),), questions=(("Q", 1),)),
    ]
    tally = Tally()
    kept = [tally.add(r) for r in results]
    assert all(not r.rules and not r.questions for r in kept)  # the detail is not kept
    incremental = build_portfolio(kept, None, tool_version="t", tally=tally)
    at_once = build_portfolio(results, None, tool_version="t")
    assert render_json(incremental) == render_json(at_once)
    assert [(f.rule_id, f.findings) for f in at_once.findings] == [("R", 2), ("S", 1)]


# --- on samples, against `ctreview check` -------------------------------------------------------


def check_json(path: Path) -> dict:
    run = invoke("check", "--format", "json", path)
    assert run.exit_code in (0, 1), run.output
    (proposal,) = json.loads(run.stdout)["proposals"]
    return proposal


def expected_verdict(findings: list[dict]) -> str:
    """The verdict at the default thresholds: the worse of soundness and completeness."""
    severities = {f["severity"] for f in findings}
    if "error" in severities:
        return "not ready"
    return "revise" if "warning" in severities else "ready"


@pytest.fixture(scope="module")
def screened(tmp_path_factory, reviewer):
    folder = tmp_path_factory.mktemp("call")
    for name in SET:
        shutil.copy(SAMPLES / f"{name}.yaml", folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli_module, "_reviewer", lambda dirs: reviewer)
        checks = {str(folder / f"{name}.yaml"): check_json(folder / f"{name}.yaml") for name in SET}
        run = invoke("screen", folder, "--jobs", "2", "--out", folder / "out")
    assert run.exit_code in (0, 1), run.output
    out = folder / "out"
    return checks, json.loads((out / "portfolio.json").read_text()), out


def active(check: dict) -> list[dict]:
    """One finding per counted gap (its first place): what the portfolio counts."""
    places = {f["id"]: f for f in check["findings"]}
    return [
        places[gap["findings"][0]]
        for gap in check["gaps"]
        if gap["status"] in ("active", "to_be_established")
    ]


def gap_places(check: dict) -> Counter:
    """Places of counted gaps by rule."""
    return Counter(f["rule"] for f in check["findings"])


def test_rows_and_ranking_match_the_check_of_each_file(screened):
    checks, portfolio, _ = screened
    rows = portfolio["proposals"]
    assert {row["file"] for row in rows} == set(checks)
    for row in rows:
        findings = active(checks[row["file"]])
        counts = Counter(f["severity"] for f in findings)
        assert row["findings"] == {s: counts[s] for s in ("error", "warning", "info")}
        assert row["places"] == len(checks[row["file"]]["findings"])
        assert row["verdict"] == expected_verdict(findings)
        assessment = checks[row["file"]]["assessment"]
        assert row["verdict"] == assessment["level"]
        for dimension in ("soundness", "completeness"):
            assert row[dimension]["level"] == assessment[dimension]["level"]
            assert row[dimension]["warning"] == assessment[dimension]["counts"]["warning"]
        assert row["title"] == checks[row["file"]]["proposal"]["title"]
    levels = ("ready", "revise", "not ready")
    keys = [
        (VERDICT_ORDER.index(r["verdict"]), levels.index(r["soundness"]["level"]),
         levels.index(r["completeness"]["level"]), r["findings"]["error"],
         r["soundness"]["warning"], r["completeness"]["warning"], r["findings"]["info"],
         r["file"])
        for r in rows
    ]  # fmt: skip
    assert keys == sorted(keys)
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))


def test_top_findings_are_the_most_severe_first(screened):
    checks, portfolio, _ = screened
    rank = {"error": 0, "warning": 1, "info": 2}
    for row in portfolio["proposals"]:
        findings = active(checks[row["file"]])
        worst = sorted(rank[f["severity"]] for f in findings)[:3]
        assert [rank[t["severity"]] for t in row["top_findings"]] == worst
        messages = {(f["rule"], f["message"]) for f in findings}
        assert {(t["rule"], t["message"]) for t in row["top_findings"]} <= messages


def test_section_matrix_counts_each_finding_under_each_of_its_sections(screened):
    checks, portfolio, out = screened
    table = list(csv.DictReader(io.StringIO((out / "portfolio.csv").read_text())))
    for row in portfolio["proposals"]:
        expected = Counter(
            section for f in active(checks[row["file"]]) for section in f["sections"] or ["other"]
        )
        assert row["sections"] == dict(expected)
        (line,) = [line for line in table if line["file"] == row["file"]]
        for section in SECTIONS:
            assert int(line[f"icat_{section}"]) == expected.get(section, 0)


def test_frequent_findings_and_questions_match_the_checks(screened):
    checks, portfolio, _ = screened
    by_rule_proposals, by_rule_findings, by_rule_places = Counter(), Counter(), Counter()
    by_question_proposals, by_question_findings = Counter(), Counter()
    for check in checks.values():
        findings = active(check)
        rules = Counter(f["rule"] for f in findings)
        by_rule_findings.update(rules)
        by_rule_proposals.update(rules.keys())
        by_rule_places.update(gap_places(check))
        # raised as in each proposal's report: by findings whose rule checks the question
        for question in check["questions_to_revisit"]:
            by_question_findings[question["ref"]] += len(question["raised_by"])
            by_question_proposals[question["ref"]] += 1
    frequent = portfolio["frequent_findings"]
    assert {f["rule"]: (f["proposals"], f["findings"], f["places"]) for f in frequent} == {
        rule: (by_rule_proposals[rule], by_rule_findings[rule], by_rule_places[rule])
        for rule in by_rule_findings
    }
    assert [(-f["proposals"], -f["findings"]) for f in frequent] == sorted(
        (-f["proposals"], -f["findings"]) for f in frequent
    )
    questions = portfolio["frequent_questions"]
    assert {q["ref"]: (q["proposals"], q["findings"]) for q in questions} == {
        ref: (by_question_proposals[ref], by_question_findings[ref]) for ref in by_question_findings
    }
    assert all(q["text"] for q in questions)


def test_markdown_and_html_link_each_reviewed_proposal_to_its_report(screened):
    _, portfolio, out = screened
    markdown = (out / "portfolio.md").read_text()
    for row in portfolio["proposals"]:
        link = row["reports"]["markdown"]
        assert f"(<{link}>)" in markdown
        assert (out / link).is_file()


# --- escaping ---------------------------------------------------------------------------------

HOSTILE_TITLE = "<script>alert(1)</script> | # heading [x](javascript:alert(1)) <img src=x>"
HOSTILE_ORG = '=HYPERLINK("https://evil.example","click")'


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.hrefs += [value for name, value in attrs if name == "href"]


def test_proposal_text_is_escaped_in_every_portfolio_format(tmp_path):
    text = (SAMPLES / "hotline-campaign-kh-th.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: .*$", "title: " + json.dumps(HOSTILE_TITLE), text)
    text = re.sub(r"(?m)^organisation: .*$", "organisation: " + json.dumps(HOSTILE_ORG), text)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / 'x"><img src=y>.yaml').write_text(text, encoding="utf-8")

    assert invoke("screen", tmp_path / "in", "--out", tmp_path / "out", "--report-format",
                  "html").exit_code in (0, 1)  # fmt: skip

    page = (tmp_path / "out" / "portfolio.html").read_text()
    parser = TagCollector()
    parser.feed(page)
    assert parser.tags <= {"html", "head", "meta", "title", "style", "body", "main", "h1", "h2",
                           "p", "table", "thead", "tbody", "tr", "th", "td", "a", "br", "span",
                           "ul", "li", "strong", "div"}  # fmt: skip
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert all(href.startswith("proposals/") and "<" not in href for href in parser.hrefs)
    # Markdown rendered as a permissive renderer would (raw HTML on): still no markup of ours.
    rendered = (
        MarkdownIt("commonmark")
        .enable("table")
        .render((tmp_path / "out" / "portfolio.md").read_text())
    )
    assert "&lt;script&gt;" in rendered
    assert "<script" not in rendered and "<img" not in rendered
    assert 'href="javascript' not in rendered
    table = list(csv.DictReader(io.StringIO((tmp_path / "out" / "portfolio.csv").read_text())))
    assert table[0]["organisation"] == "'" + HOSTILE_ORG
    assert table[0]["title"] == HOSTILE_TITLE
