"""`trustguardian migrate` and `trustguardian serve`."""

from __future__ import annotations

import threading

import typer
import uvicorn

from trustguardian.cli.common import console, context
from trustguardian.domain.access import Scope
from trustguardian.service import access
from trustguardian.service.demo import seed_demo
from trustguardian.store.migrate import upgrade
from trustguardian.sync.dispatcher import Dispatcher

DEMO_KEY_NAME = "demo admin (serve --demo)"


def migrate(typer_ctx: typer.Context) -> None:
    """Apply database migrations."""
    ctx = context(typer_ctx)
    upgrade(ctx.engine)
    console.print(
        f"Database at {ctx.engine.url.render_as_string(hide_password=True)} is up to date."
    )


def serve(
    typer_ctx: typer.Context,
    host: str | None = typer.Option(None, help="Address to listen on (default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default 8000)."),
    demo: bool = typer.Option(False, "--demo", help="Fill an empty database with a demo company."),
    sync: bool = typer.Option(
        False, "--sync", help="Also run the outbox dispatcher in this process."
    ),
) -> None:
    """Start the HTTP API and web pages (migrating the database first)."""
    from trustguardian.api.app import create_app

    ctx = context(typer_ctx)
    upgrade(ctx.engine)
    if demo:
        seeded = seed_demo(ctx)
        console.print("Demo company loaded." if seeded else "Demo company already present.")
        _, token = access.renew_named_key(ctx, name=DEMO_KEY_NAME, scopes=[Scope.ADMIN])
        console.print("Demo admin API key (use as `Authorization: Bearer <key>`):")
        console.print(token, style="bold", highlight=False, soft_wrap=True)
    listen_host = host or ctx.settings.host
    listen_port = port or ctx.settings.port
    console.print(f"Serving on http://{listen_host}:{listen_port}  (API docs at /docs)")
    console.print(
        f"Console at http://{listen_host}:{listen_port}/console"
        " (add a user: trustguardian users create NAME --role dpo)"
    )
    stop = threading.Event()
    if sync:
        dispatcher = Dispatcher(ctx)
        threading.Thread(
            target=dispatcher.run, args=(stop,), name="dispatcher", daemon=True
        ).start()
        console.print("Outbox dispatcher running.")
    try:
        uvicorn.run(create_app(ctx), host=listen_host, port=listen_port, log_level="info")
    finally:
        stop.set()
