"""Which files a command reviews: the proposals among the paths, folders and globs it is given.

A repository holds proposals next to other YAML (configurations, workflows, rule packs). A
proposal is recognised by its format marker, a top-level ``ctreview:`` key found by reading
lines, not by parsing. Folders are searched recursively; globs are expanded here, `**` included,
so a quoted pattern works the same on every shell (as in ESLint, ruff and yamllint). Files found
in folders or by globs are reviewed only when they carry the marker, and the others are counted.
Files named one by one are reviewed whatever they hold (the review says what is wrong with a
file that is not a proposal), unless the caller asks for proposals only (`check
--proposals-only`, the pre-commit hook's setting, and `screen`), which skips them too.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reviewer.loader import DEFAULT_MAX_BYTES, InputError
from reviewer.review import Review

PROPOSAL_SUFFIXES = (".yaml", ".yml")
STDIN = "-"
# A top-level key starts a line; an optional UTF-8 BOM, optional quotes.
_MARKER = re.compile(rb"(?:\xef\xbb\xbf)?(?:ctreview|\"ctreview\"|'ctreview')[ \t]*:")
# In flow style (JSON): the key after the mapping's `{` or a `,`, or first on a line.
_FLOW_MARKER = re.compile(rb"(?:^|[{,])[ \t]*(?:ctreview|\"ctreview\"|'ctreview')[ \t]*:")
_LINE_LIMIT = 65_536
_GLOB_CHARS = re.compile(r"[*?[]")


@dataclass(frozen=True)
class Discovery:
    """What PATHS hold: proposals to review and other files passed over, both sorted."""

    proposals: tuple[str, ...]
    skipped: tuple[str, ...]  # files found in folders or by globs (or named) without the marker
    root: str  # absolute folder the reports mirror paths from (common to every PATH)
    unmatched: tuple[str, ...] = ()  # glob patterns that matched no file
    unreadable: tuple[tuple[str, str], ...] = ()  # (folder, why) that could not be searched


def find_proposals(paths: Sequence[str], *, named_need_marker: bool = True) -> Discovery:
    """Proposals in PATHS. Folders are searched recursively for ``*.yaml``/``*.yml`` files,
    passing over hidden files and folders; a path that does not exist but has glob characters
    is expanded as a glob. A candidate is a proposal when a line starts with the marker; one
    that cannot be read is kept, so that its review says what is wrong with it. Files named in
    PATHS are candidates when `named_need_marker`, and always proposals otherwise."""
    proposals: dict[str, str] = {}
    skipped: dict[str, str] = {}
    unmatched: list[str] = []
    unreadable: dict[str, str] = {}
    for given in paths:
        if is_pattern(given):
            matches = list(_glob(given))
            if not matches:
                unmatched.append(given)
            found = (c for m in matches for c in _candidates(m, unreadable, named=False))
        else:
            found = _candidates(given, unreadable, named=True)
        for candidate, named in found:
            path = os.path.normpath(candidate)
            wanted = (named and not named_need_marker) or has_marker(path)
            (proposals if wanted else skipped).setdefault(os.path.abspath(path), path)
    return Discovery(
        proposals=tuple(sorted(proposals.values())),
        skipped=tuple(sorted(p for key, p in skipped.items() if key not in proposals)),
        root=_common_folder([p for p in paths if not is_pattern(p)] + list(proposals.values())),
        unmatched=tuple(unmatched),
        unreadable=tuple(sorted(unreadable.items())),
    )


def is_pattern(path: str) -> bool:
    """Whether a path is to be expanded as a glob: it has glob characters and names no file
    (a file literally named `a[1].yaml` is taken as it is)."""
    return bool(_GLOB_CHARS.search(path)) and not os.path.lexists(path)


def _glob(pattern: str) -> Iterator[str]:
    """Files and folders matching a pattern, sorted; like a shell, `*` matches no hidden name."""
    yield from sorted(glob.glob(pattern, recursive=True))


def _candidates(
    path: str, unreadable: dict[str, str], *, named: bool
) -> Iterator[tuple[str, bool]]:
    """(file, whether it was named) for a path: a folder's YAML files, or the path itself."""
    if os.path.isdir(path):
        for found in _yaml_files(path, unreadable):
            yield found, False
    else:
        yield path, named


def _yaml_files(folder: str, unreadable: dict[str, str]) -> Iterator[str]:
    """YAML files under a folder, hidden ones left out; a folder that cannot be listed goes
    into `unreadable` (with why), and the walk goes on. Links to folders are not followed, so
    a link loop cannot trap the walk."""

    def note(error: OSError) -> None:
        where = os.path.normpath(error.filename or folder)
        unreadable[where] = error.strerror or str(error)

    for parent, folders, files in os.walk(folder, onerror=note):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            if name.endswith(PROPOSAL_SUFFIXES) and not name.startswith("."):
                yield os.path.join(parent, name)


def has_marker(path: str, limit: int = DEFAULT_MAX_BYTES) -> bool:
    """Whether the file has the ``ctreview:`` key, reading at most `limit` bytes line by line
    (the marker is usually in the first lines): a line that starts with it, or, in a file
    written in flow style such as JSON (its first character is `{`), the key after a `{` or
    a `,`. A path that is not a readable regular file counts as a proposal: its review
    reports why it cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return True
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return True
        at_line_start, remaining, flow = True, limit, None
        while remaining > 0:
            line = handle.readline(min(remaining, _LINE_LIMIT))
            if not line:
                return False
            if flow is None and line.strip(b" \t\r\n\xef\xbb\xbf"):
                flow = line.lstrip(b" \t\xef\xbb\xbf").startswith(b"{")
            if at_line_start and _MARKER.match(line) or flow and _FLOW_MARKER.search(line):
                return True
            at_line_start = line.endswith(b"\n")
            remaining -= len(line)
    return False


def _common_folder(paths: Sequence[str]) -> str:
    folders = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in paths]
    return os.path.commonpath(folders) if folders else os.path.abspath(".")


# --- what `ctreview check` is given -----------------------------------------------------------


class InputsError(ValueError):
    """Arguments that cannot be used together (a usage error, exit code 2)."""


@dataclass(frozen=True)
class CheckInputs:
    """The proposals `check` reviews, from its FILES: discovered files and standard input."""

    discovery: Discovery
    stdin: str | None  # the name of the proposal read from standard input, if `-` was given
    proposals_only: bool

    @property
    def proposals(self) -> tuple[str, ...]:
        return self.discovery.proposals

    @property
    def names(self) -> tuple[str, ...]:
        """Every file given or found, which no report may overwrite."""
        named = (self.stdin,) if self.stdin else ()
        return (*self.discovery.proposals, *self.discovery.skipped, *named)

    def refused(self) -> list[Review]:
        """A review with an input error for each glob pattern that matched nothing and each
        folder that could not be searched (the rest is reviewed)."""
        unmatched = [
            Review(
                pattern,
                input_error=InputError(
                    pattern,
                    "no file matches this pattern",
                    "Check it for typos; quote a pattern so that ctreview expands it "
                    "(`**` matches any number of folders)",
                ),
            )
            for pattern in self.discovery.unmatched
        ]
        return unmatched + unreadable_folders(self.discovery)

    def skipped_note(self) -> str | None:
        """What was passed over, for standard error (None when nothing was)."""
        skipped = len(self.discovery.skipped)
        if not skipped:
            return None
        files = "file" if skipped == 1 else "files"
        return f"skipped {skipped} {files} without the `ctreview:` marker (not proposals)"

    def nothing_found(self) -> str:
        """Why there is nothing to review (the skipped files are reported on their own)."""
        return (
            "no proposal found among the paths given; a proposal is a YAML file with a "
            "top-level `ctreview: proposal/v1` line"
        )


def unreadable_folders(discovery: Discovery) -> list[Review]:
    """A review with an input error for each folder that could not be searched: its
    proposals are unknown, which must not read as "none"."""
    return [
        Review(
            folder,
            input_error=InputError(
                folder,
                f"this folder cannot be read ({why}), so its proposals were not reviewed",
                "Check its permissions",
            ),
        )
        for folder, why in discovery.unreadable
    ]


def check_inputs(
    files: Sequence[str], *, proposals_only: bool = False, stdin_filename: str | None = None
) -> CheckInputs:
    """Sort out FILES: `-` is standard input (once), the rest is discovered (see find_proposals;
    named files are reviewed whatever they hold unless `proposals_only`)."""
    reads_stdin = files.count(STDIN)
    if reads_stdin > 1:
        raise InputsError("`-` (standard input) can be given only once")
    if stdin_filename and not reads_stdin:
        raise InputsError("--stdin-filename names the proposal read from `-`; give `-` too")
    paths = [path for path in files if path != STDIN]
    discovery = find_proposals(paths, named_need_marker=proposals_only)
    stdin = (stdin_filename or "<stdin>") if reads_stdin else None
    return CheckInputs(discovery, stdin, proposals_only)
