"""The phases of a campaign list run by set, measured apart in this process (bench/engage.py):
reading the list's records (the parent's part), reading the sets whole (serial: the parent reads
them before its workers start) and answering the rows from them (the workers' part: parse,
normalise, blind, decide), each in CPU seconds; and the wall a run on N workers could reach at
best, the serial parts plus the rows spread over the workers (what a faster overlap could win).
"""

from __future__ import annotations

import time
from pathlib import Path

from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage.audience import Asker, csv_header, csv_records, load_rules
from trustguardian.service.engage.audience_workers import CHUNK, check_chunk
from trustguardian.service.engage.check_sets import Sets
from trustguardian.service.gc_pause import gc_paused


def phases(ctx: Context, listing: Path, purpose: str, workers: int) -> dict[str, float]:
    """CPU seconds of each phase of a list checked by set on e-mail (see the module)."""
    channel = Channel.EMAIL
    with gc_paused():
        rules = load_rules(ctx)
        start, cpu = time.perf_counter(), time.process_time()
        with ctx.uow(write=False) as uow:
            sets = Sets(uow, rules, purpose, channel, ctx.clock.now())
        sets_wall, sets_cpu = time.perf_counter() - start, time.process_time() - cpu
        read_cpu = rows_cpu = 0.0
        rows = 0
        with listing.open("rb") as handle:
            header = csv_header(handle.readline())
            asker = Asker(ctx, rules, purpose, channel, columns=header)
            records = csv_records(handle, first=2)
            while True:
                cpu = time.process_time()
                chunk = [record for _, record in zip(range(CHUNK), records, strict=False)]
                read_cpu += time.process_time() - cpu
                if not chunk:
                    break
                cpu = time.process_time()
                rows += len(check_chunk(ctx, asker, header, chunk, sets=sets).numbers)
                rows_cpu += time.process_time() - cpu
    return {
        "phase_set_load_seconds": round(sets_wall, 2),
        "phase_set_load_cpu_seconds": round(sets_cpu, 2),
        "phase_read_records_cpu_seconds": round(read_cpu, 2),
        "phase_rows_cpu_seconds": round(rows_cpu, 2),
        "phase_rows_cpu_us_per_row": round(rows_cpu / max(rows, 1) * 1e6, 2),
        "phase_best_wall_seconds": round(sets_cpu + read_cpu + rows_cpu / workers, 2),
    }
