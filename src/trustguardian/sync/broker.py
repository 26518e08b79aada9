"""Publishes every event to NATS JetStream: one subject per event kind, the event id as message id.

JetStream drops a message whose `Nats-Msg-Id` it has already stored (within the stream's
duplicate window), so a publish repeated after a crash reaches consumers once. The position only
moves past messages the server acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import nats
import orjson
from nats.js.api import StreamConfig
from nats.js.errors import BadRequestError

from trustguardian.domain.sync import BROKER_DESTINATION as DESTINATION
from trustguardian.service.context import Context
from trustguardian.sync.payloads import broker_payload, states_now


class BrokerPublisher:
    """Publishes outbox events to JetStream in ledger order."""

    def __init__(self, ctx: Context, *, owner: str) -> None:
        if not ctx.settings.nats_url:
            raise ValueError("set TRUSTGUARDIAN_NATS_URL to publish to NATS")
        self.url: str = ctx.settings.nats_url
        self.ctx = ctx
        self.owner = owner

    def run_once(self) -> int:
        """Publishes the next batch; returns how many messages the server acknowledged."""
        return asyncio.run(self._publish())

    async def _publish(self) -> int:
        ctx = self.ctx
        now = ctx.clock.now()
        with ctx.uow() as uow:
            lease = timedelta(seconds=ctx.settings.sync_lease_seconds)
            position = uow.sync.take_lease(DESTINATION, self.owner, now, now + lease)
            uow.commit()
        if position is None:
            return 0
        with ctx.uow(write=False) as uow:
            rows = uow.sync.outbox_after(position, ctx.settings.sync_batch * 5)
            events = {e.id: e for e in uow.events.by_ids([r.event_id for r in rows])}
            states = states_now(uow, list(events.values()), now)
        if not rows:
            return 0
        connection = await nats.connect(self.url, connect_timeout=5, max_reconnect_attempts=1)
        published = 0
        try:
            stream = connection.jetstream()
            await _ensure_stream(stream, ctx.settings.nats_stream, ctx.settings.nats_subject_prefix)
            for row in rows:
                subject = f"{ctx.settings.nats_subject_prefix}.{row.kind}"
                body = orjson.dumps(
                    broker_payload(events[row.event_id], states.get(row.event_id, {}))
                )
                await stream.publish(subject, body, headers={"Nats-Msg-Id": row.event_id})
                published += 1
        finally:
            await connection.close()
            if published:
                with ctx.uow() as uow:
                    uow.sync.set_position(DESTINATION, rows[published - 1].seq + 1, ctx.clock.now())
                    uow.commit()
        return published


async def _ensure_stream(stream: nats.js.JetStreamContext, name: str, prefix: str) -> None:
    try:
        await stream.stream_info(name)
    except nats.js.errors.NotFoundError:
        # Another publisher may create it meanwhile.
        with contextlib.suppress(BadRequestError):
            await stream.add_stream(StreamConfig(name=name, subjects=[f"{prefix}.>"]))
