"""The app factory uvicorn calls in every worker process (`--factory`): nothing is built at
import time, and each process gets its own settings, engine, pool and keys."""

from __future__ import annotations

from fastapi import FastAPI

from trustguardian.api.app import create_app
from trustguardian.service.context import build_context
from trustguardian.service.production import check_secrets, configure_logging
from trustguardian.settings import Settings


def create_production_app() -> FastAPI:
    """Builds the app from `TRUSTGUARDIAN_*` settings for this process."""
    settings = Settings()
    configure_logging(settings)
    ctx = build_context(settings)
    check_secrets(settings, ctx.keys)
    return create_app(ctx)
