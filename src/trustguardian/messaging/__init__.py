"""The messaging port: e-mails and text messages sent on the company's behalf.

Confirmation links (double opt-in), one-time codes and identity checks for rights requests go
out through these ports. Adapters: SMTP and a generic HTTP SMS gateway for production, and a
directory adapter that writes each message to a file (the demo, and local development).
"""

from __future__ import annotations

from trustguardian.messaging.ports import EmailMessage, Mailer, SmsMessage, SmsSender
from trustguardian.messaging.select import mailer_for, sms_sender_for

__all__ = ["EmailMessage", "Mailer", "SmsMessage", "SmsSender", "mailer_for", "sms_sender_for"]
