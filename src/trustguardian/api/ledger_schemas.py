"""Response models of the ledger's proofs, checkpoints and opened evidence: typed, so that a
generated client reads them as classes rather than untyped maps."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CheckpointRead(BaseModel):
    """A signed checkpoint of the ledger (a C2SP signed note)."""

    origin: str = Field(description="The log's name: the first line of the note.")
    tree_size: int = Field(description="How many events the tree held when signed.")
    root_hash: str = Field(description="Base64 RFC 9162 root hash of that tree.")
    note: str = Field(description="The signed note itself; verify it with the public key.")


class InclusionProofRead(BaseModel):
    """An RFC 9162 inclusion proof of one event's leaf in the tree of a signed checkpoint."""

    event_id: str = Field(description="The event proven.")
    leaf_index: int = Field(description="Position of the event's leaf in the tree, from 0.")
    tree_size: int = Field(description="Size of the tree the proof is against.")
    leaf: str = Field(description="Base64 of the leaf: the event's canonical JSON envelope.")
    leaf_hash: str = Field(description="Base64 RFC 9162 hash of the leaf.")
    inclusion_path: list[str] = Field(description="Base64 sibling hashes, leaf to root.")
    checkpoint: str = Field(description="The signed note of the tree the proof is against.")


class CheckProofRead(BaseModel):
    """A check proven: its row's path to its batch's root, and that batch's record's path
    to a signed checkpoint (both RFC 9162)."""

    check_id: str = Field(description="The check proven.")
    row: str = Field(description="Base64 RFC 8785 form of the check's row, as its batch hashed it.")
    row_hash: str = Field(description="Base64 RFC 9162 leaf hash of `row`.")
    index: int = Field(description="The row's position in its batch.")
    batch_size: int = Field(description="How many rows the batch sealed.")
    batch_root: str = Field(description="Base64 Merkle root of the batch, as its record holds it.")
    batch_path: list[str] = Field(description="Base64 inclusion path from `row_hash` to the root.")
    record_index: int = Field(description="The ledger index of the record sealing the batch.")
    record: str = Field(description="Base64 leaf of that record (its content holds the root).")
    record_path: list[str] = Field(description="Base64 inclusion path of the record's leaf.")
    tree_size: int = Field(description="The tree size of the checkpoint the path leads to.")
    checkpoint: str = Field(description="The signed checkpoint (C2SP signed note).")


class ConsistencyProofRead(BaseModel):
    """An RFC 9162 consistency proof: the larger tree extends the smaller one unchanged."""

    size1: int = Field(description="The smaller tree size (`from`).")
    size2: int = Field(description="The larger tree size (`to`).")
    root1: str = Field(description="Base64 root hash of the smaller tree.")
    root2: str = Field(description="Base64 root hash of the larger tree.")
    proof: list[str] = Field(description="Base64 hashes of the consistency proof.")


class LedgerPublicKeyRead(BaseModel):
    """The key that verifies checkpoints."""

    verifier_key: str = Field(description="The C2SP note verifier key (name+hash+key).")
    origin: str = Field(description="The log's name, as in every checkpoint.")


class EvidenceRead(BaseModel):
    """One proof of an event, opened: its sealed content with the salt of its commitment."""

    event_id: str = Field(description="The event the proof belongs to.")
    position: int = Field(description="The proof's position among the event's proofs, from 0.")
    commitment: str = Field(description="The commitment recorded in the ledger for the proof.")
    salt: str = Field(description="Base64 salt: hash it with the content to get the commitment.")
    content: dict[str, object] = Field(description="The proof's fields as recorded.")
    has_file: bool = Field(description="Whether a file comes with it (GET .../file).")


class TimestampRead(BaseModel):
    """An RFC 3161 time-stamp of a checkpoint."""

    tree_size: int = Field(description="The size of the checkpoint stamped.")
    gen_time: str = Field(description="The time the authority attests, ISO 8601.")
    tsa_url: str = Field(description="The time-stamping authority that signed it.")


class SaleSharingRead(BaseModel):
    """Whether a purpose sells or shares personal data."""

    purpose: str = Field(description="The purpose's key.")
    sale_sharing: bool = Field(description="True: a `Sec-GPC: 1` signal objects to it.")
