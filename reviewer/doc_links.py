"""Where ctreview's documentation is: online, and offline in the installed package.

Reports point users to a page per rule (SARIF ``helpUri``, the text output, `ctreview explain`)
and hints point to the proposal format. Both must resolve for someone who installed ctreview
with pip, so every page exists twice: in the repository's docs/ folder, read on its hosting,
and in the package (the wheel ships docs/rules/ and docs/proposal-format.md as
``reviewer/_data/docs/``; see pyproject.toml).

REPOSITORY_URL is the one place that names where the repository is published. It is provisional
until the project has a public home: change it here and everything follows (a test checks that
the README and docs/ name the same URL). An organisation that hosts its own copy of the pages
sets CTREVIEW_DOCS_URL to their base (the folder that holds rules/ and proposal-format.md).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from reviewer.paths import data_dir
from reviewer.rules import Rule

REPOSITORY_URL = "https://github.com/ctreview/ctreview"
DOCS_BRANCH = "main"  # no release is tagged yet; pages are read from the default branch
DOCS_URL_VARIABLE = "CTREVIEW_DOCS_URL"
RULES_FOLDER = "rules"
FORMAT_PAGE = "proposal-format.md"
# A URL we print into terminals, CI logs and reports: http(s), printable ASCII, nothing that
# could end a quoted attribute or a terminal sequence.
_SAFE_URL = re.compile(r"https?://[A-Za-z0-9._~:/?#@!$&()*+,;=%-]+")


class DocsURLError(ValueError):
    """CTREVIEW_DOCS_URL is set to something that is not a plain http(s) URL."""


def docs_base_url() -> str:
    """The online folder of the documentation (no trailing slash)."""
    configured = os.environ.get(DOCS_URL_VARIABLE, "").strip()
    if not configured:
        return f"{REPOSITORY_URL}/blob/{DOCS_BRANCH}/docs"
    if not _SAFE_URL.fullmatch(configured):
        raise DocsURLError(
            f"{DOCS_URL_VARIABLE} must be an http(s) URL of printable characters, "
            f"e.g. https://example.org/ctreview/docs; it is {configured!r}"
        )
    return configured.rstrip("/")


def doc_url(page: str) -> str:
    """The online address of a page of docs/, e.g. doc_url('proposal-format.md')."""
    return f"{docs_base_url()}/{page}"


def doc_path(page: str) -> Path | None:
    """The offline copy of a page of docs/ (installed package or source checkout), if present."""
    path = data_dir("docs") / page
    return path if path.is_file() else None


def rule_page(rule_id: str) -> str:
    """The page of a rule under docs/, e.g. 'rules/AWR-002.md'."""
    return f"{RULES_FOLDER}/{rule_id}.md"


def is_bundled(rule: Rule) -> bool:
    """Whether a rule comes with ctreview (a funder's own rules have no page of ours)."""
    return bool(rule.file) and Path(rule.file).resolve().parent == data_dir("rules").resolve()


def rule_url(rule: Rule) -> str | None:
    """The online page of a bundled rule; None for rules from other rule directories."""
    return doc_url(rule_page(rule.id)) if is_bundled(rule) else None


def format_hint() -> str:
    """Where to read about the proposal format, for messages about invalid files."""
    offline = doc_path(FORMAT_PAGE)
    where = f" (offline: {offline})" if offline else ""
    return f"the format is described field by field at {doc_url(FORMAT_PAGE)}{where}"
