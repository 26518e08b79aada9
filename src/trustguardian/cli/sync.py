"""`trustguardian systems|webhooks|sync ...`."""

from __future__ import annotations

import math
import signal
import threading
import time
from types import FrameType

import typer

from trustguardian.cli import sync_admin
from trustguardian.cli.common import JSON, console, context, print_json, rows_out
from trustguardian.domain.events import EventKind
from trustguardian.domain.sync import SystemKind
from trustguardian.service.context import Context
from trustguardian.service.events.batches import seal_batches
from trustguardian.service.ops.stamping import stamp_due
from trustguardian.service.sync import status as sync_status
from trustguardian.service.sync import systems
from trustguardian.sync.broker import BrokerPublisher
from trustguardian.sync.dispatcher import Dispatcher, Pass
from trustguardian.sync.stamper import start_stamper

systems_app = typer.Typer(no_args_is_help=True)
webhooks_app = typer.Typer(no_args_is_help=True)
sync_app = typer.Typer(no_args_is_help=True)
sync_app.add_typer(
    sync_admin.dead_letters_app,
    name="dead-letters",
    help="Deliveries that ran out of attempts: list, retry, discard.",
)
webhooks_app.command("disable")(sync_admin.disable)
webhooks_app.command("enable")(sync_admin.enable)
webhooks_app.command("delete")(sync_admin.delete)


@systems_app.command("add")
def add_system(
    typer_ctx: typer.Context,
    key: str,
    name: str = typer.Option(..., help="Human name."),
    kind: SystemKind = typer.Option(SystemKind.OTHER, help="crm, esp, ecommerce, ..."),
    identifier: list[str] = typer.Option(
        ["email"], "--identifier", help="An identifier kind it receives."
    ),
    map_: list[str] = typer.Option(
        [],
        "--map",
        help="PURPOSE:CHANNEL=TARGET, our purpose and channel to its list or field (repeat).",
    ),
) -> None:
    """Register a company system to keep in sync."""
    mapping: dict[str, dict[str, str]] = {}
    for item in map_:
        left, _, target = item.partition("=")
        purpose, _, channel = left.partition(":")
        if not (purpose and channel and target):
            raise typer.BadParameter(f"{item!r} is not PURPOSE:CHANNEL=TARGET", param_hint="--map")
        mapping.setdefault(purpose, {})[channel] = target
    systems.create_system(
        context(typer_ctx),
        key=key,
        name=name,
        kind=kind,
        identifier_kinds=identifier,
        mapping=mapping,
    )
    console.print(f"Registered system [bold]{key}[/].")


@systems_app.command("list")
def list_systems(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """List company systems."""
    rows = systems.list_systems(context(typer_ctx))
    rows_out(
        as_json,
        "Systems",
        ["key", "name", "kind", "identifiers", "mapping"],
        [(s.key, s.name, s.kind, s.identifier_kinds, s.mapping) for s in rows],
    )


@webhooks_app.command("add")
def add_webhook(
    typer_ctx: typer.Context,
    system: str = typer.Option(..., help="The system that owns the endpoint."),
    url: str = typer.Option(..., help="Where to POST events."),
    kind: list[EventKind] = typer.Option([], "--kind", help="Only these event kinds (repeat)."),
    purpose: list[str] = typer.Option([], "--purpose", help="Only these purposes (repeat)."),
    from_start: bool = typer.Option(
        False, "--from-start", help="Send the whole history first (default: from now on)."
    ),
    as_json: bool = JSON,
) -> None:
    """Subscribe a system's URL (events from now on); prints the signing secret once."""
    hook, secret = systems.create_webhook(
        context(typer_ctx),
        system_key=system,
        url=url,
        event_kinds=[str(k) for k in kind],
        purposes=purpose,
        from_start=from_start,
    )
    if as_json:
        print_json({"id": hook.id, "secret": secret})
        return
    console.print(f"Webhook [bold]{hook.id}[/] created. Its signing secret, shown only now:")
    typer.echo(secret)


@webhooks_app.command("list")
def list_webhooks(
    typer_ctx: typer.Context,
    deleted: bool = typer.Option(False, "--deleted", help="Deleted webhooks too."),
    as_json: bool = JSON,
) -> None:
    """List webhooks."""
    rows = systems.list_webhooks(context(typer_ctx), deleted=deleted)
    rows_out(
        as_json,
        "Webhooks",
        ["id", "system", "url", "kinds", "purposes", "status"],
        [(h.id, h.system_key, h.url, h.event_kinds, h.purposes, h.status) for h in rows],
    )


@webhooks_app.command("rotate-secret")
def rotate(typer_ctx: typer.Context, hook_id: str, as_json: bool = JSON) -> None:
    """Issue a new signing secret; the old one keeps signing during the grace period."""
    secret = systems.rotate_secret(context(typer_ctx), hook_id=hook_id)
    if as_json:
        print_json({"id": hook_id, "secret": secret})
        return
    console.print("New signing secret, shown only now:")
    typer.echo(secret)


@sync_app.command("run")
def run(
    typer_ctx: typer.Context,
    once: bool = typer.Option(
        False, "--once", help="Deliver everything pending now (all of it), then exit."
    ),
    interval: float = typer.Option(1.0, help="Seconds to wait when there is nothing to do."),
    seal_every: float = typer.Option(
        60.0, help="Seconds between sealing passes of the checks and access log (0: never)."
    ),
) -> None:
    """Deliver outbox events to webhooks (and to NATS when configured) until stopped; seal the
    checks answered and the access log in ledger batches on the way, and time-stamp the latest
    checkpoint on the TRUSTGUARDIAN_TSA_INTERVAL schedule when a TSA is configured."""
    ctx = context(typer_ctx)
    dispatcher = Dispatcher(ctx)
    broker = BrokerPublisher(ctx, owner=dispatcher.owner) if ctx.settings.nats_url else None
    if once:
        try:
            if seal_every > 0:
                _seal(ctx)
            stamped = stamp_due(ctx)
            if stamped.outcome in ("stamped", "failed"):
                console.print(_stamp_line(stamped.outcome, stamped.tree_size, stamped.error))
            done = dispatcher.drain()
            published = 0
            while broker is not None and (batch := broker.run_once()):
                published += batch
        finally:
            dispatcher.close()
        _report(done, published)
        return
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    start_stamper(ctx, stop)
    sealed_at = -math.inf
    try:
        while not stop.is_set():
            if seal_every > 0 and time.monotonic() - sealed_at >= seal_every:
                sealed_at = time.monotonic()
                _seal(ctx)
            done = dispatcher.run_once()
            published = broker.run_once() if broker else 0
            if done.enqueued or done.delivered or done.failed or published:
                _report(done, published)
            else:
                stop.wait(interval)
    finally:
        dispatcher.close()


def _stamp_line(outcome: str, tree_size: int | None, error: str | None) -> str:
    if outcome == "stamped":
        return f"checkpoint {tree_size} time-stamped"
    return f"time-stamping checkpoint {tree_size} failed, retried later: {error}"


def _seal(ctx: Context) -> None:
    for sealed in seal_batches(ctx):
        console.print(
            f"sealed {sealed.count} {sealed.kind} rows at ledger seq {sealed.seq}", highlight=False
        )


def _report(done: Pass, published: int) -> None:
    console.print(
        f"enqueued {done.enqueued}, delivered {done.delivered}, failed {done.failed}, "
        f"dead {done.dead}, published {published}",
        highlight=False,
    )


@sync_app.command("replay")
def replay(
    typer_ctx: typer.Context,
    from_seq: int = typer.Option(..., "--from", min=0, help="Resend from this sequence number."),
    destination: str | None = typer.Option(
        None, help="Only this destination (webhook:ID or nats)."
    ),
    as_json: bool = JSON,
) -> None:
    """Send again every delivery from a sequence number on."""
    count = sync_status.replay(context(typer_ctx), from_seq=from_seq, destination=destination)
    if as_json:
        print_json({"deliveries": count})
        return
    console.print(f"{count} deliveries will be sent again.")


@sync_app.command("status")
def status(typer_ctx: typer.Context, as_json: bool = JSON) -> None:
    """Per destination: how far it has taken the outbox, and its deliveries by status."""
    rows = sync_status.sync_status(context(typer_ctx))
    rows_out(
        as_json,
        "Sync status",
        ["destination", "system", "taken up to", "ledger size", "deliveries"],
        [(d.destination, d.system, d.taken_up_to, d.ledger_size, d.counts) for d in rows],
    )


@sync_app.command("reconcile")
def reconcile(
    typer_ctx: typer.Context, limit: int = typer.Option(100, min=1), as_json: bool = JSON
) -> None:
    """List the subjects whose state in a system is behind ours, oldest first."""
    rows = sync_status.reconciliation(context(typer_ctx), limit=limit)
    rows_out(
        as_json,
        "Behind",
        ["system", "subject", "waiting events", "since", "last error"],
        [(b.system or b.destination, b.subject_id, b.waiting, b.since, b.last_error) for b in rows],
    )
