"""Lexicons: the word lists content checks read free text with, kept as data a domain expert edits.

A lexicon file (``rules/lexicons/*.yaml``, format in docs/writing-lexicons.md) names one list of
phrases in one language, says how a text must meet them (``whole``: the text is one of them;
``start``: it begins with one; ``anywhere``: one occurs in it; ``only``: nothing but its
phrases is in it, e.g. "relevant ministries and partners"), and carries ``examples`` that
``ctreview test-rules`` and the test suite run.

Phrases are not regular expressions. Lexicons may come from a funder's rule directory, which is
untrusted input, and a regular expression written there could take exponential time. A phrase
is a sequence of words with five markers (``word*`` any ending, ``#`` a number, ``yyyy`` a
year, ``...`` up to three other words, ``?word`` an optional word); `compile_phrase` turns it
into a pattern whose only repetitions are of single character classes (and the gap's, bounded
at three words), so matching is linear in the text.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml.error import YAMLError

from reviewer import prebuilt
from reviewer.loader import InputError, ProblemsError, load_document, unusable_data_file
from reviewer.schema import to_plain

MODES = ("whole", "start", "anywhere", "only")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
NAME = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
MAX_PHRASES = 400
MAX_PHRASE_WORDS = 12
_KEYS_REQUIRED = ("name", "language", "description", "patterns", "examples")
_KEYS_OPTIONAL = ("match", "notes")
_WORD = re.compile(r"^\??[a-z0-9'%&#]+(?:[-./][a-z0-9'%&#]+)*\*?$|^\.\.\.$")
_JOINER = re.compile(r"[-./]")
_WORD_CHAR = re.compile(r"\w")
# Gap marker: up to three other words between two phrase words.
_GAP = r"(?:\W+\w+){0,3}"
_WORD_START = r"(?<!\w)"  # a phrase that opens with a word starts where no word goes on


class LexiconError(ProblemsError):
    """Lexicon files that cannot be used; str() lists every problem, one per line."""


@dataclass(frozen=True)
class Lexicon:
    """One named list of phrases in one language, compiled once."""

    name: str
    language: str
    description: str
    mode: str
    phrases: tuple[str, ...]
    examples_match: tuple[str, ...] = ()
    examples_no_match: tuple[str, ...] = ()
    file: str = ""
    # For `whole` and `start`: the words a matching text can begin with (None: any), so that
    # most texts are turned away without running the pattern.
    openers: frozenset[str] | None = field(default=None, compare=False, repr=False)

    @functools.cached_property
    def index(self) -> PhraseIndex | None:
        """For `anywhere` and `only`: phrases by their first word, so that a text runs only
        the phrases that can start at one of its words (one pattern of hundreds of
        alternatives tried at every position was most of a review's time). Built when first
        asked: a review reads some of the lexicons, and building all of them was ~10 ms of
        every start."""
        return PhraseIndex(self.phrases) if self.mode in ("anywhere", "only") else None

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """All phrases as one alternation, compiled when first used (see PhraseIndex)."""
        return compile_lexicon(self.phrases)

    @functools.cached_property
    def _by_opener(self) -> _OnDemand:
        """For `whole` and `start` with known openers: the phrases a text beginning with each
        opener can meet, each opener's alternation compiled when a text first begins with it
        (the placeholder and admission lists took ~5 ms to compile whole, on every start).
        A phrase whose first word is joined ("post-test") is in every group: a text may write
        it as one word."""
        groups: dict[str, list[str]] = {opener: [] for opener in self.openers or ()}
        for phrase in self.phrases:
            openers = phrase_openers([phrase]) or frozenset()
            joined = any(_JOINER.search(word.lstrip("?")) for word in _opening_words(phrase))
            for opener, members in groups.items():
                if joined or opener in openers:
                    members.append(phrase)
        return _OnDemand(groups)

    @functools.cached_property
    def _quick_leads(self) -> tuple[str, ...] | None:
        """For a short `anywhere` list: the texts every match begins with (see
        `leading_literals`), so that an ASCII text holding none of them is turned away without
        being normalised or indexed (a long list's leads would cost more than they save)."""
        if self.mode != "anywhere":
            return None
        leads = leading_literals(self.phrases)
        return leads if leads is not None and len(leads) <= _MAX_QUICK_LEADS else None

    @functools.cached_property
    def key_words(self) -> frozenset[str] | None:
        """One word every match of each phrase holds, as a whole word of the text: the
        longest plain word the phrase requires (not optional, no marker, no joiner). None
        when some phrase has none. A text holding none of them meets no phrase, which a set
        of its words shows faster than the leads do when the phrases open with common words
        ("be clarified", "will agree")."""
        keys = required_words(self.phrases)
        return None if keys is None else frozenset(keys)

    def matches(self, text: str) -> bool:
        """Whether the text meets the lexicon in its mode (see the module docstring)."""
        return self.find(text) is not None

    def strip(self, text: str) -> str:
        """The normalised text with every occurrence of the lexicon's phrases blanked out
        (e.g. "child protection officers" without its service frame)."""
        normal = normalise(text)
        if self.index is None:
            return self.pattern.sub(" ", normal)
        # Every phrase is matched on the text as it stands and the union blanked, so that the
        # result does not depend on the order phrases are tried in.
        spans = sorted(self.index.spans(normal))
        if not spans:
            return normal
        pieces, at = [], 0
        for start, end in spans:
            if end <= at:
                continue
            pieces.append(normal[at:max(start, at)])
            pieces.append(" ")
            at = end
        pieces.append(normal[at:])
        return "".join(pieces)

    def may_meet_within(self, text: str) -> bool:
        """False only where no phrase can be found in the text, nor in any text cut from it
        (a head of its parts, the text with a frame's phrases blanked out): cutting makes no
        word and no required text the whole lacks (see `PhraseIndex.may_meet`). True for a
        lexicon without a phrase index."""
        return self.index is None or self.index.may_meet(normalise(text))

    def may_occur(self, text: str) -> bool:
        """False only where `find` surely finds nothing: an ASCII text that holds none of a
        short `anywhere` list's leads (lower() is what normalise makes of ASCII, but for
        spaces and the ends, which no lead spans). Much cheaper than `find`."""
        leads = self._quick_leads
        return leads is None or not text.isascii() or _holds_any(text.lower(), leads)

    def find(self, text: str) -> str | None:
        """The first phrase occurrence in the text (as written there), or None."""
        if self._quick_leads is not None and not self.may_occur(text):
            return None
        pattern = None
        if self.openers is not None:
            opener = first_word(text)
            if opener not in self.openers:
                return None
            # at the start of a text, the opener's group finds what the whole alternation
            # finds: the same phrases in the same order, less those that cannot start there
            normal = normalise(text)
            if not self._by_opener.may_match(opener, normal):
                return None
            pattern = self._by_opener.pattern(opener)
        else:
            normal = normalise(text)
        if self.mode == "only":
            if self.index is not None and not self.index.covers(normal):
                return None
            rest = self.pattern.sub(" ", normal)
            return None if _WORD_CHAR.search(rest) or not normal else normal
        if self.mode == "whole":
            found = (pattern or self.pattern).fullmatch(normal)
        elif self.mode == "start":
            found = (pattern or self.pattern).match(normal)
        elif self.index is not None:
            return self.index.search(normal)
        else:
            found = self.pattern.search(normal)
        return found.group(0) if found else None


_TEXT_WORDS = re.compile(r"\w+")
_PLAIN_WORD = re.compile(r"[a-z]+")
# ASCII punctuation to spaces, for `ascii_words`: a phrase's word ends where a pattern's \b
# does, and the apostrophe is no word character there ("partners'" holds "partners").
_ASCII_PUNCTUATION = b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_ASCII_BREAKS = bytes.maketrans(_ASCII_PUNCTUATION, b" " * len(_ASCII_PUNCTUATION))


def ascii_words(text: str) -> list[bytes]:
    """The lower-case words of an ASCII text, as bytes: for a quick test against
    `Lexicon.key_words`, asked of every answer (half the cost of a pattern's findall)."""
    return text.encode("ascii").lower().translate(_ASCII_BREAKS).split()


@lru_cache(maxsize=8192)
def words_of(normal: str) -> frozenset[str]:
    """The distinct words of a normalised text (each lexicon asks; the text is split once)."""
    return frozenset(_TEXT_WORDS.findall(normal))


class _OnDemand:
    """Phrases by key, each key's alternation compiled the first time it is asked for."""

    def __init__(self, phrases: dict[str, list[str]]) -> None:
        self.phrases = phrases
        self._compiled: dict[str, re.Pattern[str]] = {}
        self._leads: dict[str, tuple[str, ...] | None] = {}
        self._keys: dict[str, tuple[str, ...] | None] = {}

    def may_match(self, key: str, normal: str) -> bool:
        """False only where the key's alternation surely matches nothing in the normalised
        text: it holds none of the texts its phrases require (see `required_literals`). A
        test of a few substrings, before a pattern is compiled or run: a text's words open
        many groups whose phrases it does not go on to hold."""
        if key not in self._keys:
            self._keys[key] = required_literals(self.phrases[key])
        literals = self._keys[key]
        return literals is None or _holds_any(normal, literals)

    def pattern(self, key: str) -> re.Pattern[str]:
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = compile_lexicon(self.phrases[key])
        return found

    def leads(self, key: str) -> tuple[str, ...] | None:
        """The texts every match of the key's alternation begins with (see `leftmost`)."""
        if key not in self._leads:
            self._leads[key] = leading_literals(self.phrases[key])
        return self._leads[key]


def required_words(phrases: Iterable[str]) -> tuple[str, ...] | None:
    """For each phrase, the longest plain word it requires (not optional, no marker, no
    joiner: see `Lexicon.key_words`), which every match holds as a whole word; None when some
    phrase has none."""
    return _longest_of_each(phrases, _plain_words)


def required_literals(phrases: Iterable[str]) -> tuple[str, ...] | None:
    """For each phrase, the longest text every match of it holds: the longest literal part of
    the words it requires (not optional; a word's parts between joiners, which a text may
    write apart or together; without an open end; no number or year marker). None when some
    phrase has none."""
    return _longest_of_each(phrases, _literal_parts)


def _longest_of_each(
    phrases: Iterable[str], pieces: Callable[[str], list[str]]
) -> tuple[str, ...] | None:
    keys = set()
    for phrase in phrases:
        found = pieces(phrase)
        if not found:
            return None
        keys.add(max(found, key=len))  # the first of the longest
    return tuple(sorted(keys))


def _plain_words(phrase: str) -> list[str]:
    return [w for w in phrase.split() if _PLAIN_WORD.fullmatch(w) and w != "yyyy"]


def _literal_parts(phrase: str) -> list[str]:
    return [
        part
        for word in phrase.split()
        if not word.startswith("?") and word != "..."
        for part in _JOINER.split(word.rstrip("*"))
        if part and "#" not in part and part != "yyyy"
    ]


def leading_literals(phrases: Iterable[str]) -> tuple[str, ...] | None:
    """The literal texts a match of these phrases' alternation must begin with: the first
    part of each word a phrase can open with (optional words included), an ASCII digit for
    a number or a year (see `leftmost` for other scripts' digits), or None when a phrase can
    begin with a gap. compile_phrase writes nothing before an opening word but a
    look-behind, so every match starts with one of these."""
    leads: set[str] = set()
    for phrase in phrases:
        for word in _opening_words(phrase):
            first = _JOINER.split(word.lstrip("?").rstrip("*"))[0]
            if not first or first == "...":
                return None
            literal = first.split("#", 1)[0]
            if first == "yyyy" or not literal:
                leads.update(_DIGITS)
            else:
                leads.add(literal)
    return tuple(sorted(leads))


_DIGITS = frozenset("0123456789")


_MAX_QUICK_LEADS = 16
_SHORTEST_LEAD_TO_STEP = 2  # shorter leads occur too often: scan from the first one instead


def leftmost(
    pattern: re.Pattern[str], leads: tuple[str, ...] | None, normal: str
) -> re.Match[str] | None:
    """What `pattern.search(normal)` finds, tried only where a match can begin.

    A search tries the pattern at every position of the text (a pattern that opens with a
    look-behind gives the regular-expression engine no literal to skip to), and the content
    checks search long answers with many such patterns. The leftmost position where the
    pattern matches is where search stops, and its match there is `pattern.match(normal,
    position)`; so trying `match` at each occurrence of a lead, in order, finds the same match."""
    if leads is None or (not normal.isascii() and not _DIGITS.isdisjoint(leads)):
        return pattern.search(normal)  # a number may be written in another script's digits
    starts = [at for lead in leads if (at := normal.find(lead)) >= 0]
    if not starts:
        return None
    if min(map(len, leads)) < _SHORTEST_LEAD_TO_STEP:
        return pattern.search(normal, min(starts))
    if len(leads) > 1:
        starts = sorted({at for lead in leads for at in _occurrences(normal, lead)})
        for at in starts:
            if found := pattern.match(normal, at):
                return found
        return None
    lead, at = leads[0], starts[0]
    while at >= 0:
        if found := pattern.match(normal, at):
            return found
        at = normal.find(lead, at + 1)
    return None


def every_match(
    pattern: re.Pattern[str], leads: tuple[str, ...] | None, normal: str
) -> Iterator[re.Match[str]]:
    """What `pattern.finditer(normal)` finds, tried only where a match can begin (as
    `leftmost`): frames are blanked out of whole components' texts, where a scan from every
    position cost ~20 us per pattern and text. (`leftmost` is not its first match taken
    through a generator: on the search path of every check it stops at the first match
    without collecting every lead's occurrences, measurably cheaper.)"""
    if leads is None or (not normal.isascii() and not _DIGITS.isdisjoint(leads)):
        yield from pattern.finditer(normal)
        return
    starts = sorted({at for lead in leads for at in _occurrences(normal, lead)})
    if not starts:
        return
    if min(map(len, leads)) < _SHORTEST_LEAD_TO_STEP or pattern.match("") is not None:
        yield from pattern.finditer(normal, starts[0])  # common leads; or an empty match
        return
    end = 0
    for at in starts:
        if at >= end and (found := pattern.match(normal, at)):
            yield found
            end = found.end()


def _holds_any(text: str, parts: tuple[str, ...]) -> bool:
    for part in parts:  # noqa: SIM110 - a loop: any() with a generator costs more per text
        if part in text:
            return True
    return False


def _occurrences(text: str, lead: str) -> Iterable[int]:
    at = text.find(lead)
    while at >= 0:
        yield at
        at = text.find(lead, at + 1)


class PhraseIndex:
    """Phrases grouped by the word they start with; see `Lexicon.index`."""

    def __init__(self, phrases: Iterable[str]) -> None:
        by_word: dict[str, list[str]] = {}
        by_prefix: dict[str, list[str]] = {}
        anywhere: list[str] = []
        self.vocabulary: set[str] = set()
        self.prefixes: set[str] = set()
        for phrase in phrases:
            self._learn(phrase)
            for key, open_end in _start_keys(phrase):
                if key is None:
                    anywhere.append(phrase)
                elif open_end:
                    by_prefix.setdefault(key, []).append(phrase)
                else:
                    by_word.setdefault(key, []).append(phrase)
        # Patterns are compiled the first time a text asks for them: the bundled lexicons hold
        # ~2,600 first words, and compiling them all took a cold `check` from 0.2 to 0.55 s.
        self.by_word = _OnDemand(by_word)
        self.anywhere = _OnDemand({"": anywhere}) if anywhere else None
        # Open-ended first words ("sensitis*") by a pattern of their stems, longest first; a
        # stem found also brings the phrases of the shorter stems it begins with.
        self.by_prefix = _OnDemand({
            stem: [p for shorter, ps in by_prefix.items() if stem.startswith(shorter) for p in ps]
            for stem in by_prefix
        })

    @functools.cached_property
    def prefix_stems(self) -> tuple[str, ...]:
        """The open-ended first words' stems, longest first (as `_stems_pattern` tries them)."""
        return tuple(sorted(self.by_prefix.phrases, key=lambda stem: (-len(stem), stem)))

    def stems_in(self, normal: str) -> list[str]:
        """The stems some word of the text begins with, the longest for each word, sorted:
        what `_stems_pattern(stems).findall(normal)` finds (a stem is word characters only,
        so it can match only at a word's start), without scanning the text."""
        stems = self.prefix_stems
        if not _holds_any(normal, stems):
            return []  # most texts: no stem anywhere, so no word begins with one
        known, lengths = self._stem_lookup
        return sorted({
            next(word[:size] for size in lengths if word[:size] in known)  # the longest
            for word in words_of(normal)
            if word.startswith(stems)
        })

    @functools.cached_property
    def _stem_lookup(self) -> tuple[frozenset[str], tuple[int, ...]]:
        """The stems, and their lengths longest first: a word's longest stem is the first of
        its beginnings of those lengths that is a stem (a few lookups, where trying every stem
        in turn cost ~50 calls per text in lexicons of many stems)."""
        stems = self.prefix_stems
        return frozenset(stems), tuple(sorted({len(stem) for stem in stems}, reverse=True))

    @functools.cached_property
    def vocabulary_stems(self) -> re.Pattern[str] | None:
        return _stems_pattern(self.prefixes)

    def _learn(self, phrase: str) -> None:
        for word in phrase.split():
            parts = [p for p in _TEXT_WORDS.findall(word.lstrip("?")) if p]
            if word.endswith("*") and parts:
                self.prefixes.add(parts[-1])
                parts = parts[:-1]
            self.vocabulary.update(parts)

    def candidates(self, normal: str) -> list[re.Pattern[str]]:
        """The patterns of the phrases that can start at one of the text's words."""
        return [table.pattern(key) for table, key in self._groups(normal)]

    def _groups(self, normal: str) -> list[tuple[_OnDemand, str]]:
        """The candidate groups of phrases (table, key) that the text may meet: those of its
        words and stems (sorted: a set's order changes with the hash seed, and the order
        must not), and those that can start anywhere; each only if the text holds a text
        one of its phrases requires."""
        by_word = self.by_word
        groups = [
            (by_word, word)
            for word in sorted(words_of(normal) & self._first_words)
            if by_word.may_match(word, normal)
        ]
        if self.prefix_stems:
            by_prefix = self.by_prefix
            groups += [
                (by_prefix, stem)
                for stem in self.stems_in(normal)
                if by_prefix.may_match(stem, normal)
            ]
        anywhere = self.anywhere
        if anywhere is not None and anywhere.may_match("", normal):
            groups.append((anywhere, ""))
        return groups

    @functools.cached_property
    def _first_words(self) -> frozenset[str]:
        """The words phrases start with, as a set (a set meets a set in C, a dict's keys less
        quickly: asked of every text each lexicon reads)."""
        return frozenset(self.by_word.phrases)

    def spans(self, normal: str) -> list[tuple[int, int]]:
        """Where each phrase occurs in the normalised text, as every candidate pattern's
        finditer finds them (see `every_match`)."""
        return [
            found.span()
            for table, key in self._groups(normal)
            for found in every_match(table.pattern(key), table.leads(key), normal)
        ]

    def may_meet(self, normal: str) -> bool:
        """False only where `search` surely finds nothing: no group of phrases can start at
        one of the text's words and find what it requires there. A text cut into by blanking
        phrases out (`Lexicon.strip`) has no word and no required text the whole text lacks,
        so its answer is False too."""
        return bool(self._groups(normal))

    def search(self, normal: str) -> str | None:
        """The leftmost (then longest) phrase occurrence, as one pattern's search finds it."""
        best: re.Match[str] | None = None
        for table, key in self._groups(normal):
            found = leftmost(table.pattern(key), table.leads(key), normal)
            if found and (best is None or (found.start(), -found.end())
                          < (best.start(), -best.end())):
                best = found
        return best.group(0) if best else None

    def covers(self, normal: str) -> bool:
        """Whether every word of the text could belong to some phrase (else `only` fails)."""
        stems = self.vocabulary_stems
        return all(
            word in self.vocabulary or (stems is not None and stems.match(word))
            for word in words_of(normal)
        )


def _stems_pattern(stems: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(set(stems), key=lambda stem: (-len(stem), stem))
    if not ordered:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, ordered)) + ")")


def _start_keys(phrase: str) -> list[tuple[str | None, bool]]:
    """The words a phrase can start with, each with whether it is open-ended (`word*`);
    (None, False) where it can start with a number."""
    keys: list[tuple[str | None, bool]] = []
    for word in phrase.split():
        bare = word.lstrip("?")
        first = _JOINER.split(bare.rstrip("*"))[0]
        if first in ("#", "yyyy") or not first[:1].isalnum() and first[:1] != "'":
            return [(None, False)]
        head = _TEXT_WORDS.findall(first)
        if not head:
            return [(None, False)]
        if "#" in first:  # "q#" starts a word such as "q3": its letters are a stem
            keys.append((_TEXT_WORDS.findall(first.split("#")[0])[0], True))
        else:
            open_end = bare.endswith("*") and _JOINER.split(bare.rstrip("*"))[0] == bare.rstrip(
                "*"
            )
            keys.append((head[0], open_end and len(head) == 1 and head[0] == first))
        if not word.startswith("?"):
            break
    return keys


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Text as lexicons read it: lower case, compatibility forms folded, accents kept apart,
    typographic quotes and dashes made plain, surrounding space and closing punctuation gone."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = folded.translate(_PLAIN)
    return " ".join(folded.split()).strip(" .;:,!")


_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                        "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-"})


def compile_phrase(phrase: str) -> str:
    """The pattern text of one phrase (see the module docstring for the markers).

    Words are joined by runs of non-word characters, so "follow up" also reads "follow-up"
    and "n a" reads "N/A"; every phrase starts and ends on a word boundary."""
    first = phrase.split()[0].lstrip("?")
    out = _WORD_START if first[:1].isalnum() or first[:1] == "#" else ""
    pending_optional = ""  # an optional first word, written before the next word
    previous = False  # a word has been written: the next one needs a separator first
    for word in phrase.split():
        if word == "...":
            out += _GAP
            continue
        body = _word_pattern(word.lstrip("?"))
        if word.startswith("?"):
            if previous:
                out += rf"(?:\W+{body})?"
            else:
                pending_optional += rf"(?:{body}\W+)?"
            continue
        out += (r"\W+" if previous else pending_optional) + body
        previous = True
    return out


def _word_pattern(word: str) -> str:
    """One phrase word: `#` is a number; `-`, `.` and `/` inside a word may be written or left
    out ("post-test" reads "post test" and "posttest"); a final `*` allows any ending."""
    open_end = word.endswith("*")
    parts = [_part_pattern(p) for p in _JOINER.split(word.rstrip("*"))]
    body = r"\W?".join(parts)
    if open_end:
        return body + r"\w*"
    return body if word.endswith(("#", "%", "&")) else body + r"\b"


def _part_pattern(part: str) -> str:
    if part == "#":
        return r"\d[\d,.]*(?<![,.])"
    if part == "yyyy":
        return r"(?:19|20)\d\d"
    return re.escape(part).replace("\\#", r"\d+")


_FIRST_WORD = re.compile(r"\W*(\w+)")


def first_word(text: str) -> str:
    """The first word of a text as lexicons read it (lower case)."""
    if not text.isascii():
        text = normalise(text)
    found = _FIRST_WORD.match(text)
    return found.group(1).lower() if found else ""


def phrase_openers(phrases: Iterable[str]) -> frozenset[str] | None:
    """The first words texts meeting these phrases at their start can have, or None when a
    phrase can start with any word (a number, a word with an open ending)."""
    openers: set[str] = set()
    for phrase in phrases:
        for word in phrase.split():
            first = _JOINER.split(word.lstrip("?"))[0]
            if first in ("#", "yyyy", "...") or word.rstrip("*") != word and first == word.lstrip(
                "?"
            ).rstrip("*"):
                return None
            if not first[:1].isalnum():
                return None
            openers.add(first.rstrip("*"))
            if not word.startswith("?"):
                break
    return frozenset(openers)


def _opening_words(phrase: str) -> list[str]:
    """The words a phrase can begin with: its optional words (`?word`) up to and including
    the first word it requires."""
    words = []
    for word in phrase.split():
        words.append(word)
        if not word.startswith("?"):
            break
    return words


def compile_lexicon(phrases: Iterable[str]) -> re.Pattern[str]:
    """All phrases as one alternation, longest first so `find` reports the fullest phrase.

    Where every phrase opens with the word-start look-behind (phrases grouped by their first
    word all do), it is written once in front of the alternation: the same test at the same
    place, and a pattern a third shorter to compile (compiling is most of the first review's
    start-up, ~10 ms)."""
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    bodies = [compile_phrase(p) for p in ordered]
    if bodies and all(body.startswith(_WORD_START) for body in bodies):
        size = len(_WORD_START)
        return re.compile(f"{_WORD_START}(?:{'|'.join(body[size:] for body in bodies)})")
    return re.compile("|".join(f"(?:{body})" for body in bodies))


# --- loading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lexicons:
    """Every lexicon available to a run, by (name, language)."""

    by_key: Mapping[tuple[str, str], Lexicon]

    def get(self, name: str, language: str) -> Lexicon | None:
        return self.by_key.get((name, language))

    def require(self, name: str, language: str) -> Lexicon:
        found = self.get(name, language)
        if found is None:
            raise KeyError(f"no lexicon {name!r} for language {language!r}")
        return found

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({language for _, language in self.by_key}))

    def names(self, language: str) -> set[str]:
        return {name for name, lang in self.by_key if lang == language}

    def all(self) -> list[Lexicon]:
        return [self.by_key[key] for key in sorted(self.by_key)]


@functools.cache
def bundled_lexicons() -> Lexicons:
    """The lexicons shipped with ctreview (rules/lexicons/), loaded once per process."""
    return load_lexicons([_bundled_folder()])


def lexicon_dirs(rule_dirs: Iterable[Path]) -> list[Path]:
    """The lexicon folders of rule directories: `<rules>/lexicons/` where it exists."""
    return [Path(d) / "lexicons" for d in rule_dirs if (Path(d) / "lexicons").is_dir()]


VALIDATED_STAMP = "bundled-lexicons-validated"


def load_lexicons(dirs: Iterable[Path], *, trust_prebuilt: bool = True) -> Lexicons:
    """Load and check every lexicon file of the folders; raise LexiconError listing all
    problems. A (name, language) pair may be defined once: a funder's folder adds lexicons
    (another language, say) but does not silently replace a bundled one.

    The bundled files are checked phrase by phrase only when they or this module differ from
    when `reviewer/prebuilt.jsonl` was written (its stamp, see `validation_fingerprint`; the
    check was ~6 ms of every start); `ctreview generate-docs` checks them in full first."""
    found: dict[tuple[str, str], Lexicon] = {}
    problems: list[str] = []
    bundled = _bundled_folder().resolve()
    for folder in dirs:
        paths = sorted(Path(folder).rglob("*.yaml"))
        own_folder = trust_prebuilt and Path(folder).resolve() == bundled
        texts = _texts(folder, paths) if own_folder else {}
        own = bool(texts) and prebuilt.stamp(VALIDATED_STAMP) == validation_fingerprint(texts)
        for path in paths:
            text = texts.get(path.relative_to(folder).as_posix())
            lexicon, file_problems = _load_file(path, trusted=own, text=text)
            problems.extend(file_problems)
            if lexicon is None:
                continue
            key = (lexicon.name, lexicon.language)
            if key in found:
                problems.append(
                    f"{path}:1:1: lexicon {lexicon.name!r} ({lexicon.language}) is already "
                    f"defined in {found[key].file}; rename it or remove one of them"
                )
            else:
                found[key] = lexicon
    if problems:
        raise LexiconError(problems)
    return Lexicons(found)


def validation_fingerprint(texts: Mapping[str, bytes] | None = None) -> str:
    """What the validity of the bundled lexicons depends on: their texts (by path within the
    folder; read here when not given) and the code that checks them (this module)."""
    if texts is None:
        folder = _bundled_folder()
        texts = _texts(folder, sorted(folder.rglob("*.yaml")))
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name in sorted(texts):
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256(texts[name]).digest())
    return digest.hexdigest()


def _as_read_text(raw: bytes) -> str:
    """The bytes as `Path.read_text` gives them (UTF-8, universal newlines)."""
    return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _texts(folder: Path, paths: Iterable[Path]) -> dict[str, bytes]:
    """Each file's bytes by its path within the folder, read once for both the fingerprint
    and the loading; empty if one cannot be read (each file is then read and checked alone)."""
    try:
        return {path.relative_to(folder).as_posix(): path.read_bytes() for path in paths}
    except OSError:
        return {}


def _bundled_folder() -> Path:
    from reviewer.paths import data_dir

    return data_dir("rules") / "lexicons"


def _load_file(
    path: Path, *, trusted: bool = False, text: bytes | None = None
) -> tuple[Lexicon | None, list[str]]:
    unusable = unusable_data_file(path, "lexicon file")
    if unusable:
        return None, [f"{path}: {unusable}"]
    try:
        data = prebuilt.load(
            path.read_text(encoding="utf-8") if text is None else _as_read_text(text)
        )
        line_of = None
    except (OSError, UnicodeDecodeError, YAMLError, ValueError):
        try:
            doc = load_document(path)
        except InputError as error:
            return None, [str(error)]
        data, line_of = to_plain(doc.data), doc
    problems = [] if trusted else _problems(data)
    if problems:
        line = 1
        if line_of is not None:
            line = line_of.location(()).line
        return None, [f"{path}:{line}:1: {problem}" for problem in problems]
    examples = data["examples"]
    phrases = tuple(str(p) for p in data["patterns"])
    return (
        Lexicon(
            name=data["name"],
            language=data["language"],
            description=" ".join(str(data["description"]).split()),
            mode=data.get("match", "anywhere"),
            phrases=phrases,
            examples_match=tuple(str(e) for e in examples.get("match") or ()),
            examples_no_match=tuple(str(e) for e in examples.get("no_match") or ()),
            file=str(path),
            openers=phrase_openers(phrases) if data.get("match") in ("whole", "start") else None,
        ),
        [],
    )


def _problems(data: Any) -> list[str]:
    if not isinstance(data, Mapping):
        return ["a lexicon file is a mapping (name, language, description, patterns, examples)"]
    problems = [f"missing key '{key}'" for key in _KEYS_REQUIRED if key not in data]
    allowed = _KEYS_REQUIRED + _KEYS_OPTIONAL
    problems += [
        f"unknown key '{key}' (allowed: {', '.join(allowed)})" for key in data if key not in allowed
    ]
    if problems:
        return problems
    if not isinstance(data["name"], str) or not NAME.match(data["name"]):
        problems.append("name: lower-case letters, digits and _ (e.g. knowledge_state)")
    if not isinstance(data["language"], str) or not LANGUAGE.match(data["language"]):
        problems.append("language: an ISO 639 code in lower case (e.g. en, fr, es)")
    if data.get("match", "anywhere") not in MODES:
        problems.append(f"match: one of {', '.join(MODES)}")
    problems += _phrase_problems(data["patterns"])
    problems += _example_problems(data["examples"])
    return problems


def _phrase_problems(phrases: Any) -> list[str]:
    if not isinstance(phrases, list) or not phrases:
        return ["patterns: a non-empty list of phrases"]
    if len(phrases) > MAX_PHRASES:
        return [f"patterns: at most {MAX_PHRASES} phrases per lexicon"]
    problems = []
    for index, phrase in enumerate(phrases):
        words = phrase.split() if isinstance(phrase, str) else []
        bad = [w for w in words if not _WORD.match(w)]
        if not words or len(words) > MAX_PHRASE_WORDS:
            problems.append(f"patterns[{index}]: a phrase of 1 to {MAX_PHRASE_WORDS} words")
        elif bad:
            problems.append(
                f"patterns[{index}]: {phrase!r}: write lower-case words, digits, ' % & and inner "
                f"- . /, with the markers word*, ?word, # and ... only (not {bad[0]!r})"
            )
        elif all(w == "..." or w.startswith("?") for w in words):
            problems.append(f"patterns[{index}]: {phrase!r} needs at least one required word")
        elif words[0] == "..." or words[-1] == "...":
            problems.append(f"patterns[{index}]: {phrase!r}: ... stands between two words")
    return problems


def _example_problems(examples: Any) -> list[str]:
    if not isinstance(examples, Mapping) or set(examples) - {"match", "no_match"}:
        return ["examples: a mapping with 'match' and 'no_match' lists of texts"]
    problems = []
    for kind in ("match", "no_match"):
        values = examples.get(kind)
        if not isinstance(values, list) or not values:
            problems.append(f"examples.{kind}: at least one text")
        elif not all(isinstance(v, str) and v.strip() for v in values):
            problems.append(f"examples.{kind}: every example is a non-empty text")
    return problems


@dataclass(frozen=True)
class LexiconExampleResult:
    lexicon: str
    language: str
    kind: str  # 'match' or 'no_match'
    text: str
    ok: bool


def run_lexicon_examples(lexicons: Lexicons) -> list[LexiconExampleResult]:
    """Every lexicon's own examples: `match` texts must meet it, `no_match` texts must not."""
    results = []
    for lexicon in lexicons.all():
        for text in lexicon.examples_match:
            results.append(
                LexiconExampleResult(lexicon.name, lexicon.language, "match", text,
                                     lexicon.matches(text))
            )
        for text in lexicon.examples_no_match:
            results.append(
                LexiconExampleResult(lexicon.name, lexicon.language, "no_match", text,
                                     not lexicon.matches(text))
            )
    return results
