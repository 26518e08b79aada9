"""Normalises identifiers: lower-case e-mail, E.164 phone, trimmed ids."""

from __future__ import annotations

import functools
import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from trustguardian.domain.common import KEY_PATTERN
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.subjects import Identifier, IdentifierKind

MAX_ID = 200
# Kinds whose normal form ignores a system given with them (only ids are told to remove one).
_WITHOUT_SYSTEM_CHECK = (IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.POSTAL)


def normalise(
    kind: IdentifierKind,
    value: str,
    *,
    system: str | None = None,
    region: str = "IT",
    loc: str = "identifier",
) -> Identifier:
    """Checks and normalises one identifier; bad input raises InvalidInput naming the field."""
    if kind is IdentifierKind.EXTERNAL:
        raw = _plain_id(kind, value.strip(), loc)
        if system is None or not KEY_PATTERN.fullmatch(system):
            raise InvalidInput(
                "an external identifier names its system",
                errors=[FieldError(f"{loc}.system", "a system key")],
            )
        return Identifier(kind, raw, system)
    normal = normal_value(kind, value, region=region, loc=loc)
    if system is not None and kind not in _WITHOUT_SYSTEM_CHECK:
        raise InvalidInput(
            "only external identifiers name a system",
            errors=[FieldError(f"{loc}.system", "remove")],
        )
    return Identifier(kind, normal)


def normal_value(
    kind: IdentifierKind, value: str, *, region: str = "IT", loc: str = "identifier"
) -> str:
    """The normal form of the value of an identifier of a kind without a system (as `normalise`
    gives it, without the object: a list of millions is read this way)."""
    raw = value.strip()
    if kind is IdentifierKind.EMAIL:
        return _email(raw, loc)
    if kind is IdentifierKind.PHONE:
        return _phone(raw, region, loc)
    if kind is IdentifierKind.POSTAL:
        return _postal(raw, loc)
    return _plain_id(kind, raw, loc)


def _plain_id(kind: IdentifierKind, raw: str, loc: str) -> str:
    if (
        not raw
        or len(raw) > MAX_ID
        or any(ord(ch) < 32 or (ch.isspace() and ch != " ") for ch in raw)
    ):
        raise InvalidInput(
            f"{loc} is not a valid {kind.value}",
            errors=[FieldError(loc, "1-200 printable characters")],
        )
    return raw


# A plain ASCII local part (RFC 5322 dot-atom): the common case, checked here in a microsecond.
# Everything else (quoted, international, over-long) goes through email-validator whole.
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


@functools.lru_cache(maxsize=65_536)
def _domain(domain: str) -> str | None:
    """The normalised domain as email-validator gives it, or None if it refuses the domain."""
    try:
        return validate_email(f"a@{domain}", check_deliverability=False).domain.lower()
    except EmailNotValidError:
        return None


def _email(raw: str, loc: str) -> str:
    """Lower-cased normal form; the same answer as email-validator, which judges each domain once.

    Validating an address costs ~75 µs, most of it on the domain; lists of millions repeat a few
    thousand domains, so the domain's verdict is cached and the local part checked by pattern.
    """
    local, at, domain = raw.rpartition("@")
    if at and len(raw) <= 200 and len(local) <= 64 and _DOT_ATOM.fullmatch(local):
        normal = _domain(domain)
        if normal is not None:
            return f"{local.lower()}@{normal}"
    return _email_slow(raw, loc)


def _email_slow(raw: str, loc: str) -> str:
    try:
        checked = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput("malformed e-mail address", errors=[FieldError(loc, str(exc))]) from exc
    return checked.normalized.lower()


def _phone(raw: str, region: str, loc: str) -> str:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput("malformed phone number", errors=[FieldError(loc, str(exc))]) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            "malformed phone number", errors=[FieldError(loc, "not a valid phone number")]
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Italian abbreviations written many ways on forms and in registers, spelt out so that
# "V.le Mazzini 3" and "Viale Mazzini, 3" are the same address.
_ABBREVIATIONS = {
    "V": "VIA",
    "VLE": "VIALE",
    "VL": "VIALE",
    "PZA": "PIAZZA",
    "PZZA": "PIAZZA",
    "P": "PIAZZA",
    "CSO": "CORSO",
    "C": "CORSO",
    "LGO": "LARGO",
    "VLO": "VICOLO",
    "STR": "STRADA",
    "LOC": "LOCALITA",
    "FRAZ": "FRAZIONE",
}


def _postal(raw: str, loc: str) -> str:
    """One normal form for an address: no accents or punctuation, upper case, street type spelt
    out ("V.le Mazzini, 3" and "VIALE MAZZINI 3" are the same address)."""
    plain = unicodedata.normalize("NFKD", raw)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).upper()
    plain = re.sub(r"\.(?=[A-Z])", "", plain)  # a dotted abbreviation is one word: P.ZZA, V.LE
    words = re.sub(r"[^0-9A-Z]+", " ", plain).split()
    if words:
        # Only the first word is a street type; a later "C" may be a flat, not a "Corso".
        words[0] = _ABBREVIATIONS.get(words[0], words[0])
    normal = " ".join(words)
    if len(normal) < 5 or len(normal) > MAX_ID or not any(ch.isdigit() for ch in normal):
        raise InvalidInput(
            "malformed postal address",
            errors=[FieldError(loc, "street, number, postcode and town, up to 200 characters")],
        )
    return normal
