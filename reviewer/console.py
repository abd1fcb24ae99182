"""Standard output and standard error: every line a command prints goes through here.

- Outside text reaches these functions already made inert by the code that quotes it (reports,
  `reviewer.inert`); `err` makes each message line inert once more, because messages quote
  file names and other text from the user. No printed line can start a CI workflow command
  (`guard_commands`), except the GitHub annotations ctreview writes on purpose.
- Printing fails the conventional way, never with a traceback: when the reader of standard
  output goes away (`ctreview ... | head`) the run stops quietly with status 141, what a shell
  reports for a program stopped by a closed pipe (128 + SIGPIPE); when standard output is
  closed or cannot be written (`>&-`, `/dev/full`) it is an `OutputError`, reported on standard
  error with exit code 2, so a truncated report never passes for a complete one.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
from typing import TextIO

import click

from reviewer.inert import guard_commands, inert
from reviewer.output import OutputError, reason

PIPE_CLOSED_STATUS = 128 + signal.SIGPIPE
STDOUT = "standard output"


class ReaderGone(Exception):
    """The reader of standard output has gone: nothing more can be shown, nothing is wrong."""


def out(text: str, *, workflow_commands: bool = False) -> None:
    """Print `text` (with its own line ends) on standard output. `workflow_commands`: the
    text is ctreview's own GitHub annotations, whose lines start with `::` on purpose."""
    stream = sys.stdout
    if stream is None:  # started with standard output closed
        raise OutputError(STDOUT, "it is closed")
    try:
        _write_all(stream, text if workflow_commands else guard_commands(text))
    except BrokenPipeError:
        raise ReaderGone from None
    except OSError as error:
        raise OutputError(STDOUT, reason(error)) from None
    except ValueError:  # "I/O operation on closed file"
        raise OutputError(STDOUT, "it is closed") from None


def _write_all(stream: TextIO, text: str) -> None:
    """Write every byte, or fail. An unbuffered standard output (PYTHONUNBUFFERED, `python -u`)
    writes to the raw file, whose write may take only part of the text (a pipe whose reader
    left); the text layer drops the rest without an error, so the rest is written here until
    the pipe says it is closed. Characters the stream's encoding lacks become escapes."""
    binary = getattr(stream, "buffer", None)
    if binary is None:  # a text-only stream
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    data = memoryview(text.encode(stream.encoding or "utf-8", errors="backslashreplace"))
    while data:
        written = binary.write(data)
        if written is None:  # a non-blocking descriptor that is full: wait until it is not
            select.select([], [binary.fileno()], [])
            continue
        data = data[written:]
    binary.flush()


def message(*lines: str) -> str:
    """Message lines as printed: each made inert (a file name with a line break or an escape
    sequence stays on its line and shows as `\\x0a`, `\\x1b`), none starting a workflow command."""
    return guard_commands("\n".join(inert(line) for line in lines))


def err(*lines: str) -> None:
    """Print message lines on standard error (see `message`); nothing when there are none."""
    if not lines:
        return
    with contextlib.suppress(OSError, ValueError):  # standard error gone: nowhere left to say it
        click.echo(message(*lines), err=True)


def tolerate_any_encoding() -> None:
    """Let every character through, whatever the locale: a character the terminal's encoding
    cannot show is printed as an escape (`\\u65e5`), never an internal error."""
    for stream in (sys.stdout, sys.stderr):
        # closed, or not a text stream of its own (a test runner's): leave it alone
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]


def release_stdout() -> None:
    """Flush standard output before the interpreter does; if it cannot take the rest (a
    closed pipe, a full disk), send the rest to /dev/null, so that exiting stays quiet."""
    stream = sys.stdout
    if stream is None:
        return
    try:
        stream.flush()
    except (OSError, ValueError):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):
            pass
