"""`/readyz` answers 503, as problem+json naming why, when the keys cannot unwrap the instance's
sample data key, when the database is read-only and when its disk is full (a real, small tmpfs
filled up under a real `trustguardian serve`)."""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, text
from tests.conftest import BACKENDS, TEST_MASTER_KEY, bound_context, make_settings
from tests.engage.server import live_server

from trustguardian.asgi import create_app
from trustguardian.problems import PROBLEM_MEDIA_TYPE
from trustguardian.service.context import build_context
from trustguardian.service.ops.binding import init_instance
from trustguardian.service.ops.instance import format_pinned
from trustguardian.settings import Settings
from trustguardian.vault import SYSTEM_RANDOM, MasterKey


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `path` (these tests run as root, as CI does)."""
    path.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"this test mounts a small tmpfs and needs root with mount allowed: "
            f"{done.stderr.strip()}",
            pytrace=False,
        )
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(folder: Path) -> Path:
    """Writes zeros into a file under `folder` until the filesystem has no room left."""
    filler = folder / "filler"
    chunk = b"\0" * 65536
    error = 0
    with filler.open("wb", buffering=0) as out:
        while not error:
            try:
                out.write(chunk)
            except OSError as exc:
                error = exc.errno or -1
    assert error == errno.ENOSPC, error
    return filler


def not_ready(answer: httpx.Response) -> dict[str, object]:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    body: dict[str, object] = answer.json()
    assert body["type"] == "/problems/not-ready"
    assert body["status"] == 503
    return body


@pytest.mark.parametrize("backend", BACKENDS)
def test_readyz_is_503_when_the_keys_cannot_unwrap_the_sample_data_key(
    backend: str, make_db: Callable[[str], str], tmp_path: Path
) -> None:
    ctx = bound_context(make_settings(make_db(backend), tmp_path))
    with TestClient(create_app(ctx)) as client:
        assert client.get("/readyz").status_code == 200
    # Another master key with the instance's blind-index and link-token keys pinned: lookups
    # would work, but no data key opens (a hand-edited key file, read by a running server).
    wrong = ctx.settings.model_copy(
        update={
            "master_key": SecretStr(MasterKey.generate(SYSTEM_RANDOM).format()),
            "blind_key": SecretStr(format_pinned(ctx.keys.blind_key)),
            "token_key": SecretStr(format_pinned(ctx.keys.token_key)),
        }
    )
    stale = build_context(wrong)
    with TestClient(create_app(stale)) as client:
        body = not_ready(client.get("/readyz"))
    assert "cannot unwrap the instance's sample data key" in str(body["detail"])
    assert str(body["checks"]["keys"]).startswith("the master keys in use")  # type: ignore[index]
    stale.engine.dispose()
    ctx.engine.dispose()


@pytest.mark.postgres
def test_readyz_is_503_when_postgresql_refuses_writes(
    make_db: Callable[[str], str], tmp_path: Path, pg_admin: Engine
) -> None:
    ctx = bound_context(make_settings(make_db("postgresql"), tmp_path))
    name = ctx.engine.url.database
    ctx.engine.dispose()
    with pg_admin.connect() as c:
        c.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    read_only = build_context(ctx.settings)  # new sessions: read-only by default
    with TestClient(create_app(read_only)) as client:
        body = not_ready(client.get("/readyz"))
    assert str(body["detail"]).startswith("storage: read-only")
    read_only.engine.dispose()
    with pg_admin.connect() as c:
        c.execute(text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
    writable = build_context(ctx.settings)
    with TestClient(create_app(writable)) as client:
        assert client.get("/readyz").status_code == 200
    writable.engine.dispose()


@pytest.mark.slow
def test_readyz_is_503_on_a_full_disk_and_ready_again_once_space_is_freed(
    tmp_path: Path,
) -> None:
    with tmpfs(tmp_path / "disk", "8m") as disk:
        settings = Settings(
            database_url=f"sqlite:///{disk / 'tg.db'}",
            keys_file=tmp_path / "keys.json",  # the keys live elsewhere, as they should
            master_key=SecretStr(TEST_MASTER_KEY),
        )
        init_instance(settings).engine.dispose()
        with live_server(settings, tmp_path) as base:
            assert httpx.get(f"{base}/readyz", timeout=30).status_code == 200
            filler = fill(disk)
            body = not_ready(httpx.get(f"{base}/readyz", timeout=30))
            assert str(body["detail"]).startswith("storage: disk full")
            assert str(disk / "tg.db") in str(body["detail"])
            assert body["checks"]["database"] == "ok"  # type: ignore[index]
            filler.unlink()
            assert httpx.get(f"{base}/readyz", timeout=30).status_code == 200


def test_readyz_is_503_when_the_sqlite_filesystem_is_read_only(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "8m") as disk:
        settings = Settings(
            database_url=f"sqlite:///{disk / 'tg.db'}",
            keys_file=tmp_path / "keys.json",
            master_key=SecretStr(TEST_MASTER_KEY),
        )
        init_instance(settings).engine.dispose()
        # No process holds the file open for writing: the filesystem can go read-only.
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        ctx = build_context(settings)
        with TestClient(create_app(ctx)) as client:
            body = not_ready(client.get("/readyz"))
        ctx.engine.dispose()
        assert "storage: read-only" in str(body["detail"])
        assert str(body["checks"]["storage"]).startswith(  # type: ignore[index]
            "read-only: the filesystem holding"
        )
