"""What a `subject.erased` carries to each system: the identifiers it knows the person by.

The subject's key is destroyed in the transaction that records the erasure, so the identifiers
each system needs are sealed there first (under a key derived from the master key, one notice
per system with an active webhook): the ones it was sent (the kinds it receives) and the ones it
reported itself. A notice lives only until every active webhook of its system has delivered the
event or given up on it (a dead letter); then it is deleted, and nothing readable is left.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import orjson

from trustguardian.domain.events import EventKind
from trustguardian.domain.sync import System
from trustguardian.service.context import Context
from trustguardian.service.events.subjects import identifier_aad, keyring
from trustguardian.service.sync.systems import open_under_masters
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import VaultError, derive_key, open_sealed, seal

log = logging.getLogger(__name__)
NOTICE_KEY_PURPOSE = "erasure-notices/v1"
Identifiers = list[dict[str, Any]]


def keep_erasure_identifiers(ctx: Context, uow: UnitOfWork, subject_id: str) -> int:
    """Seals, per system, the identifiers its `subject.erased` must carry; call before shredding.

    Returns how many systems will be told. Does nothing when no erasure event was recorded.
    """
    events = uow.events.for_subject(subject_id)
    erased = [e for e in events if e.kind is EventKind.SUBJECT_ERASED]
    if not erased:
        return 0
    seq = erased[-1].seq
    receiving = {h.system_key for h in uow.sync.webhooks(active_only=True)}
    systems = [s for s in uow.sync.systems() if s.key in receiving]
    if not systems:
        return 0
    known = _opened(ctx, uow, subject_id)
    sources = {
        r.seq: r.source_system for r in uow.sync.outbox_rows([e.seq for e in events]).values()
    }
    sealed = {}
    for system in systems:
        reported = {b for e in events if sources.get(e.seq) == system.key for b in e.identifiers}
        told = [
            entry
            for blind, (label, entry) in known.items()
            if label in system.identifier_kinds or blind in reported
        ]
        body = orjson.dumps(told)
        sealed[system.key] = seal(_key(ctx), body, _aad(seq, system.key), ctx.rng)
    uow.sync.add_erasure_notices(seq, sealed, ctx.clock.now())
    return len(sealed)


def erasure_identifiers(
    ctx: Context, uow: UnitOfWork, system: System, seqs: Sequence[int]
) -> dict[int, Identifiers]:
    """The identifiers each of these `subject.erased` events carries to this system (if kept).

    A notice no master key held opens (sealed under one dropped without a re-wrap) is left
    out, and said in the log: the erasure still goes, naming the subject id only.
    """
    found = {}
    for seq, blob in uow.sync.erasure_notices(system.key, seqs).items():
        try:
            opened = open_under_masters(ctx, NOTICE_KEY_PURPOSE, blob, _aad(seq, system.key))
        except VaultError:
            log.error("the erasure notice of event %s for %s cannot be opened", seq, system.key)
            continue
        told: Identifiers = orjson.loads(opened)
        found[seq] = told
    return found


def reseal_erasure_notices(ctx: Context, uow: UnitOfWork) -> int:
    """Seals every kept notice under the current master key (a master key rotation)."""
    notices = uow.sync.all_erasure_notices()
    for seq, system_key, blob in notices:
        aad = _aad(seq, system_key)
        opened = open_under_masters(ctx, NOTICE_KEY_PURPOSE, blob, aad)
        uow.sync.set_erasure_notice(seq, system_key, seal(_key(ctx), opened, aad, ctx.rng))
    return len(notices)


def _opened(
    ctx: Context, uow: UnitOfWork, subject_id: str
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Per keyed hash: the kind label a system subscribes to, and the identifier as sent."""
    stored = uow.subjects.identifiers(subject_id)
    data_key = keyring(ctx, uow).data_key_for(subject_id)
    found = {}
    for row in stored:
        if row.sealed is None:
            continue
        value = open_sealed(data_key, row.sealed, identifier_aad(subject_id, row.blind)).decode()
        kind, _, system = row.kind.partition(":")
        found[row.blind] = (row.kind, {"kind": kind, "system": system or None, "value": value})
    return found


def _key(ctx: Context) -> bytes:
    return derive_key(ctx.keys.master, NOTICE_KEY_PURPOSE)


def _aad(seq: int, system_key: str) -> bytes:
    return f"erasure-notice:{seq}:{system_key}".encode()
