"""The prebuilt data of the bundled rule packs and banks: current, exact, and never in the way."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reviewer import prebuilt
from reviewer.docgen import prebuilt_text
from reviewer.review import Reviewer

ROOT = Path(__file__).resolve().parent.parent


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (1 == 1.0 == True is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return a == b


def test_committed_prebuilt_data_is_current() -> None:
    assert prebuilt.PREBUILT_PATH.read_text(encoding="utf-8") == prebuilt_text(), (
        "reviewer/prebuilt.jsonl is out of date: run `ctreview generate-docs` and commit it"
    )


@pytest.mark.parametrize("path", prebuilt.bundled_files(), ids=lambda p: p.name)
def test_every_bundled_file_is_prebuilt_exactly(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text(encoding="utf-8")
    parsed = prebuilt.FAST_YAML.load(text)
    monkeypatch.setattr(prebuilt, "FAST_YAML", None)  # a miss would now fail
    assert _same(prebuilt.load(text), parsed)


def test_an_edited_file_misses_and_is_parsed() -> None:
    text = prebuilt.bundled_files()[0].read_text(encoding="utf-8")
    edited = text.replace("severity: warning", "severity: error", 1)
    assert edited != text
    assert prebuilt.load(edited) == prebuilt.FAST_YAML.load(edited) != prebuilt.load(text)


def test_each_caller_gets_its_own_copy() -> None:
    text = prebuilt.bundled_files()[0].read_text(encoding="utf-8")
    first = prebuilt.load(text)
    first["rules"].clear()
    assert prebuilt.load(text)["rules"]


def test_a_missing_prebuilt_file_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_prebuilt = Reviewer()
    monkeypatch.setattr(prebuilt, "PREBUILT_PATH", tmp_path / "absent.jsonl")
    prebuilt._entries.cache_clear()
    try:
        assert prebuilt._entries() == {}
        without = Reviewer()
    finally:
        prebuilt._entries.cache_clear()
    assert without.catalogue == with_prebuilt.catalogue
    for part in ("lessons", "questions", "indicators"):
        assert getattr(without.knowledge, part) == getattr(with_prebuilt.knowledge, part)


def test_data_json_would_change_is_not_stored(tmp_path: Path) -> None:
    dated = tmp_path / "dated.yaml"
    dated.write_text("when: 2027-01-01\n", encoding="utf-8")
    keyed = tmp_path / "keyed.yaml"
    keyed.write_text("1: one\n", encoding="utf-8")
    plain = tmp_path / "plain.yaml"
    plain.write_text("a: [1, 2.5, true, null, text]\n", encoding="utf-8")
    assert isinstance(prebuilt.FAST_YAML.load(dated.read_text())["when"], dt.date)
    lines = prebuilt.build([dated, keyed, plain]).splitlines()
    assert len(lines) == 1 and lines[0].endswith('{"a": [1, 2.5, true, null, "text"]}')


def test_bundled_rules_are_checked_in_full_only_when_the_stamp_is_stale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A current stamp skips the per-rule check of the bundled packs (checked in full when
    prebuilt.jsonl was written); a stale one, or a caller that asks, checks every rule."""
    from reviewer import rules
    from reviewer.knowledge import bundled_knowledge
    from reviewer.paths import data_dir

    checked: list[str] = []
    real = rules._rule_problems

    def counting(raw, checks):
        checked.append(raw["id"])
        return real(raw, checks)

    monkeypatch.setattr(rules, "_rule_problems", counting)
    knowledge = bundled_knowledge()
    trusted = rules.load_catalogue([data_dir("rules")], knowledge)
    assert checked == []
    in_full = rules.load_catalogue([data_dir("rules")], knowledge, trust_prebuilt=False)
    assert len(checked) == len(in_full.rules) > 250
    assert trusted == in_full
    checked.clear()
    monkeypatch.setattr(prebuilt, "stamp", lambda name: "stale")
    rules.load_catalogue([data_dir("rules")], knowledge)
    assert len(checked) == len(in_full.rules)


def test_the_fingerprint_changes_with_what_rule_checks_depend_on() -> None:
    from reviewer import rules
    from reviewer.knowledge import bundled_knowledge
    from reviewer.paths import data_dir

    knowledge = bundled_knowledge()
    texts = [path.read_bytes() for path in sorted(data_dir("rules").glob("*.yaml"))]
    current = rules.validation_fingerprint(texts, knowledge)
    assert prebuilt.stamp(rules.VALIDATED_STAMP) == current
    edited = [texts[0].replace(b"severity: warning", b"severity: error", 1), *texts[1:]]
    assert rules.validation_fingerprint(edited, knowledge) != current
    assert rules.validation_fingerprint(texts[1:], knowledge) != current


def test_bundled_lexicons_are_checked_in_full_only_when_the_stamp_is_stale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A current stamp skips checking the bundled lexicons phrase by phrase; a stale one, a
    caller that asks, or a user's own folder is checked in full, with the same result."""
    from reviewer import lexicon
    from reviewer.paths import data_dir

    folder = data_dir("rules") / "lexicons"
    checked: list[str] = []
    real = lexicon._problems

    def counting(data):
        checked.append(data.get("name"))
        return real(data)

    monkeypatch.setattr(lexicon, "_problems", counting)
    trusted = lexicon.load_lexicons([folder])
    assert checked == []
    in_full = lexicon.load_lexicons([folder], trust_prebuilt=False)
    assert len(checked) == len(in_full.by_key) > 50 and trusted == in_full
    checked.clear()
    monkeypatch.setattr(prebuilt, "stamp", lambda name: "stale")
    lexicon.load_lexicons([folder])
    assert len(checked) == len(in_full.by_key)


def test_the_lexicon_fingerprint_changes_with_a_lexicon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewer import lexicon
    from reviewer.paths import data_dir

    current = lexicon.validation_fingerprint()
    assert prebuilt.stamp(lexicon.VALIDATED_STAMP) == current
    copy = tmp_path / "lexicons"
    shutil.copytree(data_dir("rules") / "lexicons", copy)
    monkeypatch.setattr(lexicon, "_bundled_folder", lambda: copy)
    assert lexicon.validation_fingerprint() == current
    first = sorted(copy.rglob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert lexicon.validation_fingerprint() != current



def _engine_rules() -> list[Any]:
    from reviewer.engine import EngineRule

    return [EngineRule(r.id, r.applies_to, r.when) for r in Reviewer().catalogue.rules]


def test_bundled_rules_compiled_from_the_stamp_are_what_compiling_gives() -> None:
    from reviewer import engine

    rules = _engine_rules()
    assert engine._stamped_rules(), "the compiled-rules stamp is missing or stale"
    for rule in rules:
        stored, fresh = engine._compiled(rule), engine._compile_rule(rule)
        assert stored == fresh, rule.id
        assert engine.to_json(stored.expression) == engine.to_json(fresh.expression), rule.id


def test_compiled_rules_are_taken_from_the_stamp_only_for_the_same_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A start whose engine code differs from the stamp's compiles every rule itself, and so
    does a rule the stamp does not hold (an edited or a funder's rule)."""
    from reviewer import engine

    rules = _engine_rules()
    compiled: list[str] = []
    original = engine._compile_rule

    def counting(rule: Any) -> Any:
        compiled.append(rule.id)
        return original(rule)

    monkeypatch.setattr(engine, "_compile_rule", counting)
    assert [engine._compiled(rule) for rule in rules] and compiled == []
    edited = engine.EngineRule("FUN-001", "programme", {"field": "summary", "missing": True})
    engine._compiled(edited)
    assert compiled == ["FUN-001"]
    monkeypatch.setattr(engine, "_code_fingerprint", lambda: "other code")
    engine._stamped_rules.cache_clear()
    try:
        engine._compiled(rules[0])
        assert compiled == ["FUN-001", rules[0].id]
    finally:
        engine._stamped_rules.cache_clear()


def test_bundled_rule_data_is_already_plain() -> None:
    """A start that trusts the bundled rules (stamp current) reads each rule's data as it is,
    without the copy `to_plain` makes of a funder's rule, which drops blank values: so the
    bundled rules hold none, and no value JSON would change."""
    from reviewer.paths import data_dir
    from reviewer.schema import to_plain

    for path in sorted(data_dir("rules").glob("*.yaml")):
        for raw in prebuilt.load(path.read_text(encoding="utf-8"))["rules"]:
            assert to_plain(raw) == raw, f"{path.name}: rule {raw.get('id')} holds a blank value"


def test_every_bundled_ruleset_can_be_created() -> None:
    """Rulesets of stamped (bundled) rules are created in durable when first asserted into,
    which cannot then fail: this creates every one of them."""
    from reviewer import engine

    reviewer = Reviewer()
    names = reviewer.engine.ruleset_names
    assert len(names) > 20
    for name in names:
        ruleset = engine.registered_ruleset(name)
        assert ruleset.create() == ruleset.handle > 0 and ruleset.created, name


def test_bundled_rulesets_are_created_when_first_used_and_others_at_once() -> None:
    """In a fresh process, no bundled ruleset exists in durable before a review, and a
    review creates only those its facts meet; a funder's rule (not stamped) has its ruleset
    created when the engine is built, so that durable's refusal shows when rules load."""
    script = (
        "from reviewer import engine\n"
        "from reviewer.review import Reviewer\n"
        "r = Reviewer()\n"
        "names = r.engine.ruleset_names\n"
        "made = lambda: sum(engine.registered_ruleset(n).created for n in names)\n"
        "before = made()\n"
        "r.review_file('samples/awareness-et.yaml')\n"
        "own = engine.RuleEngine([engine.EngineRule('FUN-001', 'programme', "
        "{'field': 'summary', 'missing': True})])\n"
        "print(before, made(), len(names), "
        "all(engine.registered_ruleset(n).created for n in own.ruleset_names))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    before, after, total, own_created = int(out[0]), int(out[1]), int(out[2]), out[3]
    assert before == 0
    assert 0 < after < total
    assert own_created == "True"
