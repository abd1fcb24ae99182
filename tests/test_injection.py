"""Report injection: proposal text is data, never markup, links, terminal or CI commands.

A proposal from outside the organisation puts HTML, scripts, `javascript:` links, Markdown
that would break a table or start a heading, ANSI and OSC escape sequences, bidirectional
controls and GitHub workflow commands into every text the reports quote (title, organisation,
component titles, pattern and group names, ids where the format allows, the file name). Every
format must show that text inertly and stay well formed.
"""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from robustness_helpers import (
    FORMATS,
    REPO,
    SAMPLES,
    TODAY,
    check,
    dump_yaml,
    invoke,
    load_plain,
    one_reviewer,
)

from reviewer import cli, doc_links
from reviewer.report.text import render_text

pytestmark = pytest.mark.usefixtures(one_reviewer.__name__)

INJECTIONS = (
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(2)">link</a>',
    "![pixel](https://evil.example/p.png)",
    "https://evil.example/track www.evil.example",
    "data:text/html;base64,PHNjcmlwdD4=",
    "| col | col |\n| --- | --- |",
    "\n# Injected heading\n",
    "\x1b[31mRED\x1b[0m \x1b]8;;https://evil.example\x07osc\x1b]8;;\x07 \x9b2J",
    "\u202eevil\u202c \u2066iso\u2069",
    "\r\n::error file=x.yaml,line=1::injected\n::add-mask::secret",
    "%0A::warning::encoded",
    "</td></tr></table><style>body{display:none}</style><!--",
    "`code` **bold** _em_ ~~strike~~ $math$ &amp; &#x3C;script&#x3E; {{7*7}} {label}",
)
HOSTILE = " ".join(INJECTIONS)
# Ids must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$: emphasis and autolink tricks fit in that.
RENAMED_IDS = {"c-microcredit": "c__micro__credit_", "p-india": "www.evil.example"}
# A file name can carry almost anything on Linux, and submitters choose it.
HOSTILE_NAME = "evil <b>x<b> [a](javascript:b) %0A,::\x1b[2J\n::warning::y.yaml"


def _proposal(text: str) -> dict[str, Any]:
    """The livelihoods sample with `text` in every label the reports quote."""
    sample = next(p for p in SAMPLES if p.name == "livelihoods-np.yaml")
    data = _renamed(copy.deepcopy(load_plain(sample)))
    data["title"] = "TITLE " + text
    data["organisation"] = "ORG " + text
    for index, component in enumerate(data["components"]):
        component["title"] = f"COMPONENT{index} {text}"
    for index, pattern in enumerate(data["trafficking_patterns"]):
        pattern["name"] = f"PATTERN{index} {text}"
    for index, group in enumerate(data["target_groups"]):
        group["name"] = f"GROUP{index} {text}"
    return data


def _renamed(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _renamed(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_renamed(item) for item in node]
    return RENAMED_IDS.get(node, node) if isinstance(node, str) else node


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dump_yaml(_proposal(HOSTILE), tmp_path_factory.mktemp("injection") / HOSTILE_NAME)


@pytest.fixture(scope="module")
def benign_markdown(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The same proposal with plain words where the hostile text is."""
    path = dump_yaml(_proposal("plain words"), tmp_path_factory.mktemp("benign") / "plain.yaml")
    return check(path, "--format", "markdown").stdout


@pytest.fixture(scope="module")
def outputs(hostile_file: Path) -> dict[str, str]:
    """Each format's report of the hostile proposal."""
    reports = {}
    for fmt in FORMATS:
        result = check(hostile_file, "--format", fmt)
        assert result.exit_code in (0, 1), result.stderr
        reports[fmt] = result.stdout
    return reports


@pytest.fixture(scope="module")
def json_report(outputs: dict[str, str]) -> dict[str, Any]:
    return json.loads(outputs["json"])


def test_the_hostile_proposal_is_reviewed_with_findings_on_hostile_items(
    json_report: dict[str, Any],
) -> None:
    (proposal,) = json_report["proposals"]
    labels = {f["item_label"] for f in proposal["findings"]}
    assert any(label.startswith("COMPONENT") for label in labels)
    assert any(label.startswith("PATTERN") for label in labels)
    assert any(f["item"] in RENAMED_IDS.values() for f in proposal["findings"])


def test_json_keeps_the_text_exactly(json_report: dict[str, Any]) -> None:
    """JSON is for programs: it carries the text unchanged, safely encoded."""
    (proposal,) = json_report["proposals"]
    assert proposal["proposal"]["title"] == "TITLE " + HOSTILE
    assert proposal["file"].endswith(HOSTILE_NAME)


def test_sarif_is_valid_json_with_the_findings(outputs: dict[str, str]) -> None:
    sarif = json.loads(outputs["sarif"])
    results = [r for run in sarif["runs"] for r in run["results"]]
    assert results and all(r["message"]["text"] for r in results)
    assert any("COMPONENT0" in r["message"]["text"] for r in results)


def test_junit_is_valid_xml(outputs: dict[str, str]) -> None:
    root = ET.fromstring(outputs["junit"])
    properties = {p.get("name"): p.get("value", "") for p in root.iter("property")}
    assert properties["proposal.title"].startswith("TITLE <script>")
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", outputs["junit"])


# --- text ---------------------------------------------------------------------------------------


_TERMINAL_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_text_passes_no_control_character_to_the_terminal(outputs: dict[str, str]) -> None:
    assert "COMPONENT0" in outputs["text"]
    assert not _TERMINAL_CONTROLS.search(outputs["text"])
    assert "\\x1b[31mRED" in outputs["text"], "the escape is shown, not obeyed"


def test_coloured_text_has_only_its_own_colour_codes(hostile_file: Path) -> None:
    review = cli._reviewer(()).review_file(hostile_file)
    coloured = render_text([review], colour=True)
    base = re.escape(doc_links.docs_base_url())
    own_links = re.compile(rf"\x1b\]8;;(?:{base}/rules/[A-Z0-9-]+\.md)?\x1b\\")
    plain = re.sub(r"\x1b\[[0-9;]*m", "", own_links.sub("", coloured))
    assert coloured != plain, "colour is on"
    assert not _TERMINAL_CONTROLS.search(plain)


# --- GitHub annotations -------------------------------------------------------------------------

_ANNOTATION = re.compile(r"::(error|warning|notice) ([^:]*)::(.*)")


def test_github_annotations_are_one_per_line_with_no_injected_command(
    outputs: dict[str, str], json_report: dict[str, Any]
) -> None:
    *annotations, summary = outputs["github"].split("\n")[:-1]
    assert summary.startswith("ctreview: ")
    (proposal,) = json_report["proposals"]
    assert len(annotations) == len(proposal["findings"])
    for line in annotations:
        match = _ANNOTATION.fullmatch(line)
        assert match, line
        keys = [prop.split("=", 1)[0] for prop in match.group(2).split(",")]
        assert keys == ["file", "line", "col", "title"], line
    assert "%0D%0A::error file=x.yaml" in outputs["github"], "line breaks are escaped"
    assert "\r" not in outputs["github"]
    assert not _TERMINAL_CONTROLS.search(outputs["github"])


# --- Markdown -----------------------------------------------------------------------------------

_OWN_ANCHOR = re.compile(r'<a id="[a-z0-9-]+">|</a>')


def _tokens(markdown: str) -> list:
    """Block and inline tokens, flattened, as GitHub-like renderers would see them."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough", "linkify"])
    flat = []
    for token in md.parse(markdown):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def test_markdown_has_no_foreign_markup_links_headings_or_table_cells(
    outputs: dict[str, str], benign_markdown: str
) -> None:
    markdown = outputs["markdown"]
    assert _blocks(markdown) == _blocks(benign_markdown), "the text changed the structure"
    tokens = _tokens(markdown)
    html_tokens = [t.content for t in tokens if t.type in ("html_inline", "html_block")]
    assert all(_OWN_ANCHOR.fullmatch(content.strip()) for content in html_tokens), html_tokens
    links = [t.attrGet("href") for t in tokens if t.type == "link_open"]
    assert all(str(href).startswith("#") for href in links), links
    assert not [t for t in tokens if t.type == "image"]
    cells = [
        len(re.split(r"(?<!\\)\|", row)) - 2 for row in re.findall(r"^\|.*\|$", markdown, re.M)
    ]
    assert cells and set(cells) == {2}, "a table row gained cells"
    assert not _TERMINAL_CONTROLS.search(markdown)
    assert "COMPONENT0" in markdown


def _blocks(markdown: str) -> list[tuple[str, str, int]]:
    """The block structure: headings, paragraphs, lists, list items, tables, cells."""
    return [(t.type, t.tag, t.level) for t in _tokens(markdown) if t.block and t.type != "inline"]


# --- HTML ---------------------------------------------------------------------------------------


class _Audit(HTMLParser):
    """Collects what could run code or fetch from elsewhere."""

    DANGEROUS = {"script", "iframe", "img", "object", "embed", "link", "base", "form", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.styles = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.DANGEROUS:
            self.problems.append(f"<{tag}>")
        self.styles += tag == "style"
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name in ("src", "srcset", "action", "formaction"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "href" and re.match(r"[a-z][a-z0-9+.-]*:|//", value):
                self.problems.append(f"<{tag} href={value}>: not a link within the report")
            if name == "style" and re.search(r"url|expression|@import", value):
                self.problems.append(f"<{tag} style={value}>")
            if re.match(r"(javascript|data|vbscript):", value):
                self.problems.append(f"<{tag} {name}={value}>")
            if tag == "meta" and name == "http-equiv" and value != "content-security-policy":
                self.problems.append(f"<meta http-equiv={value}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("source", ["check", "screen-portfolio"])
def test_html_runs_nothing_and_loads_nothing(
    outputs: dict[str, str], hostile_file: Path, tmp_path: Path, source: str
) -> None:
    page = outputs["html"] if source == "check" else _portfolio(hostile_file, tmp_path, "html")
    audit = _Audit()
    audit.feed(page)
    audit.close()
    assert not audit.problems
    assert audit.styles == 1, "only the page's own style sheet"
    assert "url(" not in page.split("</style>", 1)[0], "the style sheet fetches nothing"
    text = "".join(audit.text)
    assert '<script>alert("x")</script>' in text, "the hostile text is shown as text"
    assert not _TERMINAL_CONTROLS.search(page)


def _portfolio(hostile_file: Path, tmp_path: Path, ext: str) -> str:
    if not (REPO / "reviewer" / "screen.py").exists():
        pytest.skip("reviewer/screen.py (ctreview screen) does not exist yet")
    out = tmp_path / "out"
    args = ["screen", "--no-config", "--today", TODAY, "--jobs", "1", "--out", out]
    result = invoke(*args, hostile_file)
    assert result.exit_code in (0, 1), result.stderr
    return (out / f"portfolio.{ext}").read_text(encoding="utf-8")


def test_portfolio_markdown_and_csv_are_inert(hostile_file: Path, tmp_path: Path) -> None:
    markdown = _portfolio(hostile_file, tmp_path, "md")
    tokens = _tokens(markdown)
    assert not [t for t in tokens if t.type in ("html_inline", "html_block", "image")]
    links = [t.attrGet("href") for t in tokens if t.type == "link_open"]
    assert all(not str(href).lower().startswith(("javascript", "data", "http")) for href in links)
    csv_text = (tmp_path / "out" / "portfolio.csv").read_text(encoding="utf-8")
    assert not _TERMINAL_CONTROLS.search(markdown + csv_text)
    import csv

    rows = list(csv.reader(csv_text.splitlines()))
    assert all(len(row) == len(rows[0]) for row in rows)
    assert not [cell for row in rows[1:] for cell in row if cell[:1] in ("=", "+", "@")]
