"""The cycle collector at start-up (reviewer/start_up.py): paused by the command line's entry
points until the reviewer is built, then resumed with the start-up's objects frozen; never
touched for a program that imports ctreview."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(script: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return done.stdout.split()


def test_the_command_line_pauses_the_collector_until_its_reviewer_is_built():
    script = (
        "import gc\n"
        "from reviewer import start_up\n"
        "start_up.pause()\n"
        "import reviewer.cli\n"
        "paused = not gc.isenabled()\n"
        "reviewer.cli._reviewer([])\n"
        "print(paused, gc.isenabled(), gc.get_freeze_count())\n"
        "start_up.resume()\n"  # once only: nothing more is frozen
        "print(gc.get_freeze_count())\n"
    )
    paused, enabled, frozen, frozen_after = _run(script)
    assert paused == "True" and enabled == "True"
    assert int(frozen) > 10_000  # the modules, knowledge base, rules and engine
    assert frozen_after == frozen


def test_a_program_that_imports_ctreview_keeps_its_collector():
    script = (
        "import gc\n"
        "import reviewer.cli\n"
        "reviewer.cli._reviewer([])\n"
        "gc.disable()\n"
        "reviewer.cli._reviewer([])\n"  # a collector its program paused stays paused
        "print(gc.isenabled(), gc.get_freeze_count())\n"
    )
    assert _run(script) == ["False", "0"]


def test_the_console_script_and_python_m_go_through_the_pause():
    """Both entry points are `reviewer.__main__.run`, which pauses the collector before the
    command line's modules are imported (here a stand-in for reviewer.cli reports it)."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert scripts["project"]["scripts"]["ctreview"] == "reviewer.__main__:run"
    script = (
        "import gc, runpy, sys, types\n"
        "stand_in = types.ModuleType('reviewer.cli')\n"
        "stand_in.main = lambda: print(gc.isenabled())\n"
        "sys.modules['reviewer.cli'] = stand_in\n"
        "runpy.run_module('reviewer', run_name='__main__')\n"
    )
    assert _run(script) == ["False"]
