"""Signing-key and master-key rotation end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from tests.factories.events import (
    LUIGI,
    MARIO,
    email,
    ledger_size,
    make_draft,
    record_one,
    setup_registry,
)

from trustguardian.domain.errors import InvalidToken
from trustguardian.domain.sync import SystemKind
from trustguardian.ledger import NoteError, Verifier, parse_checkpoint
from trustguardian.ledger.note import open_note
from trustguardian.service.context import Context, build_context
from trustguardian.service.engage.tokens import mint_token, read_token
from trustguardian.service.events.consent import subject_consents
from trustguardian.service.events.subjects import find_subject
from trustguardian.service.ops import keyring
from trustguardian.service.ops.binding import open_instance
from trustguardian.service.ops.instance import KeysMissing, load_instance_keys
from trustguardian.service.ops.production import UnsafeSecrets, check_secrets
from trustguardian.service.ops.rotation import (
    KeysFromEnvironment,
    finish_master_rotation,
    rotate_master_key,
    rotate_signing_key,
)
from trustguardian.service.sync.systems import create_system, create_webhook, signing_secrets
from trustguardian.service.verify.full import verify_ledger
from trustguardian.settings import Settings
from trustguardian.store import tables as t


def _checkpoints(ctx: Context) -> dict[int, str]:
    with ctx.engine.connect() as c:
        return dict(c.execute(select(t.checkpoints.c.tree_size, t.checkpoints.c.note)).all())


def test_signing_rotation_keeps_old_checkpoints_verifiable_and_signs_new_ones_with_the_new_key(
    fctx: Context,
) -> None:
    setup_registry(fctx)
    record_one(fctx, make_draft())
    record_one(fctx, make_draft(identifiers=(email(LUIGI),)))
    old = fctx.keys.signer.verifier
    before = ledger_size(fctx)
    new_key = rotate_signing_key(fctx)
    record_one(fctx, make_draft(identifiers=(email("anna@example.com"),)))

    # The old key's registration is the leaf at `before`; the rotation's two leaves (both keys)
    # follow, and the checkpoint covering them is the new key's first.
    assert new_key.from_tree_size == before + 2
    new = Verifier.parse(new_key.verifier_key)
    assert new.key_hash != old.key_hash
    notes = _checkpoints(fctx)
    assert max(notes) == before + 4
    for size, note in notes.items():
        signer, stranger = (old, new) if size < new_key.from_tree_size else (new, old)
        parse_checkpoint(note, signer)
        with pytest.raises(NoteError):
            parse_checkpoint(note, stranger)
    # The new key is endorsed by the old one: a verifier holding the old key can follow.
    assert new_key.endorsement is not None
    text, _ = open_note(new_key.endorsement, [old])
    assert new.verifier_key in text

    published = keyring.signing_keys(fctx)
    assert [(k.key_hash, k.from_tree_size, k.until_tree_size) for k in published] == [
        (old.key_hash.hex(), 0, before + 1),
        (new.key_hash.hex(), before + 2, None),
    ]
    report = verify_ledger(fctx)
    assert report.ok, report.problems
    assert report.checkpoints == len(notes)
    open_instance(fctx.settings).engine.dispose()  # the rotated key file still opens it


def test_a_checkpoint_signed_by_a_key_outside_its_validity_fails_verification(
    fctx: Context,
) -> None:
    setup_registry(fctx)
    record_one(fctx, make_draft())
    old = fctx.keys.signer
    rotate_signing_key(fctx)
    record_one(fctx, make_draft(identifiers=(email(LUIGI),)))
    # Someone holding the retired key signs a checkpoint after its retirement.
    from trustguardian.ledger import Checkpoint, sign_checkpoint

    size = max(_checkpoints(fctx))  # after the rotation
    with fctx.engine.begin() as c:
        where = t.checkpoints.c.tree_size == size
        row = c.execute(select(t.checkpoints).where(where)).one()
        forged = sign_checkpoint(Checkpoint(old.name, size, bytes(row.root_hash)), old)
        c.execute(t.checkpoints.update().where(where).values(note=forged))
    report = verify_ledger(fctx, evidence=False)
    assert any(f"checkpoint {size}: signature" in p for p in report.problems)


def test_a_server_started_before_a_signing_rotation_signs_with_the_new_key(
    fctx: Context,
) -> None:
    setup_registry(fctx)
    keyring.register_signing_key(fctx)
    other_process = build_context(fctx.settings)  # loaded the old key at its start
    rotate_signing_key(fctx)
    record_one(other_process, make_draft())
    assert other_process.keys.signer.key_hash == fctx.keys.signer.key_hash
    notes = _checkpoints(fctx)
    parse_checkpoint(notes[max(notes)], fctx.keys.signer.verifier)
    assert verify_ledger(fctx).ok
    other_process.engine.dispose()


def test_master_rotation_rewraps_every_data_key_and_keeps_lookups_tokens_and_secrets(
    fctx: Context,
) -> None:
    setup_registry(fctx)
    mario = record_one(fctx, make_draft()).subject_id
    record_one(fctx, make_draft(identifiers=(email(LUIGI),)))
    with fctx.uow() as uow:
        token = mint_token(fctx, uow, "unsubscribe", subject_id=mario, ttl=timedelta(days=30))
        uow.commit()
    create_system(fctx, key="crm", name="CRM", kind=next(iter(SystemKind)))
    _, secret = create_webhook(fctx, system_key="crm", url="https://crm.example.com/hook")
    old_id = fctx.keys.master.key_id
    states_before = subject_consents(fctx, subject_id=mario)

    rotation = rotate_master_key(fctx)

    assert rotation.old_key_id == old_id != rotation.new_key_id == fctx.keys.master.key_id
    assert rotation.rewrapped.data_keys == 2
    assert rotation.rewrapped.webhook_secrets == 1
    assert keyring.wrapped_by_key(fctx) == {rotation.new_key_id: 2}
    # Lookups by identifier still find the same person: the blind-index key was pinned.
    assert find_subject(fctx, identifier=email(MARIO)).subject.id == mario
    assert subject_consents(fctx, subject_id=mario) == states_before
    with fctx.uow() as uow:
        assert read_token(fctx, uow, token, "unsubscribe").subject_id == mario
        assert signing_secrets(fctx, uow, _hook_id(fctx)) == [secret]
    # New events for known and new people work under the new key; everything verifies.
    record_one(fctx, make_draft(identifiers=(email(MARIO),)))
    record_one(fctx, make_draft(identifiers=(email("nuovo@example.com"),)))
    report = verify_ledger(fctx)
    assert report.ok, report.problems
    assert report.evidence_opened > 0

    # The retired key is forgotten once nothing needs it, and nothing is lost with it.
    _, dropped = finish_master_rotation(fctx)
    assert dropped == [old_id]
    stored = json.loads(fctx.settings.keys_file.read_text())
    assert stored["retired_master_keys"] == []
    # The rotated keys still open the database: same fingerprint, canary re-wrapped.
    fresh = open_instance(fctx.settings)
    assert fresh.keys.retired_masters == ()
    assert verify_ledger(fresh).ok
    assert find_subject(fresh, identifier=email(LUIGI)).subject.id != mario
    with fresh.uow() as uow:
        assert read_token(fresh, uow, token, "unsubscribe").subject_id == mario
        with pytest.raises(InvalidToken):
            read_token(fresh, uow, token + "x", "unsubscribe")
    fresh.engine.dispose()


def _hook_id(ctx: Context) -> str:
    with ctx.engine.connect() as c:
        return str(c.execute(select(t.webhooks.c.id)).scalar_one())


def test_a_data_key_left_under_the_retired_key_is_rewrapped_later_not_lost(
    fctx: Context,
) -> None:
    setup_registry(fctx)
    old_process = build_context(fctx.settings)
    rotate_master_key(fctx)
    # A server that still holds the old master key creates a subject after the rotation ran.
    newcomer = record_one(old_process, make_draft()).subject_id
    counts = keyring.wrapped_by_key(fctx)
    assert counts == {old_process.keys.master.key_id: 1}
    _, dropped = finish_master_rotation(fctx)
    assert dropped == [old_process.keys.master.key_id]
    assert keyring.wrapped_by_key(fctx) == {fctx.keys.master.key_id: 1}
    assert find_subject(fctx, identifier=email(MARIO)).subject.id == newcomer
    assert verify_ledger(fctx).ok
    old_process.engine.dispose()


def test_keys_from_the_environment_are_rotated_by_hand(fctx: Context) -> None:
    env_settings = fctx.settings.model_copy(
        update={
            "master_key": SecretStr(fctx.keys.master.format()),
            "signing_key": SecretStr(fctx.keys.signer.signer_key),
        }
    )
    ctx = build_context(env_settings)
    with pytest.raises(KeysFromEnvironment):
        rotate_master_key(ctx)
    with pytest.raises(KeysFromEnvironment):
        rotate_signing_key(ctx)
    ctx.engine.dispose()


def test_production_never_invents_keys_and_refuses_demo_secrets(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(environment="production", keys_file=tmp_path / "none.keys")
    with pytest.raises(KeysMissing):
        load_instance_keys(settings)
    assert not (tmp_path / "none.keys").exists()
    demo = Settings(
        environment="production",
        keys_file=tmp_path / "none.keys",
        master_key="tgmk1:" + "A" * 43,  # type: ignore[arg-type]
        signing_key=_signer_key(),  # type: ignore[arg-type]
        public_base_url="https://privacy.example.com",
    )
    with pytest.raises(UnsafeSecrets, match="master key"):
        check_secrets(demo, load_instance_keys(demo))
    smtp = demo.model_copy(
        update={"smtp_username": "mailer", "smtp_password": SecretStr("changeme")}
    )
    with pytest.raises(UnsafeSecrets, match="SMTP_PASSWORD"):
        check_secrets(smtp, load_instance_keys(smtp))
    good = demo.model_copy(update={"master_key": _random_master()})
    check_secrets(good, load_instance_keys(good))  # a real key passes


def _signer_key() -> str:
    from trustguardian.ledger import Signer

    return Signer.generate("trustguardian.local/ledger").signer_key


def _random_master() -> object:
    from trustguardian.vault import SYSTEM_RANDOM, MasterKey

    return SecretStr(MasterKey.generate(SYSTEM_RANDOM).format())
