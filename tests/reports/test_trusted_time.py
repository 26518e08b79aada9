"""RFC 3161 trusted time: checkpoints stamped by a local TSA, tokens kept and put in dossiers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from tests.factories.events import ledger_size
from tests.reports.helpers import mario_history, rezip, unzip
from tests.reports.tsa import local_tsa, with_tsa

from trustguardian.domain.errors import Conflict
from trustguardian.outbound import Outbound
from trustguardian.reports.dossier import subject_dossier
from trustguardian.reports.dossier_verify import verify_dossier
from trustguardian.service.context import Context
from trustguardian.service.ops.timestamps import (
    TimestampUnavailable,
    checkpoint_timestamps,
    request_timestamp,
    stamp_checkpoint,
)


def test_a_checkpoint_is_stamped_once_and_the_token_kept(ctx: Context) -> None:
    history = mario_history(ctx)
    with local_tsa() as tsa:
        stamping = with_tsa(history.ctx, tsa.url)
        first = stamp_checkpoint(stamping)
        again = stamp_checkpoint(stamping)
        assert len(tsa.queries) == 1  # already stamped: the TSA is not asked twice
    assert first.tree_size == ledger_size(ctx)
    assert again.token == first.token
    assert abs(first.gen_time - datetime.now(UTC)) < timedelta(minutes=5)
    assert checkpoint_timestamps(history.ctx)[first.tree_size].token == first.token


def test_a_dossier_carries_the_token_and_it_verifies_against_the_tsa_root(ctx: Context) -> None:
    history = mario_history(ctx)
    with local_tsa() as tsa:
        body = subject_dossier(with_tsa(history.ctx, tsa.url), subject_id=history.subject_id)
        ca = tsa.ca_pem
    files = unzip(body)
    assert "checkpoint.tsr" in files
    check = verify_dossier(body, tsa_roots=[ca])
    assert check.problems == []
    assert check.timestamp is not None
    assert check.timestamp_trusted
    assert "RFC 3161" in files["report-en.html"].decode()

    untrusted = verify_dossier(body)  # no root given: the imprint is checked, not the signer
    assert untrusted.ok
    assert not untrusted.timestamp_trusted


def test_a_token_from_another_authority_is_refused(ctx: Context) -> None:
    history = mario_history(ctx)
    with local_tsa() as tsa:
        body = subject_dossier(with_tsa(history.ctx, tsa.url), subject_id=history.subject_id)
    with local_tsa() as other:
        stranger = other.ca_pem
    check = verify_dossier(body, tsa_roots=[stranger])
    assert [p for p, _ in check.problems] == ["checkpoint.tsr"]


def test_a_token_over_another_checkpoint_is_named(ctx: Context) -> None:
    history = mario_history(ctx)
    with local_tsa() as tsa:
        stamping = with_tsa(history.ctx, tsa.url)
        body = subject_dossier(stamping, subject_id=history.subject_id)
    files = unzip(body)
    with local_tsa() as tsa:
        token, _ = request_timestamp(
            tsa.url, b"another checkpoint\n", timeout=10, outbound=Outbound.of("127.0.0.1")
        )
    files["checkpoint.tsr"] = token
    check = verify_dossier(rezip(files))
    assert ("checkpoint.tsr", "does not stamp checkpoint.txt") in check.problems


def test_without_a_tsa_stamping_is_refused_and_dossiers_have_no_token(ctx: Context) -> None:
    history = mario_history(ctx)
    with pytest.raises(Conflict, match="no time-stamping authority"):
        stamp_checkpoint(history.ctx)
    assert "checkpoint.tsr" not in unzip(
        subject_dossier(history.ctx, subject_id=history.subject_id)
    )


def test_a_tsa_at_an_internal_address_is_refused_before_any_request(ctx: Context) -> None:
    history = mario_history(ctx)
    with local_tsa() as tsa:
        settings = history.ctx.settings.model_copy(update={"tsa_url": tsa.url})
        inside = dataclasses.replace(history.ctx, settings=settings)  # no allow-list
        with pytest.raises(TimestampUnavailable, match=r"refused: 127\.0\.0\.1 is a loopback"):
            stamp_checkpoint(inside)
        assert tsa.queries == []
    assert checkpoint_timestamps(history.ctx) == {}


def test_an_unreachable_tsa_is_a_clear_error_and_stores_nothing(ctx: Context) -> None:
    history = mario_history(ctx)
    with pytest.raises(TimestampUnavailable):
        stamp_checkpoint(with_tsa(history.ctx, "http://127.0.0.1:9/tsa"))
    assert checkpoint_timestamps(history.ctx) == {}
