"""Subjects and their identifiers on SQLite and PostgreSQL: blinded, sealed, shreddable."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from trustguardian.domain.errors import Conflict, IdentifierTaken, InvalidInput, NotFound
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.events import subjects
from trustguardian.service.events.identifiers import normalise
from trustguardian.store import tables as t

EMAIL = IdentifierKind.EMAIL
PHONE = IdentifierKind.PHONE


def ids(*pairs: tuple[IdentifierKind, str]) -> list[Identifier]:
    return [normalise(kind, value) for kind, value in pairs]


def test_identifiers_are_normalised() -> None:
    assert normalise(EMAIL, "  Mario.Rossi@Example.COM ").value == "mario.rossi@example.com"
    assert normalise(PHONE, "333 123 4567").value == "+393331234567"
    assert normalise(PHONE, "+44 20 7946 0958").value == "+442079460958"
    assert normalise(IdentifierKind.EXTERNAL, "0035x", system="crm").namespace == "external:crm"


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (EMAIL, "not-an-email"),
        (EMAIL, "a@b"),
        (PHONE, "12"),
        (PHONE, "call me"),
        (IdentifierKind.CUSTOMER_ID, " "),
    ],
)
def test_malformed_identifiers_are_refused(kind: IdentifierKind, value: str) -> None:
    with pytest.raises(InvalidInput):
        normalise(kind, value)


def test_subject_is_found_by_any_identifier(ctx: Context) -> None:
    view = subjects.create_subject(
        ctx, identifiers=ids((EMAIL, "Mario@Example.com"), (PHONE, "3331234567"))
    )
    found = subjects.find_subject(ctx, identifier=normalise(PHONE, "+39 333 123 4567"))
    assert found.subject.id == view.subject.id
    assert {i.value for i in found.identifiers} == {"mario@example.com", "+393331234567"}
    assert view.subject.id.startswith("sub_")


def test_identifiers_are_never_stored_in_clear(ctx: Context) -> None:
    subjects.create_subject(ctx, identifiers=ids((EMAIL, "mario@example.com")))
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(t.subject_identifiers)).all()
    assert len(rows) == 1
    assert b"mario" not in bytes(rows[0].sealed)
    assert "mario" not in rows[0].blind


def test_one_identifier_belongs_to_one_subject(ctx: Context) -> None:
    first = subjects.create_subject(ctx, identifiers=ids((EMAIL, "mario@example.com")))
    with pytest.raises(IdentifierTaken):
        subjects.create_subject(
            ctx, identifiers=ids((EMAIL, "MARIO@example.com"), (PHONE, "3331234567"))
        )
    other = subjects.create_subject(ctx, identifiers=ids((PHONE, "3331234567")))
    with pytest.raises(IdentifierTaken):
        subjects.add_identifiers(
            ctx, subject_id=other.subject.id, identifiers=ids((EMAIL, "mario@example.com"))
        )
    assert len(subjects.get_subject(ctx, subject_id=first.subject.id).identifiers) == 1


def test_shredded_subject_is_unreadable_but_stays_suppressed(ctx: Context) -> None:
    view = subjects.create_subject(ctx, identifiers=ids((EMAIL, "mario@example.com")))
    with ctx.uow() as uow:
        subjects.shred_subject(ctx, subject_id=view.subject.id, uow=uow)
        uow.commit()
    after = subjects.get_subject(ctx, subject_id=view.subject.id)
    assert after.subject.shredded
    assert [i.value for i in after.identifiers] == [None]
    found = subjects.find_subject(ctx, identifier=normalise(EMAIL, "mario@example.com"))
    assert found.subject.id == view.subject.id
    with pytest.raises(Conflict), ctx.uow() as uow:
        subjects.resolve_subject(
            ctx, uow, subjects.keyring(ctx, uow), ids((EMAIL, "mario@example.com"))
        )


def test_unknown_subject_is_not_found(ctx: Context) -> None:
    with pytest.raises(NotFound):
        subjects.get_subject(ctx, subject_id="sub_missing")
