from __future__ import annotations

from pathlib import Path

import pytest

from trustguardian.service.context import Context

from .helpers import setup_rights


@pytest.fixture
def rctx(ctx: Context, tmp_path: Path) -> Context:
    """A context (both backends) with the Right touchpoints registry and a private mail outbox."""
    ctx.settings = ctx.settings.model_copy(update={"outbox_dir": tmp_path / "outbox"})
    setup_rights(ctx)
    return ctx
