"""`trustguardian migrate` and `trustguardian serve`."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

import typer
import uvicorn

from trustguardian.api.protocols import HttpWithHeaderDeadline
from trustguardian.cli.common import console, context, settings_of
from trustguardian.domain.access import Scope
from trustguardian.service.access import api_keys as access
from trustguardian.service.demo.collect import seed_collect_demo
from trustguardian.service.demo.company import seed_demo
from trustguardian.service.events.witnessing import configured_witnesses
from trustguardian.service.ops.binding import init_instance, nothing_here
from trustguardian.service.ops.keyring import register_signing_key
from trustguardian.service.ops.production import check_secrets, configure_logging
from trustguardian.settings import Settings
from trustguardian.sync.dispatcher import Dispatcher
from trustguardian.sync.stamper import start_stamper
from trustguardian.sync.witnesses import WitnessSender

DEMO_KEY_NAME = "demo admin (serve --demo)"


def migrate(typer_ctx: typer.Context) -> None:
    """Apply database migrations (binding a database from before the binding to its keys)."""
    ctx = context(typer_ctx, migrated=False)
    register_signing_key(ctx)
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
    workers: int = typer.Option(
        1, "--workers", min=1, help="Worker processes (use PostgreSQL for more than one)."
    ),
    ssl_certfile: Path | None = typer.Option(None, help="TLS certificate (PEM): serve HTTPS."),
    ssl_keyfile: Path | None = typer.Option(None, help="TLS private key (PEM)."),
) -> None:
    """Start the HTTP API and web pages (migrating the database first)."""
    if demo:
        _demo_instance(settings_of(typer_ctx))
    ctx = context(typer_ctx, migrated=False)
    settings = ctx.settings
    configure_logging(settings)
    check_secrets(settings, ctx.keys)
    if workers > 1 and ctx.embedded:
        console.print(
            "SQLite has one writer: workers queue on it for events (checks are journalled). "
            "Prefer PostgreSQL for heavy writing."
        )
    register_signing_key(ctx)
    listen_host = host or settings.host
    listen_port = port or settings.port
    scheme = "https" if ssl_certfile else "http"
    if "public_base_url" not in settings.model_fields_set:
        # Links sent to people (confirmation, unsubscribe) point at this server unless told.
        settings.public_base_url = f"{scheme}://{listen_host}:{listen_port}"
    if demo:
        seeded = seed_demo(ctx)
        console.print("Demo company loaded." if seeded else "Demo company already present.")
        _, token = access.renew_named_key(ctx, name=DEMO_KEY_NAME, scopes=[Scope.ADMIN])
        console.print("Demo admin API key (use as `Authorization: Bearer <key>`):")
        console.print(token, style="bold", highlight=False, soft_wrap=True)
        settings.demo_form_key = seed_collect_demo(ctx)
        console.print(
            f"Demo web form (double opt-in): {settings.public_base_url}/collect/demo "
            f"(confirmation mails go to {settings.outbox_dir / 'mail'})"
        )
    console.print(
        f"Serving on {scheme}://{listen_host}:{listen_port} with {workers} worker(s) "
        "(API docs at /docs)"
    )
    _export_settings(settings)
    if workers > 1:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = _fresh_metrics_dir()
    console.print(
        f"Console at {scheme}://{listen_host}:{listen_port}/console"
        " (add a user: trustguardian users create NAME --role dpo)"
    )
    stop = threading.Event()
    if sync:
        dispatcher = Dispatcher(ctx)
        threading.Thread(
            target=dispatcher.run, args=(stop,), name="dispatcher", daemon=True
        ).start()
        console.print("Outbox dispatcher running.")
        if start_stamper(ctx, stop) is not None:
            console.print("Checkpoints time-stamped every TRUSTGUARDIAN_TSA_INTERVAL seconds.")
    witnesses = configured_witnesses(settings)
    if witnesses:
        sender = WitnessSender(ctx, witnesses=witnesses)
        threading.Thread(target=sender.run, args=(stop,), name="witnesses", daemon=True).start()
        console.print(f"Sending checkpoints to {len(witnesses)} witness(es).")
    try:
        # Every worker builds its own app through the factory (spawned processes share nothing).
        uvicorn.run(
            "trustguardian.asgi:create_production_app",
            factory=True,
            host=listen_host,
            port=listen_port,
            workers=workers,
            log_config=None,
            access_log=False,
            http=HttpWithHeaderDeadline,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
            ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
        )
    finally:
        stop.set()


def _demo_instance(settings: Settings) -> None:
    """`serve --demo` creates the instance where there is nothing yet (as `init` would)."""
    if settings.environment == "production":
        console.print("[red]--demo is refused in production mode.[/]")
        raise typer.Exit(2)
    if nothing_here(settings):
        init_instance(settings).engine.dispose()
        console.print(
            f"New instance created: keys in {settings.keys_file}, database at "
            f"{settings.database_url}.",
            highlight=False,
        )


def _export_settings(settings: Settings) -> None:
    """Passes flags given on the command line to the worker processes."""
    os.environ["TRUSTGUARDIAN_DATABASE_URL"] = settings.database_url
    os.environ["TRUSTGUARDIAN_KEYS_FILE"] = str(settings.keys_file.resolve())
    os.environ["TRUSTGUARDIAN_PUBLIC_BASE_URL"] = settings.public_base_url
    if settings.demo_form_key:
        os.environ["TRUSTGUARDIAN_DEMO_FORM_KEY"] = settings.demo_form_key


def _fresh_metrics_dir() -> str:
    # Multi-process metrics live in files shared by the workers; a stale run must not add up.
    path = Path(tempfile.gettempdir()) / f"trustguardian-metrics-{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return str(path)
