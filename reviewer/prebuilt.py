"""The bundled rule packs, question banks and schemas, already parsed: a start-up shortcut.

Parsing those ~450 kB of YAML takes ~0.14 s even with ruamel's C loader (it resolves and
builds every scalar in Python), most of a cold `ctreview check`. `reviewer/prebuilt.jsonl`
holds the plain data of each bundled file, one line each: the SHA-256 of its text, a tab, the
data as JSON. A file whose text has a digest found there is read from it (`json.loads`, ~3 ms
for all of them); any other file (an edited rule, a user's own pack) is parsed as before. So
the shortcut can be stale but never wrong: an edited file simply misses it. Nothing is
written at run time; `ctreview generate-docs` rewrites the file and a test checks that it is
current.

Only files whose data survives JSON unchanged (no dates, only text keys) are stored. The
file also holds named stamps: `stamp:bundled-rules-validated` is the fingerprint of the bundled
rules as `generate-docs` checked them in full, so that a start whose fingerprint matches skips
checking them rule by rule (see `rules.load_catalogue`); `stamp:bundled-lexicons-validated`
does the same for the bundled lexicons (see `lexicon.load_lexicons`);
`stamp:bundled-rules-compiled` holds the bundled rules' compiled form (see `engine._compiled`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

PREBUILT_PATH = Path(__file__).resolve().parent / "prebuilt.jsonl"

# ruamel's C loader: plain data without positions, ten times faster than its pure-Python one.
# Rule packs and banks are read with it first; on any problem they are read again with
# positions (see rules.py and knowledge.py).
FAST_YAML = YAML(typ="safe", pure=False)


def load(text: str) -> Any:
    """The data of a data file's text, as `FAST_YAML.load` gives it; from the prebuilt data
    when the text is known."""
    stored = _entries().get(_digest(text))
    if stored is not None:
        return json.loads(stored)  # decoded on use: each caller gets a copy it may change
    return FAST_YAML.load(text)


def build(paths: Iterable[Path], stamps: Mapping[str, str] | None = None) -> str:
    """The content of prebuilt.jsonl for these files (sorted by digest: byte-stable), and
    the named stamps (see `stamp`)."""
    lines = {f"{_STAMP}{name}\t{value}\n" for name, value in (stamps or {}).items()}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        data = FAST_YAML.load(text)
        if _survives_json(data):
            lines.add(f"{_digest(text)}\t{json.dumps(data, ensure_ascii=False)}\n")
    return "".join(sorted(lines))


def stamp(name: str) -> str | None:
    """A value recorded when the file was written (e.g. the fingerprint of the bundled rules
    as they were validated, see `rules.validation_fingerprint`); None if there is none."""
    return _entries().get(_STAMP + name)


_STAMP = "stamp:"  # a line's key that is no digest


def bundled_files() -> list[Path]:
    """The data files the shortcut covers: bundled rule packs, lexicons, question banks and
    schemas."""
    from reviewer.paths import data_dir

    folders = (data_dir("rules"), data_dir("question_banks"), Path(__file__).parent / "schemas")
    lexicons = sorted((data_dir("rules") / "lexicons").rglob("*.yaml"))
    return [path for folder in folders for path in sorted(folder.glob("*.yaml"))] + lexicons


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def _entries() -> dict[str, str]:
    """Digest -> the JSON text of that file's data."""
    try:
        text = PREBUILT_PATH.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return {}  # a missing or unreadable file only costs time
    entries = (line.partition("\t") for line in text.splitlines())
    return {digest: data for digest, tab, data in entries if tab}


def _survives_json(data: Any) -> bool:
    if isinstance(data, dict):
        return all(isinstance(k, str) and _survives_json(v) for k, v in data.items())
    if isinstance(data, list):
        return all(map(_survives_json, data))
    return data is None or type(data) in (str, int, float, bool)
