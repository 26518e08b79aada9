"""Key rotation: the signing keys' public register and the re-wrapping of data keys.

Signing keys: each key signs the checkpoints of a range of tree sizes. The register holds the
public halves with their ranges and times, so every old checkpoint stays verifiable with the key
valid when it was signed, and each new key carries a note signed by the key before it.

Nothing in the register is trusted for being there: whoever can write the database could add a
key and re-sign every checkpoint with it. A key is trusted when it is pinned outside the
database (the key file's current and retired keys, the environment's signing key, or
`TRUSTGUARDIAN_TRUSTED_KEYS`), or when the register's key before it is trusted and signed its
endorsement (an unbroken chain from a pinned key). Verification uses only trusted keys, and
names every key the chain does not reach.

Master key: a rotation wraps every subject's data key (and re-seals every webhook secret) under
the new master key; retired master keys only unwrap, until nothing needs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from trustguardian.ledger import NoteError, Signer, Verifier, open_note, parse_verifiers
from trustguardian.ledger.errors import InvalidKeyError
from trustguardian.ledger.leaves import endorsement_text
from trustguardian.service.context import Context
from trustguardian.service.defence.purge import rewrap_defence_keys
from trustguardian.service.events.records import record_objects
from trustguardian.service.ops.binding import rewrap_canary
from trustguardian.service.sync.erasures import reseal_erasure_notices
from trustguardian.service.sync.systems import open_secret, seal_secret
from trustguardian.store.ops.keyring import KeyringRepository, RegisteredKey, SealedSecret
from trustguardian.store.snapshots import SIGNING_KEY
from trustguardian.vault.keys import unwrap_with_any, wrap_data_key, wrapped_key_id


@dataclass(frozen=True)
class SigningKey:
    key_hash: str
    verifier_key: str
    from_tree_size: int
    until_tree_size: int | None
    activated_at: datetime | None
    retired_at: datetime | None
    endorsement: str | None
    registered: bool = True
    # "pinned", "endorsed by HASH", or why the chain from the pinned keys does not reach it.
    trust: str = "pinned"
    trusted: bool = True

    def covers(self, tree_size: int) -> bool:
        """Whether this key may have signed the checkpoint of this tree size."""
        return self.from_tree_size <= tree_size and (
            self.until_tree_size is None or tree_size <= self.until_tree_size
        )

    def as_json(self) -> dict[str, object]:
        return {
            "key_hash": self.key_hash,
            "verifier_key": self.verifier_key,
            "from_tree_size": self.from_tree_size,
            "until_tree_size": self.until_tree_size,
            "activated_at": self.activated_at.isoformat() if self.activated_at else None,
            "retired_at": self.retired_at.isoformat() if self.retired_at else None,
            "endorsement": self.endorsement,
            "trusted": self.trusted,
            "trust": self.trust,
        }


def pinned_verifiers(ctx: Context) -> list[Verifier]:
    """The keys trusted from outside the database: the instance's own (key file or environment)
    and those of `TRUSTGUARDIAN_TRUSTED_KEYS`."""
    try:
        extra = parse_verifiers(ctx.settings.trusted_keys or "")
    except InvalidKeyError as exc:
        raise ValueError(f"TRUSTGUARDIAN_TRUSTED_KEYS: {exc}") from exc
    return [*ctx.keys.verifiers, *extra]


def _chain(keys: list[SigningKey], pinned: Sequence[Verifier]) -> list[SigningKey]:
    """Each key with its trust: pinned, endorsed by the trusted key before it, or not."""
    pins = {v.verifier_key for v in pinned}
    out: list[SigningKey] = []
    previous: SigningKey | None = None
    for key in keys:
        if key.verifier_key in pins:
            key = replace(key, trust="pinned", trusted=True)
        else:
            trust = _endorsed(key, previous)
            key = replace(key, trust=trust, trusted=trust.startswith("endorsed by "))
        out.append(key)
        previous = key
    return out


def _endorsed(key: SigningKey, previous: SigningKey | None) -> str:
    """`endorsed by HASH`, or why the key is not."""
    if previous is None:
        return "not pinned, and no key before it could endorse it"
    if not previous.trusted:
        return f"the key before it ({previous.key_hash}) is itself untrusted"
    if not key.endorsement:
        return f"not pinned, and not endorsed by the key before it ({previous.key_hash})"
    try:
        verifier = Verifier.parse(key.verifier_key)
        text, _ = open_note(key.endorsement, [Verifier.parse(previous.verifier_key)])
    except (NoteError, InvalidKeyError, ValueError):
        return f"its endorsement is not signed by the key before it ({previous.key_hash})"
    if text != endorsement_text(key.verifier_key, verifier.name, key.from_tree_size):
        return "its endorsement names another key or another first tree size"
    return f"endorsed by {previous.key_hash}"


def _rows(keyring: KeyringRepository) -> list[SigningKey]:
    return [
        SigningKey(
            r.key_hash,
            r.verifier_key,
            r.from_tree_size,
            r.until_tree_size,
            r.activated_at,
            r.retired_at,
            r.endorsement,
        )
        for r in keyring.signing_keys()
    ]


def key_chain(ctx: Context, keyring: KeyringRepository) -> list[SigningKey]:
    """Every signing key with its trust: the registered ones, plus the current key if it was
    never registered (a ledger from before the register, or a key changed in the environment):
    it then covers every size after the last registered one."""
    keys = _chain(_rows(keyring), pinned_verifiers(ctx))
    known = {k.key_hash for k in keys}
    # Retired keys from the key file that this database never registered (a backup restored
    # from before its rotation) stay acceptable: they are this instance's own keys.
    keys += [
        SigningKey(v.key_hash.hex(), v.verifier_key, 0, None, None, None, None, False)
        for v in ctx.keys.retired_verifiers
        if v.key_hash.hex() not in known
    ]
    current = ctx.keys.signer
    if current.key_hash.hex() in known:
        return keys
    closed = [k.until_tree_size for k in keys if k.until_tree_size is not None]
    start = max(closed) + 1 if closed else 0
    if any(k.until_tree_size is None for k in keys):
        start = 0  # the register's open key was never closed: both keys stay acceptable
    return [
        *keys,
        SigningKey(
            current.key_hash.hex(), current.verifier_key, start, None, None, None, None, False
        ),
    ]


def signing_keys(ctx: Context) -> list[SigningKey]:
    """The published signing keys with their validity and trust, oldest first."""
    with ctx.uow(write=False) as uow:
        return key_chain(ctx, uow.keyring)


def register_signing_key(ctx: Context, *, endorse_with: Signer | None = None) -> SigningKey:
    """Registers the current signing key (closing the previous one at the current tree size)."""
    signer = ctx.keys.signer
    now = ctx.clock.now()
    with ctx.uow() as uow:
        size = uow.ledger.lock_head()  # no checkpoint is signed while the register changes
        keys = _rows(uow.keyring)
        mine = next((k for k in keys if k.key_hash == signer.key_hash.hex()), None)
        if mine is not None:
            return mine
        first_at = None
        if not keys:
            first = uow.ledger.checkpoints()
            first_at = first[0].created_at if first else None
        endorsement = None
        if endorse_with is not None:
            endorsement = endorse_with.sign(
                endorsement_text(signer.verifier_key, signer.name, size + 1)
            )
        start = size + 1 if keys else 0
        added = RegisteredKey(
            key_hash=signer.key_hash.hex(),
            verifier_key=signer.verifier_key,
            from_tree_size=start,
            until_tree_size=None,
            activated_at=first_at or now,
            retired_at=None,
            endorsement=endorsement,
        )
        uow.keyring.register(added, closing_at=size, now=now)
        # The leaf at `size` is the first the new key signs (its checkpoint is of size + 1).
        closed = [k.key_hash for k in keys if k.until_tree_size is None]
        record_objects(ctx, uow, SIGNING_KEY, [*closed, added.key_hash], "registered")
        uow.commit()
    return next(k for k in signing_keys(ctx) if k.key_hash == signer.key_hash.hex())


def verifiers_at(keys: Sequence[SigningKey], tree_size: int) -> list[Verifier]:
    """The trusted keys that may have signed the checkpoint of this tree size."""
    return [Verifier.parse(k.verifier_key) for k in keys if k.trusted and k.covers(tree_size)]


@dataclass(frozen=True)
class Rewrapped:
    data_keys: int
    already_current: int
    webhook_secrets: int


def rewrap(ctx: Context, *, batch: int = 500) -> Rewrapped:
    """Wraps every data key and seals every webhook secret (and erasure notice) under the
    current master key.

    Idempotent and resumable: each batch commits on its own, and keys already under the current
    master key are left alone, so a run after a crash (or after servers restarted with the new
    key) finishes the job.
    """
    current = ctx.keys.master.key_id
    done = already = 0
    after = ""
    while True:
        with ctx.uow() as uow:
            rows = uow.keyring.wrapped_keys_after(after, batch)
            if not rows:
                break
            for row in rows:
                if wrapped_key_id(row.wrapped) == current:
                    already += 1
                    continue
                data_key = unwrap_with_any(ctx.keys.masters, row.subject_id, row.wrapped)
                wrapped = wrap_data_key(ctx.keys.master, row.subject_id, data_key, ctx.rng)
                uow.keyring.set_wrapped(row.subject_id, wrapped)
                done += 1
            after = rows[-1].subject_id
            uow.commit()
    secrets = 0
    with ctx.uow() as uow:
        for secret in uow.keyring.webhook_secrets():
            hook_id, version = secret.webhook_id, secret.version
            plain = open_secret(ctx, secret.sealed, hook_id, version)
            resealed = seal_secret(ctx, plain, hook_id, version)
            uow.keyring.set_webhook_secret(SealedSecret(hook_id, version, resealed))
            secrets += 1
        reseal_erasure_notices(ctx, uow)  # the few an erasure keeps until delivered
        rewrap_canary(ctx, uow)  # the sample /readyz and every start unwrap
        rewrap_defence_keys(ctx, uow)  # the proofs erasures kept for legal defence
        uow.commit()
    return Rewrapped(done, already, secrets)


def wrapped_by_key(ctx: Context) -> dict[str, int]:
    """How many data keys are wrapped under each master key id."""
    counts: dict[str, int] = {}
    with ctx.uow(write=False) as uow:
        for wrapped in uow.keyring.all_wrapped():
            key_id = wrapped_key_id(wrapped)
            counts[key_id] = counts.get(key_id, 0) + 1
    return counts
