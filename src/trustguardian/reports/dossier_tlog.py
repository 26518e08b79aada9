"""A dossier's offline proofs in the C2SP formats: one `tlog-proofs/<seq>-<id>.tlog-proof` per
event (c2sp.org/tlog-proof, with the witnesses' cosignatures), `trust-policy.txt`
(c2sp.org/tlog-policy: the log's key, the witnesses and their quorum) and `VERIFY.md`, which
tells how to check the whole dossier without our software."""

from __future__ import annotations

from collections.abc import Callable

from trustguardian.ledger import NoteError, Verifier, leaf_hash
from trustguardian.ledger.policy import Policy, PolicyError, parse_policy
from trustguardian.ledger.tlog_proof import verify_tlog_proof

POLICY = "trust-policy.txt"
VERIFY = "VERIFY.md"
PROOFS = "tlog-proofs/"

Fail = Callable[[str, str], None]


def tlog_proof_name(event_file: str) -> str:
    """`tlog-proofs/<seq>-<id>.tlog-proof` for `<seq>-<id>.json`."""
    return PROOFS + event_file.removesuffix(".json") + ".tlog-proof"


def check_tlog_proofs(
    files: dict[str, bytes],
    verifier: Verifier | None,
    fail: Fail,
    trusted_policy: str | None = None,
) -> int:
    """Checks every event's .tlog-proof under the policy (the one given, else the dossier's,
    whose log must be the key the dossier is checked with); returns how many verified."""
    policy = _policy(files, verifier, fail, trusted_policy)
    if policy is None:
        return 0
    verified = 0
    for path in sorted(p for p in files if p.startswith("events/")):
        proof_path = tlog_proof_name(path.removeprefix("events/"))
        raw = files.get(proof_path)
        if raw is None:
            fail(proof_path, "missing")
            continue
        try:
            verify_tlog_proof(raw.decode(), leaf_hash(files[path]), policy)
        except (PolicyError, NoteError, UnicodeDecodeError) as exc:
            fail(proof_path, f"does not verify under the trust policy: {exc}")
            continue
        verified += 1
    for path in sorted(p for p in files if p.startswith(PROOFS)):
        event = "events/" + path.removeprefix(PROOFS).removesuffix(".tlog-proof") + ".json"
        if event not in files:
            fail(path, f"proves {event}, which is not in this dossier")
    return verified


def _policy(
    files: dict[str, bytes], verifier: Verifier | None, fail: Fail, trusted: str | None
) -> Policy | None:
    text = trusted
    if text is None:
        raw = files.get(POLICY)
        if raw is None:
            fail(POLICY, "missing")
            return None
        text = raw.decode("utf-8", "replace")
    try:
        policy = parse_policy(text)
    except (PolicyError, NoteError) as exc:
        fail(POLICY, f"not a tlog-policy: {exc}")
        return None
    if trusted is None and (
        verifier is None or not any(log.public_key == verifier.public_key for log in policy.logs)
    ):
        fail(POLICY, "does not name the key the dossier is checked with as its log")
        return None
    return policy


VERIFY_TEXT = """\
# How to verify this dossier without Trust Guardian

Everything below uses public formats: SHA-256, Ed25519, RFC 9162 Merkle trees and the C2SP
signed-note, tlog-checkpoint, tlog-cosignature, tlog-proof and tlog-policy specifications
(https://c2sp.org). Any implementation of them will do (for example Go's
golang.org/x/mod/sumdb/note and filippo.io/sunlight, or a few lines of Python).

## Keys

- `public-key.txt`: the log's verifier key, `<name>+<key id hex>+base64(0x01 || Ed25519 key)`.
  The name is the log's origin. Compare it with a key you obtained independently: anyone can
  make a dossier that verifies against a key of their own.
- `trust-policy.txt`: a c2sp.org/tlog-policy file: `log <key>`, one `witness <name> <key>` line
  per witness (keys of signature type 0x04, c2sp.org/tlog-cosignature) and the quorum.

## Files and their integrity

- `manifest.txt`: a signed note (c2sp.org/signed-note) by the log key. Its text lists
  `<sha256 hex> <path>` for every other file. Check the Ed25519 signature over the text (the
  bytes before the blank line), then each file's SHA-256.

## Data, salts, commitments and leaves

- `events/<seq>-<id>.json`: each event's ledger leaf, byte for byte: RFC 8785 canonical JSON
  with no personal data in clear. Its leaf hash is `SHA-256(0x00 || bytes of the file)`.
- `evidence/<seq>-<n>.json`: for proof `n` of an event, its `salt` (hex) and `content`. The
  leaf's `proofs[n].commitment` is `SHA-256(salt || content as UTF-8)`, in hex. When the content
  names a file's `sha256`, the file beside it has that SHA-256.
- `notices/<key>-v<version>.txt`: the notice text shown; its SHA-256 is the leaf's
  `notice.sha256`.
- The person's data (`subject.json`) is in clear here only: the ledger holds keyed hashes.

## Proofs

- `tlog-proofs/<seq>-<id>.tlog-proof` (c2sp.org/tlog-proof): the line `c2sp.org/tlog-proof@v1`,
  `index <seq>`, the RFC 9162 inclusion proof (one base64 SHA-256 hash a line, from the leaf's
  sibling up), a blank line, then the checkpoint (c2sp.org/tlog-checkpoint): origin, tree size,
  base64 root, a blank line, and its signature lines.
  1. Check the checkpoint's signature line by the log key (key ID and Ed25519 over the
     checkpoint text).
  2. Check the witnesses' cosignature lines: each is `— <witness name> base64(key id ||
     8-byte big-endian time || Ed25519 signature)`, the signature being over
     `cosignature/v1\\ntime <time>\\n` followed by the checkpoint text. Count the witnesses of
     the policy whose cosignature verifies and compare with its quorum.
  3. Recompute the root from the leaf hash, the index, the tree size and the proof (RFC 9162,
     section 2.1.3.2) and compare it with the checkpoint's root.
- `proofs/<seq>-<id>.json` and `checkpoint.txt`: the same inclusion proofs as JSON, against the
  latest checkpoint when the dossier was made; `checkpoint.tsr`, when present, is an RFC 3161
  time-stamp over the exact bytes of `checkpoint.txt`.

`trustguardian dossier verify FILE.zip --key <public key>` runs all of these checks.
"""
