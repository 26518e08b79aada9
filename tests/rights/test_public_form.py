"""The public rights form over HTTP: filing is one transaction, all or nothing.

POST /rights redeems the form token, keeps the submission as a sealed pending intake, mints the
verification page's token and sends the code, last: no subject, no event, no request until the
code comes back. A send that fails (an SMTP server that refuses the connection) must leave
nothing: no intake, no token used.
"""

from __future__ import annotations

import re
import socket

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.factories.events import footprint

from trustguardian.asgi import create_app
from trustguardian.service.context import Context
from trustguardian.store import tables as t

from .helpers import ANNA, last_code, outbox_files


def _form_token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _written(ctx: Context) -> dict[str, int]:
    """Everything filing a request writes: event tables, the ledger, requests, codes, tokens."""
    counts = footprint(ctx)
    with ctx.engine.connect() as conn:
        for table in (
            t.rights_requests,
            t.rights_request_steps,
            t.verification_codes,
            t.pending_intakes,
        ):
            counts[table.name] = int(conn.execute(select(func.count()).select_from(table)).one()[0])
        counts["tokens_used"] = int(
            conn.execute(
                select(func.count())
                .select_from(t.link_tokens)
                .where(t.link_tokens.c.used_at.is_not(None))
            ).one()[0]
        )
        counts["tokens"] = int(
            conn.execute(select(func.count()).select_from(t.link_tokens)).one()[0]
        )
    return counts


def _closed_port() -> int:
    """A local port nobody listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _form(client: TestClient, **values: str) -> dict[str, str]:
    token = _form_token(client.get("/rights", params={"lang": "en"}).text)
    return {"form_token": token, "kind": "access", "contact": ANNA, "lang": "en", **values}


def test_the_form_files_a_request_that_the_emailed_code_verifies(
    api: TestClient, rctx: Context
) -> None:
    person = TestClient(api.app)  # no admin key, no cookies: a visitor
    form = _form(person, details="A copy of my data")
    filed = person.post("/rights", data=form, follow_redirects=False)
    assert filed.status_code == 303, filed.text
    page = filed.headers["location"]
    assert page.startswith("/rights/verify/")
    written = _written(rctx)
    # Pending: the submission is sealed in its intake, and nothing else is recorded yet.
    assert written["pending_intakes"] == 1
    for table in ("rights_requests", "subjects", "events", "verification_codes"):
        assert written[table] == 0, table
    assert len(outbox_files(rctx.settings.outbox_dir)) == 1
    assert person.get(page).status_code == 200
    code = last_code(rctx.settings.outbox_dir)
    wrong = person.post(page, data={"code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 422
    done = person.post(page, data={"code": code, "lang": "en"})
    assert done.status_code == 200, done.text
    with rctx.engine.connect() as conn:
        assert conn.execute(select(t.rights_requests.c.status)).scalar_one() == "in_progress"
        intake = conn.execute(select(t.pending_intakes)).one()
        kinds = conn.execute(select(t.events.c.kind).order_by(t.events.c.seq)).scalars().all()
    assert intake.attempts == 1  # the wrong code counted
    assert intake.sealed is None  # the submission now lives in the request, sealed per subject
    assert kinds == ["request.received", "request.verifying", "request.in_progress"]
    again = person.post(page, data={"code": code, "lang": "en"})  # the page sent twice
    assert again.status_code == 200
    assert _written(rctx)["rights_requests"] == 1
    replayed = person.post("/rights", data=form, follow_redirects=False)
    assert replayed.status_code == 400
    assert _written(rctx)["rights_requests"] == 1


def test_a_failed_send_of_the_code_leaves_nothing_and_the_form_usable(
    api: TestClient, rctx: Context
) -> None:
    person = TestClient(api.app)
    form = _form(person)
    before = _written(rctx)
    settings = rctx.settings
    rctx.settings = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": _closed_port()}
    )
    refused = person.post("/rights", data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert "could not be sent" in refused.text
    after = _written(rctx)
    # The page shown again carries a fresh form token, which is stateless: nothing is written.
    assert after == before
    assert outbox_files(rctx.settings.outbox_dir) == []
    # The first token was never used: once mail goes out, the same form goes through.
    rctx.settings = settings
    filed = person.post("/rights", data=form, follow_redirects=False)
    assert filed.status_code == 303, filed.text
    assert _written(rctx)["pending_intakes"] == 1


def test_a_contact_we_cannot_use_writes_nothing(api: TestClient, rctx: Context) -> None:
    person = TestClient(api.app)
    form = _form(person, contact="not a contact")
    before = _written(rctx)
    refused = person.post("/rights", data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert _written(rctx) == before


def test_the_form_names_the_controller_the_settings_name_with_its_contacts(
    rctx: Context,
) -> None:
    rctx.settings = rctx.settings.model_copy(
        update={
            "controller_name": "Acme Italia S.r.l.",
            "controller_email": "privacy@acme.example",
            "controller_phone": "+39 02 1234 5678",
            "controller_address": "Via Roma 1, 20121 Milano",
            "dpo_name": "Giulia Neri",
            "dpo_email": "dpo@acme.example",
        }
    )
    with TestClient(create_app(rctx)) as client:
        english = client.get("/rights", params={"lang": "en"}).text
        italian = client.get("/rights", params={"lang": "it"}).text
    assert "You are writing to Acme Italia S.r.l., the controller of your data." in english
    assert '<a href="mailto:privacy@acme.example">privacy@acme.example</a>' in english
    assert "+39 02 1234 5678" in english
    assert "Via Roma 1, 20121 Milano" in english
    assert "Data protection officer: Giulia Neri (dpo@acme.example)" in english
    assert "Sta scrivendo a Acme Italia S.r.l., titolare del trattamento dei suoi dati." in italian
    assert "Responsabile della protezione dei dati: Giulia Neri" in italian
