"""Witnesses for the ingest bench: N `trustguardian witness serve` processes on loopback, the
log's sender cosigning in a thread beside the ingest, and the cosigning latency (a checkpoint
signed -> the quorum's cosignatures stored) read back from the database."""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path
from types import TracebackType

from trustguardian.service.context import Context
from trustguardian.sync.witnesses import WitnessSender
from trustguardian.witness.local import RunningWitness, make_witness


class Witnessed:
    """`with Witnessed(ctx, n, workdir) as w:` ingest, then `w.figures(prefix)`."""

    def __init__(self, ctx: Context, count: int, workdir: Path) -> None:
        self.ctx = ctx
        log_key = ctx.keys.signer.verifier_key
        self.witnesses: list[RunningWitness] = [
            make_witness(workdir / "witnesses", f"w{n}.bench", [log_key])
            for n in range(1, count + 1)
        ]
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> Witnessed:
        for witness in self.witnesses:
            witness.start()
        settings = self.ctx.settings
        settings.witnesses = " ".join(w.setting for w in self.witnesses)
        settings.outbound_allow_hosts = "127.0.0.1"
        settings.witness_interval_seconds = 0.02
        sender = WitnessSender(self.ctx)
        self.thread = threading.Thread(target=sender.run, args=(self.stop,), daemon=True)
        self.thread.start()
        return self

    def wait_for_latest(self, timeout: float = 60.0) -> bool:
        """Waits until the latest checkpoint has every witness's cosignature."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.ctx.uow(write=False) as uow:
                latest = uow.ledger.latest_checkpoint()
                done = latest is not None and len(uow.ledger.cosignatures(latest.tree_size)) >= len(
                    self.witnesses
                )
            if done:
                return True
            time.sleep(0.02)
        return False

    def figures(self, prefix: str) -> dict[str, float]:
        """Cosigning latency (ms, median and p99) over the checkpoints the quorum cosigned."""
        caught_up = self.wait_for_latest()
        quorum = len(self.witnesses)
        with self.ctx.uow(write=False) as uow:
            created = {cp.tree_size: cp.created_at for cp in uow.ledger.checkpoints()}
            rows = uow.ledger.cosignature_rows()
        stored: dict[int, list[float]] = {}
        for row in rows:
            delay = (row.stored_at - created[row.tree_size]).total_seconds() * 1000
            stored.setdefault(row.tree_size, []).append(delay)
        latencies = sorted(sorted(d)[quorum - 1] for d in stored.values() if len(d) >= quorum)
        p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else float("nan")
        return {
            f"{prefix}_witnesses": quorum,
            f"{prefix}_checkpoints_signed": len(created),
            f"{prefix}_checkpoints_cosigned_by_quorum": len(latencies),
            f"{prefix}_latest_cosigned": int(caught_up),
            f"{prefix}_cosigning_latency_ms_median": round(statistics.median(latencies), 1)
            if latencies
            else float("nan"),
            f"{prefix}_cosigning_latency_ms_p99": round(p99, 1),
        }

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(10)
        for witness in self.witnesses:
            witness.stop()
