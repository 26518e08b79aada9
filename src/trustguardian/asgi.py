"""The composition root: the one ASGI app that serves the HTTP API and the web pages.

`create_app` builds it for a context (nothing is created at import time); uvicorn calls
`create_production_app` in every worker process (`--factory`), so that each process gets its own
settings, engine, pool and keys.
"""

from __future__ import annotations

from fastapi import FastAPI

from trustguardian import __version__
from trustguardian.api.app import (
    DESCRIPTION,
    install_api,
    install_body_timeout,
    install_fast_checks,
    install_size_limits,
    size_limits,
)
from trustguardian.api.docs_pages import install_docs
from trustguardian.api.ops import install_operations, rate_limits
from trustguardian.problems import install_error_handlers
from trustguardian.service.context import Context
from trustguardian.service.engage.checks import open_check_log
from trustguardian.service.ops import metrics
from trustguardian.service.ops.binding import open_instance
from trustguardian.service.ops.production import check_secrets, configure_logging
from trustguardian.settings import Settings
from trustguardian.web.confirm import install_confirm_pages
from trustguardian.web.operator import install_operator_pages
from trustguardian.web.pages import install_pages


def create_app(ctx: Context, *, fast_checks: bool = True) -> FastAPI:
    """Builds the app for a context.

    Without `fast_checks` every contact check goes through its FastAPI route: the answers are
    the same (the tests compare them), only slower.
    """
    app = FastAPI(
        title="Trust Guardian",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # served by api.docs_pages from our own assets
        redoc_url=None,
    )
    app.state.context = ctx
    # First: the console's handlers answer its own errors and hand the rest to these.
    install_error_handlers(app)
    install_api(app)
    install_pages(app)
    install_confirm_pages(app)
    install_operator_pages(app)
    rates, sizes = rate_limits(ctx), size_limits(ctx)
    install_size_limits(app, ctx, sizes)
    install_body_timeout(app, ctx)
    install_docs(app)
    install_operations(app, rates)
    if fast_checks:
        # Outermost: a check pays one layer, which keeps the rules of the others through theirs.
        install_fast_checks(app, ctx, rates, sizes)
    return app


def create_production_app() -> FastAPI:
    """Builds the app from `TRUSTGUARDIAN_*` settings for this process."""
    settings = Settings()
    configure_logging(settings)
    # Each worker checks the keys are the database's, as `serve` did before starting it.
    ctx = open_instance(settings)
    open_check_log(ctx)
    check_secrets(settings, ctx.keys)
    app = create_app(ctx)
    metrics.start_flushing()
    if ctx.check_log is not None:
        # Drained as the server stops: uvicorn ends on the signal it caught, with no exit hooks.
        app.router.on_shutdown.append(ctx.check_log.close)
    return app
