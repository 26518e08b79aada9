"""Every registry table's evidential columns are committed by a ledger leaf: changing any of them
in the database, one at a time, makes `verify` (the service and the CLI) name it."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update
from tests.conftest import TEST_MASTER_KEY
from tests.factories.cli import tg
from tests.factories.events import NOTICE, PURPOSE, TP
from tests.factories.registry import FullRegistry, full_registry

from trustguardian.domain.registry import text_sha256
from trustguardian.service.context import Context
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t

FORGED = "Informativa riscritta: i dati possono essere ceduti a terzi.\n"
Mutation = Callable[[Connection, FullRegistry], str]  # applies itself; returns what to name


def _set(table: Table, where: Any, **values: Any) -> Callable[[Connection], None]:
    return lambda c: c.execute(update(table).where(where).values(**values))


def _one(c: Connection, table: Table, where: Any = True) -> dict[str, Any]:
    return dict(c.execute(select(table).where(where).limit(1)).mappings().one())


NV, PV = t.notice_versions, t.purpose_versions
NOTICE_V1 = (NV.c.notice_key == NOTICE) & (NV.c.version == 1)
PURPOSE_V1 = (PV.c.purpose_key == PURPOSE) & (PV.c.version == 1)


def notice_text(c: Connection, _: FullRegistry) -> str:
    _set(NV, NOTICE_V1, text=FORGED)(c)
    return f"notice {NOTICE} v1: text differs from leaf"


def notice_text_and_hash(c: Connection, _: FullRegistry) -> str:
    _set(NV, NOTICE_V1, text=FORGED, sha256=text_sha256(FORGED))(c)
    return f"notice {NOTICE} v1: sha256, text differ from leaf"


def legal_basis(c: Connection, _: FullRegistry) -> str:
    _set(PV, PURPOSE_V1, legal_basis="legitimate_interest")(c)
    return f"purpose {PURPOSE} v1: legal_basis differs from leaf"


def lifetime(c: Connection, _: FullRegistry) -> str:
    _set(PV, PURPOSE_V1, consent_lifetime_days=99_999)(c)
    return f"purpose {PURPOSE} v1: consent_lifetime_days differs from leaf"


def marketing_flag(c: Connection, _: FullRegistry) -> str:
    _set(PV, PURPOSE_V1, marketing=False)(c)
    return f"purpose {PURPOSE} v1: marketing differs from leaf"


def sale_sharing(c: Connection, _: FullRegistry) -> str:
    _set(t.purpose_flags, t.purpose_flags.c.purpose_key == PURPOSE, sale_sharing=True)(c)
    return f"purpose {PURPOSE}: sale_sharing differs from leaf"


def touchpoint_status(c: Connection, _: FullRegistry) -> str:
    _set(t.touchpoints, t.touchpoints.c.key == TP, status="retired")(c)
    return f"touchpoint {TP}: status differs from leaf"


def policy_limit(c: Connection, r: FullRegistry) -> str:
    _set(t.contact_policies, t.contact_policies.c.id == r.policy, max_contacts=400)(c)
    return f"contact policy {r.policy}: max_contacts differs from leaf"


def suppression_removed(c: Connection, _: FullRegistry) -> str:
    blind = _one(c, t.suppression_entries)["blind"]
    c.execute(delete(t.suppression_entries).where(t.suppression_entries.c.blind == blind))
    return f"suppression entry {blind}: missing, though leaf"


def suppression_added(c: Connection, _: FullRegistry) -> str:
    row = _one(c, t.suppression_entries) | {"blind": "f" * 64}
    c.execute(insert(t.suppression_entries).values(**row))
    return f"suppression entry {'f' * 64}: no ledger leaf records it"


def key_scopes(c: Connection, r: FullRegistry) -> str:
    _set(t.api_keys, t.api_keys.c.id == r.api_key, scopes=["admin"])(c)
    return f"API key {r.api_key}: scopes differs from leaf"


def key_unrevoked(c: Connection, r: FullRegistry) -> str:
    _set(t.api_keys, t.api_keys.c.id == r.api_key, touchpoint_key=None)(c)
    return f"API key {r.api_key}: touchpoint_key differs from leaf"


def user_role(c: Connection, r: FullRegistry) -> str:
    _set(t.admin_users, t.admin_users.c.id == r.user, role="auditor")(c)
    return f"console user {r.user}: role differs from leaf"


def register_entry(c: Connection, _: FullRegistry) -> str:
    entry = _one(c, t.opposition_entries)
    c.execute(delete(t.opposition_entries).where(t.opposition_entries.c.blind == entry["blind"]))
    return f"opposition register {entry['register_id']}: entries_sha256, stored_entries differ"


def finding_severity(c: Connection, _: FullRegistry) -> str:
    _set(t.findings, t.findings.c.touchpoint_key == TP, severity="low")(c)
    return f"examination {TP}: findings differs from leaf"


def signing_key(c: Connection, _: FullRegistry) -> str:
    key = _one(c, t.signing_keys)["key_hash"]
    _set(t.signing_keys, t.signing_keys.c.key_hash == key, retired_at=None, from_tree_size=7)(c)
    return f"signing key {key}: from_tree_size differs from leaf"


MUTATIONS: list[Mutation] = [
    notice_text, notice_text_and_hash, legal_basis, lifetime, marketing_flag, sale_sharing,
    touchpoint_status, policy_limit, suppression_removed, suppression_added, key_scopes,
    key_unrevoked, user_role, register_entry, finding_severity, signing_key,
]  # fmt: skip
TABLES = [
    NV, PV, t.purpose_flags, t.touchpoints, t.contact_policies, t.suppression_entries,
    t.api_keys, t.admin_users, t.opposition_entries, t.findings, t.signing_keys,
]  # fmt: skip


def _env(ctx: Context) -> dict[str, str]:
    return {
        **os.environ,
        "TRUSTGUARDIAN_DATABASE_URL": ctx.settings.database_url,
        "TRUSTGUARDIAN_KEYS_FILE": str(ctx.settings.keys_file),
        "TRUSTGUARDIAN_MASTER_KEY": TEST_MASTER_KEY,
        "COLUMNS": "400",
    }


def _restore(c: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Puts a table's rows back as they were (by primary key)."""
    keys = [col.name for col in table.primary_key.columns]
    wanted = {tuple(r[k] for k in keys): r for r in rows}
    for row in c.execute(select(*table.primary_key.columns)).all():
        if tuple(row) not in wanted:
            c.execute(
                delete(table).where(*(table.c[k] == v for k, v in zip(keys, row, strict=True)))
            )
    present = {tuple(r) for r in c.execute(select(*table.primary_key.columns)).all()}
    for pk, row in wanted.items():
        where = [table.c[k] == v for k, v in zip(keys, pk, strict=True)]
        if pk in present:
            c.execute(update(table).where(*where).values(**row))
        else:
            c.execute(insert(table).values(**row))


def test_each_registry_change_in_the_database_is_named_by_verify(ctx: Context) -> None:
    built = full_registry(ctx)
    clean = verify_ledger(ctx, evidence=False)
    assert clean.ok, clean.problems
    assert clean.registry_objects >= 15
    assert tg("verify", env=_env(ctx)).returncode == 0
    with ctx.engine.connect() as c:
        saved = {
            table.name: [dict(r) for r in c.execute(select(table)).mappings()] for table in TABLES
        }
    for mutation in MUTATIONS:
        with ctx.engine.begin() as c:
            expected = mutation(c, built)
        problems = verify_ledger(ctx, evidence=False).problems
        assert any(p.startswith(expected) for p in problems), (mutation.__name__, problems)
        done = tg("verify", "--no-evidence", env=_env(ctx))
        assert done.returncode == 1, (mutation.__name__, done.stdout)
        assert expected in " ".join(done.stdout.split()), (mutation.__name__, done.stdout)
        with ctx.engine.begin() as c:  # as it was, for the next change alone
            for table in TABLES:
                _restore(c, table, saved[table.name])
        assert verify_ledger(ctx, evidence=False).ok, mutation.__name__
