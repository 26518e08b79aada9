"""`trustguardian witness serve` as a real server on loopback: the add-checkpoint status codes of
c2sp.org/tlog-witness, its cosignatures, and its state across a SIGKILL."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from tests.factories.witness import RunningWitness, make_witness

from trustguardian.ledger import Checkpoint, Signer, leaf_hash, sign_checkpoint
from trustguardian.ledger.cosignature import add_cosignatures, verify_cosignatures
from trustguardian.ledger.reference import mth, proof

LOG = Signer.generate("example.com/log")
LEAVES = [leaf_hash(f"entry {n}".encode()) for n in range(64)]


def note_of(size: int, leaves: list[bytes] = LEAVES, signer: Signer = LOG) -> str:
    return sign_checkpoint(Checkpoint(signer.name, size, mth(leaves[:size])), signer)


def body(old: int, size: int, leaves: list[bytes] = LEAVES, signer: Signer = LOG) -> bytes:
    hashes = proof(old, leaves[:size]) if 0 < old < size else []
    lines = [f"old {old}", *(base64.b64encode(h).decode() for h in hashes)]
    return ("\n".join(lines) + "\n\n" + note_of(size, leaves, signer)).encode()


def post(witness: RunningWitness, content: bytes) -> httpx.Response:
    return httpx.post(witness.url + "/add-checkpoint", content=content, timeout=10)


@pytest.fixture
def witness(tmp_path: Path) -> Iterator[RunningWitness]:
    running = make_witness(tmp_path, "witness.example", [f"{LOG.name}={LOG.verifier_key}"])
    yield running.start()
    running.stop()


def test_cosigns_extensions_and_answers_every_refusal_with_its_status(
    witness: RunningWitness,
) -> None:
    first = post(witness, body(0, 5))
    assert first.status_code == 200, first.text
    assert first.text.startswith("\u2014 witness.example ")
    cosigned = add_cosignatures(note_of(5), [first.text])
    assert [c.name for c in verify_cosignatures(cosigned, [witness.verifier])] == [
        "witness.example"
    ]
    # The witness's old size is 5 now: a request from 0 is told so.
    stale = post(witness, body(0, 9))
    assert stale.status_code == 409
    assert stale.headers["content-type"].startswith("text/x.tlog.size")
    assert stale.text == "5\n"
    assert post(witness, body(5, 9)).status_code == 200
    # A wrong proof, a different root at the same size, a rewritten history.
    wrong = body(9, 12).replace(b"old 9\n", b"old 9\n" + base64.b64encode(b"x" * 32) + b"\n")
    assert post(witness, wrong).status_code == 422
    other = [leaf_hash(b"forged"), *LEAVES[1:]]
    assert post(witness, body(9, 9, other)).status_code == 422
    assert post(witness, body(9, 12, other)).status_code == 422
    # Unknown origin; known origin signed by another key; malformed; old beyond the size.
    stranger = Signer.generate("example.org/other")
    assert post(witness, body(9, 12, signer=stranger)).status_code == 404
    impostor = Signer(LOG.name, Signer.generate("x").seed)
    forbidden = post(witness, body(9, 12, signer=impostor))
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"] == "application/problem+json"
    assert post(witness, b"old x\n\n" + note_of(12).encode()).status_code == 400
    assert post(witness, body(9, 12).replace(b"old 9", b"old 13")).status_code == 400
    # None of the refusals moved the state; the monitoring view serves the latest cosigned.
    assert post(witness, body(9, 12)).status_code == 200
    origin_hash = hashlib.sha256(LOG.name.encode()).hexdigest()
    served = httpx.get(f"{witness.url}/{origin_hash}/checkpoint", timeout=10)
    assert served.status_code == 200
    assert served.text.startswith(note_of(12).split("\n\n")[0])
    assert verify_cosignatures(served.text, [witness.verifier])
    # Requests racing from the same old size: one wins, the others are told its size; the
    # state never rolls back to a smaller tree (the race the specification warns of).
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda size: post(witness, body(12, size)), range(13, 29)))
    won = [size for size, r in zip(range(13, 29), replies, strict=True) if r.status_code == 200]
    assert len(won) == 1
    assert {r.text for r in replies if r.status_code == 409} == {f"{won[0]}\n"}
    assert post(witness, body(0, 1)).text == f"{won[0]}\n"
    # A body beyond the limit is refused before it is read.
    huge = post(witness, b"old 0\n" + b"A" * 70_000)
    assert huge.status_code == 413


def _state(db: Path) -> tuple[int, list[tuple[int, bytes]]]:
    with sqlite3.connect(db) as conn:
        size = conn.execute("SELECT size FROM latest").fetchone()[0]
        rows = conn.execute("SELECT size, root FROM cosigned ORDER BY size").fetchall()
    return int(size), [(int(s), bytes(r)) for s, r in rows]


def test_state_survives_sigkill_mid_stream_and_no_size_gets_two_roots(tmp_path: Path) -> None:
    witness = make_witness(tmp_path, "w.example", [f"{LOG.name}={LOG.verifier_key}"]).start()
    acknowledged: list[int] = []
    stop = threading.Event()

    def stream() -> None:
        old = 0
        for size in range(1, len(LEAVES) + 1):
            if stop.is_set():
                return
            try:
                reply = post(witness, body(old, size))
            except httpx.TransportError:
                return
            if reply.status_code != 200:
                return
            acknowledged.append(size)
            old = size

    sender = threading.Thread(target=stream)
    sender.start()
    while len(acknowledged) < 10:
        threading.Event().wait(0.01)
    witness.kill()  # SIGKILL while requests are in flight
    stop.set()
    sender.join(10)
    assert acknowledged[-1] < len(LEAVES), "the kill came after the stream ended"
    size, rows = _state(witness.db)
    # Everything the witness answered 200 to was on disk before the answer.
    assert size >= acknowledged[-1]
    assert [s for s, _ in rows] == list(range(1, size + 1))
    assert all(root == mth(LEAVES[:s]) for s, root in rows)
    witness.start()
    try:
        # A fork at the recorded size, or at any size cosigned before, is refused.
        forked = [*LEAVES[:2], leaf_hash(b"rewritten"), *LEAVES[3:]]
        assert post(witness, body(size, size, forked)).status_code == 422
        assert post(witness, body(size, size + 1, forked)).status_code == 422
        assert post(witness, body(0, size, forked)).status_code == 409
        # The honest log goes on from where the witness is.
        assert post(witness, body(size, min(size + 3, 64))).status_code == 200
        _, after = _state(witness.db)
        assert len({s for s, _ in after}) == len(after)
        assert all(root == mth(LEAVES[:s]) for s, root in after)
    finally:
        witness.stop()
