"""The postal opposition register: addresses normalised alike, honoured for letters only."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from tests.engage.helpers import check, event, setup_engage
from tests.factories import add_purpose, add_touchpoint
from tests.factories.events import HISTORY_DAYS, NOTICE, ago, at_instant, email

from trustguardian.domain.checks import Reason
from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.registry import Channel
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.engage import admin as engage_admin
from trustguardian.service.engage.audience import csv_header, csv_rows, filter_rows
from trustguardian.service.events.identifiers import normalise

CATALOGUE = "catalogue"
HOME = "Via Giuseppe Garibaldi 12, 20121 Milano (MI)"


def _setup(ctx: Context) -> None:
    setup_engage(ctx)
    add_purpose(
        at_instant(ctx, ago(days=HISTORY_DAYS)),
        CATALOGUE,
        name="Paper catalogue",
        channels=(Channel.LETTER, Channel.EMAIL),
        consent_lifetime_days=None,
    )
    add_touchpoint(ctx, "store-desk", purposes=[CATALOGUE], notice_key=NOTICE)


def _import(
    ctx: Context, kind: str, lines: Sequence[str], when: date
) -> tuple[int, list[tuple[int, str]]]:
    data = "\n".join(lines).encode()
    return engage_admin.import_register(
        ctx,
        name="rpo",
        kind=kind,
        register_date=when,
        lines=data.decode().splitlines(),
        file_sha256=hashlib.sha256(data).hexdigest(),
    )


def test_addresses_written_differently_normalise_alike() -> None:
    spellings = [
        HOME,
        "VIA GIUSEPPE GARIBALDI, 12 - 20121 MILANO MI",
        "V. Giuseppe Garibaldi 12 20121 Milano (MI)",
    ]
    assert len({normalise(IdentifierKind.POSTAL, s).value for s in spellings}) == 1
    assert normalise(IdentifierKind.POSTAL, "V.le Mazzini 3, Milano").value == (
        "VIALE MAZZINI 3 MILANO"
    )
    assert normalise(IdentifierKind.POSTAL, "P.zza Duomo 1").value == "PIAZZA DUOMO 1"
    # a later "C" is a flat letter, never a street type
    assert normalise(IdentifierKind.POSTAL, "Via Roma 1 C").value == "VIA ROMA 1 C"
    for bad in ("Roma", "", "Via senza numero"):
        with pytest.raises(InvalidInput):
            normalise(IdentifierKind.POSTAL, bad)


def test_the_postal_register_denies_letters_and_not_emails(ctx: Context) -> None:
    _setup(ctx)
    home = normalise(IdentifierKind.POSTAL, HOME)
    given = event(
        ctx, purpose=CATALOGUE, who=(email(), home), at=ago(days=20), touchpoint="store-desk"
    )
    today = datetime.now(UTC).date()
    entries, rejected = _import(
        ctx,
        "post",
        ["indirizzo", "V. Giuseppe Garibaldi 12 - 20121 Milano MI", "Milano", "Via Po 3, Torino"],
        today - timedelta(days=3),
    )
    assert (entries, [n for n, _ in rejected]) == (2, [3])
    letter = check(ctx, CATALOGUE, Channel.LETTER, who=home)
    assert (letter.allowed, letter.reason, letter.event_id) == (
        False,
        Reason.OPPOSITION_REGISTER,
        given.id,
    )
    assert check(ctx, CATALOGUE, Channel.EMAIL).reason is Reason.CONSENT_GIVEN
    # a campaign list of letters names people by address, quoted when it holds commas
    lines = [
        b"postal,name",
        b'"V. Giuseppe Garibaldi 12,',
        b'20121 Milano MI",Mario',
        b"Via Po 9 Torino,X",
    ]
    rows = list(csv_rows(iter(lines[1:]), csv_header(lines[0]), first=2))
    answers = list(filter_rows(ctx, rows, purpose=CATALOGUE, channel=Channel.LETTER))
    assert [(a.row.number, a.reason) for a in answers] == [
        (2, "opposition_register"),
        (4, "unknown_subject"),
    ]
    # a phone register of the same name does not replace the postal one
    assert _import(ctx, "phone", ["3331234567"], today)[0] == 1
    assert check(ctx, CATALOGUE, Channel.LETTER, who=home).reason is Reason.OPPOSITION_REGISTER
    assert {r.kind for r in engage_admin.registers_status(ctx)} == {"phone", "post"}


def test_a_consent_given_after_the_postal_register_stands(ctx: Context) -> None:
    _setup(ctx)
    home = normalise(IdentifierKind.POSTAL, HOME)
    _import(ctx, "post", [HOME], datetime.now(UTC).date() - timedelta(days=10))
    given = event(ctx, purpose=CATALOGUE, who=(home,), at=ago(days=2), touchpoint="store-desk")
    outcome = check(ctx, CATALOGUE, Channel.LETTER, who=home)
    assert (outcome.allowed, outcome.reason, outcome.event_id) == (
        True,
        Reason.CONSENT_GIVEN,
        given.id,
    )


def test_an_unknown_register_kind_is_refused(ctx: Context) -> None:
    with pytest.raises(InvalidInput):
        _import(ctx, "fax", ["+39 02 1234567"], datetime.now(UTC).date())
    assert engage_admin.registers_status(ctx) == []
