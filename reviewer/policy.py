"""What a run counts and what fails it: per-rule severities, waivers, thresholds.

Findings pass through these steps before they are reported: the configuration's per-rule
severities (``off`` drops a rule), then waivers (a waived finding stays in every report with its
justification but never fails a run), then the baseline (see baseline.py). The exit code is
decided on what remains; what the output shows (``visible``) is a separate setting, so hiding
info findings never changes whether a run passes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from reviewer.baseline import apply_baseline, load_baseline
from reviewer.config import Config, ConfigError, ConfigFinder, FileConfig, make_waiver
from reviewer.findings import SEVERITY_RANK, Finding, Waiver
from reviewer.loader import Document, InputError, load_document
from reviewer.paths import data_dir, real_path
from reviewer.review import Review, Reviewer, paused_gc
from reviewer.schema import to_plain
from reviewer.verdict import DEFAULT_THRESHOLDS, VerdictThresholds

FAIL_ON = ("error", "warning", "info", "never")
SEVERITIES = ("error", "warning", "info")
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class Settings:
    """Settings that decide the exit code of one file; separate from what is shown."""

    fail_on: str = "error"
    max_warnings: int | None = None
    strict_waivers: bool = False  # a waiver that is expired or matches nothing fails the run
    # When each dimension of the verdict reads revise or not ready (see verdict.py); the
    # verdict is reported, the exit code is decided by the settings above.
    verdict: VerdictThresholds = field(default_factory=VerdictThresholds)


@dataclass
class Judgement:
    """One reviewed file with the settings it is judged by and its stale waivers."""

    review: Review
    settings: Settings = field(default_factory=Settings)
    stale_waivers: int = 0  # expired, or matching no finding


def reaches(severity: str, threshold: str) -> bool:
    """Whether a severity is at or above a --fail-on threshold ('never' is never reached)."""
    return threshold != "never" and SEVERITY_RANK[severity] <= SEVERITY_RANK[threshold]


def counted(findings: Sequence[Finding]) -> list[Finding]:
    """The findings that count towards the exit code: waived ones never do."""
    return [finding for finding in findings if finding.waiver is None]


def exit_code(judgements: Sequence[Judgement]) -> int:
    """0 nothing reaches a threshold, 1 something does, 2 a file could not be reviewed.

    ``max_warnings`` limits the warnings of all files that share that limit in the run (one
    limit for the run when it comes from --max-warnings or from a single configuration).
    """
    if any(not j.review.ok for j in judgements):
        return EXIT_ERROR
    warnings_under: dict[int, int] = {}
    for j in judgements:
        findings = counted(j.review.findings)
        if any(reaches(f.severity, j.settings.fail_on) for f in findings):
            return EXIT_FINDINGS
        if j.settings.strict_waivers and j.stale_waivers:
            return EXIT_FINDINGS
        if j.settings.max_warnings is not None:
            count = sum(1 for f in findings if f.severity == "warning")
            limit = j.settings.max_warnings
            warnings_under[limit] = warnings_under.get(limit, 0) + count
    if any(count > limit for limit, count in warnings_under.items()):
        return EXIT_FINDINGS
    return EXIT_OK


def visible(review: Review, min_severity: str) -> Review:
    """The review as shown: findings below `min_severity` withheld from the output; they still
    count, in the verdict too, and summaries say how many were not shown."""
    shown = [f for f in review.findings if reaches(f.severity, min_severity)]
    withheld = [f for f in review.findings if not reaches(f.severity, min_severity)]
    return replace(review, findings=shown, withheld=(*review.withheld, *withheld))


def apply_severities(review: Review, severities: Mapping[str, str]) -> Review:
    """Per-rule severities from the configuration: 'off' drops the rule's findings. (Only
    the findings whose severity changes are copied: most configurations change none.)"""
    if not any(f.rule_id in severities for f in review.findings):
        return review
    findings = [
        f if severities.get(f.rule_id, f.severity) == f.severity else replace(
            f, severity=severities[f.rule_id]
        )
        for f in review.findings
        if severities.get(f.rule_id) != "off"
    ]
    return replace(review, findings=sorted(findings, key=Finding.sort_key))


def proposal_waivers(doc: Document) -> list[Waiver]:
    """The `waivers:` written in a validated proposal, each with where it is written."""
    entries = doc.data.get("waivers") if isinstance(doc.data, Mapping) else None
    waivers = []
    for index, entry in enumerate(entries or []):
        plain = to_plain(entry)
        line = doc.location(("waivers", index)).line
        waivers.append(make_waiver(plain, f"{doc.path}:{line}"))
    return waivers


def is_expired(waiver: Waiver, today: dt.date) -> bool:
    """A waiver applies up to and including its expiry date."""
    return bool(waiver.expires) and dt.date.fromisoformat(waiver.expires) < today


def apply_waivers(review: Review, waivers: Sequence[Waiver], today: dt.date) -> tuple[Review, int]:
    """Mark the findings active waivers cover; notices for expired and unmatched waivers.

    Returns the review and the number of stale waivers (expired, or matching no finding).
    """
    active = [w for w in waivers if not is_expired(w, today)]
    used: set[int] = set()
    findings = []
    for finding in review.findings:
        matching = [i for i, w in enumerate(active) if _covers(w, finding)]
        used.update(matching)
        findings.append(replace(finding, waiver=active[matching[0]]) if matching else finding)
    expired = [w for w in waivers if is_expired(w, today)]
    unmatched = [w for i, w in enumerate(active) if i not in used]
    notices = [
        f"{w.source}: the waiver of {w.rule} for {_item_words(w.item)} expired on {w.expires}, "
        "so it no longer applies; renew it (new date, fresh justification) or remove it"
        for w in expired
    ] + [
        f"{w.source}: the waiver of {w.rule} for {_item_words(w.item)} matches no finding; "
        "remove it (or check the rule id and the item id)"
        for w in unmatched
    ]
    updated = replace(review, findings=findings, notices=[*review.notices, *notices])
    return updated, len(expired) + len(unmatched)


def _covers(waiver: Waiver, finding: Finding) -> bool:
    return waiver.rule == finding.rule_id and waiver.item == finding.item


def _item_words(item: str) -> str:
    return f"item '{item}'" if item else "the programme"


# --- a run: configuration, review, severities, waivers, baseline ---------------------------------


@dataclass(frozen=True)
class RunOptions:
    """Command-line choices. None means: take it from the configuration (CLI flags win)."""

    config: Path | None = None  # --config: one file for every proposal, no discovery
    discover_config: bool = True  # False with --no-config: the recommended preset
    rule_dirs: tuple[Path, ...] = ()
    fail_on: str | None = None
    max_warnings: int | None = None
    strict_waivers: bool | None = None
    today: dt.date = field(default_factory=dt.date.today)


class Checker:
    """Reviews files under their configuration.

    Builds one Reviewer per set of rule directories (compiling rules is the expensive part)
    and checks each configuration's rule ids against its catalogue once.
    """

    def __init__(
        self,
        options: RunOptions,
        make_reviewer: Callable[[Sequence[Path]], Reviewer] = Reviewer,
    ) -> None:
        self.options = options
        self.make_reviewer = make_reviewer
        self.finder = ConfigFinder(options.config, discover=options.discover_config)
        self.reviewers: dict[tuple[Path, ...], Reviewer] = {}
        self._checked: set[Config] = set()

    def config_for(self, path: str) -> Config:
        return self.finder.config_for(path)

    def input_files(self) -> list[str]:
        """The files this run has read besides the proposals: configurations and rule files
        (bundled and extra). A report must never be written over one of them."""
        rule_dirs = {data_dir("rules"), *(d for dirs in self.reviewers for d in dirs)}
        rule_files = [p for d in sorted(rule_dirs) for p in sorted(Path(d).glob("*.yaml"))]
        return [str(path) for path in (*self.finder.files(), *rule_files)]

    def reviewer_for(self, config: Config) -> Reviewer:
        """The reviewer for a configuration's rule directories; raise ConfigError for rule
        ids its catalogue does not know."""
        dirs = (*self.options.rule_dirs, *config.rule_dirs)
        if dirs not in self.reviewers:
            self.reviewers[dirs] = self.make_reviewer(dirs)
        reviewer = self.reviewers[dirs]
        if config not in self._checked:
            problems = config.unknown_rules({rule.id for rule in reviewer.catalogue.rules})
            if problems:
                raise ConfigError(problems)
            self._checked.add(config)
        return reviewer

    def settings(self, config: FileConfig) -> Settings:
        opts = self.options
        return Settings(
            fail_on=_first(opts.fail_on, config.fail_on, "error"),
            max_warnings=_first(opts.max_warnings, config.max_warnings),
            strict_waivers=bool(_first(opts.strict_waivers, config.strict_waivers, False)),
            verdict=config.verdict or DEFAULT_THRESHOLDS,
        )

    def judge(
        self,
        path: str,
        *,
        config_of: str | None = None,
        load: Callable[[], Document] | None = None,
    ) -> Judgement:
        """Review one file and apply its configuration and waivers (`config_of`: take the
        configuration of another file, so two versions of a proposal are judged alike; `load`:
        how to read it when it is not the file at `path`, e.g. standard input)."""
        config = self.config_for(config_of or path)
        file_config = config.for_file(config_of or path)
        reviewer = self.reviewer_for(config)
        settings = self.settings(file_config)
        with paused_gc():
            return self._judge(
                path, load or (lambda: load_document(path)), reviewer, file_config, settings
            )

    def _judge(
        self,
        path: str,
        load: Callable[[], Document],
        reviewer: Reviewer,
        file_config: FileConfig,
        settings: Settings,
    ) -> Judgement:
        try:
            doc = load()
        except InputError as error:
            return Judgement(Review(path, input_error=error), settings)
        review = replace(reviewer.review_document(doc), thresholds=settings.verdict)
        if not review.ok:
            return Judgement(review, settings)
        review = apply_severities(review, file_config.severities)
        waivers = [*proposal_waivers(doc), *file_config.waivers]
        review, stale = apply_waivers(review, waivers, self.options.today)
        return Judgement(review, settings, stale)


def with_baseline(judgements: Sequence[Judgement], path: Path) -> tuple[list[Judgement], int]:
    """Judgements without the findings a baseline file records (see baseline.py); raises
    BaselineError for an unusable file. Also returns how many findings it left out."""
    reviews, dropped = apply_baseline(
        [j.review for j in judgements], load_baseline(path), real_path(path).parent
    )
    return [replace(j, review=r) for j, r in zip(judgements, reviews, strict=True)], dropped


def _first(*values):
    return next((value for value in values if value is not None), None)
