"""'Did you mean ...?' for a misspelt key, field, operator, rule id or reference.

One helper for every message that names an unknown word: the schema's, the rule conditions',
the knowledge base's and the configuration's. difflib is imported when a word is unknown,
not at every start.
"""

from __future__ import annotations

from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when none is close."""
    import difflib

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
