"""`trustguardian instance-keys ...` (the instance's own keys) and `trustguardian ledger keys`."""

from __future__ import annotations

import typer

from trustguardian.cli.common import JSON, console, context, print_json, settings_of, table
from trustguardian.cli.ledger import ledger
from trustguardian.service.ops import keyring
from trustguardian.service.ops.binding import bound_id, init_instance
from trustguardian.service.ops.instance import format_pinned
from trustguardian.service.ops.rotation import (
    finish_master_rotation,
    rotate_master_key,
    rotate_signing_key,
)

instance_keys = typer.Typer(no_args_is_help=True)


@instance_keys.command("init")
def init(typer_ctx: typer.Context) -> None:
    """Create a new instance: its key file (master and signing keys, instance id) and its
    database, migrated and bound to the keys. Refuses where an instance already exists."""
    settings = settings_of(typer_ctx)
    ctx = init_instance(settings)
    try:
        keyring.register_signing_key(ctx)
        record_id = bound_id(ctx) or "?"
        where = ctx.engine.url.render_as_string(hide_password=True)
    finally:
        ctx.engine.dispose()
    written = (
        f"keys in {settings.keys_file} (mode 0600: keep a copy apart from the backups)"
        if settings.keys_file.exists()
        else "keys from the environment"
    )
    console.print(f"Instance {record_id} created: database at {where}, {written}.", highlight=False)


@instance_keys.command("rotate-signing")
def rotate_signing(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """New signing key for new checkpoints; old checkpoints stay verifiable with the old key."""
    key = rotate_signing_key(context(typer_ctx))
    if as_json:
        print_json(key.as_json())
        return
    console.print(
        f"Signing key {key.key_hash} is current from tree size {key.from_tree_size}; "
        "running servers switch at their next append.",
        highlight=False,
    )
    typer.echo(key.verifier_key)


@instance_keys.command("rotate-master")
def rotate_master(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """New master key; every subject's data key and webhook secret is re-wrapped under it."""
    done = rotate_master_key(context(typer_ctx))
    if as_json:
        print_json(
            {
                "old_key_id": done.old_key_id,
                "new_key_id": done.new_key_id,
                "data_keys": done.rewrapped.data_keys,
                "webhook_secrets": done.rewrapped.webhook_secrets,
            }
        )
        return
    console.print(
        f"Master key {done.old_key_id} retired, {done.new_key_id} current: "
        f"{done.rewrapped.data_keys} data keys re-wrapped, "
        f"{done.rewrapped.webhook_secrets} webhook secrets re-sealed. Restart the servers, then "
        "run `trustguardian instance-keys rewrap` to forget the retired key.",
        highlight=False,
    )


@instance_keys.command("rewrap")
def rewrap(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """Re-wrap what is left under the current master key; forget retired keys no longer used."""
    done, dropped = finish_master_rotation(context(typer_ctx))
    if as_json:
        print_json(
            {
                "data_keys": done.data_keys,
                "already_current": done.already_current,
                "webhook_secrets": done.webhook_secrets,
                "forgotten": dropped,
            }
        )
        return
    console.print(
        f"{done.data_keys} data keys re-wrapped ({done.already_current} already current); "
        f"retired master keys forgotten: {', '.join(dropped) or 'none'}.",
        highlight=False,
    )


@instance_keys.command("status")
def status(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """Show the master keys' ids and how many data keys each one wraps (no secret is shown)."""
    ctx = context(typer_ctx)
    counts = keyring.wrapped_by_key(ctx)
    rows = [(ctx.keys.master.key_id, "current", counts.pop(ctx.keys.master.key_id, 0))]
    rows += [(k.key_id, "retired", counts.pop(k.key_id, 0)) for k in ctx.keys.retired_masters]
    rows += [(key_id, "missing!", n) for key_id, n in counts.items()]
    pinned = ctx.keys.pinned_blind_key is not None
    if as_json:
        print_json(
            {
                "master_keys": [
                    {"key_id": k, "status": st.rstrip("!"), "data_keys_wrapped": n}
                    for k, st, n in rows
                ],
                "blind_index_key": "pinned" if pinned else "derived",
            }
        )
        return
    table("Master keys", ["key id", "status", "data keys wrapped"], rows)
    console.print(f"Blind-index key: {'pinned' if pinned else 'derived from the master key'}.")


@instance_keys.command("pinned")
def pinned(typer_ctx: typer.Context) -> None:
    """Print the blind-index and link-token keys as environment lines (secret!), to pin them
    before rotating a master key kept in the environment."""
    ctx = context(typer_ctx)
    typer.echo(f"TRUSTGUARDIAN_BLIND_KEY={format_pinned(ctx.keys.blind_key)}")
    typer.echo(f"TRUSTGUARDIAN_TOKEN_KEY={format_pinned(ctx.keys.token_key)}")


@ledger.command("keys")
def ledger_keys(
    typer_ctx: typer.Context,
    as_json: bool = JSON,
) -> None:
    """Publish every signing key's public half with the tree sizes and times it was valid."""
    keys = keyring.signing_keys(context(typer_ctx))
    if as_json:
        print_json([k.as_json() for k in keys])
        return
    table(
        "Checkpoint signing keys",
        ["key hash", "tree sizes", "valid from", "retired", "trust", "verifier key"],
        [
            (
                k.key_hash,
                f"{k.from_tree_size}..{'' if k.until_tree_size is None else k.until_tree_size}",
                k.activated_at or "(not registered yet)",
                k.retired_at or "current",
                k.trust if k.trusted else f"UNTRUSTED: {k.trust}",
                k.verifier_key,
            )
            for k in keys
        ],
    )
