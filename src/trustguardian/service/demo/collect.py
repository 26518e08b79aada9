"""The demo's collect touchpoint in practice: the newsletter form confirms by double opt-in, and a
demo page on this server carries a publishable key for this server's own origin."""

from __future__ import annotations

from trustguardian.domain.collect import Confirmation
from trustguardian.domain.registry import NoticeVersion, version_in_force
from trustguardian.service.collect import admin as collect_admin
from trustguardian.service.context import Context

DEMO_TOUCHPOINT = "web-newsletter"
DEMO_KEY_NAME = "demo form (serve --demo)"


def seed_collect_demo(ctx: Context) -> str | None:
    """Configures the demo form and returns a fresh publishable key for it (None without it)."""
    with ctx.uow(write=False) as uow:
        if uow.touchpoints.get(DEMO_TOUCHPOINT) is None:
            return None
        configured = uow.collect.settings_for([DEMO_TOUCHPOINT])
        stale = [
            k.id
            for k in uow.collect.publishable_keys()
            if k.name == DEMO_KEY_NAME and k.revoked_at is None
        ]
    if DEMO_TOUCHPOINT not in configured:
        collect_admin.configure(
            ctx, touchpoint=DEMO_TOUCHPOINT, confirmation=Confirmation.DOUBLE_OPT_IN
        )
    for key_id in stale:
        collect_admin.revoke_publishable_key(ctx, key_id=key_id)
    origin = collect_admin.normalise_origin(ctx.settings.public_base_url)
    _, text = collect_admin.create_publishable_key(
        ctx, name=DEMO_KEY_NAME, touchpoint=DEMO_TOUCHPOINT, origins=[origin]
    )
    return text


def demo_notice(ctx: Context) -> NoticeVersion | None:
    """The notice version the demo form shows: its touchpoint's, in force now."""
    with ctx.uow(write=False) as uow:
        tp = uow.touchpoints.get(DEMO_TOUCHPOINT)
        if tp is None or tp.notice_key is None:
            return None
        return version_in_force(uow.notices.versions(tp.notice_key), ctx.clock.now())
