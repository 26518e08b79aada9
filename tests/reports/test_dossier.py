"""A subject's dossier verifies offline, and any changed byte of any file is found and named."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from tests.factories.cli import tg
from tests.factories.events import PURPOSE, ledger_size
from tests.reports.helpers import (
    FORM_HTML,
    NOTICE_V2,
    SCAN,
    manifest_signed_by,
    mario_history,
    re_signed,
    rezip,
    unzip,
)
from tests.reports.pdf import page_ink, pdf_text

from trustguardian.domain.errors import NotFound
from trustguardian.domain.registry import PurposeLabel
from trustguardian.ledger import Signer
from trustguardian.reports.dossier import subject_dossier
from trustguardian.reports.dossier_verify import verify_dossier
from trustguardian.service.context import Context
from trustguardian.service.events.subjects import shred_subject
from trustguardian.service.registry import purposes


def test_a_dossier_holds_the_whole_story_and_verifies(ctx: Context) -> None:
    history = mario_history(ctx)
    body = subject_dossier(history.ctx, subject_id=history.subject_id)
    files = unzip(body)

    check = verify_dossier(body)
    assert check.problems == []
    assert (check.subject_id, check.events, check.evidence, check.notices) == (
        history.subject_id,
        3,
        4,
        2,
    )
    assert check.tree_size == ledger_size(
        ctx
    )  # Luigi's later event: the proofs reach a larger tree
    events = sorted(p for p in files if p.startswith("events/"))
    assert [json.loads(files[p])["id"] for p in events] == [e.id for e in history.events]
    assert sorted(p for p in files if p.startswith("proofs/")) == [
        p.replace("events/", "proofs/") for p in events
    ]
    # The decrypted evidence files, byte for byte, and the exact notice texts.
    assert FORM_HTML in files.values()
    assert SCAN in files.values()
    assert files["notices/privacy-it-v1.txt"] == b"Informativa v1\n"
    assert files["notices/privacy-it-v2.txt"] == NOTICE_V2.encode()
    subject = json.loads(files["subject.json"])
    assert subject["identifiers"] == [
        {"kind": "email", "system": None, "value": "mario.rossi@example.com"}
    ]
    assert json.loads(files["purposes.json"])["in_force"]["newsletter"]["legal_basis"] == "consent"
    consents = {(c["channel"], c["status"]) for c in json.loads(files["consents.json"])}
    assert consents == {("email", "withdrawn"), ("phone", "given")}
    assert files["public-key.txt"].decode().strip() == history.ctx.keys.signer.verifier_key
    assert (
        files["checkpoint.txt"]
        .decode()
        .startswith(history.ctx.keys.signer.name + f"\n{ledger_size(ctx)}\n")
    )


def test_the_reports_are_in_italian_and_english_in_html_and_pdf(ctx: Context) -> None:
    history = mario_history(ctx)
    files = unzip(subject_dossier(history.ctx, subject_id=history.subject_id))
    html_it, html_en = files["report-it.html"].decode(), files["report-en.html"].decode()
    assert "Fascicolo probatorio" in html_it
    assert "consenso revocato" in html_it
    assert "Evidence dossier" in html_en
    assert "consent withdrawn" in html_en
    assert "più chiarezza" in html_it  # the notice text, exactly, escaped as HTML needs
    for lang, title in (("it", "Fascicolo probatorio"), ("en", "Evidence dossier")):
        assert all(ink > 500 for ink in page_ink(files[f"report-{lang}.pdf"]))
        text = pdf_text(files[f"report-{lang}.pdf"])
        assert title in text
        assert history.subject_id in text
        assert "mario.rossi@example.com" in text
        assert "Informativa v2: i tuoi dati, con più chiarezza." in text


def test_changing_one_byte_of_any_file_fails_and_names_it(ctx: Context) -> None:
    history = mario_history(ctx)
    files = unzip(subject_dossier(history.ctx, subject_id=history.subject_id))
    assert len(files) > 20
    for path, body in files.items():
        middle = len(body) // 2
        changed = body[:middle] + bytes([body[middle] ^ 0x01]) + body[middle + 1 :]
        check = verify_dossier(rezip({**files, path: changed}))
        assert not check.ok, path
        assert path in {name for name, _ in check.problems}, (path, check.problems)


def test_deep_checks_name_the_file_even_when_the_manifest_is_rebuilt(ctx: Context) -> None:
    """A forger with their own key can re-sign the manifest; pinning the key still catches it,
    and the ledger checks name the changed evidence independently of the manifest."""
    history = mario_history(ctx)
    files = unzip(subject_dossier(history.ctx, subject_id=history.subject_id))
    scan_path = next(p for p, b in files.items() if b == SCAN)
    forged = {**files, scan_path: SCAN.replace(b"Mario", b"Marco")}
    forger = Signer.generate(history.ctx.keys.signer.name)
    forged["public-key.txt"] = (forger.verifier_key + "\n").encode()
    forged["manifest.txt"] = manifest_signed_by(forger, forged)

    check = verify_dossier(rezip(forged))
    problems = dict(check.problems)
    assert scan_path in problems  # not the file its proof's content committed to
    assert "checkpoint.txt" in problems  # the checkpoint was signed by the real key

    pinned = verify_dossier(rezip(forged), trusted_key=history.ctx.keys.signer.verifier_key)
    assert {"public-key.txt", "manifest.txt", scan_path} <= {p for p, _ in pinned.problems}


def test_a_byte_changed_in_the_zip_itself_names_the_member(ctx: Context) -> None:
    """Not re-zipped: one raw byte of a member's stored data changes in the archive."""
    history = mario_history(ctx)
    body = subject_dossier(history.ctx, subject_id=history.subject_id)
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        member = next(i for i in z.infolist() if i.filename.startswith("notices/"))
    name_length = int.from_bytes(
        body[member.header_offset + 26 : member.header_offset + 28], "little"
    )
    extra_length = int.from_bytes(
        body[member.header_offset + 28 : member.header_offset + 30], "little"
    )
    start = member.header_offset + 30 + name_length + extra_length
    spot = start + member.compress_size // 2
    damaged = body[:spot] + bytes([body[spot] ^ 0x10]) + body[spot + 1 :]
    check = verify_dossier(damaged)
    assert not check.ok
    assert member.filename in {p for p, _ in check.problems}


def test_a_file_added_or_removed_is_named(ctx: Context) -> None:
    history = mario_history(ctx)
    files = unzip(subject_dossier(history.ctx, subject_id=history.subject_id))
    added = verify_dossier(rezip({**files, "events/extra.json": b"{}"}))
    assert ("events/extra.json", "not listed in the signed manifest") in added.problems
    gone = dict(files)
    del gone["notices/privacy-it-v2.txt"]
    removed = verify_dossier(rezip(gone))
    assert "notices/privacy-it-v2.txt" in {p for p, _ in removed.problems}


def test_an_erased_subject_still_has_a_verifiable_dossier_without_evidence(ctx: Context) -> None:
    history = mario_history(ctx)
    with history.ctx.uow() as uow:
        shred_subject(history.ctx, subject_id=history.subject_id, uow=uow)
        uow.commit()
    body = subject_dossier(history.ctx, subject_id=history.subject_id)
    files = unzip(body)
    check = verify_dossier(body)
    assert check.problems == []
    assert (check.events, check.evidence) == (3, 0)
    assert json.loads(files["subject.json"])["identifiers"][0]["value"] is None
    assert json.loads(files["subject.json"])["erased_at"] is not None
    assert SCAN not in files.values()


def test_an_unknown_subject_has_no_dossier(ctx: Context) -> None:
    mario_history(ctx)
    with pytest.raises(NotFound):
        subject_dossier(ctx, subject_id="sub_nobody")


def test_the_cli_builds_and_verifies_offline(sqlite_ctx: Context, tmp_path: Path) -> None:
    history = mario_history(sqlite_ctx)
    settings = history.ctx.settings
    env = {
        **os.environ,
        "TRUSTGUARDIAN_DATABASE_URL": settings.database_url,
        "TRUSTGUARDIAN_KEYS_FILE": str(settings.keys_file),
        "TRUSTGUARDIAN_MASTER_KEY": settings.master_key.get_secret_value()
        if settings.master_key
        else "",
    }
    out = tmp_path / "mario.zip"
    made = tg("dossier", "mario.rossi@example.com", "--out", str(out), env=env)
    assert made.returncode == 0, made.stderr
    # Offline: no database, no keys, no settings at all.
    offline = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTGUARDIAN_")}
    offline["TRUSTGUARDIAN_DATABASE_URL"] = f"sqlite:///{tmp_path}/absent/none.db"
    instance_key = history.ctx.keys.signer.verifier
    ok = tg(
        "dossier",
        "verify",
        str(out),
        "--key",
        instance_key.verifier_key,
        env={**offline, "COLUMNS": "300"},
        cwd=tmp_path,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK" in ok.stdout
    assert "3 events" in ok.stdout
    assert ok.stdout.splitlines()[0].startswith(f"key: {instance_key.verifier_key}")
    assert f"{instance_key.fingerprint}), pinned by --key" in ok.stdout
    assert not (tmp_path / "absent").exists()
    # Without a pin every check still runs, but the answer is "unpinned", naming the key.
    unpinned = tg("dossier", "verify", str(out), env={**offline, "COLUMNS": "300"}, cwd=tmp_path)
    assert unpinned.returncode == 6, unpinned.stdout + unpinned.stderr
    assert "NOT pinned" in unpinned.stdout
    assert instance_key.fingerprint in unpinned.stdout
    assert "unpinned" in unpinned.stderr
    assert "Traceback" not in unpinned.stderr
    embedded = tg(
        "dossier",
        "verify",
        "--trust-embedded-key",
        out,
        env={**offline, "COLUMNS": "300"},
        cwd=tmp_path,
    )
    assert embedded.returncode == 0, embedded.stdout + embedded.stderr
    by_env = tg(
        "dossier",
        "verify",
        str(out),
        env={**offline, "TRUSTGUARDIAN_TRUSTED_KEYS": f"other+0+x, {instance_key.verifier_key}"},
        cwd=tmp_path,
    )
    assert by_env.returncode == 2, by_env.stdout + by_env.stderr  # a malformed pin is refused
    assert "Traceback" not in by_env.stderr

    pinned_key = instance_key.verifier_key
    files = unzip(out.read_bytes())
    files["notices/privacy-it-v1.txt"] = b"Informativa v1 (ritoccata)\n"
    out.write_bytes(rezip(files))
    bad = tg(
        "dossier",
        "verify",
        out,
        f"--key={pinned_key}",
        env={**offline, "COLUMNS": "200"},
        cwd=tmp_path,
    )
    assert bad.returncode == 1
    assert "does NOT verify" in bad.stdout
    assert "notices/privacy-it-v1.txt" in bad.stdout


def _flag_forged(files: dict[str, bytes]) -> None:
    subject = json.loads(files["subject.json"])
    subject["forged"] = True
    files["subject.json"] = json.dumps(subject).encode()


def test_a_dossier_re_signed_with_another_key_is_refused_pinned_or_not(
    sqlite_ctx: Context, tmp_path: Path
) -> None:
    history = mario_history(sqlite_ctx)
    forger = Signer.generate(history.ctx.keys.signer.name)
    out = tmp_path / "forged.zip"
    out.write_bytes(re_signed(history, forger, _flag_forged))
    # Internally consistent: only a pin can tell it from the real thing.
    assert verify_dossier(out.read_bytes()).ok
    offline = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTGUARDIAN_")}

    def verify(*extra: str) -> subprocess.CompletedProcess[str]:
        return tg(
            "dossier", "verify", str(out), *extra, env={**offline, "COLUMNS": "300"}, cwd=tmp_path
        )

    unpinned = verify()
    assert unpinned.returncode != 0
    assert forger.verifier.fingerprint in unpinned.stdout  # it names the key it would trust
    assert "unpinned" in unpinned.stderr
    pinned = verify("--key", history.ctx.keys.signer.verifier.verifier_key)
    assert pinned.returncode == 1, pinned.stdout + pinned.stderr
    assert "public-key.txt" in pinned.stdout
    assert "not a key you trust" in pinned.stdout
    assert forger.verifier.fingerprint in pinned.stdout  # "the dossier carries another key"


def _statuses_given(files: dict[str, bytes]) -> None:
    consents = json.loads(files["consents.json"])
    assert {c["status"] for c in consents} >= {"withdrawn"}
    for consent in consents:
        consent["status"] = "given"
    files["consents.json"] = json.dumps(consents).encode()


def test_a_dossier_whose_statuses_were_changed_and_re_signed_fails_pinned_or_not(
    ctx: Context, tmp_path: Path
) -> None:
    history = mario_history(ctx)
    forger = Signer.generate(history.ctx.keys.signer.name)
    out = tmp_path / "statuses.zip"
    out.write_bytes(re_signed(history, forger, _statuses_given))
    assert verify_dossier(out.read_bytes()).ok  # consistent with the key it carries
    offline = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTGUARDIAN_")}
    offline["COLUMNS"] = "300"
    unpinned = tg("dossier", "verify", str(out), env=offline, cwd=tmp_path)
    assert unpinned.returncode != 0, unpinned.stdout
    assert f"({forger.verifier.fingerprint})" in unpinned.stdout  # the embedded key, named
    assert "unpinned" in unpinned.stderr
    key = history.ctx.keys.signer.verifier_key
    pinned = tg("dossier", "verify", str(out), "--key", key, env=offline, cwd=tmp_path)
    assert pinned.returncode == 1, pinned.stdout
    assert "not a key you trust" in pinned.stdout
    assert forger.verifier.fingerprint in pinned.stdout


def test_a_dossier_states_each_purpose_as_the_register_does(ctx: Context) -> None:
    history = mario_history(ctx)
    current = purposes.get_purpose(ctx, key=PURPOSE).current.content
    stated = dataclasses.replace(
        current,
        recipients=("Mailer S.r.l.",),
        consent_lifetime_days=365,
        defence_retention_days=3650,
        retention="from the last contact",
        labels=(PurposeLabel("en", "Newsletter", "Our offers"), PurposeLabel("it", "Offerte")),
    )
    purposes.revise_purpose(ctx, key=PURPOSE, content=stated)
    files = unzip(subject_dossier(history.ctx, subject_id=history.subject_id))
    newsletter = json.loads(files["purposes.json"])["in_force"][PURPOSE]
    assert newsletter["legal_basis"] == current.legal_basis.value
    assert newsletter["recipients"] == ["Mailer S.r.l."]
    assert newsletter["consent_lifetime_days"] == 365
    assert newsletter["defence_retention_days"] == 3650
    assert newsletter["retention"] == "from the last contact"
    assert newsletter["labels"] == [
        {"language": "en", "name": "Newsletter", "description": "Our offers"},
        {"language": "it", "name": "Offerte", "description": ""},
    ]
