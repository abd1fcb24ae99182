"""Text in any encoding: surrogate escapes, file names that are not UTF-8, terminals that are not.

JSON tools escape a character beyond U+FFFF as a surrogate pair (`"\\ud83d\\ude00"`); YAML reads
each half as a lone surrogate, which no UTF-8 output can carry. A file name may be any bytes.
A terminal may use Latin-1 or ASCII. None of these may end in an internal error.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from robustness_helpers import SAMPLES, TODAY, invoke, one_reviewer, run_ctreview

from reviewer.loader import InputError, load_text
from reviewer.report import FORMATS

pytestmark = pytest.mark.usefixtures(one_reviewer.__name__)

SAMPLE = next(p for p in SAMPLES if p.name == "awareness-et.yaml")
PAIRED = 'ctreview: proposal/v1\nid: smile\ntitle: "\\ud83d\\ude00 and \\uD83C\\uDF0D"\n'
LONE = 'ctreview: proposal/v1\nid: smile\ntitle: "ok"\norganisation: "half \\ud83d a pair"\n'
JSON_PROPOSAL = '{"ctreview": "proposal/v1", "id": "j", "title": "\\ud83d\\ude00 JSON"}\n'


def test_an_escaped_surrogate_pair_is_the_character_it_stands_for() -> None:
    assert load_text(PAIRED).data["title"] == "\U0001f600 and \U0001f30d"
    assert load_text(JSON_PROPOSAL).data["title"] == "\U0001f600 JSON"


def test_an_unpaired_surrogate_is_refused_at_its_place() -> None:
    with pytest.raises(InputError) as caught:
        load_text(LONE, "p.yaml")
    error = caught.value
    assert (error.line, error.column) == (4, 15)
    assert "unpaired surrogate escape (\\ud83d)" in error.message


@pytest.mark.parametrize("fmt", FORMATS)
def test_surrogate_escapes_in_every_format(fmt: str, tmp_path: Path) -> None:
    paired = tmp_path / "paired.yaml"
    paired.write_text(PAIRED, encoding="utf-8")
    result = invoke("check", "--no-config", "--today", TODAY, paired, "-f", fmt)
    assert result.exit_code == 1, result.output
    if fmt in ("markdown", "html", "json"):
        assert "\U0001f600" in result.stdout or "\\ud83d\\ude00" in result.stdout
    lone = tmp_path / "lone.yaml"
    lone.write_text(LONE, encoding="utf-8")
    target = tmp_path / f"report.{fmt}"
    result = invoke("check", "--no-config", lone, "-f", fmt, "-o", f"{fmt}={target}")
    assert result.exit_code == 2 and "unpaired surrogate" in result.stdout + result.stderr
    assert "lone.yaml" in target.read_text(encoding="utf-8")


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes on Linux only")
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_name_that_is_not_utf8_in_every_format(fmt: str, tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    name = os.fsdecode(folder + b"/caf\xe9 \xff.yaml")  # Latin-1 bytes: surrogates in Python
    shutil.copy(SAMPLE, name)
    target = tmp_path / f"report.{fmt}"
    result = invoke(
        "check", "--no-config", "--today", TODAY, name, "-f", fmt, "-o", f"{fmt}={target}"
    )
    assert result.exit_code == 1, result.output
    written = target.read_bytes()
    written.decode("utf-8")  # the report is UTF-8
    assert b"caf" in written
    if fmt == "sarif":
        uris = {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(written)["runs"][0]["results"]
        }
        assert uris == {Path(name).as_uri()}, "the URI names the file's own bytes"


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "latin-1"},
        {"PYTHONIOENCODING": "ascii"},
        {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
    ],
    ids=["latin-1", "ascii", "c-locale"],
)
def test_a_terminal_that_is_not_utf8_gets_escapes_not_an_internal_error(env, tmp_path) -> None:
    proposal = Path(shutil.copy(SAMPLE, tmp_path / "日本 — proposal.yaml"))
    paired = tmp_path / "paired.yaml"
    paired.write_text(PAIRED, encoding="utf-8")
    for args in (
        ["check", "--no-config", "--today", TODAY, proposal, paired],
        ["check", "--no-config", "--today", TODAY, proposal, paired, "-f", "markdown"],
        ["check", "--no-config", tmp_path / "missing — file.yaml"],
        ["explain", "AWR-002"],
        ["screen", "--no-config", "--today", TODAY, "--jobs", "1", tmp_path],
    ):
        done = run_ctreview(args, **env)
        assert done.returncode in (0, 1, 2), done.stderr
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    done = run_ctreview(["check", "--no-config", "--today", TODAY, paired, "-f", "markdown"], **env)
    assert "\\U0001f600" in done.stdout or "\U0001f600" in done.stdout
