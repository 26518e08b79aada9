"""Request metrics are plain per-process tallies: exact in one process, and in multi-process mode
(`serve --workers N`) every worker's counts are summed at scrape, those of ended workers too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from trustguardian.service.ops import metrics

ANOTHER_WORKER = """
from trustguardian.service.ops import metrics
from trustguardian.service.ops.tally import TALLIES
metrics.observe_request("POST", "/v1/checks", 200, 0.002)
metrics.observe_request("POST", "/v1/checks", 200, 0.2)
metrics.count_checks([True, False])
TALLIES.watch()
"""


def scrape() -> str:
    registry = CollectorRegistry()
    registry.register(metrics._Tallies())
    return generate_latest(registry).decode()


def value(text: str, sample: str) -> float:
    found = [line for line in text.splitlines() if line.startswith(sample + " ")]
    return float(found[0].rsplit(" ", 1)[1]) if found else 0.0


CHECKS_200 = 'trustguardian_http_requests_total{method="POST",route="/v1/checks",status="200"}'
FAST = (
    'trustguardian_http_request_duration_seconds_bucket{le="0.005",method="POST",'
    'route="/v1/checks"}'
)
ALLOWED = 'trustguardian_checks_total{allowed="true"}'


def test_one_process_counts_and_times_each_request() -> None:
    before = scrape()
    metrics.observe_request("POST", "/v1/checks", 200, 0.001)
    metrics.count_checks([True])
    after = scrape()
    assert value(after, CHECKS_200) == value(before, CHECKS_200) + 1
    assert value(after, FAST) == value(before, FAST) + 1
    assert value(after, ALLOWED) == value(before, ALLOWED) + 1


def test_workers_are_summed_at_scrape_and_an_ended_one_still_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    before = scrape()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-c", ANOTHER_WORKER], env=env, check=True, timeout=60)
    assert [p.name for p in tmp_path.glob("tally-*.json") if p.name != f"tally-{os.getpid()}.json"]
    metrics.observe_request("POST", "/v1/checks", 200, 0.001)
    after = scrape()
    assert value(after, CHECKS_200) == value(before, CHECKS_200) + 3
    assert value(after, FAST) == value(before, FAST) + 2
    assert value(after, ALLOWED) == value(before, ALLOWED) + 1
    count = 'trustguardian_http_request_duration_seconds_count{method="POST",route="/v1/checks"}'
    assert value(after, count) == value(before, count) + 3
