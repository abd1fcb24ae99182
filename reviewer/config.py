"""The configuration file `.ctreview.yaml`: which rules apply, how severe they are, what fails.

A proposal's configuration is the nearest `.ctreview.yaml` (or `.ctreview.yml`) found by walking
up from the proposal's folder; the walk stops at a repository root (a folder holding `.git`) so a
checkout never picks up a file from outside it. With no configuration, the `recommended` preset
applies. Configurations compose explicitly with `extends:` (presets are data in
reviewer/presets/); there is no implicit cascade, so one file always says everything that applies.

Every problem is reported at once as `file:line:col: message`, with a did-you-mean for keys and
rule ids, and ends the run with exit code 2.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.representer import RoundTripRepresenter

from reviewer.findings import Waiver
from reviewer.gaps import DIMENSIONS
from reviewer.inert import inert_lines
from reviewer.loader import Document, InputError, ProblemsError, format_yaml_path, load_document
from reviewer.paths import real_path
from reviewer.schema import (
    MAX_NUMBER,
    Problem,
    error_problems,
    make_validator,
    read_schema,
    to_plain,
)
from reviewer.schema_check import Check, Unsupported, compile_check
from reviewer.spelling import did_you_mean
from reviewer.verdict import VerdictThresholds

CONFIG_NAME = ".ctreview.yaml"
CONFIG_NAMES = (CONFIG_NAME, ".ctreview.yml")  # either spelling, as yamllint and others accept
PRESET_DIR = Path(__file__).resolve().parent / "presets"
PRESETS = ("recommended", "strict")
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "config.schema.yaml"

if TYPE_CHECKING:  # imported by make_validator when a configuration is read: not at start-up
    import jsonschema


class ConfigError(ProblemsError):
    """A configuration that cannot be used; str() lists every problem, one per line."""


@dataclass(frozen=True)
class RuleSetting:
    """One `RULE: severity` entry, with where it is written (for errors)."""

    rule: str
    severity: str  # error, warning, info or off
    where: str


@dataclass(frozen=True)
class Override:
    """Rule settings for the files matching some globs (relative to `base`)."""

    base: Path
    files: tuple[str, ...]
    rules: tuple[RuleSetting, ...]


@dataclass(frozen=True)
class ConfigWaiver:
    """A waiver written in a configuration, for the files matching `file` (all when '')."""

    waiver: Waiver
    base: Path
    file: str
    where: str


@dataclass(frozen=True)
class FileConfig:
    """The configuration that applies to one proposal, overrides resolved."""

    sources: tuple[str, ...]
    severities: Mapping[str, str] = field(hash=False)
    rule_dirs: tuple[Path, ...]
    fail_on: str | None
    max_warnings: int | None
    strict_waivers: bool | None
    waivers: tuple[Waiver, ...]
    verdict: VerdictThresholds | None = None  # None: the defaults


# A `verdict:` setting: (dimension, threshold name, value); None is a value ("never").
VerdictSetting = tuple[str, str, int | None]


@dataclass(frozen=True)
class Config:
    """A loaded configuration with everything it extends merged in (later entries win)."""

    sources: tuple[str, ...] = ()
    rules: tuple[RuleSetting, ...] = ()
    rule_dirs: tuple[Path, ...] = ()
    overrides: tuple[Override, ...] = ()
    fail_on: str | None = None
    max_warnings: int | None = None
    strict_waivers: bool | None = None
    waivers: tuple[ConfigWaiver, ...] = ()
    files: tuple[Path, ...] = ()  # the files read (this one and what it extends)
    verdict: tuple[VerdictSetting, ...] = ()  # in the order written; later entries win

    def for_file(self, proposal: str | Path) -> FileConfig:
        target = real_path(proposal)
        severities = {s.rule: s.severity for s in self.rules}
        for override in self.overrides:
            if any(glob_matches(pattern, target, override.base) for pattern in override.files):
                severities.update({s.rule: s.severity for s in override.rules})
        waivers = tuple(
            w.waiver for w in self.waivers if not w.file or glob_matches(w.file, target, w.base)
        )
        return FileConfig(
            self.sources,
            severities,
            self.rule_dirs,
            self.fail_on,
            self.max_warnings,
            self.strict_waivers,
            waivers,
            verdict_thresholds(self.verdict) if self.verdict else None,
        )

    def unknown_rules(self, known: Collection[str]) -> list[str]:
        """Problems for rule ids the catalogue does not have (rules, overrides, waivers)."""
        settings = [*self.rules, *(s for o in self.overrides for s in o.rules)]
        used = [(s.rule, s.where) for s in settings]
        used += [(w.waiver.rule, w.where) for w in self.waivers]
        return sorted(
            {
                f"{where}: unknown rule id '{rule}'{did_you_mean(rule.upper(), known)}; "
                "`ctreview rules` lists the rule ids"
                for rule, where in used
                if rule not in known
            }
        )


def verdict_thresholds(settings: Sequence[VerdictSetting]) -> VerdictThresholds:
    """The verdict thresholds that `verdict:` settings give (later settings win), each
    threshold not set keeping its default."""
    values: dict[str, dict[str, int | None]] = {}
    for dimension, name, value in settings:
        values.setdefault(dimension, {})[name] = value
    defaults = VerdictThresholds()
    return VerdictThresholds(
        **{
            dimension: replace(defaults.of(dimension), **values.get(dimension, {}))
            for dimension in DIMENSIONS
        }
    )


def find_config(start: str | Path, notes: list[str] | None = None) -> Path | None:
    """The nearest `.ctreview.yaml` (or `.ctreview.yml`) from a folder upwards, stopping at a
    repository root. Both in one folder is an error: silently preferring one would leave the
    other's settings ignored.

    As git does for a repository it does not own, a file that another user owns or that every
    user may write is passed over (with a note in `notes`): anyone who can write /tmp could
    otherwise decide how proposals under /tmp are judged. `--config` still reads such a file.
    """
    folder = real_path(start)
    for candidate_dir in (folder, *folder.parents):
        found = [candidate_dir / name for name in CONFIG_NAMES if (candidate_dir / name).is_file()]
        if len(found) > 1:
            raise ConfigError(
                [
                    f"{found[0]}: {found[1].name} is in the same folder; ctreview reads one "
                    "configuration per folder: merge them into one file and delete the other"
                ]
            )
        if found:
            distrust = untrusted(found[0])
            if distrust is None:
                return found[0]
            if notes is not None:
                notes.append(
                    f"ignoring {_display(found[0])}: {distrust}; "
                    "pass it with --config to use it anyway"
                )
        if (candidate_dir / ".git").exists():
            return None
    return None


def untrusted(path: Path) -> str | None:
    """Why a discovered configuration must not be trusted, or None: owned by someone other
    than this user (or root), or writable by every user."""
    info = path.stat()
    if info.st_uid not in (os.geteuid(), 0):
        return f"it is owned by another user (uid {info.st_uid})"
    if info.st_mode & stat.S_IWOTH:
        return "every user may write it"
    return None


def preset(name: str) -> Config:
    return load_config(PRESET_DIR / f"{name}.yaml")


def load_config(path: str | Path) -> Config:
    """Load, validate and merge a configuration with what it extends; raise ConfigError."""
    top = real_path(path)
    return _load(top, (), _Reach(_tree_of(top)))


# How far `extends` reaches: a chain of at most this many files, and at most this many files
# read for one configuration (a list may extend the same file many times over).
MAX_EXTENDS_DEPTH = 8
MAX_EXTENDED_FILES = 64


@dataclass
class _Reach:
    """What `extends` may read while one configuration loads: files inside `tree` only."""

    tree: Path
    files_read: int = 0


def _tree_of(config: Path) -> Path:
    """The tree that holds a configuration: its repository (the nearest folder above it with
    `.git`), or its own folder when it is in none. `extends` reaches no file outside it."""
    if config.parent == PRESET_DIR:
        return PRESET_DIR
    for folder in config.parents:
        if (folder / ".git").exists():
            return folder
    return config.parent


class ConfigFinder:
    """Loads each configuration once per run: an explicit one, or the nearest to each file."""

    def __init__(self, explicit: str | Path | None = None, *, discover: bool = True) -> None:
        self.explicit = load_config(explicit) if explicit else None
        self.discover = discover
        self._loaded: dict[Path | None, Config] = {}
        self._notes: list[str] = []
        # The configuration file each proposal's folder found: looked up once per folder
        # and run (a lookup resolves links and asks every folder up to the repository root
        # for three files; `screen` asks for each proposal several times).
        self._found: dict[Path, Path | None] = {}
        self._folders: dict[str | Path, Path] = {}  # each proposal's folder, links resolved

    @property
    def notes(self) -> list[str]:
        """The discovered configurations passed over, and why (see find_config), once each."""
        return list(dict.fromkeys(self._notes))

    def files(self) -> list[Path]:
        """Every configuration file read so far (with what they extend)."""
        configs = [self.explicit, *self._loaded.values()]
        return [path for config in configs if config for path in config.files]

    def config_for(self, proposal: str | Path) -> Config:
        if self.explicit:
            return self.explicit
        path = None
        if self.discover:
            folder = self._folders.get(proposal)
            if folder is None:
                folder = self._folders[proposal] = real_path(proposal).parent
            if folder not in self._found:
                self._found[folder] = find_config(folder, self._notes)
            path = self._found[folder]
        if path not in self._loaded:
            self._loaded[path] = load_config(path) if path else preset("recommended")
        return self._loaded[path]


def make_waiver(entry: Mapping[str, object], source: str) -> Waiver:
    """A Waiver from a validated `waivers:` entry (proposal or configuration)."""
    return Waiver(
        rule=str(entry["rule"]),
        item=str(entry.get("item", "")),
        justification=" ".join(str(entry["justification"]).split()),
        accepted_by=str(entry.get("accepted_by", "")),
        expires=str(entry.get("expires", "")),
        source=source,
    )


# --- globs ----------------------------------------------------------------------------------------


def glob_matches(pattern: str, target: Path, base: Path) -> bool:
    """Whether `target` matches a glob written relative to `base` (see the schema's `files`)."""
    try:
        relative = target.relative_to(base).as_posix()
    except ValueError:
        return False
    return _run_glob(_glob_tokens(pattern), relative)


# Wildcard tokens of a glob; every other token is a regex for one character.
_DIRS, _ANY, _NAME = "**/", "**", "*"


@cache
def _glob_tokens(pattern: str) -> tuple[str | re.Pattern[str], ...]:
    """The glob as tokens: `**/` (no folder or any folders), `**` (anything), `*` (anything
    within a folder name) and one-character regexes (literal, `?`, `[abc]`)."""
    pattern = pattern.removeprefix("./")
    if "/" not in pattern:
        pattern = "**/" + pattern
    tokens: list[str | re.Pattern[str]] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith(_DIRS, i):
            token, i = _DIRS, i + 3
        elif pattern.startswith(_ANY, i):
            token, i = _ANY, i + 2
        elif pattern[i] == _NAME:
            token, i = _NAME, i + 1
        elif pattern[i] == "?":
            token, i = re.compile("[^/]"), i + 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end].replace("\\", "\\\\")
            token = re.compile("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end + 1
        else:
            token, i = re.compile(re.escape(pattern[i])), i + 1
        tokens.append(token)
    return tuple(tokens)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """The glob as one regex: only to report a glob that cannot compile (`[z-a]`)."""
    wildcards = {_DIRS: "(?:.*/)?", _ANY: ".*", _NAME: "[^/]*"}
    return re.compile(
        "".join(wildcards[t] if isinstance(t, str) else t.pattern for t in _glob_tokens(pattern))
    )


def _run_glob(tokens: Sequence[str | re.Pattern[str]], text: str) -> bool:
    """Whether the tokens match all of `text`, following every way at once (a set of
    positions in the pattern), so time grows with len(tokens) * len(text): a backtracking
    regex takes exponential time on globs such as `**/**/**/.../x` or `*a*a*a*a*b`."""
    inside = len(tokens) + 1  # offset of the states "within a `**/`, past its first character"

    def closure(states: set[int]) -> set[int]:
        todo = list(states)
        while todo:
            state = todo.pop()
            if state < len(tokens) and isinstance(tokens[state], str) and state + 1 not in states:
                states.add(state + 1)  # a wildcard may match nothing
                todo.append(state + 1)
        return states

    states = closure({0})
    for char in text:
        following: set[int] = set()
        for state in states:
            position = state - inside if state >= inside else state
            if position >= len(tokens):
                continue
            token = tokens[position]
            if token == _DIRS:  # `(.*/)?`: read anything, leave after a '/'
                following.add(inside + position)
                if char == "/":
                    following.add(position + 1)
            elif token == _ANY or (token == _NAME and char != "/"):
                following.add(position)
            elif isinstance(token, re.Pattern) and token.fullmatch(char):
                following.add(position + 1)
        states = closure(following)
        if not states:
            return False
    return len(tokens) in states


# --- loading --------------------------------------------------------------------------------------


def _load(path: Path, chain: tuple[Path, ...], reach: _Reach) -> Config:
    try:
        doc = _read(path)
        # Unlike a proposal, empty values are kept, so that a key written without a value is
        # reported rather than silently ignored.
        data = to_plain(doc.data, keep_blank=True)
        problems = (
            schema_problems(doc, data) or _glob_problems(doc, data) or _verdict_problems(doc, data)
        )
        if problems:
            raise ConfigError(problems)
    except ConfigError as error:
        if not chain or path.parent == PRESET_DIR:
            raise
        raise ConfigError([_withheld(path, chain[-1], len(error.problems))]) from None
    extended = (*chain, path)
    bases = [_load_base(doc, i, value, extended, reach) for i, value in _extends(data)]
    return _merge([*bases, _own(doc, data, path, reach.tree)])


def _withheld(path: Path, parent: Path, count: int) -> str:
    """The problems of an extended file, without its content: `extends` could name a file
    that holds secrets (a workspace file a CI step wrote), and a message would print it."""
    problems = "1 problem" if count == 1 else f"{count} problems"
    return (
        f"{_display(path)}: extended by {_display(parent)}, is not a valid configuration "
        f"({problems}; its content is not shown here). To see them, check it on its own: "
        f"ctreview config --show PROPOSAL --config {_display(path)}"
    )


def _glob_problems(doc: Document, data: Mapping[str, Any]) -> list[str]:
    """Globs that do not compile (e.g. a reversed range `[z-a]`), located."""
    places = [
        (("overrides", i, "files", j), pattern)
        for i, entry in enumerate(data.get("overrides", []))
        for j, pattern in enumerate(entry["files"])
    ] + [
        (("waivers", i, "file"), w["file"])
        for i, w in enumerate(data.get("waivers", []))
        if "file" in w
    ]
    problems = []
    for path, pattern in places:
        try:
            _glob_regex(pattern)
        except re.error:
            problems.append(
                f"{_where(doc, path)}: {format_yaml_path(path)}: invalid glob {pattern!r}; "
                "use * ** ? and [abc] or [a-z]"
            )
    return problems


def _verdict_problems(doc: Document, data: Mapping[str, Any]) -> list[str]:
    """A dimension that would read not ready with fewer gaps than it needs to read revise:
    almost certainly the two thresholds swapped."""
    problems = []
    for dimension, limits in (data.get("verdict") or {}).items():
        revise, not_ready = (limits or {}).get("revise_at"), (limits or {}).get("not_ready_at")
        if revise is not None and not_ready is not None and not_ready < revise:
            path = ("verdict", dimension, "not_ready_at")
            problems.append(
                f"{_where(doc, path)}: {format_yaml_path(path)}: {not_ready} is below revise_at "
                f"({revise}); not ready needs at least as many gaps as revise"
            )
    return problems


def _read(path: Path) -> Document:
    """The configuration's tree, named by its display path; an empty file is an empty mapping."""
    name = _display(path)
    try:
        doc = load_document(path)
    except InputError as error:
        if error.message == "the file is empty":
            return Document(name, "", {})
        hint = error.hint.replace("proposal", "configuration")
        raise ConfigError(
            [str(InputError(name, error.message, hint, error.line, error.column))]
        ) from None
    return Document(name, doc.text, doc.data, doc.positions)


def _extends(data: Mapping[str, Any]) -> list[tuple[int | None, str]]:
    value = data.get("extends")
    if isinstance(value, str):
        return [(None, value)]
    return list(enumerate(value or []))


def _load_base(
    doc: Document, index: int | None, value: str, chain: tuple[Path, ...], reach: _Reach
) -> Config:
    where = _where(doc, ("extends",) if index is None else ("extends", index))
    target = _extended(where, value, chain[-1], reach.tree)
    if target in chain:
        cycle = " -> ".join(_display(p) for p in (*chain, target))
        raise ConfigError([f"{where}: extends makes a cycle ({cycle}); remove one of the links"])
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ConfigError(
            [
                f"{where}: extends goes more than {MAX_EXTENDS_DEPTH} files deep "
                f"({' -> '.join(_display(p) for p in chain)} -> ...); merge some of them"
            ]
        )
    reach.files_read += 1
    if reach.files_read > MAX_EXTENDED_FILES:
        raise ConfigError(
            [f"{where}: extends reads more than {MAX_EXTENDED_FILES} files; extend fewer"]
        )
    if not target.is_file():
        raise ConfigError(
            [f"{where}: extends: no such file '{value}' (paths are relative to this file's folder)"]
        )
    return _load(target, chain, reach)


def _extended(where: str, value: str, parent: Path, tree: Path) -> Path:
    """The file an `extends` entry names: a bundled preset, or a YAML file inside the tree
    that holds the configuration (see _tree_of); raise ConfigError for anything else."""
    if "/" not in value and not value.endswith((".yaml", ".yml")):
        if value not in PRESETS:
            raise ConfigError(
                [
                    f"{where}: unknown preset '{value}'{did_you_mean(value, PRESETS)}; "
                    f"extends takes a preset ({', '.join(PRESETS)}) or a path to a YAML file"
                ]
            )
        return PRESET_DIR / f"{value}.yaml"
    if not value.endswith((".yaml", ".yml")):
        raise ConfigError([f"{where}: extends: '{value}' is not a .yaml or .yml file"])
    if Path(value).is_absolute() or value.startswith("~"):
        raise ConfigError(
            [f"{where}: extends: '{value}' is an absolute path; write it relative to this file"]
        )
    target = real_path(parent.parent / value)
    if not target.is_relative_to(real_path(tree)):
        raise ConfigError(
            [
                f"{where}: extends: '{value}' leads outside {_display(tree)}, the tree that "
                "holds this configuration; extends only reaches presets and files inside it"
            ]
        )
    return target


def _rule_dir(where: str, value: str, base: Path, tree: Path) -> Path:
    """A `rule_dirs` entry: a folder inside the tree that holds the configuration, as for
    `extends` (a pull request that edits the configuration cannot make ctreview read, and
    quote in its messages, files elsewhere on the runner; `--rules` on the command line is
    not confined)."""
    if Path(value).is_absolute() or value.startswith("~"):
        raise ConfigError(
            [f"{where}: rule_dirs: '{value}' is an absolute path; write it relative to this file"]
        )
    target = real_path(base / value)
    if not target.is_relative_to(real_path(tree)):
        raise ConfigError(
            [
                f"{where}: rule_dirs: '{value}' leads outside {_display(tree)}, the tree that "
                "holds this configuration; rule folders must be inside it (or given with "
                "--rules)"
            ]
        )
    return target


def _own(doc: Document, data: Mapping[str, Any], path: Path, tree: Path) -> Config:
    """The settings written in one file (without what it extends)."""
    base = path.parent
    waivers = tuple(
        ConfigWaiver(
            make_waiver(entry, f"{doc.path}:{doc.location(('waivers', i)).line}"),
            base,
            entry.get("file", ""),
            _where(doc, ("waivers", i, "rule")),
        )
        for i, entry in enumerate(data.get("waivers", []))
    )
    overrides = tuple(
        Override(base, tuple(entry["files"]), _rule_settings(doc, ("overrides", i, "rules")))
        for i, entry in enumerate(data.get("overrides", []))
    )
    return Config(
        sources=(_display(path),),
        rules=_rule_settings(doc, ("rules",)),
        rule_dirs=tuple(
            _rule_dir(_where(doc, ("rule_dirs", i)), str(d), base, tree)
            for i, d in enumerate(data.get("rule_dirs", []))
        ),
        overrides=overrides,
        fail_on=data.get("fail_on"),
        max_warnings=data.get("max_warnings"),
        strict_waivers=data.get("strict_waivers"),
        waivers=waivers,
        files=(path,),
        verdict=tuple(
            (dimension, name, value)
            for dimension, limits in (data.get("verdict") or {}).items()
            for name, value in (limits or {}).items()
        ),
    )


def _rule_settings(doc: Document, path: tuple[str | int, ...]) -> tuple[RuleSetting, ...]:
    node: Any = doc.data
    for step in path:
        if isinstance(node, Mapping) and step not in node:  # lists: validated, index exists
            return ()
        node = node[step]
    return tuple(
        RuleSetting(str(rule), str(severity), _where(doc, (*path, rule), key=True))
        for rule, severity in (node or {}).items()
    )


def _merge(configs: Sequence[Config]) -> Config:
    def last(name: str) -> Any:
        values = [getattr(c, name) for c in configs if getattr(c, name) is not None]
        return values[-1] if values else None

    return Config(
        sources=tuple(s for c in configs for s in c.sources),
        rules=tuple(s for c in configs for s in c.rules),
        rule_dirs=tuple(dict.fromkeys(d for c in configs for d in c.rule_dirs)),
        overrides=tuple(o for c in configs for o in c.overrides),
        fail_on=last("fail_on"),
        max_warnings=last("max_warnings"),
        strict_waivers=last("strict_waivers"),
        waivers=tuple(w for c in configs for w in c.waivers),
        files=tuple(f for c in configs for f in c.files),
        verdict=tuple(v for c in configs for v in c.verdict),
    )


def _display(path: Path) -> str:
    """A path for messages: presets by name, files relative to the working folder if inside it."""
    if path.parent == PRESET_DIR:
        return f"<preset {path.stem}>"
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _where(doc: Document, path: Sequence[str | int], *, key: bool = False) -> str:
    loc = doc.key_location(path) if key else doc.location(path)
    return f"{doc.path}:{loc.line}:{loc.column}"


# --- validation -----------------------------------------------------------------------------------


@cache
def config_schema() -> dict[str, Any]:
    """The configuration JSON Schema as plain data."""
    return read_schema(SCHEMA_PATH)


def config_schema_json() -> str:
    """The schema as `ctreview config --schema` prints it and docs/config.schema.json holds it."""
    return json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n"


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return make_validator(config_schema())


@cache
def _fast_check() -> Check | None:
    """The schema as a yes/no check (see schema_check.py); jsonschema runs only on a "no"."""
    try:
        return compile_check(config_schema(), max_number=MAX_NUMBER)
    except Unsupported:
        return None


def schema_problems(doc: Document, data: Any) -> list[str]:
    """Every schema problem of a configuration, located, sorted by position."""
    fast = _fast_check()
    if fast is not None and fast(data):
        return []
    problems = {p for error in _validator().iter_errors(data) for p in _problems(doc, error)}
    return [str(p) for p in sorted(problems, key=lambda p: (p.line, p.column, p.message))]


def _problems(doc: Document, error: jsonschema.ValidationError) -> list[Problem]:
    """The proposal validator's wording, plus what only a configuration can get wrong."""
    path = tuple(error.absolute_path)
    special = _special_message(error)
    if special is None:
        return error_problems(doc, error)
    # an empty value has no position of its own: point at its key
    loc = doc.key_location(path) if error.instance is None else doc.location(path)
    return [Problem(doc.path, loc.line, loc.column, format_yaml_path(path), special)]


def _with_path(path: Sequence[str | int], message: str) -> str:
    where = format_yaml_path(path)
    return f"{where}: {message}" if where else message


def _special_message(error: jsonschema.ValidationError) -> str | None:
    kind, value = error.validator, error.instance
    if value is None and kind != "required":
        return "no value given: write one or remove the key"
    if kind in ("format", "pattern"):
        return f"{value!r} is not a valid date (write it as YYYY-MM-DD)"
    if kind == "minItems":
        return "must list at least one glob pattern"
    if kind == "oneOf":
        return "expected a preset name or a path, or a list of them"
    return None


# --- showing --------------------------------------------------------------------------------------


def resolved_yaml(file: str, config: FileConfig, catalogue_severities: Mapping[str, str]) -> str:
    """The configuration that applies to `file` as YAML (`ctreview config --show`), with
    invisible and controlling characters shown as escapes (see reviewer.inert)."""
    import io

    severities = {**catalogue_severities, **config.severities}
    thresholds = config.verdict or VerdictThresholds()
    data = {
        "file": file,
        "sources": list(config.sources),
        "rule_dirs": [_display(d) for d in config.rule_dirs],
        "fail_on": config.fail_on or "error",
        "max_warnings": config.max_warnings,
        "strict_waivers": bool(config.strict_waivers),
        "verdict": {
            dimension: vars(thresholds.of(dimension)) for dimension in DIMENSIONS
        },
        "rules": {rule: severities[rule] for rule in sorted(severities)},
        "waivers": [{k: v for k, v in vars(w).items() if v} for w in config.waivers],
    }
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.Representer = _ExplicitNullRepresenter
    stream = io.StringIO()
    yaml.dump(data, stream)
    return inert_lines(stream.getvalue())  # quotes configuration text and file names


class _ExplicitNullRepresenter(RoundTripRepresenter):
    """Writes None as `null` (add_representer on ruamel's own class would change every dump
    in the process, e.g. the `ctreview init` skeleton's empty fields)."""


_ExplicitNullRepresenter.add_representer(
    type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
)
