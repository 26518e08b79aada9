"""Stamps read on their own, at the cost of one statement on the driver's own cursor.

A stamp read outside a unit of work says what was committed when it was read; a copy checked
against it and the rows read after it are never older than that.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

ALL = "SELECT name, value FROM stamps"


def read_stamps(engine: Engine) -> dict[str, int]:
    """Every stamp by name, in one autocommit read on both backends.

    On PostgreSQL a transaction would cost two more round trips, and the rollback that ends it
    when the connection returns to the pool makes psycopg forget the statements it prepared on
    that connection (see store.uow).
    """
    raw = engine.raw_connection()
    driver: Any = raw.driver_connection
    pg = engine.dialect.name == "postgresql"
    try:
        if pg:
            driver.autocommit = True
        cursor = raw.cursor()
        try:
            cursor.execute(ALL)
            return {str(name): int(value) for name, value in cursor.fetchall()}
        finally:
            cursor.close()
            if pg and not driver.closed:
                driver.autocommit = False
    finally:
        raw.close()
