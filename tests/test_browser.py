"""The HTML pages in a real browser: the per-proposal report and the portfolio.

The pages are the committed examples (docs/examples/, current by test_report_examples.py).
Each page is opened in headless Chromium (driven by playwright) and must: log no console error
and make no request beyond its own file (its Content-Security-Policy forbids any, and a
violation would be logged), have no WCAG 2.x A/AA violation that axe-core finds, lay out on a
phone (375 px) without horizontal page scroll, and print sanely (A4, print styles applied, a
page count in proportion to its content).

What it needs, each skipped with the reason when absent (CI's `.ci/run` installs them when it
can; see README "Development"):

- Chromium: `apt-get install chromium` (`/usr/bin/chromium`, or `CTREVIEW_CHROMIUM=path`);
  playwright's own browser download is not used;
- playwright: `.venv/bin/pip install playwright`;
- axe-core: `npm install --prefix ~/.cache/ctreview-axe axe-core`, or `CTREVIEW_AXE=path` to
  `axe.min.js` (never committed to this repository).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "examples" / "shelter-closed-my.html"
PORTFOLIO = ROOT / "docs" / "examples" / "portfolio.html"  # every sample, screened
CHROMIUM = Path(os.environ.get("CTREVIEW_CHROMIUM", "/usr/bin/chromium"))
AXE_PLACES = [
    Path(os.environ["CTREVIEW_AXE"]) if os.environ.get("CTREVIEW_AXE") else None,
    Path.home() / ".cache" / "ctreview-axe" / "node_modules" / "axe-core" / "axe.min.js",
]
# As these machines need them: no sandbox (root in a container), no network of its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
A4_WIDTH_PX = 794  # 210 mm at 96 px per inch
A4_HEIGHT_PX = 1123
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (.venv/bin/pip install playwright)")
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or CTREVIEW_CHROMIUM)")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
        except Error as error:
            pytest.skip(f"Chromium at {CHROMIUM} does not start: {error.message.splitlines()[0]}")
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def portfolio() -> Path:
    return PORTFOLIO


PAGES = {"report": lambda portfolio: REPORT, "portfolio": lambda portfolio: portfolio}


@pytest.fixture(params=sorted(PAGES))
def page_file(request, portfolio) -> Path:
    return PAGES[request.param](portfolio)


def open_page(browser, path: Path, **context):
    """The page, with every console error and every request it made."""
    page = browser.new_context(**context).new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems, requests


def test_no_console_error_and_no_request_beyond_the_page(browser, page_file):
    page, problems, requests = open_page(browser, page_file)
    assert problems == []
    assert requests == [page_file.as_uri()]
    assert page.evaluate("document.scripts.length") == 0
    page.context.close()


def axe_source() -> str:
    found = next((p for p in AXE_PLACES if p is not None and p.is_file()), None)
    if found is None:
        pytest.skip(
            "axe-core not found: npm install --prefix ~/.cache/ctreview-axe axe-core, or set "
            "CTREVIEW_AXE to axe.min.js"
        )
    return found.read_text(encoding="utf-8")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_wcag_aa_violation(browser, page_file, viewport):
    source = axe_source()
    # The page's policy forbids scripts, axe's included: only this test's context bypasses it.
    context = {"bypass_csp": True, **({"viewport": viewport} if viewport else {})}
    page, _, _ = open_page(browser, page_file, **context)
    page.add_script_tag(content=source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in result["violations"]
    ]
    assert violations == []
    assert result["passes"], "axe ran its checks"
    page.context.close()


def test_a_phone_shows_the_page_without_horizontal_scroll(browser, page_file):
    page, _, _ = open_page(browser, page_file, viewport=PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px phone"
    page.context.close()


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_the_report_prints_on_a4_with_ink_friendly_badges_in_proportion_to_its_findings(
    browser,
):
    page, _, _ = open_page(browser, REPORT)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": A4_HEIGHT_PX})
    assert overflowing(page) == []
    badge = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('.badge-error'));"
        " return [s.backgroundColor, s.color]; })()"
    )
    assert badge == ["rgba(0, 0, 0, 0)", "rgb(0, 0, 0)"], "badges print as black outlines"
    first_break = page.evaluate(
        "getComputedStyle(document.querySelector('h2')).breakBefore"
    )
    assert first_break == "auto", "the contents start on the first page"
    gaps = page.evaluate("document.querySelectorAll('[id^=p1-g]').length")
    places = page.evaluate("document.querySelectorAll('[id^=p1-f], [id^=p1-w]').length")
    pages = pdf_pages(page.pdf(format="A4"))
    # Each rule is explained once: the memo grows with its findings, not with their places.
    assert 2 <= pages <= 2 + gaps
    assert pages < places
    page.context.close()


def overflowing(page) -> list[str]:
    """Elements wider than the page (they would be cut off on paper)."""
    return page.evaluate(
        "[...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > innerWidth + 1"
        " || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')"
        ".map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)"
    )


def test_the_portfolio_prints_its_heatmap_with_dark_numbers(browser, portfolio):
    page, _, _ = open_page(browser, portfolio)
    page.emulate_media(media="print")
    margins = 2 * 12 * 96 / 25.4  # @page margins of 12 mm
    page.set_viewport_size({"width": int(A4_HEIGHT_PX - margins), "height": A4_WIDTH_PX})
    assert overflowing(page) == [], "a table is wider than a landscape A4 page"
    cells = page.evaluate(
        "[...document.querySelectorAll('td[class*=h]')].map(td => {"
        " const s = getComputedStyle(td);"
        " return [td.className, s.color, s.printColorAdjust || s.webkitPrintColorAdjust]; })"
    )
    heat = [cell for cell in cells if re.fullmatch(r"n h[1-5]", cell[0])]
    assert heat, "the call has findings, so the matrix has heat"
    assert {color for _, color, _ in heat} == {"rgb(16, 24, 40)"}
    assert {adjust for _, _, adjust in heat} == {"exact"}
    headers = page.evaluate("[...document.querySelectorAll('th.section')].map(th => th.innerText)")
    assert headers[:3] == [
        "1 Any counter-trafficking intervention",
        "2 Mapping patterns and choosing responses",
        "3 Awareness raising",
    ]
    rows = page.evaluate("document.querySelectorAll('tbody tr').length")
    assert 1 <= pdf_pages(page.pdf(prefer_css_page_size=True)) <= 2 + rows // 4
    page.context.close()
