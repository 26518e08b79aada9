"""Protection of personal data and evidence (pure functions, no I/O).

Design:

* **Per-subject keys.**  Each data subject has a random 32-byte data key.  All of
  the subject's personal data and evidence is sealed with AES-256-GCM under it
  (`cipher`, `evidence`).  The data key is stored only *wrapped* by the
  instance master key, with the subject id as associated data (`keys`).
* **Erasure = destroy the wrapped key** (crypto-shredding, `shred`).  Deleting
  one small row makes every copy of the subject's data, including backups and
  replicas, permanently unreadable.  `SubjectKeyring` is the service layer's
  entry point and raises `SubjectShredded` once the key is gone.
* **Blind index for identifiers** (`blind`).  Lookup by e-mail or phone and the
  suppression list use a keyed HMAC of the normalised identifier, so equality
  checks work without storing identifiers in the clear or as guessable hashes.
* **Salted commitments** (`commit`).  The tamper-evident ledger holds
  ``SHA-256(salt || content)`` fingerprints of evidence: verifiable given the
  salt and content, revealing nothing about the content without them.

Randomness is injected through the `Random` protocol (`SecretsRandom` in
production) so that tests are deterministic.  Storage is the caller's job.
"""

from __future__ import annotations

from trustguardian.vault.blind import blind_identifier, blinder
from trustguardian.vault.cipher import open_sealed, seal
from trustguardian.vault.commit import commitment, new_salt, verify_commitment
from trustguardian.vault.errors import EvidenceTooLarge, SubjectShredded, VaultError
from trustguardian.vault.evidence import (
    EvidenceBlob,
    evidence_address,
    open_evidence,
    seal_evidence,
)
from trustguardian.vault.keys import (
    PURPOSE_BLIND_INDEX,
    MasterKey,
    derive_key,
    new_data_key,
    unwrap_data_key,
    wrap_data_key,
)
from trustguardian.vault.rng import SYSTEM_RANDOM, BatchRandom, Random, SecretsRandom
from trustguardian.vault.shred import SubjectKeyring

__all__ = [
    "PURPOSE_BLIND_INDEX",
    "SYSTEM_RANDOM",
    "BatchRandom",
    "EvidenceBlob",
    "EvidenceTooLarge",
    "MasterKey",
    "Random",
    "SecretsRandom",
    "SubjectKeyring",
    "SubjectShredded",
    "VaultError",
    "blind_identifier",
    "blinder",
    "commitment",
    "derive_key",
    "evidence_address",
    "new_data_key",
    "new_salt",
    "open_evidence",
    "open_sealed",
    "seal",
    "seal_evidence",
    "unwrap_data_key",
    "verify_commitment",
    "wrap_data_key",
]
