"""Rotating the instance's keys kept in the key file (environment keys are rotated by hand)."""

from __future__ import annotations

from dataclasses import dataclass

from trustguardian.domain.errors import Conflict
from trustguardian.ledger import Signer
from trustguardian.service.context import Context
from trustguardian.service.ops.instance import (
    format_pinned,
    load_instance_keys,
    read_key_file,
    write_key_file,
)
from trustguardian.service.ops.keyring import (
    Rewrapped,
    SigningKey,
    register_signing_key,
    rewrap,
    wrapped_by_key,
)
from trustguardian.vault import SYSTEM_RANDOM, MasterKey


class KeysFromEnvironment(Conflict):
    code = "keys-from-environment"
    title = "The key comes from the environment"


@dataclass(frozen=True)
class MasterRotation:
    old_key_id: str
    new_key_id: str
    rewrapped: Rewrapped


def rotate_signing_key(ctx: Context) -> SigningKey:
    """Makes a new signing key current; the old one's public half stays published."""
    if ctx.settings.signing_key is not None:
        raise KeysFromEnvironment(
            "the signing key comes from TRUSTGUARDIAN_SIGNING_KEY: set a new one there and "
            "restart (it is registered at start, valid from the next tree size)"
        )
    old = ctx.keys.signer
    register_signing_key(ctx)  # a ledger older than the register gets its first key recorded
    new = Signer.generate(old.name)
    stored = read_key_file(ctx.settings.keys_file)
    stored["signing_key"] = new.signer_key
    retired = list(stored.get("retired_verifier_keys", []))
    stored["retired_verifier_keys"] = [*retired, old.verifier_key]
    write_key_file(ctx.settings.keys_file, stored)
    ctx.keys = load_instance_keys(ctx.settings)
    return register_signing_key(ctx, endorse_with=old)


def rotate_master_key(ctx: Context) -> MasterRotation:
    """Makes a new master key current and re-wraps every data key under it.

    The blind-index and link-token keys are pinned first (derived from the old master key if
    they were not pinned yet), so lookups by identifier and links already sent keep working.
    The old master key stays in the file as retired (it only unwraps) until
    `finish_master_rotation` finds nothing wrapped under it: a server started before the
    rotation may still wrap a new subject's key under it until it is restarted.
    """
    if ctx.settings.master_key is not None:
        raise KeysFromEnvironment(
            "the master key comes from TRUSTGUARDIAN_MASTER_KEY: set the new key there, the "
            "old one in TRUSTGUARDIAN_RETIRED_MASTER_KEYS, pin TRUSTGUARDIAN_BLIND_KEY and "
            "TRUSTGUARDIAN_TOKEN_KEY (`instance-keys pinned`), restart, then run "
            "`trustguardian instance-keys rewrap`"
        )
    old = ctx.keys
    new = MasterKey.generate(SYSTEM_RANDOM)
    stored = read_key_file(ctx.settings.keys_file)
    stored.setdefault("blind_key", format_pinned(old.blind_key))
    stored.setdefault("token_key", format_pinned(old.token_key))
    stored["master_key"] = new.format()
    retired = [k for k in stored.get("retired_master_keys", []) if k != old.master.format()]
    stored["retired_master_keys"] = [old.master.format(), *retired]
    write_key_file(ctx.settings.keys_file, stored)
    ctx.keys = load_instance_keys(ctx.settings)
    return MasterRotation(old.master.key_id, new.key_id, rewrap(ctx))


def finish_master_rotation(ctx: Context) -> tuple[Rewrapped, list[str]]:
    """Re-wraps what is left, then forgets retired master keys nothing is wrapped under.

    Returns what was re-wrapped and the ids of the master keys forgotten.
    """
    done = rewrap(ctx)
    still_used = set(wrapped_by_key(ctx))
    keep = [k for k in ctx.keys.retired_masters if k.key_id in still_used]
    dropped = [k.key_id for k in ctx.keys.retired_masters if k.key_id not in still_used]
    if ctx.settings.retired_master_keys is None and dropped:
        stored = read_key_file(ctx.settings.keys_file)
        stored["retired_master_keys"] = [k.format() for k in keep]
        write_key_file(ctx.settings.keys_file, stored)
        ctx.keys = load_instance_keys(ctx.settings)
    return done, dropped
