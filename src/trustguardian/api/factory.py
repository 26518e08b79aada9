"""The app factory uvicorn calls in every worker process (`--factory`): nothing is built at
import time, and each process gets its own settings, engine, pool and keys."""

from __future__ import annotations

from fastapi import FastAPI

from trustguardian.api.app import create_app
from trustguardian.service.engage.checks import open_check_log
from trustguardian.service.ops.binding import open_instance
from trustguardian.service.ops.production import check_secrets, configure_logging
from trustguardian.settings import Settings


def create_production_app() -> FastAPI:
    """Builds the app from `TRUSTGUARDIAN_*` settings for this process."""
    settings = Settings()
    configure_logging(settings)
    # Each worker checks the keys are the database's, as `serve` did before starting it.
    ctx = open_instance(settings)
    open_check_log(ctx)
    check_secrets(settings, ctx.keys)
    app = create_app(ctx)
    if ctx.check_log is not None:
        # Drained as the server stops: uvicorn ends on the signal it caught, with no exit hooks.
        app.router.on_shutdown.append(ctx.check_log.close)
    return app
