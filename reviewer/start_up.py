"""The cycle collector while ctreview starts: paused from the first import until the
reviewer is built, then resumed with what start-up made frozen.

Start-up allocates some hundred thousand objects that live as long as the process: modules,
classes, the knowledge base, the rule catalogue, the compiled engine, lexicons. With the
collector on, its collections walk them again and again while they are made (~25-30 ms of a
cold `ctreview check` of ~0.22 s), and each full collection later in a long `screen` walks
them once more. `gc.freeze()` moves them into a permanent generation that collections never
walk, as the `gc` documentation advises for processes that fork workers; what start-up
allocated and dropped in cycles stays (a few hundred kB).

Only the console entry points (`reviewer/__main__.py`) call `pause`; `resume` is called where
the command line builds a reviewer (`cli._reviewer`) and does nothing unless `pause` paused
the collector, so a program that imports ctreview keeps its collector as it was. A command
that builds no reviewer (`--help`, `scaffold`) is short and runs with the collector paused.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Pause the collector (if it runs) until `resume`."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Freeze every object made so far and resume the collector, if `pause` paused it; once."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
