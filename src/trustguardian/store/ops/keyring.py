"""The signing keys' public register, and the wrapped keys and sealed secrets a master key
rotation re-wraps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from trustguardian.store import tables as t


@dataclass(frozen=True)
class RegisteredKey:
    """A row of the signing key register: the public half and the tree sizes it signs."""

    key_hash: str
    verifier_key: str
    from_tree_size: int
    until_tree_size: int | None
    activated_at: datetime | None
    retired_at: datetime | None
    endorsement: str | None


@dataclass(frozen=True)
class WrappedKey:
    subject_id: str
    wrapped: bytes


@dataclass(frozen=True)
class SealedSecret:
    webhook_id: str
    version: int
    sealed: bytes


class KeyringRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def signing_keys(self) -> list[RegisteredKey]:
        """The register, oldest first."""
        rows = self._c.execute(select(t.signing_keys).order_by(t.signing_keys.c.from_tree_size))
        return [
            RegisteredKey(
                r.key_hash,
                r.verifier_key,
                r.from_tree_size,
                r.until_tree_size,
                r.activated_at,
                r.retired_at,
                r.endorsement,
            )
            for r in rows
        ]

    def register(self, key: RegisteredKey, *, closing_at: int, now: datetime) -> None:
        """Closes the open key at tree size `closing_at` (retired `now`), then adds `key`."""
        self._c.execute(
            update(t.signing_keys)
            .where(t.signing_keys.c.until_tree_size.is_(None))
            .values(until_tree_size=closing_at, retired_at=now)
        )
        self._c.execute(
            insert(t.signing_keys).values(
                key_hash=key.key_hash,
                verifier_key=key.verifier_key,
                from_tree_size=key.from_tree_size,
                until_tree_size=key.until_tree_size,
                activated_at=key.activated_at,
                retired_at=key.retired_at,
                endorsement=key.endorsement,
            )
        )

    def wrapped_keys_after(self, after: str, limit: int) -> list[WrappedKey]:
        """Up to `limit` wrapped data keys of the subjects whose id sorts after `after`."""
        rows = self._c.execute(
            select(t.subject_keys.c.subject_id, t.subject_keys.c.wrapped)
            .where(t.subject_keys.c.subject_id > after)
            .order_by(t.subject_keys.c.subject_id)
            .limit(limit)
        ).all()
        return [WrappedKey(subject_id, bytes(wrapped)) for subject_id, wrapped in rows]

    def set_wrapped(self, subject_id: str, wrapped: bytes) -> None:
        self._c.execute(
            update(t.subject_keys)
            .where(t.subject_keys.c.subject_id == subject_id)
            .values(wrapped=wrapped)
        )

    def all_wrapped(self) -> Iterator[bytes]:
        """Every wrapped data key."""
        for (wrapped,) in self._c.execute(select(t.subject_keys.c.wrapped)):
            yield bytes(wrapped)

    def webhook_secrets(self) -> list[SealedSecret]:
        """Every version of every webhook secret."""
        rows = self._c.execute(
            select(
                t.webhook_secrets.c.webhook_id,
                t.webhook_secrets.c.version,
                t.webhook_secrets.c.sealed,
            )
        ).all()
        return [SealedSecret(hook_id, version, bytes(sealed)) for hook_id, version, sealed in rows]

    def set_webhook_secret(self, secret: SealedSecret) -> None:
        self._c.execute(
            update(t.webhook_secrets)
            .where(
                t.webhook_secrets.c.webhook_id == secret.webhook_id,
                t.webhook_secrets.c.version == secret.version,
            )
            .values(sealed=secret.sealed)
        )
