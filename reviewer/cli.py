"""Command-line interface. Commands stay thin: each calls one pipeline function and prints.

Exit codes: 0 nothing reaches the threshold, 1 findings reach it, 2 usage, input or
configuration errors (never a traceback; set CTREVIEW_DEBUG=1 to see one for a bug report).
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import click

from reviewer import __version__
from reviewer.doc_links import DocsURLError
from reviewer.loader import InputError
from reviewer.policy import FAIL_ON, SEVERITIES
from reviewer.report import FORMATS
from reviewer.rules import RuleError
from reviewer.scaffold import COMPONENT_TYPES

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageProblem(click.ClickException):
    """A user-facing error: printed without a traceback, exit code 2."""

    exit_code = EXIT_ERROR


def _reviewer(rule_dirs: Sequence[str]):
    from reviewer.review import Reviewer

    try:
        return Reviewer([Path(d) for d in rule_dirs])
    except (RuleError, InputError) as error:
        raise UsageProblem(f"cannot load the rules:\n{error}") from None


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
            raise UsageProblem(f"invalid configuration:\n{error}") from None


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


def _echo_notices(reviews) -> None:
    for review in reviews:
        for notice in review.notices:
            click.echo(f"notice: {notice}", err=True)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
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
    from reviewer.policy import Judgement, exit_code, visible, with_baseline
    from reviewer.report import ReportContext, render, write_atomic

    targets = [_parse_output(spec, FORMATS) for spec in outputs]
    inputs = _check_inputs(files, proposals_only, stdin_filename)
    files = inputs.names
    if inputs.skipped_note():
        click.echo(f"ctreview: {inputs.skipped_note()}", err=True)
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
        click.echo(f"ctreview: {inputs.nothing_found()}", err=True)
        sys.exit(EXIT_OK)
    reviews = [j.review for j in judgements]
    _report_input_problems(reviews)
    if write_baseline:
        entries = entries_for([r for r in reviews if r.ok], Path(write_baseline).resolve().parent)
        try:
            write_atomic(Path(write_baseline), baseline_json(entries), inputs=files)
        except (OSError, ValueError) as error:
            raise UsageProblem(f"cannot write {write_baseline}: {error}") from None
        click.echo(f"wrote {write_baseline} ({len(entries)} findings recorded)", err=True)
    elif baseline_path:
        try:
            judgements, dropped = with_baseline(judgements, Path(baseline_path))
        except BaselineError as error:
            raise UsageProblem(str(error)) from None
        click.echo(f"baseline {baseline_path}: {dropped} recorded findings not shown", err=True)
    reviews = [j.review for j in judgements]
    _echo_notices(reviews)
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
    shown = [visible(r, threshold) for r in reviews if r.ok]
    click.echo(render(fmt, shown, ctx), nl=False)
    for out_fmt, path in targets:
        try:
            write_atomic(Path(path), render(out_fmt, shown, ctx), inputs=files)
        except (OSError, ValueError) as error:
            raise UsageProblem(f"cannot write {path}: {error}") from None
    if write_baseline and all(r.ok for r in reviews):
        sys.exit(EXIT_OK)
    sys.exit(exit_code(judgements))


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
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _report_input_problems(reviews) -> bool:
    broken = False
    for review in reviews:
        if review.input_error:
            click.echo(f"error: {review.input_error}", err=True)
            broken = True
        for problem in review.problems:
            click.echo(f"error: {problem}", err=True)
            broken = True
    if broken:
        from reviewer.doc_links import format_hint

        click.echo(f"Fix the problems above and run ctreview again; {format_hint()}.", err=True)
    return broken


@cli.command()
@click.argument("old", type=click.Path())
@click.argument("new", type=click.Path())
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
    _echo_notices([after.review])
    result = diff_reviews(before.review, after.review)
    click.echo((render_markdown if fmt == "markdown" else render_text)(result), nl=False)
    sys.exit(EXIT_FINDINGS if result.fails(after.settings.fail_on) else EXIT_OK)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_config_options
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes  [default: the number of CPU cores].",
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
    import contextlib

    from reviewer import screen as screening
    from reviewer.discovery import find_proposals
    from reviewer.portfolio import (
        PORTFOLIO_FORMATS,
        Tally,
        build_portfolio,
        render_table,
        summary_line,
    )
    from reviewer.report import write_atomic
    from reviewer.terminal_table import terminal_width

    if report_formats and not out_dir:
        raise UsageProblem("--report-format needs --out DIR (where the reports go)")
    checker = _checker(config_path, no_config, rule_dirs, today, fail_on=fail_on)
    discovery = find_proposals(paths)
    for pattern in discovery.unmatched:
        click.echo(f"error: {pattern}: no file matches this pattern", err=True)
    try:
        tasks = screening.plan_tasks(discovery, out_dir, report_formats or ("markdown",))
    except screening.ScreenError as error:
        raise UsageProblem(str(error)) from None
    knowledge = screening.prepare(checker, discovery)
    shown = not quiet and sys.stderr.isatty() and len(tasks) > 1
    bar = click.progressbar(length=len(tasks), label="Screening", file=sys.stderr)
    tally, results = Tally(), []
    with bar if shown else contextlib.nullcontext():
        for result in screening.screen(tasks, checker, jobs or os.cpu_count() or 1):
            results.append(tally.add(result))  # keeps the row, counts the rest
            if shown:
                bar.update(1)
    for result in results:
        if result.error:
            click.echo(f"error: {result.error}", err=True)
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
            try:
                write_atomic(target, render_portfolio(portfolio), inputs=discovery.proposals)
            except (OSError, ValueError) as error:
                raise UsageProblem(f"cannot write {target}: {error}") from None
        reviewed = sum(result.reviewed for result in results)
        click.echo(summary_line(portfolio), err=True)
        click.echo(
            f"wrote the portfolio and the reports of {reviewed} proposals to {out_dir}", err=True
        )
    else:
        click.echo(render_table(portfolio, terminal_width()), nl=False)
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
        click.echo(config_schema_json(), nl=False)
        return
    checker = _checker(config_path, no_config, rule_dirs, today)
    with _ConfigProblems():
        config = checker.config_for(show_file)
        catalogue = checker.reviewer_for(config).catalogue
    file_config = config.for_file(show_file)
    defaults = {rule.id: rule.severity for rule in catalogue.rules}
    click.echo(resolved_yaml(show_file, file_config, defaults), nl=False)


@cli.command("rules")
@rules_option
def list_rules(rule_dirs: tuple[str, ...]) -> None:
    """List the rule catalogue: id, severity, entity, title, ICAT references."""
    from reviewer.terminal_table import render_table, terminal_width

    catalogue = _reviewer(rule_dirs).catalogue
    rows = [(r.id, r.severity, r.applies_to, r.title, " ".join(r.icat)) for r in catalogue.rules]
    header = ("ID", "SEVERITY", "APPLIES TO", "TITLE", "ICAT")
    click.echo(render_table([header, *rows], flexible=(4, 3), width=terminal_width()), nl=False)
    click.echo(f"\n{len(rows)} rules (catalogue {catalogue.version})")


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
    if show_path:
        if path is None:
            raise UsageProblem(
                f"{rule.id} has no installed page (rules from --rules directories have none); "
                f"`ctreview explain {rule.id} --format markdown` prints one"
            )
        click.echo(str(path))
    elif fmt == "markdown":
        click.echo(rule_markdown(rule, reviewer.knowledge), nl=False)
    else:
        click.echo(explain_rule(rule, reviewer.knowledge, url=url, path=path))


@cli.command("test-rules")
@click.argument("dirs", nargs=-1, type=click.Path(file_okay=False))
def test_rules(dirs: tuple[str, ...]) -> None:
    """Run every rule's fail/pass examples (bundled rules, plus rule DIRS if given)."""
    from reviewer.examples import run_examples

    reviewer = _reviewer(dirs)
    results = run_examples(reviewer)
    failed = [r for r in results if not r.ok]
    for result in failed:
        click.echo(
            f"FAIL {result.rule_id} {result.kind}[{result.index}]: "
            + textwrap.shorten(result.detail, 400),
            err=True,
        )
    click.echo(
        f"{len(results) - len(failed)} passed, {len(failed)} failed "
        f"({len(reviewer.catalogue.rules)} rules)"
    )
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


@cli.command()
def schema() -> None:
    """Print the proposal format as a JSON Schema (for editors and yaml-language-server)."""
    from reviewer.schema import schema_json

    click.echo(schema_json(), nl=False)


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
    from reviewer.scaffold import fill_interactively, render, skeleton

    target = Path(path)
    if target.exists():
        raise UsageProblem(f"{path} already exists; ctreview init never overwrites a file")
    tree = skeleton(target.stem or "proposal", types)
    if interactive:
        tree = fill_interactively(
            tree, lambda q, d: click.prompt(q, default=d, show_default=bool(d))
        )
    try:
        with target.open("x", encoding="utf-8") as stream:
            stream.write(render(tree))
    except OSError as error:
        raise UsageProblem(f"cannot write {path}: {error.strerror}") from None
    click.echo(f"wrote {path}: fill it in, then run `ctreview check {path}`")


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
    if write:
        from reviewer.report import write_atomic

        write_atomic(_repo_docs() / "icat-coverage.md", text)
    else:
        click.echo(text, nl=False)


@cli.command("generate-docs", hidden=True)
def generate_docs() -> None:
    """Regenerate the reference documents and example reports in docs/ and the prebuilt data of
    the bundled rule packs and question banks (for maintainers)."""
    from reviewer.docgen import bundled_rule_documents, write_documents, write_prebuilt
    from reviewer.report.examples import write_example_reports
    from reviewer.rule_docs import write_rule_documents

    docs = _repo_docs()
    written = [
        *write_documents(docs),
        *write_rule_documents(docs, bundled_rule_documents()),
        *write_example_reports(docs.parent),
        *write_prebuilt(),
    ]
    for path in written:
        click.echo(f"wrote {path}")


def _repo_docs() -> Path:
    docs = Path(__file__).resolve().parent.parent / "docs"
    if not docs.is_dir():
        raise UsageProblem("docs/ not found: run this from a source checkout of ctreview")
    return docs


def main() -> None:
    """Console entry point: every error becomes a message and exit code 2, never a traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_ERROR)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_ERROR)
    except DocsURLError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(EXIT_ERROR)
    except Exception as error:  # noqa: BLE001 - the last line of defence against tracebacks
        if os.environ.get("CTREVIEW_DEBUG"):
            raise
        click.echo(
            f"ctreview: internal error: {type(error).__name__}: {error}\n"
            "This is a bug in ctreview, not in your file. Run again with "
            "CTREVIEW_DEBUG=1 and report the traceback.",
            err=True,
        )
        sys.exit(EXIT_ERROR)
