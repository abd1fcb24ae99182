"""Where bundled data (rules, question banks) lives, installed or in a source checkout."""

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the bundled data directory `name`, e.g. ``data_dir("question_banks")``.

    A wheel ships the repository's data folders as ``reviewer/_data/<name>`` (see the
    force-include in pyproject.toml); a source checkout keeps them at the repository root.
    """
    installed = _PACKAGE_DIR / "_data" / name
    if installed.exists():
        return installed
    return _PACKAGE_DIR.parent / name


def real_path(path: str | os.PathLike[str]) -> Path:
    """The absolute path with every link resolved as far as it goes. Unlike `Path.resolve`
    on Python 3.11-3.12, a link loop raises nothing (RuntimeError there): the path stays as
    it is, and reading the file then reports the loop, for that file only."""
    return Path(os.path.realpath(path))
