"""Trusted time: RFC 3161 time-stamps of signed checkpoints from a time-stamping authority.

The stamped data is the checkpoint's signed note exactly as stored (its UTF-8 bytes), so anyone
holding the note and the token can check, offline, that the note existed at the TSA's time.
The HTTP call happens outside any transaction; the token is then stored with the checkpoint.
"""

from __future__ import annotations

from datetime import datetime

import httpx
from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

from trustguardian.domain.errors import Conflict, NotFound
from trustguardian.ledger.tsp import TokenError, read_timestamp_response
from trustguardian.ledger.tsp_verify import imprint_matches
from trustguardian.outbound import Outbound
from trustguardian.service.context import Context
from trustguardian.store.accountability import StoredTimestamp


class TimestampUnavailable(Conflict):
    code = "timestamp-unavailable"
    title = "The time-stamping authority gave no valid time-stamp"


def request_timestamp(
    url: str, data: bytes, *, timeout: float, outbound: Outbound | None = None
) -> tuple[bytes, datetime]:
    """Asks a TSA to stamp `data` (SHA-256 imprint, with nonce); returns (response DER, time).

    The connection goes only where `outbound` (by default: public addresses) lets it."""
    request = (
        TimestampRequestBuilder()
        .data(data)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    try:
        with (outbound or Outbound()).client(timeout=timeout) as client:
            reply = client.post(
                url,
                content=request.as_bytes(),
                headers={"Content-Type": "application/timestamp-query"},
            )
        reply.raise_for_status()
        token = read_timestamp_response(reply.content)
    except (httpx.HTTPError, TokenError) as exc:
        raise TimestampUnavailable(f"the time-stamping authority failed: {exc}") from exc
    if not imprint_matches(token, data) or token.nonce != request.nonce:
        raise TimestampUnavailable("the time-stamp answers another request")
    return reply.content, token.gen_time


def stamp_checkpoint(ctx: Context, *, tree_size: int | None = None) -> StoredTimestamp:
    """Stamps a checkpoint (the latest by default) unless it already is; returns its token."""
    url = ctx.settings.tsa_url
    if not url:
        raise Conflict("no time-stamping authority is configured (TRUSTGUARDIAN_TSA_URL)")
    with ctx.uow(write=False) as uow:
        checkpoint = (
            uow.ledger.latest_checkpoint()
            if tree_size is None
            else uow.ledger.checkpoint(tree_size)
        )
        if checkpoint is None:
            raise NotFound("no such checkpoint" if tree_size else "the ledger is empty")
        known = uow.accountability.timestamp(checkpoint.tree_size)
    if known is not None:
        return known
    token, gen_time = request_timestamp(
        url,
        checkpoint.note.encode(),
        timeout=ctx.settings.tsa_timeout_seconds,
        outbound=ctx.outbound,
    )
    stamped = StoredTimestamp(checkpoint.tree_size, token, url, gen_time, ctx.clock.now())
    with ctx.uow() as uow:
        # Another process may have stamped it meanwhile: the first token stays.
        known = uow.accountability.timestamp(checkpoint.tree_size)
        if known is not None:
            return known
        uow.accountability.add_timestamp(stamped)
        uow.commit()
    return stamped


def checkpoint_timestamps(ctx: Context) -> dict[int, StoredTimestamp]:
    """Every stored token, by tree size."""
    with ctx.uow(write=False) as uow:
        return uow.accountability.timestamps()
