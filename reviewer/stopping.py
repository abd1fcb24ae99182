"""Stopping on a signal: SIGINT and SIGTERM end a run cleanly, with the conventional status.

A run stopped by SIGINT (Ctrl-C) or SIGTERM (a cancelled CI job, a stopped container) unwinds
like an exception, so that a report being written is removed rather than left half-written
(see reviewer.output) and `screen` stops its workers; the process then exits with 128 + the
signal's number (130, 143), as a shell reports a program that a signal stopped.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class Stopped(BaseException):
    """A signal asked the run to stop. A BaseException, like KeyboardInterrupt, so that no
    `except Exception` turns it into an error row or a message."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum

    @property
    def status(self) -> int:
        return 128 + self.signum


def stop_on_signals() -> None:
    """From now on SIGINT and SIGTERM raise `Stopped` in this process (the main thread)."""
    for signum in sorted(_STOP_SIGNALS):
        signal.signal(signum, _raise_stopped)


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM for a few statements that must not be cut in two (a temporary
    file created and its name kept, so that it can be removed): a signal that arrives meanwhile
    is delivered, and raises `Stopped`, once the block ends. Where the platform cannot hold
    signals the block runs as it is."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
