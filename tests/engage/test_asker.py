"""An Asker told the list's header (the columns its rows can hold) asks exactly what one told
nothing asks, row errors included: it only leaves out the look-ups of columns the header lacks,
and checks once a purpose and channel that no row can change."""

from __future__ import annotations

import pytest

from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage.audience import Asker, load_rules

from .population import DEFAULT_CHANNEL, DEFAULT_PURPOSE, HEADER, Population, build


@pytest.fixture
def small(ctx: Context) -> Population:
    return build(ctx, size=60)


@pytest.mark.parametrize(
    "header",
    [HEADER, ["email"], ["phone", "note"], ["subject_id", "email"], ["email", "channel"]],
)
@pytest.mark.parametrize(
    ("purpose", "channel"),
    [(DEFAULT_PURPOSE, DEFAULT_CHANNEL), (DEFAULT_PURPOSE, Channel.SMS), ("nope", Channel.EMAIL)],
)
def test_an_asker_told_the_header_asks_as_one_told_nothing(
    small: Population, header: list[str], purpose: str, channel: Channel
) -> None:
    rules = load_rules(small.ctx)
    rows = [{h: row.fields.get(h, "") for h in header} for row in small.row_ins()]
    plain = Asker(small.ctx, rules, purpose, channel)
    told = Asker(small.ctx, rules, purpose, channel, columns=header)
    asked = [told.ask(fields) for fields in rows]
    assert asked == [plain.ask(fields) for fields in rows]
    if purpose == "nope" and "purpose" not in header:
        assert all(error == "unknown purpose 'nope'" for _, error in asked)
    elif header != ["phone", "note"] or channel is Channel.SMS:
        assert any(ask is not None for ask, _ in asked)
