"""What every benchmark needs: a fresh database per backend and a context on it."""

from __future__ import annotations

import dataclasses
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from trustguardian.domain.common import FixedClock
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    ProofType,
    PurposeContent,
    TouchpointKind,
)
from trustguardian.service.context import Context
from trustguardian.service.ops.binding import init_instance, open_instance
from trustguardian.service.registry import notices, purposes, touchpoints
from trustguardian.service.registry.touchpoints import TouchpointDraft
from trustguardian.settings import Settings
from trustguardian.store.engine import make_engine
from trustguardian.store.migrate import upgrade

PG = os.environ.get(
    "TRUSTGUARDIAN_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MASTER = "tgmk1:" + "A" * 43


def database(backend: str, workdir: Path) -> tuple[str, Callable[[], None]]:
    """A fresh database; returns its URL and a cleanup callable."""
    if backend == "sqlite":
        return f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:6]}.db'}", lambda: None
    name = f"tg_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(PG), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return str(make_url(PG).set(database=name).render_as_string(hide_password=False)), drop


def context(url: str, workdir: Path, *, keys_file: Path | None = None, **extra: Any) -> Context:
    """A migrated context on a database, with a fixed test master key (the key file in
    `workdir` unless given)."""
    settings = Settings(
        database_url=url,
        keys_file=keys_file or workdir / "keys.json",
        master_key=MASTER,  # type: ignore[arg-type]
        **extra,
    )
    if not settings.keys_file.exists():
        return init_instance(settings)  # the workdir's first database: new keys, bound to it
    engine = make_engine(url)
    upgrade(engine)  # another database for the same key file: migrated, then bound by migrate
    engine.dispose()
    return open_instance(settings, migrate=True)


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(len(ordered) * share) - 1))]


def free_port() -> int:
    """A loopback port free now, for a server a bench starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def figure(figures: dict[str, object], name: str, value: object) -> None:
    """Keeps a figure for the JSON line and prints it as it comes."""
    figures[name] = value
    print(f"{name:48s} {value}", flush=True)


def web_form_registry(
    ctx: Context, *, notice_text: str, required_proofs: Sequence[ProofType] = ()
) -> None:
    """The registry the benches record and check against, dated 400 days back: the purpose
    "newsletter" on e-mail, the Italian notice "privacy" and the web form "web-form" collecting
    for it."""
    past = dataclasses.replace(ctx, clock=FixedClock(datetime.now(UTC) - timedelta(days=400)))
    content = PurposeContent(
        "Newsletter", "", LegalBasis.CONSENT, (Channel.EMAIL,), "Bench S.p.A.", 730, 730, True
    )
    purposes.create_purpose(past, key="newsletter", content=content)
    notices.create_notice(past, key="privacy", language="it", title="Informativa", text=notice_text)
    touchpoints.create_touchpoint(
        past,
        draft=TouchpointDraft(
            key="web-form",
            name="Web form",
            kind=TouchpointKind.COLLECT,
            channel=Channel.WEB_FORM,
            nature=Nature.DIGITAL,
            purposes=["newsletter"],
            notice_key="privacy",
            required_proofs=required_proofs,
        ),
    )
