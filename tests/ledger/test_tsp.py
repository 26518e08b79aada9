"""RFC 3161 tokens from a real `openssl ts` TSA, read and checked through the chain they carry."""

from __future__ import annotations

import dataclasses

import pytest
from cryptography import x509
from tests.reports.tsa import LocalTsa, local_tsa

from trustguardian.ledger.tsp import TimestampToken, TokenError, read_timestamp_response
from trustguardian.ledger.tsp_verify import verify_token
from trustguardian.outbound import Outbound
from trustguardian.service.ops.timestamps import request_timestamp

NOTE = b"example.org/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"


def _stamp(tsa: LocalTsa, data: bytes = NOTE) -> bytes:
    token, _ = request_timestamp(tsa.url, data, timeout=10, outbound=Outbound.of("127.0.0.1"))
    return token


def _roots(tsa: LocalTsa) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(tsa.ca_pem)


@pytest.fixture(scope="module")
def chained() -> tuple[TimestampToken, list[x509.Certificate]]:
    with local_tsa(chain=True) as tsa:
        return read_timestamp_response(_stamp(tsa)), _roots(tsa)


def test_a_token_with_the_tsa_chain_is_read_and_verified_to_the_root(
    chained: tuple[TimestampToken, list[x509.Certificate]],
) -> None:
    token, roots = chained
    names = [c.subject.rfc4514_string() for c in token.certificates]
    assert sorted(names) == ["CN=Test TSA", "CN=Test TSA Intermediate", "CN=Test TSA Root"]
    assert len(token.ess_cert_ids) == 3  # ess_cert_id_chain: the signer first, then its CAs
    verify_token(token, NOTE, roots)


def test_a_token_with_the_signer_only_still_verifies() -> None:
    with local_tsa(chain=False) as tsa:
        token = read_timestamp_response(_stamp(tsa))
        roots = _roots(tsa)
    assert [c.subject.rfc4514_string() for c in token.certificates] == ["CN=Test TSA"]
    verify_token(token, NOTE, roots)


def test_other_data_another_root_or_no_root_is_refused(
    chained: tuple[TimestampToken, list[x509.Certificate]],
) -> None:
    token, _ = chained
    with local_tsa() as other:
        stranger = _roots(other)
    with pytest.raises(TokenError, match="stamps other data"):
        verify_token(token, NOTE + b"x", chained[1])
    with pytest.raises(TokenError, match="does not lead to a trusted root"):
        verify_token(token, NOTE, stranger)
    with pytest.raises(TokenError, match="no trusted root"):
        verify_token(token, NOTE, [])


def test_an_altered_signed_part_is_found(
    chained: tuple[TimestampToken, list[x509.Certificate]],
) -> None:
    token, roots = chained
    flipped = bytes([token.signature[-1] ^ 1])
    forged = dataclasses.replace(token, signature=token.signature[:-1] + flipped)
    with pytest.raises(TokenError, match="signature does not verify"):
        verify_token(forged, NOTE, roots)
    other_info = dataclasses.replace(token, tst_info=token.tst_info + b"\x00")
    with pytest.raises(TokenError, match="digest of the TSTInfo"):
        verify_token(other_info, NOTE, roots)
    wrong_ess = dataclasses.replace(token, ess_cert_ids=token.ess_cert_ids[1:])
    with pytest.raises(TokenError, match="ESS signing-certificate"):
        verify_token(wrong_ess, NOTE, roots)
    signer_first = [c for c in token.certificates if c.subject.rfc4514_string() == "CN=Test TSA"]
    no_chain = dataclasses.replace(token, certificates=tuple(signer_first))
    with pytest.raises(TokenError, match="does not lead to a trusted root"):
        verify_token(no_chain, NOTE, roots)


def test_a_malformed_response_is_a_token_error() -> None:
    with pytest.raises(TokenError, match="not an RFC 3161"):
        read_timestamp_response(b"\x30\x03\x02\x01\x00garbage")
