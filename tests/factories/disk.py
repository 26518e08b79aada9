"""What a database holds, for searching it: every stored value, and the bytes on disk."""

from __future__ import annotations

import subprocess
from pathlib import Path

import orjson
from sqlalchemy import make_url, select

from trustguardian.service.context import Context
from trustguardian.store import tables as t


def stored_values(ctx: Context) -> bytes:
    """Every value of every column of every table, as bytes, for a search."""
    chunks: list[bytes] = []
    with ctx.engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(orjson.dumps(value, default=str))
    return b"\n".join(chunks)


def database_bytes(ctx: Context) -> bytes:
    """The database as it lies on disk: the SQLite file and its WAL, or a PostgreSQL dump."""
    url = make_url(ctx.settings.database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        files = [path, path.with_name(path.name + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    done = subprocess.run(
        ["pg_dump", "--no-owner", plain], check=True, capture_output=True, timeout=120
    )
    return done.stdout
