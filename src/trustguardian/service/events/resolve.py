"""Resolves the subjects of a batch of events with a handful of queries, whatever its size."""

from __future__ import annotations

from collections.abc import Sequence

from trustguardian.domain.errors import Conflict, FieldError, IdentifierTaken, InvalidInput
from trustguardian.domain.subjects import Identifier
from trustguardian.service.context import Context
from trustguardian.service.events.subjects import blind, identifier_aad
from trustguardian.store.events.subjects import NewIdentifier, NewSubject
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import Random, new_data_key, seal, wrap_data_key
from trustguardian.vault.keys import unwrap_with_any


class BatchSubjects:
    """Finds or creates the subject of each event; new subjects and identifiers are written once."""

    def __init__(self, ctx: Context, uow: UnitOfWork, rng: Random | None = None) -> None:
        self._ctx = ctx
        self._rng = rng or ctx.rng
        self._uow = uow
        self._owner: dict[str, str] = {}
        self._keys: dict[str, bytes] = {}
        self._shredded: set[str] = set()
        self._new_subjects: list[NewSubject] = []
        self._new_identifiers: list[NewIdentifier] = []
        self._blinds: dict[Identifier, str] = {}

    def _blind(self, identifier: Identifier) -> str:
        found = self._blinds.get(identifier)
        if found is None:
            found = self._blinds[identifier] = blind(self._ctx, identifier)
        return found

    def prepare(
        self, identifier_sets: Sequence[Sequence[Identifier]], subject_ids: Sequence[str | None]
    ) -> None:
        """Loads every known identifier and subject of the batch in one go."""
        blinds = list({self._blind(i) for ids in identifier_sets for i in ids})
        self._owner.update(self._uow.subjects.find_by_blind(blinds))
        known = set(self._owner.values()) | {s for s in subject_ids if s is not None}
        self._load_subjects(known)

    def _load_subjects(self, subject_ids: set[str]) -> None:
        wanted = [s for s in subject_ids if s not in self._keys and s not in self._shredded]
        if not wanted:
            return
        for found in self._uow.subjects.keys_of(wanted):
            if found.wrapped is None:
                self._shredded.add(found.subject_id)
            else:
                wrapped = bytes(found.wrapped)
                self._keys[found.subject_id] = unwrap_with_any(
                    self._ctx.masters_for(wrapped), found.subject_id, wrapped
                )

    def resolve(
        self, identifiers: Sequence[Identifier], subject_id: str | None, loc: str
    ) -> tuple[str, list[str]]:
        """Returns the subject id and the keyed hashes of the identifiers it was named by."""
        blinds = [self._blind(i) for i in identifiers]
        owners = {self._owner[b] for b in blinds if b in self._owner}
        if subject_id is not None:
            if subject_id not in self._keys and subject_id not in self._shredded:
                raise InvalidInput(
                    f"no subject {subject_id!r}",
                    errors=[FieldError(f"{loc}.subject_id", "unknown")],
                )
            owners.add(subject_id)
        if len(owners) > 1:
            raise IdentifierTaken(
                "the identifiers name different subjects",
                errors=[FieldError(f"{loc}.identifiers", "ambiguous")],
            )
        if not owners and not blinds:
            raise InvalidInput(
                "name the subject by an identifier or its id",
                errors=[FieldError(f"{loc}.identifiers", "empty")],
            )
        subject = owners.pop() if owners else self._create()
        if subject in self._shredded:
            raise Conflict(
                "this subject was erased; the identifier stays on the suppression list",
                errors=[FieldError(f"{loc}.identifiers", "erased subject")],
            )
        for b, ident in zip(blinds, identifiers, strict=True):
            if b not in self._owner:
                self._link(subject, b, ident)
        return subject, sorted(set(blinds))

    def data_key(self, subject_id: str) -> bytes:
        return self._keys[subject_id]

    def _create(self) -> str:
        ctx = self._ctx
        subject_id = ctx.ids.new_id("sub")
        now = ctx.clock.now()
        data_key = new_data_key(self._rng)
        self._keys[subject_id] = data_key
        wrapped = wrap_data_key(ctx.keys.master, subject_id, data_key, self._rng)
        self._new_subjects.append(NewSubject(subject_id, wrapped, now))
        return subject_id

    def _link(self, subject_id: str, blind_hash: str, ident: Identifier) -> None:
        sealed = seal(
            self._keys[subject_id],
            ident.value.encode(),
            identifier_aad(subject_id, blind_hash),
            self._rng,
        )
        self._owner[blind_hash] = subject_id
        self._new_identifiers.append(
            NewIdentifier(blind_hash, subject_id, ident.namespace, sealed, self._ctx.clock.now())
        )

    def flush(self) -> None:
        """Writes the subjects, keys and identifiers this batch created."""
        self._uow.subjects.add_many(self._new_subjects, self._new_identifiers)
