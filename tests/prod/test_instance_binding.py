"""One instance, one key file: the `trustguardian` entry point in real folders, on both backends.

A missing key file, another instance's key file and an empty folder are each refused in one
sentence with a non-zero exit, no traceback, and nothing created or written; keys come only
from `trustguardian init`; a database from before the binding is bound by `migrate`.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select
from tests.conftest import BACKENDS
from tests.factories import cli
from tests.factories.events import email, make_draft, record_one, setup_registry
from tests.factories.registry import as_previous_release

from trustguardian.ledger import Signer
from trustguardian.service.context import build_context
from trustguardian.service.ops.binding import InstanceMismatch, fingerprint, open_instance
from trustguardian.service.ops.instance import load_instance_keys, read_key_file, write_key_file
from trustguardian.settings import Settings
from trustguardian.store import tables as t
from trustguardian.store.engine import make_engine
from trustguardian.store.migrate import alembic_config, current_revision
from trustguardian.vault import SYSTEM_RANDOM, MasterKey

pytestmark = pytest.mark.slow


def clean_env(**values: str) -> dict[str, str]:
    """The environment of a new user's shell: no TRUSTGUARDIAN_* setting unless given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTGUARDIAN_")}
    # Wide enough that Rich never wraps: "one sentence" is then one line.
    return env | {"COLUMNS": "500"} | values


def tg(
    cwd: Path, env: dict[str, str], *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return cli.tg(*args, cwd=cwd, env=env, input=stdin)


def assert_refused(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """Non-zero exit, one sentence on stderr naming `words`, nothing else printed."""
    assert done.returncode != 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), lines
    assert done.stdout.strip() == "", done.stdout
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its content's hash (what a refusal must leave alone)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# Commands a user might run first; each opens the database.
COMMANDS = [
    ("purposes", "list"),
    ("migrate",),
    ("serve", "--port", "1"),
    ("verify",),
    ("users", "create", "anna", "--role", "dpo", "--password-stdin"),
    ("check", "--email", "anna@example.com", "--purpose", "newsletter", "--channel", "email"),
    ("instance-keys", "status"),
]


def test_every_command_in_an_empty_folder_is_refused_and_creates_nothing(
    tmp_path: Path,
) -> None:
    env = clean_env()
    for args in COMMANDS:
        done = tg(tmp_path, env, *args, stdin="pass phrase 123\n")
        assert_refused(done, "trustguardian init")
        assert list(tmp_path.iterdir()) == [], (args, list(tmp_path.iterdir()))


def test_init_creates_the_key_file_and_the_database_bound_together_and_refuses_twice(
    tmp_path: Path,
) -> None:
    env = clean_env()
    done = tg(tmp_path, env, "init")
    assert done.returncode == 0, done.stderr
    keys_file, db_file = tmp_path / "trustguardian.keys", tmp_path / "trustguardian.db"
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    stored = read_key_file(keys_file)
    assert set(stored) == {"instance_id", "master_key", "signing_key"}
    assert stored["instance_id"] in done.stdout
    settings = Settings(database_url=f"sqlite:///{db_file}", keys_file=keys_file)
    engine = make_engine(settings.database_url)
    with engine.connect() as c:
        row = c.execute(select(t.instance)).one()
    engine.dispose()
    assert row.id == stored["instance_id"]
    assert row.fingerprint == fingerprint(load_instance_keys(settings))

    before = snapshot(tmp_path)
    for again in (("init",), ("instance-keys", "init")):
        assert_refused(tg(tmp_path, env, *again), "already exists")
    assert snapshot(tmp_path) == before
    # The instance works: a user, a command, the serve check of keys all pass.
    assert tg(tmp_path, env, "purposes", "list").returncode == 0
    user = tg(tmp_path, env, "users", "create", "anna", "--role", "dpo", "--password-stdin",
              stdin="a long pass phrase 123\n")  # fmt: skip
    assert user.returncode == 0, user.stderr


def test_init_refuses_a_database_that_belongs_to_an_instance(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    assert tg(first, clean_env(), "init").returncode == 0
    env = clean_env(TRUSTGUARDIAN_DATABASE_URL=f"sqlite:///{first / 'trustguardian.db'}")
    before = snapshot(tmp_path)
    assert_refused(tg(second, env, "init"), "already belongs to instance")
    assert snapshot(tmp_path) == before


def test_a_missing_key_file_is_refused_by_serve_and_every_command(tmp_path: Path) -> None:
    env = clean_env()
    assert tg(tmp_path, env, "init").returncode == 0
    (tmp_path / "trustguardian.keys").rename(tmp_path.parent / f"{tmp_path.name}.keys")
    before = snapshot(tmp_path)
    for args in COMMANDS:
        done = tg(tmp_path, env, *args, stdin="pass phrase 123\n")
        assert_refused(done, "key file", "missing")
        assert snapshot(tmp_path) == before, args
    # Serving from another folder, with the database given: refused as well.
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    moved = clean_env(TRUSTGUARDIAN_DATABASE_URL=f"sqlite:///{tmp_path / 'trustguardian.db'}")
    assert_refused(tg(elsewhere, moved, "serve", "--port", "1"), "key file", "missing")
    assert list(elsewhere.iterdir()) == []
    assert snapshot(tmp_path) == before


def test_another_instances_key_file_is_refused(tmp_path: Path) -> None:
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    mine.mkdir()
    theirs.mkdir()
    assert tg(mine, clean_env(), "init").returncode == 0
    assert tg(theirs, clean_env(), "init").returncode == 0
    their_keys = theirs / "trustguardian.keys"
    other = clean_env(TRUSTGUARDIAN_KEYS_FILE=str(their_keys))
    before = snapshot(tmp_path)
    for args in COMMANDS:
        done = tg(mine, other, *args, stdin="pass phrase 123\n")
        line = assert_refused(done, "belongs to instance")
        assert read_key_file(their_keys)["instance_id"] in line
        assert snapshot(tmp_path) == before, args

    # Without its instance id (a key file from before the binding), the fingerprint tells.
    stripped = tmp_path / "stripped.keys"
    write_key_file(stripped, {k: v for k, v in read_key_file(their_keys).items()
                              if k != "instance_id"})  # fmt: skip
    before = snapshot(tmp_path)
    done = tg(mine, clean_env(TRUSTGUARDIAN_KEYS_FILE=str(stripped)), "verify")
    assert_refused(done, "are not those of instance", "fingerprint")
    # Keys from the environment are checked the same way.
    env_keys = clean_env(
        TRUSTGUARDIAN_MASTER_KEY=read_key_file(their_keys)["master_key"],
        TRUSTGUARDIAN_SIGNING_KEY=read_key_file(their_keys)["signing_key"],
        TRUSTGUARDIAN_KEYS_FILE=str(tmp_path / "none.keys"),
    )
    assert_refused(tg(mine, env_keys, "serve", "--port", "1"), "TRUSTGUARDIAN_MASTER_KEY")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_keys_are_refused_on_both_backends_and_nothing_is_written(
    backend: str, make_db: Callable[[str], str], tmp_path: Path
) -> None:
    from tests.conftest import bound_context, make_settings

    ctx = bound_context(make_settings(make_db(backend), tmp_path))
    setup_registry(ctx)
    record_one(ctx, make_draft())
    ctx.engine.dispose()
    keys_before = ctx.settings.keys_file.read_bytes()
    # Another master key, with the blind-index and link-token keys pinned to the instance's:
    # the fingerprint matches, the canary does not unwrap.
    from pydantic import SecretStr

    from trustguardian.service.ops.instance import format_pinned

    wrong = ctx.settings.model_copy(
        update={
            "master_key": SecretStr(MasterKey.generate(SYSTEM_RANDOM).format()),
            "blind_key": SecretStr(format_pinned(ctx.keys.blind_key)),
            "token_key": SecretStr(format_pinned(ctx.keys.token_key)),
        }
    )
    with pytest.raises(InstanceMismatch, match="cannot unwrap"):
        open_instance(wrong, migrate=True)
    other_signer = ctx.settings.model_copy(
        update={"master_key": SecretStr(MasterKey.generate(SYSTEM_RANDOM).format())}
    )
    with pytest.raises(InstanceMismatch, match="fingerprint"):
        open_instance(other_signer, migrate=True)
    assert ctx.settings.keys_file.read_bytes() == keys_before
    engine = make_engine(ctx.settings.database_url)
    with engine.connect() as c:
        assert c.execute(select(t.instance.c.probed_at)).scalar_one() is None
        assert c.execute(select(t.subjects.c.id)).all() != []
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrate_binds_a_database_from_the_previous_release_to_its_key_file(
    backend: str, make_db: Callable[[str], str], tmp_path: Path
) -> None:
    url = make_db(backend)
    keys_file = tmp_path / "old.keys"
    old_keys = {
        "master_key": MasterKey.generate(SYSTEM_RANDOM).format(),
        "signing_key": Signer.generate("trustguardian.local/ledger").signer_key,
    }
    write_key_file(keys_file, old_keys)  # a key file of the previous release: no instance id
    settings = Settings(database_url=url, keys_file=keys_file)
    old = build_context(settings)
    # Rows as the previous release wrote them (no registry leaf), then the schema taken back to
    # where that release left it: today's code cannot write into yesterday's tables.
    with as_previous_release():
        setup_registry(old)
        for n in range(3):
            record_one(old, make_draft(identifiers=(email(f"old{n}@example.com"),)))
    old.engine.dispose()
    engine = make_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0014")  # as the previous release left it: no instance table
    engine.dispose()

    env = clean_env(TRUSTGUARDIAN_DATABASE_URL=url, TRUSTGUARDIAN_KEYS_FILE=str(keys_file))
    # Another key file is refused: it cannot open the data already there; nothing changes.
    stranger = tmp_path / "stranger.keys"
    write_key_file(
        stranger,
        {
            "master_key": MasterKey.generate(SYSTEM_RANDOM).format(),
            "signing_key": Signer.generate("trustguardian.local/ledger").signer_key,
        },
    )
    stranger_bytes = stranger.read_bytes()
    refused = tg(tmp_path, env | {"TRUSTGUARDIAN_KEYS_FILE": str(stranger)}, "migrate")
    assert_refused(refused, "cannot open the data")
    assert stranger.read_bytes() == stranger_bytes
    probe = make_engine(url)
    assert current_revision(probe) == "0014"
    # A command other than migrate says what to run, and writes nothing either.
    assert_refused(tg(tmp_path, env, "purposes", "list"), "trustguardian migrate")
    assert current_revision(probe) == "0014"
    assert json.loads(keys_file.read_text()) == old_keys

    done = tg(tmp_path, env, "migrate")
    assert done.returncode == 0, done.stderr
    stored = read_key_file(keys_file)
    assert stored.pop("instance_id").startswith("tgi_")
    assert stored == old_keys  # the keys themselves are untouched
    with probe.connect() as c:
        row = c.execute(select(t.instance)).one()
    probe.dispose()
    keys = load_instance_keys(settings)
    assert (row.id, row.fingerprint) == (keys.instance_id, fingerprint(keys))
    verified = tg(tmp_path, env, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "3 events" in verified.stdout
    # Bound now: migrating again changes nothing, and the subjects are found as before.
    assert tg(tmp_path, env, "migrate").returncode == 0
    assert read_key_file(keys_file)["instance_id"] == row.id
