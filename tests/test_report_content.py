"""The report content shared by Markdown, HTML and JSON: order, questions, waivers, verdict."""

from dataclasses import replace

from report_fixtures import RULES, clean_review, finding, hostile_review

from reviewer.inert import one_line
from reviewer.knowledge import bundled_knowledge
from reviewer.report.content import (
    build_report,
    cite,
    indicator_note,
    section_counts,
    verdict,
)


def _report():
    return build_report(hostile_review(), "p1", bundled_knowledge())


def test_programme_level_first_then_components_in_file_order_then_severity():
    report = _report()
    assert [g.component for g in report.groups] == ["", "c-campaign", "c-hotline"]
    assert [[e.finding.rule_id for e in g.entries] for g in report.groups] == [
        ["PRG-001", "MEL-003"],
        ["AWR-002", "AWR-005"],
        ["IDR-001"],
    ]
    assert [e.anchor for e in report.entries] == [f"p1-f{n}" for n in range(1, 6)]


def test_each_question_is_listed_once_with_every_finding_that_raised_it():
    report = _report()
    revisits = {r.question.ref: r for group in report.questions for r in group.questions}
    listed = [r.question.ref for group in report.questions for r in group.questions]
    assert len(listed) == len(set(listed))
    assert [e.finding.rule_id for e in revisits["ICAT-3.Q2"].raised_by] == ["AWR-002", "AWR-005"]
    assert [g.section for g in report.questions] == ["2", "3", "7"]
    assert revisits["ICAT-3.Q2"].question.text.startswith("Which behaviour should the audience")


def test_only_questions_a_rule_checks_are_raised_related_ones_are_kept_apart():
    report = _report()
    raised = {r.question.ref: r for group in report.questions for r in group.questions}
    related = {r.question.ref: r for g in report.related_questions for r in g.questions}
    # PRG-001 checks ICAT-2.Q1 and lists ICAT-1.Q1 as related; IDR-001 relates ICAT-1.Q1 too
    assert [e.finding.rule_id for e in raised["ICAT-2.Q1"].raised_by] == ["PRG-001"]
    assert "ICAT-1.Q1" not in raised
    assert [e.finding.rule_id for e in related["ICAT-1.Q1"].related_to] == ["PRG-001", "IDR-001"]
    assert related["ICAT-1.Q1"].raised_by == ()
    # AWR-002 relates ICAT-3.Q3, which no finding's rule checks
    assert [e.finding.rule_id for e in related["ICAT-3.Q3"].related_to] == ["AWR-002"]
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
    assert [e.finding.rule_id for e in revisit.raised_by] == ["AWR-002"]
    assert [e.finding.rule_id for e in revisit.related_to] == ["IDR-001"]


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


def test_verdict_names_what_blocks_or_what_is_left():
    assert verdict({"error": 3, "warning": 4, "info": 0}) == "3 errors block approval"
    assert verdict({"error": 1, "warning": 0, "info": 0}) == "1 error blocks approval"
    assert verdict({"error": 0, "warning": 4, "info": 2}) == "no errors; 4 warnings to address"
    assert verdict({"error": 0, "warning": 0, "info": 1}).endswith("1 note to consider")
    assert verdict({"error": 0, "warning": 0, "info": 0}) == "ready: no findings"
    assert build_report(clean_review(), "p2", None).verdict == "ready: no findings"


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
