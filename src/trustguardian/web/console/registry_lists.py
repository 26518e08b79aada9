"""The whole registry's notices or touchpoints, read a page at a time, for lists and choices."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from trustguardian.domain.registry import Notice, Touchpoint
from trustguardian.service.context import Context
from trustguardian.service.pagination import Page
from trustguardian.service.registry import notices, touchpoints

T = TypeVar("T")


def _every(ctx: Context, lister: Callable[..., Page[T]]) -> list[T]:
    found: list[T] = []
    cursor = None
    while True:
        page = lister(ctx, cursor=cursor, limit=500)
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def all_notices(ctx: Context) -> list[Notice]:
    """Every notice, by key."""
    return _every(ctx, notices.list_notices)


def all_touchpoints(ctx: Context) -> list[Touchpoint]:
    """Every touchpoint, by key."""
    return _every(ctx, touchpoints.list_touchpoints)
