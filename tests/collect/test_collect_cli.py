"""`trustguardian collect ...`: confirmation settings and publishable keys from the command line,
and the API that does the same."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from tests.collect.helpers import SHOP, STORE, TP, setup_collect
from tests.factories.api import assert_problem
from tests.factories.cli import cli

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.collect import Confirmation
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.collect.admin import authenticate_publishable, get_settings
from trustguardian.service.context import Context


def test_configure_and_keys_from_the_command_line(ctx: Context, tmp_path: Path) -> None:
    setup_collect(ctx)
    code, out = cli(
        ctx, tmp_path, "collect", "configure", TP, "--confirmation", "otp_sms",
        "--within-minutes", "15", "--max-attempts", "3", "--language", "en",
    )  # fmt: skip
    assert code == 0, out
    settings = get_settings(ctx, touchpoint=TP)
    assert (settings.confirmation, settings.confirm_within_minutes) == (Confirmation.OTP_SMS, 15)
    assert (settings.otp_max_attempts, settings.language) == (3, "en")
    code, out = cli(ctx, tmp_path, "collect", "show", TP)
    assert "otp_sms" in out
    code, out = cli(ctx, tmp_path, "collect", "keys", "create", TP, "--origin", SHOP)
    assert code == 0, out
    found = re.search(r"tgpk_\S+", out)
    assert found is not None
    key = authenticate_publishable(ctx, key=found.group(0))
    assert (key.touchpoint_key, key.origins) == (TP, (SHOP,))
    code, out = cli(ctx, tmp_path, "collect", "keys", "list")
    assert key.id in out
    assert found.group(0) not in out  # shown once
    assert cli(ctx, tmp_path, "collect", "keys", "revoke", key.id)[0] == 0
    code, _ = cli(ctx, tmp_path, "collect", "keys", "revoke", key.id)
    assert code != 0


def test_settings_and_keys_over_the_api(ctx: Context) -> None:
    setup_collect(ctx)
    _, admin = create_api_key(ctx, name="admin", scopes=[Scope.ADMIN])
    _, store = create_api_key(
        ctx, name="clerk", scopes=[Scope.REGISTRY_WRITE], touchpoint_key=STORE
    )
    client = TestClient(create_app(ctx))
    auth = {"Authorization": f"Bearer {admin}"}
    put = client.put(
        f"/v1/touchpoints/{TP}/collect-settings",
        json={"confirmation": "double_opt_in", "within_minutes": 60},
        headers=auth,
    )
    assert put.status_code == 200, put.text
    got = client.get(f"/v1/touchpoints/{TP}/collect-settings", headers=auth).json()
    assert (got["confirmation"], got["within_minutes"]) == ("double_opt_in", 60)
    bad = client.put(
        f"/v1/touchpoints/{TP}/collect-settings",
        json={"confirmation": "carrier_pigeon"},
        headers=auth,
    )
    assert_problem(bad, 422, "validation-error")
    # A touchpoint-bound key cannot change the registry beyond it.
    assert_problem(
        client.put(
            f"/v1/touchpoints/{TP}/collect-settings",
            json={"confirmation": "none"},
            headers={"Authorization": f"Bearer {store}"},
        ),
        403,
        "forbidden",
    )
    created = client.post(
        "/v1/publishable-keys",
        json={"name": "site", "touchpoint": TP, "origins": [SHOP]},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    assert created.json()["key"].startswith("tgpk_")
    listed = client.get("/v1/publishable-keys", headers=auth).json()
    assert [k["key"] for k in listed] == [None]
    gone = client.delete(f"/v1/publishable-keys/{created.json()['id']}", headers=auth)
    assert gone.status_code == 204
    assert_problem(
        client.post(
            "/v1/publishable-keys",
            json={"name": "site", "touchpoint": TP, "origins": ["not an origin"]},
            headers=auth,
        ),
        422,
        "invalid-input",
    )
