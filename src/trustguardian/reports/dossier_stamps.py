"""A dossier's trusted time: which checkpoints are time-stamped and which events they cover.

Files: `checkpoint.tsr` (the dossier's own checkpoint, when stamped), and for earlier stamped
checkpoints `stamps/<size>.txt` (the signed note) and `stamps/<size>.tsr` (its RFC 3161 token);
`stamps.json` lists them with the consistency proof from each to `checkpoint.txt`, and says for
every event which stamp covers it, or that it is not stamped yet.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cryptography import x509

from trustguardian.ledger import NoteError, Verifier, parse_checkpoint, verify_consistency
from trustguardian.ledger.tsp import TokenError, read_timestamp_response
from trustguardian.ledger.tsp_verify import imprint_matches, verify_token
from trustguardian.service.accountability.dossier import DossierData

if TYPE_CHECKING:
    from trustguardian.reports.dossier_verify import DossierCheck

STAMPS = "stamps.json"
OWN = "checkpoint.tsr"


def stamp_name(tree_size: int) -> str:
    return f"stamps/{tree_size:012d}"


def stamp_files(data: DossierData) -> dict[str, bytes]:
    """`stamps.json` and the stamped checkpoints' notes and tokens."""
    files: dict[str, bytes] = {}
    listed = []
    for stamp in data.stamps.stamps:
        name = stamp_name(stamp.checkpoint.tree_size)
        files[name + ".txt"] = stamp.checkpoint.note.encode()
        files[name + ".tsr"] = stamp.timestamp.token
        listed.append(
            {
                "tree_size": stamp.checkpoint.tree_size,
                "checkpoint": name + ".txt",
                "token": name + ".tsr",
                "gen_time": stamp.timestamp.gen_time.isoformat(),
                "consistency_path": [base64.b64encode(h).decode() for h in stamp.consistency_path],
            }
        )
    own = data.checkpoint.tree_size
    events = [
        {"event_id": x.event.id, "leaf_index": x.event.seq, "stamped_by": by}
        for x in data.events
        # The dossier's checkpoint covers every event: stamped, it is the tightest for the rest.
        for by in [data.stamps.stamped_by.get(x.event.seq) or (own if data.timestamp else None)]
    ]
    body = {
        "checkpoint": {"tree_size": own, "stamped": data.timestamp is not None},
        "stamps": listed,
        "events": events,
    }
    files[STAMPS] = (json.dumps(body, indent=2, sort_keys=True) + "\n").encode()
    return files


def unstamped(data: DossierData) -> int:
    """How many of the dossier's events no time-stamp covers yet."""
    if data.timestamp is not None:
        return 0
    return sum(1 for x in data.events if data.stamps.stamped_by.get(x.event.seq) is None)


def tsa_root_certificates(roots: Sequence[bytes]) -> list[x509.Certificate]:
    """Every certificate in the PEM roots given."""
    return [cert for pem in roots for cert in x509.load_pem_x509_certificates(pem)]


def _token(
    path: str, raw: bytes, note: bytes, roots: list[x509.Certificate], report: DossierCheck
) -> datetime | None:
    """Checks one token over `note`; returns its time when it holds (and is trusted if asked)."""
    try:
        token = read_timestamp_response(raw)
    except TokenError as exc:
        report.fail(path, str(exc))
        return None
    if not imprint_matches(token, note):
        report.fail(
            path,
            f"does not stamp {path[:-4]}.txt" if path != OWN else "does not stamp checkpoint.txt",
        )
        return None
    if roots:
        try:
            verify_token(token, note, roots)
        except TokenError as exc:
            report.fail(path, f"not signed by the trusted time-stamping authority: {exc}")
            return None
    return token.gen_time


def check_stamps(
    files: dict[str, bytes],
    verifier: Verifier | None,
    head: tuple[int, bytes] | None,
    tsa_roots: list[bytes] | None,
    report: DossierCheck,
) -> None:
    """Checks `checkpoint.tsr` and every listed stamp; counts the events covered and not."""
    roots = tsa_root_certificates(tsa_roots or [])
    covered: set[int] = set()
    if OWN in files:
        report.timestamp = _token(OWN, files[OWN], files.get("checkpoint.txt", b""), roots, report)
        report.timestamp_trusted = report.timestamp is not None and bool(roots)
        if report.timestamp is not None and head is not None:
            covered.add(head[0])
    raw = files.get(STAMPS)
    if raw is None:
        return
    try:
        body = json.loads(raw)
        stamps = [
            (int(s["tree_size"]), str(s["checkpoint"]), str(s["token"]), s) for s in body["stamps"]
        ]
        events = [(int(e["leaf_index"]), e["stamped_by"]) for e in body["events"]]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        report.fail(STAMPS, f"not a list of stamps and events: {exc}")
        return
    for size, note_path, token_path, stamp in stamps:
        if _stamp_holds(files, verifier, head, size, note_path, stamp, report):
            note = files[note_path]
            if _token(token_path, files.get(token_path, b""), note, roots, report) is not None:
                covered.add(size)
    listed = {size for size, *_ in stamps} | ({head[0]} if head and OWN in files else set())
    for leaf_index, by in events:
        if by is None:
            report.unstamped_events += 1
        elif by not in listed or leaf_index >= by:
            report.fail(STAMPS, f"event {leaf_index}: checkpoint {by} is no stamp over it")
        elif by in covered:  # a stamp that failed its check was named already
            report.stamped_events += 1


def _stamp_holds(
    files: dict[str, bytes],
    verifier: Verifier | None,
    head: tuple[int, bytes] | None,
    size: int,
    path: str,
    stamp: dict[str, Any],
    report: DossierCheck,
) -> bool:
    """Whether a stamped checkpoint is signed by the instance and a prefix of the dossier's."""
    raw = files.get(path)
    if raw is None or verifier is None or head is None:
        report.fail(path, "missing" if raw is None else "no checkpoint to check it against")
        return False
    try:
        cp = parse_checkpoint(raw.decode("utf-8", "replace"), verifier)
        proof = [base64.b64decode(h, validate=True) for h in stamp["consistency_path"]]
    except (NoteError, binascii.Error, KeyError, TypeError) as exc:
        report.fail(path, f"not a checkpoint signed by this instance with its proof: {exc}")
        return False
    if cp.size != size or not verify_consistency(cp.size, head[0], cp.root_hash, head[1], proof):
        report.fail(path, "is not a prefix of checkpoint.txt (consistency proof fails)")
        return False
    return True
