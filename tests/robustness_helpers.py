"""Shared by the robustness tests (fuzz, hostile input, invariants, injection).

They run the real command line in-process, strictly: `catch_exceptions=False`, so an exception
that `reviewer.cli.main` would have turned into "internal error" fails the test with its
traceback instead. Building the rule catalogue takes about a second, so the tests share one
`Reviewer` per set of rule directories, as one CLI run does.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

from reviewer import cli

REPO = Path(__file__).resolve().parent.parent
SAMPLES = tuple(sorted((REPO / "samples").glob("*.yaml")))
FORMATS = ("text", "markdown", "html", "json", "sarif", "junit", "github")
EXIT_CODES = (0, 1, 2)
TODAY = "2027-01-01"  # waiver expiries are judged against it, so runs are reproducible
# Hypothesis budgets are small and fixed (derandomized) so the suite stays fast and repeatable;
# CTREVIEW_FUZZ_SCALE=20 (say) searches twenty times longer with fresh random examples.
SCALE = int(os.environ.get("CTREVIEW_FUZZ_SCALE", "1"))


@pytest.fixture(scope="module")
def one_reviewer() -> Iterator[None]:
    """Build each rule catalogue once per test module, as one CLI run builds it once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli, "_reviewer", functools.cache(cli._reviewer))
        yield


def invoke(*args: str | os.PathLike[str]) -> Result:
    """Run `ctreview ARGS` in-process; any exception escapes (it would be an internal error)."""
    result = CliRunner().invoke(cli.cli, [os.fspath(a) for a in args], catch_exceptions=False)
    assert result.exit_code in EXIT_CODES, result.output
    assert "Traceback" not in result.output
    return result


def check(path: Path, *options: str) -> Result:
    """`ctreview check --no-config PATH OPTIONS`, asserting the input is left as it was."""
    before = path.read_bytes()
    result = invoke("check", "--no-config", "--today", TODAY, path, *options)
    assert path.read_bytes() == before, "ctreview changed its input file"
    return result


def run_ctreview(
    args: Sequence[str | os.PathLike[str]],
    *,
    timeout: float = 60,
    cwd: Path | None = None,
    preexec_fn: Any = None,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """The installed console script in a child process (what a terminal or CI sees)."""
    script = Path(sys.executable).parent / "ctreview"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "reviewer"]
    return subprocess.run(
        [*command, *map(os.fspath, args)],
        capture_output=True,
        text=True,
        errors="replace",  # a child told to write Latin-1 (tests of other locales)
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", **env},
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        preexec_fn=preexec_fn,
        check=False,
    )


# Linux capabilities that let root read and write whatever the permissions say.
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _PR_CAPBSET_DROP = 1, 2, 24


def _drop_permission_override() -> None:
    """In a child process, before exec: lose root's power to ignore file permissions (dropped
    from the bounding set, so the program run as uid 0 does not get it back)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


def run_as_ordinary_user(
    args: Sequence[str | os.PathLike[str]], **options: Any
) -> subprocess.CompletedProcess[str]:
    """`run_ctreview`, with file permissions enforced even when the tests run as root (as in
    containers), so that an unreadable file or a read-only folder is one for ctreview too.
    Skips where the OS cannot show it."""
    if sys.platform != "linux":
        pytest.skip("permissions are only enforced for root by dropping Linux capabilities")
    if os.geteuid() != 0:
        return run_ctreview(args, **options)
    try:
        return run_ctreview(args, preexec_fn=_drop_permission_override, **options)
    except subprocess.SubprocessError as error:
        pytest.skip(f"cannot drop root's permission override here ({error})")


def yaml_safe() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.representer.ignore_aliases = lambda data: True  # ctreview refuses aliases
    return yaml


def load_plain(path: Path) -> Any:
    """A sample as plain Python data (dicts, lists, scalars; dates stay dates)."""
    return yaml_safe().load(path.read_text(encoding="utf-8"))


def dump_yaml(data: Any, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as stream:
        yaml_safe().dump(data, stream)
    return path


def schema_words(schema: Any) -> tuple[list[str], list[str]]:
    """Every property name and enum value in a JSON Schema: words the fuzzers build inputs
    from, so that generated data gets past the first key."""
    keys: set[str] = set()
    values: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                keys.update(node["properties"])
            if isinstance(node.get("enum"), list):
                values.update(str(value) for value in node["enum"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(schema)
    return sorted(keys), sorted(values)
