"""Use cases for data subjects: identifiers blinded for lookup, sealed with the subject's key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from trustguardian.domain.errors import (
    Conflict,
    FieldError,
    IdentifierTaken,
    InvalidInput,
    NotFound,
)
from trustguardian.domain.subjects import Identifier, IdentifierKind, Subject
from trustguardian.service.context import Context
from trustguardian.store.events.subjects import StoredIdentifier
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import SubjectKeyring, SubjectShredded, blind_identifier, open_sealed, seal


@dataclass(frozen=True)
class IdentifierView:
    """An identifier as an authorised reader sees it; `value` is None once the subject is erased."""

    kind: IdentifierKind
    system: str | None
    value: str | None


@dataclass(frozen=True)
class SubjectView:
    subject: Subject
    identifiers: tuple[IdentifierView, ...]


def keyring(ctx: Context, uow: UnitOfWork) -> SubjectKeyring:
    """A keyring bound to this unit of work (short-lived, as the vault wants)."""
    now = ctx.clock.now()
    return SubjectKeyring(
        ctx.keys.master,
        ctx.rng,
        load_wrapped=uow.subjects.load_wrapped_key,
        store_wrapped=lambda subject_id, wrapped: uow.subjects.store_wrapped_key(
            subject_id, wrapped, now
        ),
        retired=ctx.keys.retired_masters,
    )


def blind(ctx: Context, identifier: Identifier) -> str:
    """The keyed hash that finds an identifier without storing it in clear."""
    return blind_identifier(ctx.blind_key, identifier.namespace, identifier.value)


def resolve_subject(
    ctx: Context, uow: UnitOfWork, ring: SubjectKeyring, identifiers: Sequence[Identifier]
) -> tuple[str, bool]:
    """Finds the one subject these identifiers name (creating it if none); links new identifiers.

    Returns the subject id and whether the subject was created now.
    """
    if not identifiers:
        raise InvalidInput(
            "name the subject by at least one identifier",
            errors=[FieldError("identifiers", "empty")],
        )
    by_blind = {blind(ctx, ident): ident for ident in identifiers}
    found = uow.subjects.find_by_blind(list(by_blind))
    owners = set(found.values())
    if len(owners) > 1:
        raise IdentifierTaken("these identifiers belong to different subjects")
    now = ctx.clock.now()
    created = not owners
    if created:
        subject_id = ctx.ids.new_id("sub")
        uow.subjects.add(Subject(id=subject_id, created_at=now))
    else:
        subject_id = owners.pop()
        subject = uow.subjects.get(subject_id)
        if subject is not None and subject.shredded:
            raise Conflict(
                "this identifier belongs to an erased subject; it stays on the suppression list"
            )
    link_identifiers(
        ctx, uow, ring, subject_id, {b: i for b, i in by_blind.items() if b not in found}
    )
    return subject_id, created


def link_identifiers(
    ctx: Context,
    uow: UnitOfWork,
    ring: SubjectKeyring,
    subject_id: str,
    new: dict[str, Identifier],
) -> None:
    """Links identifiers nobody holds (by keyed hash) to a subject, sealed with its key."""
    if not new:
        return
    now = ctx.clock.now()
    data_key = ring.data_key_for(subject_id, create=True)
    for b, ident in new.items():
        sealed = seal(data_key, _plain(ident), identifier_aad(subject_id, b), ctx.rng)
        uow.subjects.add_identifier(StoredIdentifier(b, subject_id, ident.namespace, sealed), now)


def create_subject(ctx: Context, *, identifiers: Sequence[Identifier]) -> SubjectView:
    """Registers a subject; each identifier must not belong to anyone yet."""
    with ctx.uow() as uow:
        taken = uow.subjects.find_by_blind([blind(ctx, i) for i in identifiers])
        if taken:
            raise IdentifierTaken(
                "an identifier already belongs to a subject",
                errors=[FieldError("identifiers", f"{len(taken)} already registered")],
            )
        ring = keyring(ctx, uow)
        subject_id, _ = resolve_subject(ctx, uow, ring, identifiers)
        view = _view(uow, ring, subject_id)
        uow.commit()
    return view


def add_identifiers(
    ctx: Context, *, subject_id: str, identifiers: Sequence[Identifier]
) -> SubjectView:
    """Links more identifiers to a subject; one already linked elsewhere is refused."""
    with ctx.uow() as uow:
        _get(uow, subject_id)
        found = uow.subjects.find_by_blind([blind(ctx, i) for i in identifiers])
        if any(owner != subject_id for owner in found.values()):
            raise IdentifierTaken("an identifier already belongs to another subject")
        ring = keyring(ctx, uow)
        resolve_subject(ctx, uow, ring, identifiers)
        view = _view(uow, ring, subject_id)
        uow.commit()
    return view


def get_subject(ctx: Context, *, subject_id: str) -> SubjectView:
    """Gets a subject with its identifiers, opened with the subject's key."""
    with ctx.uow(write=False) as uow:
        _get(uow, subject_id)
        return _view(uow, keyring(ctx, uow), subject_id)


def find_subject(ctx: Context, *, identifier: Identifier) -> SubjectView:
    """Finds the subject an identifier belongs to."""
    with ctx.uow(write=False) as uow:
        found = uow.subjects.find_by_blind([blind(ctx, identifier)])
        if not found:
            raise NotFound("no subject has this identifier")
        return _view(uow, keyring(ctx, uow), next(iter(found.values())))


def shred_subject(ctx: Context, *, subject_id: str, uow: UnitOfWork) -> datetime:
    """Crypto-shreds a subject inside the caller's unit of work; their identifiers' hashes stay."""
    _get(uow, subject_id)
    now = ctx.clock.now()
    uow.subjects.shred(subject_id, now)
    return now


def identifiers_of(ctx: Context, uow: UnitOfWork, subject_id: str) -> tuple[IdentifierView, ...]:
    """A subject's identifiers opened inside the caller's unit of work (values None if erased)."""
    return _view(uow, keyring(ctx, uow), subject_id).identifiers


def _view(uow: UnitOfWork, ring: SubjectKeyring, subject_id: str) -> SubjectView:
    subject = _get(uow, subject_id)
    stored = uow.subjects.identifiers(subject_id)
    try:
        data_key: bytes | None = None if subject.shredded else ring.data_key_for(subject_id)
    except SubjectShredded:
        data_key = None
    views = []
    for row in stored:
        kind, _, system = row.kind.partition(":")
        value = None
        if data_key is not None and row.sealed is not None:
            value = open_sealed(
                data_key, row.sealed, identifier_aad(subject_id, row.blind)
            ).decode()
        views.append(IdentifierView(IdentifierKind(kind), system or None, value))
    return SubjectView(subject=subject, identifiers=tuple(views))


def _get(uow: UnitOfWork, subject_id: str) -> Subject:
    subject = uow.subjects.get(subject_id)
    if subject is None:
        raise NotFound(f"no subject {subject_id!r}")
    return subject


def _plain(identifier: Identifier) -> bytes:
    return identifier.value.encode()


def identifier_aad(subject_id: str, blind_hash: str) -> bytes:
    """What binds a sealed identifier to its subject and keyed hash."""
    return f"identifier:{subject_id}:{blind_hash}".encode()
