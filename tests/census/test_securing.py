"""Securing is a person's sign-off: after an examination with no open high finding, kept with
who, why and when (both backends)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.census.helpers import STORE, WEB, clean_company, examine, rules, signer
from tests.factories.cli import instance_env, tg

from trustguardian.domain.collect import Confirmation
from trustguardian.domain.errors import Conflict, InvalidInput
from trustguardian.domain.registry import ProofType, TouchpointStatus
from trustguardian.domain.roles import Role
from trustguardian.ledger.records import RecordLeaf
from trustguardian.service.access.users import create_user
from trustguardian.service.collect.admin import configure
from trustguardian.service.context import Context
from trustguardian.service.registry.securing import secure_touchpoint, touchpoint_signoffs
from trustguardian.service.registry.touchpoints import TouchpointPatch, get_touchpoint
from trustguardian.service.registry.touchpoints import update_touchpoint as update
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t


def test_a_form_with_our_double_opt_in_is_secured_once_signed_off(ctx: Context) -> None:
    now = clean_company(ctx)
    # The form as a company sets it up: our double opt-in, no confirming proof required (the
    # confirmation adds it later).
    update(now, key=WEB, patch=TouchpointPatch(required_proofs=[ProofType.NOTICE_SHOWN]))
    assert rules(examine(now)[WEB]) == {"marketing_without_double_opt_in": "high"}
    configure(now, touchpoint=WEB, confirmation=Confirmation.DOUBLE_OPT_IN)

    result = examine(now)[WEB]
    assert rules(result) == {}
    assert result.touchpoint.status is TouchpointStatus.EXAMINED  # examining never secures

    user = signer(now)
    tp, signoff = secure_touchpoint(now, key=WEB, by=user, note="DOI tested end to end")
    assert tp.status is TouchpointStatus.SECURED
    assert get_touchpoint(now, key=WEB).status is TouchpointStatus.SECURED
    assert touchpoint_signoffs(now, key=WEB) == [signoff]
    assert signoff.actor == "user:giulia.dpo (dpo)"
    assert signoff.note == "DOI tested end to end"
    assert signoff.signed_at == now.clock.now()
    assert signoff.examined_at == result.examined_at

    # The sign-off is a leaf of the ledger, committing to who, why and when, and it verifies.
    with now.engine.connect() as conn:
        leaf = conn.execute(
            select(t.registry_records.c.leaf).where(t.registry_records.c.seq == signoff.seq)
        ).scalar_one()
        size = conn.execute(select(t.ledger_head.c.size)).scalar_one()
    parsed = RecordLeaf.parse(bytes(leaf))
    assert parsed.kind == "registry.touchpoint_signoff.signed"
    assert (parsed.object_type, parsed.object_key) == ("touchpoint_signoff", WEB)
    assert parsed.actor == "user:giulia.dpo (dpo)"
    assert parsed.content["note"] == "DOI tested end to end"
    assert signoff.seq == size - 1
    report = verify_ledger(now)
    assert report.ok, report.problems


def test_requiring_the_proof_our_confirmation_adds_is_a_high_finding(ctx: Context) -> None:
    now = clean_company(ctx)  # the web form requires double_opt_in
    configure(now, touchpoint=WEB, confirmation=Confirmation.DOUBLE_OPT_IN)
    assert rules(examine(now)[WEB]) == {"confirmation_proof_required": "high"}
    with pytest.raises(Conflict, match="open high-severity"):
        secure_touchpoint(now, key=WEB, by=signer(now), note="looks fine")
    assert touchpoint_signoffs(now, key=WEB) == []


def test_an_operator_name_alone_does_not_secure_a_stand(ctx: Context) -> None:
    now = clean_company(ctx)
    update(now, key=STORE, patch=TouchpointPatch(required_proofs=[ProofType.OPERATOR]))
    result = examine(now)[STORE]
    assert rules(result) == {"consent_without_substance": "high"}
    assert result.findings[0].target == "paper_form"


def test_a_sign_off_is_refused_before_an_examination_or_by_a_user_who_may_not(
    ctx: Context,
) -> None:
    now = clean_company(ctx)
    user = signer(now)
    with pytest.raises(Conflict, match="censused"):
        secure_touchpoint(now, key=WEB, by=user, note="too early")
    examine(now)
    create_user(now, username="anna.mkt", password="correct horse battery", role=Role.MARKETING)
    for who in ("anna.mkt", "nobody"):
        with pytest.raises(InvalidInput, match="may edit touchpoints"):
            secure_touchpoint(now, key=WEB, by=who, note="ok")
    with pytest.raises(InvalidInput, match="says why"):
        secure_touchpoint(now, key=WEB, by=user, note="  ")
    assert get_touchpoint(now, key=WEB).status is TouchpointStatus.EXAMINED
    assert touchpoint_signoffs(now, key=WEB) == []


def test_the_cli_signs_off_and_refuses_in_one_sentence(ctx: Context, tmp_path: Path) -> None:
    now = clean_company(ctx)
    user = signer(now)
    update(now, key=STORE, patch=TouchpointPatch(required_proofs=[]))
    examine(now)
    env = {**os.environ, **instance_env(now, tmp_path)}
    refused = tg("touchpoints", "secure", STORE, "--by", user, "--note", "x", env=env)
    assert refused.returncode != 0
    assert "open high-severity finding" in refused.stderr
    assert "Traceback" not in refused.stderr

    done = tg("touchpoints", "secure", WEB, "--by", user, "--note", "ok", "--json", env=env)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["status"] == "secured"
    assert (shown["actor"], shown["note"]) == ("user:giulia.dpo (dpo)", "ok")
    assert [s.seq for s in touchpoint_signoffs(now, key=WEB)] == [shown["seq"]]
