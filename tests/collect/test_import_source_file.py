"""The file an import read, as evidence: a ledger record commits to its shape and to the Merkle
root of its rows' salted commitments; a person's dossier holds their rows in clear, every other
row as its commitment, and proofs that `dossier verify` checks offline; erasing a person closes
their row and leaves everyone else's evidence and `verify` whole; the DPO rebuilds the file, byte
for byte while nobody is erased; on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from tests.collect.helpers import events_count
from tests.collect.import_2019 import (
    HEADER,
    HISTORICAL_TEXT,
    NOTICE,
    import_historical,
    onboard,
    rows,
    run_import,
    write,
)
from tests.factories import add_touchpoint
from tests.factories.cli import cli, instance_env, tg
from tests.reports.helpers import manifest_signed_by, rezip, unzip

from trustguardian.domain.registry import Channel, TouchpointKind
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.ledger.source_file import rows_root
from trustguardian.reports.dossier import subject_dossier
from trustguardian.reports.dossier_verify import verify_dossier
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.subjects import find_subject
from trustguardian.service.rights.erasure import erase_subject
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store.snapshots import SOURCE_FILE

PEOPLE = 6
DESK = "privacy-desk"


def subject_of(ctx: Context, email: str) -> str:
    return find_subject(ctx, identifier=normalise(IdentifierKind.EMAIL, email)).subject.id


def line(cells: list[str], encoding: str = "cp1252") -> bytes:
    return (";".join(cells) + "\r\n").encode(encoding)


def imported(ctx: Context, tmp_path: Path) -> tuple[list[list[str]], bytes, str]:
    """Six people imported from a cp1252 `;` export: (their rows, the file, its source id)."""
    onboard(ctx, tmp_path)
    assert import_historical(ctx, tmp_path)[0] == 0
    good = rows(PEOPLE)
    content = write(tmp_path / "export-2019.csv", good)
    code, out, why = run_import(ctx, tmp_path, tmp_path / "export-2019.csv")
    assert (code, why) == (0, {}), out
    code, out = cli(ctx, tmp_path, "import", "source", "list", "--json")
    assert code == 0, out
    (listed,) = json.loads(out)
    assert (listed["sha256"], listed["rows"]) == (hashlib.sha256(content).hexdigest(), PEOPLE)
    return good, content, listed["id"]


def dossier(ctx: Context, email: str) -> dict[str, bytes]:
    return unzip(subject_dossier(ctx, subject_id=subject_of(ctx, email)))


def verified(ctx: Context, files: dict[str, bytes]) -> list[tuple[str, str]]:
    archive = rezip(files)
    return verify_dossier(archive, trusted_key=ctx.keys.signer.verifier_key).problems


def rebuilt(ctx: Context, tmp_path: Path, source_id: str) -> tuple[bytes, dict[str, object]]:
    out = tmp_path / "rebuilt.csv"
    code, said = cli(
        ctx, tmp_path, "import", "source", "show", source_id, "--out", str(out), "--json"
    )
    assert code == 0, said
    return out.read_bytes(), json.loads(said)


def test_the_ledger_record_commits_to_the_file_and_every_row(ctx: Context, tmp_path: Path) -> None:
    good, content, source_id = imported(ctx, tmp_path)
    with ctx.uow(write=False) as uow:
        (record,) = uow.records.history(SOURCE_FILE, source_id)
        commitments = uow.sources.commitments(source_id)
        links = uow.sources.row_events(source_id)
    committed = json.loads(record.content)
    header = line(HEADER)
    assert record.kind == "registry.source_file.imported"
    assert record.actor == "ict.luca"
    assert committed["file_sha256"] == hashlib.sha256(content).hexdigest()
    assert (committed["size"], committed["rows"], committed["stored_rows"]) == (
        len(content), PEOPLE, PEOPLE,
    )  # fmt: skip
    assert (committed["encoding"], committed["bom"]) == ("windows-1252", False)
    assert base64.b64decode(committed["header"]) == header
    assert committed["root"] == rows_root(commitments)
    assert all(cell not in record.content for row in good for cell in row[:1])  # no e-mail
    assert sorted(links) == list(range(PEOPLE))
    assert all(len(events) == 2 for events in links.values())  # both purposes, each row

    # A commitment changed in the database is named by verify.
    assert verify_ledger(ctx).problems == []
    with ctx.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE source_rows SET commitment = '" + "0" * 64 + "' WHERE position = 2"
        )
    problems = verify_ledger(ctx).problems
    assert any(f"source file {source_id}" in p and "commitments_sha256" in p for p in problems)
    assert f"source file {source_id}: its rows' commitments do not hash to its root" in problems


def test_a_dossier_shows_the_persons_row_and_only_commitments_of_the_others(
    ctx: Context, tmp_path: Path
) -> None:
    good, _, source_id = imported(ctx, tmp_path)
    me, others = good[1], [r for n, r in enumerate(good) if n != 1]
    files = dossier(ctx, me[0])
    checked = verify_dossier(rezip(files), trusted_key=ctx.keys.signer.verifier_key)
    assert checked.problems == []
    assert checked.sources == 1
    base = f"sources/{source_id}"
    copy = files[f"{base}/sealed-copy.csv"]
    assert copy.startswith(line(HEADER) + b"[row 0 withheld, commitment sha256:")
    assert line(me) in copy
    assert copy.count(b" withheld, commitment sha256:") == PEOPLE - 1
    for row in others:  # no other person's data, anywhere in the dossier
        for path, body in files.items():
            assert row[0].encode() not in body, path
            assert line(row) not in body, path
    rows_json = json.loads(files[f"{base}/rows.json"])
    assert [o["index"] for o in rows_json["opened"]] == [1]
    assert json.loads(files[f"{base}/record.json"])["content"]["root"] == rows_root(
        rows_json["commitments"]
    )
    # The historical notice text the events cite is in the dossier.
    assert files[f"notices/{NOTICE}-v1.txt"] == HISTORICAL_TEXT.encode("utf-8")

    # One byte of the person's row changed in the sealed copy, the manifest re-signed with the
    # instance's own key: only the source check can tell.
    forged = dict(files)
    forged[f"{base}/sealed-copy.csv"] = copy.replace(line(me), line(me).replace(b"@", b"#"))
    forged["manifest.txt"] = manifest_signed_by(ctx.keys.signer, forged)
    assert verified(ctx, forged) == [
        (f"{base}/sealed-copy.csv", f"is not the file {base}/record.json commits to, with the "
         "rows opened here")
    ]  # fmt: skip
    # The row's sealed bytes changed (its file and the hash its proof names cannot both be
    # rewritten without the event's leaf), and a commitment of another row.
    (evidence,) = [o["evidence"] for o in rows_json["opened"]]
    item = json.loads(files[evidence])
    forged = dict(files)
    forged[item["file"]] = files[item["file"]][:-3] + b"X\r\n"
    forged["manifest.txt"] = manifest_signed_by(ctx.keys.signer, forged)
    assert any(p == evidence and "commitment 1" in m for p, m in verified(ctx, forged))
    forged = dict(files)
    changed = {**rows_json, "commitments": ["0" * 64, *rows_json["commitments"][1:]]}
    forged[f"{base}/rows.json"] = json.dumps(changed).encode()
    forged["manifest.txt"] = manifest_signed_by(ctx.keys.signer, forged)
    assert any(p == f"{base}/rows.json" for p, _ in verified(ctx, forged))
    assert any(p.startswith("evidence/") and "does not open" in m for p, m in verified(ctx, forged))


def test_erasing_one_person_closes_their_row_and_keeps_everyone_elses(
    ctx: Context, tmp_path: Path
) -> None:
    good, content, source_id = imported(ctx, tmp_path)
    again, said = rebuilt(ctx, tmp_path, source_id)
    assert again == content  # nobody erased: the original, byte for byte
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(content).hexdigest()
    assert (said["original"], said["withheld"]) == (True, [])

    gone = good[3]
    with ctx.uow(write=False) as uow:
        commitment = uow.sources.commitments(source_id)[3]
    add_touchpoint(ctx, DESK, name="Privacy desk", kind=TouchpointKind.RIGHT, channel=Channel.EMAIL)
    erase_subject(ctx, subject_id=subject_of(ctx, gone[0]), touchpoint=DESK, actor="dpo")
    after, said = rebuilt(ctx, tmp_path, source_id)
    assert (said["original"], said["withheld"]) == (False, [3])
    assert line(gone) not in after
    assert gone[0].encode() not in after
    withheld = f"[row 3 withheld, commitment sha256:{commitment}]\r\n".encode()
    assert after == content.replace(line(gone), withheld)
    for n, row in enumerate(good):
        if n != 3:
            assert line(row) in after

    other = dossier(ctx, good[4][0])
    assert verified(ctx, other) == []
    assert line(good[4]) in other[f"sources/{source_id}/sealed-copy.csv"]
    erased = dossier(ctx, gone[0])  # nothing opens: no row, no source, still verifies
    assert not any(p.startswith("sources/") for p in erased)
    assert verified(ctx, erased) == []
    assert verify_ledger(ctx).problems == []


def test_a_reordered_export_imports_nothing_and_records_no_file(
    ctx: Context, tmp_path: Path
) -> None:
    good, _, source_id = imported(ctx, tmp_path)
    recorded = events_count(ctx)
    reordered = tmp_path / "riordinato.csv"
    write(reordered, list(reversed(good)))
    code, out, why = run_import(ctx, tmp_path, reordered)
    assert (code, why) == (0, {}), out
    assert events_count(ctx) == recorded
    code, out = cli(ctx, tmp_path, "import", "source", "list", "--json")
    assert [s["id"] for s in json.loads(out)] == [source_id]


def test_a_blank_line_a_bom_and_a_repeated_row_rebuild_exactly(
    ctx: Context, tmp_path: Path
) -> None:
    onboard(ctx, tmp_path)
    assert import_historical(ctx, tmp_path)[0] == 0
    good = rows(3)
    export = tmp_path / "blank.csv"
    # UTF-8 with a BOM, a blank line after the first row, the second row twice.
    utf8 = [line(r, "utf-8") for r in [HEADER, *good]]
    export.write_bytes(b"\xef\xbb\xbf" + utf8[0] + utf8[1] + b"\r\n" + utf8[2] + utf8[3] + utf8[2])
    code, out, why = run_import(ctx, tmp_path, export)
    assert (code, why) == (0, {}), out
    code, out = cli(ctx, tmp_path, "import", "source", "list", "--json")
    (source,) = json.loads(out)
    again, said = rebuilt(ctx, tmp_path, source["id"])
    assert again == export.read_bytes()
    assert said["original"] is True
    with ctx.uow(write=False) as uow:
        stored = uow.sources.get(source["id"])
        commitments = uow.sources.commitments(source["id"])
    assert stored is not None
    assert stored.rows == 4
    assert commitments[1] == commitments[3]  # the repeat: recorded once, rebuilt from the first
    assert stored.bom
    assert stored.header.startswith(b"\xef\xbb\xbf")


def test_showing_a_source_file_that_does_not_exist_exits_2_in_one_sentence(
    ctx: Context, tmp_path: Path
) -> None:
    onboard(ctx, tmp_path)
    done = tg(
        "import", "source", "show", "src_nope", "--out", tmp_path / "x.csv",
        env={**os.environ, **instance_env(ctx, tmp_path)}, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "no source file 'src_nope'" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "x.csv").exists()
