"""Nothing printed from outside text can steer a terminal or a CI runner, on any channel.

Outside text: a proposal's values, a configuration's, a rule pack's, and file names. Channels:
standard output of every command (check in every format, diff, rules, explain, config, screen)
and standard error. Each must show ANSI and OSC sequences, C1 controls, every bidirectional
control and every zero-width character as visible escapes, and no line may start a GitHub
workflow command (`::`) unless ctreview wrote it as an annotation. Markdown must not mention
anyone or link an e-mail address.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from robustness_helpers import SAMPLES, TODAY, dump_yaml, invoke, load_plain, one_reviewer

from reviewer.inert import INVISIBLE, guard_commands, inert, inert_json, one_line
from reviewer.report import FORMATS
from reviewer.report.markdown import md

pytestmark = pytest.mark.usefixtures(one_reviewer.__name__)

BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
TERMINAL = "\x1b[31mRED\x1b[0m \x1b]8;;https://evil.example\x07osc\x1b]8;;\x07 \x9b2J \x07"
COMMANDS = "\n::error file=x.yaml::injected\n  ::add-mask::secret\r\n::stop-commands::t"
MENTIONS = "ping @octocat or write to someone@example.org; see #12, octo/repo#3 and GH-4"
HOSTILE = f"{TERMINAL} {BIDI} {ZERO_WIDTH} {COMMANDS} {MENTIONS}"
# A file name carries all of it but the line breaks and slashes.
HOSTILE_NAME = f"{TERMINAL}{BIDI}{ZERO_WIDTH}\n::error::x @octocat.yaml".replace("/", "")
SAMPLE = next(p for p in SAMPLES if p.name == "livelihoods-np.yaml")
# Our own annotations: `::command` then properties, which never hold a raw colon, then `::`.
ANNOTATION = re.compile(r"::(error|warning|notice) [^:\n]*::[^\n]*\Z")


def assert_no_mention(markdown: str) -> None:
    """Every `@` outside a code span is followed by a zero-width space (as an entity), and so
    is every `#` or `GH` that would make a reference to an issue."""
    text = re.sub(r"`[^`\n]*`", "", markdown)
    assert not re.search(r"@(?!&#8203;)", text), "a live @ remains"
    assert not re.search(r"(?<!&)#\d|\bGH-\d", text), "a live reference to an issue remains"


def assert_inert(output: str, *, annotations: bool = False) -> None:
    """No invisible or controlling character but the line break, no workflow command."""
    for char in set(INVISIBLE.findall(output)) - {"\n"}:
        pytest.fail(f"U+{ord(char):04X} reached the output: {output[:300]!r}")
    for line in output.splitlines():
        if line.lstrip().startswith("::"):
            assert annotations and ANNOTATION.match(line), f"workflow command: {line!r}"


def _hostile_proposal(folder: Path, name: str = "hostile.yaml") -> Path:
    data = load_plain(SAMPLE)
    data["title"] = "TITLE " + HOSTILE
    data["organisation"] = "ORG " + HOSTILE
    for component in data["components"]:
        component["title"] = "COMPONENT " + HOSTILE
    folder.mkdir(parents=True, exist_ok=True)
    return dump_yaml(data, folder / name)


def test_the_escaped_characters_are_every_control_format_and_separator_character() -> None:
    """INVISIBLE is written out for speed; it must hold every character of the categories
    Cc, Cf, Cs, Zl and Zp of this Python's Unicode database (and only unassigned ones more)."""
    kinds = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    for code in range(0x110000):
        char = chr(code)
        kind = unicodedata.category(char)
        matched = INVISIBLE.fullmatch(char) is not None
        assert matched == (kind in kinds) or (matched and kind == "Cn"), f"U+{code:04X} {kind}"


def test_inert_text_keeps_what_it_was_as_visible_escapes() -> None:
    assert inert("a\x1b[2Jb\u202ec\u200bd\U000e0041") == "a\\x1b[2Jb\\u202ec\\u200bd\\U000e0041"
    assert one_line("a\n::error::x\tb") == "a ::error::x b"
    assert inert("\ud83d lone") == "\\ud83d lone"
    assert inert("plain text, émigré, 日本") == "plain text, émigré, 日本"


def test_one_line_of_printable_text_needs_no_escaping() -> None:
    """`one_line` only tidies the spaces of printable text: no printable character is one
    `inert` escapes or a line break, and the result is what the full substitutions give."""
    from reviewer.inert import _LINE_BREAKS, _SPACES

    for code in range(0x110000):
        char = chr(code)
        if char.isprintable():
            assert not INVISIBLE.match(char) and not _LINE_BREAKS.match(char), f"U+{code:04X}"
    for text in ("  a  b ", "émigré  日本 ", "a\u00a0 b", "x\ty", "\u202e a  b\n", "", " "):
        reference = inert(_SPACES.sub(" ", _LINE_BREAKS.sub(" ", text).strip()))
        assert one_line(text) == reference, repr(text)


def test_json_keeps_the_data_and_shows_only_visible_characters() -> None:
    import json

    value = f"{BIDI}{ZERO_WIDTH}\x9b\U000e0041 text"
    text = inert_json(json.dumps({"v": value}, ensure_ascii=False))
    assert not INVISIBLE.search(text) and json.loads(text) == {"v": value}


def test_a_line_never_starts_a_workflow_command() -> None:
    guarded = guard_commands("a\n::error::x\n   ::warning::y\nb :: c")
    assert guarded == "a\n\\x3a:error::x\n   \\x3a:warning::y\nb :: c"


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_output_and_errors_in_every_format(fmt: str, tmp_path: Path) -> None:
    proposal = _hostile_proposal(tmp_path / HOSTILE_NAME)
    missing = tmp_path / f"missing {HOSTILE_NAME}"
    result = invoke("check", "--no-config", "--today", TODAY, proposal, missing, "-f", fmt)
    assert result.exit_code == 2
    assert "TITLE" in result.stdout
    assert_inert(result.stdout, annotations=fmt == "github")
    assert_inert(result.stderr)
    assert "error: " in result.stderr and "\\u202e" in result.stderr


def test_github_annotations_cannot_be_forged_by_text(tmp_path: Path) -> None:
    """Each annotation line is one ctreview wrote: one per finding, none from the text."""
    proposal = _hostile_proposal(tmp_path)
    result = invoke("check", "--no-config", "--today", TODAY, proposal, "-f", "github")
    json_result = invoke("check", "--no-config", "--today", TODAY, proposal, "-f", "json")
    import json

    findings = sum(len(p["findings"]) for p in json.loads(json_result.stdout)["proposals"])
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == findings
    assert all(ANNOTATION.match(line) for line in annotations)


def test_markdown_mentions_nobody_and_links_no_address(tmp_path: Path) -> None:
    assert md("@octocat a@b.org") == "@&#8203;octocat a@&#8203;b.org"
    assert md("see #12, o/r#3, GH-4") == r"see \#&#8203;12, o/r\#&#8203;3, GH&#8203;-4"
    proposal = _hostile_proposal(tmp_path)
    output = invoke("check", "--no-config", "--today", TODAY, proposal, "-f", "markdown").stdout
    assert "octocat" in output
    assert_no_mention(output)


def test_diff_text_and_markdown(tmp_path: Path) -> None:
    old = _hostile_proposal(tmp_path / "old")
    new = _hostile_proposal(tmp_path / "new", HOSTILE_NAME)
    for fmt in ("text", "markdown"):
        result = invoke("diff", "--no-config", "--today", TODAY, old, new, "-f", fmt)
        assert result.exit_code in (0, 1), result.output
        assert_inert(result.stdout)
        assert_inert(result.stderr)
        if fmt == "markdown":
            assert_no_mention(result.stdout)


HOSTILE_PACK = """\
rules:
  - id: FUN-001
    title: "Title {h}"
    severity: warning
    applies_to: programme
    when: {{field: summary, missing: true}}
    message: "Programme '{{label}}' has no summary {h}."
    rationale: "Rationale {h}"
    icat: [ICAT-1.Q1]
    questions: [ICAT-1.Q2]
    kind: presence
    fix: "Fix {h}"
    examples:
      fail:
        - {{title: "Example {h}"}}
      pass:
        - {{summary: "A summary {h}"}}
"""


def _hostile_pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir()
    escaped = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    (folder / "funder.yaml").write_text(HOSTILE_PACK.format(h=escaped), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "command",
    [("rules",), ("explain", "FUN-001"), ("explain", "FUN-001", "-f", "markdown"), ("test-rules",)],
)
def test_rules_and_explain_show_a_rule_pack_inertly(command, tmp_path: Path) -> None:
    pack = _hostile_pack(tmp_path)
    result = (
        invoke(*command, pack) if command == ("test-rules",) else invoke(*command, "--rules", pack)
    )
    assert result.exit_code == 0, result.output
    if command != ("test-rules",):
        assert "Title" in result.stdout and "\\u202e" in result.stdout
    assert_inert(result.stdout)
    assert_inert(result.stderr)


def test_config_show_and_config_errors(tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    folder.mkdir()
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in HOSTILE)
    (folder / ".ctreview.yaml").write_text(
        f'waivers:\n  - {{rule: GEN-001, justification: "{escaped}", accepted_by: "{escaped}"}}\n',
        encoding="utf-8",
    )
    shown = invoke("config", "--show", folder / HOSTILE_NAME)
    assert shown.exit_code == 0, shown.output
    assert "justification" in shown.stdout
    assert_inert(shown.stdout)
    (folder / ".ctreview.yaml").write_text(f'rules: {{"{escaped}": error}}\n', encoding="utf-8")
    broken = invoke("check", folder / "p.yaml")
    assert broken.exit_code == 2 and "unknown rule id" in broken.stderr
    assert_inert(broken.stderr)


def test_screen_table_and_error_rows(tmp_path: Path) -> None:
    folder = tmp_path / "calls"
    _hostile_proposal(folder, HOSTILE_NAME)
    (folder / f"broken {HOSTILE_NAME}").write_text("ctreview: [\n", encoding="utf-8")
    result = invoke("screen", "--no-config", "--today", TODAY, "--jobs", "1", folder)
    assert result.exit_code == 2
    assert "TITLE" in result.stdout and "error: " in result.stderr
    assert_inert(result.stdout)
    assert_inert(result.stderr)


def test_click_usage_errors_quote_the_command_line_inertly() -> None:
    result = invoke("check", "--fail-on", HOSTILE, "x.yaml")
    assert result.exit_code == 2
    assert_inert(result.stderr)
    result = invoke(f"no-such-command{BIDI}\n::error::x")
    assert result.exit_code == 2
    assert_inert(result.stderr)


def test_init_says_what_it_wrote_inertly(tmp_path: Path) -> None:
    result = invoke("init", tmp_path / HOSTILE_NAME)
    assert result.exit_code == 0, result.output
    assert "wrote " in result.stdout and "note: the proposal id is" in result.stderr
    assert_inert(result.stdout)
    assert_inert(result.stderr)
