"""Counters and histograms kept per process as plain integers, collected when scraped.

prometheus_client's multi-process mode writes every sample to a memory-mapped file and asks the
process id for each (`getpid`), several microseconds per request on the hot path. Here a request
adds to a dict entry; the scraping process reads its own tallies directly and, in multi-process
mode (`PROMETHEUS_MULTIPROC_DIR` set, as `serve --workers N` does), each process writes its
tallies to `<dir>/tally-<pid>.json` once a second when they changed (and at exit), and the
scraper sums every process's file: counts of a process that ended still count, as counters do.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import threading
import time
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric

FLUSH_SECONDS = 1.0
PREFIX = "tally-"


class Counter:
    """A counter with labels (none by default): `inc`, or `labels(...).inc`."""

    def __init__(self, name: str, documentation: str, labels: Sequence[str] = ()) -> None:
        self.name, self.documentation, self.label_names = name, documentation, tuple(labels)
        self.values: dict[tuple[str, ...], float] = {}
        self._lock = threading.Lock()  # PostgreSQL's checks count from worker threads
        TALLIES.register(self)

    def inc(self, amount: float = 1, *labels: str) -> None:
        key = tuple(labels)
        with self._lock:
            self.values[key] = self.values.get(key, 0) + amount
        TALLIES.changed = True

    def labels(self, *values: str) -> _Bound:
        return _Bound(self, tuple(values))

    def family(self, merged: dict[tuple[str, ...], Any]) -> Metric:
        family = CounterMetricFamily(self.name, self.documentation, labels=self.label_names)
        for key, value in sorted(merged.items()):
            family.add_metric(list(key), value)
        return family


class _Bound:
    def __init__(self, counter: Counter, key: tuple[str, ...]) -> None:
        self.counter, self.key = counter, key

    def inc(self, amount: float = 1) -> None:
        self.counter.inc(amount, *self.key)


class Histogram:
    """A histogram with labels: per label set, the count in each bucket, the count and sum."""

    def __init__(
        self, name: str, documentation: str, labels: Sequence[str], buckets: Sequence[float]
    ) -> None:
        self.name, self.documentation, self.label_names = name, documentation, tuple(labels)
        self.bounds = [float(b) for b in buckets]
        # Per label set: [count per bucket (the last is +Inf)..., sum]
        self.values: dict[tuple[str, ...], list[float]] = {}
        self._lock = threading.Lock()
        TALLIES.register(self)

    def observe(self, value: float, *labels: str) -> None:
        key = tuple(labels)
        with self._lock:
            found = self.values.get(key)
            if found is None:
                found = self.values[key] = [0.0] * (len(self.bounds) + 2)
            found[bisect_left(self.bounds, value)] += 1
            found[-1] += value
        TALLIES.changed = True

    def family(self, merged: dict[tuple[str, ...], Any]) -> Metric:
        family = HistogramMetricFamily(self.name, self.documentation, labels=self.label_names)
        for key, counts in sorted(merged.items()):
            running, buckets = 0.0, []
            for bound, count in zip([*map(_le, self.bounds), "+Inf"], counts[:-1], strict=True):
                running += count
                buckets.append((bound, running))
            family.add_metric(list(key), buckets, counts[-1])
        return family


def _le(bound: float) -> str:
    return repr(bound) if bound != int(bound) else f"{bound:.1f}"


class Tallies:
    """Every tally of this process, and their files in multi-process mode."""

    def __init__(self) -> None:
        self.metrics: list[Counter | Histogram] = []
        self.changed = False
        self._lock = threading.Lock()
        self._pid = -1

    def register(self, metric: Counter | Histogram) -> None:
        self.metrics.append(metric)

    def collect(self) -> Iterator[Metric]:
        """Every metric, summed over this process and (multi-process) every process's file."""
        directory = _directory()
        merged: dict[str, dict[tuple[str, ...], Any]] = {}
        if directory is None:
            merged = {m.name: _copy(m.values) for m in self.metrics}
        else:
            self.flush()
            for path in sorted(directory.glob(f"{PREFIX}*.json")):
                try:
                    found = json.loads(path.read_text())
                except (OSError, ValueError):
                    continue  # being replaced, or gone
                for name, entries in found.items():
                    into = merged.setdefault(name, {})
                    for labels, value in entries:
                        _add(into, tuple(labels), value)
        for metric in self.metrics:
            yield metric.family(merged.get(metric.name, {}))

    def watch(self) -> None:
        """In multi-process mode, starts this process's flushing thread (once per process; the
        server's factory calls it in each worker)."""
        if _directory() is None or self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            threading.Thread(target=self._run, name="metrics-tally", daemon=True).start()
            atexit.register(self.flush)

    def flush(self) -> None:
        """Writes this process's tallies to its file (multi-process mode)."""
        directory = _directory()
        if directory is None:
            return
        with self._lock:
            self.changed = False
            snapshot = {
                m.name: [[list(k), v] for k, v in _copy(m.values).items()] for m in self.metrics
            }
            path = directory / f"{PREFIX}{os.getpid()}.json"
            fresh = path.with_suffix(".new")
            fresh.write_text(json.dumps(snapshot))
            fresh.replace(path)

    def _run(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            if self.changed:
                # A failed write is tried again the next second; a scrape flushes its own process.
                with contextlib.suppress(OSError):
                    self.flush()


def _add(into: dict[tuple[str, ...], Any], key: tuple[str, ...], value: Any) -> None:
    held = into.get(key)
    if held is None:
        into[key] = list(value) if isinstance(value, list) else value
    elif isinstance(held, list):
        into[key] = [a + b for a, b in zip(held, value, strict=True)]
    else:
        into[key] = held + value


def _copy(values: dict[tuple[str, ...], Any]) -> dict[tuple[str, ...], Any]:
    return {k: list(v) if isinstance(v, list) else v for k, v in list(values.items())}


def _directory() -> Path | None:
    found = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(found) if found else None


TALLIES = Tallies()
