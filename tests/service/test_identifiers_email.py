"""The fast e-mail normaliser answers exactly as email-validator does, for any address."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustguardian.domain.errors import InvalidInput
from trustguardian.service.events.identifiers import _email, _email_slow

ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-"
local_parts = st.one_of(
    st.text(alphabet=ATEXT + ".", min_size=0, max_size=70),
    st.text(alphabet=ATEXT + '."() @\\é', min_size=0, max_size=12),
)
labels = st.one_of(
    st.sampled_from(
        [
            *("example", "Example", "com", "it", "local", "test", "localhost", "onion", "arpa"),
            *("invalid", "xn--bcher-kva", "bücher", "123", "c0m", "-x", "x-", "a" * 64, "a" * 63),
        ]
    ),
    st.text(alphabet="abcXYZ019-_", min_size=0, max_size=8),
)
domains = st.one_of(
    st.lists(labels, min_size=1, max_size=4).map(".".join),
    st.sampled_from(["[1.2.3.4]", "example.com.", ".example.com", "exa mple.com", ""]),
)


def _answer(normalise: object, raw: str) -> str:
    try:
        return normalise(raw, "email")  # type: ignore[operator, no-any-return]
    except InvalidInput:
        return "refused"


@settings(max_examples=1000, deadline=None)
@given(local=local_parts, domain=domains)
def test_fast_path_agrees_with_email_validator(local: str, domain: str) -> None:
    raw = f"{local}@{domain}"
    assert _answer(_email, raw) == _answer(_email_slow, raw)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("A.B@Example.COM", "a.b@example.com"),
        ("a@xn--bcher-kva.ch", "a@bücher.ch"),
        ("o'neil+news@shop.example.it", "o'neil+news@shop.example.it"),
    ],
)
def test_known_addresses_normalise(raw: str, normal: str) -> None:
    assert _email(raw, "email") == normal


@pytest.mark.parametrize("raw", ["a..b@x.com", "a@x.local", "a@-x.com", ".a@x.com", "a@", "@x.com"])
def test_malformed_addresses_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        _email(raw, "email")
