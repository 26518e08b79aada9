"""The notice a page or a legacy row says was shown is compared with the version the event
cites: a web form whose page showed another text is refused (422, nothing written); an imported
row whose text differs is kept with a finding; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi.testclient import TestClient
from httpx import Response
from tests.collect.helpers import (
    NOTICE_TEXT,
    SHOP,
    events_count,
    publishable,
    setup_collect,
    submission,
)
from tests.collect.import_2019 import (
    HEADER,
    HISTORICAL_TEXT,
    MAPPING,
    import_historical,
    onboard,
    rows,
    run_import,
)
from tests.factories.api import assert_problem

from trustguardian.asgi import create_app
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.collect.proofs import read_proof
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.recording import list_events
from trustguardian.service.events.subjects import find_subject
from trustguardian.store.events import EventFilter


def post(client: TestClient, key: str, email: str, **snapshot: str) -> Response:
    body = submission(email)
    body["snapshot"] = {**body["snapshot"], **snapshot}
    return client.post(f"/sdk/v1/{key}/consents", json=body, headers={"Origin": SHOP})


def test_a_form_whose_page_showed_another_notice_text_is_refused(ctx: Context) -> None:
    setup_collect(ctx)
    key = publishable(ctx)
    client = TestClient(create_app(ctx), client=("198.51.100.7", 40000))

    answer = post(client, key, "altro@example.com", notice_text="Informativa di un altro sito.")
    problem = assert_problem(answer, 422, "invalid-input")
    assert "is not privacy-web v1's text" in str(problem["errors"])
    wrong_hash = hashlib.sha256(b"another text").hexdigest()
    answer = post(client, key, "hash@example.com", notice_sha256=wrong_hash)
    assert_problem(answer, 422, "invalid-input")
    assert events_count(ctx) == 0  # nothing written

    # The text as the page renders it (indented, lines rejoined) is the version's.
    shown = "\n      " + NOTICE_TEXT.replace(" ", "\n   ") + "   "
    answer = post(client, key, "anna@example.com", notice_text=shown)
    assert answer.status_code == 201, answer.text
    right_hash = hashlib.sha256(NOTICE_TEXT.encode()).hexdigest()
    answer = post(client, key, "bruno@example.com", notice_sha256=right_hash.upper())
    assert answer.status_code == 201, answer.text
    assert events_count(ctx) == 4  # two boxes each


def test_an_imported_row_with_another_notice_text_is_kept_with_a_finding(
    ctx: Context, tmp_path: Path
) -> None:
    onboard(ctx, tmp_path)
    assert import_historical(ctx, tmp_path)[0] == 0
    mapping = MAPPING.replace(
        'source = "Fonte"',
        'source = "Fonte"\nnotice_text = "TestoInformativa"\nnotice_sha256 = "HashInformativa"',
    )
    (tmp_path / "mapping.toml").write_text(mapping, encoding="utf-8")
    good = rows(3)
    other = hashlib.sha256(b"Informativa di un altro anno").hexdigest()
    shown = [
        " ".join(HISTORICAL_TEXT.split()),  # the same words, on one line: the version's
        "",  # nothing said: nothing compared
        "",
    ]
    hashes = ["", "", other]
    export = tmp_path / "informative.csv"
    lines = [";".join([*HEADER, "TestoInformativa", "HashInformativa"])]
    lines += [";".join([*c, t, h]) for c, t, h in zip(good, shown, hashes, strict=True)]
    export.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))

    code, out, why = run_import(ctx, tmp_path, export)
    assert (code, why) == (0, {}), out
    assert "Imported with a finding" in out
    assert "is not that of privacy-clienti v1" in out
    assert events_count(ctx) == 6  # every row is kept

    def proofs(email: str) -> list[dict[str, object]]:
        subject = find_subject(ctx, identifier=normalise(IdentifierKind.EMAIL, email))
        (event, _) = list_events(ctx, flt=EventFilter(subject_id=subject.subject.id)).items
        return [
            {"type": p.type.value, **read_proof(ctx, event_id=event.id, position=n).content}
            for n, p in enumerate(event.proofs)
        ]

    matched, silent, differing = (proofs(c[0]) for c in good)
    assert [p["type"] for p in matched] == ["import", "notice_shown"]
    assert matched[1]["version"] == 1
    assert "finding" not in matched[0]
    assert [p["type"] for p in silent] == ["import"]
    assert [p["type"] for p in differing] == ["import"]
    assert "is not that of privacy-clienti v1" in str(differing[0]["finding"])
    assert other[:12] in str(differing[0]["finding"])
