"""Screen a call's proposals at once: find them, review each in a pool of workers, sum up.

A funder's folder of submissions holds proposals next to other YAML; `find_proposals` (see
discovery.py) keeps the YAML files that carry the format marker. `screen` reviews each one
exactly as `ctreview check` would (same configuration, rules, severities and waivers),
optionally writes its reports, and returns one small picklable `ScreenResult` per file, in
sorted file order, for the portfolio (see portfolio.py).

Speed: compiling the rule catalogue is the expensive part, so it happens once per process. The
parent builds its Checker before starting the pool; workers started by ``fork`` inherit it and
the pool initializer builds one only where they do not (``spawn``). Workers send back counts and
a few strings, never ruamel trees. Results come back in input order, so ``--jobs`` never
changes the output.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import click

from reviewer import __version__
from reviewer.config import ConfigError
from reviewer.discovery import Discovery
from reviewer.discovery import unreadable_folders as discovered_unreadable
from reviewer.engine import EngineError
from reviewer.findings import SEVERITY_RANK, Finding
from reviewer.gaps import Gap, group_gaps
from reviewer.knowledge import KnowledgeBase, bundled_knowledge
from reviewer.output import OutputError, write_atomic
from reviewer.policy import Checker, Judgement, RunOptions, exit_code
from reviewer.pool import run_ordered
from reviewer.report import RENDERERS, ReportContext, render
from reviewer.report.content import (
    gap_severity_counts,
    raised_questions,
    section_counts,
    severity_counts,
)
from reviewer.review import Reviewer
from reviewer.verdict import Assessment, assess_gaps

REPORTS_FOLDER = "proposals"  # per-proposal reports go under OUT/proposals/, mirroring inputs
REPORT_SUFFIXES = {
    "markdown": ".md",
    "html": ".html",
    "json": ".json",
    "sarif": ".sarif",
    "junit": ".junit.xml",
    "github": ".github.txt",
    "gitlab": ".gitlab.json",
    "text": ".txt",
}
TOP_FINDINGS = 3


class ScreenError(ValueError):
    """A screening that cannot start (e.g. a report would be written over an input)."""


# --- where reports go -----------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One proposal to review and the reports to write for it: (format, path) pairs."""

    path: str
    reports: tuple[tuple[str, str], ...] = ()


def plan_tasks(
    discovery: Discovery,
    out_dir: str | None,
    formats: Sequence[str] = ("markdown",),
    inputs: Sequence[str] = (),
) -> list[Task]:
    """A task per proposal; with `out_dir`, its reports go to OUT/proposals/<relative path>
    with the YAML suffix replaced. Raise ScreenError for an unknown format, two proposals
    that would share a report, or a report that would replace an input file."""
    if out_dir is None:
        return [Task(path) for path in discovery.proposals]
    unknown = [fmt for fmt in formats if fmt not in RENDERERS]
    if unknown:
        raise ScreenError(
            f"unknown report format {unknown[0]!r}; choose from {', '.join(RENDERERS)}"
        )
    formats = tuple(dict.fromkeys(formats))
    base = Path(out_dir) / REPORTS_FOLDER
    tasks, owners = [], {}
    for path in discovery.proposals:
        stem = Path(os.path.relpath(os.path.abspath(path), discovery.root)).with_suffix("")
        reports = tuple((fmt, str(base / f"{stem}{report_suffix(fmt)}")) for fmt in formats)
        for _, report in reports:
            other = owners.setdefault(os.path.abspath(report), path)
            if other != path:
                raise ScreenError(
                    f"{other} and {path} would share the report {report}; rename one of them"
                )
        tasks.append(Task(path, reports))
    check_outputs([*owners, *portfolio_paths(out_dir)], discovery, inputs)
    return tasks


def report_suffix(fmt: str) -> str:
    return REPORT_SUFFIXES.get(fmt, f".{fmt}")


def portfolio_paths(out_dir: str) -> list[str]:
    """The portfolio files written under OUT (see portfolio.PORTFOLIO_FORMATS)."""
    return [os.path.join(out_dir, f"portfolio.{ext}") for ext in ("md", "html", "csv", "json")]


def check_outputs(
    outputs: Sequence[str], discovery: Discovery, other_inputs: Sequence[str] = ()
) -> None:
    """Refuse, before anything is written, any output that is one of the input files (the
    files found, and `other_inputs`: configurations, rule files)."""
    found = (*discovery.proposals, *discovery.skipped, *other_inputs)
    inputs = {os.path.realpath(p) for p in found}
    for output in outputs:
        if os.path.realpath(output) in inputs:
            raise ScreenError(f"{output}: refusing to write a report over an input file")


# --- reviewing ------------------------------------------------------------------------------


def _by_position(self: Any) -> tuple[type, tuple[Any, ...]]:
    """Pickle a slotted result as its class and field values. The default of a frozen,
    slotted dataclass (__getstate__/__setstate__) asks `fields()` for every object, and
    `screen` sends some fifty of them per proposal from a worker to the parent."""
    return type(self), tuple(getattr(self, name) for name in self.__slots__)


@dataclass(frozen=True, slots=True)
class TopFinding:
    rule_id: str
    severity: str
    message: str
    line: int

    __reduce__ = _by_position


@dataclass(frozen=True, slots=True)
class RuleCount:
    """A rule's counted findings in one proposal: gaps (usually one) and their places."""

    rule_id: str
    title: str
    severity: str
    count: int
    places: int = 0

    __reduce__ = _by_position


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """One screened file, small enough to send between processes and keep by the thousand."""

    file: str
    title: str = ""
    organisation: str = ""
    # Counted findings, one per gap (see reviewer/gaps.py), by severity; `places` their places.
    counts: dict[str, int] = field(default_factory=lambda: severity_counts(()))
    waived: int = 0  # gaps waived by reviewers or scoped out by the proposal
    sections: tuple[tuple[str, int], ...] = ()  # ICAT section -> counted gaps citing it
    rules: tuple[RuleCount, ...] = ()
    questions: tuple[tuple[str, int], ...] = ()  # question ref -> counted gaps raising it
    top: tuple[TopFinding, ...] = ()  # the most severe gaps, first in the file
    # The verdict in two dimensions, by the file's configured thresholds (None: not reviewed).
    assessment: Assessment | None = None
    places: int = 0
    error: str = ""  # why the file could not be reviewed; '' when it was
    exit_code: int = 0  # as `ctreview check` would return for this file alone
    catalogue_version: str = ""
    # The review did not complete for a reason that is not the file's: its worker was
    # killed, or ctreview failed. `error` says why.
    failed: bool = False
    output_error: str = ""  # a report of this file that could not be written (not its fault)
    reports_written: bool = False  # its reports under --out exist (refused files get them too)

    __reduce__ = _by_position

    @property
    def reviewed(self) -> bool:
        return not self.error


_checker: Checker | None = None  # this process's checker: one compiled catalogue per process
_contexts: dict[tuple[int, str], ReportContext] = {}


def init_worker(options: RunOptions, make_reviewer: Callable[..., Reviewer]) -> None:
    """Pool initializer: reuse the checker a forked worker inherited, else build one."""
    global _checker
    if _checker is None or _checker.options != options:
        _checker = Checker(options, make_reviewer)
        _contexts.clear()


def screen_file(task: Task) -> ScreenResult:
    """Review one file as `ctreview check` would and write its reports; any failure becomes
    an error row, so one bad file never stops the batch."""
    assert _checker is not None, "init_worker runs first"
    try:
        judgement = _checker.judge(task.path)
        result = summarise(judgement, _reviewer_of(task.path).catalogue.version)
        try:  # a file that could not be reviewed gets reports too: they say why
            _write_reports(task, judgement)
        except OutputError as error:  # not the proposal's fault: its row stays as it is
            return replace(result, output_error=str(error), exit_code=2)
        return replace(result, reports_written=bool(task.reports))
    except Exception as error:  # noqa: BLE001 - reported as this file's error row
        if os.environ.get("CTREVIEW_DEBUG"):
            raise
        failed = not isinstance(error, ConfigError | EngineError | OSError | click.ClickException)
        return ScreenResult(
            task.path, error=_describe(task.path, error), exit_code=2, failed=failed
        )


def failed_review(task: Task, why: str) -> ScreenResult:
    """The row of a file whose review never finished (its worker died, see pool.py)."""
    return ScreenResult(
        task.path,
        error=f"{task.path}: not reviewed: {why}; screen it again, alone or with fewer jobs",
        exit_code=2,
        failed=True,
    )


def unreadable_folders(discovery: Discovery) -> list[ScreenResult]:
    """An error row for each folder that could not be searched (its proposals are unknown)."""
    return [
        ScreenResult(review.file, error=str(review.input_error), exit_code=2)
        for review in discovered_unreadable(discovery)
    ]


def _reviewer_of(path: str) -> Reviewer:
    assert _checker is not None
    return _checker.reviewer_for(_checker.config_for(path))


def _describe(path: str, error: Exception) -> str:
    """An error row's message: what went wrong with this file, or a bug to report."""
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    if isinstance(error, ConfigError | EngineError | OSError | click.ClickException):
        return f"{path}: {message}"
    return (
        f"{path}: internal error ({type(error).__name__}: {message}); this is a bug in "
        "ctreview, not in the file: run again with CTREVIEW_DEBUG=1 and report the traceback"
    )


def summarise(judgement: Judgement, catalogue_version: str = "") -> ScreenResult:
    """The compact result of one judged file (what the portfolio needs, nothing more)."""
    review = judgement.review
    title = str(review.metadata.get("title") or "")
    organisation = str(review.metadata.get("organisation") or "")
    code = exit_code([judgement])
    if review.input_error:
        return ScreenResult(review.file, error=str(review.input_error), exit_code=code)
    if review.problems:
        first, more = review.problems[0], len(review.problems) - 1
        error = str(first) + (f" (and {more} more format problems)" if more else "")
        return ScreenResult(review.file, title, organisation, error=error, exit_code=code)
    gaps = group_gaps(review.findings)
    counted = [gap for gap in gaps if gap.counted]
    firsts = [gap.first for gap in counted]
    return ScreenResult(
        file=review.file,
        title=title,
        organisation=organisation,
        counts=gap_severity_counts(counted),
        waived=len(gaps) - len(counted),
        sections=section_counts(firsts),
        rules=_rule_counts(counted),
        questions=_question_counts(firsts),
        top=tuple(_top(f) for f in sorted(firsts, key=_severity_first)[:TOP_FINDINGS]),
        exit_code=code,
        catalogue_version=catalogue_version,
        assessment=assess_gaps(counted, review.thresholds),
        places=sum(len(gap.findings) for gap in counted),
    )


def _severity_first(finding: Finding) -> tuple:
    return (SEVERITY_RANK[finding.severity], finding.sort_key())


def _top(finding: Finding) -> TopFinding:
    return TopFinding(finding.rule_id, finding.severity, finding.message, finding.line)


def _rule_counts(gaps: Sequence[Gap]) -> tuple[RuleCount, ...]:
    counts: dict[str, list] = {}
    for gap in gaps:
        entry = counts.setdefault(gap.rule_id, [gap.first.rule.title, gap.severity, 0, 0])
        if SEVERITY_RANK[gap.severity] < SEVERITY_RANK[entry[1]]:
            entry[1] = gap.severity
        entry[2] += 1
        entry[3] += len(gap.findings)
    return tuple(RuleCount(rule_id, *counts[rule_id]) for rule_id in sorted(counts))


def _question_counts(findings: Sequence[Finding]) -> tuple[tuple[str, int], ...]:
    """Questions raised, as in a report's "Questions to revisit": those a finding's rule
    checks (not its related questions); `findings` are one per gap."""
    counts: dict[str, int] = {}
    for finding in findings:
        for ref in raised_questions(finding.rule):
            counts[ref] = counts.get(ref, 0) + 1
    return tuple(sorted(counts.items()))


def _write_reports(task: Task, judgement: Judgement) -> None:
    if not task.reports:
        return
    ctx = _context(_reviewer_of(task.path), judgement.settings.fail_on, task.path)
    for fmt, path in task.reports:
        write_atomic(Path(path), render(fmt, [judgement.review], ctx), inputs=(task.path,))


def _context(reviewer: Reviewer, fail_on: str, path: str) -> ReportContext:
    """The report context of a reviewer and threshold, built once and reused per file."""
    key = (id(reviewer), fail_on)
    if key not in _contexts:
        _contexts[key] = ReportContext(
            __version__,
            reviewer.catalogue.version,
            reviewer.knowledge,
            fail_on=fail_on,
            rules=reviewer.catalogue.rules,
        )
    return replace(_contexts[key], inputs=(path,))


# --- the batch ------------------------------------------------------------------------------


def prepare(checker: Checker, discovery: Discovery) -> KnowledgeBase | None:
    """Find every proposal's configuration and compile the rule catalogue here, before any
    worker starts (forked workers inherit both), so that broken rules stop the run at once
    and the parent knows every file the run reads; return the knowledge base for the
    portfolio."""
    if not discovery.proposals:
        return None
    reviewer = None
    for path in discovery.proposals:
        try:
            config = checker.config_for(path)
            reviewer = reviewer or checker.reviewer_for(config)
        except ConfigError:  # that file's row will say what is wrong with its configuration
            continue
    return reviewer.knowledge if reviewer else bundled_knowledge()


def worker_count(requested: int | None, tasks: int) -> int:
    """How many worker processes: as asked (default: one per CPU this process may use), but
    never more than the CPUs nor than the files to review."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(requested or cpus, cpus, tasks))


def screen(tasks: Sequence[Task], checker: Checker, jobs: int = 1) -> Iterator[ScreenResult]:
    """Review every task in `jobs` processes, yielding the results in task order as they
    come, so that a caller keeps only what it needs of each (memory stays flat).

    The checker becomes this process's; with more than one job, workers started by fork
    inherit it (with its compiled catalogue), others build their own in `init_worker`.
    """
    global _checker
    _checker = checker
    _contexts.clear()
    if jobs <= 1 or len(tasks) <= 1:
        yield from map(screen_file, tasks)
        return
    yield from run_ordered(
        screen_file,
        tasks,
        jobs,
        on_failure=failed_review,
        initializer=init_worker,
        initargs=(checker.options, checker.make_reviewer),
    )


def batch_exit_code(results: Sequence[ScreenResult]) -> int:
    """2 when a file could not be reviewed, else 1 when a file's findings reach its
    threshold, else 0 (each file judged alone, as `ctreview check FILE` would)."""
    return max((result.exit_code for result in results), default=0)
