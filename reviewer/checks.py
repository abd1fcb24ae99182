"""Content checks: named yes/no questions about what a proposal's text says.

Rules used to judge only that a field is filled. A content check reads the words: does this
desired behaviour name an action or only a state of knowledge? Is this indicator a count of
people trained? Is this answer a placeholder? Each check is decided with lexicons (word lists
kept as data, see lexicon.py) by a short function here, so that the same decision serves the
facts rules read (through the text lens, lens.py) and the measurement of the check's precision
and recall on its labelled corpus (corpus.py, tests/corpora/). docs/content-checks.md says what
each check decides, its ICAT basis, its measured figures and its known limits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from reviewer.lexicon import Lexicon, Lexicons, ascii_words, first_word, normalise

# Punctuation that starts a second clause; " - " and "--" count as a dash.
_CLAUSE_BREAK = re.compile(r"\s*(?:[;:()\[\]]|\s-\s|--|\u2014|\u2013)\s*")
# Whether a text has a clause break: the same breaks, found without trying the spaces around
# them at every position first (the search opens on a character class the engine skips to).
_HAS_CLAUSE_BREAK = re.compile(r"[;:()\[\]\u2014\u2013]|\s-\s|--")
_WORD = re.compile(r"\w+")
# A template's field left as it was: "[insert the analysis here]", "<TBD>".
_TEMPLATE_FIELD = re.compile(r"\s*[\[<{]\s*(.*?)\s*[\]>}]\s*", re.DOTALL)
_MAX_TEMPLATE_CHARS = 200  # a field left as it was is short (and nesting stays shallow)
# A non-answer is short: an admission followed by twenty words has said something.
_MAX_ADMISSION_WORDS = 14
_MAX_PLACEHOLDER_WORDS = 10
# A deferral ("The list of districts will be agreed with the ministry in due course") is as
# short: its subject takes a few words, and a longer text has room to say how.
_MAX_DEFERRAL_WORDS = 18
_MAX_DEFERRAL_SUBJECT_WORDS = 8  # words before the verb: "the list of districts is to"


class Words:
    """The lexicons of one language, asked by name."""

    def __init__(self, lexicons: Lexicons, language: str) -> None:
        self.lexicons = lexicons
        self.language = language
        self._by_name = {
            lexicon.name: lexicon for lexicon in lexicons.all() if lexicon.language == language
        }
        self._openers: frozenset[str] | None = None
        self._keys: dict[tuple[str, ...], frozenset[bytes]] = {}

    def may_open_with(self, opener: str) -> bool:
        """Whether a placeholder or an admission can begin with this (first) word."""
        if self._openers is None:
            openers: set[str] = set()
            for name in ("placeholder", "admission"):
                found = self.lexicon(name).openers
                if found is None:
                    self._openers = frozenset()
                    return True
                openers |= found
            self._openers = frozenset(openers)
        if not self._openers:
            return True
        return opener in self._openers

    def may_meet(self, names: tuple[str, ...], text: str) -> bool:
        """False only where none of these lexicons can find anything in the text: one test of
        their key words together (see `Lexicon.key_words`), for a question asked of every
        answer of a proposal."""
        keys = self._keys.get(names)
        if keys is None:
            found = [self.lexicon(name).key_words for name in names]
            union = () if None in found else (w.encode() for f in found for w in f or ())
            keys = self._keys[names] = frozenset(union)
        return not keys or not text.isascii() or not keys.isdisjoint(ascii_words(text))

    def lexicon(self, name: str) -> Lexicon:
        return self._by_name.get(name) or self.lexicons.require(name, self.language)

    def has(self, name: str, text: str) -> bool:
        return self.lexicon(name).find(text) is not None

    def has_outside(self, name: str, frame: str, text: str) -> bool:
        """`has(name, lexicon(frame).strip(text))`: the lexicon met once the frame's phrases
        are blanked out ("the police survivors are told to call" is no investigator). A text
        the lexicon cannot meet even whole (`Lexicon.may_meet_within`) is turned away before
        it is stripped: the checks that ask this read whole components' texts."""
        lexicon = self.lexicon(name)
        if not lexicon.may_meet_within(text):
            return False
        return lexicon.find(self.lexicon(frame).strip(text)) is not None

    def find(self, name: str, text: str) -> str | None:
        return self.lexicons.require(name, self.language).find(text)

    def together(self, first: str, second: str, text: str) -> bool:
        """Whether one clause of the text meets both lexicons (a person and a harm, a cost
        and a step to come): read together, two short lists reach wordings that a list of
        whole phrases does not."""
        return any(
            self.has(first, clause) and self.has(second, clause) for clause in clauses(text)
        )


Decide = Callable[[Words, str], bool]
CHECKS: dict[str, ContentCheck] = {}


def check(name: str, question: str, lexicons: tuple[str, ...]) -> Callable[[Decide], Decide]:
    """Register a decision function as the content check `name` (the lexicons it reads are
    declared so that a language without them is known not to be readable)."""

    def register(decide: Decide) -> Decide:
        CHECKS[name] = ContentCheck(name, question, lexicons, decide)
        return decide

    return register


@dataclass(frozen=True)
class ContentCheck:
    """A yes/no question about one text, and the lexicons that decide it."""

    name: str
    question: str
    lexicons: tuple[str, ...]
    decide: Decide


def clauses(text: str) -> list[str]:
    """The clauses of a text, split at semicolons, colons, brackets and dashes."""
    if not _HAS_CLAUSE_BREAK.search(text):
        return [text] if _WORD.search(text) else []
    return [part for part in _CLAUSE_BREAK.split(text) if _WORD.search(part)]


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


# --- non-answers --------------------------------------------------------------------------


def non_answer_kind(words: Words, text: str, *, deferral: bool = True) -> str | None:
    """Why a text is not an answer ('placeholder', 'not_applicable', 'admission' or
    'deferral'), or None.

    A placeholder stands where the answer should be ("TBD", "N/A", "see above"); an admission
    says the question was not taken up ("Not considered.", "Not addressed by the project"); a
    bare "not applicable" gives no reason; a deferral puts the answer off without the step
    that will give it (`is_deferral`). A text that goes on to a reason ("Not applicable: the
    programme serves adults only") is an answer, and so is any longer text. `deferral=False`
    leaves deferrals alone: the lens does not look for them in list items, which name things
    (places, sources) and make a third of a proposal's texts."""
    opener = first_word(text)  # every answer is asked: the cheap tests come first
    if not opener and not _WORD.search(text):
        return "placeholder"
    if text.lstrip()[:1] in ("[", "<", "{") and len(text) <= _MAX_TEMPLATE_CHARS:
        template = _TEMPLATE_FIELD.fullmatch(text)
        if template and (found := non_answer_kind(words, template.group(1), deferral=deferral)):
            return found
    if not words.may_open_with(opener):  # most answers: no placeholder or admission opens so
        return _deferral(words, text) if deferral else None
    size = len(text.split())
    if size > 2 * _MAX_ADMISSION_WORDS:
        return None  # quick exit for the many long answers: no non-answer is this long
    if size <= _MAX_PLACEHOLDER_WORDS and words.has("placeholder", text):
        return "not_applicable" if is_not_applicable(text) else "placeholder"
    if _HAS_CLAUSE_BREAK.search(text):
        parts = clauses(text)
        if len(parts) > 1:
            first = non_answer_kind(words, parts[0], deferral=deferral)
            if first and all(non_answer_kind(words, p, deferral=deferral) for p in parts[1:]):
                return first
            return None
    admitted = words.find("admission", text) if size <= _MAX_ADMISSION_WORDS else None
    if admitted and not _answered_after(words, admitted, _after(admitted, text)):
        return "not_applicable" if is_not_applicable(text) else "admission"
    return _deferral(words, text) if deferral else None


def _deferral(words: Words, text: str) -> str | None:
    """'deferral' for a text of three words ("Details to follow") to `_MAX_DEFERRAL_WORDS` that
    puts the answer off. Its length is taken by its spaces: every answer of a proposal is
    asked, and counting is cheaper than splitting."""
    sized = 2 <= text.count(" ") < _MAX_DEFERRAL_WORDS
    return "deferral" if sized and is_deferral(words, text) else None


_DEFERRAL_VERBS = ("deferral", "deferral_soft")


def is_deferral(words: Words, text: str) -> bool:
    """Whether the text only puts the answer off: a verb of settling later ("will be
    clarified", "is to be agreed", "details to follow") after a few words of subject at most
    ("This", "The list of districts"), and after it nothing that names the step producing the
    answer (a survey, the baseline, an activity, criteria) or a reason. "To be determined by
    the baseline survey in month 3" is a plan; "to be agreed with partners in due course" and
    "will be finalised once funding is secured" are not."""
    if not words.may_meet(_DEFERRAL_VERBS, text):
        return False  # most answers: one test of the verbs' key words
    deferred = words.find("deferral", text)
    soft = None if deferred else words.find("deferral_soft", text)
    if deferred is None and soft is None:
        return False
    normal = normalise(text)
    verb = deferred or soft or ""
    at = normal.find(verb)
    after = normal[at + len(verb):]
    if at < 0 or normal[:at].count(" ") > _MAX_DEFERRAL_SUBJECT_WORDS:
        return False
    later = words.has("later_marker", after)
    if not later and (soft or after.lstrip().startswith("by ")):
        # "cases will be discussed at the case conference" is a step, and "eligibility will be
        # determined by the district officer" says who decides: neither puts anything off
        return False
    if words.has("deferral_means", after):
        return False
    # "as the project progresses" says when, not why: the marks of later time are passed over
    # when a reason is looked for
    return not words.has("reason_marker", words.lexicon("later_marker").strip(after))


def _answered_after(words: Words, admitted: str, after: str) -> bool:
    """Whether what follows an admission makes the text an answer: a reason, or, after an
    admission that defers ("to be determined"), the step that will give the answer ("by the
    baseline survey in month 3")."""
    if words.has("reason_marker", after):
        return True
    return words.has("deferral", admitted) and words.has("deferral_means", after)


def _after(opening: str, text: str) -> str:
    """What a text says after its opening phrase: a reason is looked for there, not in the
    admission itself ("will be determined" gives no reason by saying "will be")."""
    return normalise(text)[len(opening):]


def is_not_applicable(text: str) -> bool:
    """The text opens by saying the question does not apply ("Not relevant: ...", "N/A"),
    with or without a reason after it."""
    normal = normalise(text)
    return normal.startswith(("not applicable", "n/a", "n.a", "na ", "not relevant")) or normal in (
        "na",
        "n a",
    )


@check(
    "non_answer",
    "Is the answer a placeholder, an admission or a deferral that leaves the question open?",
    (
        "placeholder",
        "admission",
        "reason_marker",
        "deferral",
        "deferral_soft",
        "later_marker",
        "deferral_means",
    ),
)
def _non_answer(words: Words, text: str) -> bool:
    return non_answer_kind(words, text) is not None


# --- boilerplate --------------------------------------------------------------------------

# Boilerplate is short: a longer answer has room to say something, and is left alone; and a
# promise takes a few words ("Will be ensured.").
MAX_BOILERPLATE_WORDS = 45
MIN_BOILERPLATE_WORDS = 3
_DIGIT = re.compile(r"\d")
# A capitalised word that does not open a sentence: a name ("the Bole sub-city police",
# "KoboToolbox", "IOM"), which a reviewer can check.
_NAME = re.compile(
    r"(?<![.!?:;(\[\"'\u201c\u2018-])\s+(?:[A-Z][a-z]+[A-Z]|[A-Z]{2,}|[A-Z][a-z]{2,})"
)


def _names_something(words: Words, text: str) -> bool:
    """Whether a capitalised word inside a sentence names someone or something, unless the
    draft capitalises most of its words (Title Case says nothing about names)."""
    names = [name.strip() for name in _NAME.findall(text)]
    if len(names) * 2 > len(text.split()):
        return False
    generic = words.lexicon("generic_capitalised")
    return any(not generic.matches(name) for name in names)


def may_be_boilerplate(words: Words, text: str) -> bool:
    """The cheap part of the boilerplate check, which the lens asks of every answer: short, no
    figure, and a promise (most answers name a number, or state what is)."""
    spaces = text.count(" ")
    return (
        MIN_BOILERPLATE_WORDS <= spaces + 1 < MAX_BOILERPLATE_WORDS
        and words.lexicon("promise_form").may_occur(text)  # turns away most answers
        and not _DIGIT.search(text)
    )


@check(
    "boilerplate",
    "Is the answer generic boilerplate that names nothing a reviewer could check (no who, "
    "what, where or when)?",
    ("vague_commitment", "promise_form", "concrete_detail", "generic_capitalised", "denial"),
)
def _boilerplate(words: Words, text: str) -> bool:
    """A promise (promise_form) of things that fit any proposal (vague_commitment), and
    nothing concrete: no figure, no name, no role, place, document, frequency or specific
    service (concrete_detail)."""
    if not may_be_boilerplate(words, text) or not words.has("promise_form", text):
        return False
    if not words.has("vague_commitment", text):
        return False
    if any(words.has("denial", part) for part in clauses(text)):
        return False  # "No displacement is expected; it will be monitored": a dismissal,
        # which displacement_denial judges as one (boilerplate would be taken out unread)
    if _names_something(words, text):
        return False
    # "at every stage" is a promise, not a frequency: the concrete words are looked for in
    # what the promises leave
    return not words.has("concrete_detail", words.lexicon("vague_commitment").strip(text))


# --- behaviour, groups, bodies ------------------------------------------------------------


@check(
    "knowledge_not_action",
    "Does the desired behaviour name a state of knowledge or attitude and no observable action?",
    ("knowledge_state", "observable_action", "knowledge_frame", "knowledge_clause"),
)
def _knowledge_not_action(words: Words, text: str) -> bool:
    """A state of knowledge or attitude, and no observable action outside a knowledge frame
    ("know how to report" reports nothing)."""
    if not words.has("knowledge_state", text):
        return False
    return not words.has("observable_action", _without_frames(words, text))


_COORDINATED = re.compile(r";|\band\b")


def _without_frames(words: Words, text: str) -> str:
    """The text without what an opener of reported knowledge introduces ("understand that
    ...", up to a clause joined by "and" or ";"), and with each knowledge frame ("how to",
    "right to") and the word after it removed."""
    normal = normalise(text)
    opener = words.find("knowledge_clause", normal)
    if opener:  # what is known is no action; what follows it, joined by "and", may be one
        end = normal.find(opener) + len(opener)
        rest = _COORDINATED.split(normal[end:], maxsplit=1)
        normal = normal[:end] + (" " + rest[1] if len(rest) > 1 else "")
    frame = words.lexicon("knowledge_frame")
    for pattern in frame.index.candidates(normal) if frame.index else [frame.pattern]:
        normal = re.sub(rf"(?:{pattern.pattern})\W+\w+", " ", normal)
    return normal


@check(
    "generic_group",
    "Is the target group generic, with no place, trait or size?",
    ("generic_people",),
)
def _generic_group(words: Words, text: str) -> bool:
    """Only generic people ("youth", "vulnerable communities at risk of trafficking") and
    filler: no place, trait, occupation or number survives once those words are removed."""
    return words.has("generic_people", text) and not re.search(r"\d", text)


@check(
    "generic_body",
    "Does the text stand where a responsible body should be named, without naming one?",
    ("generic_body",),
)
def _generic_body(words: Words, text: str) -> bool:
    return words.has("generic_body", text)


# --- indicators ---------------------------------------------------------------------------


@check(
    "delivery_count",
    "Does the indicator count delivery (people trained, sessions held, materials distributed) "
    "and nothing that changes?",
    ("delivery", "change_or_use", "body_attendance"),
)
def _delivery_count(words: Words, text: str) -> bool:
    """Delivery counted, and nothing that changes or is used; members of a coordination body
    taking their seats ("held with a quorum of named members") is what they do."""
    return (
        words.has("delivery", text)
        and not words.has("change_or_use", text)
        and not words.has("body_attendance", text)
    )


@check(
    "target_stated",
    "Does the target state how much: a figure, an amount in words, or a bound on the baseline?",
    ("not_amount", "number_word", "target_bound"),
)
def _target_stated(words: Words, text: str) -> bool:
    """A figure, an amount in words ("half", "zero") or a bound on a value the proposal
    defines ("no higher than the baseline cohort"), once years, quarters and set phrases
    ("by Q4 2028", "zero tolerance") are taken out; a direction ("increase", "above
    baseline") states no amount."""
    rest = words.lexicon("not_amount").strip(text)
    return bool(
        _DIGIT.search(rest) or words.has("number_word", rest) or words.has("target_bound", rest)
    )


@check(
    "target_scheduled",
    "Does the target say when and from what step its figure will be set (a baseline, a study, "
    "the first year's data, by a month of the programme)?",
    ("target_setting", "target_step", "baseline_scheduled"),
)
def _target_scheduled(words: Words, text: str) -> bool:
    """A word of setting the figure and the step or time that sets it: "set in month 15 from
    the test claims" is a target a candid design can give before its baseline; "to be
    determined" and "by month 18" alone are not, nor is a date for the baseline ("baseline
    to be established in month 2")."""
    return words.has_outside("target_setting", "baseline_scheduled", text) and words.has(
        "target_step", text
    )


@check(
    "case_count",
    "Does the indicator measure trafficking by cases recorded, reported or identified?",
    (
        "recorded_cases",
        "survey_estimate",
        "process_share",
        "justice_process",
        "record_source",
        "trafficking_outcome",
    ),
)
def _case_count(words: Words, text: str) -> bool:
    """Trafficking measured by the cases someone records: case-count words, or a record
    source for a trafficking outcome; never a survey estimate, a case-handling process or a
    measure of the justice process itself (a conviction rate measures the courts)."""
    indicator, _, methods = text.partition(" | ")
    if (
        words.has("survey_estimate", methods or indicator)
        or words.has("process_share", indicator)
        or words.has("justice_process", indicator)
    ):
        return False
    if words.has("recorded_cases", text):
        return True
    return bool(methods) and words.has("record_source", methods) and words.has(
        "trafficking_outcome", indicator
    )


@check(
    "weak_method",
    "Is every method one that measures only at the event or from a self-selected group?",
    ("weak_method", "strong_method", "body_attendance"),
)
def _weak_method(words: Words, text: str) -> bool:
    """Every method listed is measured at the event or from a self-selected group. The text is
    the methods, after the indicator and " | " where it is given: attendance lists are the
    right record of a coordination body's members taking their seats."""
    indicator, _, listed = text.rpartition(" | ")
    if indicator and words.has("body_attendance", indicator):
        return False
    methods = [m for m in re.split(r"\s*;\s*", listed) if _WORD.search(m)]
    return bool(methods) and all(
        words.has("weak_method", m) and not words.has("strong_method", m) for m in methods
    )


@check(
    "unvalidated_reports",
    "Does the indicator count calls or reports without validating them?",
    ("report_count", "validated", "calls_not_reports"),
)
def _unvalidated_reports(words: Words, text: str) -> bool:
    """The indicator counts calls or reports (said in what it counts, before the methods: a
    follow-up "by phone calls" is how a result is measured, not what is counted; a ship's
    "port calls" are no report at all), and neither it nor its methods say which are valid."""
    indicator = text.partition(" | ")[0]
    return words.has_outside("report_count", "calls_not_reports", indicator) and not words.has(
        "validated", text
    )


@check(
    "rewards_cooperation",
    "Does the support indicator count testimony, cooperation or return as success?",
    ("cooperation_or_return", "informed_choice", "return_outcome"),
)
def _rewards_cooperation(words: Words, text: str) -> bool:
    """Testimony, cooperation or return counted, unless the indicator is about the person's
    informed choice, or about how people fare after the return ("reunified children attending
    school a year later"), where the return only names who is followed up."""
    return (
        words.has("cooperation_or_return", text)
        and not words.has("informed_choice", text)
        and not words.has("return_outcome", text)
    )


@check(
    "cj_count_without_role",
    "Does the justice indicator count cases without the offenders' role or level?",
    (
        "justice_counts",
        "offender_role",
        "process_share",
        "victim_subject",
        "case_opening",
        "victims_not_charged",
    ),
)
def _cj_count_without_role(words: Words, text: str) -> bool:
    """A count of justice outcomes (the indicator opens with it, or opens with the cases
    whose outcome it then names: "trafficking cases in the province ending in a conviction")
    that names no offender role. An indicator of how victims among those arrested were
    spared ("the share of presumed victims among them not charged") is no such count."""
    opening = head(text)
    counted = words.has("justice_counts", opening) or (
        words.has("case_opening", opening) and words.has("justice_counts", text)
    )
    return (
        counted
        and not words.has("offender_role", text)
        and not words.has("process_share", opening)
        and not words.has("victim_subject", opening)
        and not words.has("victims_not_charged", text)
    )


def head(text: str, size: int = 6) -> str:
    """The first words of a text, where an indicator says what it counts or an answer names
    its means, after any opening "the project will" or "we will"."""
    found = _WORD.findall(text)
    while found and found[0].lower() in _OPENING_FILLER:
        found = found[1:]
    return " ".join(found[:size])


_OPENING_FILLER = frozenset(
    {"a", "an", "the", "our", "we", "will", "shall", "would", "project", "programme", "program",
     "this", "it", "also", "then"}
)


@check(
    "comparison_method",
    "Does the impact measure name a comparison or contribution method?",
    ("comparison_method", "comparison_missing"),
)
def _comparison_method(words: Words, text: str) -> bool:
    return words.has("comparison_method", text) and not words.has("comparison_missing", text)


# --- analysis texts -----------------------------------------------------------------------


@check(
    "displacement_denial",
    "Does the displacement analysis dismiss the question without reasoning?",
    (
        "denial",
        "dismissal",
        "displacement_claim",
        "placeholder",
        "admission",
        "reason_marker",
        "displacement_topic",
        "opportunity_removed",
        "concession_modal",
    ),
)
def _displacement_denial(words: Words, text: str) -> bool:
    """Some clause dismisses the question (a non-answer, or stock words with a dismissal: "no
    displacement is expected", "unlikely given the holistic approach") and every other clause
    is a dismissal too or stock reassurance that claims nothing ("the project is
    community-based", "this will be monitored"); a clause with any other content (a place, a
    group, a mechanism) or that says trafficking moves is analysis. A clause that only names
    the topic ("Displacement: none anticipated") is passed over."""
    parts = [
        p
        for sentence in re.split(r"(?<=[.!?])\s+", text)
        for p in clauses(sentence)
        if not words.has("displacement_topic", p)
    ]
    kinds = [_displacement_clause(words, p) for p in parts]
    if "dismissal" in kinds and "analysis" not in kinds:
        return True
    return _opportunity_denied(words, text, parts)


def _opportunity_denied(words: Words, text: str, parts: list[str]) -> bool:
    """The "reason" given only claims that the programme takes the traffickers' opportunity
    away ("no one left to recruit", "they will give up", "trafficking will fall rather than
    move"), and no clause concedes that anything moves: the claim assumes the answer to
    ICAT's question. Words of movement inside the claim ("rather than relocate") are not a
    concession, nor are they under a dismissal ("displacement is therefore unlikely"), unless
    a modal concedes them ("may stop here and go to villages we have not reached")."""
    removed = words.lexicon("opportunity_removed")
    if removed.find(text) is None:
        return False
    for part in parts:
        rest = removed.strip(part)
        if words.has("displacement_claim", rest) and (
            not words.has("dismissal", rest) or words.has("concession_modal", rest)
        ):
            return False
    return True


def _displacement_clause(words: Words, part: str) -> str:
    """'dismissal', 'reassurance' (stock words that claim no movement) or 'analysis'."""
    if _non_answer(words, part):
        return "dismissal"
    if not words.has("denial", part):
        return "analysis"
    if words.has("dismissal", part):
        return "dismissal"
    return "analysis" if words.has("displacement_claim", part) else "reassurance"


@check(
    "threshold_dismissed",
    "Does the income-threshold analysis wave the question away (any gain is enough, no "
    "threshold needed, poverty named as the driver) instead of stating a level?",
    ("threshold_level", "threshold_dismissal", "current_income"),
)
def _threshold_dismissed(words: Words, text: str) -> bool:
    """A dismissal and no level: a text that states a level of income or work at which people
    would stay, a finding that income is not what decides, or the dated step that will set
    the level, answers ICAT's question however it opens ("Poverty drives migration, but focus
    groups put the tipping point at ..."). Today's income ("less than USD 1.90 a day") is no
    level: it is blanked out first."""
    return words.has("threshold_dismissal", text) and not words.has_outside(
        "threshold_level", "current_income", text
    )


# Where a list of criteria splits: sentences and semicolons (a colon introduces the value of
# the same criterion: "Guarantors: none").
_CRITERIA_BREAK = re.compile(r"(?<=[.!?])\s+|\s*;\s*")


@check(
    "credit_gated",
    "Do the targeting criteria require creditworthiness or assets (collateral, a guarantor, a "
    "repayment or savings record, an existing business, an own contribution) that the poorest "
    "lack?",
    ("credit_requirement", "credit_waived"),
)
def _credit_gated(words: Words, text: str) -> bool:
    """Some clause states such a condition and nothing in that clause lifts it or offers
    another route ("no guarantor is required", "the group stands as guarantor", "or, if they
    have none, who complete the course"): criteria are listed one by one, and a waiver
    applies to its own criterion only."""
    if not words.lexicon("credit_requirement").may_meet_within(text):
        return False
    return any(
        words.has("credit_requirement", part) and not words.has("credit_waived", part)
        for part in _CRITERIA_BREAK.split(text)
    )



@check(
    "knowledge_measure",
    "Does the measure or evidence observe only what people know, think or say they will do "
    "(test scores, recall, attitudes, intentions, satisfaction), not what they did?",
    ("knowledge_signal", "action_signal", "intention_frame"),
)
def _knowledge_measure(words: Words, text: str) -> bool:
    """Knowledge observed and no action: a measure that also observes something people did
    ("named two warning signs and contacted the migration centre") or what happened to them
    shows behaviour, whatever else it tests. What people said they would do ("said they would
    apply the procedures") observes no action."""
    return words.has("knowledge_signal", text) and not words.has_outside(
        "action_signal", "intention_frame", text
    )


@check(
    "paper_mechanism",
    "Does the text claim the referral mechanism works on the strength of its documents or "
    "structures only (procedures adopted, focal persons named, an MoU signed), with no sign "
    "that referrals happen?",
    ("paper_basis", "referral_evidence"),
)
def _paper_mechanism(words: Words, text: str) -> bool:
    """Paper and no evidence: a text with referral figures, a review or audit, a time to
    services or a candid word ("not yet", "but in 2024 only 6 of 41 came via police") says
    how the mechanism works, whatever documents it also names."""
    return words.has("paper_basis", text) and not words.has("referral_evidence", text)


@check(
    "police_only_identification",
    "Does only the police or another law-enforcement body identify or certify victims, the "
    "others only detecting and referring, or help following its decision?",
    ("law_enforcement", "identification_gate", "identification_shared"),
)
def _police_only_identification(words: Words, text: str) -> bool:
    """A law-enforcement body with a word that makes identification or help depend on it,
    and nothing that shares the decision (several competent bodies, a multi-agency or
    social-service decision, help regardless) or describes the rule as today's practice the
    programme changes."""
    return (
        words.has("law_enforcement", text)
        and words.has("identification_gate", text)
        and not words.has("identification_shared", text)
    )


@check(
    "turnover_unmitigated",
    "Does the answer on staff turnover offer no measure that keeps trained people in post, "
    "trains their replacements or keeps the skills in the institution (rotation welcomed, "
    "turnover denied, trainees left to pass it on)?",
    ("retention_measure",),
)
def _turnover_unmitigated(words: Words, text: str) -> bool:
    """An answer that names no concrete measure: welcoming rotation, denying turnover and
    relying on trainees to share what they learnt all leave the training to leave with them.
    Read on the answer to the turnover question only, where any answer is about turnover."""
    return bool(_WORD.search(text)) and not words.has("retention_measure", text)


@check(
    "no_reflection",
    "Does the reflection period give victims no time to recover and decide (a statement on "
    "arrival or within days, a briefing on testifying, help tied to cooperating)?",
    ("early_statement", "decision_protected"),
)
def _no_reflection(words: Words, text: str) -> bool:
    """An early statement or a condition, and nothing that keeps the victim's choice: a text
    that says help never depends on the decision, or that contact comes only if the victim
    asks, keeps the time to decide whatever it says about interviews."""
    return words.has("early_statement", text) and not words.has("decision_protected", text)


@check(
    "return_not_chosen",
    "Is the decision on return made or confirmed by someone other than the survivor (her "
    "family, a village head, an embassy, immigration), assumed, or the default with other "
    "options only by exception?",
    ("return_decided_for", "survivor_decides"),
)
def _return_not_chosen(words: Words, text: str) -> bool:
    """Someone else decides, or the choice is assumed or a form, and nothing leaves the
    decision with the survivor (her private, informed choice; others only at her request; a
    best-interests determination that hears a child)."""
    return words.has("return_decided_for", text) and not words.has("survivor_decides", text)


@check(
    "channel_assumed_safe",
    "Does the text declare a promoted migration channel safe because it is licensed, "
    "regulated or official, with no evidence for this audience and no safeguard the campaign "
    "adds?",
    ("channel_safe_claim", "channel_evidence"),
)
def _channel_assumed_safe(words: Words, text: str) -> bool:
    """A claim of safety or of the channel's status, and nothing that shows it or says where
    it fails: returnee surveys, fees and wages compared, complaints upheld, agencies named only
    if clean, or a candid limit make the answer evidence, not assertion."""
    return words.has("channel_safe_claim", text) and not words.has("channel_evidence", text)


@check(
    "information_only",
    "Is the barrier addressed only by information?",
    ("information_means", "material_means", "topic_opener", "institutional_change"),
)
def _information_only(words: Words, text: str) -> bool:
    """Every means the answer names is a way of informing people, and at least one is: the
    head of each listed part ("radio messages ...", "a complaints desk ...") decides, so that
    what the information is about (fees, documents, the law) does not count as a means. A
    change the answer says was made ("which abolished the fee", "debts cancelled") counts
    wherever it is said."""
    if not words.lexicon("information_means").may_meet_within(text):
        return False  # no head of its parts can name a means either
    parts = [part for part in _PARTS.split(text) if _WORD.search(part)]
    heads = [head(part, 4) for part in parts]
    informing = [h for h in heads if not _NEGATION.match(h)]  # "no information passed on"
    if not any(words.has("information_means", h) for h in informing):
        return False  # no means of informing: what else it names need not be read
    if words.has("institutional_change", text):
        return False
    return not any(
        words.has("material_means", h) and not words.has("topic_opener", part)
        for part, h in zip(parts, heads, strict=True)
    )


_NEGATION = re.compile(r"(?i)(?:no|not|never|without)\b")
# Where a list of means splits: commas, semicolons, "and"/"plus"/"as well as" before a new means.
_PARTS = re.compile(r"\s*(?:[,;]|\band\b|\bplus\b|\bas well as\b|\balongside\b|"
                    r"\btogether with\b|\bcombined with\b|\bbacked by\b)\s*", re.IGNORECASE)


@check(
    "as_needed",
    "Does the body meet without a regular rhythm?",
    ("irregular_rhythm", "regular_rhythm"),
)
def _as_needed(words: Words, text: str) -> bool:
    """Words of an irregular rhythm, and no regular rhythm outside them: "no fixed calendar"
    and "to be scheduled as appropriate" name no calendar or schedule the body keeps."""
    if not words.has("irregular_rhythm", text):
        return False
    return not words.has("regular_rhythm", words.lexicon("irregular_rhythm").strip(text))


@check(
    "justice_training",
    "Does the component train criminal justice officials?",
    ("justice_actors", "training", "justice_contact"),
)
def _justice_training(words: Words, text: str) -> bool:
    """Justice officials among the trainees of one activity: a training word and a justice
    actor in the heading (the first part of the text), or in one later part read with the
    heading. Read across the whole component, paralegals trained in one activity and case
    conferences with the police in another would make it a training of the police. The
    police survivors are helped to reach never count."""
    if not words.has("training", text):
        return False  # no part can hold a training word either
    heading, *parts = text.split(";")  # an empty heading: the component has no title
    activities = [part for part in parts if _WORD.search(part)]
    return any(
        _trains_justice_actors(words, read)
        for read in (heading, *(f"{heading}. {activity}" for activity in activities))
    )


def _trains_justice_actors(words: Words, text: str) -> bool:
    return words.has("training", text) and words.has_outside(
        "justice_actors", "justice_contact", text
    )


@check(
    "test_planned",
    "Does the text say how and when the programme will test the assumption?",
    ("test_method", "test_timing", "past_test"),
)
def _test_planned(words: Words, text: str) -> bool:
    """How (a method: indicator, survey, pilot ...) and when (in this programme) the assumption
    will be tested; a test already done, or one without method or time, does not count."""
    return (
        words.has("test_method", text)
        and words.has("test_timing", text)
        and not words.has("past_test", text)
    )


@check(
    "opinion_source",
    "Is the evidence source opinion or unverifiable?",
    ("weak_source", "checkable_study"),
)
def _opinion_source(words: Words, text: str) -> bool:
    """Opinion, anecdote or an unnamed source, unless a checkable study backs it."""
    return words.has("weak_source", text) and not words.has("checkable_study", text)


@check(
    "mechanism_building",
    "Does the programme build the referral mechanism or its procedures?",
    ("mechanism_noun", "build_verb", "existing_thing"),
)
def _mechanism_building(words: Words, text: str) -> bool:
    """Some sentence has the programme build a referral mechanism or its procedures (one that
    describes a mechanism already in place does not count)."""
    return any(
        words.has("mechanism_noun", sentence)
        and words.has("build_verb", sentence)
        and not words.has("existing_thing", sentence)
        for sentence in sentences(text)
    )


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;])\s+", text) if _WORD.search(s)]


@check(
    "costing_planned",
    "Is costing the plan a step still to be taken?",
    ("costing_step", "costed_already", "cost_word", "plan_marker"),
)
def _costing_planned(words: Words, text: str) -> bool:
    """A costing step, or a word of cost and a mark of a step still to come in one clause:
    plans put their costing in more words than a list holds ("Q4 - budget the action plan
    with Finance"); never a plan already costed."""
    if words.has("costed_already", text):
        return False
    return words.has("costing_step", text) or words.together("cost_word", "plan_marker", text)


@check(
    "mentions_children",
    "Does the group include children?",
    ("children", "child_service_frame", "children_included", "adults"),
)
def _mentions_children(words: Words, text: str) -> bool:
    """Children themselves: not services or professions for children, and not a group whose
    head names adults ("parents of primary-school children", "mothers of girls"), unless it
    adds children to them ("workers and their children")."""
    if not words.has_outside("children", "child_service_frame", text):
        return False
    if words.has("children_included", text):
        return True
    group = _HEAD_BREAK.split(text.strip(), maxsplit=1)[0]
    return not (words.has("adults", group) and not words.has("children", group))


# Where the head of a group's description ends: "parents | of primary-school children".
_HEAD_BREAK = re.compile(
    r"\s+(?:of|in|who|whose|where|with|from|at|on|for|caring|working|living)\s+|[,.;:(]",
    re.IGNORECASE,
)


@check(
    "children_only",
    "Is the group made up of children only?",
    ("children", "child_service_frame", "child_compound", "adults", "adults_included"),
)
def _children_only(words: Words, text: str) -> bool:
    """Children are the group's head ("girls aged 10-17 ...", not "teachers of ..."), and
    nothing adds adults to it ("and young adults", an age band reaching past 17). A word for
    adults that describes children ("migrant children", "child returnees") adds none."""
    group = _HEAD_BREAK.split(words.lexicon("child_service_frame").strip(text), maxsplit=1)[0]
    if not words.has("children", group):
        return False
    compound = words.lexicon("child_compound")
    if words.has("adults", compound.strip(group)):
        return False
    # the frame blanks "parents of" so that the children named after it are found; the group
    # is still those adults ("Parents of unaccompanied minors", "Guardians of ...")
    head = _HEAD_BREAK.split(text.strip(), maxsplit=1)[0]
    if words.has("adults", compound.strip(head)):
        return False
    if words.has("adults_included", text):
        return False
    return all(int(high) < 18 for _, high in _AGE_BAND.findall(text))


_AGE_BAND = re.compile(r"(\d{1,2})\s*(?:-|\u2013|to)\s*(\d{1,2})\b")


@check(
    "risk_to_participants",
    "Is the risk one of harm to the people the programme works with?",
    ("participant_harm", "participant_person", "harm_word"),
)
def _risk_to_participants(words: Words, text: str) -> bool:
    """A phrase of harm to participants, or a person the programme works with and a harm
    named in the same clause: harms are as varied as the work ("children in the film bullied
    at school", "complainants face counter-charges"), which no list of phrases reaches."""
    return words.has("participant_harm", text) or words.together(
        "participant_person", "harm_word", text
    )


@check(
    "corruption_named",
    "Does the text name corruption, bribery or the complicity of officials as a problem?",
    ("corruption_sign", "anti_corruption_frame"),
)
def _corruption_named(words: Words, text: str) -> bool:
    """An anti-corruption bureau named as a partner is not corruption named as a problem."""
    return words.has_outside("corruption_sign", "anti_corruption_frame", text)


@check(
    "serves_returnees",
    "Does the support component serve people who have come back to their own country, and "
    "no one where they were exploited abroad?",
    ("returnee", "served_abroad"),
)
def _serves_returnees(words: Words, text: str) -> bool:
    """Returnees named, and nothing of people still abroad: a shelter abroad that arranges
    their return serves foreigners, and so does a component that serves both."""
    return words.has("returnee", text) and not words.has("served_abroad", text)


@check(
    "hands_over_support",
    "Does the support component say its care is a first or bridging stage, after which another "
    "provider takes over the survivors' longer-term support?",
    ("support_handover", "first_stage", "not_handed_on", "same_provider"),
)
def _hands_over_support(words: Words, text: str) -> bool:
    """The text marks the component's care as a first stage (often in the title: "Emergency
    shelter", "Interim care") and some sentence passes the person on to another provider
    ("until the specialised project takes over", "then transferred to the state shelter")
    without speaking of a service handed over when the grant ends or of a case passed to the
    police or a prosecutor; a text that keeps the later stages with the same organisation, or
    has the component take over from another, hands no one on."""
    if not words.has("first_stage", text) or words.has("same_provider", text):
        return False
    return any(
        words.has("support_handover", sentence) and not words.has("not_handed_on", sentence)
        for sentence in sentences(text)
    )


@check(
    "mandatory_penalty",
    "Do the penalties leave the court no discretion (mandatory minimum or life terms, the "
    "death penalty, a fixed term, no fine or suspended sentence)?",
    ("mandatory_sentence", "discretion_kept", "penalty_rejected"),
)
def _mandatory_penalty(words: Words, text: str) -> bool:
    """A mandatory or fixed penalty named, outside the phrases that reject, remove or replace
    one ("replaces the mandatory minimum with a range" restores discretion), in a text that
    does not work to repeal it ("the reform will repeal it and restore judicial discretion")."""
    return words.has_outside(
        "mandatory_sentence", "discretion_kept", text
    ) and not words.has("penalty_rejected", text)


@check(
    "certification_gated",
    "Do victims' services depend on a formal status or on who identified them (only once "
    "certified by the police, only for those who report or cooperate)?",
    ("gated_access", "access_condition", "access_regardless", "gating_removed"),
)
def _certification_gated(words: Words, text: str) -> bool:
    """Some sentence names a formal status or an act of cooperation and a word of condition
    ("once NAPTIP has formally identified them", "only those who give a statement"), and does
    not say that services do not wait for it ("regardless of formal identification"), in a
    text that does not describe the condition as today's practice it removes."""
    if words.has("gating_removed", text):
        return False
    return any(
        words.has("gated_access", sentence)
        and words.has("access_condition", sentence)
        and not words.has("access_regardless", sentence)
        for sentence in sentences(text)
    )


@check(
    "data_protection_named",
    "Does the text name a measure that protects the privacy of the people whose information "
    "the programme records (consent, confidentiality, anonymity, restricted access, ...)?",
    ("privacy_measure", "privacy_false_friend"),
)
def _data_protection_named(words: Words, text: str) -> bool:
    """A ministry's or a council's consent to an activity protects no one's information."""
    return words.has_outside("privacy_measure", "privacy_false_friend", text)


@check(
    "reduction_claim",
    "Does the goal claim less trafficking?",
    ("reduction_word", "trafficking_harm", "risk_not_trafficking", "not_trafficking_reduction"),
)
def _reduction_claim(words: Words, text: str) -> bool:
    """Some sentence claims less trafficking or exploitation itself: less of a risk, a
    backlog or re-victimisation in court is another claim."""
    risk = words.lexicon("risk_not_trafficking")
    return any(
        words.has("reduction_word", sentence)
        and words.has("trafficking_harm", risk.strip(sentence))
        and not words.has("not_trafficking_reduction", sentence)
        for sentence in sentences(text)
    )


@check(
    "investigative_work",
    "Does the text say the work is with investigators, prosecutors or police?",
    ("investigative_actors", "justice_contact"),
)
def _investigative_work(words: Words, text: str) -> bool:
    """Investigators or prosecutors do the work: not the police people are told to call."""
    return words.has_outside("investigative_actors", "justice_contact", text)


@check(
    "network_reach",
    "Does the text name how justice work reaches organisers, owners and networks?",
    ("network_mechanism", "network_training_frame"),
)
def _network_reach(words: Words, text: str) -> bool:
    """A method named as the subject of a course is taught, not applied to cases."""
    return words.has_outside("network_mechanism", "network_training_frame", text)


@check(
    "victims_penalised",
    "Does the answer say victims are detained, removed, fined or charged for what they did "
    "as a result of being trafficked, or spared that only if they cooperate?",
    (
        "victim_penalty",
        "penalty_ruled_out",
        "protection_conditional",
        "practice_now",
        "practice_changed",
    ),
)
def _victims_penalised(words: Words, text: str) -> bool:
    """A clause that names a penalty and does not rule it out ("are deported through the
    usual procedure"; "no presumed victim is held at an immigration depot" rules it out), or
    protection given only for cooperation ("provided they testify"). An answer that describes
    today's practice in order to end it ("at present ... deported within days; the MoU
    introduces screening") does not match."""
    if words.has("practice_now", text) and words.has("practice_changed", text):
        return False
    if words.has("protection_conditional", text):
        return True
    return any(
        words.has("victim_penalty", part) and not words.has("penalty_ruled_out", part)
        for part in clauses(text)
    )


@check(
    "raids_as_network_work",
    "Does the answer on reaching networks rest on raids, rescues and the arrest of whoever is "
    "found, with nothing that reaches beyond them?",
    (
        "raid_operation",
        "raids_limited",
        "reaches_beyond",
        "network_mechanism",
        "network_training_frame",
    ),
)
def _raids_as_network_work(words: Words, text: str) -> bool:
    """Operations named (raids, rescues, flagrante arrests, closures) and neither a way past
    the people found in them (`network_reach`: following the money, joint investigation,
    the owners and financiers; `reaches_beyond`: linking cases, the buyers and landowners)
    nor a limit the answer puts on them ("only where a victim's life is at risk", "arrests
    are only the beginning")."""
    return (
        words.has("raid_operation", text)
        and not words.has("raids_limited", text)
        and not words.has("reaches_beyond", text)
        and not _network_reach(words, text)
    )


@check(
    "support_for_cooperation",
    "Does the answer make some of the help depend on the victim's cooperation with the "
    "authorities (kept for witnesses, withdrawn from those who decline)?",
    ("cooperation_act", "support_tied", "support_untied"),
)
def _support_for_cooperation(words: Words, text: str) -> bool:
    """Some sentence names an act of cooperation (a statement, testimony, a complaint) and
    a word that ties help to it or says what those who decline get instead, and nothing in
    the answer keeps the help the same whatever the victim decides ("whether or not they
    testify", "those who do not keep their place")."""
    if words.has("support_untied", text):
        return False
    return any(
        words.has("cooperation_act", sentence) and words.has("support_tied", sentence)
        for sentence in sentences(text)
    )


@check(
    "threshold_from_proxy",
    "Does the income-threshold analysis take its level from a figure set for another purpose "
    "(minimum wage, poverty line, average income) with nothing the people concerned said or "
    "did?",
    ("proxy_figure", "people_said", "no_people_evidence"),
)
def _threshold_from_proxy(words: Words, text: str) -> bool:
    """A minimum wage, poverty line or average income named, and nothing from the people
    concerned (asked, surveyed, what returnees earned or recruiters promise, a step to ask
    them, a finding that income does not decide), unless the text admits nobody asked."""
    if not words.has("proxy_figure", text):
        return False
    return words.has("no_people_evidence", text) or not words.has("people_said", text)


@check(
    "representation_unstable",
    "Does the answer leave who represents each institution on the coordinating body open from "
    "meeting to meeting (any official, whoever is available, a delegate of their choosing)?",
    ("representation_open", "representation_fixed"),
)
def _representation_unstable(words: Words, text: str) -> bool:
    """Some word that leaves the seat open, and nothing that keeps it filled by the same
    people (named members and standing deputies, terms, successors named in time)."""
    return words.has("representation_open", text) and not words.has(
        "representation_fixed", text
    )


class TextReader:
    """The content checks of one language, answered once per distinct text."""

    def __init__(self, lexicons: Lexicons, language: str) -> None:
        self.language = language
        self.words = Words(lexicons, language)
        available = lexicons.names(language)
        self.available = all(set(c.lexicons) <= available for c in CHECKS.values())
        self._answer = lru_cache(maxsize=4096)(self._decide)

    def check(self, name: str, text: str | None) -> bool:
        """Whether the check holds for the text; False for no text or an unread language."""
        if not self.available or not text:
            return False
        return self._answer(name, text)

    def non_answer(self, text: str, *, deferral: bool = True) -> str | None:
        """`non_answer_kind` of the text, None for an unread language. Not cached: the
        cheap tests that turn most answers away cost less than a cache's bookkeeping, and
        few answers repeat."""
        return non_answer_kind(self.words, text, deferral=deferral) if self.available else None

    def _decide(self, name: str, text: str) -> bool:
        return CHECKS[name].decide(self.words, text)


def joined(parts: Iterable[object], separator: str = "; ") -> str:
    """Texts of a list joined for a check that reads them together."""
    return separator.join(str(p) for p in parts if p not in (None, ""))
