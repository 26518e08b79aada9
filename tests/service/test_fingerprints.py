"""Idempotency fingerprints: canonical JSON of named fields, and the frozen legacy format."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import AwareDatetime, BaseModel

from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.ledger import canonical_json
from trustguardian.service.fingerprints import (
    TAG,
    Fingerprint,
    LegacyRecord,
    digest,
    fingerprint,
    identifiers_of,
    instant,
    legacy_repr_sha256,
    same_request,
)


def ids() -> tuple[Identifier, ...]:
    return (
        Identifier(IdentifierKind.EMAIL, "anna.bianchi@example.com"),
        Identifier(IdentifierKind.EXTERNAL, "C-42 'x' \u00e8", system="crm"),
    )


names = st.text(st.characters(codec="ascii"), min_size=1, max_size=12)
plain = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4),
    max_leaves=12,
)
fields = st.dictionaries(names, plain, max_size=8)


@given(fields, st.randoms(use_true_random=False))
def test_field_order_does_not_change_the_fingerprint(
    named: dict[str, object], rng: random.Random
) -> None:
    shuffled = list(named.items())
    rng.shuffle(shuffled)
    assert fingerprint("use.case", dict(shuffled)) == fingerprint("use.case", named)  # type: ignore[arg-type]
    # what is hashed is RFC 8785 JSON, as the general encoder writes it
    body = canonical_json({"kind": "use.case", "fields": named})
    assert fingerprint("use.case", named) == TAG + hashlib.sha256(body).hexdigest()  # type: ignore[arg-type]


@given(fields, names, plain)
def test_a_changed_value_or_use_case_changes_the_fingerprint(
    named: dict[str, object], name: str, value: object
) -> None:
    before = fingerprint("use.case", named)  # type: ignore[arg-type]
    assert before.startswith(TAG)
    assert len(before) == len(TAG) + 64
    assert fingerprint("other.case", named) != before  # type: ignore[arg-type]
    changed = {**named, name: value}
    assert (fingerprint("use.case", changed) == before) == (changed == named)  # type: ignore[arg-type]


def test_equal_values_given_differently_have_one_fingerprint() -> None:
    rome = datetime(2026, 11, 20, 10, 15, tzinfo=ZoneInfo("Europe/Rome"))
    offset = datetime(2026, 11, 20, 10, 15, tzinfo=timezone(timedelta(hours=1)))
    utc = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    assert rome == offset == utc
    assert instant(rome) == instant(offset) == instant(utc) == "2026-11-20T09:15:00.000000Z"
    assert fingerprint("k", {"at": instant(rome), "ids": identifiers_of(ids())}) == fingerprint(
        "k", {"ids": identifiers_of(list(ids())), "at": instant(utc)}
    )
    # the same text, whatever its encoding in the source, and tuples as lists
    assert fingerprint("k", {"s": "caff\u00e8", "l": (1, 2)}) == fingerprint(
        "k", {"l": [1, 2], "s": "caffè"}
    )
    assert digest(b"scan") == hashlib.sha256(b"scan").hexdigest()
    assert digest(None) is None
    assert instant(None) is None


def test_the_format_is_fixed() -> None:
    # A golden value: the format is stored, so changing it is a new tag, not an edit.
    assert (
        fingerprint("k", {"b": [1, None, True], "a": "x"})
        == TAG + hashlib.sha256(b'{"fields":{"a":"x","b":[1,null,true]},"kind":"k"}').hexdigest()
    )


@pytest.mark.parametrize(
    "value",
    [Channel.EMAIL, datetime(2026, 1, 1, tzinfo=UTC), b"bytes", 1.5, {1: "x"}, ids()[0], {"è": 1}],
    ids=["enum", "datetime", "bytes", "float", "int-key", "dataclass", "non-ascii-key"],
)
def test_values_are_converted_explicitly(value: object) -> None:
    with pytest.raises(TypeError, match="fingerprint field"):
        fingerprint("k", {"nested": [{"value": value}]})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="aware"):
        instant(datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="exact"):
        fingerprint("k", {"n": 2**53})


def test_legacy_values_are_compared_only_when_untagged() -> None:
    calls: list[str] = []

    def legacy() -> str:
        calls.append("legacy")
        return "a" * 64

    now = Fingerprint(fingerprint("k", {"a": 1}), legacy)
    assert now.matches(now.value)
    assert calls == []
    assert now.matches("a" * 64)
    assert calls == ["legacy"]
    assert not now.matches("b" * 64)
    assert not now.matches(fingerprint("k", {"a": 2}))
    assert calls == ["legacy", "legacy"]  # a tagged value never asks for the legacy one
    # other writers' untagged values are compared as they always were: equal strings
    assert same_request("c" * 64, "c" * 64)
    assert not same_request("c" * 64, "d" * 64)


# --- the legacy format: what the code before revision 0016 wrote -----------------------------


class Api(BaseModel):
    at: AwareDatetime


@dataclass(frozen=True)
class CallRecording:  # as service/collect/in_person.py declared it before revision 0016
    reference: str
    sha256: str


def old(parts: tuple[object, ...]) -> str:
    """The expression the code before revision 0016 used, verbatim."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


identifier = st.builds(
    Identifier,
    st.sampled_from(IdentifierKind),
    st.text(max_size=20),
    st.none() | st.text(max_size=8),
)
moment = st.datetimes(
    min_value=datetime(2000, 1, 1), timezones=st.just(UTC) | st.timezones()
) | st.builds(
    lambda d, h: Api(at=d.replace(tzinfo=timezone(timedelta(minutes=h)))).at,
    st.datetimes(min_value=datetime(2000, 1, 1)),
    st.integers(-12 * 60, 14 * 60),
)


@given(
    st.sampled_from(RequestKind),
    st.text(max_size=30),
    st.sampled_from(Channel),
    st.lists(identifier, max_size=3),
    st.booleans(),
    st.none() | st.text(max_size=30),
    st.none() | moment,
)
def test_the_legacy_function_computes_what_the_old_code_wrote(
    kind: RequestKind,
    touchpoint: str,
    channel: Channel,
    identifiers: list[Identifier],
    as_tuple: bool,
    details: str | None,
    received_at: datetime | None,
) -> None:
    given_ids: object = tuple(identifiers) if as_tuple else identifiers
    parts = (kind, touchpoint, channel, given_ids, None, details, "it", received_at)
    assert legacy_repr_sha256(parts) == old(parts)


@given(
    st.lists(st.tuples(st.text(max_size=10), st.lists(st.sampled_from(Channel), max_size=2))),
    st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
    st.none() | st.tuples(st.text(max_size=20), st.text(max_size=64)),
)
def test_the_legacy_function_covers_the_in_person_record(
    purposes: list[tuple[str, list[Channel]]],
    operator: dict[str, str],
    recording: tuple[str, str] | None,
) -> None:
    chosen = tuple((p, tuple(cs)) for p, cs in purposes)
    stamp = datetime(2026, 11, 20, 9, 15, tzinfo=UTC).isoformat()
    call = None if recording is None else CallRecording(*recording)
    frozen = None if recording is None else LegacyRecord("CallRecording", tuple(zip(
        ("reference", "sha256"), recording, strict=True)))  # fmt: skip
    then = ("store", ids(), chosen, operator, stamp, None, call)
    now = ("store", ids(), chosen, operator, stamp, None, frozen)
    assert legacy_repr_sha256(now) == old(then)


def test_the_legacy_function_does_not_follow_our_reprs() -> None:
    # A golden value computed by the code before revision 0016: it must hold whatever later
    # becomes of Identifier, of enum reprs or of pydantic's time zones.
    parts = (
        RequestKind.ERASURE,
        "privacy-desk",
        Channel.EMAIL,
        [ids()[0]],
        None,
        None,
        "it",
        Api(at="2026-11-20T10:15:00+01:00").at,
    )
    assert legacy_repr_sha256(parts) == (
        "05b4c19f8ff052eebc9d7307e7c2151f29aee3b74131c98279d6be10e846e719"
    )
    with pytest.raises(TypeError, match="no legacy repr"):
        legacy_repr_sha256((object(),))


def test_an_event_body_fingerprint_ignores_fields_left_at_their_default() -> None:
    from trustguardian.api.event_schemas import EventCreate

    body = {
        "kind": "consent.given",
        "touchpoint": "web",
        "occurred_at": "2026-11-20T10:00:00+01:00",
        "identifiers": [{"kind": "email", "value": "anna@example.com"}],
        "purpose": "newsletter",
    }
    plain = EventCreate.model_validate(body).fingerprint()
    # a field sent at its default is the same request (as a field added later and not used is)
    assert EventCreate.model_validate({**body, "campaign": None}).fingerprint() == plain
    # the same instant in another offset is the same request; another purpose is not
    same = {**body, "occurred_at": "2026-11-20T09:00:00Z"}
    assert EventCreate.model_validate(same).fingerprint() == plain
    other = {**body, "purpose": "profiling"}
    assert EventCreate.model_validate(other).fingerprint() != plain


def test_a_body_with_keys_beyond_ascii_takes_the_general_encoder() -> None:
    import hashlib

    from trustguardian.ledger import canonical_json
    from trustguardian.service.fingerprints import TAG, of_body

    body = {"data": {"città": "Milano", "zona": "nord"}, "big": 2**60}
    expected = {
        "kind": "k",
        "fields": {"data": {"città": "Milano", "zona": "nord"}, "big": str(2**60)},
    }
    assert of_body("k", body) == TAG + hashlib.sha256(canonical_json(expected)).hexdigest()
    assert of_body("k", {"data": {"zona": "nord", "città": "Milano"}, "big": 2**60}) == of_body(
        "k", body
    )
