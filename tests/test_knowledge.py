"""The ICAT knowledge base: bundled banks, lookups, validation errors, paraphrase check."""

import re
from pathlib import Path

import pytest

from reviewer.knowledge import (
    APPLIES_TO,
    CATEGORIES,
    KnowledgeBase,
    KnowledgeError,
    bundled_knowledge,
    load_knowledge,
)
from reviewer.paths import data_dir

REPO = Path(__file__).resolve().parent.parent
SECTION_TYPES = {
    3: "awareness",
    4: "livelihood",
    5: "legal_framework",
    6: "criminal_justice_capacity",
    7: "victim_identification",
    8: "victim_support",
    9: "national_action_plan",
}
# Counted by reading the ICAT toolkit (§1 lessons are the two overview lists, see README).
QUESTIONS_PER_SECTION = {1: 6, 2: 8, 3: 9, 4: 6, 5: 14, 6: 9, 7: 9, 8: 7, 9: 7}
LESSONS_PER_SECTION = {1: 2, 2: 3, 3: 3, 4: 3, 5: 4, 6: 4, 7: 6, 8: 8, 9: 4}
# Rows in each evaluation table's "sample indicators" column.
INDICATORS_PER_SECTION = {3: 20, 4: 10, 5: 49, 6: 18, 7: 12, 8: 26, 9: 16}
BULLETS = {
    "ICAT-1.L1": 3,
    "ICAT-1.L2": 8,
    "ICAT-1.Q3": 3,
    "ICAT-2.L2": 4,
    "ICAT-2.Q1": 5,
    "ICAT-2.Q2": 5,
    "ICAT-2.Q6": 3,
    "ICAT-2.Q8": 3,
    "ICAT-3.L2": 5,
    "ICAT-3.Q6": 3,
    "ICAT-4.L2": 4,
    "ICAT-4.L3": 2,
    "ICAT-5.Q7": 2,
    "ICAT-5.Q14": 2,
    "ICAT-6.L2": 6,
    "ICAT-6.Q1": 7,
    "ICAT-6.Q4": 8,
    "ICAT-6.Q7": 5,
    "ICAT-6.Q9": 4,
    "ICAT-7.Q2": 9,
    "ICAT-7.Q3": 4,
    "ICAT-7.Q4": 2,
    "ICAT-7.Q5": 3,
    "ICAT-7.Q6": 7,
    "ICAT-8.L1": 9,
    "ICAT-8.L5": 2,
    "ICAT-8.L8": 2,
    "ICAT-8.Q1": 8,
    "ICAT-8.Q3": 2,
    "ICAT-8.Q4": 3,
    "ICAT-8.Q5": 5,
    "ICAT-8.Q6": 8,
    "ICAT-9.L4": 5,
    "ICAT-9.Q1": 1,
    "ICAT-9.Q2": 1,
    "ICAT-9.Q3": 2,
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def top_level(entries, section):
    return [e for e in entries if e.section == section and e.parent is None]


def test_default_directory_is_the_repo_question_banks():
    assert data_dir("question_banks") == REPO / "question_banks"


def test_bundled_knowledge_is_loaded_once():
    assert bundled_knowledge() is bundled_knowledge()
    assert bundled_knowledge().refs() == load_knowledge([REPO / "question_banks"]).refs()


@pytest.mark.parametrize("section", range(1, 10))
def test_each_section_has_its_questions_and_lessons(kb, section):
    assert len(top_level(kb.questions, section)) == QUESTIONS_PER_SECTION[section]
    assert len(top_level(kb.lessons, section)) == LESSONS_PER_SECTION[section]
    numbers = [int(q.ref.rsplit("Q", 1)[1]) for q in top_level(kb.questions, section)]
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("section", sorted(INDICATORS_PER_SECTION))
def test_each_evaluation_table_has_all_its_indicators(kb, section):
    indicators = [i for i in kb.indicators if i.section == section]
    assert len(indicators) == INDICATORS_PER_SECTION[section]
    assert [i.id for i in indicators] == [
        f"IND-{section}-{n:02d}" for n in range(1, len(indicators) + 1)
    ]
    assert {i.ref for i in indicators} == {f"ICAT-{section}.E"}
    assert all(SECTION_TYPES[section] in i.applies_to for i in indicators)


def test_bullets_resolve_both_ways(kb):
    for entry in kb.lessons + kb.questions:
        children = [kb.lesson(r) if ".L" in r else kb.question(r) for r in entry.items]
        assert all(child.parent == entry.ref for child in children)
        if entry.parent is not None:
            parent = kb.lesson(entry.parent) if ".L" in entry.ref else kb.question(entry.parent)
            assert entry.ref in parent.items
    counts = {e.ref: len(e.items) for e in kb.lessons + kb.questions if e.items}
    assert counts == BULLETS


def test_question_bullets_inherit_applies_to(kb):
    assert kb.question("ICAT-7.Q2.c").applies_to == kb.question("ICAT-7.Q2").applies_to


def test_refs_cover_lessons_questions_bullets_and_tables(kb):
    refs = kb.refs()
    for ref in ("ICAT-1.L2.h", "ICAT-3.L2.b", "ICAT-5.Q14", "ICAT-7.Q2.c", "ICAT-8.E"):
        assert kb.has_ref(ref)
    assert {f"ICAT-{s}.E" for s in range(3, 10)} <= refs
    for missing in ("ICAT-1.E", "ICAT-3.L4", "ICAT-3.Q10", "ICAT-3.L2.f"):
        assert not kb.has_ref(missing)
    assert kb.lesson("ICAT-3.L4") is None
    assert kb.question("ICAT-3.L2") is None
    assert kb.indicator("IND-3-21") is None
    assert len(refs) == len(kb.lessons) + len(kb.questions) + 7 + len(kb.notes)


def test_how_to_use_guidance_and_design_footnotes_are_citable(kb):
    assert [n.ref for n in kb.notes if n.section == 0] == [f"ICAT-0.U{n}" for n in range(1, 5)]
    # The footnotes of the expert audit's table (section 2.2) that carry design content.
    for ref in ("ICAT-2.N16", "ICAT-3.N19", "ICAT-3.N21", "ICAT-4.N28", "ICAT-6.N34",
                "ICAT-6.N37", "ICAT-6.N38", "ICAT-7.N39", "ICAT-7.N44", "ICAT-7.N45",
                "ICAT-8.N51", "ICAT-9.N53", "ICAT-9.N55", "ICAT-2.I"):
        assert kb.has_ref(ref), ref
    assert kb.note("ICAT-2.N16").attached_to == "ICAT-2.Q1.e"
    assert kb.note("ICAT-2.N16").label == "footnote 16"
    assert kb.is_footnote("ICAT-3.N21") and not kb.is_footnote("ICAT-0.U3")
    assert "mature" in kb.describe("ICAT-3.N21")
    for note in kb.notes:  # every attachment resolves to a lesson, question or table
        assert note.attached_to is None or kb.has_ref(note.attached_to)


def test_other_sources_resolve_with_their_parts(kb):
    for ref in ("OHCHR-2002", "OHCHR-2002.P8", "CETS-197.art13", "WHO-2003.P6", "IATI",
                "IATI-result.type", "ICMPD-2021.A1", "ICMPD-2021.B.monitoring", "CRC-1989.art3",
                "UN-ALTCARE-2009", "UNHCR-BID-2008", "SURTEES-2010", "OECD-DAC-2019"):
        assert kb.resolves(ref), ref
        assert not kb.has_ref(ref)  # not an ICAT reference
    assert kb.source_of("CETS-197.art13").id == "CETS-197"
    assert kb.source_of("IATI-result.type").kind == "data_standard"
    assert "30 days" in kb.describe("CETS-197.art13")
    assert kb.describe("OHCHR-2002").startswith("Office of the United Nations High")
    assert not kb.resolves("CETS-197.art99") and not kb.resolves("ICAT-3.N99")


def test_indicators_carry_icat_proxy_caveats_by_table_category(kb):
    # "does not assess ... taken on board" (reach), "not a proxy for learning" (satisfaction),
    # "not a proxy for behaviour" (knowledge and attitudes), livelihoods not migration (§4).
    assert kb.indicator("IND-3-04").not_a_proxy_for == (
        "knowledge_attitude_change", "behaviour_change", "impact")
    assert kb.indicator("IND-6-02").not_a_proxy_for[0] == "knowledge_attitude_change"
    assert kb.indicator("IND-3-10").not_a_proxy_for == ("behaviour_change", "impact")
    assert kb.indicator("IND-3-15").not_a_proxy_for == ()  # behaviour may stand for impact
    for income in ("IND-4-05", "IND-4-06", "IND-4-07"):
        indicator = kb.indicator(income)
        assert indicator.category != "behaviour_change", income
        assert "behaviour_change" in indicator.not_a_proxy_for
    assert kb.indicator("IND-4-09").category == "behaviour_change"  # the change in migration


def test_section_questions_apply_to_their_component_type(kb):
    for question in kb.questions:
        if question.section in SECTION_TYPES:
            assert SECTION_TYPES[question.section] in question.applies_to, question.ref
        else:
            assert "programme" in question.applies_to, question.ref


def test_questions_for_component_type(kb):
    awareness = {q.ref for q in kb.questions_for("awareness")}
    assert {f"ICAT-3.Q{n}" for n in range(1, 10)} | {"ICAT-2.Q5", "ICAT-2.Q8"} == awareness
    programme = kb.questions_for("programme")
    assert len(programme) == QUESTIONS_PER_SECTION[1] + QUESTIONS_PER_SECTION[2]
    assert kb.questions_for("other") == ()
    with pytest.raises(ValueError, match="unknown component type"):
        kb.questions_for("awarenes")


def test_indicators_for_component_type_and_categories(kb):
    assert len(kb.indicators_for("legal_framework")) == INDICATORS_PER_SECTION[5]
    impact = kb.indicators_for("awareness", categories=["impact"])
    assert [i.id for i in impact] == ["IND-3-18", "IND-3-19", "IND-3-20"]
    # The hotline indicator of the identification table also serves awareness work.
    assert "IND-7-05" in {i.id for i in kb.indicators_for("awareness", ["behaviour_change"])}
    with pytest.raises(ValueError, match="unknown indicator category"):
        kb.indicators_for("awareness", ["impacts"])


def test_vocabularies_are_used_as_declared(kb):
    assert {i.category for i in kb.indicators} == CATEGORIES
    used = {t for e in kb.questions + kb.indicators for t in e.applies_to}
    assert used <= APPLIES_TO


# -- validation ------------------------------------------------------------------------

LESSON = """\
lessons:
  - ref: ICAT-3.L2
    section: 3
    summary: A lesson.
    items:
      - ref: ICAT-3.L2.a
        summary: A bullet.
"""
QUESTION = """\
questions:
  - ref: ICAT-7.Q4
    section: 7
    text: A question?
    applies_to: [victim_identification]
"""
INDICATOR = """\
indicators:
  - id: IND-8-01
    ref: ICAT-8.E
    section: 8
    text: An indicator.
    category: reach
    table_category: a row
    level: output
    methods: [service_records]
    applies_to: [victim_support]
"""
NOTE = """\
notes:
  - ref: ICAT-2.N16
    section: 2
    attached_to: ICAT-2.Q1.e
    summary: A footnote.
"""
SOURCE = """\
sources:
  - id: CETS-197
    kind: standard
    short: A convention
    title: A convention
    author: Council of Europe
    year: 2005
    summary: A treaty.
    parts:
      - ref: CETS-197.art13
        summary: An article.
"""

BAD_FILES = {
    "unknown top-level key": (LESSON + "extra: 1\n", 8, "unknown key 'extra'"),
    "unknown lesson key": (
        LESSON.replace("    summary: A lesson.", "    sumary: x"),
        4,
        "unknown key 'sumary'",
    ),
    "unknown bullet key": (LESSON + "        note: x\n", 8, "unknown key 'note'"),
    "missing key": (
        QUESTION.replace("    applies_to: [victim_identification]\n", ""),
        2,
        "missing key 'applies_to'",
    ),
    "duplicate ref": (LESSON + LESSON.split("\n", 1)[1], 8, "duplicate"),
    "malformed ref": (
        LESSON.replace("ref: ICAT-3.L2\n", "ref: ICAT-3.X2\n"),
        2,
        "malformed ref 'ICAT-3.X2'",
    ),
    "question ref among lessons": (
        LESSON.replace("ref: ICAT-3.L2\n", "ref: ICAT-3.Q2\n"),
        2,
        "malformed ref",
    ),
    "bullet out of order": (
        LESSON.replace("ICAT-3.L2.a", "ICAT-3.L2.b"),
        6,
        "should be ICAT-3.L2.a",
    ),
    "bullet of another entry": (
        LESSON.replace("ICAT-3.L2.a", "ICAT-3.L1.a"),
        6,
        "should be ICAT-3.L2.a",
    ),
    "section mismatch": (QUESTION.replace("section: 7", "section: 6"), 2, "not in section 6"),
    "section not a number": (QUESTION.replace("section: 7", "section: seven"), 3, "integer 1-9"),
    "unknown applies_to": (
        QUESTION.replace("[victim_identification]", "[victims]"),
        5,
        "unknown applies_to term 'victims'",
    ),
    "unknown category": (
        INDICATOR.replace("category: reach", "category: reached"),
        6,
        "unknown category 'reached'",
    ),
    "unknown level": (
        INDICATOR.replace("level: output", "level: result"),
        8,
        "unknown level 'result'",
    ),
    "unknown method": (
        INDICATOR.replace("[service_records]", "[guesswork]"),
        9,
        "unknown methods term 'guesswork'",
    ),
    "repeated method": (
        INDICATOR.replace("records]", "records, service_records]"),
        9,
        "without repeats",
    ),
    "malformed indicator id": (INDICATOR.replace("IND-8-01", "IND-8-1"), 2, "malformed id"),
    "indicator id in another section": (
        INDICATOR.replace("IND-8-01", "IND-7-01"),
        2,
        "does not match section 8",
    ),
    "indicator ref not its table": (INDICATOR.replace("ICAT-8.E", "ICAT-8.Q1"), 3, "malformed ref"),
    "indicator table of another section": (
        INDICATOR.replace("ICAT-8.E", "ICAT-7.E"),
        3,
        "not in section 8",
    ),
    "duplicate indicator id": (INDICATOR + INDICATOR.split("\n", 1)[1], 11, "duplicate"),
    "entry not a mapping": ("lessons:\n  - just text\n", 2, "expected a mapping"),
    "list expected": ("questions: {}\n", 1, "expected a list"),
    "empty text": (QUESTION.replace("text: A question?", "text: ''"), 4, "non-empty string"),
    "yaml syntax": (QUESTION.replace("text: A question?", "text: [unclosed"), 5, "yaml"),
    "note ref not a note": (NOTE.replace("ICAT-2.N16", "ICAT-2.Q16"), 2, "malformed ref"),
    "note in the wrong section": (NOTE.replace("section: 2", "section: 3"), 3, "in section 2"),
    "how-to-use outside section 0": (
        NOTE.replace("ICAT-2.N16", "ICAT-0.U1").replace("    attached_to: ICAT-2.Q1.e\n", ""),
        3,
        "in section 0",
    ),
    "note attached to nothing known": (NOTE, 2, "attached_to 'ICAT-2.Q1.e' is not a lesson"),
    "source id malformed": (SOURCE.replace("id: CETS-197", "id: cets 197"), 2, "malformed"),
    "source of an unknown kind": (SOURCE.replace("kind: standard", "kind: law"), 3, "kind"),
    "source part of another source": (SOURCE.replace("CETS-197.art13", "OHCHR.art13"), 10,
                                      "a part's ref is CETS-197.<part>"),
    "source year not a year": (SOURCE.replace("year: 2005", "year: recent"), 7, "four-digit"),
    "caveat naming its own category": (
        INDICATOR + "    not_a_proxy_for: [reach, impact]\n", 11, "names its own category"),
    "caveat unlike its row's": (
        INDICATOR + "    not_a_proxy_for: [impact]\n"
        + INDICATOR.split("\n", 1)[1].replace("IND-8-01", "IND-8-02"),
        12,
        "not_a_proxy_for differs from IND-8-01's",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_raises_with_file_and_line(tmp_path, name):
    content, line, message = BAD_FILES[name]
    path = tmp_path / "bank.yaml"
    path.write_text(content)
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge([tmp_path])
    assert raised.value.path == path
    assert raised.value.line == line
    assert message in str(raised.value)
    assert str(raised.value).startswith(f"{path}:{line}: ")


def test_valid_small_files_load(tmp_path):
    for name, content in (("a.yaml", LESSON), ("b.yaml", QUESTION), ("c.yaml", INDICATOR)):
        (tmp_path / name).write_text(content)
    kb = load_knowledge([tmp_path])
    assert kb.refs() == {"ICAT-3.L2", "ICAT-3.L2.a", "ICAT-7.Q4", "ICAT-8.E"}
    assert kb.lesson("ICAT-3.L2").items == ("ICAT-3.L2.a",)
    assert kb.indicator("IND-8-01").methods == ("service_records",)


def test_notes_and_sources_load_from_any_bank_file(tmp_path):
    for name, content in (("a.yaml", NOTE), ("b.yaml", SOURCE), ("q.yaml", QUESTION)):
        (tmp_path / name).write_text(content)
    (tmp_path / "a.yaml").write_text(NOTE.replace("ICAT-2.Q1.e", "ICAT-7.Q4"))
    kb = load_knowledge([tmp_path])
    assert kb.note("ICAT-2.N16").attached_to == "ICAT-7.Q4"
    assert kb.resolves("CETS-197.art13") and kb.source("CETS-197").year == 2005


def test_duplicate_across_directories_names_the_first_definition(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    for directory in (first, second):
        directory.mkdir()
        (directory / "lessons.yaml").write_text(LESSON)
    with pytest.raises(KnowledgeError, match=re.escape(f"first defined at {first}")):
        load_knowledge([first, second])


def test_missing_directory_is_an_error(tmp_path):
    with pytest.raises(KnowledgeError, match="not a directory"):
        load_knowledge([tmp_path / "absent"])
