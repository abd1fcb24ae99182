"""engine.to_json (one json.dumps call and an exponent fix-up) writes exactly what the
value-by-value serialiser it replaced wrote, which durable-rules is known to parse."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.engine import to_json


def reference_to_json(value: Any) -> str:
    """The serialiser to_json replaced: a fraction before any exponent (`1.0e-05`)."""
    if isinstance(value, Mapping):
        items = (
            json.dumps(k, ensure_ascii=False) + ":" + reference_to_json(v) for k, v in value.items()
        )
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(reference_to_json(v) for v in value) + "]"
    if isinstance(value, float):
        mantissa, _, exponent = repr(value).partition("e")
        return f"{mantissa}.0e{exponent}" if exponent and "." not in mantissa else repr(value)
    return json.dumps(value, ensure_ascii=False)


# Strings that look like numbers with exponents, quotes and escapes, next to any text.
tricky_text = st.sampled_from(["1e5", '2E-3"', "a\\1e+7", 'x":1e5', "\u00e9", "-4e10", ""])
text = st.one_of(st.text(max_size=12), tricky_text)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e-05, -3e16, 2.5e-07, 1e22, 5e-324, -0.0, 123456789.0]),
    text,
)
values = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(text, inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(values)
def test_to_json_writes_what_the_reference_writes(value):
    written = to_json(value)
    assert written == reference_to_json(value)
    assert json.loads(written) == json.loads(json.dumps(value))


def test_bare_exponents_get_a_fraction_outside_strings_only():
    value = {"1e5": ["2e5", 3e20, 1.5e-07], "n": -1e-05}
    assert to_json(value) == '{"1e5":["2e5",3.0e+20,1.5e-07],"n":-1.0e-05}'
