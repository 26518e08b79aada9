"""A campaign list checked from the console: where its run stands."""

from __future__ import annotations

from enum import StrEnum


class ListRunState(StrEnum):
    MAPPING = "mapping"  # uploaded: its columns are to be mapped before it is checked
    QUEUED = "queued"  # waiting for the run before it on this server
    RUNNING = "running"
    DONE = "done"  # allowed and rejected files ready to download
    FAILED = "failed"  # no row could be checked, or the server stopped during the run
