"""reviewer/pool.py: worker processes that survive one of them dying, results in item order."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from reviewer.pool import run_ordered

_DEADLINE_SECONDS = 60  # each test takes well under a second


@pytest.fixture(autouse=True)
def _deadline() -> Iterator[None]:
    """A pool that loses an item waits for it forever: fail the test instead of hanging the
    suite (the parent process waits in poll, which the alarm interrupts)."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"the pool gave no result within {_DEADLINE_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(_DEADLINE_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _square_or_die(item: int) -> int:
    if item == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    if item == 5:
        raise ValueError("five is refused")
    return item * item


def _failure(item: int, why: str) -> str:
    return f"{item} failed: {why}"


def _broken_start() -> None:
    raise RuntimeError("no catalogue")


def test_results_come_in_item_order_and_only_the_failing_items_fail() -> None:
    results = list(run_ordered(_square_or_die, list(range(10)), 3, _failure))
    assert results[:3] == [0, 1, 4]
    assert (
        results[3] == "3 failed: the worker process reviewing it was killed by SIGKILL "
        "(the system may have run out of memory)"
    )
    assert results[4] == 16
    assert results[5] == "5 failed: ValueError: five is refused"
    assert results[6:] == [36, 49, 64, 81]


def _die_on_one(item: int) -> int:
    if item == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return item * item


def test_the_item_queued_behind_a_killed_one_is_reviewed_by_its_replacement() -> None:
    """A worker holds the item it works on and the next; when it dies, only the first fails
    and the one queued behind it goes to the replacement (one worker: no other could take it)."""
    results = list(run_ordered(_die_on_one, [0, 1, 2, 3], 1, _failure))
    assert results[0] == 0 and results[2:] == [4, 9]
    assert results[1].startswith("1 failed: the worker process reviewing it was killed")


def test_more_jobs_than_items_and_an_empty_list() -> None:
    assert list(run_ordered(abs, [-1, -2], 8, _failure)) == [1, 2]
    assert list(run_ordered(abs, [], 2, _failure)) == []


def test_an_initializer_that_fails_fails_every_item_without_hanging() -> None:
    results = list(run_ordered(abs, [1, 2, 3], 2, _failure, initializer=_broken_start))
    assert results == [
        f"{n} failed: the worker could not start (RuntimeError: no catalogue)" for n in (1, 2, 3)
    ]
