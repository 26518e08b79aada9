"""The monitor against what a log operator (or whoever holds its files) could do: rotate the key,
sign with a key of their own, drop witnesses, alter a tile, shrink the log; and `publish`
against leaves that must never go out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.factories.cli import instance_env, tg
from tests.factories.events import ledger_size
from tests.factories.tamper import rewrite_event
from tests.service.tiles_helpers import event_seq, grow, new_log, static_server

from trustguardian.domain.errors import Conflict
from trustguardian.ledger import Checkpoint, Signer, sign_checkpoint
from trustguardian.ledger.cosignature import CosignerKey, add_cosignatures
from trustguardian.ledger.monitor import follow
from trustguardian.ledger.monitor_state import MonitorState, TrustedKey
from trustguardian.service.context import Context
from trustguardian.service.ops.rotation import rotate_signing_key
from trustguardian.service.tiles import publish


def monitor(source: str | Path, key: str, state: Path, *extra: str) -> tuple[int, str]:
    done = tg("monitor", str(source), "--key", key, "--state", state, *extra)
    return done.returncode, " ".join((done.stdout + done.stderr).split())


def test_the_monitor_follows_a_key_rotation_the_old_key_endorsed(
    ctx: Context, tmp_path: Path
) -> None:
    site, state = tmp_path / "site", tmp_path / "m.json"
    old = ctx.keys.signer.verifier_key
    new_log(ctx, 10)
    publish(ctx, directory=site)
    assert monitor(site, old, state)[0] == 0
    rotate_signing_key(ctx)
    assert ctx.keys.signer.verifier_key != old
    size = grow(ctx, 5, tag="r")
    publish(ctx, directory=site)
    code, out = monitor(site, old, state)
    assert code == 0, out
    assert f"at tree size {size}" in out
    # From scratch, trusting only the first key, the chain is found in the log itself.
    code, out = monitor(site, old, tmp_path / "fresh.json", "--json")
    assert code == 0, out
    assert "endorsed by" in out


def test_a_checkpoint_signed_by_another_key_is_refused(sqlite_ctx: Context, tmp_path: Path) -> None:
    ctx, site = sqlite_ctx, tmp_path / "site"
    size = new_log(ctx, 10)
    publish(ctx, directory=site)
    text = (site / "checkpoint").read_text()
    body = Checkpoint.parse_body(text[: text.index("\n\n") + 1])
    rogue = Signer.generate(ctx.keys.signer.name)
    (site / "checkpoint").write_text(sign_checkpoint(body, rogue))
    code, out = monitor(site, ctx.keys.signer.verifier_key, tmp_path / "m.json")
    assert code == 1
    assert f"the checkpoint of size {size} is not signed by a key trusted for it" in out
    assert not (tmp_path / "m.json").exists()


def test_witness_cosignatures_are_counted_against_the_quorum(
    sqlite_ctx: Context, tmp_path: Path
) -> None:
    ctx, site = sqlite_ctx, tmp_path / "site"
    size = new_log(ctx, 10)
    publish(ctx, directory=site)
    note = (site / "checkpoint").read_text()
    body = note[: note.index("\n\n") + 1]
    w1, w2, w3 = (CosignerKey.generate(f"witness{i}.example") for i in (1, 2, 3))
    lines = [w.cosign(body, 1_765_000_000 + i) for i, w in enumerate((w1, w2))]
    (site / "checkpoint").write_text(add_cosignatures(note, lines))
    key = ctx.keys.signer.verifier_key
    witnesses = [arg for w in (w1, w2, w3) for arg in ("--witness", w.verifier.verifier_key)]
    code, out = monitor(site, key, tmp_path / "a.json", *witnesses[:4])
    assert code == 0, out
    code, out = monitor(site, key, tmp_path / "b.json", *witnesses)
    assert code == 1
    assert f"checkpoint of size {size} carries 2 of the 3 witness cosignatures required" in out
    code, out = monitor(site, key, tmp_path / "c.json", *witnesses, "--quorum", "2")
    assert code == 0, out
    forged = w3.cosign(body.replace(str(size), str(size + 1), 1), 1_765_000_000)
    (site / "checkpoint").write_text(add_cosignatures(note, [forged]))
    code, out = monitor(site, key, tmp_path / "d.json", *witnesses, "--quorum", "0")
    assert code == 1
    assert "has a bad cosignature: invalid cosignature from witness3.example" in out


def test_an_altered_entry_or_a_shrunk_log_is_named(sqlite_ctx: Context, tmp_path: Path) -> None:
    ctx, site, state = sqlite_ctx, tmp_path / "site", tmp_path / "m.json"
    key = ctx.keys.signer.verifier_key
    small = new_log(ctx, 10)
    publish(ctx, directory=site)
    shutil.copytree(site, tmp_path / "small")
    size = grow(ctx, 5, tag="s")
    publish(ctx, directory=site)
    bundle = site / f"tile/entries/000.p/{size}"
    good = bundle.read_bytes()
    bundle.write_bytes(good.replace(b'"kind":"consent.given"', b'"kind":"consent.GIVEN"', 1))
    code, out = monitor(site, key, state)
    assert code == 1
    assert f"tile/0/000.p/{size} does not hold leaf" in out
    bundle.write_bytes(good)
    assert monitor(site, key, state)[0] == 0
    code, out = monitor(tmp_path / "small", key, state)
    assert code == 1
    assert f"the log shrank from size {size} to {small}" in out


def test_bad_arguments_are_one_sentence_and_status_2(sqlite_ctx: Context, tmp_path: Path) -> None:
    key = sqlite_ctx.keys.signer.verifier_key
    state = tmp_path / "m.json"
    code, out = monitor(tmp_path, "not+a+key", state)
    assert (code, out.startswith("error: not a verifier key")) == (2, True)
    code, out = monitor(tmp_path, key, state, "--quorum", "1")
    assert code == 2
    assert "--quorum must be between 0 and the 0 witnesses given" in out
    code, out = monitor(tmp_path / "nowhere", key, state)
    assert code == 2
    assert "is neither an http(s) URL nor a directory" in out
    state.write_text("{}")
    code, out = monitor(tmp_path, key, state)
    assert code == 2
    assert "the state file" in out
    code, out = monitor(tmp_path, key, tmp_path / "other.json")
    assert code == 1
    assert "the log does not serve checkpoint" in out
    with static_server(tmp_path) as url:
        pass  # stopped: nothing listens there any more
    code, out = monitor(url, key, tmp_path / "other.json")
    assert code == 4
    assert "cannot fetch" in out
    assert "Traceback" not in out


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"identifiers": ["mario.rossi@example.com"]}, "identifiers[0] is not a keyed hash"),
        (
            {"correction": {"by": "dpo", "reason": "asked by +39 347 123 4567"}},
            "correction.reason holds a telephone number",
        ),
        (
            {"correction": {"by": "dpo", "reason": "mail mario.rossi@example.com"}},
            "correction.reason holds an e-mail address",
        ),
        ({"data": "Mario Rossi"}, "data is not a commitment"),
    ],
)
def test_a_leaf_with_personal_data_is_never_published(
    sqlite_ctx: Context, tmp_path: Path, change: dict[str, object], named: str
) -> None:
    ctx, site = sqlite_ctx, tmp_path / "site"
    new_log(ctx, 5)
    seq = event_seq(ctx, 0)
    rewrite_event(ctx, seq, **change)
    with pytest.raises(Conflict, match="personal data in clear") as refused:
        publish(ctx, directory=site)
    assert f"leaf {seq} seems to hold personal data in clear ({named})" in str(refused.value)
    assert not site.exists()
    done = tg("ledger", "publish", site, env=instance_env(ctx, tmp_path))
    assert done.returncode == 2
    assert named in done.stderr
    assert "Traceback" not in done.stderr
    assert not site.exists()
    assert ledger_size(ctx) > seq


def test_after_the_first_run_only_new_bundles_are_fetched(
    sqlite_ctx: Context, tmp_path: Path
) -> None:
    ctx, site = sqlite_ctx, tmp_path / "site"
    new_log(ctx, 300)
    publish(ctx, directory=site)
    fetched: list[str] = []

    def fetch(path: str) -> bytes | None:
        fetched.append(path)
        target = site / path
        return target.read_bytes() if target.is_file() else None

    state = follow(fetch, MonitorState(keys=(TrustedKey(ctx.keys.signer.verifier_key),)))
    assert "tile/entries/000" in fetched
    fetched.clear()
    size = grow(ctx, 300, tag="i")
    publish(ctx, directory=site)
    after = follow(fetch, state)
    assert after.size == size
    bundles = [p for p in fetched if p.startswith("tile/entries/")]
    assert bundles == ["tile/entries/001", f"tile/entries/002.p/{size - 512}"]
    assert after.leaf_hashes[: state.size * 32] == state.leaf_hashes
