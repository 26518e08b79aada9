"""Rows with several identifiers and checks of past moments: single checks, `filter_rows` (the
bulk endpoint's path) and the chunks of `audience filter` give the same answer for every row of
a mixed list, now and at five past moments; an opposition register keeps the date each number
was first seen, so a consent given after it survives the next month's file."""

from __future__ import annotations

import csv
import io
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.factories.cli import tg
from tests.factories.events import LUIGI, MARIO, PURPOSE, ago, at_instant, email

from trustguardian.domain.checks import Reason
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.domain.subjects import Identifier
from trustguardian.service.context import Context
from trustguardian.service.engage import admin as engage_admin
from trustguardian.service.engage import lists as engage_lists
from trustguardian.service.engage.audience import RowIn, csv_records, filter_rows
from trustguardian.service.engage.audience_workers import Checked, check_records
from trustguardian.service.engage.checks import CheckRequest, check_contact

from .helpers import (
    CALLS,
    LUIGI_PHONE,
    MARIO_PHONE,
    MONDAY,
    event,
    import_register,
    next_day,
    phone,
    rome,
    setup_engage,
)
from .server import env_for

ANNA, ANNA_PHONE = "anna.bianchi@example.com", "+39 340 111 2222"
NOBODY, NOBODY_PHONE = "nobody@example.com", "+39 320 999 8888"

# (e-mail, phone) per row; "" leaves a column empty.
ROWS = [
    (MARIO, ""),
    ("", MARIO_PHONE),
    (MARIO, MARIO_PHONE),  # one person, two identifiers
    (MARIO, LUIGI_PHONE),  # two people
    (LUIGI, LUIGI_PHONE),  # Luigi's phone is suppressed 30 days ago
    (LUIGI, ""),  # the person is suppressed through another identifier
    (ANNA, ANNA_PHONE),  # other purposes' contacts do not count towards the cap
    (NOBODY, MARIO_PHONE),  # an unknown e-mail beside the channel's own identifier
    (MARIO, NOBODY_PHONE),  # the channel's own identifier is unknown
    (NOBODY, NOBODY_PHONE),
    (LUIGI, ANNA_PHONE),  # two people again
]
# Days back: now, then five past moments (off the whole days events happen on).
MOMENTS = [None, 5.3, 25.3, 45.3, 52.3, 56.3]

Verdict = tuple[bool, str, str | None, str | None]


@pytest.fixture
def people(ctx: Context) -> Context:
    return _people(ctx)


def _people(ctx: Context) -> Context:
    """Mario consents to SMS calls 55 days ago, is contacted three times 50 to 48 days ago and
    withdraws 20 days ago; Luigi consents 58 days ago and his phone is suppressed 30 days ago;
    Anna consents 58 days ago and gets newsletter SMS 12 and 11 days ago. A cap of 2 SMS in 30
    days for the calls purpose is set 57 days ago."""
    setup_engage(ctx)
    mario, luigi, anna = (
        (email(MARIO), phone()),
        (email(LUIGI), phone(LUIGI_PHONE)),
        (
            email(ANNA),
            phone(ANNA_PHONE),
        ),
    )
    sms = (Channel.SMS,)
    engage_admin.add_policy(
        at_instant(ctx, ago(days=57)), purpose=CALLS, channel=Channel.SMS, max_contacts=2, days=30
    )
    event(ctx, purpose=CALLS, who=mario, channels=sms, at=ago(days=55))
    event(ctx, purpose=CALLS, who=luigi, channels=sms, at=ago(days=58))
    event(ctx, purpose=CALLS, who=anna, channels=sms, at=ago(days=58))
    for days in (50, 49, 48):
        event(
            ctx, EventKind.CONTACT_MADE, purpose=CALLS, who=mario, channels=sms, at=ago(days=days)
        )
    for days in (12, 11):
        event(
            ctx, EventKind.CONTACT_MADE, purpose=PURPOSE, who=anna, channels=sms, at=ago(days=days)
        )
    event(ctx, EventKind.CONSENT_WITHDRAWN, purpose=CALLS, who=mario, channels=sms, at=ago(days=20))
    engage_admin.suppress(
        at_instant(ctx, ago(days=30)), identifiers=[phone(LUIGI_PHONE)], reason="asked"
    )
    return ctx


def _identifiers(row: tuple[str, str]) -> list[Identifier]:
    return [
        *([email(row[0])] if row[0] else []),
        *([phone(row[1])] if row[1] else []),
    ]


def _single(ctx: Context, moment: datetime | None) -> list[Verdict]:
    found = []
    for row in ROWS:
        first, *others = _identifiers(row)
        outcome = check_contact(
            ctx,
            request=CheckRequest(CALLS, Channel.SMS, first, None, moment, others=tuple(others)),
        )
        found.append((outcome.allowed, outcome.reason.value, outcome.event_id, outcome.subject_id))
    return found


def _bulk(ctx: Context, moment: datetime | None) -> list[Verdict]:
    rows = [RowIn(n, {"email": e, "phone": p}) for n, (e, p) in enumerate(ROWS, start=2)]
    return [
        (o.allowed, o.reason, o.outcome.event_id, o.outcome.subject_id)
        for o in filter_rows(ctx, rows, purpose=CALLS, channel=Channel.SMS, at=moment)
        if o.outcome is not None
    ]


def _verdicts(checked: Checked) -> list[Verdict]:
    return checked.verdicts()


def _audience(ctx: Context, moment: datetime | None) -> list[Verdict]:
    lines = [f"{e},{p}\r\n".encode() for e, p in ROWS]
    chunks = check_records(
        ctx,
        csv_records(lines, first=2),
        ["email", "phone"],
        purpose=CALLS,
        channel=Channel.SMS,
        answer=_verdicts,
        workers=1,
        chunk=4,
        at=moment,
    )
    return [verdict for chunk in chunks for verdict in chunk]


def test_single_bulk_and_audience_filter_agree_on_every_row_now_and_at_five_past_moments(
    people: Context,
) -> None:
    reasons: dict[float | None, list[str]] = {}
    for days in MOMENTS:
        moment = None if days is None else ago(days=days)
        single = _single(people, moment)
        assert _bulk(people, moment) == single, days
        assert _audience(people, moment) == single, days
        reasons[days] = [reason for _, reason, _, _ in single]
    # Rows 3 (Mario by e-mail and phone), 4 (Mario and Luigi), 5 (Luigi suppressed 30 days ago),
    # 6 (Luigi by e-mail), 7 (Anna: newsletter contacts), 9 (unknown phone).
    assert [reasons[days][2] for days in MOMENTS] == [
        "withdrawn",
        "withdrawn",
        "frequency_cap",  # the contacts 50 to 48 days ago are within 30 days before
        "frequency_cap",
        "consent_given",  # the contacts came after this moment: not counted
        "no_consent",  # before the consent
    ]
    # Luigi's phone beside Mario's e-mail: suppressed while it was, else two people.
    assert [reasons[days][3] for days in MOMENTS] == [
        *["suppressed"] * 3,
        *["conflicting_identifiers"] * 3,
    ]
    assert {reasons[days][10] for days in MOMENTS} == {"conflicting_identifiers"}
    assert [reasons[days][4] for days in MOMENTS] == [
        *["suppressed"] * 3,
        *["consent_given"] * 3,
    ]
    assert reasons[None][5] == "suppressed"
    assert reasons[45.3][5] == "consent_given"
    assert reasons[None][6] == "consent_given"
    assert {reasons[days][8] for days in MOMENTS} == {"unknown_subject"}
    assert [reasons[days][7] for days in MOMENTS] == [reasons[days][1] for days in MOMENTS]


def test_the_http_api_answers_rows_and_moments_as_the_service(
    client: TestClient, sqlite_ctx: Context
) -> None:
    _people(sqlite_ctx)
    body = "email,phone\r\n" + "".join(f"{e},{p}\r\n" for e, p in ROWS)
    for days in (None, 45.3):
        moment = None if days is None else ago(days=days)
        expected = [reason for _, reason, _, _ in _single(sqlite_ctx, moment)]
        at = {} if moment is None else {"at": moment.isoformat()}
        single = []
        for row in ROWS:
            named = [
                {"kind": kind, "value": value}
                for kind, value in zip(("email", "phone"), row, strict=True)
                if value
            ]
            answer = client.post(
                "/v1/checks",
                json={"identifiers": named, "purpose": CALLS, "channel": "sms", **at},
            )
            assert answer.status_code == 200, answer.text
            single.append(answer.json()["reason"])
        assert single == expected, days
        bulk = client.post(
            "/v1/checks/bulk",
            params={"purpose": CALLS, "channel": "sms", **at},
            content=body.encode(),
            headers={"Content-Type": "text/csv"},
        )
        rows = list(csv.DictReader(io.StringIO(bulk.text)))
        assert [r["reason"] for r in rows] == expected, days


def test_audience_filter_at_a_past_moment_answers_as_single_checks(
    sqlite_ctx: Context, tmp_path: Path
) -> None:
    _people(sqlite_ctx)
    moment = ago(days=45.3)
    expected = [reason for _, reason, _, _ in _single(sqlite_ctx, moment)]
    source, good, bad = tmp_path / "list.csv", tmp_path / "ok.csv", tmp_path / "rejected.csv"
    source.write_text("email,phone\n" + "".join(f"{e},{p}\n" for e, p in ROWS))
    done = tg(
        *["audience", "filter", source, "--purpose", CALLS, "--channel", "sms"],
        *["--out", good, "--rejected", bad, "--workers", "1", "--at", moment.isoformat()],
        env={**os.environ, **env_for(sqlite_ctx.settings)},
    )
    assert done.returncode == 0, done.stderr
    with bad.open(newline="", encoding="utf-8") as handle:
        rejected = [row["reason"] for row in csv.DictReader(handle)]
    assert rejected == [r for r in expected if r not in ("consent_given",)]
    assert len(rejected) < len(ROWS)


def test_a_suppression_removed_stops_counting_from_then_on_only(people: Context) -> None:
    engage_lists.remove_suppression(people, identifier=phone(LUIGI_PHONE))
    first, *others = _identifiers((LUIGI, LUIGI_PHONE))

    def reason(moment: datetime | None) -> Reason:
        request = CheckRequest(CALLS, Channel.SMS, first, None, moment, others=tuple(others))
        return check_contact(people, request=request).reason

    assert reason(None) is Reason.CONSENT_GIVEN
    assert reason(ago(days=10)) is Reason.SUPPRESSED  # it stood then
    assert reason(ago(days=40)) is Reason.CONSENT_GIVEN


def test_a_consent_after_a_number_is_first_seen_survives_the_next_register_file(
    ctx: Context,
) -> None:
    """The story of the issue, 2 Nov / 1 Oct / 5 Dec, on days before now: Mario's number is first
    seen on the file of 57 days ago, he consents 25 days ago, the file of 2 days ago lists him
    again (and Luigi for the first time, who also consented 25 days ago)."""
    setup_engage(ctx)
    today = ago().date()
    import_register(at_instant(ctx, ago(days=56)), ["3331234567"], today - timedelta(days=57))
    mario = event(ctx, purpose=CALLS, who=(phone(),), at=ago(days=25))
    luigi = event(ctx, purpose=CALLS, who=(phone(LUIGI_PHONE),), at=ago(days=25))
    import_register(ctx, ["3331234567", "3477654321"], today - timedelta(days=2))
    monday = rome(next_day(MONDAY), 10)

    def check(who: Identifier) -> tuple[Reason, str | None]:
        request = CheckRequest(CALLS, Channel.PHONE, who, moment=monday)
        outcome = check_contact(ctx, request=request)
        return outcome.reason, outcome.event_id

    assert check(phone()) == (Reason.CONSENT_GIVEN, mario.id)
    assert check(phone(LUIGI_PHONE)) == (Reason.OPPOSITION_REGISTER, luigi.id)
    # The file of 2 days ago removed: the previous one is current again, and Luigi is not on it.
    [latest, _] = engage_lists.list_registers(ctx)
    engage_lists.remove_register(ctx, register_id=latest.id)
    assert check(phone(LUIGI_PHONE)) == (Reason.CONSENT_GIVEN, luigi.id)


def test_a_number_that_left_the_register_and_came_back_is_first_seen_again(ctx: Context) -> None:
    setup_engage(ctx)
    today = ago().date()
    import_register(at_instant(ctx, ago(days=50)), ["3331234567"], today - timedelta(days=50))
    event(ctx, purpose=CALLS, who=(phone(),), at=ago(days=40))
    import_register(at_instant(ctx, ago(days=30)), ["3477654321"], today - timedelta(days=30))
    import_register(ctx, ["3331234567"], today - timedelta(days=3))
    request = CheckRequest(CALLS, Channel.PHONE, phone(), moment=rome(next_day(MONDAY), 10))
    assert check_contact(ctx, request=request).reason is Reason.OPPOSITION_REGISTER
