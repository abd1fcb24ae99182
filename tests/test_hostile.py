"""Hostile input through the command line: crafted or broken files, rule packs, configurations
and baselines end in bounded time and memory with a clear message and exit code 2.

tests/test_loader.py covers the loader's own guards; these tests prove that each one reaches
the user as `ctreview check` shows it, that the other files a run reads are as well guarded,
and (with a child process) that no traceback reaches a terminal. A UTF-8 BOM and CRLF line
ends are not hostile: such a file is reviewed exactly like the plain one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import threading
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from robustness_helpers import SAMPLES, TODAY, check, invoke, one_reviewer, run_ctreview

from reviewer import config as configuration

pytestmark = pytest.mark.usefixtures(one_reviewer.__name__)

SAMPLE = next(p for p in SAMPLES if p.name == "livelihoods-np.yaml")
MB = 1024 * 1024


class _Hung(BaseException):
    """Raised by the alarm; a BaseException, so no `except Exception` on the way can hide it."""


@contextmanager
def bounded(seconds: float, megabytes: float | None = None) -> Iterator[None]:
    """Fail, rather than hang, unless the block ends within `seconds` and (when `megabytes` is
    given) its Python allocations peak below it (tracemalloc, which slows parsing down)."""

    def interrupt(signum: int, frame: object) -> None:
        raise _Hung(f"still running after {seconds} s: blocked or too slow")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    if megabytes:
        tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if megabytes:
        assert peak < megabytes * MB, f"peaked at {peak / MB:.0f} MB (limit {megabytes} MB)"


@pytest.fixture(scope="module", autouse=True)
def rules_built(one_reviewer: None) -> None:
    """Build the bundled catalogue once, so the measures below see only the input's cost."""
    check(SAMPLE)


def refused(path: Path, *words: str, seconds: float = 10, megabytes: float | None = None) -> str:
    """Check a file that cannot be reviewed: exit 2, one clear error naming it; its stderr."""
    with bounded(seconds, megabytes):
        result = invoke("check", "--no-config", path)
    assert result.exit_code == 2
    assert "No findings" not in result.stdout, "a refused file must not read as a pass"
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors and all(str(path) in line for line in errors), result.stderr
    for word in words:
        assert word in result.stderr
    assert max(map(len, result.stderr.splitlines())) < 1500, "each line should be short"
    return result.stderr


def write(tmp_path: Path, content: str | bytes, name: str = "proposal.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def sample_with(old: str, new: str) -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


# --- oversized, deep and self-multiplying documents ---------------------------------------------


def test_alias_expansion_bomb_is_refused_at_the_first_alias(tmp_path: Path) -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        previous, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    path = write(tmp_path, "ctreview: proposal/v1\n" + "\n".join(lines) + "\n")
    refused(path, "aliases are not supported", seconds=5, megabytes=20)


def test_a_50_mb_file_is_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as stream:
        stream.write(b"ctreview: proposal/v1\ntitle: ")
        stream.write(b"x" * (50 * MB))
    refused(path, "larger than the limit", seconds=5, megabytes=5)


@pytest.mark.parametrize(
    "content",
    [
        "title: " + "[" * 10_000,
        "".join(f"{'  ' * level}k{level}:\n" for level in range(200)) + "  " * 200 + "v: 1\n",
        "- " * 5_000 + "1\n",
    ],
    ids=["flow-brackets", "indented-mappings", "block-lists"],
)
def test_deep_nesting_is_refused(tmp_path: Path, content: str) -> None:
    refused(write(tmp_path, content), "nested more than", seconds=10)


def test_a_million_item_list_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "ctreview: proposal/v1\nsectors: [" + "1," * 1_000_000 + "1]\n")
    refused(path, "larger than the limit", seconds=5, megabytes=10)


def test_a_list_of_a_hundred_thousand_items_within_the_size_limit_is_refused(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "ctreview: proposal/v1\nsectors: [" + "1," * 100_000 + "1]\n")
    refused(path, "more than 20,000 values", seconds=10)


def test_a_megabyte_title_is_reviewed_in_bounded_time(tmp_path: Path) -> None:
    title = "Livelihoods " + "x" * MB
    path = write(tmp_path, sample_with('title: "Ghar Mai', f'title: "{title} Ghar Mai'))
    with bounded(seconds=20):
        result = check(path, "--format", "json")
    assert result.exit_code in (0, 1)
    (proposal,) = json.loads(result.stdout)["proposals"]
    assert proposal["proposal"]["title"].startswith(title)
    assert proposal["findings"], "the proposal is still reviewed"


def test_huge_keys_and_values_give_short_messages(tmp_path: Path) -> None:
    """A key, a vocabulary value, an id and a reference of 450 kB each (the file stays under
    the size limit): every problem is reported, quoting only the start and end of each."""
    text = SAMPLE.read_text(encoding="utf-8")
    for old, new in (
        ("organisation:", "? KEY{big}\n: 1\norganisation:"),
        ("currency: GBP", "currency: CUR{big}"),
        ("id: p-india", "id: ID{big}"),
        ("components: [c-microcredit]", "components: [REF{big}]"),
    ):
        assert old in text
        text = text.replace(old, new.format(big="k" * 450_000), 1)
    stderr = refused(write(tmp_path, text), seconds=20)
    for start in ("KEYkkkk", "'CURkkkk", "'IDkkkk", "'REFkkkk"):
        assert any(start in line and "kkkk ... kkkk" in line for line in stderr.splitlines())
    assert max(len(line) for line in stderr.splitlines()) < 1500


@pytest.mark.parametrize(
    "number", [".inf", "-.inf", ".nan", "1e400", "1e308", "100000000000000000000000000000"]
)
def test_numbers_beyond_any_budget_are_refused(tmp_path: Path, number: str) -> None:
    """`.inf` and `1e400` are valid YAML numbers; sums of them once crashed the rule engine."""
    path = write(tmp_path, sample_with("amount: 240000", f"amount: {number}"))
    refused(path, "budget_lines[0].amount", "is not a usable number")


def test_an_integer_of_thousands_of_digits_is_refused_at_its_place(tmp_path: Path) -> None:
    text = sample_with("amount: 240000", "amount: " + "9" * 5000)
    line = text[: text.index("amount: 999")].count("\n") + 1
    stderr = refused(write(tmp_path, text), "has 5,000 characters")
    assert f"proposal.yaml:{line}:" in stderr


# --- bytes that are not clean text --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"\x00", ("NUL byte",)),
        (b"\x1b[31m", ("control character (U+001B)",)),
        ("\u009b".encode(), ("control character (U+009B)",)),
        (b"\x07", ("control character (U+0007)",)),
        (b"\xff\xfe", ("not valid UTF-8",)),
    ],
    ids=["nul", "escape", "c1-csi", "bell", "invalid-utf8"],
)
def test_control_characters_and_binary_are_refused_with_a_position(
    tmp_path: Path, raw: bytes, words: tuple[str, ...]
) -> None:
    content = SAMPLE.read_bytes().replace(b"Ghar Mai", b"Ghar" + raw + b" Mai", 1)
    stderr = refused(write(tmp_path, content), *words)
    assert f"{tmp_path / 'proposal.yaml'}:8:" in stderr, "points at the line of the title"


def _findings(result_stdout: str) -> list[tuple]:
    (proposal,) = json.loads(result_stdout)["proposals"]
    return [
        (f["rule"], f["entity"], f["item"], f["location"]["line"], f["location"]["column"])
        for f in proposal["findings"]
    ]


@pytest.mark.parametrize("variant", ["bom", "crlf", "bom+crlf"])
def test_bom_and_crlf_files_are_reviewed_like_the_plain_file(tmp_path: Path, variant: str) -> None:
    compared = 0
    for sample in SAMPLES[::3]:
        raw = sample.read_bytes()
        if "crlf" in variant:
            raw = raw.replace(b"\n", b"\r\n")
        if "bom" in variant:
            raw = b"\xef\xbb\xbf" + raw
        plain = check(sample, "--format", "json")
        other = check(write(tmp_path, raw, sample.name), "--format", "json")
        assert other.exit_code == plain.exit_code, sample.name
        assert _findings(other.stdout) == _findings(plain.stdout), sample.name
        compared += len(_findings(plain.stdout))
    assert compared, "the samples have findings to compare"


# --- things that are not files -------------------------------------------------------------------


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "proposal.yaml"
    os.mkfifo(fifo)
    refused(fifo, "not a regular file", seconds=5)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_is_refused_without_reading_it(tmp_path: Path) -> None:
    link = tmp_path / "proposal.yaml"
    link.symlink_to("/dev/zero")
    refused(link, "not a regular file", seconds=5, megabytes=5)
    result = invoke("check", "--no-config", "/dev/zero")
    assert result.exit_code == 2 and "not a regular file" in result.stderr


def test_a_directory_without_proposals_is_refused(tmp_path: Path) -> None:
    """A folder is searched for proposals (see test_cli_inputs.py); finding none is an error."""
    (tmp_path / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    result = invoke("check", "--no-config", tmp_path)
    assert result.exit_code == 2 and "No findings" not in result.stdout
    assert "no proposal found" in result.stderr and "skipped 1 file" in result.stderr


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    refused(tmp_path / "nowhere.yaml", "no such file")


# --- rule packs, configurations and baselines ----------------------------------------------------

_RULE = """\
rules:
  - id: XYZ-001
    title: A test rule
    severity: warning
    applies_to: programme
    when: {field: title, exists: true}
    message: The programme has a title.
    rationale: Testing.
    icat: [ICAT-1.L1]
    kind: presence
"""


# Each file of this pack is broken in its own way (file name: content, what the error says).
_BROKEN_PACK = {
    "bad-yaml": ("rules: [\n", "invalid YAML"),
    "not-a-mapping": ("- just a list\n", "a rule file is a mapping"),
    "unknown-top-key": (_RULE + "extra: 1\n", "unknown top-level key 'extra'"),
    "unknown-rule-key": (
        _RULE.replace("id: XYZ-001", "id: XYZ-002\n    colour: red"),
        "unknown key 'colour'",
    ),
    "bad-operator": (
        _RULE.replace("XYZ-001", "XYZ-003").replace("exists: true", "frobnicate: 3"),
        "unknown operator 'frobnicate'",
    ),
    "unknown-field": (
        _RULE.replace("XYZ-001", "XYZ-004").replace("field: title", "field: no_such_field"),
        "no_such_field",
    ),
    "unknown-icat-ref": (
        _RULE.replace("XYZ-001", "XYZ-005").replace("ICAT-1.L1", "ICAT-99.L7"),
        "unknown reference 'ICAT-99.L7'",
    ),
    "bad-placeholder": (
        _RULE.replace("XYZ-001", "XYZ-006").replace("a title.", "a title {label.__class__}."),
        "unknown placeholder {label.__class__}",
    ),
    "alias": ("rules:\n  - &r {id: XYZ-007}\n  - *r\n", "aliases are not supported"),
    "huge-format": (  # would build a 300 MB string for every finding
        _RULE.replace("XYZ-001", "XYZ-009").replace("a title.", "a title {label:>300000000}."),
        "placeholder {label} takes no format",
    ),
    "positional": (  # an internal error (IndexError) once every finding was rendered
        _RULE.replace("XYZ-001", "XYZ-010").replace("a title.", "a title {}."),
        "unknown placeholder {}",
    ),
}


def test_a_malformed_rule_pack_is_refused_with_every_problem(tmp_path: Path) -> None:
    pack = tmp_path / "rules"
    pack.mkdir()
    for name, (content, _) in _BROKEN_PACK.items():
        (pack / f"{name}.yaml").write_text(content, encoding="utf-8")
    for twin in ("twin-a", "twin-b"):
        (pack / f"{twin}.yaml").write_text(_RULE.replace("XYZ-001", "XYZ-008"), encoding="utf-8")
    with bounded(seconds=15):
        result = invoke("check", "--no-config", "--rules", pack, SAMPLE)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: cannot load the rules:")
    lines = result.stderr.splitlines()
    for name, (_, words) in _BROKEN_PACK.items():
        mine = [line for line in lines if line.startswith(f"{pack / name}.yaml:")]
        assert mine and any(words in line for line in mine), f"{name}: {result.stderr}"
    assert any(
        line.startswith(f"{pack / 'twin-b.yaml'}:")
        and "duplicate rule id" in line
        and "twin-a" in line
        for line in lines
    )


def test_a_good_rule_pack_is_used(tmp_path: Path) -> None:
    """The control for the test above: a well-formed pack adds its finding."""
    pack = tmp_path / "rules"
    pack.mkdir()
    (pack / "mine.yaml").write_text(_RULE, encoding="utf-8")
    result = invoke("check", "--no-config", "--rules", pack, SAMPLE)
    assert result.exit_code in (0, 1) and "XYZ-001" in result.stdout


def test_rule_pack_files_that_are_not_plain_files_are_refused(tmp_path: Path) -> None:
    """A checked-out repository can hold a symlink named like a rule file; reading it must not
    block (a FIFO), never end (/dev/zero) or fill memory."""
    pack = tmp_path / "rules"
    pack.mkdir()
    os.mkfifo(pack / "fifo.yaml")
    (pack / "dev-zero.yaml").symlink_to("/dev/zero")
    (pack / "dangling.yaml").symlink_to(tmp_path / "nowhere")
    (pack / "directory.yaml").mkdir()
    (pack / "huge.yaml").write_bytes(b"rules: []\n" + b"#" * (3 * MB))
    with bounded(seconds=10, megabytes=50):
        result = invoke("check", "--no-config", "--rules", pack, SAMPLE)
    assert result.exit_code == 2 and "cannot load the rules" in result.stderr
    for name in ("fifo", "dev-zero", "dangling", "directory", "huge"):
        assert f"{pack / name}.yaml: " in result.stderr


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("fail_on: [\n", ("invalid YAML",)),
        ("fial_on: error\n", ("fial_on", "fail_on")),
        ("fail_on: sometimes\n", ("sometimes",)),
        ("max_warnings: many\n", ("max_warnings",)),
        ("rules: {NOPE-001: error}\n", ("NOPE-001",)),
        ("extends: [no-such-preset]\n", ("no-such-preset",)),
        ("extends: [./.ctreview.yaml]\n", ("cycle",)),
        ("a: &x 1\nb: *x\n", ("aliases are not supported",)),
        ("- a list\n", ()),
    ],
    ids=[
        "bad-yaml",
        "misspelt-key",
        "bad-value",
        "wrong-type",
        "unknown-rule",
        "unknown-preset",
        "cycle",
        "alias",
        "not-a-mapping",
    ],
)
def test_a_malformed_configuration_is_refused(tmp_path: Path, content: str, words: tuple) -> None:
    config = tmp_path / ".ctreview.yaml"
    config.write_text(content, encoding="utf-8")
    result = invoke("check", "--config", config, "--today", TODAY, SAMPLE)
    assert result.exit_code == 2
    assert "invalid configuration" in result.stderr and ".ctreview.yaml" in result.stderr
    for word in words:
        assert word in result.stderr


def test_pathological_globs_in_a_configuration_match_in_bounded_time(tmp_path: Path) -> None:
    """A backtracking regex takes hours on these against a deep path; a pull request can
    change both the configuration and the file names CI reviews."""
    deep = tmp_path.joinpath(*["a"] * 30)
    deep.mkdir(parents=True)
    proposal = deep / ("a" * 200 + ".yaml")
    shutil.copy(SAMPLE, proposal)
    globs = ["**/" * 500 + "x.yaml", "*a" * 60 + "*b", "**a" * 40 + "/b"]
    config = tmp_path / ".ctreview.yaml"
    config.write_text(
        json.dumps({"overrides": [{"files": globs, "rules": {"LIV-001": "off"}}]}),
        encoding="utf-8",
    )
    with bounded(seconds=10):
        result = invoke("check", "--config", config, "--today", TODAY, proposal)
    assert result.exit_code in (0, 1), result.stderr
    assert "LIV-001" in result.stdout, "no glob matched, so the rule stays on"


_GLOB_PARTS = st.lists(st.sampled_from(["a", "b", ".", "/", "*", "**", "**/", "?", "[ab]", "[!a]"]))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(pattern=_GLOB_PARTS.map("".join), path=st.text("ab/.", max_size=10))
def test_glob_matching_agrees_with_the_glob_regex(pattern: str, path: str) -> None:
    """The linear-time matcher means what the documented regex translation means."""
    expected = configuration._glob_regex(pattern).fullmatch(path) is not None
    assert configuration._run_glob(configuration._glob_tokens(pattern), path) is expected


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_configuration_that_is_not_a_plain_file_is_refused(tmp_path: Path, kind: str) -> None:
    config = tmp_path / ".ctreview.yaml"
    os.mkfifo(config) if kind == "fifo" else config.symlink_to("/dev/zero")
    with bounded(seconds=5, megabytes=20):
        result = invoke("check", "--config", config, SAMPLE)
    assert result.exit_code == 2 and "not a regular file" in result.stderr


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge", "binary"])
def test_a_baseline_that_is_not_a_usable_file_is_refused(tmp_path: Path, kind: str) -> None:
    """A baseline named in CI can be a symlink committed to the repository."""
    baseline = tmp_path / "baseline.json"
    if kind == "fifo":
        os.mkfifo(baseline)
    elif kind == "dev-zero":
        baseline.symlink_to("/dev/zero")
    elif kind == "huge":
        with baseline.open("wb") as stream:
            stream.truncate(60 * MB)  # sparse: no disk used
    else:
        baseline.write_bytes(b'{"version": 1, "findings": []}\xff')
    with bounded(seconds=5, megabytes=60):  # a read buffer as large as the limit, at most
        result = check(SAMPLE, "--baseline", str(baseline))
    assert result.exit_code == 2
    assert f"{baseline}: cannot read the baseline" in result.stderr


# --- where reports go ----------------------------------------------------------------------------


def test_a_report_into_a_fifo_is_written_into_it(tmp_path: Path) -> None:
    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = check(SAMPLE, "--output", f"json={fifo}")
    reader.join(timeout=10)
    assert result.exit_code in (0, 1)
    assert stat.S_ISFIFO(fifo.stat().st_mode), "the FIFO was replaced by a file"
    assert json.loads(received[0])["proposals"]


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a device node needs root")
def test_a_report_to_a_device_never_replaces_the_device(tmp_path: Path) -> None:
    """As root (CI containers), renaming a temporary file over /dev/null would replace it."""
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    try:
        null.open("a").close()
    except OSError:
        pytest.skip("device nodes cannot be opened here (a nodev mount)")
    result = check(SAMPLE, "--output", f"sarif={null}")
    assert result.exit_code in (0, 1)
    assert stat.S_ISCHR(null.stat().st_mode)
    assert not [p for p in tmp_path.iterdir() if p != null], "no temporary file left behind"


def test_a_report_over_an_input_is_refused(tmp_path: Path) -> None:
    proposal = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, proposal)
    result = check(proposal, "--output", f"json={tmp_path / '.' / proposal.name}")
    assert result.exit_code == 2 and "refusing to write a report over an input" in result.stderr


# --- what a terminal sees ------------------------------------------------------------------------


def test_no_traceback_reaches_the_terminal(tmp_path: Path) -> None:
    """The console script, as a user or CI runs it, on three hostile inputs at once."""
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    bomb = write(tmp_path, "a: &a [1, 1]\nb: [*a, *a]\n", "bomb.yaml")
    pack = tmp_path / "rules"
    pack.mkdir()
    (pack / "bad.yaml").write_text("rules: [\n", encoding="utf-8")
    for args in (
        ["check", "--no-config", fifo, bomb, SAMPLE],
        ["check", "--no-config", "--rules", pack, SAMPLE],
        ["check", "--no-config", SAMPLE, "--output", f"json={SAMPLE}"],
    ):
        done = run_ctreview(args, timeout=60)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        assert "internal error" not in done.stderr
        assert done.stderr.strip()


def test_a_report_to_dev_stdout_follows_the_text_report() -> None:
    done = run_ctreview(["check", "--no-config", SAMPLE, "--output", "json=/dev/stdout"])
    assert done.returncode in (0, 1), done.stderr
    text, _, rest = done.stdout.partition("\n{")
    assert "findings" in text and json.loads("{" + rest)["proposals"]


def test_screening_a_hostile_folder_reviews_the_rest(tmp_path: Path) -> None:
    """A call's folder with a FIFO, a link to /dev/zero, an alias bomb, a 50 MB file and a
    folder named like a proposal: each gets an error row, the good proposal is reviewed."""
    calls = tmp_path / "call"
    calls.mkdir()
    shutil.copy(SAMPLE, calls / "good.yaml")
    os.mkfifo(calls / "fifo.yaml")
    (calls / "zero.yaml").symlink_to("/dev/zero")
    (calls / "folder.yaml").mkdir()
    write(calls, "ctreview: proposal/v1\na: &a [1, 1]\nb: [*a, *a]\n", "bomb.yaml")
    with (calls / "huge.yaml").open("wb") as stream:
        stream.write(b"ctreview: proposal/v1\ntitle: " + b"x" * (50 * MB))
    with bounded(seconds=20, megabytes=50):
        result = invoke("screen", "--no-config", "--today", TODAY, "--jobs", "1", calls)
    assert result.exit_code == 2
    assert "good.yaml" in result.stdout and "Ghar Mai Rojgar" in result.stdout
    for name in ("fifo", "zero", "bomb", "huge"):
        assert f"{calls / name}.yaml" in result.stderr, name
