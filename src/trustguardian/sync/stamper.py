"""The trusted-time worker: runs the stamping schedule beside the outbox dispatcher.

It has its own thread, so a slow or absent TSA never delays a delivery, and a failing pass is
logged and tried again at the next poll (the schedule keeps the backoff in the database).
"""

from __future__ import annotations

import logging
import threading

from trustguardian.service.context import Context
from trustguardian.service.ops.stamping import stamp_due

log = logging.getLogger(__name__)
POLL_SECONDS = 30.0


def run_stamper(ctx: Context, stop: threading.Event, *, poll: float = POLL_SECONDS) -> None:
    """Runs scheduler passes every `poll` seconds until `stop` is set (off without a TSA)."""
    if not ctx.settings.tsa_url:
        return
    while not stop.is_set():
        try:
            done = stamp_due(ctx)
        except Exception:
            log.exception("stamping pass failed; retrying")
        else:
            if done.outcome == "stamped":
                log.info("checkpoint %s time-stamped", done.tree_size)
            elif done.outcome == "failed":
                log.warning(
                    "time-stamping checkpoint %s failed (%s); next try at %s",
                    done.tree_size,
                    done.error,
                    done.next_attempt_at,
                )
        stop.wait(poll)


def start_stamper(ctx: Context, stop: threading.Event) -> threading.Thread | None:
    """Starts `run_stamper` in a daemon thread when a TSA is configured."""
    if not ctx.settings.tsa_url:
        return None
    thread = threading.Thread(target=run_stamper, args=(ctx, stop), name="stamper", daemon=True)
    thread.start()
    return thread
