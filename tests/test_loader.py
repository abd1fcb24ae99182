"""The loader turns every unusable or hostile input into an InputError, fast, without writing."""

from __future__ import annotations

import codecs
import os
import signal
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from reviewer import loader
from reviewer.loader import (
    MAX_DEPTH,
    MAX_NODES,
    Document,
    InputError,
    Location,
    format_yaml_path,
    load_document,
    load_text,
    require_mapping,
)

# Generous for a slow CI core; the hostile inputs below take well under a second here.
HOSTILE_SECONDS = 4


class _TooSlow(BaseException):
    """A BaseException so that the loader's own error handling cannot swallow it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail (rather than hang) if the block runs longer than `seconds`."""

    def interrupt(signum: int, frame: object) -> None:
        raise _TooSlow(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def write(tmp_path: Path, content: str | bytes, name: str = "proposal.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def refused(path: Path | str, **options: int) -> InputError:
    """Load `path`, expect an InputError naming it, and check the file was left untouched."""
    before = Path(path).read_bytes() if Path(path).is_file() else None
    with time_limit(HOSTILE_SECONDS), pytest.raises(InputError) as caught:
        load_document(path, **options)
    if before is not None:
        assert Path(path).read_bytes() == before
    error = caught.value
    assert str(error).startswith(f"{path}:")
    assert error.path == str(path)
    assert error.message and error.hint
    return error


def refused_text(tmp_path: Path, content: str | bytes) -> InputError:
    return refused(write(tmp_path, content))


# --- the happy path ---------------------------------------------------------------------------

PROPOSAL = """\
# A small proposal
programme:
  title: Safe migration
  components:
    - id: aw-1
      awareness:
        desired_action: call the hotline
    - id: pr-1
      tags: [police, courts]
"""


def test_loads_a_proposal_as_a_round_trip_tree(tmp_path: Path) -> None:
    path = write(tmp_path, PROPOSAL)
    doc = load_document(path)
    assert doc.path == str(path)
    assert doc.text == PROPOSAL
    assert doc.data["programme"]["components"][0]["awareness"]["desired_action"] == (
        "call the hotline"
    )
    assert path.read_text(encoding="utf-8") == PROPOSAL


def test_accepts_pathlike_and_keeps_the_path_as_given(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\n")
    assert load_document(path).path == str(path)
    assert load_document(str(path)).path == str(path)


def test_accepts_a_utf8_bom_and_strips_it(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, b"\xef\xbb\xbfa: 1\nb: 2\n"))
    assert not doc.text.startswith("\ufeff")
    assert doc.data == {"a": 1, "b": 2}
    assert doc.key_location(["a"]) == Location(1, 1)


def test_accepts_crlf_line_endings_with_correct_lines(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, b"a: one\r\nb:\r\n  c: two\r\n"))
    assert doc.data == {"a": "one", "b": {"c": "two"}}
    assert doc.location(["b", "c"]) == Location(3, 6)


# --- the path -------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    error = refused(tmp_path / "nope.yaml")
    assert "no such file" in error.message
    assert error.line is None


def test_missing_parent_directory(tmp_path: Path) -> None:
    error = refused(write(tmp_path, "a: 1\n") / "inside.yaml")
    assert "no such file" in error.message


def test_directory(tmp_path: Path) -> None:
    assert "directory" in refused(tmp_path).message


def test_path_with_a_nul_character() -> None:
    with pytest.raises(InputError, match="cannot be read"):
        load_document("bad\x00name.yaml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\n")
    path.chmod(0)
    try:
        assert "permission denied" in refused(path).message
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_permission_denied_on_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same refusal where the test runs as root, which chmod cannot stop."""
    path = write(tmp_path, "a: 1\n")

    def deny(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "open", deny)
    assert "permission denied" in refused(path).message


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert "not a regular file" in refused(fifo).message


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_device_is_refused() -> None:
    assert "not a regular file" in refused("/dev/zero").message


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "a: " + "x" * 98)  # 101 bytes
    assert "larger than the limit of 100 bytes" in refused(path, max_bytes=100).message
    assert load_document(path, max_bytes=101).data == {"a": "x" * 98}


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs Linux /proc")
def test_size_limit_holds_when_stat_underreports() -> None:
    """/proc files stat as 0 bytes, like a file still growing: the read itself is bounded."""
    assert os.stat("/proc/self/maps").st_size == 0
    with pytest.raises(InputError, match="larger than the limit"):
        load_document("/proc/self/maps", max_bytes=16)


@pytest.mark.skipif(not os.path.exists("/proc/self/comm"), reason="needs Linux /proc")
def test_a_file_longer_than_its_stat_size_is_read_whole() -> None:
    """The loader reads the size stat gives and a byte more; past that byte it reads on."""
    assert os.stat("/proc/self/comm").st_size == 0
    with open("/proc/self/comm", encoding="utf-8") as handle:
        name = handle.read()
    assert len(name) > 1
    assert load_document("/proc/self/comm").text == name


# --- bytes and encodings --------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "# only a comment\n# and another\n", "\n  \n\n", "---\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    error = refused_text(tmp_path, content)
    assert error.message == "the file is empty"


def test_nul_bytes_give_byte_offset_and_line(tmp_path: Path) -> None:
    error = refused_text(tmp_path, b"a: 1\nb: x\x00y\n")
    assert "byte offset 9" in error.message
    assert (error.line, error.column) == (2, 5)
    assert str(error).startswith(f"{tmp_path / 'proposal.yaml'}:2:5: ")


def test_invalid_utf8_gives_byte_offset_and_line(tmp_path: Path) -> None:
    error = refused_text(tmp_path, "a: 1\nb: café\n".encode("latin-1"))
    assert "not valid UTF-8" in error.message
    assert "byte offset 11" in error.message
    assert (error.line, error.column) == (2, 7)


def test_invalid_utf8_column_counts_characters(tmp_path: Path) -> None:
    error = refused_text(tmp_path, "é: ".encode() + b"\xff\n")
    assert "byte offset 4" in error.message
    assert (error.line, error.column) == (1, 4)


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_utf16_and_utf32_are_refused_with_advice(tmp_path: Path, bom: bytes, encoding: str) -> None:
    error = refused_text(tmp_path, bom + "a: 1\n".encode(encoding))
    assert encoding[:6].upper() in error.message
    assert "UTF-8" in error.hint


# --- YAML problems --------------------------------------------------------------------------------


def test_invalid_yaml_gives_line_column_and_no_internals(tmp_path: Path) -> None:
    error = refused_text(tmp_path, "a: 1\nb: [1, 2\nc: 3\n")
    assert error.message.startswith("invalid YAML")
    assert error.line == 3
    text = str(error)
    assert "\n" not in text
    assert "Traceback" not in text and "ruamel" not in text and "yaml.dev" not in text


def test_tab_indentation_is_explained(tmp_path: Path) -> None:
    error = refused_text(tmp_path, "a:\n  b: 1\n\tc: 2\n")
    assert "tab" in error.message
    assert "spaces" in error.hint
    assert (error.line, error.column) == (3, 1)


def test_duplicate_keys_report_both_lines(tmp_path: Path) -> None:
    error = refused_text(tmp_path, "a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n")
    assert 'duplicate key "c"' in error.message
    assert "line 3" in error.message and "line 5" in error.message
    assert error.line == 5


def test_multiple_documents_are_refused(tmp_path: Path) -> None:
    error = refused_text(tmp_path, "a: 1\n---\nb: 2\n")
    assert "one proposal per file" in error.hint
    assert error.line == 2


@pytest.mark.parametrize(
    "content",
    ["a: !!python/object/apply:os.system ['echo hi']\n", "a: !custom {b: 1}\n", "a: !!str 007\n"],
)
def test_tags_are_refused(tmp_path: Path, content: str) -> None:
    error = refused_text(tmp_path, content)
    assert "tags are not supported" in error.message
    assert (error.line, error.column) == (1, 4)


@pytest.mark.parametrize("char", ["\x07", "\x1b", "\x7f", "\ufffe"])
def test_control_characters_are_refused(tmp_path: Path, char: str) -> None:
    error = refused_text(tmp_path, f"a: 1\nb: x{char}y\n")
    assert f"U+{ord(char):04X}" in error.message
    assert (error.line, error.column) == (2, 5)


# --- hostile structure ----------------------------------------------------------------------------

# Nine levels of nine aliases each: a 400-byte file that expands to 387 million strings.
BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_billion_laughs_is_refused_at_the_first_alias(tmp_path: Path) -> None:
    error = refused_text(tmp_path, BILLION_LAUGHS)
    assert "aliases are not supported" in error.message
    assert (error.line, error.column) == (2, 8)


@pytest.mark.parametrize(
    "content",
    ["a: &x 1\nb: *x\n", "a: &x [*x]\n", "a: &x {}\nb:\n  <<: *x\n"],
    ids=["scalar", "cycle", "merge"],
)
def test_any_alias_is_refused(tmp_path: Path, content: str) -> None:
    assert "aliases are not supported" in refused_text(tmp_path, content).message


def test_anchors_without_aliases_are_harmless() -> None:
    assert load_text("a: &x 1\nb: &y [2]\n").data == {"a": 1, "b": [2]}


@pytest.mark.parametrize(
    "content",
    [
        "[" * 10_000 + "]" * 10_000,
        "{a: " * 10_000 + "1" + "}" * 10_000,
        "- " * 10_000 + "x\n",
        "".join(" " * depth + "a:\n" for depth in range(1_000)),
    ],
    ids=["flow-lists", "flow-maps", "block-lists", "block-maps"],
)
def test_deep_nesting_is_refused(tmp_path: Path, content: str) -> None:
    error = refused_text(tmp_path, content)
    assert f"more than {MAX_DEPTH} levels" in error.message
    assert error.line is not None


def test_nesting_up_to_the_limit_is_accepted() -> None:
    deepest = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert load_text(deepest).data is not None
    with pytest.raises(InputError, match="levels deep"):
        load_text("[" + deepest + "]")


def test_a_million_item_list_is_refused_quickly(tmp_path: Path) -> None:
    error = refused(write(tmp_path, "- 1\n" * 1_000_000), max_bytes=10_000_000)
    assert f"more than {MAX_NODES:,} values" in error.message


def test_a_large_flow_list_is_refused_quickly(tmp_path: Path) -> None:
    error = refused(write(tmp_path, "[" + "1, " * 1_000_000 + "1]"), max_bytes=10_000_000)
    assert f"more than {MAX_NODES:,} values" in error.message


@pytest.mark.parametrize("quote", ["", '"'])
def test_a_megabyte_string_loads_quickly(tmp_path: Path, quote: str) -> None:
    path = write(tmp_path, f"a: {quote}{'word ' * 200_000}x{quote}\n")
    with time_limit(HOSTILE_SECONDS):
        doc = load_document(path)
    assert len(doc.data["a"]) == 1_000_001


def test_a_long_tag_is_refused_quickly(tmp_path: Path) -> None:
    """ruamel decodes tags in quadratic time: the refusal must come before that."""
    error = refused_text(tmp_path, "a: !" + "x" * 1_000_000 + " 1\n")
    assert len(error.message) < 100


# --- unexpected failures --------------------------------------------------------------------------


def _fail_with(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """ruamel's round-trip load fails; the fast path is switched off so that the text reaches
    it (test_loader_fast.py checks that the fast path hands such failures to it)."""

    def load(self: YAML, stream: object) -> object:
        raise error

    monkeypatch.setattr(YAML, "load", load)
    monkeypatch.setattr(loader, "_fast_parse", lambda text: None)


def test_unexpected_parser_failure_becomes_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_with(monkeypatch, AttributeError("'NoneType' object has no attribute 'x'\n  internals"))
    error = refused_text(tmp_path, "a: 1\n")
    assert "AttributeError" in error.message
    assert "\n" not in str(error)


def test_memory_error_becomes_too_complex(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_with(monkeypatch, MemoryError())
    assert "too complex" in refused_text(tmp_path, "a: 1\n").message


def test_keyboard_interrupt_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_with(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        load_text("a: 1\n")


# --- top level -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "data", "kind"),
    [("- a\n- b\n", ["a", "b"], "a list"), ("hello\n", "hello", "text"), ("~\n", None, "null")],
)
def test_a_top_level_that_is_not_a_mapping(content: str, data: object, kind: str) -> None:
    doc = load_text(content, "p.yaml")
    assert doc.data == data
    with pytest.raises(InputError) as caught:
        require_mapping(doc)
    assert caught.value.message.startswith("the top level must be a mapping")
    assert kind in caught.value.message
    assert str(caught.value).startswith("p.yaml:1:1: ")


def test_require_mapping_accepts_a_mapping() -> None:
    require_mapping(load_text("a: 1\n"))


# --- locations ------------------------------------------------------------------------------------


@pytest.fixture
def proposal() -> Document:
    return load_text(PROPOSAL, "p.yaml")


@pytest.mark.parametrize(
    ("path", "value_at", "key_at"),
    [
        ((), (2, 1), (2, 1)),
        (("programme",), (3, 3), (2, 1)),
        (("programme", "title"), (3, 10), (3, 3)),
        (("programme", "components", 0), (5, 7), (5, 7)),
        (("programme", "components", 0, "awareness", "desired_action"), (7, 25), (7, 9)),
        (("programme", "components", 1, "tags"), (9, 13), (9, 7)),
        (("programme", "components", 1, "tags", 1), (9, 22), (9, 22)),
    ],
)
def test_location_of_values_and_keys(
    proposal: Document, path: tuple, value_at: tuple, key_at: tuple
) -> None:
    assert proposal.location(path) == Location(*value_at)
    assert proposal.key_location(path) == Location(*key_at)


AWARENESS = ("programme", "components", 0, "awareness")


@pytest.mark.parametrize(
    ("missing", "nearest"),
    [
        (("programme", "budget"), ("programme",)),
        (("programme", "components", 5, "id"), ("programme", "components")),
        ((*AWARENESS, "nope", "deeper"), AWARENESS),
        (("programme", "title", "under_a_scalar"), ("programme", "title")),
        (("programme", "components", "0"), ("programme", "components")),
        (("programme", "components", -1), ("programme", "components")),
        (("elsewhere",), ()),
    ],
)
def test_missing_path_points_at_nearest_parent(
    proposal: Document, missing: tuple, nearest: tuple
) -> None:
    assert proposal.location(missing) == proposal.location(nearest)
    assert proposal.key_location(missing) == proposal.key_location(nearest)


def test_location_on_a_scalar_document() -> None:
    assert load_text("just text\n").location(["a", 0]) == Location(1, 1)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("components", 2, "awareness", "action"), "components[2].awareness.action"),
        ((0, "a"), "[0].a"),
        (("odd key", "a.b"), '["odd key"]["a.b"]'),
    ],
)
def test_format_yaml_path(path: tuple, text: str) -> None:
    assert format_yaml_path(path) == text


# --- nothing but InputError, whatever the input ---------------------------------------------------

# Mostly YAML punctuation, so that examples reach deep into the parser, plus any printable
# character (control characters and binary have their own tests).
YAML_CHARACTERS = st.sampled_from(list("ab1:-?[]{},&*!|>'\"#%@`~\\\n\r\t "))
YAMLISH = st.text(alphabet=YAML_CHARACTERS | st.characters(exclude_categories=["Cc", "Cs"]))


@settings(max_examples=150, deadline=None)
@given(YAMLISH)
def test_random_text_raises_only_input_error(text: str) -> None:
    try:
        doc = load_text(text, "random.yaml")
    except InputError as error:
        assert str(error).startswith("random.yaml")
    else:
        doc.location(["a", 0])


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300) | YAMLISH.map(lambda text: text.encode("utf-8", "surrogatepass")))
def test_random_bytes_raise_only_input_error(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "random.yaml")
        path.write_bytes(raw)
        try:
            load_document(path)
        except InputError as error:
            assert str(error).startswith(str(path))
        assert path.read_bytes() == raw


def test_time_limit_helper_fires() -> None:
    """The guard the hostile tests rely on really interrupts a stuck call."""
    with pytest.raises(_TooSlow), time_limit(0.05):
        time.sleep(1)
