"""Command-line interface. Commands stay thin: each calls one pipeline function and prints.

Exit codes: 0 nothing reaches the threshold, 1 findings reach it, 2 usage, input,
configuration or output errors (never a traceback; set CTREVIEW_DEBUG=1 to see one for a bug
report), 130/143 stopped by SIGINT/SIGTERM, 141 standard output's reader went away.
"""

from __future__ import annotations

import contextlib
import os
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from reviewer import __version__
from reviewer.console import ReaderGone, err, message, out
from reviewer.doc_links import DocsURLError
from reviewer.inert import inert_lines, one_line
from reviewer.loader import InputError, ProblemsError
from reviewer.output import OutputError
from reviewer.paths import real_path
from reviewer.policy import FAIL_ON, SEVERITIES
from reviewer.report import FORMATS
from reviewer.scaffold import COMPONENT_TYPES

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageProblem(click.ClickException):
    """A user-facing error: printed without a traceback, exit code 2. Each line is shown
    inert (they quote file names, configurations and rule packs)."""

    exit_code = EXIT_ERROR

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines

    def format_message(self) -> str:
        return message(*self.lines)


class _Commands(click.Group):
    """The command group; click's own usage errors quote the command line (file names,
    option values), so they are shown inert like every other message."""

    def make_context(self, *args, **kwargs) -> click.Context:
        with _inert_click_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        with _inert_click_errors():
            return super().invoke(ctx)


@contextlib.contextmanager
def _inert_click_errors() -> Iterator[None]:
    try:
        yield
    except click.ClickException as error:
        if not isinstance(error, UsageProblem):
            message = error.format_message
            error.format_message = lambda: inert_lines(message())  # type: ignore[method-assign]
        raise


def _reviewer(rule_dirs: Sequence[str]):
    from reviewer import start_up
    from reviewer.review import Reviewer

    try:
        reviewer = Reviewer([Path(d) for d in rule_dirs])
    except (ProblemsError, InputError) as error:  # rule packs or their lexicons
        problems = error.problems if isinstance(error, ProblemsError) else [str(error)]
        raise UsageProblem("cannot load the rules:", *problems) from None
    start_up.resume()  # what lives as long as the process is built: see start_up.py
    return reviewer


fail_on_option = click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default=None,
    help="Lowest severity that makes the run fail (exit code 1)  [default: error, or the "
    "configuration's fail_on].",
)
rules_option = click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Extra rule directory (repeatable): a funder's own rules, added to the bundled ones.",
)


def _text_or_markdown(help_text: str):
    """The --format option of commands that write text or Markdown (diff, explain)."""
    return click.option(
        "--format",
        "-f",
        "fmt",
        type=click.Choice(["text", "markdown"]),
        default="text",
        show_default=True,
        help=help_text,
    )


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ctreview")
def cli() -> None:
    """Design review of counter-trafficking programme proposals, built on the ICAT toolkit."""


def _config_options(command):
    """Options every command that reads a configuration shares (check, diff, config)."""
    for option in reversed(
        (
            click.option(
                "--config",
                "config_path",
                type=click.Path(dir_okay=False),
                help="Configuration file for every proposal (default: the nearest "
                ".ctreview.yaml or .ctreview.yml above each proposal, up to the repository "
                "root).",
            ),
            click.option(
                "--no-config",
                is_flag=True,
                help="Ignore .ctreview.yaml/.yml files: the recommended preset applies.",
            ),
            click.option(
                "--today",
                type=click.DateTime(formats=["%Y-%m-%d"]),
                default=None,
                metavar="YYYY-MM-DD",
                help="The date waiver expiries are judged against (default: today; set it for "
                "reproducible runs).",
            ),
        )
    ):
        command = option(command)
    return rules_option(command)


class _ConfigProblems:
    """Turns a ConfigError into a usage error (exit 2) that lists every problem."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> None:
        from reviewer.config import ConfigError

        if isinstance(error, ConfigError):
            raise UsageProblem("invalid configuration:", *error.problems) from None


def _checker(config_path, no_config, rule_dirs, today, **settings):
    import datetime as dt

    from reviewer.policy import Checker, RunOptions

    if config_path and no_config:
        raise UsageProblem("--config and --no-config exclude each other; give one of them")
    options = RunOptions(
        config=Path(config_path) if config_path else None,
        discover_config=not no_config,
        rule_dirs=tuple(Path(d) for d in rule_dirs),
        today=today.date() if today else dt.date.today(),
        **settings,
    )
    with _ConfigProblems():
        return Checker(options, _reviewer)


def _echo_notices(reviews, checker=None) -> None:
    """Notices on standard error: configurations passed over (see config.find_config), then
    each review's (expired or unmatched waivers, baseline entries gone)."""
    notes = checker.finder.notes if checker else []
    err(*(f"notice: {note}" for note in notes))
    err(*(f"notice: {notice}" for review in reviews for notice in review.notices))


# readable=False: the loader reports a file it cannot read, for that file only (click would
# stop the whole run at the first one).
INPUT_PATH = click.Path(readable=False)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=INPUT_PATH)
@_config_options
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format on standard output.",
)
@click.option(
    "--output",
    "-o",
    "outputs",
    multiple=True,
    metavar="FORMAT=PATH",
    help=f"Also write FORMAT ({', '.join(FORMATS)}) to PATH (repeatable), "
    "e.g. -o sarif=review.sarif.",
)
@click.option(
    "--proposals-only",
    is_flag=True,
    help="Skip named files without the `ctreview:` marker too, and pass when none is left "
    "(for pre-commit and other callers that pass every changed YAML file).",
)
@click.option(
    "--stdin-filename",
    metavar="PATH",
    help="With FILE `-`: the name of the proposal read from standard input, used in reports "
    "and to find its configuration  [default: <stdin>, configuration of the current folder].",
)
@fail_on_option
@click.option(
    "--max-warnings",
    type=click.IntRange(min=0),
    default=None,
    help="Fail when there are more (unwaived) warnings than this.",
)
@click.option(
    "--min-severity",
    type=click.Choice(SEVERITIES),
    default="info",
    show_default=True,
    help="Lowest severity shown. Hidden findings still count for the exit code.",
)
@click.option("--quiet", "-q", is_flag=True, help="Show errors only (--min-severity error).")
@click.option(
    "--strict-waivers/--no-strict-waivers",
    default=None,
    help="Fail when a waiver has expired or matches no finding  [default: no, or the "
    "configuration's strict_waivers].",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False),
    help="Report only findings that this baseline file does not record.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False),
    help="Record the current (unwaived) findings in this baseline file; the run then passes.",
)
def check(
    files: tuple[str, ...],
    config_path: str | None,
    no_config: bool,
    today,
    rule_dirs: tuple[str, ...],
    fmt: str,
    outputs: tuple[str, ...],
    fail_on: str | None,
    max_warnings: int | None,
    min_severity: str,
    quiet: bool,
    strict_waivers: bool | None,
    baseline_path: str | None,
    write_baseline: str | None,
    proposals_only: bool,
    stdin_filename: str | None,
) -> None:
    """Review proposals and report the findings.

    FILES are proposal files, folders (searched recursively; YAML files without the
    `ctreview:` marker are skipped and counted), glob patterns (quote them: `'proposals/**/*.yaml'`;
    matches are filtered by the marker too) and `-` for standard input. Output is sorted by
    file, line and column.
    """
    from reviewer.baseline import BaselineError, baseline_json, entries_for
    from reviewer.output import write_atomic
    from reviewer.policy import Judgement, exit_code, visible, with_baseline
    from reviewer.report import WORKFLOW_COMMAND_FORMATS, ReportContext, render

    targets = [_parse_output(spec, FORMATS) for spec in outputs]
    inputs = _check_inputs(files, proposals_only, stdin_filename)
    files = inputs.names
    if inputs.skipped_note():
        err(f"ctreview: {inputs.skipped_note()}")
    checker = _checker(
        config_path,
        no_config,
        rule_dirs,
        today,
        fail_on=fail_on,
        max_warnings=max_warnings,
        strict_waivers=strict_waivers,
    )
    with _ConfigProblems():
        judgements = [Judgement(review) for review in inputs.refused()]
        judgements += [checker.judge(path) for path in inputs.proposals]
        if inputs.stdin:
            judgements.append(checker.judge(inputs.stdin, load=_stdin_loader(inputs.stdin)))
    if not judgements:  # every file given lacks the marker
        if not proposals_only:
            raise UsageProblem(inputs.nothing_found())
        err(f"ctreview: {inputs.nothing_found()}")
        sys.exit(EXIT_OK)
    protected = (*files, *checker.input_files(), *([baseline_path] if baseline_path else []))
    reviews = [j.review for j in judgements]
    if write_baseline:
        entries = entries_for([r for r in reviews if r.ok], real_path(write_baseline).parent)
        with _output_problems():
            write_atomic(write_baseline, baseline_json(entries), inputs=protected)
        err(f"wrote {write_baseline} ({len(entries)} findings recorded)")
    elif baseline_path:
        try:
            judgements, dropped = with_baseline(judgements, Path(baseline_path))
        except BaselineError as error:
            raise UsageProblem(str(error)) from None
        err(f"baseline {baseline_path}: {dropped} recorded findings not shown")
    reviews = [j.review for j in judgements]
    _echo_notices(reviews, checker)
    used = list(checker.reviewers.values())
    rules = {rule.id: rule for reviewer in used for rule in reviewer.catalogue.rules}
    ctx = ReportContext(
        __version__,
        "+".join(sorted({r.catalogue.version for r in used})),
        used[0].knowledge,
        colour=fmt == "text" and _colour_wanted(),
        inputs=files,
        fail_on=judgements[0].settings.fail_on,
        rules=tuple(rules[rule_id] for rule_id in sorted(rules)),
    )
    threshold = "error" if quiet else min_severity
    shown = [visible(r, threshold) for r in reviews]  # refused files are reported too
    with _output_problems():
        try:
            out(render(fmt, shown, ctx), workflow_commands=fmt in WORKFLOW_COMMAND_FORMATS)
        except (ReaderGone, OutputError) as error:  # `| head`, `>&-`: still write the files
            stdout_failure: Exception | None = error
        else:
            stdout_failure = None
        for out_fmt, path in targets:
            write_atomic(path, render(out_fmt, shown, ctx), inputs=protected)
        if stdout_failure:
            raise stdout_failure
    _report_input_problems(reviews)
    if write_baseline and all(r.ok for r in reviews):
        sys.exit(EXIT_OK)
    sys.exit(exit_code(judgements))


@contextlib.contextmanager
def _output_problems() -> Iterator[None]:
    """A report, baseline or standard output that cannot be written: exit code 2, named as
    an output problem (never blamed on a proposal)."""
    try:
        yield
    except OutputError as error:
        raise UsageProblem(str(error)) from None


def _check_inputs(files: Sequence[str], proposals_only: bool, stdin_filename: str | None):
    """What `check` reviews (see discovery.check_inputs); bad combinations are usage errors."""
    from reviewer.discovery import InputsError, check_inputs

    try:
        return check_inputs(files, proposals_only=proposals_only, stdin_filename=stdin_filename)
    except InputsError as error:
        raise UsageProblem(str(error)) from None


def _stdin_loader(name: str):
    from reviewer.loader import load_stream

    return lambda: load_stream(sys.stdin.buffer, name)


def _parse_output(spec: str, known) -> tuple[str, str]:
    fmt, sep, path = spec.partition("=")
    if not sep or not path or fmt not in known:
        raise UsageProblem(
            f"bad --output {spec!r}: write FORMAT=PATH with FORMAT one of {', '.join(known)}"
        )
    return fmt, path


def _colour_wanted() -> bool:
    return sys.stdout is not None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _report_input_problems(reviews) -> bool:
    """Say on standard error why files could not be reviewed (every report format lists it
    too); return whether any could not."""
    from reviewer.doc_links import format_hint

    refused = [problem for review in reviews for problem in review.refusals]
    if not refused:
        return False
    err(*(f"error: {problem}" for problem in refused))
    err(f"Fix the problems above and run ctreview again; {format_hint()}.")
    return True


@cli.command()
@click.argument("old", type=INPUT_PATH)
@click.argument("new", type=INPUT_PATH)
@_config_options
@_text_or_markdown("markdown suits a pull-request comment.")
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default=None,
    help="Fail (exit 1) when a finding of this severity or above is introduced  [default: "
    "error, or the configuration's fail_on].",
)
def diff(
    old: str,
    new: str,
    config_path: str | None,
    no_config: bool,
    today,
    rule_dirs: tuple[str, ...],
    fmt: str,
    fail_on: str | None,
) -> None:
    """Compare the findings of two versions of a proposal: resolved, introduced, unchanged.

    Both versions are judged by NEW's configuration. Exit code 1 when NEW introduces an
    unwaived finding at or above --fail-on, 0 otherwise, 2 when a file cannot be reviewed.
    """
    from reviewer.diffing import diff_reviews, render_markdown, render_text

    checker = _checker(config_path, no_config, rule_dirs, today, fail_on=fail_on)
    with _ConfigProblems():
        before, after = (checker.judge(path, config_of=new) for path in (old, new))
    if _report_input_problems([before.review, after.review]):
        sys.exit(EXIT_ERROR)
    _echo_notices([after.review], checker)
    result = diff_reviews(before.review, after.review)
    with _output_problems():
        out((render_markdown if fmt == "markdown" else render_text)(result))
    sys.exit(EXIT_FINDINGS if result.fails(after.settings.fail_on) else EXIT_OK)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=INPUT_PATH)
@_config_options
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes, at most one per CPU core and per file  [default: the number of "
    "CPU cores].",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Write each proposal's reports under DIR/proposals/ and the portfolio as "
    "DIR/portfolio.md, .html, .csv and .json.",
)
@click.option(
    "--report-format",
    "report_formats",
    multiple=True,
    type=click.Choice(FORMATS),
    help="Format of each proposal's report under --out (repeatable)  [default: markdown].",
)
@fail_on_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def screen(
    paths: tuple[str, ...],
    config_path: str | None,
    no_config: bool,
    today,
    rule_dirs: tuple[str, ...],
    jobs: int | None,
    out_dir: str | None,
    report_formats: tuple[str, ...],
    fail_on: str | None,
    quiet: bool,
) -> None:
    """Screen every proposal under PATHS (e.g. a call's submissions) and sum up the portfolio.

    Folders are searched recursively for YAML files that start a line with the `ctreview:`
    marker; other YAML is passed over and counted. Each proposal is judged as `check` judges
    it. Exit code 2 when a file could not be reviewed (the others still are), else 1 when a
    proposal has a finding at or above --fail-on, else 0.
    """
    from reviewer import screen as screening
    from reviewer.discovery import find_proposals
    from reviewer.output import write_atomic
    from reviewer.portfolio import (
        PORTFOLIO_FORMATS,
        Tally,
        build_portfolio,
        render_table,
        summary_line,
    )
    from reviewer.terminal_table import terminal_width

    if report_formats and not out_dir:
        raise UsageProblem("--report-format needs --out DIR (where the reports go)")
    checker = _checker(config_path, no_config, rule_dirs, today, fail_on=fail_on)
    discovery = find_proposals(paths)
    err(*(f"error: {pattern}: no file matches this pattern" for pattern in discovery.unmatched))
    with _ConfigProblems():
        knowledge = screening.prepare(checker, discovery)
    inputs = (*discovery.proposals, *checker.input_files())
    try:
        tasks = screening.plan_tasks(discovery, out_dir, report_formats or ("markdown",), inputs)
    except screening.ScreenError as error:
        raise UsageProblem(str(error)) from None
    _echo_notices([], checker)
    shown = not quiet and sys.stderr is not None and sys.stderr.isatty() and len(tasks) > 1
    bar = click.progressbar(length=len(tasks), label="Screening", file=sys.stderr)
    tally, results = Tally(), []
    with bar if shown else contextlib.nullcontext():
        workers = screening.worker_count(jobs, len(tasks))
        for result in screening.screen(tasks, checker, workers):
            results.append(tally.add(result))  # keeps the row, counts the rest
            if shown:
                bar.update(1)
    results += [tally.add(row) for row in screening.unreadable_folders(discovery)]
    err(*(f"error: {result.error}" for result in results if result.error))
    err(*(f"error: {result.output_error}" for result in results if result.output_error))
    reports = {
        task.path: [(fmt, os.path.relpath(path, out_dir)) for fmt, path in task.reports]
        for task in tasks
    }
    portfolio = build_portfolio(
        results,
        knowledge,
        tool_version=__version__,
        skipped=discovery.skipped,
        reports=reports,
        tally=tally,
    )
    if out_dir:
        for ext, render_portfolio in PORTFOLIO_FORMATS.items():
            target = Path(out_dir) / f"portfolio.{ext}"
            with _output_problems():
                write_atomic(target, render_portfolio(portfolio), inputs=inputs)
        reviewed = sum(result.reviewed for result in results)
        err(
            summary_line(portfolio),
            f"wrote the portfolio and the reports of {reviewed} proposals to {out_dir}",
        )
    else:
        with _output_problems():
            out(render_table(portfolio, terminal_width()))
    sys.exit(EXIT_ERROR if discovery.unmatched else screening.batch_exit_code(results))


@cli.command("config")
@click.option(
    "--show",
    "show_file",
    type=click.Path(),
    metavar="FILE",
    help="Print the configuration that applies to proposal FILE (YAML).",
)
@click.option("--schema", "print_schema", is_flag=True, help="Print the configuration JSON Schema.")
@_config_options
def config_command(
    show_file: str | None,
    print_schema: bool,
    config_path: str | None,
    no_config: bool,
    today,
    rule_dirs: tuple[str, ...],
) -> None:
    """Show the resolved configuration for a proposal, or the configuration's JSON Schema."""
    from reviewer.config import config_schema_json, resolved_yaml

    if print_schema == bool(show_file):
        raise UsageProblem("give exactly one of --show FILE and --schema")
    if print_schema:
        with _output_problems():
            out(config_schema_json())
        return
    checker = _checker(config_path, no_config, rule_dirs, today)
    with _ConfigProblems():
        config = checker.config_for(show_file)
        catalogue = checker.reviewer_for(config).catalogue
    _echo_notices([], checker)
    file_config = config.for_file(show_file)
    defaults = {rule.id: rule.severity for rule in catalogue.rules}
    with _output_problems():
        out(resolved_yaml(show_file, file_config, defaults))


@cli.command("rules")
@rules_option
def list_rules(rule_dirs: tuple[str, ...]) -> None:
    """List the rule catalogue: id, severity, entity, title, ICAT references."""
    from reviewer.terminal_table import render_table, terminal_width

    catalogue = _reviewer(rule_dirs).catalogue
    rows = [
        tuple(map(one_line, (r.id, r.severity, r.applies_to, r.title, " ".join(r.icat))))
        for r in catalogue.rules
    ]
    header = ("ID", "SEVERITY", "APPLIES TO", "TITLE", "ICAT")
    table = render_table([header, *rows], flexible=(4, 3), width=terminal_width())
    with _output_problems():
        out(f"{table}\n{len(rows)} rules (catalogue {catalogue.version})\n")


@cli.command()
@click.argument("rule_id")
@rules_option
@_text_or_markdown("markdown prints the rule's documentation page (as in docs/rules/).")
@click.option(
    "--path",
    "show_path",
    is_flag=True,
    help="Print where the rule's page is installed (offline), e.g. for a Markdown viewer.",
)
def explain(rule_id: str, rule_dirs: tuple[str, ...], fmt: str, show_path: bool) -> None:
    """Explain a rule: why it matters, questions to revisit, indicators, examples, and where
    its documentation page is, online and offline."""
    from reviewer.explain import explain_rule, page_locations
    from reviewer.rule_docs import rule_markdown

    reviewer = _reviewer(rule_dirs)
    rule = reviewer.catalogue.get(rule_id.upper())
    if rule is None:
        import difflib

        close = difflib.get_close_matches(rule_id.upper(), [r.id for r in reviewer.catalogue.rules])
        hint = f" (did you mean {close[0]}?)" if close else " (see `ctreview rules`)"
        raise UsageProblem(f"no rule {rule_id!r}{hint}")
    url, path = page_locations(rule)
    if show_path and path is None:
        raise UsageProblem(
            f"{rule.id} has no installed page (rules from --rules directories have none); "
            f"`ctreview explain {rule.id} --format markdown` prints one"
        )
    with _output_problems():
        if show_path:
            out(f"{one_line(path)}\n")
        elif fmt == "markdown":
            out(rule_markdown(rule, reviewer.knowledge))
        else:
            out(explain_rule(rule, reviewer.knowledge, url=url, path=path) + "\n")


@cli.command("test-rules")
@click.argument("dirs", nargs=-1, type=click.Path(file_okay=False))
@click.option(
    "--corpus",
    "corpus_dirs",
    multiple=True,
    type=click.Path(file_okay=False, exists=True),
    help="Also measure every content check on the labelled texts of this folder "
    "(e.g. tests/corpora): precision and recall per check (repeatable).",
)
@click.option(
    "--show-misses", is_flag=True, help="With --corpus: list the texts a check gets wrong."
)
def test_rules(dirs: tuple[str, ...], corpus_dirs: tuple[str, ...], show_misses: bool) -> None:
    """Run every rule's fail/pass examples and every lexicon's match/no_match examples
    (bundled rules and lexicons, plus rule DIRS and their lexicons/ if given)."""
    from reviewer.examples import run_examples
    from reviewer.lexicon import run_lexicon_examples

    reviewer = _reviewer(dirs)
    results = run_examples(reviewer)
    failed = [r for r in results if not r.ok]
    err(
        *(
            f"FAIL {result.rule_id} {result.kind}[{result.index}]: "
            + textwrap.shorten(result.detail, 400)
            for result in failed
        )
    )
    lexicon_results = run_lexicon_examples(reviewer.lexicons)
    lexicon_failed = [r for r in lexicon_results if not r.ok]
    err(
        *(
            f"FAIL lexicon {result.lexicon} ({result.language}) {result.kind}: "
            + textwrap.shorten(result.text, 200)
            for result in lexicon_failed
        )
    )
    with _output_problems():
        out(
            f"{len(results) - len(failed)} passed, {len(failed)} failed "
            f"({len(reviewer.catalogue.rules)} rules); lexicon examples: "
            f"{len(lexicon_results) - len(lexicon_failed)} passed, {len(lexicon_failed)} failed\n"
        )
        for folder in corpus_dirs:
            _print_corpus(Path(folder), reviewer, show_misses)
    sys.exit(EXIT_FINDINGS if failed or lexicon_failed else EXIT_OK)


def _print_corpus(folder: Path, reviewer, show_misses: bool) -> None:
    """A content check's figures on a labelled corpus (and, on request, what it gets wrong)."""
    from reviewer.corpus import CorpusError, measure_folder, table

    try:
        measures = measure_folder(folder, reviewer.lexicons)
    except CorpusError as error:
        raise UsageProblem(str(error)) from None
    out(f"\nContent checks on the labelled texts of {one_line(str(folder))}:\n\n")
    out(table(measures))
    if show_misses:
        for measure in measures:
            for case, said in measure.wrong:
                kind = "false positive" if said else "missed"
                out(f"{measure.check}: {kind}: {one_line(textwrap.shorten(case.text, 160))}\n")


@cli.command()
def schema() -> None:
    """Print the proposal format as a JSON Schema (for editors and yaml-language-server)."""
    from reviewer.schema import schema_json

    with _output_problems():
        out(schema_json())


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--type",
    "types",
    multiple=True,
    type=click.Choice(COMPONENT_TYPES),
    help="Add a component of this type with its ICAT block (repeatable).",
)
@click.option("--interactive", "-i", is_flag=True, help="Ask the key ICAT questions.")
def init(path: str, types: tuple[str, ...], interactive: bool) -> None:
    """Write a commented proposal skeleton to PATH (never overwrites)."""
    import shlex

    from reviewer.output import write_new
    from reviewer.scaffold import fill_interactively, proposal_id, render, skeleton

    target = Path(path)
    if os.path.lexists(target):
        raise UsageProblem(f"{path} already exists; ctreview init never overwrites a file")
    stem = target.stem
    ident = proposal_id(stem)
    if ident != stem:
        err(
            f"note: the proposal id is {ident!r}, made from the file name (an id holds "
            "letters, digits, - _ . only)"
        )
    tree = skeleton(ident, types)
    if interactive:
        tree = fill_interactively(
            tree, lambda q, d: click.prompt(q, default=d, show_default=bool(d))
        )
    with _output_problems():
        write_new(target, render(tree))
        shown = path if not path.startswith("-") else os.path.join(".", path)
        command = f"ctreview check {shlex.quote(shown)}"
        out(f"wrote {one_line(path)}: fill it in, then run `{one_line(command)}`\n")


@cli.command()
@click.option("--write", is_flag=True, help="Write docs/icat-coverage.md instead of printing.")
@rules_option
def coverage(write: bool, rule_dirs: tuple[str, ...]) -> None:
    """Show which ICAT lessons and questions the rules check."""
    from reviewer.coverage import coverage_markdown, coverage_rows

    reviewer = _reviewer(rule_dirs)
    text = coverage_markdown(
        coverage_rows(reviewer.knowledge, reviewer.catalogue), reviewer.catalogue
    )
    with _output_problems():
        if write:
            from reviewer.output import write_atomic

            write_atomic(_repo_docs() / "icat-coverage.md", text)
        else:
            out(text)


@cli.command("generate-docs", hidden=True)
def generate_docs() -> None:
    """Regenerate the reference documents and example reports in docs/ and the prebuilt data of
    the bundled rule packs and question banks (for maintainers)."""
    from reviewer.docgen import (
        bundled_rule_documents,
        write_content_check_figures,
        write_documents,
        write_findings_per_sample,
        write_prebuilt,
    )
    from reviewer.report.examples import write_example_reports
    from reviewer.rule_docs import write_rule_documents

    docs = _repo_docs()
    written = [
        *write_documents(docs),
        *write_rule_documents(docs, bundled_rule_documents()),
        *write_example_reports(docs.parent),
        *write_prebuilt(),
        *write_content_check_figures(docs.parent),
        *write_findings_per_sample(docs.parent),
    ]
    with _output_problems():
        out("".join(f"wrote {path}\n" for path in written))


def _repo_docs() -> Path:
    docs = Path(__file__).resolve().parent.parent / "docs"
    if not docs.is_dir():
        raise UsageProblem("docs/ not found: run this from a source checkout of ctreview")
    return docs


def main() -> None:
    """Console entry point: every error becomes a message and exit code 2, never a traceback;
    a signal or a closed pipe ends the run quietly with the conventional status."""
    from reviewer.console import release_stdout, tolerate_any_encoding
    from reviewer.stopping import stop_on_signals

    stop_on_signals()
    tolerate_any_encoding()
    status = _run()
    release_stdout()
    sys.exit(status)


def _run() -> int:
    from reviewer.console import PIPE_CLOSED_STATUS, ReaderGone
    from reviewer.stopping import Stopped

    try:
        cli.main(standalone_mode=False)
    except SystemExit as done:  # a command's sys.exit(code)
        return done.code if isinstance(done.code, int) else EXIT_ERROR if done.code else EXIT_OK
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return EXIT_ERROR
    except click.exceptions.Abort:  # end of input at a prompt
        err("aborted")
        return EXIT_ERROR
    except Stopped as stop:
        return stop.status
    except ReaderGone:
        return PIPE_CLOSED_STATUS
    except OutputError as error:
        err(f"ctreview: {error}")
        return EXIT_ERROR
    except DocsURLError as error:
        err(f"Error: {error}")
        return EXIT_ERROR
    except Exception as error:  # noqa: BLE001 - the last line of defence against tracebacks
        if os.environ.get("CTREVIEW_DEBUG"):
            raise
        err(
            f"ctreview: internal error: {type(error).__name__}: {error}",
            "This is a bug in ctreview, not in your file. Run again with "
            "CTREVIEW_DEBUG=1 and report the traceback.",
        )
        return EXIT_ERROR
    return EXIT_OK
