"""Worker processes that survive one of them dying: `screen`'s parallel reviews.

`concurrent.futures.ProcessPoolExecutor` breaks for good when a worker dies (every pending
item then fails with BrokenProcessPool), and `multiprocessing.Pool` waits forever for the item
a killed worker held. A funder's screening run must end with a complete portfolio even if the
kernel's out-of-memory killer takes a worker, so this pool hands each worker two items at a
time (the one it works on and the next, so that it never waits for the parent): when a
worker dies, the pool knows the item it was working on, reports it through `on_failure`,
hands the queued one to a replacement and goes on. Results come back in item order, so the
number of workers never changes the output.

Stopping: when the parent is asked to stop (`Stopped`, from SIGINT or SIGTERM, see
stopping.py) or fails, the pool sends SIGTERM to its workers and waits for them before the
exception goes on. A worker turns SIGTERM into `Stopped` too, so a report it is writing is
removed rather than left half-written (see output.py); it ignores SIGINT, which a terminal
sends to the whole process group: the parent decides.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

from reviewer.stopping import Stopped, stop_on_signals

Item = TypeVar("Item")
Result = TypeVar("Result")
_STOP_GRACE_SECONDS = 10  # how long a worker has to clean up after SIGTERM, before SIGKILL


@dataclass(frozen=True)
class _Raised:
    """What a worker sends back when the function raised instead of returning."""

    reason: str


# Items a worker holds at once: the one it works on and the next, queued in its pipe, so that
# it never waits for the parent between two items (with as many workers as cores, the parent
# shares a core with them and may not be scheduled at once).
_HELD = 2


@dataclass
class _Worker(Generic[Item]):
    process: BaseProcess
    connection: Connection
    # indexes of the items handed to it, in order: it works on the first
    holding: deque[int] = field(default_factory=deque)
    finished: bool = False  # told to finish (no items left)


def run_ordered(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    jobs: int,
    on_failure: Callable[[Item, str], Result],
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[Result]:
    """`function(item)` for every item, in `jobs` worker processes, yielded in item order.
    An item whose worker dies or raises gets `on_failure(item, why)` instead."""
    context = multiprocessing.get_context()

    def start() -> _Worker[Item]:
        return _start(context, function, initializer, initargs)

    queue = deque(range(len(items)))
    done: dict[int, Result] = {}
    workers = [start() for _ in range(min(jobs, len(items)))]
    next_index = 0
    try:
        for slot in range(len(workers)):
            _hand(workers, slot, items, queue, start)
        while next_index < len(items):
            for slot in _ready(workers):
                worker = workers[slot]
                index, result = _collect(worker, items, on_failure)
                done[index] = result
                if worker.connection.closed:  # it died: a new one takes its place
                    queue.extendleft(reversed(worker.holding))  # queued, never started
                    worker.holding.clear()
                    if not queue:
                        continue
                    workers[slot] = start()
                _hand(workers, slot, items, queue, start)
            while next_index in done:
                yield done.pop(next_index)
                next_index += 1
    finally:
        _stop(workers)


def _start(
    context: Any,
    function: Callable[[Any], Any],
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
) -> _Worker[Any]:
    ours, theirs = context.Pipe()
    process = context.Process(
        target=_serve, args=(theirs, function, initializer, initargs), daemon=True
    )
    process.start()
    theirs.close()
    return _Worker(process, ours)


def _hand(
    workers: list[_Worker[Item]],
    slot: int,
    items: Sequence[Item],
    queue: deque[int],
    start: Callable[[], _Worker[Item]],
) -> None:
    """Give the worker in `slot` items until it holds `_HELD` (with none left and none held,
    tell it to finish). A worker that died while idle never had the items: it is replaced
    and they are handed again."""
    while True:
        worker = workers[slot]
        try:
            while len(worker.holding) < _HELD and queue:
                worker.connection.send((queue[0], items[queue[0]]))
                worker.holding.append(queue.popleft())
            if not worker.holding and not worker.finished:
                worker.finished = True
                worker.connection.send(None)
            return
        except (BrokenPipeError, ConnectionResetError, EOFError):
            if worker.finished:
                return
            queue.extendleft(reversed(worker.holding))
            _end(worker)
            workers[slot] = start()


def _ready(workers: list[_Worker[Any]]) -> list[int]:
    """The slots of busy workers that answered or died (waits until at least one did)."""
    busy = [slot for slot, w in enumerate(workers) if w.holding]
    waited: list[Any] = [workers[s].connection for s in busy]
    waited += [workers[s].process.sentinel for s in busy]
    ready = set(multiprocessing.connection.wait(waited))
    return [
        s for s in busy if workers[s].connection in ready or workers[s].process.sentinel in ready
    ]


def _collect(
    worker: _Worker[Item], items: Sequence[Item], on_failure: Callable[[Item, str], Result]
) -> tuple[int, Result]:
    """The answer of a worker that is ready: the result of the first item it holds, or that
    item's failure if it died (the items queued behind it stay held, to be handed again)."""
    index = worker.holding.popleft()
    try:
        if worker.connection.poll():
            answered, value = worker.connection.recv()
            if answered == index and isinstance(value, _Raised):
                return index, on_failure(items[index], value.reason)
            if answered == index:
                return index, value
    except (EOFError, OSError):
        pass
    _end(worker)
    return index, on_failure(items[index], _death(worker.process.exitcode))


def _end(worker: _Worker[Any]) -> None:
    """Wait for a worker that has died and let its connection go."""
    worker.process.join()
    worker.connection.close()


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        why = " (the system may have run out of memory)" if name == "SIGKILL" else ""
        return f"the worker process reviewing it was killed by {name}{why}"
    return f"the worker process reviewing it stopped unexpectedly (exit code {exitcode})"


def _stop(workers: list[_Worker[Any]]) -> None:
    """End every worker: politely when idle, with SIGTERM when busy (then SIGKILL if it has
    not cleaned up in time)."""
    for worker in workers:
        if not worker.holding and not worker.connection.closed:
            continue  # idle: told to finish, or will be when its connection closes
        if worker.process.is_alive():
            worker.process.terminate()
    for worker in workers:
        worker.process.join(_STOP_GRACE_SECONDS)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        if not worker.connection.closed:
            worker.connection.close()


def _serve(
    connection: Connection,
    function: Callable[[Any], Any],
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
) -> None:
    """A worker's life: take an item, send its result, until told to finish."""
    stop_on_signals()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        broken = _prepared(initializer, initargs)
        while (message := connection.recv()) is not None:
            index, item = message
            try:
                value = broken or function(item)
            except Exception as error:  # noqa: BLE001 - reported as this item's failure
                value = _Raised(f"{type(error).__name__}: {error}")
            connection.send((index, value))
    except Stopped as stop:
        sys.exit(stop.status)
    except (EOFError, OSError):
        pass  # the parent has gone: nothing left to do


def _prepared(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> Any:
    """Run the initializer; if it fails, what every item of this worker gets instead (a new
    worker would fail the same way)."""
    try:
        if initializer is not None:
            initializer(*initargs)
    except Exception as error:  # noqa: BLE001 - each item reports it
        return _Raised(f"the worker could not start ({type(error).__name__}: {error})")
    return None
