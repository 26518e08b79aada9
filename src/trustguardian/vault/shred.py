"""Crypto-shredding and the per-subject keyring used by the service layer.

Erasure works by destroying keys, not by finding every copy of the data:
all of a subject's personal data and evidence is sealed under that subject's
data key, and the only persistent copy of the data key is its wrapped form in
the store.  To erase a subject, the store deletes the wrapped-key row (and the
service calls `SubjectKeyring.forget` on live keyrings).  From then on
`SubjectKeyring.data_key_for(subject_id, create=False)` raises
`SubjectShredded`, so no `open_*` call can be made for that subject; the
ciphertext left behind in backups, replicas and the ledger is unreadable.

A subject with no stored key is treated the same whether it was erased or
never created: either way there is nothing that can be decrypted.  Creating a
key again for an erased subject (``create=True``) yields a *new* key; the old
data stays unreadable.

The vault does no I/O: the keyring is given two callables by the store.
``store_wrapped`` should insert only if no key exists yet (e.g. ``INSERT ... ON
CONFLICT DO NOTHING``).  After storing, the keyring reads the key back and
uses whatever the store holds, so two workers racing to create a subject's key
end up using the same (winning) key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from trustguardian.vault.errors import SubjectShredded, VaultError
from trustguardian.vault.keys import MasterKey, new_data_key, unwrap_with_any, wrap_data_key
from trustguardian.vault.rng import Random

LoadWrapped = Callable[[str], bytes | None]
StoreWrapped = Callable[[str, bytes], None]


class SubjectKeyring:
    """Hands out per-subject data keys, unwrapping (or creating) them on first use.

    Unwrapped keys are cached in memory for the keyring's lifetime; keep keyrings
    short-lived (e.g. one per request or job) and call `forget` after erasure.
    """

    def __init__(
        self,
        master: MasterKey,
        rng: Random,
        load_wrapped: LoadWrapped,
        store_wrapped: StoreWrapped,
        retired: Sequence[MasterKey] = (),
    ) -> None:
        self._master = master
        # Keys wrapped before a master-key rotation stay readable until they are re-wrapped.
        self._masters = (master, *retired)
        self._rng = rng
        self._load_wrapped = load_wrapped
        self._store_wrapped = store_wrapped
        self._cache: dict[str, bytes] = {}

    def __repr__(self) -> str:
        return f"SubjectKeyring(master={self._master!r}, cached={len(self._cache)})"

    def data_key_for(self, subject_id: str, create: bool = False) -> bytes:
        """Return the subject's data key; create it if `create`, else raise SubjectShredded."""
        cached = self._cache.get(subject_id)
        if cached is not None:
            return cached
        wrapped = self._load_wrapped(subject_id)
        if wrapped is None:
            if not create:
                raise SubjectShredded(subject_id)
            wrapped = self._create(subject_id)
        data_key = unwrap_with_any(self._masters, subject_id, wrapped)
        self._cache[subject_id] = data_key
        return data_key

    def _create(self, subject_id: str) -> bytes:
        candidate = wrap_data_key(self._master, subject_id, new_data_key(self._rng), self._rng)
        self._store_wrapped(subject_id, candidate)
        stored = self._load_wrapped(subject_id)
        if stored is None:
            raise VaultError(f"store did not keep the new data key for subject {subject_id!r}")
        return stored

    def forget(self, subject_id: str) -> None:
        """Drop the subject's unwrapped key from this keyring's cache."""
        self._cache.pop(subject_id, None)

    def is_shredded(self, subject_id: str) -> bool:
        """Return True if the store holds no key for the subject (erased or never created)."""
        if self._load_wrapped(subject_id) is None:
            self.forget(subject_id)
            return True
        return False
