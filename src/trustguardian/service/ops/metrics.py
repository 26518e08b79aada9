"""Prometheus metrics: counters kept per process (summed across workers in multi-process mode)
and gauges read from the database when scraped, so every worker reports the same truth."""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from trustguardian.domain.common import Clock
from trustguardian.service.ops.tally import TALLIES, Counter, Histogram
from trustguardian.store.engage import check_log
from trustguardian.store.engine import Engine
from trustguardian.store.ops.probes import gauges

HTTP_REQUESTS = Counter(
    "trustguardian_http_requests", "HTTP requests by route template", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "trustguardian_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
EVENTS_RECORDED = Counter("trustguardian_events_recorded", "Privacy events recorded")
CHECKS = Counter("trustguardian_checks", "Contact checks answered", ["allowed"])
RATE_LIMITED = Counter("trustguardian_rate_limited", "Requests refused by a rate limit")

CONTENT_TYPE = CONTENT_TYPE_LATEST


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.inc(1, method, route, str(status))
    HTTP_LATENCY.observe(seconds, method, route)


def start_flushing() -> None:
    """Multi-process mode: this worker writes its tallies for the scraper once a second."""
    TALLIES.watch()


def count_checks(allowed: list[bool]) -> None:
    yes = sum(allowed)
    if yes:
        CHECKS.labels("true").inc(yes)
    if len(allowed) - yes:
        CHECKS.labels("false").inc(len(allowed) - yes)


class DatabaseCollector(Collector):
    """Ledger size, last checkpoint age, outbox lag and (with a TSA) how far the time-stamps
    are behind, read at scrape time."""

    def __init__(self, engine: Engine, clock: Clock, *, tsa: bool = False) -> None:
        self._engine = engine
        self._clock = clock
        self._tsa = tsa

    def collect(self) -> Iterator[GaugeMetricFamily]:
        read = gauges(self._engine)
        size, last, positions, pending = (
            read.ledger_size,
            read.last_checkpoint_at,
            read.positions,
            read.pending,
        )
        yield GaugeMetricFamily("trustguardian_ledger_size", "Events in the ledger", value=size)
        age = GaugeMetricFamily(
            "trustguardian_last_checkpoint_age_seconds", "Seconds since the last checkpoint"
        )
        if last is not None:
            age.add_metric([], (self._clock.now() - last).total_seconds())
        yield age
        lag = GaugeMetricFamily(
            "trustguardian_outbox_lag_events",
            "Ledger events a destination has not taken from the outbox yet",
            labels=["destination"],
        )
        for destination, position in positions.items():
            lag.add_metric([destination], max(0, size - int(position)))
        yield lag
        waiting = GaugeMetricFamily(
            "trustguardian_outbox_pending_deliveries",
            "Deliveries waiting or being retried",
            labels=["destination"],
        )
        for destination, n in pending.items():
            waiting.add_metric([destination], n)
        yield waiting
        if self._tsa:
            yield GaugeMetricFamily(
                "trustguardian_tsa_unstamped_events",
                "Ledger events recorded after the last time-stamped checkpoint",
                value=max(0, size - read.stamped_size),
            )
            yield GaugeMetricFamily(
                "trustguardian_tsa_failures",
                "Failed time-stamping tries in a row (0 after a success)",
                value=read.stamp_failures,
            )
        directory = check_log.directory_for(self._engine)
        if directory is not None:
            journalled, oldest = check_log.backlog(directory, self._clock.now().timestamp())
            yield GaugeMetricFamily(
                "trustguardian_check_log_bytes",
                "Single checks journalled by the server and not yet in the checks table",
                value=journalled,
            )
            yield GaugeMetricFamily(
                "trustguardian_check_log_age_seconds",
                "Age of the oldest journalled check not yet in the checks table",
                value=oldest,
            )


def exposition(engine: Engine, clock: Clock, *, tsa: bool = False) -> bytes:
    """The text exposition: this process's (or every worker's) counters plus database gauges."""
    registry = CollectorRegistry()
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry.register(_Default())  # the process's own CPU, memory and garbage collector
    registry.register(_Tallies())
    registry.register(DatabaseCollector(engine, clock, tsa=tsa))
    return generate_latest(registry)


class _Default(Collector):
    def collect(self) -> Iterator[object]:  # type: ignore[override]
        yield from REGISTRY.collect()


class _Tallies(Collector):
    def collect(self) -> Iterator[object]:  # type: ignore[override]
        yield from TALLIES.collect()
