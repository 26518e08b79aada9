"""Link tokens have exactly one spelling: any other encoding of the same bytes is refused."""

from __future__ import annotations

import pytest

from trustguardian.vault.tokens import TokenForged, open_token, sign_token

KEY = b"k" * 32
CLAIMS = {"id": "tok_1", "k": "preferences", "s": "sub_1", "exp": None, "c": {}}


def test_the_canonical_token_opens() -> None:
    assert open_token(KEY, sign_token(KEY, CLAIMS)) == CLAIMS


def _variants(token: str) -> list[str]:
    head, tail = token.split(".")
    last = tail[-1]
    # The MAC is 32 bytes: 43 characters whose last one carries 2 unused bits.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    sibling = alphabet[alphabet.index(last) ^ 1]
    return [
        f"{head}.{tail}=",
        f"{head}.{tail}==",
        f"{head}==.{tail}",
        f"{head}.{tail[:10]}\n{tail[10:]}",
        f"{head}.{tail[:10]}!{tail[10:]}",
        f"{head}.{tail[:-1]}{sibling}",
    ]


@pytest.mark.parametrize("index", range(6))
def test_a_non_canonical_spelling_is_refused(index: int) -> None:
    token = sign_token(KEY, CLAIMS)
    variant = _variants(token)[index]
    assert variant != token
    with pytest.raises(TokenForged):
        open_token(KEY, variant)
