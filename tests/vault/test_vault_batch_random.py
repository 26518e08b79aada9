"""One draw of random bytes per batch: every byte the source gave is handed out once, in order,
and never twice; ids cut their random digits from a per-thread block a forked child drops."""

from __future__ import annotations

import os
import threading

import pytest

from trustguardian.domain.common import TimeOrderedIds
from trustguardian.vault import SYSTEM_RANDOM, BatchRandom


class Counting:
    """A source whose bytes tell their own place: 4-byte big-endian counters, one per 4 bytes."""

    def __init__(self) -> None:
        self.draws: list[int] = []
        self._next = 0

    def token_bytes(self, n: int) -> bytes:
        self.draws.append(n)
        out = b"".join((self._next + i).to_bytes(4, "big") for i in range(0, n, 4))
        self._next += n
        return out


def test_a_batch_hands_out_the_sources_bytes_in_order_each_once() -> None:
    source = Counting()
    rng = BatchRandom(source, block=1024)
    sizes = [32, 12, 12, 32] * 40
    places = [int.from_bytes(rng.token_bytes(n)[:4], "big") for n in sizes]
    # A block is drawn when the last one runs short: four draws of 1,024 bytes for 3,520.
    assert source.draws == [1024] * 4
    # Each draw starts where the one before ended, or at the start of the next block (the rest of
    # the last block dropped): no byte is ever handed out twice.
    for before, after, size in zip(places, places[1:], sizes, strict=False):
        assert after == before + size or (after % 1024 == 0 and after > before + size - 1)


def test_a_large_draw_goes_to_the_source_itself() -> None:
    source = Counting()
    rng = BatchRandom(source, block=1024)
    assert len(rng.token_bytes(600)) == 600
    assert source.draws == [600]


def test_the_systems_bytes_never_repeat_within_a_batch() -> None:
    rng = BatchRandom(SYSTEM_RANDOM)
    nonces = [rng.token_bytes(12) for _ in range(5000)]
    assert len(set(nonces)) == len(nonces)


def test_ids_from_many_threads_never_share_their_random_digits() -> None:
    ids = TimeOrderedIds()
    made: list[list[str]] = [[] for _ in range(4)]

    def make(out: list[str]) -> None:
        out.extend(ids.new_id("evt")[17:] for _ in range(2000))

    threads = [threading.Thread(target=make, args=(m,)) for m in made]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    every = [r for m in made for r in m]
    assert len(set(every)) == len(every) == 8000


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_a_forked_child_does_not_reuse_its_parents_random_digits() -> None:
    ids = TimeOrderedIds()
    ids.new_id("evt")  # the parent holds a block, most of it unused
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, sent to the parent
        os.close(read)
        os.write(write, "\n".join(ids.new_id("evt")[17:] for _ in range(50)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = set(pipe.read().split("\n"))
    os.waitpid(pid, 0)
    parent = {ids.new_id("evt")[17:] for _ in range(50)}
    assert len(child) == 50
    assert not child & parent
