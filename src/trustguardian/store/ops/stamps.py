"""Stamps read on their own, at the cost of one statement on the driver's own cursor.

A stamp read outside a unit of work says what was committed when it was read; a copy checked
against it and the rows read after it are never older than that.
"""

from __future__ import annotations

from sqlalchemy import Engine

from trustguardian.store.engine import run_alone

ALL = "SELECT name, value FROM stamps"


def read_stamps(engine: Engine) -> dict[str, int]:
    """Every stamp by name, in one autocommit read on both backends (see `run_alone`)."""
    return {str(name): int(value) for name, value in run_alone(engine, ALL)}
