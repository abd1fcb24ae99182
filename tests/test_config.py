"""The configuration file: discovery, extends, overrides, waivers, validation, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from reviewer.config import (
    PRESET_DIR,
    PRESETS,
    ConfigError,
    ConfigFinder,
    config_schema_json,
    find_config,
    glob_matches,
    load_config,
    preset,
    resolved_yaml,
)
from reviewer.coverage import strict_severities

DOCS = Path(__file__).resolve().parent.parent / "docs"
KNOWN = {"MEL-001", "MEL-002", "AW-001"}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.problems


# --- discovery ------------------------------------------------------------------------------------


def test_nearest_config_wins_walking_up(tmp_path):
    top = write(tmp_path / ".ctreview.yaml", "fail_on: info\n")
    inner = write(tmp_path / "calls" / "2027" / ".ctreview.yaml", "fail_on: warning\n")
    (tmp_path / "calls" / "2027" / "drafts").mkdir()
    assert find_config(tmp_path / "calls" / "2027" / "drafts") == inner
    assert find_config(tmp_path / "calls") == top


def test_discovery_stops_at_the_repository_root(tmp_path):
    write(tmp_path / ".ctreview.yaml", "fail_on: info\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "proposals").mkdir()
    assert find_config(tmp_path / "repo" / "proposals") is None


def test_no_config_means_the_recommended_preset(tmp_path):
    (tmp_path / ".git").mkdir()
    proposal = write(tmp_path / "p.yaml", "")
    assert ConfigFinder().config_for(proposal) == preset("recommended")
    write(tmp_path / ".ctreview.yaml", "fail_on: never\n")
    assert ConfigFinder().config_for(proposal).fail_on == "never"
    assert ConfigFinder(discover=False).config_for(proposal).fail_on == "error"


def test_a_finder_looks_each_folder_up_once(tmp_path, monkeypatch):
    """A run asks for each proposal's configuration several times and screens many proposals
    of one folder: each folder is looked up once, and each gets its own nearest file."""
    import reviewer.config as config_module

    (tmp_path / ".git").mkdir()
    write(tmp_path / ".ctreview.yaml", "fail_on: info\n")
    write(tmp_path / "calls" / ".ctreview.yaml", "fail_on: warning\n")
    top = [write(tmp_path / f"p{n}.yaml", "") for n in range(3)]
    inner = [write(tmp_path / "calls" / f"q{n}.yaml", "") for n in range(3)]
    looked_up: list[Path] = []
    original = config_module.find_config
    monkeypatch.setattr(
        config_module, "find_config", lambda folder, notes=None: looked_up.append(folder)
        or original(folder, notes)
    )
    finder = ConfigFinder()
    for _ in range(2):
        assert {finder.config_for(p).fail_on for p in top} == {"info"}
        assert {finder.config_for(str(p)).fail_on for p in inner} == {"warning"}
    assert sorted(looked_up) == sorted([tmp_path.resolve(), (tmp_path / "calls").resolve()])


# --- extends and merging --------------------------------------------------------------------------


def test_presets_load_and_strict_is_stricter():
    assert set(PRESETS) == {path.stem for path in PRESET_DIR.glob("*.yaml")}
    assert preset("recommended").fail_on == "error"
    strict = preset("strict")
    assert (strict.fail_on, strict.strict_waivers) == ("warning", True)
    assert strict.sources == ("<preset recommended>", "<preset strict>")


def test_own_settings_win_over_what_is_extended(tmp_path):
    (tmp_path / ".git").mkdir()  # extends reaches files of the repository that holds the file
    write(
        tmp_path / "shared" / "funder.yaml",
        "rules: {MEL-001: error, AW-001: info}\nrule_dirs: [funder-rules]\nmax_warnings: 5\n",
    )
    config = load_config(
        write(
            tmp_path / "calls" / ".ctreview.yaml",
            "extends: [strict, ../shared/funder.yaml]\nrules: {AW-001: 'off'}\nfail_on: error\n",
        )
    )
    assert config.fail_on == "error"  # own
    assert config.max_warnings == 5  # from funder.yaml
    assert config.strict_waivers is True  # from strict
    assert config.rule_dirs == ((tmp_path / "shared" / "funder-rules").resolve(),)
    severities = config.for_file(tmp_path / "calls" / "p.yaml").severities
    assert severities == {**strict_severities(), "MEL-001": "error", "AW-001": "off"}


def test_extends_cycle_and_missing_file_are_errors(tmp_path):
    write(tmp_path / "a.yaml", "extends: ./b.yaml\n")
    write(tmp_path / "b.yaml", "extends: ./a.yaml\n")
    (problem,) = problems_of(tmp_path / "a.yaml")
    assert "extends makes a cycle" in problem and "a.yaml -> " in problem
    (problem,) = problems_of(write(tmp_path / "c.yaml", "\nextends: ./missing.yaml\n"))
    assert problem.endswith(
        "c.yaml:2:10: extends: no such file './missing.yaml' "
        "(paths are relative to this file's folder)"
    )


def test_unknown_preset_has_a_did_you_mean(tmp_path):
    (problem,) = problems_of(write(tmp_path / "c.yaml", "extends: [strict, recomended]\n"))
    assert ":1:19: unknown preset 'recomended' (did you mean 'recommended'?)" in problem


# --- overrides and waivers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.yaml", "p.yaml", True),
        ("*.yaml", "calls/2027/p.yaml", True),  # no '/': the name, in any folder
        ("drafts/*.yaml", "drafts/p.yaml", True),
        ("drafts/*.yaml", "drafts/old/p.yaml", False),
        ("drafts/**/*.yaml", "drafts/p.yaml", True),
        ("drafts/**/*.yaml", "drafts/a/b/p.yaml", True),
        ("./drafts/p?.yaml", "drafts/p1.yaml", True),
        ("p[!0-9].yaml", "pa.yaml", True),
        ("p[!0-9].yaml", "p1.yaml", False),
        ("final.yaml", "final.yaml.bak", False),
    ],
)
def test_glob_patterns(tmp_path, pattern, path, expected):
    assert glob_matches(pattern, tmp_path / path, tmp_path) is expected


def test_glob_never_matches_outside_its_folder(tmp_path):
    assert not glob_matches("**/*.yaml", tmp_path.parent / "p.yaml", tmp_path)


def test_overrides_apply_to_matching_files_in_order(tmp_path):
    config = load_config(
        write(
            tmp_path / ".ctreview.yaml",
            """\
rules: {MEL-001: warning}
overrides:
  - files: ["drafts/**"]
    rules: {MEL-001: info, MEL-002: 'off'}
  - files: ["drafts/final-*.yaml"]
    rules: {MEL-001: error}
""",
        )
    )
    assert config.for_file(tmp_path / "p.yaml").severities == {"MEL-001": "warning"}
    assert config.for_file(tmp_path / "drafts" / "x.yaml").severities == {
        "MEL-001": "info",
        "MEL-002": "off",
    }
    assert config.for_file(tmp_path / "drafts" / "final-1.yaml").severities["MEL-001"] == "error"


def test_config_waivers_apply_to_their_files(tmp_path):
    config = load_config(
        write(
            tmp_path / ".ctreview.yaml",
            """\
waivers:
  - rule: MEL-001
    item: ind-1
    file: calls/*.yaml
    justification: Baseline funded by the ministry.
    accepted_by: Funder panel
    expires: 2027-12-31
  - rule: AW-001
    justification: Whole-call exception.
""",
        )
    )
    waivers = config.for_file(tmp_path / "calls" / "p.yaml").waivers
    assert [(w.rule, w.item, w.expires, w.source) for w in waivers] == [
        ("MEL-001", "ind-1", "2027-12-31", f"{_shown(tmp_path)}/.ctreview.yaml:2"),
        ("AW-001", "", "", f"{_shown(tmp_path)}/.ctreview.yaml:8"),
    ]
    assert [w.rule for w in config.for_file(tmp_path / "other.yaml").waivers] == ["AW-001"]


def _shown(path: Path) -> str:
    """How config.py names a folder in messages (relative to the working folder if inside)."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


# --- validation -----------------------------------------------------------------------------------


def test_every_problem_is_reported_with_position_and_hint(tmp_path):
    path = write(
        tmp_path / ".ctreview.yaml",
        """\
fail_onn: warning
rules:
  MEL-001: warn
max_warnings: -1
waivers:
  - rule: MEL-001
    expires: "2027-02-30"
rule_dirs:
""",
    )
    where = f"{_shown(tmp_path)}/.ctreview.yaml"
    assert problems_of(path) == [
        f"{where}:1:1: fail_onn: unknown key 'fail_onn' (did you mean 'fail_on'?); allowed "
        "keys: extends, fail_on, max_warnings, overrides, rule_dirs, rules, strict_waivers, "
        "verdict, waivers",
        f"{where}:3:12: rules.MEL-001: 'warn' is not an allowed value (did you mean 'warning'?); "
        "expected one of: error, warning, info, off",
        f"{where}:4:15: max_warnings: -1 is out of range: expected at least 0",
        f"{where}:6:5: waivers[0]: missing required key 'justification'",
        f"{where}:7:14: waivers[0].expires: '2027-02-30' is not a valid date (write it as "
        "YYYY-MM-DD)",
        f"{where}:8:1: rule_dirs: no value given: write one or remove the key",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a list\n", "1:1: expected a mapping, found a list"),
        ("rules: [MEL-001]\n", "1:8: rules: expected a mapping, found a list"),
        ("extends: 3\n", "1:10: extends: expected a preset name or a path, or a list of them"),
        (
            "overrides:\n  - files: []\n    rules: {}\n",
            "2:12: overrides[0].files: must list at least one glob pattern",
        ),
        ("fail_on: [error\n", "2:1: invalid YAML"),
    ],
)
def test_shape_errors(tmp_path, text, expected):
    (problem,) = problems_of(write(tmp_path / "c.yaml", text))
    assert expected in problem


def test_empty_config_is_allowed(tmp_path):
    config = load_config(write(tmp_path / "c.yaml", "# nothing yet\n"))
    assert config.fail_on is None and config.rules == ()


def test_unknown_rule_ids_have_a_did_you_mean(tmp_path):
    config = load_config(
        write(
            tmp_path / "c.yaml",
            """\
rules: {mel-001: error, MEL-002: info}
overrides:
  - files: ["*.yaml"]
    rules: {ZZZ-999: 'off'}
waivers:
  - {rule: AW-01, justification: x}
""",
        )
    )
    where = f"{_shown(tmp_path)}/c.yaml"
    assert config.unknown_rules(KNOWN) == [
        f"{where}:1:9: unknown rule id 'mel-001' (did you mean 'MEL-001'?); "
        "`ctreview rules` lists the rule ids",
        f"{where}:4:13: unknown rule id 'ZZZ-999'; `ctreview rules` lists the rule ids",
        f"{where}:6:12: unknown rule id 'AW-01' (did you mean 'AW-001'?); "
        "`ctreview rules` lists the rule ids",
    ]
    assert (
        load_config(write(tmp_path / "ok.yaml", "rules: {MEL-001: error}\n")).unknown_rules(KNOWN)
        == []
    )


# --- showing and publishing -----------------------------------------------------------------------


def test_resolved_yaml_lists_every_rule_with_its_effective_severity(tmp_path):
    config = load_config(
        write(
            tmp_path / ".ctreview.yaml",
            """\
extends: strict
rules: {MEL-001: error}
overrides: [{files: ["drafts/*"], rules: {AW-001: 'off'}}]
""",
        )
    )
    file_config = config.for_file(tmp_path / "drafts" / "p.yaml")
    text = resolved_yaml("drafts/p.yaml", file_config, dict.fromkeys(sorted(KNOWN), "warning"))
    shown = YAML(typ="safe").load(text)
    assert shown["rules"] == {
        **strict_severities(), "AW-001": "off", "MEL-001": "error", "MEL-002": "warning"
    }
    assert (shown["fail_on"], shown["strict_waivers"], shown["max_warnings"]) == (
        "warning",
        True,
        None,
    )
    assert shown["sources"][:2] == ["<preset recommended>", "<preset strict>"]
    assert text == resolved_yaml(
        "drafts/p.yaml", file_config, dict.fromkeys(sorted(KNOWN), "warning")
    )


def test_published_schema_is_current():
    committed = (DOCS / "config.schema.json").read_text(encoding="utf-8")
    assert committed == config_schema_json(), (
        "docs/config.schema.json is out of date: run "
        "`ctreview config --schema > docs/config.schema.json`"
    )
    assert json.loads(committed)["$id"] == "urn:ctreview:schema:config:v1"


def test_a_glob_that_cannot_compile_is_a_located_error(tmp_path):
    text = "overrides:\n  - files: ['ok/*', 'p[z-a].yaml']\n    rules: {}\n"
    (problem,) = problems_of(write(tmp_path / "c.yaml", text))
    assert problem.endswith(
        ":2:21: overrides[0].files[1]: invalid glob 'p[z-a].yaml'; use * ** ? and [abc] or [a-z]"
    )


def test_verdict_thresholds_merge_per_key_and_show_in_the_resolved_configuration(tmp_path):
    write(tmp_path / "base.yaml", "verdict:\n  completeness: {not_ready_at: 10}\n")
    config = load_config(
        write(
            tmp_path / ".ctreview.yaml",
            "extends: base.yaml\nverdict:\n  completeness: {revise_at: 3}\n"
            "  soundness: {revise_at: null}\n",
        )
    )
    thresholds = config.for_file(tmp_path / "p.yaml").verdict
    assert (thresholds.completeness.revise_at, thresholds.completeness.not_ready_at) == (3, 10)
    assert (thresholds.soundness.revise_at, thresholds.soundness.not_ready_at) == (None, None)
    shown = YAML(typ="safe").load(resolved_yaml("p.yaml", config.for_file(tmp_path / "p.yaml"), {}))
    assert shown["verdict"] == {
        "soundness": {"revise_at": None, "not_ready_at": None},
        "completeness": {"revise_at": 3, "not_ready_at": 10},
    }
    default = load_config(write(tmp_path / "d" / ".ctreview.yaml", "fail_on: error\n"))
    shown = YAML(typ="safe").load(resolved_yaml("p.yaml", default.for_file(tmp_path / "p"), {}))
    assert shown["verdict"]["soundness"] == {"revise_at": 1, "not_ready_at": None}


def test_verdict_thresholds_that_cannot_be_meant_are_located_errors(tmp_path):
    swapped = "verdict:\n  soundness: {revise_at: 5, not_ready_at: 2}\n"
    (problem,) = problems_of(write(tmp_path / "a.yaml", swapped))
    assert problem.endswith(
        ":2:43: verdict.soundness.not_ready_at: 2 is below revise_at (5); not ready needs at "
        "least as many gaps as revise"
    )
    (problem,) = problems_of(write(tmp_path / "b.yaml", "verdict:\n  complete: {}\n"))
    assert "unknown key 'complete' (did you mean 'completeness'?)" in problem
    (problem,) = problems_of(
        write(tmp_path / "c.yaml", "verdict:\n  completeness: {revise_at: 0}\n")
    )
    assert problem.endswith(
        ":2:29: verdict.completeness.revise_at: 0 is out of range: expected at least 1"
    )
