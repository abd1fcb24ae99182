"""Writing files safely: the one module every file ctreview writes goes through.

Reports, baselines, portfolios, `init` skeletons and the generated documents are all written
here, so that the same promises hold for each (docs/security.md, "No writing except where
told"):

- **atomic**: the content goes to a temporary file in the target's folder, which is then
  renamed over the target, so a reader never sees half a report, and a failed or interrupted
  write leaves the old file (or none) and no temporary file;
- **never through a link**: a symbolic link at the target path is replaced by the report, the
  file it points to is left alone (as ``sed -i`` does), so a link committed to a repository
  cannot make a report overwrite a file elsewhere;
- **never over an input** of the same run (a proposal, a configuration, the baseline, a rule
  file), whether named directly or through a link;
- **the umask decides the mode** of a new file, as for any file a program creates;
- **streams are streams**: ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N`` and an existing
  device, FIFO or socket at the target are written to, never replaced; every other path,
  including one under ``/dev/shm``, is a file and is replaced atomically;
- **a failed write is an output error** (`OutputError`: full disk, file-size limit, name too
  long, read-only or missing folder, permission), naming the file and the reason.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from reviewer.stopping import signals_held

# Paths that name a file descriptor of this process rather than a file of their own.
_DESCRIPTOR_PATH = re.compile(r"/dev/(?:stdout|stderr|fd/\d+)|/proc/(?:self|thread-self)/fd/\d+")
_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EFBIG: "the file would exceed the file-size limit",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOENT: "a folder on the path does not exist",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "it is a folder",
    errno.EBADF: "it is closed",
}


class OutputError(Exception):
    """A file (or standard output) that cannot be written: never the input's fault."""

    def __init__(self, target: str, reason: str) -> None:
        self.target = target
        self.reason = reason
        super().__init__(f"cannot write {target}: {reason}")


def reason(error: OSError) -> str:
    """What went wrong, in words, for an OutputError."""
    return _REASONS.get(error.errno or 0) or error.strerror or str(error)


def write_atomic(path: str | os.PathLike[str], content: str, inputs: Iterable[str] = ()) -> None:
    """Write `content` (UTF-8) to `path` as the module docstring promises; raise OutputError."""
    name = os.fspath(path)
    if _is_input(name, inputs):
        raise OutputError(name, "refusing to write a report over an input file of this run")
    try:
        if _is_stream(name):
            _write_stream(name, content)
        else:
            _replace(name, content)
    except OSError as error:
        raise OutputError(name, reason(error)) from None


def write_new(path: str | os.PathLike[str], content: str) -> None:
    """Write a file that must not exist yet (not even as a dangling link); raise OutputError,
    with reason "it already exists" when something is at the path."""
    name = os.fspath(path)
    try:
        with open(name, "x", encoding="utf-8", errors="backslashreplace", newline="\n") as stream:
            try:
                stream.write(content)
            except BaseException:
                os.unlink(name)
                raise
    except FileExistsError:
        raise OutputError(name, "it already exists") from None
    except OSError as error:
        raise OutputError(name, reason(error)) from None


def file_mode() -> int:
    """The mode a new file gets under the process's umask (0o644 under the usual 022)."""
    mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return 0o666 & ~mask


def _is_input(name: str, inputs: Iterable[str]) -> bool:
    """Whether writing `name` would replace an input, named directly or through a link."""
    target = {_where(name), os.path.realpath(name)}
    return any(target & {_where(p), os.path.realpath(p)} for p in inputs)


def _where(name: str) -> str:
    """The path itself, folders resolved but not the last component (a link stays a link)."""
    folder, base = os.path.split(os.path.abspath(name))
    return os.path.join(os.path.realpath(folder), base)


def _is_stream(name: str) -> bool:
    """A descriptor path, or a device, FIFO or socket that is at the path itself (a link
    to a device is a link, and is replaced like any other)."""
    if _DESCRIPTOR_PATH.fullmatch(os.path.abspath(name)):
        return True
    try:
        mode = os.lstat(name).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _write_stream(name: str, content: str) -> None:
    # Appending: truncating /dev/stdout redirected to a file would erase what was printed.
    with open(name, "a", encoding="utf-8", errors="backslashreplace", newline="\n") as stream:
        stream.write(content)


def _replace(name: str, content: str) -> None:
    folder = os.path.dirname(os.path.abspath(name))
    if os.path.isdir(name) and not os.path.islink(name):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), name)
    Path(folder).mkdir(parents=True, exist_ok=True)
    # The temporary name stays short: a target name near the 255-byte limit must still work.
    prefix = f".{os.path.basename(name)[:64]}."
    import tempfile  # here, not at the top: ~3 ms of every start, for writing files only

    temp = None
    try:
        with signals_held():  # a stop between creating the file and keeping its name left it
            handle, temp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
        _fill(handle, content)
        os.replace(temp, name)  # rename replaces a link at `name`, never what it points to
    except BaseException:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
        raise


def _fill(handle: int, content: str) -> None:
    """Write the content into the new temporary file and give it the umask's mode."""
    with os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as f:
        f.write(content)
        os.fchmod(f.fileno(), file_mode())
