"""Fixtures of the messaging tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.factories.smtp import Inbox, smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server: (its inbox, its port)."""
    with smtp_server() as running:
        yield running
