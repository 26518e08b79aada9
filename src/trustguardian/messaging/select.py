"""Picks the adapters the settings name: SMTP or HTTP when configured, else a directory."""

from __future__ import annotations

from trustguardian.messaging.adapters import (
    DirectoryMailer,
    DirectorySms,
    HttpSmsGateway,
    SmtpMailer,
)
from trustguardian.messaging.ports import Mailer, SmsSender
from trustguardian.outbound import Outbound
from trustguardian.settings import Settings


def mailer_for(settings: Settings, sender: str | None = None) -> Mailer:
    """The mailer the settings name; its mails come from `sender` (`Name <address>`), else
    from `mail_from`."""
    sender = sender or settings.mail_from
    if settings.smtp_host:
        return SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            sender,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
        )
    return DirectoryMailer(settings.outbox_dir / "mail", sender)


def sms_sender_for(settings: Settings) -> SmsSender:
    if settings.sms_gateway_url:
        auth = settings.sms_gateway_authorization
        return HttpSmsGateway(
            settings.sms_gateway_url,
            authorization=auth.get_secret_value() if auth else None,
            body_template=settings.sms_gateway_body_template,
            outbound=Outbound.of(settings.outbound_allow_hosts),
        )
    return DirectorySms(settings.outbox_dir / "sms")
