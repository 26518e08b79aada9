"""Logs to publish as tiles: grown through the real service, served by a real static server, and
forked as an operator with the instance key could fork them (a split view)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from tests.conftest import bound_context, make_settings
from tests.factories.events import email, ledger_size, make_draft, record, setup_registry
from tests.factories.tamper import re_sign_every_checkpoint, rebuild_tree, rewrite_event

from trustguardian.service.context import Context


def grow(ctx: Context, count: int, *, tag: str = "") -> int:
    """Records `count` consents of distinct people (in batches); returns the ledger size."""
    done = 0
    while done < count:
        batch = min(100, count - done)
        drafts = [
            make_draft(identifiers=(email(f"p{tag}{done + i}@example.com"),)) for i in range(batch)
        ]
        record(ctx, *drafts)
        done += batch
    return ledger_size(ctx)


def new_log(ctx: Context, count: int) -> int:
    """The registry and `count` events; returns the ledger size."""
    setup_registry(ctx)
    return grow(ctx, count)


@contextmanager
def static_server(directory: Path) -> Iterator[str]:
    """`python -m http.server` serving `directory` on loopback; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"],
        cwd=directory,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N (http://...) ..."
        port = int(line.split(" port ")[1].split()[0])
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def fork(ctx: Context, request: pytest.FixtureRequest, tmp_path: Path) -> Context:
    """A second database made from a copy of this one (file copy; CREATE DATABASE ...
    TEMPLATE), bound to the same instance keys."""
    url = make_url(ctx.settings.database_url)
    ctx.engine.dispose()  # a template database must have no other session
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        copy = tmp_path / f"fork-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(url.database, copy)
        forked = f"sqlite:///{copy}"
    else:
        name = f"tg_fork_{uuid.uuid4().hex[:12]}"
        admin: Engine = request.getfixturevalue("pg_admin")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        request.addfinalizer(drop)
        forked = url.set(database=name).render_as_string(hide_password=False)
    other = bound_context(make_settings(forked, tmp_path))
    request.addfinalizer(other.engine.dispose)
    return other


def split_view(ctx: Context, seq: int) -> None:
    """Event `seq` rewritten (a consent turned into a withdrawal), the tree rebuilt, and every
    checkpoint signed again with the instance's own key: only what was seen before tells."""
    rewrite_event(ctx, seq, kind="consent.withdrawn")
    rebuild_tree(ctx)
    re_sign_every_checkpoint(ctx, ctx.keys.signer)


def event_seq(ctx: Context, after: int) -> int:
    """The first event's leaf index at or after `after` (registry records are not events)."""
    with ctx.engine.connect() as conn:
        found = conn.execute(
            text("SELECT min(seq) FROM events WHERE seq >= :after"), {"after": after}
        ).scalar_one()
    return int(found)
