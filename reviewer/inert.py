"""Text from outside shown, never obeyed: the one escaping every output channel uses.

Proposals, configurations, rule packs and file names come from people ctreview does not know,
and what it prints goes to terminals, CI logs and pull requests. A terminal obeys escape
sequences; bidirectional and zero-width characters make text read differently from what it
is; a CI runner obeys a line that starts with a workflow command (``::error::``,
``::add-mask::``, ``::stop-commands::``). So every report format, every command's standard
output and every message on standard error passes outside text through `inert` (or
`one_line`), and every printed line through `guard_commands`.
"""

from __future__ import annotations

import re

# Every character of the Unicode categories Cc (C0, DEL, C1: ANSI and OSC escapes among them),
# Cf (format characters: the bidirectional controls U+061C, U+200E, U+200F, U+202A-U+202E and
# U+2066-U+2069, the zero-width U+200B-U+200D, U+2060 and U+FEFF, soft hyphens, invisible tag
# characters), Cs (lone surrogates, e.g. from an undecodable file name), Zl and Zp (line and
# paragraph separators), as of Unicode 15.1. tests/test_inert.py checks this class against the
# running Python's Unicode database.
_BEYOND_C0 = (
    "\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
INVISIBLE = re.compile(f"[\x00-\x1f{_BEYOND_C0}]")
# In JSON text the encoder has escaped C0 inside strings, so a raw one is layout (a newline).
_JSON_INVISIBLE = re.compile(f"[{_BEYOND_C0}]")
_LINE_BREAKS = re.compile(r"[\t\n\v\f\r\x85\u2028\u2029]+")
_SPACES = re.compile(" {2,}")
# A line a CI runner reads as a workflow command: GitHub's runner trims leading white space,
# then looks for `::`.
_COMMAND_START = re.compile(r"^([ \t]*):(?=:)", re.MULTILINE)
PLAIN_COLON = "\\x3a"  # how a guarded colon is shown in plain text


def inert(text: object) -> str:
    """The text with every invisible or controlling character shown as an escape (`\\x1b`,
    `\\u202e`), so it prints exactly what it is and steers nothing."""
    return INVISIBLE.sub(_escape, str(text))


def one_line(text: object) -> str:
    """Outside text on one line: line breaks and tabs become one space, the rest as `inert`.

    Most text is printable (`str.isprintable`: no character of the categories `INVISIBLE`
    covers, no line break or tab), and only needs its spaces tidied."""
    text = str(text)
    if text.isprintable():
        flat = text.strip()
        return _SPACES.sub(" ", flat) if "  " in flat else flat
    flat = _LINE_BREAKS.sub(" ", text).strip()
    return inert(_SPACES.sub(" ", flat))


def guard_commands(text: str, colon: str = PLAIN_COLON) -> str:
    """Text in which no line starts a CI workflow command: the first colon of a line that
    starts with `::` is written as `colon` (an escape of the colon in the output's language)."""
    if "::" not in text:  # every command start holds it: a whole report is checked in C
        return text
    return _COMMAND_START.sub(lambda m: m.group(1) + colon, text)


def inert_lines(text: object) -> str:
    """Outside text that keeps its lines (a YAML example, say): each line as `inert`, and no
    line starting a workflow command."""
    return guard_commands("\n".join(inert(line) for line in str(text).split("\n")))


def inert_json(text: str) -> str:
    """JSON text (as `json.dumps` writes it) with every invisible character in its strings
    written as a `\\uXXXX` escape: a JSON reader gets the same data, a terminal sees only
    visible characters."""
    return _JSON_INVISIBLE.sub(_json_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
