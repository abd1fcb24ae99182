"""The example reports in docs/examples/: one sample proposal in every output format, and
the portfolio of every sample (Markdown and HTML).

They are generated, never edited by hand, so they always show what `ctreview check` writes;
a test fails when a committed example is out of date (regenerate with
`write_example_reports`). The run uses docs/examples/ctreview.yaml (two waivers, one
expired) and a fixed date, so the waived-findings and notices sections appear and the
output does not change with the day it is generated.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

from reviewer import __version__
from reviewer.output import write_atomic
from reviewer.policy import Checker, RunOptions
from reviewer.report import ReportContext, render
from reviewer.review import Reviewer

SAMPLE = "samples/shelter-closed-my.yaml"
CONFIG = "docs/examples/ctreview.yaml"
TODAY = dt.date(2027, 1, 15)
# Shown where a report names the rule catalogue's digest: a digest would change with every
# edit of a rule file, so the examples' diffs would show it rather than real changes.
CATALOGUE_LABEL = "bundled"
# Output format -> file name suffix of its example.
EXAMPLE_FILES = {
    "text": "txt",
    "markdown": "md",
    "html": "html",
    "json": "json",
    "sarif": "sarif",
    "junit": "junit.xml",
    "github": "github.txt",
    "gitlab": "gitlab.json",
}
PORTFOLIO_FILES = ("md", "html")  # the portfolio formats people read


def example_reports(root: Path, reviewer: Reviewer | None = None) -> dict[str, str]:
    """File name under docs/examples/ -> content, for the sample of the repository `root`
    (reviewed with `reviewer` when given: compiling the rules is the slow part)."""
    options = RunOptions(config=Path(CONFIG), today=TODAY)
    with contextlib.chdir(root):  # the reports name the sample by its path in the repository
        checker = Checker(options, (lambda dirs: reviewer) if reviewer else Reviewer)
        judgement = checker.judge(SAMPLE)
    (reviewer,) = checker.reviewers.values()
    ctx = ReportContext(
        __version__,
        CATALOGUE_LABEL,
        reviewer.knowledge,
        inputs=(SAMPLE,),
        fail_on=judgement.settings.fail_on,
        rules=reviewer.catalogue.rules,
    )
    stem = Path(SAMPLE).stem
    reports = {
        f"{stem}.{suffix}": render(fmt, [judgement.review], ctx)
        for fmt, suffix in EXAMPLE_FILES.items()
    }
    return reports | example_portfolio(root, reviewer)


def example_portfolio(root: Path, reviewer: Reviewer) -> dict[str, str]:
    """The portfolio of every sample of `root`, judged as `ctreview screen --no-config
    samples` would judge them (serially, without reports to link to)."""
    from reviewer.portfolio import PORTFOLIO_FORMATS, build_portfolio
    from reviewer.screen import summarise

    options = RunOptions(discover_config=False, today=TODAY)
    with contextlib.chdir(root):
        checker = Checker(options, lambda dirs: reviewer)
        samples = sorted(Path("samples").glob("*.yaml"))
        results = [summarise(checker.judge(str(p)), CATALOGUE_LABEL) for p in samples]
    portfolio = build_portfolio(results, reviewer.knowledge, tool_version=__version__)
    return {f"portfolio.{ext}": PORTFOLIO_FORMATS[ext](portfolio) for ext in PORTFOLIO_FILES}


def write_example_reports(root: Path) -> list[Path]:
    """Rewrite the examples under ``root/docs/examples`` that changed; return them."""
    written = []
    for name, content in example_reports(root).items():
        path = root / "docs" / "examples" / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            write_atomic(path, content)
            written.append(path)
    return written
