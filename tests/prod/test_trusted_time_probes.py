"""`/readyz` and `/metrics` say how far the time-stamps are behind; a TSA outage never makes the
instance unready."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from tests.census.helpers import T0, at
from tests.factories.events import ledger_size
from tests.reports.helpers import mario_history
from tests.reports.tsa import local_tsa, with_tsa

from trustguardian.asgi import create_app
from trustguardian.service.context import Context
from trustguardian.service.ops.stamping import stamp_due


def _metric(body: str, name: str) -> float:
    [line] = [x for x in body.splitlines() if x.startswith(name + " ")]
    return float(line.rsplit(" ", 1)[1])


def test_probes_report_stamps_behind_during_an_outage_and_caught_up_after(ctx: Context) -> None:
    history = mario_history(ctx)
    noon = T0 + timedelta(days=1)
    with local_tsa() as tsa:
        stamping = with_tsa(history.ctx, tsa.url)
        tsa.down.set()
        assert stamp_due(at(stamping, noon)).outcome == "failed"
        with TestClient(create_app(stamping)) as client:
            ready = client.get("/readyz")
            assert ready.status_code == 200  # never unready for want of a stamp
            trusted = ready.json()["trusted_time"]
            assert trusted["status"] == "behind"
            assert trusted["failures"] == 1
            assert trusted["unstamped_events"] == ledger_size(ctx)
            assert trusted["next_attempt_at"] == (noon + timedelta(seconds=30)).isoformat()
            assert "503" not in ready.text  # the TSA's answer stays in the logs
            metrics = client.get("/metrics", headers={"Accept": "text/plain"}).text
            assert _metric(metrics, "trustguardian_tsa_unstamped_events") == ledger_size(ctx)
            assert _metric(metrics, "trustguardian_tsa_failures") == 1

            tsa.down.clear()
            assert stamp_due(at(stamping, noon + timedelta(minutes=1))).outcome == "stamped"
            trusted = client.get("/readyz").json()["trusted_time"]
            assert (trusted["status"], trusted["unstamped_events"]) == ("ok", 0)
            metrics = client.get("/metrics").text
            assert _metric(metrics, "trustguardian_tsa_unstamped_events") == 0
            assert _metric(metrics, "trustguardian_tsa_failures") == 0


def test_without_a_tsa_the_probes_say_nothing_of_stamps(ctx: Context) -> None:
    with TestClient(create_app(ctx)) as client:
        assert client.get("/readyz").json()["trusted_time"] is None
        assert "trustguardian_tsa_" not in client.get("/metrics").text
