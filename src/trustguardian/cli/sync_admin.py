"""`trustguardian webhooks disable|enable|delete` and `trustguardian sync dead-letters ...`."""

from __future__ import annotations

import typer

from trustguardian.cli.common import JSON, console, context, print_json, rows_out
from trustguardian.service.sync import webhooks as admin

dead_letters_app = typer.Typer(no_args_is_help=True)

WEBHOOK = typer.Option(None, "--webhook", help="Only this webhook's dead letters.")
SYSTEM = typer.Option(None, "--system", help="Only the dead letters of this system's webhooks.")
CLI = "cli"  # who the ledger records as moving dead letters from the command line
SEQ = typer.Option([], "--seq", min=0, help="Only this event's (ledger sequence number; repeat).")


def disable(typer_ctx: typer.Context, hook_id: str) -> None:
    """Stop deliveries to a webhook (it resumes from where it stopped when enabled)."""
    admin.disable_webhook(context(typer_ctx), hook_id=hook_id)
    console.print(f"Webhook {hook_id} disabled.")


def enable(typer_ctx: typer.Context, hook_id: str) -> None:
    """Resume deliveries to a disabled webhook from where it stopped."""
    admin.enable_webhook(context(typer_ctx), hook_id=hook_id)
    console.print(f"Webhook {hook_id} enabled.")


def delete(typer_ctx: typer.Context, hook_id: str) -> None:
    """Delete a webhook for good: its secrets are destroyed and what it was owed discarded."""
    admin.delete_webhook(context(typer_ctx), hook_id=hook_id)
    console.print(f"Webhook {hook_id} deleted.")


@dead_letters_app.command("list")
def list_dead(
    typer_ctx: typer.Context,
    webhook: str | None = WEBHOOK,
    system: str | None = SYSTEM,
    limit: int = typer.Option(1000, min=1),
    as_json: bool = JSON,
) -> None:
    """List the deliveries that ran out of attempts, oldest event first."""
    rows = admin.list_dead_letters(context(typer_ctx), hook_id=webhook, system=system, limit=limit)
    rows_out(
        as_json,
        "Dead letters",
        ["webhook", "system", "seq", "event", "kind", "subject", "attempts", "last error", "at"],
        [
            (
                v.webhook_id,
                v.system,
                v.letter.delivery.seq,
                v.letter.event_id,
                v.letter.kind,
                v.letter.delivery.subject_id,
                v.letter.delivery.attempts,
                v.letter.delivery.last_error,
                v.letter.updated_at,
            )
            for v in rows
        ],
    )


@dead_letters_app.command("retry")
def retry(
    typer_ctx: typer.Context,
    webhook: str | None = WEBHOOK,
    system: str | None = SYSTEM,
    seq: list[int] = SEQ,
    as_json: bool = JSON,
) -> None:
    """Send dead letters again, with a fresh count of attempts (all of them unless filtered)."""
    count = admin.retry_dead_letters(
        context(typer_ctx), hook_id=webhook, system=system, seqs=seq or None, actor=CLI
    )
    _say(as_json, "retried", count, f"{count} dead letters will be sent again.")


@dead_letters_app.command("discard")
def discard(
    typer_ctx: typer.Context,
    webhook: str | None = WEBHOOK,
    system: str | None = SYSTEM,
    seq: list[int] = SEQ,
    as_json: bool = JSON,
) -> None:
    """Give dead letters up on purpose (all of them unless filtered)."""
    count = admin.discard_dead_letters(
        context(typer_ctx), hook_id=webhook, system=system, seqs=seq or None, actor=CLI
    )
    _say(as_json, "discarded", count, f"{count} dead letters discarded.")


def _say(as_json: bool, what: str, count: int, sentence: str) -> None:
    if as_json:
        print_json({what: count})
    else:
        console.print(sentence)
