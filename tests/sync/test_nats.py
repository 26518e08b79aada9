"""Events reach NATS JetStream once each, in ledger order, without personal data.

Each test uses its own stream and subject prefix on the local server and deletes the stream at
the end. Publishing the same events twice (the broker's position reset by `replay`) leaves one
message per event id: JetStream drops a repeated `Nats-Msg-Id`.
"""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nats
import orjson
import pytest
from tests.conftest import TEST_MASTER_KEY
from tests.factories.events import ledger_size, make_draft, record
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import events_for
from typer.testing import CliRunner

from trustguardian.cli.app import app
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.sync.status import replay, sync_status
from trustguardian.sync.broker import BrokerPublisher
from trustguardian.sync.dispatcher import Dispatcher

NATS_URL = "nats://127.0.0.1:4222"


@pytest.fixture
def stream() -> Iterator[dict[str, str]]:
    """A stream name and subject prefix of this test's own; the stream is deleted at the end."""
    tag = uuid.uuid4().hex[:10]
    names = {"nats_stream": f"TG{tag}", "nats_subject_prefix": f"tgtest{tag}.events"}
    yield names
    asyncio.run(_delete(names["nats_stream"]))


async def _delete(name: str) -> None:
    connection = await nats.connect(NATS_URL, connect_timeout=5)
    try:
        await connection.jetstream().delete_stream(name)
    except nats.js.errors.NotFoundError:
        pass
    finally:
        await connection.close()


async def _read(name: str) -> list[tuple[int, str, dict[str, str], dict[str, Any], bytes]]:
    """Every message of the stream: (stream seq, subject, headers, payload, raw)."""
    connection = await nats.connect(NATS_URL, connect_timeout=5)
    try:
        js = connection.jetstream()
        info = await js.stream_info(name)
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            msg = await js.get_msg(name, seq)
            found.append(
                (msg.seq, msg.subject, dict(msg.headers or {}), orjson.loads(msg.data), msg.data)
            )
        return found
    finally:
        await connection.close()


def read(name: str) -> list[tuple[int, str, dict[str, str], dict[str, Any], bytes]]:
    return asyncio.run(_read(name))


def publish_all(publisher: BrokerPublisher) -> int:
    total = 0
    for _ in range(20):
        done = publisher.run_once()
        if not done:
            return total
        total += done
    raise AssertionError("the publisher never ran dry")


def test_events_reach_jetstream_once_each_in_order_without_personal_data(
    backend: str, make_sync_ctx: MakeSyncCtx, stream: dict[str, str]
) -> None:
    ctx = make_sync_ctx(backend, nats_url=NATS_URL, sync_batch=10, **stream)  # 50 a run_once
    phone = normalise(IdentifierKind.PHONE, "+39 333 123 4567")
    events = events_for(ctx, subjects=20, total=120, batches=3)
    events += record(ctx, make_draft(identifiers=(phone,)))
    publisher = BrokerPublisher(ctx, owner="publisher")
    assert publish_all(publisher) == len(events)
    [status] = [s for s in sync_status(ctx) if s.destination == "nats"]
    assert status.taken_up_to == status.ledger_size == ledger_size(ctx)

    # The position goes back to the start: everything is published again, and dropped.
    assert replay(ctx, from_seq=0, destination="nats") == 0
    [status] = [s for s in sync_status(ctx) if s.destination == "nats"]
    assert status.taken_up_to == 0
    assert publish_all(publisher) == len(events)

    messages = read(stream["nats_stream"])
    ordered = sorted(events, key=lambda e: e.seq)
    assert [m[2].get("Nats-Msg-Id") for m in messages] == [e.id for e in ordered]
    assert [m[3]["event_id"] for m in messages] == [e.id for e in ordered]
    assert [m[3]["seq"] for m in messages] == [e.seq for e in ordered]
    for (_, subject, _, payload, raw), event in zip(messages, ordered, strict=True):
        assert subject == f"{stream['nats_subject_prefix']}.{event.kind}"
        assert payload["subject_id"] == event.subject_id
        assert payload["kind"] == str(event.kind)
        assert b"@" not in raw
        assert b"example.com" not in raw
        assert b"3331234567" not in raw
        assert "identifiers" not in payload


def test_a_restarted_sync_run_keeps_publishing(
    make_sync_ctx: MakeSyncCtx, stream: dict[str, str], tmp_path: Path
) -> None:
    """`trustguardian sync run --once` twice (a cron job, or a restart after SIGTERM): the second
    run publishes the events recorded since the first. The first gave its leases back on exit."""
    ctx = make_sync_ctx("sqlite", nats_url=NATS_URL, **stream)
    env = cli_env(ctx, stream)
    first = events_for(ctx, subjects=3, total=5)
    handlers = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    try:
        result = CliRunner().invoke(app, ["sync", "run", "--once"], env=env)
        assert result.exit_code == 0, result.output
        assert "published 5" in result.output
        later = events_for(ctx, subjects=3, total=4, seed=5)
        result = CliRunner().invoke(app, ["sync", "run", "--once"], env=env)
        assert result.exit_code == 0, result.output
    finally:
        signal.signal(signal.SIGTERM, handlers[0])
        signal.signal(signal.SIGINT, handlers[1])
    published = [m[2].get("Nats-Msg-Id") for m in read(stream["nats_stream"])]
    assert published[:5] == [e.id for e in first]
    assert published[5:] == [e.id for e in later], (
        f"the second `sync run --once` published {len(published) - 5} of 4 new events "
        f"(output: {result.output.strip()!r}): the first run's NATS lease was not released"
    )


def test_release_gives_back_the_broker_lease_too(
    make_sync_ctx: MakeSyncCtx, stream: dict[str, str]
) -> None:
    """What `sync run` does on SIGTERM: one owner for the dispatcher and the publisher, then
    `Dispatcher.release()`. A fresh owner must be able to publish at once."""
    ctx = make_sync_ctx("sqlite", nats_url=NATS_URL, **stream)
    events_for(ctx, subjects=2, total=2)
    old = Dispatcher(ctx, owner="old")
    assert BrokerPublisher(ctx, owner=old.owner).run_once() == 2
    old.release()
    old.client.close()
    events_for(ctx, subjects=2, total=3, seed=3)
    published = BrokerPublisher(ctx, owner="fresh").run_once()
    assert published == 3, "the old owner still holds the NATS lease after release()"


def cli_env(ctx: Context, names: dict[str, str]) -> dict[str, str]:
    return {
        "TRUSTGUARDIAN_DATABASE_URL": ctx.settings.database_url,
        "TRUSTGUARDIAN_KEYS_FILE": str(ctx.settings.keys_file),
        "TRUSTGUARDIAN_MASTER_KEY": TEST_MASTER_KEY,
        "TRUSTGUARDIAN_NATS_URL": NATS_URL,
        "TRUSTGUARDIAN_NATS_STREAM": names["nats_stream"],
        "TRUSTGUARDIAN_NATS_SUBJECT_PREFIX": names["nats_subject_prefix"],
    }
