"""The collect demo page shows the very notice text its consents cite, so that the SDK's copy of
it matches the version the server compares it with."""

from __future__ import annotations

import dataclasses
import html

from fastapi.testclient import TestClient
from tests.factories import add_notice, add_purpose, add_touchpoint

from trustguardian.asgi import create_app
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.demo.collect import DEMO_TOUCHPOINT

TEXT = "Bottega Rossi S.p.A. tratta i tuoi dati <solo> per le finalità che scegli.\n\nDPO: dpo@x.it"


def test_the_demo_page_shows_the_notice_in_force_with_its_version(ctx: Context) -> None:
    add_purpose(ctx, "newsletter", channels=(Channel.EMAIL,))
    add_notice(ctx, "privacy-clienti", text=TEXT)
    add_touchpoint(ctx, DEMO_TOUCHPOINT, purposes=["newsletter"], notice_key="privacy-clienti")
    live = dataclasses.replace(
        ctx, settings=ctx.settings.model_copy(update={"demo_form_key": "tgpk_demo"})
    )
    page = TestClient(create_app(live)).get("/collect/demo")
    assert page.status_code == 200
    assert 'data-tg-notice="privacy-clienti" data-tg-notice-version="1"' in page.text
    assert html.escape(TEXT, quote=False) in page.text
