"""The httpx client of outbound requests: its connection pool opens TCP connections only to
addresses it resolved and checked (see the package's docstring)."""

from __future__ import annotations

from collections.abc import Iterable

import httpcore
import httpx

from trustguardian.domain.addresses import AddressRefused, normal_host
from trustguardian.outbound import HINT, Outbound


def checked_client(outbound: Outbound, *, timeout: float) -> httpx.Client:
    """An httpx client on the checking transport; no proxy from the environment, no redirect."""
    return httpx.Client(
        transport=_Transport(outbound), timeout=timeout, trust_env=False, follow_redirects=False
    )


class _Backend(httpcore.SyncBackend):
    """Resolves once, checks every address, and connects to a checked address."""

    def __init__(self, outbound: Outbound) -> None:
        self.outbound = outbound

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self.outbound.addresses(host, port)
        except AddressRefused as exc:
            raise httpcore.ConnectError(f"refused: {exc}; {HINT}") from exc
        except OSError as exc:
            raise httpcore.ConnectError(f"{normal_host(host)} does not resolve: {exc}") from exc
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # `addresses` is never empty
        raise failure


class _Transport(httpx.HTTPTransport):
    """httpx's own transport (its request and response mapping), with its connection pool on
    the checking backend; TLS verifies the URL's host name, which is also the SNI."""

    def __init__(self, outbound: Outbound) -> None:
        ssl_context = httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=ssl_context, trust_env=False)
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_Backend(outbound),
        )
