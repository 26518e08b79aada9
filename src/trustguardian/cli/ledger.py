"""`trustguardian ledger ...` and `trustguardian verify`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from trustguardian.cli.common import JSON, console, context, print_json, table
from trustguardian.service import tiles
from trustguardian.service.access import users
from trustguardian.service.events import batches, witnessing
from trustguardian.service.events import ledger as ledger_service
from trustguardian.service.ops import keyring
from trustguardian.service.verify.full import verify_ledger

ledger = typer.Typer(no_args_is_help=True)


@ledger.command("public-key")
def public_key(typer_ctx: typer.Context) -> None:
    """Print the C2SP note verifier key that signs checkpoints."""
    typer.echo(context(typer_ctx).keys.signer.verifier_key)


@ledger.command("checkpoint")
def checkpoint(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """Print the latest signed checkpoint."""
    ctx = context(typer_ctx)
    data = ledger_service.checkpoint_json(ctx, ledger_service.latest_checkpoint(ctx))
    if as_json:
        print_json(data)
    else:
        typer.echo(str(data["note"]), nl=False)


@ledger.command("proof")
def proof(
    typer_ctx: typer.Context,
    event_id: str,
    as_json: bool = JSON,
    form: str = typer.Option(
        "table",
        "--format",
        help="table, or tlog-proof (c2sp.org/tlog-proof, with the witnesses' cosignatures).",
    ),
) -> None:
    """Print an event's inclusion proof against the latest checkpoint."""
    if form not in ("table", "tlog-proof"):
        typer.echo(f"--format must be table or tlog-proof, not {form!r}.", err=True)
        raise typer.Exit(2)
    if form == "tlog-proof":
        typer.echo(witnessing.tlog_proof(context(typer_ctx), event_id=event_id), nl=False)
        return
    found = ledger_service.prove_inclusion(context(typer_ctx), event_id=event_id).as_json()
    if as_json:
        print_json(found)
    else:
        table(
            f"Inclusion proof of {event_id}", ["field", "value"], [(k, v) for k, v in found.items()]
        )


@ledger.command("publish")
def publish(
    typer_ctx: typer.Context,
    directory: Path = typer.Argument(..., help="Where to write the tiles (created if missing)."),
    as_json: bool = JSON,
) -> None:
    """Write the latest checkpoint, hash tiles and entry bundles (c2sp.org/tlog-tiles) under
    DIRECTORY, adding only what is new: any static file server can then serve the log."""
    done = tiles.publish(context(typer_ctx), directory=directory)
    if as_json:
        print_json(vars(done))
        return
    console.print(
        f"published tree size {done.tree_size} (before: {done.previous_size}) in {directory}: "
        f"{done.written} files written, {done.kept} full tiles already there",
        highlight=False,
    )


@ledger.command("seal")
def seal(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """Seal the checks answered and the access log, older than a minute, in ledger batches."""
    sealed = batches.seal_batches(context(typer_ctx))
    if as_json:
        print_json([vars(b) for b in sealed])
        return
    for b in sealed:
        console.print(f"sealed {b.count} {b.kind} rows ({b.first}..{b.last}) at ledger seq {b.seq}")
    if not sealed:
        console.print("nothing to seal")


@ledger.command("check-proof")
def check_proof(typer_ctx: typer.Context, check_id: str, as_json: bool = JSON) -> None:
    """Print a check's inclusion path to its batch's root, and that batch's to a checkpoint."""
    found = batches.prove_check(context(typer_ctx), check_id=check_id)
    if as_json:
        print_json(found)
    else:
        table(f"Proof of check {check_id}", ["field", "value"], [(k, v) for k, v in found.items()])


@ledger.command("consistency")
def consistency(
    typer_ctx: typer.Context,
    size1: int = typer.Option(..., "--from", help="The older tree size."),
    size2: int = typer.Option(..., "--to", help="The newer tree size."),
    as_json: bool = JSON,
) -> None:
    """Print the proof that the tree of size --to extends the tree of size --from."""
    found = ledger_service.prove_consistency(context(typer_ctx), size1=size1, size2=size2)
    if as_json:
        print_json(found)
    else:
        table("Consistency proof", ["field", "value"], [(k, v) for k, v in found.items()])


def verify(
    typer_ctx: typer.Context,
    evidence: bool = typer.Option(
        True, "--evidence/--no-evidence", help="Also open every sealed proof, datum and identifier."
    ),
    checkpoint: list[Path] = typer.Option(
        [], "--checkpoint", help="A signed checkpoint kept elsewhere: the log must still hold it."
    ),
    seal: bool = typer.Option(
        False, "--seal", help="First seal the checks and access log older than a minute."
    ),
    as_json: bool = JSON,
) -> None:
    """Verify the whole ledger from genesis: leaves, tree, checkpoints, consent and evidence."""
    ctx = context(typer_ctx)
    if seal:
        batches.seal_batches(ctx)
    witnessed = [path.read_text() for path in checkpoint]
    # First, where trust comes from: the keys pinned outside the database.
    pins = keyring.pinned_verifiers(ctx)
    if not as_json:
        for pin in pins:
            trusting = f"trusting {pin.verifier_key} ({pin.fingerprint}), pinned"
            console.print(trusting, highlight=False)
    columns = [
        TextColumn("verifying"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} events"),
        TimeRemainingColumn(),
    ]
    # Refreshed by verification itself, without Rich's refresh thread: in a process with no
    # other thread, verification may check consent in a second process (see verify_ledger).
    with Progress(
        *columns, console=console, transient=True, auto_refresh=False, disable=as_json
    ) as bar:
        task = bar.add_task("verify", total=None)
        report = verify_ledger(
            ctx,
            progress=lambda done, total: bar.update(
                task, completed=done, total=total, refresh=True
            ),
            evidence=evidence,
            witnessed=witnessed,
        )
    users.record_verification(
        ctx, tree_size=report.tree_size, problems=len(report.problems), by="cli"
    )
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "trusted_keys": [
                    {"key": pin.verifier_key, "fingerprint": pin.fingerprint} for pin in pins
                ],
                "tree_size": report.tree_size,
                "events": report.events,
                "registry_records": report.records,
                "registry_objects": report.registry_objects,
                "proofs": report.proofs,
                "nodes": report.nodes,
                "checkpoints": report.checkpoints,
                "cosignatures": report.cosignatures,
                "consent_states": report.consent_states,
                "notice_versions_cited": report.notices,
                "sealed_rows": report.sealed,
                "evidence_opened": report.evidence_opened if evidence else None,
                "evidence_erased": report.evidence_erased if evidence else None,
                "problems": [str(p) for p in report.problems],
            }
        )
        if not report.ok:
            raise typer.Exit(1)
        return
    summary = (
        f"{report.events} events, {report.records} registry records "
        f"({report.registry_objects} objects), {report.proofs} proofs, "
        f"{report.nodes} tree nodes, "
        f"{report.checkpoints} checkpoints ({report.cosignatures} witness cosignatures), "
        f"{report.consent_states} consent states, "
        f"{report.notices} notice versions cited, {report.sealed} checks and access-log rows "
        "in sealed batches"
    )
    if evidence:
        summary += (
            f", {report.evidence_opened} sealed values opened"
            f" ({report.evidence_erased} unreadable by erasure)"
        )
    if report.ok:
        console.print(f"[green]Ledger verified[/]: {summary}; tree size {report.tree_size}.")
        return
    console.print(
        f"[bold red]Ledger verification failed[/] ({len(report.problems)} problems): {summary}"
    )
    for problem in report.problems:
        console.print(f"  - {problem}", highlight=False)
    raise typer.Exit(1)
