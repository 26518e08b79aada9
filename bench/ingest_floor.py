"""The floor under our ingest: the cryptography and hashing every event needs, and nothing else.

Per person (two events each): a data key drawn, wrapped under the master key, the e-mail
blinded (keyed hash) and sealed. Per event: two proofs, each canonical JSON, a salt, its
commitment and its AES-GCM seal; the leaf's canonical JSON and its hash; the tree nodes it
completes. Per batch: one signed checkpoint. The same library calls as the ingest, with no
records, validation or rows in between: what no change of the write path can take away.
Added to the raw insert of the rows (bench/ingest.py `raw_all_tables`), it is the floor.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from trustguardian.domain.common import TimeOrderedIds
from trustguardian.ledger import (
    Checkpoint,
    append,
    canonical_json_plain,
    leaf_hash,
    root,
    signing_time_line,
)
from trustguardian.ledger import sign_checkpoint as sign
from trustguardian.service.context import Context
from trustguardian.vault import blind_identifier, commitment, new_data_key, new_salt, seal
from trustguardian.vault import wrap_data_key as wrap


def crypto_floor(ctx: Context, events: int, batch: int, payload: dict[str, object]) -> float:
    """Events per CPU second of the per-event cryptography and hashing alone."""
    ids = TimeOrderedIds()
    rng, master, signer = ctx.rng, ctx.keys.master, ctx.keys.signer
    nodes: dict[tuple[int, int], bytes] = {}
    start = time.process_time()
    for first in range(0, events, batch):
        hashes = []
        key = b""
        for n in range(first, min(events, first + batch)):
            if n % 2 == 0:
                subject = ids.new_id("sub")
                key = new_data_key(rng)
                wrap(master, subject, key, rng)
                email = f"person{n // 2}@example.com"
                blinded = blind_identifier(ctx.blind_key, "email", email)
                seal(key, email.encode(), f"{subject}:{blinded}".encode(), rng)
            event_id = ids.new_id("evt")
            for position in range(2):
                content = canonical_json_plain({"n": n, "position": position, "ip": "192.0.2.1"})
                salt = new_salt(rng)
                commitment(salt, content)
                seal(key, salt + content, f"proof:{event_id}:{position}".encode(), rng)
            hashes.append(leaf_hash(canonical_json_plain({**payload, "id": event_id, "seq": n})))
        fresh = append(first, hashes, lambda level, index: nodes[(level, index)])
        nodes.update((node.coord, node.hash) for node in fresh)
        moment = signing_time_line(datetime.now(UTC))
        size = first + len(hashes)
        sign(Checkpoint(signer.name, size, root(size, nodes), (moment,)), signer)
    return events / (time.process_time() - start)
