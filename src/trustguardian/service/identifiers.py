"""Normalises identifiers: lower-case e-mail, E.164 phone, trimmed ids."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from trustguardian.domain.common import KEY_PATTERN
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.subjects import Identifier, IdentifierKind

MAX_ID = 200


def normalise(
    kind: IdentifierKind,
    value: str,
    *,
    system: str | None = None,
    region: str = "IT",
    loc: str = "identifier",
) -> Identifier:
    """Checks and normalises one identifier; bad input raises InvalidInput naming the field."""
    raw = value.strip()
    if kind is IdentifierKind.EMAIL:
        return Identifier(kind, _email(raw, loc))
    if kind is IdentifierKind.PHONE:
        return Identifier(kind, _phone(raw, region, loc))
    if (
        not raw
        or len(raw) > MAX_ID
        or any(ord(ch) < 32 or (ch.isspace() and ch != " ") for ch in raw)
    ):
        raise InvalidInput(
            f"{loc} is not a valid {kind.value}",
            errors=[FieldError(loc, "1-200 printable characters")],
        )
    if kind is IdentifierKind.EXTERNAL:
        if system is None or not KEY_PATTERN.fullmatch(system):
            raise InvalidInput(
                "an external identifier names its system",
                errors=[FieldError(f"{loc}.system", "a system key")],
            )
        return Identifier(kind, raw, system)
    if system is not None:
        raise InvalidInput(
            "only external identifiers name a system",
            errors=[FieldError(f"{loc}.system", "remove")],
        )
    return Identifier(kind, raw)


def _email(raw: str, loc: str) -> str:
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
