"""Dossiers with witnesses: one .tlog-proof per event carrying two witnesses' cosignatures, a
trust policy naming the log key and the quorum, VERIFY.md; `dossier verify` checks the proofs
under the policy, and a cosignature line removed fails the quorum."""

from __future__ import annotations

import os
from pathlib import Path

from tests.factories.cli import instance_env, tg
from tests.factories.witness import make_witness
from tests.reports.helpers import manifest_signed_by, mario_history, rezip, unzip

from trustguardian.ledger import leaf_hash
from trustguardian.ledger.cosignature import verify_cosignatures
from trustguardian.ledger.policy import parse_policy
from trustguardian.ledger.tlog_proof import parse_tlog_proof, verify_tlog_proof
from trustguardian.reports.dossier import subject_dossier
from trustguardian.reports.dossier_verify import verify_dossier
from trustguardian.service.context import Context
from trustguardian.sync.witnesses import WitnessSender


def test_dossier_tlog_proofs_verify_under_its_policy_and_fail_without_quorum(
    sqlite_ctx: Context, tmp_path: Path
) -> None:
    ctx = sqlite_ctx
    log_key = ctx.keys.signer.verifier_key
    witnesses = [make_witness(tmp_path / "w", f"w{n}.example", [log_key]) for n in (1, 2)]
    setting = " ".join(w.setting for w in witnesses)
    ctx.settings.witnesses = setting
    ctx.settings.outbound_allow_hosts = "127.0.0.1"
    history = mario_history(ctx)
    for witness in witnesses:
        witness.start()
    try:
        sender = WitnessSender(ctx)
        assert sender.run_once() == 2
        sender.close()
    finally:
        for witness in witnesses:
            witness.stop()
    files = unzip(subject_dossier(ctx, subject_id=history.subject_id))
    proofs = sorted(p for p in files if p.endswith(".tlog-proof"))
    assert len(proofs) == len(history.events) > 0
    assert "quorum witnesses" in files["trust-policy.txt"].decode()
    assert f"log {log_key}" in files["trust-policy.txt"].decode()
    assert "tlog-proof" in files["VERIFY.md"].decode()
    for path in proofs:
        proof = parse_tlog_proof(files[path].decode())
        named = verify_cosignatures(proof.note, [w.verifier for w in witnesses])
        assert sorted(c.name for c in named) == ["w1.example", "w2.example"]
    report = verify_dossier(rezip(files), trusted_key=log_key)
    assert report.ok, report.problems
    assert report.tlog_proofs == len(proofs)

    # A cosignature line removed (and the manifest rebuilt over it): the quorum fails, named.
    cut = proofs[0]
    lines = files[cut].decode().splitlines(keepends=True)
    files[cut] = "".join(line for line in lines if "w2.example" not in line).encode()
    files["manifest.txt"] = manifest_signed_by(ctx.keys.signer, files)
    report = verify_dossier(rezip(files), trusted_key=log_key)
    assert [path for path, _ in report.problems] == [cut]
    assert "quorum witnesses not met" in report.problems[0][1]

    # The command line says so too, without a traceback; with a policy asking for one witness
    # only, given by the inspector, the same dossier verifies.
    dossier = tmp_path / "cut.zip"
    dossier.write_bytes(rezip(files))
    offline = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTGUARDIAN_")}
    failed = tg("dossier", "verify", dossier, f"--key={log_key}", env={**offline, "COLUMNS": "300"})
    assert failed.returncode == 1
    assert cut in failed.stdout
    assert "Traceback" not in failed.stderr
    lenient = tmp_path / "one-of-two.txt"
    lenient.write_text(files["trust-policy.txt"].decode().replace("witnesses 2 ", "witnesses 1 "))
    passed = tg(
        "dossier",
        "verify",
        dossier,
        f"--key={log_key}",
        f"--policy={lenient}",
        env={**offline, "COLUMNS": "300"},
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr

    # `ledger proof ID --format tlog-proof` prints the same proof for an event.
    env = {**instance_env(ctx, tmp_path), "TRUSTGUARDIAN_WITNESSES": setting}
    event = history.events[0]
    shown = tg("ledger", "proof", event.id, "--format", "tlog-proof", env=env)
    assert shown.returncode == 0, shown.stderr
    with ctx.uow(write=False) as uow:
        found = uow.events.get(event.id)
    assert found is not None
    policy = parse_policy(files["trust-policy.txt"].decode())
    assert verify_tlog_proof(shown.stdout, leaf_hash(found[1]), policy).size > event.seq
    wrong = tg("ledger", "proof", event.id, "--format", "yaml", env=env)
    assert wrong.returncode == 2
    assert "Traceback" not in wrong.stderr
