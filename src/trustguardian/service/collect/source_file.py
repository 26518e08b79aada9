"""The file a legacy import read, kept as evidence without keeping anyone's data in it.

The file holds many people, so no copy of it is stored. Its ledger record (a registry record of
kind `registry.source_file.imported`) commits to its SHA-256, name, size, encoding, header bytes,
row count and the Merkle root over one salted commitment per data record, `SHA-256(salt || the
record's exact bytes)`, in file order (ledger.source_file). The commitments are kept with the
record: no personal data, and they survive every erasure. Each row's salt and bytes are sealed
with its person's key, in the `import` proof of every event the row produced, which names the
record and the row's index; erasing the person makes their row unreadable and leaves the root,
and everyone else's proofs, as they were.

The record is written in the transaction of the first events the file produced (an import that
records nothing leaves none), and each batch's transaction links its rows to its events.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from trustguardian.domain.errors import NotFound
from trustguardian.domain.events import PrivacyEvent
from trustguardian.ledger.source_file import copy_with_rows, row_commitment, rows_root
from trustguardian.service.access.access_log import log_read
from trustguardian.service.collect.evidence import open_blob, open_proof
from trustguardian.service.collect.import_source import SourceFile, records
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.service.events.subjects import keyring
from trustguardian.store.snapshots import SOURCE_FILE
from trustguardian.store.sources import StoredSource
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import SubjectShredded, new_salt
from trustguardian.vault.evidence import EvidenceBlob

CHANGE = "imported"


@dataclass(frozen=True)
class SourcePlan:
    """The file as its record will commit to it: the header, each row's salt and commitment."""

    id: str
    source: SourceFile
    header: bytes
    salts: list[bytes]
    commitments: list[str]

    @property
    def root(self) -> str:
        return rows_root(self.commitments)

    def cite(self, index: int) -> dict[str, object]:
        """What row `index`'s `import` proof says of it (sealed with the person's key)."""
        return {"id": self.id, "index": index, "salt": self.salts[index].hex()}


def plan_source(ctx: Context, source: SourceFile, delimiter: str) -> SourcePlan:
    """Salts and commits to every data record of a file already read whole."""
    found = list(records(source, delimiter))
    header = found[0].raw if found else b""
    # A row repeated byte for byte gets its first copy's salt: the same consent twice in a file
    # is recorded once, and the rebuilt file opens the repeat with the first copy's bytes.
    by_bytes: dict[bytes, bytes] = {}
    salts = [by_bytes.setdefault(r.raw, new_salt(ctx.rng)) for r in found[1:]]
    commitments = [row_commitment(s, r.raw) for s, r in zip(salts, found[1:], strict=True)]
    return SourcePlan(ctx.ids.new_id("src"), source, header, salts, commitments)


@dataclass
class SourceWriter:
    """Writes the source record with the first events, and each batch's row-to-event links."""

    ctx: Context
    plan: SourcePlan
    touchpoint: str
    imported_by: str
    written: bool = False

    def hook(self, positions: dict[str, int]) -> Callable[[UnitOfWork, list[PrivacyEvent]], None]:
        """A `before_commit` for a batch whose drafts' idempotency keys name their rows."""

        def before_commit(uow: UnitOfWork, events: list[PrivacyEvent]) -> None:
            if not events:
                return
            if not self.written and uow.sources.get(self.plan.id) is None:
                self._write(uow)
            seqs = {e.id: e.seq for e in events}
            keys = list(positions)
            links = {
                (positions[key], seqs[event_id])
                for key, (_, ids) in uow.events.idempotent(self.touchpoint, keys).items()
                for event_id in ids
                if event_id in seqs
            }
            uow.sources.link(self.plan.id, sorted(links))

        return before_commit

    def _write(self, uow: UnitOfWork) -> None:
        plan, source = self.plan, self.plan.source
        stored = StoredSource(
            id=plan.id,
            file_sha256=source.sha256,
            name=source.name,
            size=len(source.content),
            encoding=source.charset,
            bom=source.bom,
            header=plan.header,
            rows=len(plan.commitments),
            root=plan.root,
            touchpoint_key=self.touchpoint,
            imported_by=self.imported_by,
            imported_at=self.ctx.clock.now(),
        )
        uow.sources.add(stored, plan.commitments)
        record_objects(self.ctx, uow, SOURCE_FILE, [plan.id], CHANGE, actor=self.imported_by)

    def committed(self, results: Sequence[object]) -> None:
        """Notes that a batch's transaction, holding new events, committed."""
        if results:
            self.written = True


@dataclass(frozen=True)
class OpenedRow:
    """A row of a source file opened from the `import` proof of an event it produced."""

    index: int
    salt: bytes
    raw: bytes
    event_id: str
    seq: int
    position: int  # the import proof's position in the event


def open_rows(
    ctx: Context, uow: UnitOfWork, source: StoredSource
) -> tuple[list[str], dict[int, OpenedRow]]:
    """The file's commitments, and each row still readable whose salt and bytes give its
    commitment (a repeat of a row opened by that row's bytes); an erased person's stay closed."""
    commitments = uow.sources.commitments(source.id)
    ring = keyring(ctx, uow)
    opened: dict[int, OpenedRow] = {}
    for index, events in sorted(uow.sources.row_events(source.id).items()):
        for seq, event_id, owner in events:
            if index in opened:
                continue
            try:
                data_key = ring.data_key_for(owner)
            except SubjectShredded:
                continue
            row = _open_row(uow, data_key, source, index, seq, event_id, owner)
            if row is not None and row_commitment(row.salt, row.raw) == commitments[index]:
                opened[index] = row
    by_commitment = {commitments[i]: row for i, row in opened.items()}
    for index, commitment in enumerate(commitments):
        if index not in opened and commitment in by_commitment:
            opened[index] = replace(by_commitment[commitment], index=index)
    return commitments, opened


def _open_row(
    uow: UnitOfWork, data_key: bytes, source: StoredSource, index: int, seq: int,
    event_id: str, owner: str,
) -> OpenedRow | None:  # fmt: skip
    for proof in uow.events.proofs([seq]).get(seq, []):
        if proof.type != "import" or proof.blob_address is None:
            continue
        _, content = open_proof(data_key, event_id, proof)
        cited = json.loads(content).get("source_file") or {}
        if cited.get("id") != source.id or cited.get("index") != index:
            continue
        row = uow.events.blob(owner, proof.blob_address)
        if row is None:
            return None
        blob = EvidenceBlob(row.address, bytes(row.sealed), row.size, row.media_type)
        excerpt = open_blob(data_key, owner, blob)
        if not excerpt.startswith(source.header):
            return None
        raw = excerpt[len(source.header) :]
        return OpenedRow(index, bytes.fromhex(cited["salt"]), raw, event_id, seq, proof.position)
    return None


@dataclass(frozen=True)
class RebuiltSource:
    source: StoredSource
    content: bytes
    withheld: list[int]  # the rows written as their commitments

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def rebuild_source(ctx: Context, *, source_id: str, reader: str) -> RebuiltSource:
    """The file as imported, every row still readable in clear and the rest (an erased person's,
    or one that produced no event) as its commitment; each person read is access-logged."""
    with ctx.uow(write=False) as uow:
        source = uow.sources.get(source_id)
        if source is None:
            raise NotFound(f"no source file {source_id!r}")
        commitments, opened = open_rows(ctx, uow, source)
        owners = {
            owner
            for index, events in uow.sources.row_events(source_id).items()
            if index in opened
            for _, _, owner in events
        }
    for owner in sorted(owners):
        log_read(ctx, reader=reader, subject_id=owner, what=f"source file {source_id}")
    content = copy_with_rows(source.header, commitments, {i: r.raw for i, r in opened.items()})
    withheld = [i for i in range(len(commitments)) if i not in opened]
    return RebuiltSource(source, content, withheld)


def list_sources(ctx: Context) -> list[StoredSource]:
    """Every imported source file, oldest first."""
    with ctx.uow(write=False) as uow:
        return uow.sources.all()
