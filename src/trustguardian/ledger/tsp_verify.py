"""RFC 3161 time-stamp tokens checked the way `openssl ts -verify` does, through the chain.

Checked, in order: the message imprint is the hash of the stamped data; the signed attributes
name TSTInfo as the content and carry its digest; the signer certificate (found by the token's
signer identifier among the certificates it carries, or given) is the one the ESS
signing-certificate attribute names; that certificate has the critical timeStamping extended key
usage; the signature over the signed attributes verifies with its key; and the certificate leads
to one of the trusted roots through the token's other certificates, all valid at the stamp's time.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import verification
from cryptography.x509.oid import ExtendedKeyUsageOID

from .tsp import TimestampToken, TokenError

__all__ = ["imprint_matches", "verify_token"]

ID_TSTINFO = "1.2.840.113549.1.9.16.1.4"
DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {
    "1.3.14.3.2.26": hashes.SHA1,  # only to read ESS v1 certificate hashes
    "2.16.840.1.101.3.4.2.1": hashes.SHA256,
    "2.16.840.1.101.3.4.2.2": hashes.SHA384,
    "2.16.840.1.101.3.4.2.3": hashes.SHA512,
}
IMPRINTS = {"2.16.840.1.101.3.4.2.1", "2.16.840.1.101.3.4.2.2", "2.16.840.1.101.3.4.2.3"}


def _hash(oid: str, data: bytes) -> bytes:
    kind = DIGESTS.get(oid)
    if kind is None:
        raise TokenError(f"unsupported hash algorithm {oid}")
    digest = hashes.Hash(kind())
    digest.update(data)
    return digest.finalize()


def imprint_matches(token: TimestampToken, data: bytes) -> bool:
    """Whether the token's message imprint is the hash (SHA-2) of `data`."""
    if token.imprint_algorithm not in IMPRINTS:
        return False
    return hmac.compare_digest(token.imprint, _hash(token.imprint_algorithm, data))


def _signer(token: TimestampToken, given: Sequence[x509.Certificate]) -> x509.Certificate:
    for cert in (*token.certificates, *given):
        if token.signer_key_id is not None:
            try:
                ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            except x509.ExtensionNotFound:
                continue
            if ski.value.digest == token.signer_key_id:
                return cert
        elif (
            cert.serial_number == token.signer_serial
            and cert.issuer.public_bytes() == token.signer_issuer
        ):
            return cert
    raise TokenError("the token's signer certificate is neither in the token nor given")


def _check_ess(token: TimestampToken, signer: x509.Certificate) -> None:
    if not token.ess_cert_ids:
        raise TokenError("the token has no ESS signing-certificate attribute")
    first = token.ess_cert_ids[0]  # RFC 2634 5.4: the first names the signer
    der = signer.public_bytes(Encoding.DER)
    if not hmac.compare_digest(first.cert_hash, _hash(first.hash_algorithm, der)):
        raise TokenError("the ESS signing-certificate attribute names another certificate")
    if first.serial_number is not None and first.serial_number != signer.serial_number:
        raise TokenError("the ESS signing-certificate attribute names another serial number")


def _check_eku(signer: x509.Certificate) -> None:
    try:
        eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound as exc:
        raise TokenError("the signer certificate has no extended key usage") from exc
    if not eku.critical or list(eku.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        raise TokenError("the signer certificate is not for time-stamping only (RFC 3161 2.3)")


def _check_signature(token: TimestampToken, signer: x509.Certificate) -> None:
    kind = DIGESTS.get(token.digest_algorithm)
    if kind is None or kind is hashes.SHA1:
        raise TokenError(f"unsupported signature digest {token.digest_algorithm}")
    key: Any = signer.public_key()
    data, signature = token.signed_attributes, token.signature
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), kind())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(kind()))
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(signature, data)
        else:
            raise TokenError(f"unsupported signer key {type(key).__name__}")
    except InvalidSignature as exc:
        raise TokenError("the token's signature does not verify") from exc


def _eku_present(
    _policy: verification.Policy, _cert: x509.Certificate, eku: x509.ExtendedKeyUsage | None
) -> None:
    if eku is None or ExtendedKeyUsageOID.TIME_STAMPING not in eku:
        raise ValueError("not a time-stamping certificate")


def _check_chain(
    token: TimestampToken, signer: x509.Certificate, roots: Sequence[x509.Certificate]
) -> None:
    # A client verifier with the TSA's own leaf policy: webpki rules for the CAs (basic
    # constraints, key usage, path length), the timeStamping purpose for the leaf, and the
    # stamp's time as the moment every certificate must be valid (as `openssl ts -verify`).
    leaf_policy = verification.ExtensionPolicy.permit_all().require_present(
        x509.ExtendedKeyUsage, verification.Criticality.CRITICAL, _eku_present
    )
    verifier = (
        verification.PolicyBuilder()
        .store(verification.Store(list(roots)))
        .time(token.gen_time)
        .extension_policies(
            ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(), ee_policy=leaf_policy
        )
        .build_client_verifier()
    )
    others = [c for c in token.certificates if c != signer]
    try:
        verifier.verify(signer, others)
    except verification.VerificationError as exc:
        raise TokenError(f"the signer certificate does not lead to a trusted root: {exc}") from exc


def verify_token(
    token: TimestampToken,
    data: bytes,
    roots: Sequence[x509.Certificate],
    *,
    certificates: Sequence[x509.Certificate] = (),
) -> None:
    """Checks that `token` stamps `data` and is signed by a TSA certified from one of `roots`.

    `certificates` adds the TSA certificate where the token does not carry it. Raises
    `TokenError` saying what failed."""
    if not imprint_matches(token, data):
        raise TokenError("the token stamps other data")
    if token.content_type != ID_TSTINFO:
        raise TokenError("the signed attributes do not name TSTInfo as the content")
    if token.message_digest is None or not hmac.compare_digest(
        token.message_digest, _hash(token.digest_algorithm, token.tst_info)
    ):
        raise TokenError("the signed attributes do not carry the digest of the TSTInfo")
    signer = _signer(token, certificates)
    _check_ess(token, signer)
    _check_eku(signer)
    _check_signature(token, signer)
    if not roots:
        raise TokenError("no trusted root was given")
    _check_chain(token, signer, roots)
