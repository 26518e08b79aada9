"""Witnesses (c2sp.org/tlog-witness) as the log sees them: the configured ones, the request
that asks one to cosign the latest checkpoint, the cosignatures it returns (checked, stored),
and the checkpoint and trust policy carrying them.

TRUSTGUARDIAN_WITNESSES holds pairs of a witness's URL (its submission prefix) and its verifier
key (`name+hash+base64(0x04 || key)`), separated by white space or commas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from trustguardian.domain.errors import FieldError, InvalidInput, NotFound
from trustguardian.ledger import (
    NoteError,
    consistency_coords,
    consistency_proof,
    inclusion_coords,
    inclusion_proof,
)
from trustguardian.ledger.cosignature import (
    WitnessVerifier,
    add_cosignatures,
    verify_cosignatures,
)
from trustguardian.ledger.policy import format_policy
from trustguardian.ledger.tlog_proof import format_tlog_proof
from trustguardian.service.context import Context
from trustguardian.service.events.ledger import b64, cosigned
from trustguardian.settings import Settings
from trustguardian.store.ledger import StoredCheckpoint, StoredCosignature
from trustguardian.store.uow import UnitOfWork


@dataclass(frozen=True)
class Witness:
    """A configured witness: where to send checkpoints, and the key its cosignatures carry."""

    url: str
    verifier: WitnessVerifier

    @property
    def key(self) -> str:
        """`name+keyid`: how stored cosignatures name their witness."""
        return f"{self.verifier.name}+{self.verifier.key_id.hex()}"


def _refuse(msg: str) -> InvalidInput:
    return InvalidInput(msg, errors=[FieldError("TRUSTGUARDIAN_WITNESSES", msg)])


def configured_witnesses(settings: Settings) -> list[Witness]:
    """The witnesses of TRUSTGUARDIAN_WITNESSES; InvalidInput (one sentence) if malformed."""
    words = (settings.witnesses or "").replace(",", " ").split()
    if len(words) % 2:
        raise _refuse("TRUSTGUARDIAN_WITNESSES must hold pairs of a URL and a verifier key")
    found: list[Witness] = []
    for url, vkey in zip(words[::2], words[1::2], strict=True):
        if not url.startswith(("http://", "https://")):
            raise _refuse(f"witness URL {url!r} must start with http:// or https://")
        try:
            verifier = WitnessVerifier.parse(vkey)
        except (NoteError, ValueError) as exc:
            raise _refuse(f"{vkey!r} is not a witness verifier key: {exc}") from None
        if any(w.key == f"{verifier.name}+{verifier.key_id.hex()}" for w in found):
            raise _refuse(f"witness key {verifier.name} is listed twice")
        found.append(Witness(url.rstrip("/"), verifier))
    return found


def witness_quorum(settings: Settings) -> int:
    """How many witnesses must cosign (the setting, capped at their number; all by default)."""
    count = len(configured_witnesses(settings))
    return min(settings.witness_quorum or count, count)


def add_checkpoint_body(ctx: Context, old_size: int, checkpoint: StoredCheckpoint) -> bytes:
    """The add-checkpoint request: `old` line, consistency proof to the checkpoint, note."""
    size = checkpoint.tree_size
    proof: list[bytes] = []
    if 0 < old_size < size:
        with ctx.uow(write=False) as uow:
            nodes = uow.ledger.nodes(consistency_coords(old_size, size))
        proof = consistency_proof(old_size, size, nodes)
    lines = [f"old {old_size}", *(b64(h) for h in proof)]
    return ("\n".join(lines) + "\n\n" + checkpoint.note).encode()


def store_cosignature(
    ctx: Context, witness: Witness, checkpoint: StoredCheckpoint, answer: str, at: datetime
) -> bool:
    """Keeps the witness's valid cosignature line from `answer` (other keys' lines ignored);
    returns whether there was one. A line of its key that fails raises NoteError."""
    if not answer.endswith("\n") or "\n\n" in answer:
        raise NoteError("a witness answers with signature lines, each ending in a newline")
    for line in answer.splitlines(keepends=True):
        note = add_cosignatures(checkpoint.note, [line])
        if verify_cosignatures(note, [witness.verifier]):
            with ctx.uow() as uow:
                uow.ledger.add_cosignature(
                    StoredCosignature(checkpoint.tree_size, witness.key, line, at)
                )
                uow.commit()
            return True
    return False


def trust_policy(ctx: Context) -> str:
    """The c2sp.org/tlog-policy text: the log's key, the witnesses and their quorum."""
    witnesses = configured_witnesses(ctx.settings)
    named = [(f"w{n}", w.verifier, w.url) for n, w in enumerate(witnesses, start=1)]
    return format_policy(ctx.keys.signer.verifier, named, witness_quorum(ctx.settings))


def tlog_proof_in(uow: UnitOfWork, seq: int, quorum: int) -> str:
    """The c2sp.org/tlog-proof of leaf `seq`: its index, its inclusion proof and the latest
    checkpoint covering it that `quorum` witnesses cosigned (the latest checkpoint while none
    has), with its cosignatures."""
    latest = uow.ledger.latest_checkpoint()
    if latest is None or latest.tree_size <= seq:
        raise NotFound(f"no checkpoint covers leaf {seq}")
    witnessed = uow.ledger.cosigned_checkpoint(seq + 1, quorum) if quorum else None
    checkpoint = cosigned(uow, witnessed or latest)
    nodes = uow.ledger.nodes(inclusion_coords(seq, checkpoint.tree_size))
    path = inclusion_proof(seq, checkpoint.tree_size, nodes)
    return format_tlog_proof(seq, path, checkpoint.note)


def tlog_proof(ctx: Context, *, event_id: str) -> str:
    """An event's c2sp.org/tlog-proof (see tlog_proof_in), for the configured quorum."""
    quorum = witness_quorum(ctx.settings)
    with ctx.uow(write=False) as uow:
        found = uow.events.get(event_id)
        if found is None:
            raise NotFound(f"no event {event_id!r}")
        return tlog_proof_in(uow, found[0].seq, quorum)
