"""Outbound HTTP that goes only where the address rules (domain.addresses) let it.

Webhooks, the SMS gateway and the time-stamping authority all send through `Outbound.client`:
its transport (outbound.http) resolves the host once, checks every address the answer holds,
and connects to an address it checked (TLS still verifies, and SNI still names, the host in
the URL; the Host header is the URL's). A name whose DNS answer changes after it was
registered (DNS rebinding) is thereby judged by the answer actually used. Proxies from the
environment are not used: a proxy would resolve the name itself, past these checks.

`check_url` is the same judgement made when a URL is registered, so that a refused URL is
never stored; a name that does not resolve yet is let through there, and judged when used.
httpx is imported only when a client is made: the command line starts without it.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from ipaddress import ip_address
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from trustguardian.domain.addresses import (
    AddressRefused,
    AllowList,
    check_addresses,
    check_host,
    host_literal,
    normal_host,
)

if TYPE_CHECKING:
    import httpx

# (host, port) -> the addresses it resolves to, as text, in the order to try them.
Resolver = Callable[[str, int], Sequence[str]]
ALLOW_SETTING = "TRUSTGUARDIAN_OUTBOUND_ALLOW_HOSTS"
HINT = f"requests go only to public addresses, or to hosts named in {ALLOW_SETTING}"

__all__ = [
    "ALLOW_SETTING",
    "HINT",
    "AddressRefused",
    "AllowList",
    "Outbound",
    "Resolver",
    "system_resolver",
]


def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's answer (getaddrinfo), each address once."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Outbound:
    """The address rules with the operator's allow-list, and the resolver to look names up."""

    allow: AllowList = field(default_factory=AllowList)
    resolver: Resolver = system_resolver

    @classmethod
    def of(cls, allow_hosts: str | None, resolver: Resolver = system_resolver) -> Outbound:
        return cls(AllowList.parse(allow_hosts), resolver)

    def check_url(self, url: str) -> None:
        """Refuses (AddressRefused, one sentence) an http(s) URL whose host is, or resolves to,
        an address that is not public and not allowed."""
        parts = urlsplit(url)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise AddressRefused(f"the URL's port is not valid ({exc})") from None
        try:
            self.addresses(parts.hostname or "", port)
        except OSError:
            return  # not resolvable yet: judged again on every connection

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to, in order, each checked (unless the allow-list names the
        host). Raises AddressRefused, or OSError when the name does not resolve."""
        named = self.allow.names_host(host)
        literal = host_literal(host) if named else check_host(host, self.allow)
        if literal is not None:
            return [str(literal)]
        answers = list(self.resolver(normal_host(host), port))
        if not answers:
            raise OSError(f"{normal_host(host)} resolves to no address")
        if not named:
            check_addresses(host, [ip_address(normal_host(a)) for a in answers], self.allow)
        return answers

    def client(self, *, timeout: float) -> httpx.Client:
        """An HTTP client whose every connection is checked (no proxy, no redirects)."""
        from trustguardian.outbound.http import checked_client

        return checked_client(self, timeout=timeout)
