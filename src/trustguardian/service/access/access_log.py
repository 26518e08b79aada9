"""Reads of a person's data outside the console (API keys, the command line), logged in the
same subject access log the console writes: every read of a person's data by an admin is
itself logged (ARCHITECTURE, Interfaces)."""

from __future__ import annotations

import getpass

from trustguardian.domain.access import ApiKey
from trustguardian.domain.roles import AccessRecord
from trustguardian.service.context import Context

NAME_LENGTH = 80  # subject_access_log.username


def api_reader(key: ApiKey) -> str:
    """How an API key is named in the log: its id (stable) and its name (readable)."""
    return f"api-key:{key.id} ({key.name})"[:NAME_LENGTH]


def cli_reader() -> str:
    """How the command line is named in the log: the operating-system account running it."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor in the user database
        user = "unknown"
    return f"cli:{user}"[:NAME_LENGTH]


def log_read(ctx: Context, *, reader: str, subject_id: str, what: str) -> None:
    """Records a read of a subject's data, committed before the data is handed over."""
    record = AccessRecord(
        id=ctx.ids.new_id("acc"),
        user_id=None,
        username=reader[:NAME_LENGTH],
        subject_id=subject_id,
        what=what[:NAME_LENGTH],
        at=ctx.clock.now(),
    )
    with ctx.uow() as uow:
        uow.admin.log_access(record)
        uow.commit()
