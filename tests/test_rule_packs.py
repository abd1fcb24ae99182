"""Rule packs: validated on load with file/line/rule, extra packs via --rules, examples as tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from reviewer.cli import cli
from reviewer.examples import run_examples
from reviewer.knowledge import bundled_knowledge
from reviewer.review import Reviewer
from reviewer.rules import Rule, RuleError, _has_anchor_or_tag, load_catalogue, rule_starts

GOOD_RULE = """\
rules:
  - id: FUN-001
    title: Programme without a summary
    severity: warning
    applies_to: programme
    when: {field: summary, missing: true}
    message: "Programme '{label}' has no summary."
    rationale: Funders read the summary first.
    icat: [ICAT-1.Q1]
    questions: [ICAT-1.Q2]
    indicators: [IND-3-01]
    kind: presence
    fix: Add a summary.
    examples:
      fail:
        - {}
      pass:
        - {summary: A short description}
"""


def pack(tmp_path: Path, text: str, name: str = "funder.yaml") -> Path:
    directory = tmp_path / "pack"
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")
    return directory


def load(directory: Path):
    return load_catalogue([directory], bundled_knowledge())


def test_a_valid_pack_loads(tmp_path):
    catalogue = load(pack(tmp_path, GOOD_RULE))
    rule = catalogue.get("FUN-001")
    assert rule is not None and rule.severity == "warning" and rule.line == 2
    assert rule.sections == ("1",)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    fix: Add a summary.\n", "    fixx: Add a summary.\n", "unknown key 'fixx'"),
        ("severity: warning", "severity: fatal", "severity 'fatal' must be one of"),
        ("applies_to: programme", "applies_to: project", "applies_to 'project' must be one of"),
        ("field: summary,", "field: sumary,", "did you mean 'summary'"),
        ("missing: true}", "mising: true}", "did you mean 'missing'"),
        ("icat: [ICAT-1.Q1]", "icat: [ICAT-1.Q99]", "unknown reference 'ICAT-1.Q99'"),
        ("questions: [ICAT-1.Q2]", "questions: [ICAT-1.L1]", "unknown reference 'ICAT-1.L1'"),
        ("icat: [ICAT-1.Q1]", "icat: [ICAT-1.Q1x]", "unknown reference 'ICAT-1.Q1x' (did you "
         "mean 'ICAT-1.Q1'?)"),
        ("icat: [ICAT-1.Q1]", "icat: [CETS-197.art31]", "unknown reference 'CETS-197.art31' (did"),
        ("icat: [ICAT-1.Q1]", "icat: [ICAT-1.Q1, ICAT-1.Q1]", "'ICAT-1.Q1' is listed twice"),
        ("questions: [ICAT-1.Q2]", "questions: [ICAT-1.Q1]", "'ICAT-1.Q1' is also in icat"),
        ("    kind: presence\n", "", "missing key 'kind'"),
        ("kind: presence", "kind: absence", "kind 'absence' must be presence"),
        ("kind: presence", "kind: presence\n    basis: [icat, hearsay]", "unknown term 'hearsay'"),
        ("kind: presence", "kind: presence\n    basis: [icat, other-standard:CETS-198]",
         "unknown source 'CETS-198' (did you mean 'CETS-197'?)"),
        ("kind: presence", "kind: presence\n    basis: []", "basis must be a non-empty list"),
        ("icat: [ICAT-1.Q1]", "icat: [ICAT-1.Q1, ICAT-2.N16, CETS-197.art13]\n    basis: [icat]",
         "basis: add icat-footnote (icat cites ICAT-2.N16)"),
        ("icat: [ICAT-1.Q1]", "icat: [ICAT-1.Q1, CETS-197.art13]\n    basis: [icat]",
         "basis: add other-standard:CETS-197 (icat cites CETS-197.art13)"),
        ("indicators: [IND-3-01]", "indicators: [IND-3-99]", "unknown reference 'IND-3-99'"),
        ("has no summary.", "has no {sumary}.", "unknown placeholder {sumary}"),
        ("id: FUN-001", "id: fun1", "must look like ABC-001"),
        ("    rationale: Funders read the summary first.\n", "", "missing key 'rationale'"),
        ("{summary: A short description}", "{summary: A short, clear description}",
         "examples: pass[0]: the key 'clear description' has no value, so a comma probably cut"),
    ],
)
def test_rule_problems_name_file_line_and_rule(tmp_path, old, new, expected):
    assert old in GOOD_RULE
    directory = pack(tmp_path, GOOD_RULE.replace(old, new))
    with pytest.raises(RuleError) as caught:
        load(directory)
    problem = caught.value.problems[0]
    assert problem.startswith(f"{directory / 'funder.yaml'}:2:5: rule ")
    assert expected in problem


def test_duplicate_rule_ids_across_files_are_refused(tmp_path):
    directory = pack(tmp_path, GOOD_RULE)
    pack(tmp_path, GOOD_RULE, name="again.yaml")
    with pytest.raises(RuleError, match="duplicate rule id"):
        load(directory)


def test_malformed_rule_file_is_reported_not_raised(tmp_path):
    with pytest.raises(RuleError, match="funder.yaml:1:1: a rule file is a mapping"):
        load(pack(tmp_path, "- just a list\n"))
    with pytest.raises(RuleError, match=r"funder.yaml:3:1: invalid YAML"):
        load(pack(tmp_path, "rules:\n  - id: [unclosed\n"))


def test_a_rule_file_with_an_alias_is_refused_where_the_alias_is(tmp_path):
    text = GOOD_RULE.replace("    title: Programme without a summary",
                             "    title: &t Programme without a summary")
    text = text.replace("    rationale: Funders read the summary first.", "    rationale: *t")
    with pytest.raises(RuleError, match=r"funder.yaml:8:16: aliases are not supported"):
        load(pack(tmp_path, text))


@given(st.text(alphabet="ab &*!-:[{,\n\t\u2028", max_size=40))
def test_the_anchor_and_tag_scan_agrees_with_the_pattern_it_replaced(text):
    """The fast path's scan (rules._has_anchor_or_tag) sends a file to the careful loader
    exactly where the former single pattern did."""
    former = re.compile(r"(^|[\s\[{,:-])[&*!]\S", re.MULTILINE)
    assert _has_anchor_or_tag(text) == bool(former.search(text))


@given(st.text(alphabet="- id:\n\r\tx\u2028", max_size=60))
def test_rule_starts_agree_with_the_pattern_they_replaced(text):
    """The lines where a rule may start, found from `id:` occurrences, are those the former
    multiline pattern found."""
    former = re.compile(r"^( *- +)id:", re.MULTILINE)
    assert rule_starts(text) == [(m.start(), len(m.group(1))) for m in former.finditer(text)]


def test_extra_pack_adds_rules_and_its_examples_run(tmp_path):
    reviewer = Reviewer([pack(tmp_path, GOOD_RULE)])
    results = run_examples(reviewer, {"FUN-001"})
    assert [(r.kind, r.ok) for r in results] == [("fail", True), ("pass", True)]


def test_examples_that_do_not_hold_are_reported(tmp_path):
    wrong = GOOD_RULE.replace("- {summary: A short description}", "- {}")
    reviewer = Reviewer([pack(tmp_path, wrong)])
    results = {r.kind: r for r in run_examples(reviewer, {"FUN-001"})}
    assert not results["pass"].ok
    assert results["pass"].detail == "expected no finding; the rule fired"


def test_invalid_example_snippet_is_reported(tmp_path):
    wrong = GOOD_RULE.replace("- {}", "- {colour: red}")
    reviewer = Reviewer([pack(tmp_path, wrong)])
    results = {r.kind: r for r in run_examples(reviewer, {"FUN-001"})}
    assert not results["fail"].ok
    assert "unknown key 'colour'" in results["fail"].detail


def test_bundled_rule_examples_all_hold():
    """The test suite runs `ctreview test-rules` over the bundled catalogue."""
    result = CliRunner().invoke(cli, ["test-rules"])
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.output


def test_every_bundled_rule_has_fail_and_pass_examples_and_references():
    reviewer = Reviewer()
    assert len(reviewer.catalogue.rules) >= 150
    for rule in reviewer.catalogue.rules:
        assert rule.examples_fail and rule.examples_pass, rule.id
        assert rule.icat and rule.fix and rule.rationale, rule.id


def test_cli_rules_and_explain(tmp_path):
    runner = CliRunner()
    listing = runner.invoke(cli, ["rules", "--rules", str(pack(tmp_path, GOOD_RULE))])
    assert listing.exit_code == 0
    assert "FUN-001" in listing.output and "ICAT-1.Q1" in listing.output
    explained = runner.invoke(cli, ["explain", "SUP-001"])
    assert explained.exit_code == 0
    for heading in (
        "Why it matters",
        "Checks\n  ICAT-8.L1 ",
        "OHCHR-2002.G6 ",
        "Basis\n  ICAT toolkit",
        "Related questions\n  ICAT-8.Q4 ",
        "kind: content",
        "How to fix",
        "Example that triggers it",
        "Example that passes",
    ):
        assert heading in explained.output
    unknown = runner.invoke(cli, ["explain", "SUP-0001"])
    assert unknown.exit_code == 2 and "did you mean SUP-001?" in unknown.output


def test_bad_rule_pack_on_the_command_line_exits_2(tmp_path):
    directory = pack(tmp_path, GOOD_RULE.replace("severity: warning", "severity: fatal"))
    result = CliRunner().invoke(
        cli, ["check", "samples/awareness-et.yaml", "--rules", str(directory)]
    )
    assert result.exit_code == 2
    assert "cannot load the rules" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["check", "screen", "test-rules"])
def test_a_bad_lexicon_in_a_rule_folder_exits_2_naming_it(tmp_path, command):
    directory = pack(tmp_path, GOOD_RULE)
    lexicons = directory / "lexicons" / "en"
    lexicons.mkdir(parents=True)
    (lexicons / "broken.yaml").write_text(
        "name: broken_words\nlanguage: en\nmatch: anywhere\npatterns: ['tes: >-']\n",
        encoding="utf-8",
    )
    args = {
        "check": ["check", "--no-config", "samples/awareness-et.yaml", "--rules", str(directory)],
        "screen": ["screen", "--no-config", "samples/awareness-et.yaml", "--rules", str(directory)],
        "test-rules": ["test-rules", str(directory)],
    }[command]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert f"{lexicons / 'broken.yaml'}:" in result.output
    assert "missing key 'description'" in result.output


def test_a_rule_may_check_other_sources_and_declare_its_basis(tmp_path):
    text = GOOD_RULE.replace(
        "icat: [ICAT-1.Q1]",
        "icat: [ICAT-1.Q1, ICAT-0.U3, ICAT-2.N16, CETS-197.art13]\n"
        "    basis: [icat, icat-footnote, other-standard:CETS-197, other-standard:WHO-2003,\n"
        "            ctreview-judgement]",
    )
    rule = load(pack(tmp_path, text)).get("FUN-001")
    assert rule.icat == ("ICAT-1.Q1", "ICAT-0.U3", "ICAT-2.N16", "CETS-197.art13")
    assert rule.sources == ("CETS-197", "WHO-2003")
    assert rule.sections == ("1", "2")  # "How to use" (section 0) is not a section
    assert rule.kind == "presence" and "ctreview-judgement" in rule.basis


def test_a_funders_rule_may_leave_out_its_basis_but_a_bundled_rule_may_not(tmp_path, monkeypatch):
    directory = pack(tmp_path, GOOD_RULE)
    assert load(directory).get("FUN-001").basis == ()
    monkeypatch.setattr("reviewer.rules.data_dir", lambda name: directory)  # as if bundled
    with pytest.raises(RuleError, match="rule FUN-001: basis: missing; a bundled rule declares"):
        load(directory)
    bundled = GOOD_RULE.replace("kind: presence", "kind: presence\n    basis: [icat]")
    assert load(pack(tmp_path, bundled)).get("FUN-001").basis == ("icat",)


def test_every_bundled_rule_declares_its_basis_and_kind_and_checks_what_it_cites():
    knowledge = bundled_knowledge()
    rules = Reviewer().catalogue.rules
    assert len(rules) >= 200
    for rule in rules:
        assert rule.basis and rule.kind in ("presence", "content"), rule.id
        assert not set(rule.questions) & set(rule.icat), rule.id  # related, not checked
        assert all(knowledge.resolves(ref) for ref in rule.icat), rule.id
    kinds = {rule.kind for rule in rules}
    assert kinds == {"presence", "content"}
    judged = {rule.id for rule in rules if "ctreview-judgement" in rule.basis}
    assert {"MEL-015", "MEL-022", "GEN-032", "AWR-014"} <= judged  # thresholds of its own
    assert {s for rule in rules for s in rule.sources} >= {"IATI", "CETS-197", "OHCHR-2002"}


def _rule_saying(message: str) -> Rule:
    return Rule(
        id="X-001",
        title="t",
        severity="info",
        applies_to="programme",
        when={},
        message=message,
        rationale="r",
        icat=("ICAT-1.Q4",),
    )


def test_message_lists_read_as_words():
    rule = _rule_saying("uncovered: {areas}; title {label}; {absent}")
    assert rule.render_message({"areas": ["a", "b"], "label": "P"}) == "uncovered: a, b; title P; "


def test_message_numbers_read_as_a_reader_writes_them():
    rule = _rule_saying("{total} {gap}% {year} {count} {flag} {budget.total}")
    values = {"total": 2120002.0, "gap": 78.7999, "year": 2025, "count": 3, "flag": True,
              "budget.total": 9999999}
    assert rule.render_message(values) == "2,120,002 78.8% 2025 3 True 9,999,999"


def test_messages_filled_from_parsed_templates_read_as_the_formatter_writes_them():
    """Messages are filled from templates parsed once; every bundled message, and ones with
    specs, conversions and escapes, reads as string.Formatter with ctreview's field rules
    writes it, for texts, lists, numbers, booleans and absent fields, in both lookups."""
    from reviewer.rules import _FORMATTER, _Defaulting, _placeholders, _readable

    messages = [rule.message for rule in Reviewer().catalogue.rules]
    messages += ["{x:>6}|{{literal}}|{z:>9}", "{y!r}|{}", "{a.b} and {a:{w}}", "plain"]
    samples = ["text", ["a", 1], 2120002.0, 78.799, 2025, 0, True, None, ""]
    for message in messages:
        rule = _rule_saying(message)
        for at in range(len(samples)):
            names = _placeholders(message)
            values = {name: samples[(at + i) % len(samples)] for i, name in enumerate(names)}
            first = {name: value for name, value in values.items() if name[:1] < "m"}
            readable = {k: _readable(v) for k, v in values.items() if v is not None}
            try:
                expected = _FORMATTER.vformat(message, (), _Defaulting(readable))
            except (ValueError, TypeError, IndexError) as error:
                with pytest.raises(type(error)):
                    rule.render_message(values)
                continue
            assert rule.render_message(values) == expected, message
            assert rule.render_message(first, values) == expected, message


def test_a_condition_too_large_for_the_engine_is_refused_when_loading(tmp_path):
    alternatives = "\n".join(
        f"          - any: [{{field: summary, equals: a{i}}}, {{field: title, equals: b{i}}}]"
        for i in range(12)
    )
    big = GOOD_RULE.replace(
        "    when: {field: summary, missing: true}\n",
        f"    when:\n      all:\n{alternatives}\n",
    )
    with pytest.raises(RuleError, match="rule FUN-001: when: condition too large"):
        load(pack(tmp_path, big))
