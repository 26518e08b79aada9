"""The dossier's rights requests and complaints: sections in the signed zip, opened with the
subject's key (and shown as erased after erasure), in the reports in Italian and English, and
checked offline against the ledger events of their steps (both backends)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.reports.cases import (
    ANSWER,
    DETAILS,
    OUTCOME,
    REASON,
    SUMMARY,
    mario_cases,
)
from tests.reports.helpers import rezip, unzip
from tests.reports.pdf import page_ink, pdf_text

from trustguardian.reports.dossier import subject_dossier
from trustguardian.reports.dossier_verify import verify_dossier
from trustguardian.service.context import Context
from trustguardian.service.events.subjects import shred_subject

REQUESTS = "sections/rights_requests.json"
COMPLAINTS = "sections/complaints.json"


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_requests_and_complaints_are_in_the_dossier_opened_and_verified(
    ctx: Context, tmp_path: Path
) -> None:
    cases = mario_cases(ctx, tmp_path / "outbox")
    body = subject_dossier(cases.ctx, subject_id=cases.subject_id)
    files = unzip(body)

    check = verify_dossier(body)
    assert check.problems == []
    assert check.events == 3 + 4 + 1 + 3  # history, the access request, the objection, complaint
    manifest = files["manifest.txt"].decode()
    for path in (REQUESTS, COMPLAINTS):
        assert f"{hashlib.sha256(files[path]).hexdigest()} {path}" in manifest

    by_id = {r["id"]: r for r in json.loads(files[REQUESTS])}
    answered, waiting = by_id[cases.answered], by_id[cases.waiting]
    assert answered["kind"] == "access"
    assert answered["status"] == "fulfilled"
    assert (answered["details"], answered["extension_reason"], answered["outcome"]) == (
        DETAILS,
        REASON,
        ANSWER,
    )
    assert answered["in_time"] is True
    assert answered["due_on"] == "2027-02-02"  # extended: three months from receipt
    assert [s["status"] for s in answered["steps"]] == [
        "received",
        "in_progress",
        "extended",
        "fulfilled",
    ]
    leaf_kinds = {
        json.loads(files[p])["id"]: json.loads(files[p])["kind"]
        for p in files
        if p.startswith("events/")
    }
    assert [leaf_kinds[s["event_id"]] for s in answered["steps"]] == [
        "request.received",
        "request.in_progress",
        "request.extended",
        "request.fulfilled",
    ]
    assert (waiting["status"], waiting["in_time"], waiting["overdue"]) == ("received", None, False)
    assert waiting["details"] is None
    assert waiting["erased"] == []

    [complaint] = json.loads(files[COMPLAINTS])
    assert complaint["id"] == cases.complaint
    assert (complaint["summary"], complaint["outcome"], complaint["status"]) == (
        SUMMARY,
        OUTCOME,
        "closed",
    )
    assert complaint["attachments"][0]["name"] == "lettera.pdf"
    assert [s["status"] for s in complaint["steps"]] == ["open", "open", "closed"]

    html_it, html_en = files["report-it.html"].decode(), files["report-en.html"].decode()
    assert "Richieste di esercizio dei diritti" in html_it
    assert "prorogata" in html_it
    assert "Motivo della proroga" in html_it
    assert "Rights requests (GDPR arts. 15-22)" in html_en
    for html in (html_it, html_en):
        for text in (DETAILS, REASON, SUMMARY, OUTCOME):
            assert text in html
    for lang, heading in (("it", "Reclami"), ("en", "Complaints")):
        assert all(ink > 500 for ink in page_ink(files[f"report-{lang}.pdf"]))
        text = one_line(pdf_text(files[f"report-{lang}.pdf"]))
        assert heading in text
        for shown in (cases.answered, cases.complaint, DETAILS, OUTCOME):
            assert shown in text


def test_a_changed_byte_in_a_section_is_named(ctx: Context, tmp_path: Path) -> None:
    cases = mario_cases(ctx, tmp_path / "outbox")
    files = unzip(subject_dossier(cases.ctx, subject_id=cases.subject_id))
    for path in (REQUESTS, COMPLAINTS):
        body = files[path]
        spot = body.index(b"closed" if path == COMPLAINTS else b"fulfilled")
        changed = body[:spot] + bytes([body[spot] ^ 0x01]) + body[spot + 1 :]
        check = verify_dossier(rezip({**files, path: changed}))
        assert path in {p for p, _ in check.problems}, check.problems


def test_a_section_whose_steps_are_not_its_events_is_named_even_if_re_signed(
    ctx: Context, tmp_path: Path
) -> None:
    """Whoever holds the instance key could re-sign a manifest; the steps must still be the
    ledger events the dossier proves, of the kind each step says."""
    cases = mario_cases(ctx, tmp_path / "outbox")
    files = unzip(subject_dossier(cases.ctx, subject_id=cases.subject_id))
    rows = json.loads(files[REQUESTS])
    answered = next(r for r in rows if r["id"] == cases.answered)
    waiting = next(r for r in rows if r["id"] == cases.waiting)
    answered["steps"][3]["event_id"] = answered["steps"][2]["event_id"]  # "fulfilled" by extension
    waiting["steps"][0]["event_id"] = "evt_invented"
    forged = {**files, REQUESTS: json.dumps(rows).encode()}
    header = [
        line
        for line in files["manifest.txt"].decode().split("\n\n")[0].splitlines()
        if len(line.split(" ")[0]) != 64
    ]
    lines = header + [
        f"{hashlib.sha256(b).hexdigest()} {p}"
        for p, b in sorted(forged.items())
        if p != "manifest.txt"
    ]
    forged["manifest.txt"] = cases.ctx.keys.signer.sign("\n".join(lines) + "\n").encode()

    problems = [m for p, m in verify_dossier(rezip(forged)).problems if p == REQUESTS]
    assert len(problems) == 2, problems
    assert any("'fulfilled' is proved by" in m and "a request.extended" in m for m in problems)
    assert any("evt_invented, not in this dossier" in m for m in problems)


def test_after_erasure_the_texts_show_as_erased_and_the_dossier_verifies(
    ctx: Context, tmp_path: Path
) -> None:
    cases = mario_cases(ctx, tmp_path / "outbox")
    with cases.ctx.uow() as uow:
        shred_subject(cases.ctx, subject_id=cases.subject_id, uow=uow)
        uow.commit()
    body = subject_dossier(cases.ctx, subject_id=cases.subject_id)
    files = unzip(body)
    assert verify_dossier(body).problems == []

    by_id = {r["id"]: r for r in json.loads(files[REQUESTS])}
    answered, waiting = by_id[cases.answered], by_id[cases.waiting]
    assert (answered["details"], answered["extension_reason"], answered["outcome"]) == (
        None,
        None,
        None,
    )
    assert answered["erased"] == ["details", "extension_reason", "outcome"]
    assert waiting["erased"] == []  # nothing was written, so nothing was erased
    [complaint] = json.loads(files[COMPLAINTS])
    assert complaint["erased"] == ["summary", "outcome", "attachment:0"]
    assert complaint["attachments"][0]["name"] is None
    assert len(answered["steps"]) == 4  # the history stays: only the words are gone

    for path in files:
        if path.startswith(("sections/", "report-")) and not path.endswith(".pdf"):
            for secret in (DETAILS, REASON, ANSWER, SUMMARY, OUTCOME, "lettera.pdf"):
                assert secret.encode() not in files[path], (path, secret)
    assert "[cancellato: crypto-shredding]" in files["report-it.html"].decode()
    assert "[erased: crypto-shredded]" in one_line(pdf_text(files["report-en.pdf"]))
    assert DETAILS not in pdf_text(files["report-it.pdf"])
