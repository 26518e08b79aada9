"""The consent fold of verification on plain rows, checked against the stored consent states.

`check_consent` folds `ConsentFact` objects and compares each state in its written form. Here
the fold keeps the raw fact row (`FactRow`) that wins each subject x purpose x channel, ranked
exactly as `fold` ranks facts, and each stored state row is first compared with the row the winner
calls for in the database's own form. Equal rows need nothing more; a row that differs is
judged by the exact comparison, so the problems found are the same. Anything unusual (a value
the exact path would refuse, a time not written the usual way) makes `quick_consent` answer
None, and the caller runs the exact check instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from typing import Any

from trustguardian.domain.consent import (
    PROTECTIVE,
    STATUS_OF,
    ConsentStatus,
    protective,
    state_of,
)
from trustguardian.domain.events import EventKind
from trustguardian.service.verify.rows import CHANNELS, consent_fact, state_row, stored_state
from trustguardian.store.events.scans import FactRow, StateRow, json_value, time_text

Key = tuple[Any, Any, str]
# (rank as `fold` ranks a fact, its fact row, its channel values)
Won = tuple[tuple[datetime, int, Any], Any, tuple[str, ...]]
Lifetimes = dict[tuple[str, int], int | None]
Rows = Callable[[], Generator[FactRow, None, None]]

STATUS = {kind.value: str(status) for kind, status in STATUS_OF.items()}
GIVING = {kind.value for kind, status in STATUS_OF.items() if status is ConsentStatus.GIVEN}
GIVEN = EventKind.CONSENT_GIVEN.value
PENDING = str(ConsentStatus.PENDING_CONFIRMATION)
# The kinds of the fact rows that can change the fold (with the corrections of any kind).
DECIDING = frozenset(STATUS)
# SQLite's text for a time; its leaf form is written back unchanged by `timestamp`.
USUAL_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}")
# What the exact path may raise on a value it cannot take (it then raises again, or reports).
REFUSED = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)


def quick_consent(
    facts: Rows, states: Iterable[StateRow], lifetime: Lifetimes
) -> tuple[int, list[str]] | None:
    """The stored states read and the problems found, as `consent_problems` reports them.

    `facts` opens a stream of fact rows, or only those of `DECIDING` kinds and corrections (a
    second stream only when a correction changes a winner); `states` are the stored consent
    state rows. None when a value is unusual.
    """
    try:
        latest, corrected = _fold(facts, set())
        if any(won[1][1] in corrected for won in latest.values()):
            # A corrected event no longer counts. Only a winner's correction changes the fold:
            # fold again without the corrected events.
            latest, _ = _fold(facts, corrected)
        return _compare(latest, states, lifetime, {})
    except REFUSED:
        return None


def _moment(value: Any) -> datetime:
    # The instant `consent_fact` reads from the leaf form of a stored time, ranked alike.
    if type(value) is str:
        return datetime.fromisoformat(value.replace(" ", "T") + "+00:00")
    moment: datetime = value.astimezone(UTC)
    return moment


def _fold(facts: Rows, skipped: set[Any]) -> tuple[dict[Key, Won], set[Any]]:
    listed_of: dict[str, tuple[str, ...]] = {}
    latest: dict[Key, Won] = {}
    corrected: set[Any] = set()
    with closing(facts()) as rows:
        for row in rows:
            seq, event_id, kind, subject, key, version, channels = row[:7]
            occurred, corrects, confirm = row[9:]
            if corrects is not None:
                corrected.add(corrects)
            if kind not in STATUS or (key is None and version is None):
                continue
            if event_id in skipped and kind not in PROTECTIVE:
                continue  # a correction never removes a withdrawal or refusal
            listed = listed_of.get(channels) if type(channels) is str else None
            if listed is None:
                listed = tuple(CHANNELS[c].value for c in json_value(channels))
                if type(channels) is str:
                    listed_of[channels] = listed
            if confirm is not None:
                _moment(confirm)  # read for every fact on the exact path: it must be readable
            won: Won = ((_moment(occurred), protective(kind), seq), row, listed)
            rank = won[0]
            for channel in listed:
                current = latest.get((subject, key, channel))
                if current is None or rank >= current[0]:
                    latest[(subject, key, channel)] = won
    return latest, corrected


def _compare(
    latest: dict[Key, Won], states: Iterable[Any], lifetime: Lifetimes, days: dict[Any, str]
) -> tuple[int, list[str]]:
    count = 0
    problems: list[str] = []
    for row in states:
        count += 1
        won = latest.pop((row[0], row[1], row[2]), None)
        if won is None or (
            _quick_row(won, row[2], lifetime, days) != row
            and _exact_row(won, row[2], lifetime) != stored_state(row)
        ):
            problems.append(
                f"consent state {row[0]}/{row[1]}/{row[2]} differs from the fold of the ledger"
            )
    problems.extend(f"consent state {k[0]}/{k[1]}/{k[2]} missing" for k in latest)
    return count, problems


def _quick_row(
    won: Won, channel: str, lifetime: Lifetimes, days: dict[Any, str]
) -> tuple[Any, ...] | None:
    """The stored row a winner calls for, in the driver's form (None: judge it exactly).

    Equal to a stored row, `stored_state` of that row is what `state_row` writes for the
    winner's state: SQLite times are then usual text, which the leaf form writes back alike.
    """
    seq, event_id, kind, subject, key, version, _c, notice, notice_version, occurred = won[1][:10]
    confirm = won[1][11]
    status, expires = STATUS[kind], None
    since: Any = won[0][0]
    if type(occurred) is str:
        if not USUAL_TIME.fullmatch(occurred):
            return None
        since = occurred
    if kind == GIVEN and confirm is not None:
        status, expires = PENDING, confirm
        if type(confirm) is str and not USUAL_TIME.fullmatch(confirm):
            return None
        if type(confirm) is not str:
            expires = confirm.astimezone(UTC)
    elif kind in GIVING:
        lifetime_days = lifetime.get((key, version))
        if lifetime_days is not None:
            expires = _later(since, lifetime_days, days)
    return (subject, key, channel, status, since, event_id, seq, version, notice,
            notice_version, expires)  # fmt: skip


def _later(since: Any, lifetime_days: int, days: dict[Any, str]) -> Any:
    if type(since) is not str:
        return since + timedelta(days=lifetime_days)
    # A UTC time plus whole days keeps its time of day: only the date moves, and many events
    # share a date.
    day = days.get((since[:10], lifetime_days))
    if day is None:
        moved = date.fromisoformat(since[:10]) + timedelta(days=lifetime_days)
        day = days[(since[:10], lifetime_days)] = moved.isoformat()
    return day + since[10:]


def _exact_row(won: Won, channel: str, lifetime: Lifetimes) -> tuple[Any, ...]:
    """`state_row` of the state the winner sets, as `consent_problems` computes it."""
    seq, event_id, kind, subject, key, version, channels, notice, notice_version = won[1][:9]
    occurred, corrects, confirm = won[1][9:]
    values = (
        seq, event_id, kind, subject, key, version, json_value(channels), notice,
        notice_version, time_text(occurred), corrects, time_text(confirm),
    )  # fmt: skip
    fact = consent_fact(values, True, lifetime)
    assert fact is not None  # a deciding kind with a purpose
    return state_row(state_of(fact, CHANNELS[channel]))
