"""Small texts of a person (their words, reasons told to them) sealed with their own key."""

from __future__ import annotations

from trustguardian.service.context import Context
from trustguardian.service.events.subjects import keyring
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import SubjectShredded, open_sealed, seal


def seal_text(
    ctx: Context, uow: UnitOfWork, subject_id: str, text: str | None, aad: str
) -> bytes | None:
    """Seals a text with the subject's key (None stays None)."""
    if text is None:
        return None
    key = keyring(ctx, uow).data_key_for(subject_id)
    return seal(key, text.encode(), aad.encode(), ctx.rng)


def seal_bytes(ctx: Context, uow: UnitOfWork, subject_id: str, data: bytes, aad: str) -> bytes:
    key = keyring(ctx, uow).data_key_for(subject_id)
    return seal(key, data, aad.encode(), ctx.rng)


def open_bytes(
    ctx: Context, uow: UnitOfWork, subject_id: str, sealed: bytes | None, aad: str
) -> bytes | None:
    """Opens sealed bytes; None when there is nothing or the subject was erased."""
    if sealed is None:
        return None
    try:
        key = keyring(ctx, uow).data_key_for(subject_id)
    except SubjectShredded:
        return None
    return open_sealed(key, sealed, aad.encode())


def open_text(
    ctx: Context, uow: UnitOfWork, subject_id: str, sealed: bytes | None, aad: str
) -> str | None:
    found = open_bytes(ctx, uow, subject_id, sealed, aad)
    return None if found is None else found.decode()
