"""The sender that asks each configured witness to cosign the latest checkpoint.

It runs beside the server (never inside a write transaction: writers do not wait for it): each
pass reads the latest checkpoint and, for every witness behind it, POSTs add-checkpoint with a
consistency proof from the size that witness last cosigned; a 409 names the witness's size and
the request is made again from there. Cosignatures are checked against the witness's key and
stored; a witness that fails is retried with exponential backoff (and jitter), the others go on.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from trustguardian.ledger import NoteError
from trustguardian.service.context import Context
from trustguardian.service.events.witnessing import (
    Witness,
    add_checkpoint_body,
    configured_witnesses,
    store_cosignature,
)
from trustguardian.store.ledger import StoredCheckpoint

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 60.0


@dataclass
class _Progress:
    """What the sender knows of one witness: its size, and when to try it again."""

    size: int | None = None
    failures: int = 0
    retry_at: float = 0.0
    last_error: str | None = None


@dataclass
class WitnessSender:
    """Collects cosignatures for the latest checkpoint; `run_once` is one pass."""

    ctx: Context
    client: httpx.Client | None = None
    witnesses: list[Witness] = field(default_factory=list)
    progress: dict[str, _Progress] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.witnesses = self.witnesses or configured_witnesses(self.ctx.settings)
        self._own_client = self.client is None
        timeout = self.ctx.settings.witness_timeout_seconds
        # Every connection checked against the address rules (trustguardian.outbound).
        self.client = self.client or self.ctx.outbound.client(timeout=timeout)
        with self.ctx.uow(write=False) as uow:
            sizes = uow.ledger.cosigned_sizes()
        for witness in self.witnesses:
            self.progress[witness.key] = _Progress(size=sizes.get(witness.key))
        self._pool = ThreadPoolExecutor(max(1, len(self.witnesses)), thread_name_prefix="witness")

    def run_once(self) -> int:
        """One pass over the witnesses; returns how many cosignatures were stored."""
        with self.ctx.uow(write=False) as uow:
            latest = uow.ledger.latest_checkpoint()
        if latest is None:
            return 0
        now = time.monotonic()
        due = [w for w in self.witnesses if self._due(self.progress[w.key], latest, now)]
        # Witnesses are asked side by side: the quorum waits for the slowest, not for the sum.
        return sum(self._pool.map(lambda w: self._try(w, latest), due))

    @staticmethod
    def _due(state: _Progress, latest: StoredCheckpoint, now: float) -> bool:
        behind = state.size is None or state.size < latest.tree_size
        return behind and now >= state.retry_at

    def _try(self, witness: Witness, latest: StoredCheckpoint) -> int:
        state = self.progress[witness.key]
        try:
            return self._send(witness, state, latest)
        except (httpx.HTTPError, NoteError, ValueError) as exc:
            self._failed(witness, state, str(exc))
            return 0

    def _send(self, witness: Witness, state: _Progress, latest: StoredCheckpoint) -> int:
        assert self.client is not None
        for _ in range(2):  # the second time from the size a 409 named
            old = min(state.size or 0, latest.tree_size)
            reply = self.client.post(
                witness.url + "/add-checkpoint",
                content=add_checkpoint_body(self.ctx, old, latest),
                headers={"Content-Type": "text/plain; charset=utf-8"},
            )
            if reply.status_code == 409 and reply.text.strip().isdigit():
                size = int(reply.text.strip())
                if size > latest.tree_size:
                    raise ValueError(f"the witness has cosigned size {size}, beyond ours")
                state.size = size
                continue
            if reply.status_code != 200:
                raise ValueError(f"HTTP {reply.status_code}: {reply.text[:200]}")
            at = self.ctx.clock.now()
            if not store_cosignature(self.ctx, witness, latest, reply.text, at):
                raise ValueError("the answer holds no valid cosignature of the witness's key")
            state.size, state.failures, state.retry_at = latest.tree_size, 0, 0.0
            state.last_error = None
            return 1
        raise ValueError("the witness kept answering 409")

    def _failed(self, witness: Witness, state: _Progress, error: str) -> None:
        state.failures += 1
        delay = min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** (state.failures - 1))
        jitter = secrets.randbelow(1000) / 1000 * delay / 2
        state.retry_at = time.monotonic() + delay + jitter
        state.last_error = error
        log.warning(
            "witness %s failed (%s); retrying in %.1f s", witness.url, error, delay + jitter
        )

    def run(self, stop: threading.Event) -> None:
        """Passes until `stop` is set, every witness_interval_seconds (at once after a pass
        that stored something)."""
        interval = self.ctx.settings.witness_interval_seconds
        try:
            while not stop.is_set():
                try:
                    stored = self.run_once()
                except Exception:
                    log.exception("witness pass failed; retrying")
                    stored = 0
                if not stored:
                    stop.wait(interval)
        finally:
            self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._own_client and self.client is not None:
            self.client.close()
