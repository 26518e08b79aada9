"""`trustguardian sync run --once` runs the time-stamping schedule: a TSA outage is reported and
leaves the deliveries alone; the next run once the backoff is over stamps the latest checkpoint."""

from __future__ import annotations

from tests.factories.events import ledger_size, make_draft, record
from tests.reports.tsa import local_tsa
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import cli_env, run_cli

from trustguardian.service.ops.stamping import stamping_status
from trustguardian.store.ops.stamping import StampingSchedule


def test_sync_run_once_stamps_and_reports_an_outage(
    make_sync_ctx: MakeSyncCtx, backend: str
) -> None:
    ctx = make_sync_ctx(backend)
    record(ctx, make_draft())
    with local_tsa() as tsa:
        env = cli_env(ctx) | {"TRUSTGUARDIAN_TSA_URL": tsa.url}
        tsa.down.set()
        code, out = run_cli(env, "sync", "run", "--once")
        assert code == 0, out
        assert f"time-stamping checkpoint {ledger_size(ctx)} failed, retried later" in out
        assert "enqueued 0" in out  # the dispatcher ran all the same
        assert stamping_status(ctx).schedule.failures == 1

        tsa.down.clear()
        with ctx.uow() as uow:  # the backoff is over
            uow.stamping.save(StampingSchedule(None, 1, "down", None))
            uow.commit()
        code, out = run_cli(env, "sync", "run", "--once")
        assert code == 0, out
        assert f"checkpoint {ledger_size(ctx)} time-stamped" in out
    status = stamping_status(ctx)
    assert (status.behind, status.schedule.failures) == (0, 0)
