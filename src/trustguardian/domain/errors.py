"""Domain errors, each with a stable code that the API turns into a problem type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One thing wrong with one input field."""

    loc: str
    msg: str


class DomainError(Exception):
    """Base of every error the service layer reports to a caller."""

    code = "error"
    title = "Error"

    def __init__(self, detail: str, *, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)


class NotFound(DomainError):
    code = "not-found"
    title = "Not found"


class AlreadyExists(DomainError):
    code = "already-exists"
    title = "Already exists"


class Conflict(DomainError):
    code = "conflict"
    title = "Conflict with the current state"


class Immutable(Conflict):
    code = "immutable"
    title = "This record can never change"


class InvalidInput(DomainError):
    code = "invalid-input"
    title = "Invalid input"


class Erased(DomainError):
    code = "erased"
    title = "The subject's data was erased"


class InvalidToken(DomainError):
    """A link token that is forged, altered, expired, used up or revoked: nothing happens."""

    code = "invalid-token"
    title = "This link is not valid"

    def __init__(self, detail: str, *, reason: str) -> None:
        super().__init__(detail)
        self.reason = reason


class TooLarge(DomainError):
    code = "too-large"
    title = "Too large"


class TooManyAttempts(DomainError):
    """Too many attempts from one caller: nothing was tried; again after `retry_after` seconds."""

    code = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: float) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class IdentifierTaken(Conflict):
    code = "identifier-taken"
    title = "Identifier belongs to another subject"


class Unauthorized(DomainError):
    code = "unauthorized"
    title = "Missing or unknown API key"


class Forbidden(DomainError):
    code = "forbidden"
    title = "Not allowed for this API key"


@dataclass(frozen=True)
class Problem:
    """A domain error rendered as data (used by the CLI and the API alike)."""

    code: str
    title: str
    detail: str
    errors: tuple[FieldError, ...] = field(default=())
