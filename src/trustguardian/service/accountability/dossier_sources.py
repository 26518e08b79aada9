"""The source files a subject's imported events came from, as their dossier shows them: the
file's ledger record and its proof, the person's own rows in clear with their inclusion paths in
the file's tree of row commitments, and every other row as its commitment only.

The rows are the ones the dossier's own `import` proofs open (service.collect.source_file): a
row is in clear only when its salt and bytes, sealed with this person's key, give the
commitment the file's record was written with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from trustguardian.ledger import inclusion_coords, inclusion_proof
from trustguardian.ledger.source_file import copy_with_rows, row_commitment, row_path
from trustguardian.service.collect.source_file import CHANGE
from trustguardian.store.records import StoredRecord
from trustguardian.store.snapshots import SOURCE_FILE
from trustguardian.store.sources import StoredSource
from trustguardian.store.uow import UnitOfWork

if TYPE_CHECKING:  # the dossier gathers these with its evidence: no import back at run time
    from trustguardian.service.accountability.dossier import OpenedEvidence


@dataclass(frozen=True)
class SourceRow:
    """One of the subject's rows: the evidence that opens it, its path to the file's root."""

    index: int
    evidence: OpenedEvidence
    inclusion_path: list[bytes]


@dataclass(frozen=True)
class DossierSource:
    source: StoredSource
    record: StoredRecord
    record_path: list[bytes]  # the record leaf's inclusion path to the dossier's checkpoint
    commitments: list[str]
    rows: list[SourceRow]
    sealed_copy: bytes  # the file with the subject's rows in clear, every other withheld


def dossier_sources(
    uow: UnitOfWork, evidence: list[OpenedEvidence], tree_size: int
) -> list[DossierSource]:
    """The source files cited by the subject's opened `import` proofs."""
    cited: dict[str, dict[int, OpenedEvidence]] = {}
    for item in evidence:
        source = item.fields.get("source_file") if item.type == "import" else None
        if isinstance(source, dict) and item.file is not None:
            cited.setdefault(str(source["id"]), {}).setdefault(int(source["index"]), item)
    found = []
    for source_id, items in sorted(cited.items()):
        source = uow.sources.get(source_id)
        record = next(
            (
                r
                for r in uow.records.history(SOURCE_FILE, source_id)
                if r.kind == f"registry.{SOURCE_FILE}.{CHANGE}" and r.seq < tree_size
            ),
            None,
        )
        if source is None or record is None:
            continue  # the verify of the ledger names a cited file that has no record
        commitments = uow.sources.commitments(source_id)
        rows, clear = [], {}
        for index, item in sorted(items.items()):
            raw = (item.file or b"")[len(source.header) :]
            salt = bytes.fromhex(str(item.fields["source_file"]["salt"]))
            if index >= len(commitments) or row_commitment(salt, raw) != commitments[index]:
                continue
            clear[index] = raw
            rows.append(SourceRow(index, item, row_path(index, commitments)))
        nodes = uow.ledger.nodes(inclusion_coords(record.seq, tree_size))
        found.append(
            DossierSource(
                source=source,
                record=record,
                record_path=inclusion_proof(record.seq, tree_size, nodes),
                commitments=commitments,
                rows=rows,
                sealed_copy=copy_with_rows(source.header, commitments, clear),
            )
        )
    return found
