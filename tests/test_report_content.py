"""The report content shared by Markdown, HTML and JSON: decision first (verdict, what
blocks, what to fix first), one finding per gap, questions, waivers, the rules once."""

from dataclasses import replace

from report_fixtures import RULES, clean_review, finding, hostile_review

from reviewer.findings import Waiver
from reviewer.inert import one_line
from reviewer.knowledge import bundled_knowledge
from reviewer.report.content import (
    build_report,
    cite,
    indicator_note,
    section_counts,
)


def _report():
    return build_report(hostile_review(), "p1", bundled_knowledge())


def test_errors_first_then_warnings_by_component_then_notes():
    report = _report()
    assert [g.gap.rule_id for g in report.errors] == ["PRG-001", "AWR-002"]
    assert [(g.component, [q.ref for q in g.questions]) for g in report.warnings] == [
        ("c-campaign", ["ICAT-3.Q2"]),
        ("c-hotline", ["ICAT-7.Q2"]),
    ]
    assert [g.gap.rule_id for group in report.notes for g in group.gaps] == ["MEL-003"]
    assert [g.gap.rule_id for g in report.gaps] == [
        "PRG-001", "AWR-002", "AWR-005", "IDR-001", "SUP-001", "MEL-003"
    ]  # fmt: skip
    # places keep the anchors they always had: counted places in report order, then waived
    assert [e.anchor for e in report.entries] == [f"p1-f{n}" for n in range(1, 6)]
    assert [e.anchor for e in report.waived] == ["p1-w1"]


def two_components(rule_id: str, **fields):
    return [
        finding(rule_id, 40, component="c-a", index=0, label="A", **fields),
        finding(rule_id, 80, component="c-b", index=1, label="B", **fields),
    ]


def test_a_rule_holding_for_several_components_is_one_finding_listing_its_places():
    review = replace(clean_review(), findings=[*two_components("IDR-001"), finding("PRG-001", 1)])
    report = build_report(review, "p1", bundled_knowledge())
    (gap,) = [g for g in report.gaps if g.gap.rule_id == "IDR-001"]
    assert [e.finding.component for e in gap.places] == ["c-a", "c-b"]
    assert gap.label == "2 components"
    assert report.counts == {"error": 1, "warning": 1, "info": 0}
    assert report.places("warning") == 2
    (group,) = report.warnings
    assert group.component is None and group.title == "Across several components"
    # the rule is explained once, and lists the finding
    (note,) = [n for n in report.rules if n.rule.id == "IDR-001"]
    assert note.gaps == (gap,)


def test_same_rule_different_severity_or_waiver_state_stays_apart():
    waived = Waiver("IDR-001", "c-b", "Handled by the partner")
    scoped = Waiver("IDR-001", "c-c", "No hotline here", kind="not_relevant")
    findings = [
        finding("IDR-001", 40, component="c-a", index=0, label="A"),
        finding("IDR-001", 80, component="c-b", index=1, label="B", waiver=waived),
        finding("IDR-001", 90, component="c-c", index=2, label="C", waiver=scoped),
        replace(finding("IDR-001", 95, component="c-d", index=3, label="D"), severity="error"),
    ]
    report = build_report(replace(clean_review(), findings=findings), "p1", None)
    assert sorted(g.gap.status for g in report.gaps) == [
        "active", "active", "scoped_out", "waived"
    ]  # fmt: skip
    assert report.counts == {"error": 1, "warning": 1, "info": 0}
    assert [g.label for g in report.scoped_out] == ["c-c"]
    assert [g.label for g in report.waived_gaps] == ["c-b"]
    (note,) = report.rules  # one rule, explained once with its four findings
    assert len(note.gaps) == 4


def test_fix_first_ranks_by_severity_then_questions_closed_then_places():
    lone = replace(RULES["IDR-001"], id="IDR-009", icat=("ICAT-7.Q5", "ICAT-7.Q6"))
    shared = replace(RULES["AWR-005"], id="AWR-009", icat=("ICAT-3.Q2",))
    findings = [
        finding("AWR-005", 10, component="c-a", index=0),  # raises ICAT-3.Q2 (shared)
        replace(finding("AWR-005", 11, component="c-a", index=0), rule=shared),
        replace(finding("IDR-001", 12, component="c-b", index=1), rule=lone),  # closes two
        *two_components("IDR-001"),  # closes ICAT-7.Q2, two places
        finding("MEL-003", 20, entity="indicator", item="i-1"),  # info: never listed
        finding("PRG-001", 1),  # error: first whatever it closes
    ]
    report = build_report(replace(clean_review(), findings=findings), "p1", None)
    order = [(f.gap.rule.id, f.closes) for f in report.fix_first]
    assert order == [
        ("PRG-001", ("ICAT-2.Q1",)),
        ("IDR-009", ("ICAT-7.Q5", "ICAT-7.Q6")),
        ("IDR-001", ("ICAT-7.Q2",)),
        ("AWR-005", ()),
        ("AWR-009", ()),
    ]


def test_each_question_is_listed_once_with_every_finding_that_raised_it():
    report = _report()
    revisits = {r.question.ref: r for group in report.questions for r in group.questions}
    listed = [r.question.ref for group in report.questions for r in group.questions]
    assert len(listed) == len(set(listed))
    assert [g.gap.rule_id for g in revisits["ICAT-3.Q2"].raised_by] == ["AWR-002", "AWR-005"]
    assert [g.section for g in report.questions] == ["2", "3", "7"]
    assert revisits["ICAT-3.Q2"].question.text.startswith("Which behaviour should the audience")


def test_only_questions_a_rule_checks_are_raised_related_ones_are_kept_apart():
    report = _report()
    raised = {r.question.ref: r for group in report.questions for r in group.questions}
    related = {r.question.ref: r for g in report.related_questions for r in g.questions}
    # PRG-001 checks ICAT-2.Q1 and lists ICAT-1.Q1 as related; IDR-001 relates ICAT-1.Q1 too
    assert [g.gap.rule_id for g in raised["ICAT-2.Q1"].raised_by] == ["PRG-001"]
    assert "ICAT-1.Q1" not in raised
    assert [g.gap.rule_id for g in related["ICAT-1.Q1"].related_to] == ["PRG-001", "IDR-001"]
    assert related["ICAT-1.Q1"].raised_by == ()
    # AWR-002 relates ICAT-3.Q3, which no finding's rule checks
    assert [g.gap.rule_id for g in related["ICAT-3.Q3"].related_to] == ["AWR-002"]
    # a related bullet (MEL-003: ICAT-1.Q3.a) is listed under its question, with its bullets
    assert "ICAT-1.Q3" in related and "ICAT-1.Q3.a" not in related
    assert [i.ref for i in related["ICAT-1.Q3"].question.items][0] == "ICAT-1.Q3.a"
    assert not set(raised) & set(related)


def test_a_question_one_finding_checks_and_another_relates_is_raised_once_with_both():
    relates = replace(RULES["IDR-001"], questions=("ICAT-3.Q2",))
    review = replace(
        clean_review(),
        findings=[finding("AWR-002", 3), replace(finding("IDR-001", 4), rule=relates)],
    )
    report = build_report(review, "p1", bundled_knowledge())
    (group,) = [g for g in report.questions if g.section == "3"]
    (revisit,) = [r for r in group.questions if r.question.ref == "ICAT-3.Q2"]
    assert [g.gap.rule_id for g in revisit.raised_by] == ["AWR-002"]
    assert [g.gap.rule_id for g in revisit.related_to] == ["IDR-001"]


def test_each_finding_carries_its_basis_read_for_people():
    entry = _report().entries[0]  # PRG-001: ICAT, IATI and ctreview's own judgement
    assert [b.term for b in entry.basis] == ["icat", "other-standard:IATI", "ctreview-judgement"]
    assert entry.basis[0].label == "ICAT toolkit"
    assert entry.basis[1].label == "IATI Standard, 2018"
    assert "judgement" in entry.basis[2].label


def test_waived_findings_are_kept_apart_and_do_not_count():
    report = _report()
    assert [e.finding.rule_id for e in report.waived] == ["SUP-001"]
    assert "SUP-001" not in {e.finding.rule_id for e in report.entries}
    assert report.counts == {"error": 2, "warning": 2, "info": 1}
    # the waived finding's question (ICAT-9.Q1) is not on the list to revisit
    assert "9" not in [g.section for g in report.questions]


def test_verdict_states_both_dimensions():
    report = _report()  # errors: PRG-001, AWR-002; AWR-005 content; IDR-001 presence
    assert report.assessment.soundness.level == "not ready"
    assert report.assessment.completeness.level == "revise"
    assert report.verdict == (
        "Not ready. Design soundness: not ready (2 errors block approval, 1 warning to "
        "address). Completeness: revise (1 gap to fill, 1 note)."
    )
    assert build_report(clean_review(), "p2", None).verdict == (
        "Ready. Design soundness: ready (no findings). Completeness: ready (no gaps)."
    )


def test_a_rule_resting_on_two_sections_counts_in_both():
    findings = [finding("PRG-001", 1), finding("AWR-002", 2, component="c", index=0)]
    assert section_counts(findings) == (("1", 1), ("2", 1), ("3", 1))


def test_a_bullet_is_cited_with_its_stem_and_unknown_sources_without_text():
    knowledge = bundled_knowledge()
    bullet = cite("ICAT-1.Q3.a", knowledge)
    assert bullet.text.startswith(knowledge.question("ICAT-1.Q3").text)
    assert bullet.text.endswith(knowledge.question("ICAT-1.Q3.a").text)
    assert cite("IATI-1.2", knowledge).text == ""
    assert cite("ICAT-8.E", knowledge).section == "8"
    assert [c.ref for c in _report().entries[0].citations] == list(RULES["PRG-001"].icat)


def test_one_line_flattens_breaks_and_shows_control_characters():
    assert one_line("a\r\nb\tc") == "a b c"
    assert one_line("\x1b[31mred") == "\\x1b[31mred"
    assert one_line("abc\u202edef") == "abc\\u202edef"


def test_a_question_a_rule_lists_twice_is_raised_once():
    twice = replace(RULES["AWR-005"], icat=("ICAT-3.Q2", "ICAT-3.Q2"))
    review = replace(clean_review(), findings=[replace(finding("AWR-005", 4), rule=twice)])
    (group,) = build_report(review, "p1", None).questions
    assert [len(r.raised_by) for r in group.questions] == [1]


def test_a_suggested_indicator_says_where_it_sits_and_what_it_cannot_stand_for():
    knowledge = bundled_knowledge()
    reach = indicator_note("IND-3-04", knowledge)
    assert reach.label == (
        "reach; not a proxy for knowledge attitude change, behaviour change or impact"
    )
    income = indicator_note("IND-4-07", knowledge)  # ICAT: livelihoods are not migration
    assert income.label == (
        "change in livelihoods, not on ICAT's results chain; not a proxy for behaviour "
        "change or impact"
    )
    assert indicator_note("IND-3-15", knowledge).label == "behaviour change"
    assert indicator_note("IND-9-99", knowledge).label == "indicator"  # unknown: no claim
