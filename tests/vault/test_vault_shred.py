"""SubjectKeyring and crypto-shredding."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from trustguardian.vault import (
    MasterKey,
    Random,
    SubjectKeyring,
    SubjectShredded,
    VaultError,
    open_sealed,
    seal,
    unwrap_data_key,
)


class DictStore:
    """In-memory stand-in for the store's wrapped-key table (insert if absent)."""

    def __init__(self) -> None:
        self.rows: dict[str, bytes] = {}
        self.loads = 0
        self.stores = 0

    def load(self, subject_id: str) -> bytes | None:
        self.loads += 1
        return self.rows.get(subject_id)

    def store(self, subject_id: str, wrapped: bytes) -> None:
        self.stores += 1
        self.rows.setdefault(subject_id, wrapped)


@pytest.fixture
def master(rng: Random) -> MasterKey:
    return MasterKey.generate(rng)


@pytest.fixture
def store() -> DictStore:
    return DictStore()


@pytest.fixture
def keyring(master: MasterKey, rng: Random, store: DictStore) -> SubjectKeyring:
    return SubjectKeyring(master, rng, store.load, store.store)


def test_creates_once_and_caches(keyring: SubjectKeyring, store: DictStore) -> None:
    key = keyring.data_key_for("s1", create=True)
    assert len(key) == 32
    assert store.stores == 1
    loads = store.loads
    assert keyring.data_key_for("s1", create=True) == key
    assert keyring.data_key_for("s1") == key
    assert store.stores == 1
    assert store.loads == loads


def test_stores_the_wrapped_not_the_plain_key(
    keyring: SubjectKeyring, store: DictStore, master: MasterKey
) -> None:
    key = keyring.data_key_for("s1", create=True)
    assert key not in store.rows["s1"]
    assert unwrap_data_key(master, "s1", store.rows["s1"]) == key


def test_subjects_get_distinct_keys(keyring: SubjectKeyring) -> None:
    assert keyring.data_key_for("s1", create=True) != keyring.data_key_for("s2", create=True)


def test_new_keyring_reads_the_stored_key(
    keyring: SubjectKeyring,
    store: DictStore,
    master: MasterKey,
    make_rng: Callable[[bytes], Random],
) -> None:
    key = keyring.data_key_for("s1", create=True)
    sealed = seal(key, b"alice@example.com", b"email", make_rng(b"x"))
    again = SubjectKeyring(
        MasterKey.parse(master.format()), make_rng(b"other"), store.load, store.store
    )
    assert again.data_key_for("s1") == key
    assert open_sealed(again.data_key_for("s1"), sealed, b"email") == b"alice@example.com"
    assert store.stores == 1


def test_missing_key_without_create_raises(keyring: SubjectKeyring, store: DictStore) -> None:
    with pytest.raises(SubjectShredded) as info:
        keyring.data_key_for("nobody")
    assert info.value.subject_id == "nobody"
    assert isinstance(info.value, VaultError)
    assert store.rows == {}


def test_shredding_after_the_stored_key_is_removed(
    keyring: SubjectKeyring,
    store: DictStore,
    master: MasterKey,
    make_rng: Callable[[bytes], Random],
) -> None:
    keyring.data_key_for("s1", create=True)
    assert not keyring.is_shredded("s1")
    del store.rows["s1"]  # the store erases the subject
    keyring.forget("s1")
    with pytest.raises(SubjectShredded):
        keyring.data_key_for("s1")
    fresh = SubjectKeyring(master, make_rng(b"y"), store.load, store.store)
    with pytest.raises(SubjectShredded):
        fresh.data_key_for("s1", create=False)
    assert fresh.is_shredded("s1")


def test_is_shredded_drops_the_cached_key(keyring: SubjectKeyring, store: DictStore) -> None:
    keyring.data_key_for("s1", create=True)
    del store.rows["s1"]
    assert keyring.data_key_for("s1") is not None  # still cached until forgotten
    assert keyring.is_shredded("s1")
    with pytest.raises(SubjectShredded):
        keyring.data_key_for("s1")


def test_recreating_after_shredding_gives_a_new_key(
    keyring: SubjectKeyring, store: DictStore
) -> None:
    old = keyring.data_key_for("s1", create=True)
    del store.rows["s1"]
    keyring.forget("s1")
    assert keyring.data_key_for("s1", create=True) != old


def test_forget_unknown_subject_is_a_no_op(keyring: SubjectKeyring) -> None:
    keyring.forget("never-seen")


def test_store_that_keeps_nothing_is_an_error(
    master: MasterKey, make_rng: Callable[[bytes], Random]
) -> None:
    broken = DictStore()
    keyring = SubjectKeyring(master, make_rng(b"c"), lambda _s: None, broken.store)
    with pytest.raises(VaultError, match="did not keep"):
        keyring.data_key_for("s1", create=True)


def test_race_where_other_worker_stores_between_load_and_store(
    master: MasterKey, store: DictStore, make_rng: Callable[[bytes], Random]
) -> None:
    other = SubjectKeyring(master, make_rng(b"other"), store.load, store.store)
    answers: list[bytes | None] = [None]

    def load(subject_id: str) -> bytes | None:
        if answers:  # first call: nothing yet; then the other worker wins the race
            answers.pop()
            other.data_key_for(subject_id, create=True)
            return None
        return store.load(subject_id)

    mine = SubjectKeyring(master, make_rng(b"mine"), load, store.store)
    assert mine.data_key_for("s1", create=True) == other.data_key_for("s1")


def test_key_wrapped_for_another_subject_is_refused(
    keyring: SubjectKeyring, store: DictStore
) -> None:
    keyring.data_key_for("s1", create=True)
    store.rows["s2"] = store.rows["s1"]
    with pytest.raises(VaultError, match="failed authentication"):
        keyring.data_key_for("s2")


def test_repr_shows_no_keys(keyring: SubjectKeyring) -> None:
    key = keyring.data_key_for("s1", create=True)
    assert key.hex() not in repr(keyring)
    assert repr(key) not in repr(keyring)
