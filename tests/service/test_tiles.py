"""The ledger published as tiles (c2sp.org/tlog-tiles), read by an independent client over a
real static HTTP server, served by the app itself, and followed by the monitor."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.factories.cli import cli, tg
from tests.ledger import independent_verifier as iv
from tests.ledger.tile_client import TileClient, fetch_status, tile_path
from tests.service.tiles_helpers import (
    event_seq,
    fork,
    grow,
    new_log,
    split_view,
    static_server,
)

from trustguardian.asgi import create_app
from trustguardian.domain.errors import Conflict
from trustguardian.service.context import Context
from trustguardian.service.events.ledger import prove_consistency, prove_inclusion
from trustguardian.service.tiles import publish


def _files(directory: Path) -> dict[str, tuple[int, bytes]]:
    """Every published file: its modification time (ns) and bytes, by path."""
    return {
        str(p.relative_to(directory)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in directory.rglob("*")
        if p.is_file()
    }


def test_an_independent_client_proves_inclusion_and_consistency_from_tiles_alone(
    ctx: Context, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    first = new_log(ctx, 150)
    publish(ctx, directory=site)
    old_note = (site / "checkpoint").read_text()
    size = grow(ctx, 400, tag="b")  # past one full level-0 tile and into a second
    code, out = cli(ctx, tmp_path, "ledger", "publish", str(site))
    assert code == 0, out
    assert f"published tree size {size} (before: {first})" in out
    vkey = ctx.keys.signer.verifier_key
    with static_server(site) as url:
        client = TileClient(url)
        body = client.checkpoint(vkey)
        assert body.size == size
        old = iv.verify_checkpoint(old_note, vkey)
        for index in (0, 5, 255, 256, first - 1, size - 1):
            leaf = client.entry(index)
            path = client.inclusion_path(index, 0, size)
            assert iv.verify_inclusion(index, size, iv.hash_leaf(leaf), path, body.root_hash)
            other = iv.hash_leaf(leaf + b" ")
            assert not iv.verify_inclusion(index, size, other, path, body.root_hash)
        # The very bytes the service proves with its own API, and the same path.
        event = prove_inclusion(ctx, event_id=_event_id(client.entry(size - 1)))
        assert event.leaf == client.entry(size - 1)
        assert event.inclusion_path == client.inclusion_path(size - 1, 0, size)
        proof = client.consistency_path(old.size, 0, size)
        assert iv.verify_consistency(old.size, size, old.root_hash, body.root_hash, proof)
        assert not iv.verify_consistency(old.size, size, body.root_hash, body.root_hash, proof)
        served = prove_consistency(ctx, size1=old.size, size2=size)
        assert [base64.b64encode(h).decode() for h in proof] == served["proof"]
        assert all(p.startswith(("checkpoint", "tile/")) for p in client.fetched)
        assert fetch_status(url + "/" + tile_path(0, 9, 256)) == 404


def _event_id(leaf: bytes) -> str:
    found: str = json.loads(leaf)["id"]
    return found


def test_publishing_again_writes_only_new_tiles_and_never_a_full_one(
    ctx: Context, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    new_log(ctx, 300)
    done = publish(ctx, directory=site)
    before = _files(site)
    full = [p for p in before if ".p/" not in p and p.startswith("tile/")]
    assert sorted(full) == ["tile/0/000", "tile/entries/000"]
    assert len(before["tile/0/000"][1]) == 8192
    again = publish(ctx, directory=site)
    assert (again.written, again.kept) == (1, 3)  # the checkpoint; the partial tiles were there
    assert done.written == 6
    grow(ctx, 30, tag="c")
    publish(ctx, directory=site)
    after = _files(site)
    for path in full:
        assert after[path] == before[path], f"{path} was written again"
    assert after["checkpoint"] != before["checkpoint"]


def test_the_app_serves_the_same_bytes_under_ledger(ctx: Context, tmp_path: Path) -> None:
    site = tmp_path / "site"
    size = new_log(ctx, 270)
    publish(ctx, directory=site)
    client = TestClient(create_app(ctx))
    answer = client.get("/ledger/checkpoint")
    assert answer.status_code == 200
    assert answer.content == (site / "checkpoint").read_bytes()
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert "immutable" not in answer.headers["cache-control"]
    for path, (_, data) in _files(site).items():
        if path.startswith("tile/"):
            got = client.get("/ledger/" + path)
            assert got.status_code == 200, path
            assert got.content == data, path
            assert got.headers["content-type"] == "application/octet-stream"
            full = "public, max-age=31536000, immutable"
            assert (got.headers["cache-control"] == full) == (".p/" not in path), path
    beyond = client.get("/ledger/" + tile_path(0, 1, size - 255))
    assert beyond.status_code == 404
    assert beyond.headers["content-type"] == "application/problem+json"
    assert client.get("/ledger/tile/0/0001").status_code == 404  # not canonical
    assert client.get("/ledger/tile/0/x000/000").status_code == 404


def _monitor(source: str | Path, ctx: Context, state: Path, *extra: str) -> tuple[int, str]:
    key = ctx.keys.signer.verifier_key
    done = tg("monitor", str(source), "--key", key, "--state", state, *extra)
    return done.returncode, done.stdout + done.stderr


def test_the_monitor_follows_a_growing_log_over_http_and_fetches_only_what_is_new(
    ctx: Context, tmp_path: Path
) -> None:
    site, state = tmp_path / "site", tmp_path / "monitor.json"
    new_log(ctx, 20)
    publish(ctx, directory=site)
    with static_server(site) as url:
        code, out = _monitor(url, ctx, state)
        assert code == 0, out
        first = ctx_size(ctx)
        assert f"at tree size {first} ({first} new leaves since size 0)" in out
        size = grow(ctx, 300, tag="d")
        publish(ctx, directory=site)
        code, out = _monitor(url, ctx, state)
        assert code == 0, out
        assert f"at tree size {size} ({size - first} new leaves since size {first})" in out
        code, out = _monitor(url, ctx, state)
        assert code == 0, out
        assert "(0 new leaves" in out
    assert state.with_name("monitor.json.leaves").stat().st_size == size * 32


def ctx_size(ctx: Context) -> int:
    with ctx.uow(write=False) as uow:
        return uow.ledger.size()


@pytest.mark.parametrize("where", ["last tile", "earlier full tile"])
def test_the_monitor_names_where_a_split_view_diverges(
    ctx: Context, tmp_path: Path, request: pytest.FixtureRequest, where: str
) -> None:
    original, forked, state = tmp_path / "original", tmp_path / "fork", tmp_path / "m.json"
    size = new_log(ctx, 290)
    publish(ctx, directory=original)
    seq = event_seq(ctx, 270 if where == "last tile" else 57)
    other = fork(ctx, request, tmp_path)
    split_view(other, seq)
    grow(other, 3, tag="fork")
    publish(other, directory=forked)
    code, out = _monitor(original, ctx, state)
    assert code == 0, out
    code, out = _monitor(forked, ctx, state)
    assert code == 1, out
    assert (
        f"the log at size {size + 3} is not an extension of the size {size} seen before: "
        f"the trees diverge at leaf {seq} (tree size {seq + 1})"
    ) in " ".join(out.split())
    code, out = _monitor(original, ctx, state)  # what was seen is unchanged by a failure
    assert code == 0, out
    before = _files(original)
    with pytest.raises(Conflict, match=f"holds a log of size {size} that this ledger does not"):
        publish(other, directory=original)  # the fork's tiles never mix with the original's
    assert _files(original) == before
