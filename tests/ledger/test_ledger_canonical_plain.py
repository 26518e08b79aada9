"""The fast encoder of the ingest path writes exactly RFC 8785 for the JSON of our leaves."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trustguardian.ledger import canonical_json, canonical_json_plain

SAFE_INT = st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
KEYS = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
PLAIN = st.recursive(
    st.none() | st.booleans() | SAFE_INT | TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=30,
)


@given(PLAIN)
@settings(max_examples=400, deadline=None)
def test_plain_encoder_equals_rfc8785(value: object) -> None:
    assert canonical_json_plain(value) == canonical_json(value)


def test_control_characters_and_unicode_are_escaped_as_rfc8785_says() -> None:
    value = {"b": '\u0000\u001f\b\t\n\f\r"\\ é € 😀 \u2028', "a": [1, -2, True, None]}
    assert canonical_json_plain(value) == canonical_json(value)
