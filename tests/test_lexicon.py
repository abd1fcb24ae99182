"""Lexicon files: the phrase syntax, the loader's checks, and every bundled lexicon's examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reviewer.corpus import load_corpus
from reviewer.lexicon import (
    LexiconError,
    PhraseIndex,
    _stems_pattern,
    ascii_words,
    compile_lexicon,
    compile_phrase,
    first_word,
    leading_literals,
    leftmost,
    load_lexicons,
    normalise,
    run_lexicon_examples,
    words_of,
)
from reviewer.paths import data_dir

BUNDLED = data_dir("rules") / "lexicons"


def lexicon_file(tmp_path: Path, body: str, name: str = "x.yaml") -> Path:
    folder = tmp_path / "lexicons"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")
    return folder


VALID = """\
name: sample
language: en
description: A sample lexicon.
match: anywhere
patterns: [be aware, "number of ... trained", "# months", post-test, "?the government"]
examples: {match: [Be aware of it], no_match: [Call the hotline]}
"""


def test_every_bundled_lexicon_meets_its_own_examples():
    results = run_lexicon_examples(load_lexicons([BUNDLED]))
    assert len(results) > 80
    assert [(r.lexicon, r.kind, r.text) for r in results if not r.ok] == []


@pytest.mark.parametrize(
    ("phrase", "text", "found"),
    [
        ("be aware", "People should BE  aware of it", True),
        ("be aware", "beware of it", False),
        ("recogni* the risk*", "Recognising the risks of travel", True),
        ("number of ... trained", "Number of police officers trained", True),
        ("number of ... trained", "number of people who were later trained", False),  # gap > 3
        ("# months", "after 6 months", True),
        ("# months", "after six months", False),
        ("post-test", "a posttest", True),
        ("post-test", "a post test", True),
        ("n/a", "N/A", True),
        ("?the government", "government", True),
        ("?the government", "the government", True),
        ("% of", "25% of workers", True),
        ("tested in yyyy", "tested in 2019", True),
        ("tested in yyyy", "tested in year 1", False),
    ],
)
def test_phrase_syntax(phrase, text, found):
    assert bool(re.search(compile_phrase(phrase), normalise(text))) is found


def test_modes_whole_start_anywhere_only(tmp_path):
    body = VALID.replace("match: anywhere", "match: MODE")
    for mode, text, expected in [
        ("whole", "Be aware.", True),
        ("whole", "Be aware of it", False),
        ("start", "Be aware of it", True),
        ("start", "They should be aware", False),
        ("anywhere", "They should be aware", True),
        ("only", "the government", True),
        ("only", "the government of Kenya", False),
    ]:
        folder = lexicon_file(tmp_path, body.replace("MODE", mode))
        lexicon = load_lexicons([folder]).require("sample", "en")
        assert lexicon.matches(text) is expected, (mode, text)


def test_normalise_folds_case_quotes_dashes_and_closing_punctuation():
    assert normalise("  \u201cNot  Considered\u201d \u2013 yet.  ") == '"not considered" - yet'


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (("patterns: [", "patterns: [(a|b)+, "), "write lower-case words"),
        (("patterns: [", "patterns: [... trained, "), "stands between two words"),
        (("language: en", "language: English"), "ISO 639"),
        (("match: anywhere", "match: fuzzy"), "match: one of"),
        (("examples: {match: [Be aware of it], ", "examples: {"), "examples.match"),
        (("description: A sample lexicon.\n", ""), "missing key 'description'"),
        (("name: sample", "name: Sample Lexicon"), "name:"),
    ],
)
def test_bad_lexicon_files_are_refused_with_file_and_reason(tmp_path, edit, problem):
    folder = lexicon_file(tmp_path, VALID.replace(*edit))
    with pytest.raises(LexiconError) as raised:
        load_lexicons([folder])
    assert "x.yaml" in str(raised.value)
    assert problem in str(raised.value)


def test_a_name_and_language_may_be_defined_once(tmp_path):
    folder = lexicon_file(tmp_path, VALID)
    lexicon_file(tmp_path, VALID, name="y.yaml")
    with pytest.raises(LexiconError, match="already defined"):
        load_lexicons([folder])


def test_another_language_adds_to_the_bundled_ones(tmp_path):
    folder = lexicon_file(tmp_path, VALID.replace("language: en", "language: fr"))
    lexicons = load_lexicons([BUNDLED, folder])
    assert lexicons.get("sample", "fr") is not None
    assert "en" in lexicons.languages and "fr" in lexicons.languages


def test_phrases_compile_without_repeated_groups():
    """No ReDoS from a funder's lexicon: phrases compile to patterns whose only repetitions are
    of single character classes, plus the gap marker's group bounded at three words, so
    matching stays linear in the text (a property of the pattern, checked here on every
    bundled phrase and on hostile ones)."""
    phrases = [p for lexicon in load_lexicons([BUNDLED]).all() for p in lexicon.phrases]
    phrases += ["a ... b ... c ... d", "x* y* z*", "# # # #", "?a ?b c"]
    for phrase in phrases:
        pattern = compile_phrase(phrase)
        assert not re.search(r"\)[*+]|\)\{\d+,\}", pattern), (phrase, pattern)
        assert all(q == "{0,3}" for q in re.findall(r"\)(\{[^}]*\})", pattern)), pattern


def _texts_for_openers() -> list[str]:
    """Texts that begin with lexicon phrases or come near them: every bundled example, every
    corpus text, each phrase written out (markers filled in, optional words in and out),
    run together and as one word."""
    texts: list[str] = []
    for lexicon in load_lexicons([BUNDLED]).by_key.values():
        texts += _texts_near(lexicon)
    for corpus in sorted((Path(__file__).parent / "corpora").rglob("*.yaml")):
        texts += [case.text for case in load_corpus(corpus)[1]]
    return texts


def _texts_near(lexicon) -> list[str]:
    """A lexicon's examples and each of its phrases written out in several ways."""
    texts = [*lexicon.examples_match, *lexicon.examples_no_match]
    for phrase in lexicon.phrases:
        words = [w.lstrip("?").rstrip("*").replace("#", "3") for w in phrase.split()]
        written = " ".join(w for w in words if w != "...")
        required = [w for w, o in zip(words, phrase.split(), strict=True) if o[0] != "?"]
        texts += [" ".join(w for w in required if w != "...")]
        texts += [written, written + " of the project", written.replace("-", ""),
                  written.replace(" ", "-"), written.title(), f"({written})"]
    return texts


def test_opening_patterns_find_what_the_whole_alternation_finds():
    """`whole` and `start` lexicons try only the phrases a text's first word can open: the same
    answer as the alternation of all their phrases, on every text near them."""
    texts = _texts_for_openers()
    found = 0
    for lexicon in load_lexicons([BUNDLED]).by_key.values():
        if lexicon.openers is None or lexicon.mode not in ("whole", "start"):
            continue
        for text in texts:
            normal = normalise(text)
            if lexicon.mode == "whole":
                expected = lexicon.pattern.fullmatch(normal)
            else:
                expected = lexicon.pattern.match(normal)
            answer = lexicon.find(text)
            found += answer is not None
            if answer != (expected.group(0) if expected else None):
                # the openers' filter (older than the groups) may only turn a text away
                assert answer is None and first_word(text) not in lexicon.openers, (
                    lexicon.name,
                    text,
                )
    assert found > 500  # the texts do reach the phrases


def _search_every_candidate(index: PhraseIndex, normal: str) -> str | None:
    """PhraseIndex.search as it was: every candidate pattern searched over the whole text,
    open-ended first words found by one pattern of their stems."""
    stems = _stems_pattern(index.by_prefix.phrases)
    words = sorted(words_of(normal) & index.by_word.phrases.keys())
    patterns = [index.by_word.pattern(w) for w in words]
    if stems is not None:
        patterns += [index.by_prefix.pattern(s) for s in sorted(set(stems.findall(normal)))]
    if index.anywhere is not None:
        patterns.append(index.anywhere.pattern(""))
    best = None
    for pattern in patterns:
        found = pattern.search(normal)
        if found and (best is None or (found.start(), -found.end()) < (best.start(), -best.end())):
            best = found
    return best.group(0) if best else None


def test_phrase_search_tried_at_leads_finds_what_a_full_scan_finds():
    """`anywhere` lexicons try each candidate pattern only where a match can begin (at its
    leads) and find open-ended words' stems word by word: the same answer as scanning the whole
    text with every candidate, on every text near the phrases and on long texts that hold
    the same words many times."""
    every = [normalise(text) for text in _texts_for_openers()]
    others = every[::25]  # every text would take half a minute: each lexicon its own and these
    found = 0
    for lexicon in load_lexicons([BUNDLED]).by_key.values():
        index = lexicon.index
        if index is None:
            continue
        stems = _stems_pattern(index.by_prefix.phrases)
        near = [normalise(text) for text in _texts_near(lexicon)]
        long = [" ".join(near[at : at + 25]) for at in range(0, len(near), 25)]
        for normal in near + long + others + [" ".join(others[:300])]:
            answer = index.search(normal)
            assert answer == _search_every_candidate(index, normal), (lexicon.name, normal)
            # the quick test of short lists turns away only texts the search finds nothing in
            assert lexicon.may_occur(normal) or answer is None, (lexicon.name, normal)
            found += answer is not None
            if stems is not None:
                assert index.stems_in(normal) == sorted(set(stems.findall(normal)))
    assert found > 5000  # the texts do reach the phrases


def test_key_words_turn_away_only_texts_a_lexicon_finds_nothing_in():
    """`key_words` is a quick test asked of every answer (deferrals): a text none of whose
    words is a key word must hold no phrase, however the phrase is written (joined, in
    brackets, capitalised, after an apostrophe)."""
    tried = 0
    for lexicon in load_lexicons([BUNDLED]).by_key.values():
        keys = lexicon.key_words
        if keys is None:
            continue
        for text in _texts_near(lexicon) + [f"partners' {t}" for t in lexicon.examples_match]:
            if not text.isascii():
                continue
            words = {word.decode() for word in ascii_words(text)}
            assert lexicon.find(text) is None or not keys.isdisjoint(words), (lexicon.name, text)
            tried += 1
    assert tried > 2000


def test_leads_are_what_every_match_begins_with():
    assert leading_literals(["?the government", "post-test", "number of ... trained"]) == (
        "government", "number", "post", "the"
    )
    digits = tuple("0123456789")
    assert leading_literals(["# months"]) == digits
    assert leading_literals(["yyyy baseline", "q# report"]) == (*digits, "q")
    assert leading_literals(["... trained"]) is None
    months = compile_lexicon(["# months"])
    for text in ("after 6 months", "after \u0666 months", "after six months", "06 months"):
        found, expected = leftmost(months, digits, text), months.search(text)
        assert (found and found.span()) == (expected and expected.span()), text
    pattern = compile_lexicon(["?the government", "ministr* of"])
    leads = leading_literals(["?the government", "ministr* of"])
    for text in ("the government and the ministry of x", "ministries of", "thegovernment",
                 "x government", "the the government", "no match here"):
        found, expected = leftmost(pattern, leads, text), pattern.search(text)
        assert (found and found.span()) == (expected and expected.span()), text


def test_a_joined_first_word_is_tried_whatever_the_text_begins_with(tmp_path: Path):
    """"post-test" also reads "posttest": a text opening with the one-word form meets it."""
    body = VALID.replace("match: anywhere", "match: start").replace(
        'patterns: [be aware, "number of ... trained", "# months", post-test, "?the government"]',
        "patterns: [post-test, posttest results]",
    ).replace("examples: {match: [Be aware of it], no_match: [Call the hotline]}",
              "examples: {match: [Post-test scores], no_match: [Call the hotline]}")
    lexicon = next(iter(load_lexicons([lexicon_file(tmp_path, body)]).by_key.values()))
    assert lexicon.find("Posttest scores") == "posttest"
    assert lexicon.find("Posttest results") == "posttest results"
    assert lexicon.find("Post test only") == "post test"


def test_frames_are_blanked_where_a_full_scan_finds_them():
    """`Lexicon.strip` finds each candidate's occurrences at its leads (`every_match`): the
    same spans as every candidate pattern's finditer over the whole text, on every text near
    the phrases and on long texts that hold them many times."""
    from reviewer.lexicon import every_match

    every = [normalise(text) for text in _texts_for_openers()]
    others = every[::25]
    spans_found = 0
    for lexicon in load_lexicons([BUNDLED]).by_key.values():
        index = lexicon.index
        if index is None:
            continue
        near = [normalise(text) for text in _texts_near(lexicon)]
        long = [" ".join(near[at : at + 25]) for at in range(0, len(near), 25)]
        leads = leading_literals(lexicon.phrases)  # what every candidate's matches begin with
        for normal in near + long + others:
            for pattern in index.candidates(normal):
                full_scan = [m.span() for m in pattern.finditer(normal)]
                assert [m.span() for m in every_match(pattern, leads, normal)] == full_scan
            expected = sorted(
                m.span() for pattern in index.candidates(normal) for m in pattern.finditer(normal)
            )
            assert sorted(index.spans(normal)) == expected, (lexicon.name, normal)
            spans_found += len(expected)
    assert spans_found > 5000
