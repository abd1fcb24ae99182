"""Load one proposal file safely: the first step of the pipeline.

Proposals come from outside the funder's organisation and CI reviews them unattended, so
every way a file can be unusable or hostile ends as an `InputError` that names the file,
points at a line and column where there is one, and says what to do. Nothing here writes to
the input, blocks on a pipe, or lets a small file expand into a huge or deep tree:

- the path must be a regular file of at most ``max_bytes`` (checked with ``stat`` before
  opening, and again by reading at most ``max_bytes + 1`` bytes);
- the bytes must be UTF-8 (a UTF-8 BOM is dropped; UTF-16/32 are refused rather than decoded,
  so that every byte offset and column we report matches what an editor shows for UTF-8);
- the YAML must be one document of at most ``MAX_NODES`` values nested at most ``MAX_DEPTH``
  deep, with no aliases and no tags (see `_GuardedScanner` and `_GuardedComposer`).

ruamel's pure-Python scanner reads the worst text (a million comment lines, megabytes of
words) at about 0.5 MB/s here, so ``max_bytes`` is also what bounds the time: about ten seconds
at the default, well under one for any real proposal.

Two parsers, one result: plain dicts and lists, whose scalars have the types ruamel's
round-trip loader gives them (``ScalarFloat``, ``OctalInt``, ``LiteralScalarString``, ...), and a
table of positions (`Positions`: each collection's line and column and the records ruamel keeps
in its ``.lc``, a mapping's [key line, key column, value line, value column] per key, a list's
[line, column] per item). The reference is ruamel's round-trip loader with the guards above
(`_slow_parse`): ~100 ms for a 47 kB proposal, its tree converted by `plain_with_positions`. The
fast path (`_fast_tree`, ~4 ms) reads the same text with libyaml (ruamel.yaml.clib's
``CParser``, already a dependency) and builds the data from its events, recording what
``RoundTripConstructor`` records, with scalars resolved by ruamel's own YAML 1.2 resolver table
and built by the guarded constructor's own methods, so types match too. What neither keeps,
comments, flow/block style and a folded scalar's fold positions, only matters for writing a file
back, which ctreview never does.

It accepts a text only where it is sure to match, and raises `_Fallback` (the slow path then
decides, with its messages) on anything else: a libyaml error, an alias, anchor or tag, a
directive, more or less than one document, a top level that is not a mapping or list, a key that
is not text, a duplicate key, a merge key, a date or number the guards refuse, nesting or size
near the limits, characters outside YAML's printable set, tabs, lone CRs, and the layouts where
libyaml and ruamel were seen to differ (`_check_text`, `_check_block_scalar`). The two parsers
also place an empty mapping value differently; `_empty_value_mark` moves libyaml's mark to
ruamel's. So errors are the slow path's by construction, and tests/test_loader_fast.py compares
both paths on every sample, rule file, question bank, synthetic proposals and generated texts.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, StreamMark
from ruamel.yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scanner import RoundTripScanner

DEFAULT_MAX_BYTES = 2_000_000  # real proposals are < 200 kB; ruamel reads worst cases at ~1 MB/s
# A real proposal nests 5-8 levels; 64 leaves room and keeps every recursive walk far from
# Python's recursion limit.
MAX_DEPTH = 64
# A large proposal has a few thousand values. ruamel's round-trip loader composes about
# 25,000 nodes a second (measured on a 2-core machine), so a million-item list is refused
# within a second.
MAX_NODES = 20_000

_SYNTAX_HINT = "Check the indentation, colons, quotes and brackets at that position"
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


@dataclass(frozen=True)
class Location:
    """A 1-based position in the source, for humans and SARIF."""

    line: int
    column: int


class ProblemsError(Exception):
    """Data that cannot be used (rule packs, lexicons, a configuration): str() lists every
    problem, one per line, so the user fixes them all in one pass."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class InputError(Exception):
    """A file that cannot be reviewed. str() is `file:line:col: message. what to do`."""

    def __init__(
        self, path: str, message: str, hint: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ":".join(str(part) for part in (self.path, self.line, self.column) if part)
        return f"{where}: {self.message}. {self.hint}"


# Where each collection of a loaded tree starts and where its entries start, by the
# collection's id: (line, column, records), 0-based as YAML parsers count. A mapping's records
# are [key line, key column, value line, value column] by key, a list's [line, column] by index
# (what ruamel keeps in each collection's `.lc`). Kept beside plain dicts and lists rather than
# in ruamel's round-trip types: creating ~400 commented collections per proposal, and converting
# them to plain data for validation, was ~7% of a review's time.
Positions = dict[int, tuple[int, int, dict[Any, list[int]]]]


@dataclass
class Document:
    """A loaded proposal: its data as plain dicts and lists (scalars keep the types ruamel's
    round-trip loader gives them), where each value starts, and the text it came from."""

    path: str
    text: str
    data: Any
    positions: Positions = field(default_factory=dict, repr=False, compare=False)

    def location(self, yaml_path: Sequence[str | int]) -> Location:
        """Where the value at `yaml_path` starts; for a missing path, its nearest parent."""
        return self._locate(yaml_path, of_key=False)

    def key_location(self, yaml_path: Sequence[str | int]) -> Location:
        """Where the mapping key of `yaml_path` is (a list item has no key: the item itself)."""
        return self._locate(yaml_path, of_key=True)

    def start(self, node: Any) -> Location:
        """Where a collection of the document starts; line 1 for anything else (a scalar top
        level has no recorded position)."""
        place = self.positions.get(id(node))
        return Location(1, 1) if place is None else Location(place[0] + 1, place[1] + 1)

    def _locate(self, yaml_path: Sequence[str | int], *, of_key: bool) -> Location:
        node, parent, step = self.data, None, None
        for part in yaml_path:
            if not _has_child(node, part):
                break
            node, parent, step = node[part], node, part
        if parent is None:
            return self.start(node)
        place = self.positions.get(id(parent))
        position = place[2].get(step) if place is not None else None
        if position is None:  # a key the parser did not record (e.g. from a merge)
            return self.start(parent)
        if isinstance(parent, Mapping) and not of_key:
            return Location(position[2] + 1, position[3] + 1)
        return Location(position[0] + 1, position[1] + 1)


def load_document(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read, decode and parse one proposal file; raise `InputError` if it cannot be reviewed."""
    name = os.fspath(path)
    raw = _read_bounded(name, max_bytes)
    return load_text(_decode(raw, name), name)


def load_stream(stream: BinaryIO, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read, decode and parse a proposal from a byte stream (standard input, named `path` in
    messages), with the same limits and checks as a file."""
    try:
        raw = stream.read(max_bytes + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(path, f"cannot be read ({reason})", "Check the input") from None
    if len(raw) > max_bytes:
        raise _too_large(path, max_bytes)
    return load_text(_decode(raw, path), path)


def load_text(text: str, path: str = "<string>") -> Document:
    """Parse proposal text with the same checks as `load_document` (tests, embedded examples)."""
    text = text.removeprefix("\ufeff")
    data, positions = _parse(text, path)
    doc = Document(path=path, text=text, data=data, positions=positions)
    if _SURROGATE_ESCAPE.search(text):
        _join_surrogates(doc)
    return doc


# --- escaped surrogates ---------------------------------------------------------------------------

# `\ud83d\ude00` is how JSON (and tools that write YAML like JSON) escape a character beyond
# U+FFFF: a UTF-16 surrogate pair. YAML's `\u` escapes code points, so the parser returns two
# lone surrogates, which no UTF-8 output can carry.
_SURROGATE_ESCAPE = re.compile(r"\\(?:u[dD][89a-fA-F]|U0000[dD][89a-fA-F])")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _join_surrogates(doc: Document) -> None:
    """Read escaped surrogate pairs as the character they stand for, as JSON does; refuse an
    unpaired one at its position (it stands for no character)."""
    for container, key, path in _text_values(doc.data, ()):
        value = container[key]
        if not _SURROGATE.search(value):
            continue
        try:
            container[key] = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        except UnicodeDecodeError:
            lone = _SURROGATE.search(value)
            code = ord(lone.group()) if lone else 0
            where = doc.location(path)
            raise InputError(
                doc.path,
                f"the text holds an unpaired surrogate escape (\\u{code:04x}), which stands "
                "for no character",
                "Write the character itself, or its \\U escape (e.g. \\U0001F600)",
                where.line,
                where.column,
            ) from None


def _text_values(node: Any, path: tuple[str | int, ...]) -> Any:
    """(container, key, path) of every text value in the tree (keys are left as they are)."""
    items = node.items() if isinstance(node, Mapping) else enumerate(node)
    for key, value in items:
        if isinstance(value, str):
            yield node, key, (*path, key)
        elif isinstance(value, Mapping | list):
            yield from _text_values(value, (*path, key))


def require_mapping(doc: Document) -> None:
    """Refuse a document whose top level is not a mapping (a proposal is `key: value` pairs)."""
    if isinstance(doc.data, Mapping):
        return
    where = doc.start(doc.data)
    raise InputError(
        doc.path,
        f"the top level must be a mapping of keys to values, but it is {_describe(doc.data)}",
        "Start the file with the proposal's top-level keys, one `key: value` per line",
        where.line,
        where.column,
    )


def format_yaml_path(path: Sequence[str | int]) -> str:
    """A path for humans, e.g. `components[2].awareness.desired_action` ("" for the top level)."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        elif isinstance(part, str) and _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(str(part), ensure_ascii=False)}]"
    return text


# --- reading and decoding ---------------------------------------------------------------------


def read_bounded(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`, for inputs that are not proposals
    (baselines): a pipe, a device or a huge file raises `InputError` instead of blocking or
    filling memory."""
    return _read_bounded(os.fspath(path), max_bytes)


def _read_bounded(path: str, max_bytes: int) -> bytes:
    """The file's bytes, refusing anything but a readable regular file of at most `max_bytes`."""
    try:
        info = os.stat(path)
        _check_file_kind(path, info, max_bytes)
        # O_NONBLOCK: if a pipe replaced the file since stat, opening it must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            opened = os.fstat(handle.fileno())
            _check_file_kind(path, opened, max_bytes)
            # The size fstat gives and a byte more, to see whether the file grew (or reports
            # no size, as /proc does): a read of max_bytes + 1 allocated 2 MB for every file.
            raw = handle.read(opened.st_size + 1)
            if len(raw) > opened.st_size:
                raw += handle.read(max_bytes + 1 - len(raw))
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(path, "no such file", "Check the path and the file name") from None
    except PermissionError:
        raise InputError(
            path, "the file cannot be read (permission denied)", "Check the file's permissions"
        ) from None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InputError(path, f"the file cannot be read ({reason})", "Check the path") from None
    if len(raw) > max_bytes:  # the file grew after stat, or stat does not know its size
        raise _too_large(path, max_bytes)
    return raw


def unusable_data_file(path: Path, kind: str) -> str | None:
    """Why a data file (a rule file, a lexicon file) must not be read, or None: a pipe or a
    link to a device named like one would block the run or never end, and a huge file would
    fill memory. `kind` names it in the message ("rule file")."""
    try:
        info = path.stat()
    except OSError as error:
        return f"the {kind} cannot be read ({error.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return f"this is not a regular file (a {kind} is a YAML text file)"
    if info.st_size > DEFAULT_MAX_BYTES:
        return f"the {kind} is larger than the limit of {DEFAULT_MAX_BYTES:,} bytes"
    return None


def _check_file_kind(path: str, info: os.stat_result, max_bytes: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise InputError(path, "this is a directory", "Give the path of one proposal file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            path,
            "this is not a regular file (it is a device, pipe or socket)",
            "Save the proposal to a file and review that file",
        )
    if info.st_size > max_bytes:
        raise _too_large(path, max_bytes)


def _too_large(path: str, max_bytes: int) -> InputError:
    return InputError(
        path,
        f"the file is larger than the limit of {max_bytes:,} bytes",
        "Check that this is a proposal file; split very large proposals into several files",
    )


def _decode(raw: bytes, path: str) -> str:
    """UTF-8 text without its BOM; other encodings and binary content are refused."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if raw.startswith(bom):
            raise InputError(
                path,
                f"the file is encoded as {encoding}; ctreview reads UTF-8 only",
                "Save the file as UTF-8 (most editors offer this under 'Save as' or 'Encoding')",
                1,
                1,
            )
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = _byte_line_column(raw, nul)
        raise InputError(
            path,
            f"the file contains a NUL byte at byte offset {nul}, so it is binary, not YAML text",
            "Check that this is the proposal file; if it was saved as UTF-16, save it as UTF-8",
            line,
            column,
        )
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line, column = _byte_line_column(raw, error.start)
        raise InputError(
            path,
            f"the file is not valid UTF-8 (byte 0x{raw[error.start]:02x} at byte offset "
            f"{error.start})",
            "Save the file as UTF-8",
            line,
            column,
        ) from None


def _byte_line_column(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset; the bytes before it decode cleanly."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


# --- parsing --------------------------------------------------------------------------------------


class _Refusal(Exception):
    """A guard refused the document; `_parse` turns it into an InputError for the file."""

    def __init__(self, message: str, hint: str, mark: StreamMark | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.mark = mark


class _GuardedScanner(RoundTripScanner):
    """ruamel's scanner, refusing tags and aliases as soon as one starts.

    Tags: `!!python/object` and custom tags ask a loader to build objects, which ctreview
    never does; even `!!str` comes back as a round-trip wrapper rather than a `str`. (Refusing
    here, not later, also matters: ruamel's parser decodes a tag in quadratic time.)

    Aliases: round-trip loading keeps an alias as a shared reference, but every later step
    walks the tree as if it were expanded. Ten nested aliases turn a 1 KB file into a billion
    values ("billion laughs"), an alias inside its own anchor makes a cycle, and even an alias
    to one long string multiplies it in every report. Proposals gain nothing from aliases, and
    a finding at an aliased value would point at the anchor, not where the value is used. With
    none, the tree is no bigger than the text, which MAX_NODES and MAX_DEPTH bound. Anchors
    alone are harmless and allowed.
    """

    def fetch_tag(self) -> None:
        raise _Refusal(
            f"YAML tags are not supported ({self._token_preview()})",
            "Remove the tag (put quotes around a value that must stay text): ctreview reads "
            "plain text, numbers, lists and mappings only",
            self.reader.get_mark(),
        )

    def fetch_alias(self) -> None:
        raise _Refusal(
            f"aliases are not supported ({self._token_preview()})",
            "Write the value out in full where it is used",
            self.reader.get_mark(),
        )

    def _token_preview(self) -> str:
        token = re.match(r"[^\s,\[\]{}\0]*", self.reader.prefix(41)).group()
        return shorten(token)


class _GuardedComposer(Composer):
    """ruamel's composer, refusing empty, multi-document, too deep or too large streams."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.node_count = 0
        self.nesting = 0  # our own count: ruamel's Composer has `depth` only from 0.19

    def get_single_node(self) -> Any:
        self.parser.get_event()  # stream start
        if self.parser.check_event(StreamEndEvent):
            raise _Refusal("the file is empty", "Write the proposal in this file (YAML)")
        node = self.compose_document()
        if not self.parser.check_event(StreamEndEvent):
            raise _Refusal(
                "the file holds more than one YAML document (a second one starts here)",
                "ctreview reviews one proposal per file: move each document after '---' "
                "into its own file",
                self.parser.peek_event().start_mark,
            )
        if isinstance(node, ScalarNode) and node.value == "" and node.style is None:
            raise _Refusal("the file is empty", "Write the proposal in this file (YAML)")
        return node

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if self.nesting >= MAX_DEPTH:
            raise _Refusal(
                f"the data is nested more than {MAX_DEPTH} levels deep",
                "Check for unclosed brackets or runaway indentation; a proposal needs "
                "far fewer levels",
                event.start_mark,
            )
        self.node_count += 1
        if self.node_count > MAX_NODES:
            raise _Refusal(
                f"the file holds more than {MAX_NODES:,} values",
                "Check that this is a proposal file; split very large proposals into several files",
                event.start_mark,
            )
        self.nesting += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.nesting -= 1


class _GuardedConstructor(RoundTripConstructor):
    """Round-trip construction that reports a duplicate key with both of its lines."""

    def check_mapping_key(
        self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any
    ) -> bool:
        if key not in mapping:
            return True
        first = mapping.lc.data.get(key) if hasattr(mapping, "lc") else None
        first_line = f"first at line {first[0] + 1}, " if first else ""
        raise _Refusal(
            f'duplicate key "{shorten(str(key))}" '
            f"({first_line}again at line {key_node.start_mark.line + 1})",
            "Remove or rename one of them: a mapping can hold each key only once",
            key_node.start_mark,
        )

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        """An impossible date such as 2027-13-01 is reported at its position."""
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError as error:
            raise _Refusal(
                f"{node.value!r} is not a valid date ({error})",
                "Write dates as YYYY-MM-DD with a real month and day",
                node.start_mark,
            ) from None


    def construct_yaml_int(self, node: Any) -> Any:
        """Python refuses to convert integers of more than 4,300 digits; say so at its place."""
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise _Refusal(
                f"the number {shorten(node.value)} has {len(node.value):,} characters",
                "Write a number of ordinary size (a proposal's amounts have at most 15 digits)",
                node.start_mark,
            ) from None


_GuardedConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _GuardedConstructor.construct_yaml_timestamp
)
_GuardedConstructor.add_constructor("tag:yaml.org,2002:int", _GuardedConstructor.construct_yaml_int)


def _parse(text: str, path: str) -> tuple[Any, Positions]:
    """The data of `text` and its positions: libyaml's when certainly right, else ruamel's."""
    parsed = _fast_parse(text)
    return parsed if parsed is not None else plain_with_positions(_slow_parse(text, path))


def plain_with_positions(tree: Any) -> tuple[Any, Positions]:
    """A round-trip tree as plain dicts and lists with their positions (see `Positions`);
    scalars are kept as they are. A mapping keeps its merged keys, which have no record."""
    positions: Positions = {}
    return _plain_node(tree, positions), positions


def _plain_node(node: Any, positions: Positions) -> Any:
    if isinstance(node, CommentedMap):
        plain: Any = {key: _plain_node(value, positions) for key, value in node.items()}
    elif isinstance(node, CommentedSeq):
        plain = [_plain_node(item, positions) for item in node]
    else:
        return node
    positions[id(plain)] = (node.lc.line, node.lc.col, dict(node.lc.data or {}))
    return plain


def _slow_parse(text: str, path: str) -> Any:
    """The round-trip tree of `text`; every failure becomes an InputError naming `path`."""
    yaml = YAML(typ="rt")
    yaml.Scanner = _GuardedScanner
    yaml.Composer = _GuardedComposer
    yaml.Constructor = _GuardedConstructor
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. a reused anchor: legal, and not ours to report
            return yaml.load(text)
    except _Refusal as refusal:
        raise _input_error(path, refusal.message, refusal.hint, refusal.mark) from None
    except ReaderError as error:
        raise _unprintable(path, text, error) from None
    except MarkedYAMLError as error:
        raise _syntax_error(path, text, error) from None
    except (MemoryError, RecursionError):
        raise InputError(
            path,
            "the file is too complex to load",
            "Check that this is a proposal file; simplify or split it",
        ) from None
    except Exception as error:  # ruamel has more failure modes than it documents
        first_line = (str(error).splitlines() or [""])[0][:200]
        raise InputError(
            path,
            f"the file could not be read as YAML ({type(error).__name__}: {first_line})",
            _SYNTAX_HINT,
        ) from error


def _input_error(path: str, message: str, hint: str, mark: StreamMark | None) -> InputError:
    if mark is None:
        return InputError(path, message, hint)
    return InputError(path, message, hint, mark.line + 1, mark.column + 1)


def _syntax_error(path: str, text: str, error: MarkedYAMLError) -> InputError:
    mark = error.problem_mark or error.context_mark
    if mark is not None and text[mark.index : mark.index + 1] == "\t":
        return _input_error(
            path,
            "a tab character is not allowed here: YAML indents and separates with spaces only",
            "Replace the tab with spaces (and set your editor to insert spaces for Tab)",
            mark,
        )
    message = f"invalid YAML: {error.problem or error.context}"
    context = error.context_mark
    if error.problem and error.context and context is not None and context.line != mark.line:
        message += f" ({error.context}, which starts at line {context.line + 1})"
    return _input_error(path, message, _SYNTAX_HINT, mark)


def _unprintable(path: str, text: str, error: ReaderError) -> InputError:
    position = error.position
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    code = error.character if isinstance(error.character, int) else ord(error.character)
    return InputError(
        path,
        f"the file contains a control character (U+{code:04X}) that YAML does not allow",
        "Remove it; it often comes from copying text out of a PDF or a word processor",
        line,
        column,
    )


def shorten(text: str, limit: int = 40) -> str:
    """Echo at most `limit` characters of the input in a message (loading errors, rule files)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- the fast path -------------------------------------------------------------------------------


class _Fallback(Exception):
    """The fast path cannot be sure to match the slow path here; the message says why."""


# Text the fast path leaves to ruamel, where libyaml and ruamel may differ: characters outside
# YAML's printable set, tabs, line breaks other than LF and CRLF, a BOM inside the text;
# directives (`%YAML 1.1` changes how scalars resolve); document end markers (ruamel reads some
# as a second document); explicit `?` keys (ruamel places an empty value after one elsewhere);
# a comment right after `key:` (ruamel moves it onto the value and fails on some layouts). A few
# ordinary texts match too (`ok ?`); they just take the slow path. Each pattern is searched only
# where its literal occurs (one search with all of them costs ~2 ms on 47 kB).
# The characters outside YAML's printable set (and the line separators, which libyaml reads
# as line breaks), listed rather than negated: the negated class took ~3 ms to compile.
_UNSURE_CHARACTER = re.compile(
    "[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
# A literal that starts with a line break stands for a line start: there, or at the text's
# start (`^` in MULTILINE mode matches at both). "%" is in most proposals ("50%"), and the
# search for a line that starts with it took ~0.2 ms on 47 kB.
_UNSURE_PATTERNS = (
    ("\r", re.compile(r"\r(?!\n)")),
    ("\n%", re.compile(r"^%", re.MULTILINE)),
    ("\n...", re.compile(r"^\.\.\.", re.MULTILINE)),
    ("?", re.compile(r"(?:^|[ \[{,])\?(?=[ \r\n]|\Z)", re.MULTILINE)),
    ("#", re.compile(r": +#")),
)
# A block scalar's header as ruamel reads it (libyaml also takes e.g. `|#x`).
_BLOCK_HEADER = re.compile(r"[|>](?:[1-9][-+]?|[-+][1-9]?)?(?: +#[^\n]*| *)(?:\n|\r\n|\Z)")
_SPACES = re.compile(" *")
_NO_KEY = object()
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"


def _fast_parts() -> tuple[Any, Any, dict[str, list[Any]], dict[str, Any]]:
    """libyaml's parser, a round-trip constructor, the YAML 1.2 implicit resolvers (first
    character -> [(tag, match)]) and the scalar constructors, all as the slow path uses them."""
    try:
        from ruamel.yaml.cyaml import CParser
    except ImportError:  # no compiled libyaml: every document takes the slow path
        CParser = None  # noqa: N806
    yaml = YAML(typ="rt")
    yaml.Constructor = _GuardedConstructor
    table = yaml.resolver.versioned_resolver
    resolvers = {
        first: [(tag, regexp.match) for tag, regexp in pairs] for first, pairs in table.items()
    }
    if None in resolvers:  # a resolver for any first character: ruamel's resolve() differs
        CParser = None  # noqa: N806
    tags = [f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp")]
    constructors = {tag: _GuardedConstructor.yaml_constructors[tag] for tag in tags}
    return CParser, yaml.constructor, resolvers, constructors


_CParser, _CONSTRUCTOR, _RESOLVERS, _SCALAR_CONSTRUCTORS = _fast_parts()


# The events libyaml's parser makes most (~2,500 per proposal), each built by ruamel's class
# through a chain of two or three `__init__`s: subclasses with one flat `__init__` cost a
# third less (~0.3 ms of a 4 ms parse). They are installed where the compiled parser looks
# the classes up, once; being subclasses with the same slots and values, they are the same
# events to any other user of ruamel's CParser in the process (its composer tests events with
# isinstance). tests/test_loader_fast.py holds each to the class it stands in for.


class _Scalar(ScalarEvent):
    __slots__ = ()

    def __init__(  # noqa: PLR0913 - the compiled parser's call
        self,
        anchor: Any,
        tag: Any,
        implicit: Any,
        value: Any,
        start_mark: Any = None,
        end_mark: Any = None,
        style: Any = None,
        comment: Any = None,
    ) -> None:
        self.start_mark = start_mark
        self.end_mark = end_mark
        self.comment = comment
        self.anchor = anchor
        self.ctag = tag
        self.implicit = implicit
        self.value = value
        self.style = style


class _MappingStart(MappingStartEvent):
    __slots__ = ()

    def __init__(  # noqa: PLR0913 - the compiled parser's call
        self,
        anchor: Any,
        tag: Any,
        implicit: Any,
        start_mark: Any = None,
        end_mark: Any = None,
        flow_style: Any = None,
        comment: Any = None,
        nr_items: Any = None,
    ) -> None:
        self.start_mark = start_mark
        self.end_mark = end_mark
        self.comment = comment
        self.anchor = anchor
        self.ctag = tag
        self.implicit = implicit
        self.flow_style = flow_style
        self.nr_items = nr_items


class _SequenceStart(SequenceStartEvent):
    __slots__ = ()
    __init__ = _MappingStart.__init__


class _MappingEnd(MappingEndEvent):
    __slots__ = ()

    def __init__(self, start_mark: Any = None, end_mark: Any = None, comment: Any = None) -> None:
        self.start_mark = start_mark
        self.end_mark = end_mark
        self.comment = comment


class _SequenceEnd(SequenceEndEvent):
    __slots__ = ()
    __init__ = _MappingEnd.__init__


QUICK_EVENTS: dict[type, type] = {
    ScalarEvent: _Scalar,
    MappingStartEvent: _MappingStart,
    SequenceStartEvent: _SequenceStart,
    MappingEndEvent: _MappingEnd,
    SequenceEndEvent: _SequenceEnd,
}


def _install_quick_events() -> dict[type, type]:
    """Each event class as libyaml's parser makes it: the quick one where it could be
    installed, else ruamel's own."""
    # ruamel.yaml.cyaml imported CParser from this compiled module (ruamel.yaml.clib)
    compiled = sys.modules.get("_ruamel_yaml") if _CParser is not None else None
    made = {}
    for original, quick in QUICK_EVENTS.items():
        name = quick.__name__ = quick.__qualname__ = original.__name__  # reprs stay ruamel's
        if compiled is not None and getattr(compiled, name, None) in (original, quick):
            setattr(compiled, name, quick)
            made[original] = quick
        else:
            made[original] = original
    return made


_MADE = _install_quick_events()
_SCALAR_MADE = _MADE[ScalarEvent]
_MAPPING_START_MADE = _MADE[MappingStartEvent]
_SEQUENCE_START_MADE = _MADE[SequenceStartEvent]
_MAPPING_END_MADE = _MADE[MappingEndEvent]
_SEQUENCE_END_MADE = _MADE[SequenceEndEvent]


def _fast_parse(text: str) -> tuple[Any, Positions] | None:
    """The data and positions from libyaml's events, or None where only the slow path can
    tell."""
    try:
        return _fast_tree(text)
    except _Fallback:
        return None


def _fast_tree(text: str) -> tuple[Any, Positions]:
    """The data and positions from libyaml's events; `_Fallback` wherever they might differ
    from the slow path's (which then decides, with its own messages)."""
    if _CParser is None:
        raise _Fallback("libyaml (ruamel.yaml.clib) is not available")
    _check_text(text)
    parser = _CParser(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _fast_document(parser, text)
    except _Fallback:
        raise
    except Exception as error:  # libyaml's syntax errors, refused scalars: the slow path reports
        raise _Fallback(f"{type(error).__name__}: {error}") from None
    finally:
        parser.dispose()


def _check_text(text: str) -> None:
    found = None if _plain_ascii(text) else _UNSURE_CHARACTER.search(text)
    for first, pattern in _UNSURE_PATTERNS:
        if found:
            break
        if first in text or (first[0] == "\n" and text.startswith(first[1:])):
            found = pattern.search(text)
    if found:
        raise _Fallback(f"text the fast path leaves to ruamel: {found.group()!r}")


def _plain_ascii(text: str) -> bool:
    """Printable ASCII and line breaks only, which `_UNSURE_CHARACTER` never finds: most
    proposals, answered in C several times faster than the pattern's search."""
    return text.isascii() and text.replace("\n", "").replace("\r", "").isprintable()


def _fast_document(parser: Any, text: str) -> tuple[Any, Positions]:
    """One document without directives whose top level is a mapping or a list."""
    get = parser.get_event
    get()  # stream start
    start = get()
    if type(start) is not DocumentStartEvent:
        raise _Fallback("no document")
    if start.version is not None or start.tags:
        raise _Fallback("a directive")
    root = get()
    if type(root) is not _MAPPING_START_MADE and type(root) is not _SEQUENCE_START_MADE:
        raise _Fallback(f"the top level is {type(root).__name__}")
    tree = _fast_collection(parser, text, root)
    if type(get()) is not DocumentEndEvent or type(get()) is not StreamEndEvent:
        raise _Fallback("more than one document")
    return tree


def _fast_collection(parser: Any, text: str, start: Any) -> tuple[Any, Positions]:
    """Build the data below `start` as plain dicts and lists, with the positions that
    RoundTripConstructor records in `.lc` (see the module docstring).

    The hot loop of a review (~2,500 events per proposal). A mapping's records are also its
    keys so far, so they are the duplicate check. `tests/test_loader_fast.py` holds every
    result to the slow path's."""
    get = parser.get_event
    positions: Positions = {}
    stack: list[tuple[Any, dict[Any, list[int]], bool, Any]] = []  # the parents'
    root = collection = _fast_new_collection(start)
    records: dict[Any, list[int]] = {}
    positions[id(root)] = (start.start_mark.line, start.start_mark.column, records)
    is_mapping, flow, key, key_event, nodes = type(root) is dict, start.flow_style, _NO_KEY, None, 1
    while True:
        event = get()
        kind = type(event)
        if kind is _SCALAR_MADE:
            nodes += 1
            if event.anchor is not None or event.ctag is not None:
                raise _Fallback("an anchor or a tag")
            if key is _NO_KEY and is_mapping:
                key, key_event = event.value, event
                if event.style or key not in _TEXT_KEYS or key in records:  # else: a known key
                    key = _fast_key(event, records)
                continue
            value = event.value
            if event.style or _RESOLVERS.get(value[:1]) is not None:
                value = _fast_scalar(event, text)
            mark = event.start_mark
            if key is not _NO_KEY and not event.value and not event.style:
                mark = _empty_value_mark(parser, text, event, key_event, flow)
        elif kind is _MAPPING_START_MADE or kind is _SEQUENCE_START_MADE:
            nodes += 1
            if len(stack) + 2 >= MAX_DEPTH:
                raise _Fallback("deep nesting")
            if key is _NO_KEY and is_mapping:
                raise _Fallback("a list or mapping as a key")
            value, mark = _fast_new_collection(event), event.start_mark
        elif kind is _MAPPING_END_MADE or kind is _SEQUENCE_END_MADE:
            if not stack:
                return root, positions
            collection, records, is_mapping, flow = stack.pop()
            continue
        else:
            raise _Fallback(f"a {kind.__name__}")
        if nodes >= MAX_NODES:
            raise _Fallback("many values")
        if is_mapping:
            key_mark = key_event.start_mark
            records[key] = [key_mark.line, key_mark.column, mark.line, mark.column]
            collection[key] = value
            key = _NO_KEY
        else:
            records[len(records)] = [mark.line, mark.column]
            collection.append(value)
        if kind is not _SCALAR_MADE:
            stack.append((collection, records, is_mapping, flow))
            collection, records, flow = value, {}, event.flow_style
            is_mapping = kind is _MAPPING_START_MADE
            positions[id(value)] = (mark.line, mark.column, records)


_TEXT_KEYS: set[str] = set()  # plain keys known to resolve to text


def _fast_new_collection(event: Any) -> Any:
    if event.anchor is not None or event.ctag is not None:
        raise _Fallback("an anchor or a tag")
    return {} if type(event) is _MAPPING_START_MADE else []


def _fast_key(event: Any, keys: dict[Any, Any]) -> str:
    """A mapping key: text only (numbers, dates, null and merge keys go to the slow path),
    and no duplicate (the slow path reports it with both lines). `keys`: the mapping's
    line/column records, which hold its keys so far."""
    key, style = event.value, event.style
    if style:
        if style != '"' and style != "'":
            raise _Fallback("a block scalar as a key")
    elif key not in _TEXT_KEYS:
        if _resolve(key) is not None:  # a number, date, null, true/false or merge key
            raise _Fallback(f"a key of type {type(_fast_scalar(event, '')).__name__}")
        if len(_TEXT_KEYS) < 4096:  # the format's keys and a few more, not every text seen
            _TEXT_KEYS.add(key)
    if key in keys:
        raise _Fallback("a duplicate key")
    return key


def _fast_scalar(event: Any, text: str) -> Any:
    """The value RoundTripConstructor makes of a scalar without anchor or tag."""
    value, style = event.value, event.style
    if style:
        if style == '"' or style == "'":
            return value
        _check_block_scalar(text, event.start_mark.index)
        node = ScalarNode(_STR_TAG, value, event.start_mark, event.end_mark, style=style)
        return _CONSTRUCTOR.construct_scalar(node)  # block scalar: Literal/FoldedScalarString
    tag = _resolve(value)
    if tag is None:
        return value
    if tag == _INT_TAG and value[0] in "123456789" and "_" not in value:
        return int(value)  # what construct_yaml_int returns for these, ~10 times faster
    construct = _SCALAR_CONSTRUCTORS.get(tag)
    if construct is None:
        raise _Fallback(f"a scalar resolved as {tag}")  # a merge key `<<`, `=`
    return construct(_CONSTRUCTOR, ScalarNode(tag, value, event.start_mark, event.end_mark))


def _check_block_scalar(text: str, start: int) -> None:
    """ruamel refuses some block scalars that libyaml reads: a header with a comment not
    preceded by a space, or a blank first line with fewer spaces than a later line."""
    if not _BLOCK_HEADER.match(text, start):
        raise _Fallback("an unusual block scalar header")
    first = text.find("\n", start) + 1
    end = text.find("\n", first)
    if first and not text[first : None if end < 0 else end].strip(" \r"):
        raise _Fallback("a block scalar that starts with a blank line")


def _resolve(value: str) -> str | None:
    """The tag of a plain scalar as ruamel's VersionedResolver gives it (YAML 1.2), None for
    text."""
    for tag, match in _RESOLVERS.get(value[0] if value else "", ()):
        if match(value):
            return tag
    return None


def _empty_value_mark(parser: Any, text: str, event: Any, key_event: Any, flow: bool) -> Any:
    """Where ruamel's parser puts a mapping's empty value: after the `:` in a flow mapping,
    at the next token in a block mapping (libyaml: before `}` and after `:` respectively)."""
    if flow:
        end = key_event.end_mark
        colon = _SPACES.match(text, end.index).end()
        after = text[colon : colon + 1]
        if after == ":":
            return _Mark(end.line, end.column + colon - end.index + 1)
        if after and after in ",}]":
            return event.start_mark
        raise _Fallback("an empty value in an unusual flow layout")
    index = event.start_mark.index
    line_end = text.find("\n", index)
    if text[index - 1 : index] != ":" or text[index : None if line_end < 0 else line_end].strip(
        " \r"
    ):
        raise _Fallback("a comment after an empty value")  # ruamel moves the mark with it
    mark = parser.peek_event().start_mark
    if mark.index == len(text) and not text.endswith("\n"):  # libyaml ends the last line
        return _Mark(text.count("\n"), len(text) - text.rfind("\n") - 1)
    return mark


@dataclass(frozen=True)
class _Mark:
    line: int
    column: int


# --- locations ------------------------------------------------------------------------------------


def _has_child(node: Any, part: str | int) -> bool:
    # dict and list first: ruamel's types derive from them, and the Mapping test is slower
    if isinstance(node, list):
        return isinstance(part, int) and not isinstance(part, bool) and 0 <= part < len(node)
    if isinstance(node, dict | Mapping):
        return part in node
    return False


def _describe(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a single text value"
    return f"a {type(value).__name__}"
