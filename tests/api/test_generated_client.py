"""An integrator's path: generate a Python client with openapi-python-client from the running
server's `/openapi.json`, import it, and use its typed functions against a real
`trustguardian serve` on loopback: register a purpose and a touchpoint, record a consent, check
one contact and a list, read the event's inclusion proof (verified against the checkpoint),
and get an error back as a typed problem."""

from __future__ import annotations

import base64
import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from tests.engage.server import live_server

from trustguardian.domain.access import Scope
from trustguardian.ledger.hashing import leaf_hash
from trustguardian.ledger.verify import verify_inclusion
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context

PACKAGE = "tg_generated_client"


@pytest.fixture
def served(sqlite_ctx: Context, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A real server on a fresh database; yields its base URL and an admin token."""
    _, token = create_api_key(sqlite_ctx, name="integrator", scopes=[Scope.ADMIN])
    workdir = tmp_path / "serve"
    workdir.mkdir()
    with live_server(sqlite_ctx.settings, workdir) as base:
        yield base, token


def generate(base: str, into: Path) -> tuple[ModuleType, str]:
    """Generates the client package from the server's description; returns it and the
    generator's output."""
    spec = into / "openapi.json"
    spec.write_text(json.dumps(httpx.get(f"{base}/openapi.json", timeout=30).json()))
    out = into / PACKAGE
    generator = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    assert generator, "openapi-python-client is in the test extras"
    done = subprocess.run(
        [generator, "generate", "--meta", "none", "--path", str(spec), "--output-path", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    sys.path.insert(0, str(into))
    try:
        return importlib.import_module(PACKAGE), output
    finally:
        sys.path.remove(str(into))


def api(name: str) -> Any:
    """One generated operation module, e.g. `checks.check_contact`."""
    return importlib.import_module(f"{PACKAGE}.api.{name}")


@pytest.fixture
def client_package(served: tuple[str, str], tmp_path: Path) -> Iterator[tuple[Any, str]]:
    base, token = served
    package, output = generate(base, tmp_path)
    # Nothing dropped: the generator warns for every operation or response it cannot express.
    assert "WARNING" not in output, output
    assert "will not be generated" not in output
    assert "omitted" not in output
    # Closed at the end, as an integrator's `with` block would.
    with package.AuthenticatedClient(
        base_url=base, token=token, raise_on_unexpected_status=True
    ) as client:
        yield client, base
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def test_a_generated_client_registers_records_checks_and_proves(
    client_package: tuple[Any, str],
) -> None:
    client, _ = client_package
    models = importlib.import_module(f"{PACKAGE}.models")
    types = importlib.import_module(f"{PACKAGE}.types")

    purpose = api("purposes.create_purpose").sync(
        client=client,
        body=models.PurposeCreate(
            key="newsletter",
            name="Newsletter",
            legal_basis=models.LegalBasis.CONSENT,
            channels=[models.Channel.EMAIL],
            controller="Rossi S.p.A.",
            retention_days=730,
            marketing=True,
        ),
    )
    assert isinstance(purpose, models.PurposeRead)
    assert purpose.current.version == 1

    touchpoint = api("touchpoints.create_touchpoint").sync(
        client=client,
        body=models.TouchpointCreate(
            key="newsletter-web",
            name="Newsletter sign-up",
            kind=models.TouchpointKind.COLLECT,
            channel=models.Channel.WEB_FORM,
            nature=models.Nature.DIGITAL,
            purposes=["newsletter"],
        ),
    )
    assert isinstance(touchpoint, models.TouchpointRead)
    assert touchpoint.status == models.TouchpointStatus.CENSUSED

    event = api("events.record_event").sync(
        client=client,
        body=models.EventCreate(
            kind=models.EventKind.CONSENT_GIVEN,
            touchpoint="newsletter-web",
            occurred_at=_now(),
            identifiers=[
                models.IdentifierIn(kind=models.IdentifierKind.EMAIL, value="mario@example.com")
            ],
            purpose="newsletter",
            channel=models.Channel.EMAIL,
        ),
    )
    assert isinstance(event, models.EventRead)
    assert event.kind == models.EventKind.CONSENT_GIVEN

    def check(email: str) -> Any:
        return api("checks.check_contact").sync(
            client=client,
            body=models.CheckCreate(
                identifier=models.IdentifierIn(kind=models.IdentifierKind.EMAIL, value=email),
                purpose="newsletter",
                channel=models.Channel.EMAIL,
            ),
        )

    allowed, unknown = check("mario@example.com"), check("nobody@example.com")
    assert isinstance(allowed, models.CheckRead)
    assert allowed.allowed is True
    assert allowed.reason == models.Reason.CONSENT_GIVEN
    assert allowed.event_id == event.id
    assert (unknown.allowed, unknown.reason) == (False, models.Reason.UNKNOWN_SUBJECT)

    listing = b"email\r\nmario@example.com\r\nnobody@example.com\r\n"
    answered = api("checks.check_contact_list").sync(
        client=client,
        body=types.File(payload=listing, mime_type="text/csv"),
        purpose="newsletter",
        channel=models.Channel.EMAIL,
    )
    rows = [line.split(",") for line in answered.splitlines()]
    assert rows[0] == ["email", "allowed", "reason", "error"]
    assert rows[1:] == [
        ["mario@example.com", "true", "consent_given", ""],
        ["nobody@example.com", "false", "unknown_subject", ""],
    ]

    proof = api("ledger.get_inclusion_proof").sync(client=client, event_id=event.id)
    assert isinstance(proof, models.InclusionProofRead)
    checkpoint = api("ledger.get_checkpoint").sync(client=client)
    assert isinstance(checkpoint, models.CheckpointRead)
    assert proof.tree_size == checkpoint.tree_size
    assert proof.leaf_hash == event.leaf_hash
    assert base64.b64decode(proof.leaf_hash) == leaf_hash(base64.b64decode(proof.leaf))
    assert verify_inclusion(
        base64.b64decode(proof.leaf_hash),
        proof.leaf_index,
        proof.tree_size,
        [base64.b64decode(h) for h in proof.inclusion_path],
        base64.b64decode(checkpoint.root_hash),
    )

    # Errors come back typed too, as the problem+json they are documented as.
    missing = api("touchpoints.get_touchpoint").sync(client=client, key="nowhere")
    assert isinstance(missing, models.Problem)
    assert (missing.status, missing.type_) == (404, "/problems/not-found")


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)
