"""c2sp.org/tlog-policy parsing and quorums, and c2sp.org/tlog-proof round trips and refusals."""

from __future__ import annotations

import pytest

from trustguardian.ledger import Checkpoint, Signer, leaf_hash, sign_checkpoint
from trustguardian.ledger.cosignature import CosignerKey, add_cosignatures
from trustguardian.ledger.policy import PolicyError, format_policy, parse_policy
from trustguardian.ledger.reference import mth, path
from trustguardian.ledger.tlog_proof import format_tlog_proof, parse_tlog_proof, verify_tlog_proof

LOG = Signer.generate("example.com/log")
W = [CosignerKey.generate(f"w{n}.example") for n in range(3)]
LEAVES = [leaf_hash(bytes([n])) for n in range(7)]


def cosigned_note(*witnesses: CosignerKey) -> str:
    body = Checkpoint(LOG.name, len(LEAVES), mth(LEAVES)).body()
    note = sign_checkpoint(Checkpoint.parse_body(body), LOG)
    return add_cosignatures(note, [w.cosign(body, 1_700_000_000) for w in witnesses])


def test_a_group_quorum_counts_valid_cosignatures_only() -> None:
    text = f"""# two of three, or the third alone
log {LOG.verifier_key}
witness a {W[0].verifier.verifier_key} https://a.example
witness b {W[1].verifier.verifier_key}
\twitness c {W[2].verifier.verifier_key}
group ab 2 a b
group either any ab c
quorum either
"""
    policy = parse_policy(text)
    assert policy.cosigners(cosigned_note(W[0], W[1])) == {"a", "b"}
    assert policy.check_quorum(cosigned_note(W[0], W[1])) == {"a", "b"}
    assert policy.check_quorum(cosigned_note(W[2])) == {"c"}
    with pytest.raises(PolicyError, match="quorum either not met"):
        policy.check_quorum(cosigned_note(W[0]))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("log {log}\n", "no quorum line"),
        ("quorum x\n", "not defined above"),
        ("witness a {w0}\nwitness b {w0}\nquorum a\n", "duplicate witness key"),
        ("witness a {w0}\ngroup g 2 a\nquorum g\n", "bad group threshold"),
        ("witness a {w0}\ngroup g all a a\nquorum g\n", "distinct names"),
        ("quorum none\nquorum none\n", "second quorum"),
        ("log {log}\nlog {log}\nquorum none\n", "duplicate log key"),
        ("witness none {w0}\nquorum none\n", "defined twice"),
        ("frobnicate\nquorum none\n", "unknown or malformed"),
        ("witness a {log}\nquorum a\n", "line 1"),
    ],
)
def test_malformed_policies_are_refused_naming_the_line(text: str, message: str) -> None:
    filled = text.format(log=LOG.verifier_key, w0=W[0].verifier.verifier_key)
    with pytest.raises(PolicyError, match=message):
        parse_policy(filled)


def test_a_proof_round_trips_and_binds_leaf_index_log_and_quorum() -> None:
    named = [(f"w{n}", w.verifier, None) for n, w in enumerate(W[:2])]
    policy = parse_policy(format_policy(LOG.verifier, named, 2))
    note = cosigned_note(W[0], W[1])
    text = format_tlog_proof(3, path(3, LEAVES), note, extra=b"context")
    parsed = parse_tlog_proof(text)
    assert (parsed.index, parsed.extra, parsed.note) == (3, b"context", note)
    assert verify_tlog_proof(text, leaf_hash(LEAVES[3]), policy).size == len(LEAVES)
    with pytest.raises(PolicyError, match="inclusion proof of index 3"):
        verify_tlog_proof(text, leaf_hash(LEAVES[4]), policy)
    with pytest.raises(PolicyError, match="quorum"):
        verify_tlog_proof(
            format_tlog_proof(3, path(3, LEAVES), cosigned_note(W[0])), LEAVES[3], policy
        )
    other = parse_policy(format_policy(Signer.generate(LOG.name).verifier, named, 2))
    with pytest.raises(PolicyError, match="does not verify"):
        verify_tlog_proof(text, leaf_hash(LEAVES[3]), other)
    assert parse_policy(format_policy(LOG.verifier, [], 1)).quorum == "none"
    for bad in [
        "c2sp.org/tlog-proof@v2\nindex 1\n\n" + note,
        "c2sp.org/tlog-proof@v1\n\n" + note,
        "c2sp.org/tlog-proof@v1\nindex 01\n\n" + note,
        "c2sp.org/tlog-proof@v1\nindex 1\nnot-base64\n\n" + note,
    ]:
        with pytest.raises(PolicyError):
            parse_tlog_proof(bad)
