"""What a use case needs from a mail or SMS channel, and the messages it hands them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str | None = None


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164
    text: str


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Sends the message; returns the id the channel gave it (Message-ID, gateway id)."""
        ...


class SmsSender(Protocol):
    def send(self, message: SmsMessage) -> str:
        """Sends the message; returns the id the gateway gave it."""
        ...


class MessagingError(Exception):
    """The channel refused or could not take the message."""
