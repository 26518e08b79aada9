"""A database from the release before registry records (revision 0016) upgrades, and its
registry is entered into the ledger once, by `trustguardian migrate`: a genesis leaf per object,
after which `verify` passes and names any registry row changed afterwards."""

from __future__ import annotations

import os

from alembic import command
from sqlalchemy import func, select, update
from tests.conftest import TEST_MASTER_KEY
from tests.factories.cli import tg
from tests.factories.events import PURPOSE
from tests.factories.registry import as_previous_release, full_registry

from trustguardian.service.context import Context
from trustguardian.service.ops.binding import open_instance
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t
from trustguardian.store.engine import make_engine
from trustguardian.store.migrate import alembic_config, current_revision, head_revision
from trustguardian.store.snapshots import OBJECT_TYPES


def _as_previous_release(ctx: Context) -> None:
    """The registry and an event written as the previous release wrote them (no registry
    records), then the schema taken back to revision 0016."""
    with as_previous_release():
        full_registry(ctx)
    ctx.engine.dispose()
    engine = make_engine(ctx.settings.database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0016")
    assert current_revision(engine) == "0016"
    with engine.connect() as c:
        leaves = c.execute(select(t.ledger_head.c.size)).scalar_one()
        events = c.execute(select(func.count()).select_from(t.events)).scalar_one()
    assert leaves == events  # the previous release: every leaf is an event
    engine.dispose()


def _objects(ctx: Context) -> int:
    with ctx.uow(write=False) as uow:
        return sum(len(uow.snapshots.of(kind)) for kind in OBJECT_TYPES)


def test_an_upgraded_database_enters_its_registry_once_and_verifies(
    ctx: Context,
) -> None:
    _as_previous_release(ctx)
    env = {
        **os.environ,
        "TRUSTGUARDIAN_DATABASE_URL": ctx.settings.database_url,
        "TRUSTGUARDIAN_KEYS_FILE": str(ctx.settings.keys_file),
        "TRUSTGUARDIAN_MASTER_KEY": TEST_MASTER_KEY,
        "COLUMNS": "300",
    }
    migrated = tg("migrate", env=env)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    upgraded = open_instance(ctx.settings)
    try:
        assert current_revision(upgraded.engine) == head_revision()
        objects = _objects(upgraded)
        with upgraded.uow(write=False) as uow:
            size, genesis = uow.ledger.size(), uow.records.latest()
        assert len(genesis) == objects >= 15
        assert {r.kind.rsplit(".", 1)[1] for r in genesis.values()} == {"genesis"}
        report = verify_ledger(upgraded, evidence=False)
        assert report.ok, report.problems
        assert report.records == report.registry_objects == objects
        # Once: a second migrate records nothing more.
        assert tg("migrate", env=env).returncode == 0
        with upgraded.uow(write=False) as uow:
            assert uow.ledger.size() == size
        # After the genesis, a registry row changed in the database is named.
        with upgraded.engine.begin() as c:
            c.execute(
                update(t.purpose_versions)
                .where(t.purpose_versions.c.purpose_key == PURPOSE)
                .values(legal_basis="legitimate_interest")
            )
        leaf = genesis["purpose_version", f"{PURPOSE}/1"].seq
        problems = verify_ledger(upgraded, evidence=False).problems
        assert f"purpose {PURPOSE} v1: legal_basis differs from leaf {leaf}" in problems
        done = tg("verify", "--no-evidence", env=env)
        assert done.returncode == 1
        assert f"legal_basis differs from leaf {leaf}" in " ".join(done.stdout.split())
    finally:
        upgraded.engine.dispose()
