"""RFC 3161 time-stamp responses, read as any TSA sends them.

A TSA that answers with its certificate chain puts the certificates in the token's `SET OF`
in the order it has them: OpenSSL does not sort them as DER wants, and a DER-strict parser
(rfc3161-client) refuses the whole token although `openssl ts -verify` accepts it. The set is
outside what the TSA signs, so the token is read with pyasn1's BER decoder, which takes any
order; the signed parts are checked on their own bytes (`tsp_verify`). pyasn1-modules carries
the RFC 3161, 5652 (CMS) and 2634/5035 (ESS) definitions, so no ASN.1 is written by hand here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from pyasn1.codec.ber import decoder as ber
from pyasn1.codec.der import encoder as der
from pyasn1.error import PyAsn1Error
from pyasn1.type import namedtype, tag, univ
from pyasn1_modules import rfc2634, rfc3161, rfc5035, rfc5652

__all__ = ["EssCertId", "TimestampToken", "TokenError", "read_timestamp_response"]

GRANTED = (0, 1)  # granted, grantedWithMods


# CMS SignedData whose certificates stay as received: each is loaded from its own bytes, never
# re-encoded (a certificate's signature covers the bytes its CA wrote).
_SIGNED_DATA = univ.Sequence(
    componentType=namedtype.NamedTypes(
        *(
            namedtype.OptionalNamedType(
                "certificates",
                univ.SetOf(componentType=univ.Any()).subtype(
                    implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
                ),
            )
            if field.name == "certificates"
            else field
            for field in rfc5652.SignedData.componentType.namedTypes
        )
    )
)


class TokenError(ValueError):
    """A time-stamp response that cannot be read, or a token that does not verify."""


@dataclass(frozen=True)
class EssCertId:
    """The signer certificate the TSA named in its signed attributes (ESS)."""

    hash_algorithm: str
    cert_hash: bytes
    serial_number: int | None


@dataclass(frozen=True)
class TimestampToken:
    """What a time-stamp response says, with the parts its signature covers."""

    status: int
    gen_time: datetime
    serial_number: int
    nonce: int | None
    policy: str
    imprint_algorithm: str
    imprint: bytes
    certificates: tuple[x509.Certificate, ...]
    # Checked by tsp_verify: the signed TSTInfo, the DER of the signed attributes (the bytes
    # the signature covers), the signature and who the signer says it is.
    tst_info: bytes
    digest_algorithm: str
    signature_algorithm: str
    signed_attributes: bytes
    signature: bytes
    content_type: str | None
    message_digest: bytes | None
    ess_cert_ids: tuple[EssCertId, ...]
    signer_issuer: bytes | None
    signer_serial: int | None
    signer_key_id: bytes | None


def _decode(raw: bytes, spec: Any) -> Any:
    value, rest = ber.decode(raw, asn1Spec=spec)
    if rest:
        raise TokenError("trailing bytes after the ASN.1 value")
    return value


def _time(value: Any) -> datetime:
    moment: datetime = value.asDateTime
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _ess(attributes: dict[str, list[Any]]) -> tuple[EssCertId, ...]:
    ids: list[EssCertId] = []
    for value in attributes.get(str(rfc5035.id_aa_signingCertificateV2), []):
        for cert_id in _decode(bytes(value), rfc5035.SigningCertificateV2())["certs"]:
            algorithm = cert_id["hashAlgorithm"]
            oid = str(algorithm["algorithm"]) if algorithm.isValue else "2.16.840.1.101.3.4.2.1"
            ids.append(EssCertId(oid, bytes(cert_id["certHash"]), _serial(cert_id)))
    for value in attributes.get(str(rfc2634.id_aa_signingCertificate), []):
        for cert_id in _decode(bytes(value), rfc2634.SigningCertificate())["certs"]:
            ids.append(EssCertId("1.3.14.3.2.26", bytes(cert_id["certHash"]), _serial(cert_id)))
    return tuple(ids)


def _serial(cert_id: Any) -> int | None:
    issuer_serial = cert_id["issuerSerial"]
    return int(issuer_serial["serialNumber"]) if issuer_serial.isValue else None


def _certificates(signed: Any) -> tuple[x509.Certificate, ...]:
    # Only plain X.509 certificates (a SEQUENCE); attribute and other certificates are skipped.
    found = signed["certificates"]
    raw = [bytes(c) for c in found] if found.isValue else []
    return tuple(x509.load_der_x509_certificate(c) for c in raw if c[:1] == b"\x30")


def _digest(values: list[Any]) -> bytes | None:
    if len(values) != 1:
        return None
    return bytes(_decode(bytes(values[0]), rfc5652.MessageDigest()))


def read_timestamp_response(response: bytes) -> TimestampToken:
    """Reads a TimeStampResp (RFC 3161 section 2.4.2); raises `TokenError` if malformed."""
    try:
        return _read(response)
    except (PyAsn1Error, ValueError, KeyError, TypeError) as exc:
        raise TokenError(f"not an RFC 3161 time-stamp response: {exc}") from exc


def _read(response: bytes) -> TimestampToken:
    resp = _decode(response, rfc3161.TimeStampResp())
    status = int(resp["status"]["status"])
    token = resp["timeStampToken"]
    if status not in GRANTED or not token.isValue:
        raise TokenError(f"the time-stamping authority refused the request (status {status})")
    if token["contentType"] != rfc5652.id_signedData:
        raise TokenError("the token is not CMS SignedData")
    signed = _decode(bytes(token["content"]), _SIGNED_DATA)
    content = signed["encapContentInfo"]
    if content["eContentType"] != rfc3161.id_ct_TSTInfo or not content["eContent"].isValue:
        raise TokenError("the token does not carry a TSTInfo")
    tst_der = bytes(content["eContent"])
    info = _decode(tst_der, rfc3161.TSTInfo())
    signers = list(signed["signerInfos"])
    if len(signers) != 1:
        raise TokenError(f"the token has {len(signers)} signers, not one")
    signer = signers[0]
    if not signer["signedAttrs"].isValue:
        raise TokenError("the token has no signed attributes")
    attrs = rfc5652.SignedAttributes()
    attributes: dict[str, list[Any]] = {}
    for i, attribute in enumerate(signer["signedAttrs"]):
        attrs.setComponentByPosition(i, attribute)
        attributes.setdefault(str(attribute["attrType"]), []).extend(attribute["attrValues"])
    content_types = attributes.get(str(rfc5652.id_contentType), [])
    digests = attributes.get(str(rfc5652.id_messageDigest), [])
    sid = signer["sid"]
    by_name = sid.getName() == "issuerAndSerialNumber"
    nonce = info["nonce"]
    return TimestampToken(
        status=status,
        gen_time=_time(info["genTime"]),
        serial_number=int(info["serialNumber"]),
        nonce=int(nonce) if nonce.isValue else None,
        policy=str(info["policy"]),
        imprint_algorithm=str(info["messageImprint"]["hashAlgorithm"]["algorithm"]),
        imprint=bytes(info["messageImprint"]["hashedMessage"]),
        certificates=_certificates(signed),
        tst_info=tst_der,
        digest_algorithm=str(signer["digestAlgorithm"]["algorithm"]),
        signature_algorithm=str(signer["signatureAlgorithm"]["algorithm"]),
        signed_attributes=der.encode(attrs),
        signature=bytes(signer["signature"]),
        content_type=(
            str(_decode(bytes(content_types[0]), rfc5652.ContentType()))
            if len(content_types) == 1
            else None
        ),
        message_digest=(
            bytes(_decode(bytes(digests[0]), rfc5652.MessageDigest()))
            if len(digests) == 1
            else None
        ),
        ess_cert_ids=_ess(attributes),
        signer_issuer=der.encode(sid["issuerAndSerialNumber"]["issuer"]) if by_name else None,
        signer_serial=int(sid["issuerAndSerialNumber"]["serialNumber"]) if by_name else None,
        signer_key_id=None if by_name else bytes(sid["subjectKeyIdentifier"]),
    )
