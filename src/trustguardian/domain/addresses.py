"""Which hosts an outbound request may reach: the rules, without any lookup.

Webhook, SMS-gateway and time-stamping URLs are typed in by people; the server then sends to
them from inside the company's network. So a request goes only to public unicast addresses,
unless the operator names the host (or its network) in the allow-list: never to loopback,
private, link-local (where cloud metadata answers), multicast, unspecified or reserved ones.

A host is read the way the resolver of the operating system reads it: `0x7f000001`,
`2130706433`, `127.1` and `0177.0.0.1` are all 127.0.0.1 (inet_aton's forms), and an IPv6
address that carries an IPv4 one (IPv4-mapped, NAT64, 6to4) is judged by the IPv4 inside.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network


class AddressRefused(ValueError):
    """An outbound request that must not be made; the message says why, in one sentence."""


# Where the clouds' instance metadata answers (credentials, user data): named as such.
METADATA = frozenset(
    ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, ...
        "169.254.170.2",  # AWS ECS task metadata
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
        "fd00:ec2::254",  # AWS over IPv6
    )
)

# IANA's special-purpose registries, spelled out rather than taken from `ipaddress`, whose
# is_private and is_global changed between Python releases (3.11 calls 224.0.0.1 global).
_V4: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "unspecified"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "private"),  # carrier-grade NAT
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "reserved"),
    ("192.0.2.0/24", "reserved"),
    ("192.88.99.0/24", "reserved"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "reserved"),
    ("198.51.100.0/24", "reserved"),
    ("203.0.113.0/24", "reserved"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),  # with 255.255.255.255, the broadcast address
)
_V6: tuple[tuple[str, str], ...] = (
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("64:ff9b:1::/48", "private"),  # local-use NAT64
    ("2001::/23", "reserved"),  # IETF protocol assignments, Teredo among them
    ("2001:db8::/32", "reserved"),
    ("3fff::/20", "reserved"),
    ("fc00::/7", "private"),
    ("fec0::/10", "private"),  # site-local, deprecated
    ("fe80::/10", "link-local"),
    ("ff00::/8", "multicast"),
)
_RANGES: tuple[tuple[Network, str], ...] = tuple((ip_network(net), kind) for net, kind in _V4 + _V6)
_GLOBAL_UNICAST = IPv6Network("2000::/3")
_NAT64 = IPv6Network("64:ff9b::/96")
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*")


def normal_host(host: str) -> str:
    """A host as compared here: lower case, no brackets, no zone id, no final dot."""
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    host = host.split("%", 1)[0]
    return host[:-1] if host.endswith(".") and host != "." else host


def host_literal(host: str) -> Address | None:
    """The address a host names by itself, in any form the resolver accepts; None for a name.

    Raises AddressRefused for a dotted number out of range (`256.1.1.1`): no name looks so."""
    host = normal_host(host)
    try:
        return ip_address(host)
    except ValueError:
        pass
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMBER.fullmatch(p) for p in parts):
        return None
    numbers = [_number(p) for p in parts]
    *high, low = numbers
    if any(n > 255 for n in high) or low >= 256 ** (4 - len(high)):
        raise AddressRefused(f"{host} is not a valid IPv4 address")
    value = low
    for i, n in enumerate(high):
        value += n << (8 * (3 - i))
    return IPv4Address(value)


def _number(part: str) -> int:
    if part[:2] in ("0x", "0X"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)
    return int(part)


def address_kind(address: Address) -> str | None:
    """What kind of non-public address this is ("loopback", "cloud metadata", ...); None when
    it is a public unicast address a request may go to. An IPv6 address that carries an IPv4
    one is of the IPv4 one's kind."""
    if address in METADATA:
        return "cloud metadata"
    if isinstance(address, IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return address_kind(inner)
    for network, kind in _RANGES:
        if address.version == network.version and address in network:
            return kind
    if isinstance(address, IPv6Address) and address not in _GLOBAL_UNICAST:
        return "reserved"
    return None


def describe(address: Address) -> str | None:
    """What to call a non-public address in a refusal ("a loopback address", "an IPv4-mapped
    private address (10.0.0.1)"); None when it is public."""
    kind = address_kind(address)
    if kind is None:
        return None
    inner = None
    if isinstance(address, IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            carrier = "IPv4-mapped" if address.ipv4_mapped else "NAT64"
            carrier = "6to4" if address.sixtofour else carrier
            kind = f"{carrier} {kind}"
    article = "an" if kind[0] in "aeiouIU" else "a"
    return f"{article} {kind} address" + (f" ({inner})" if inner is not None else "")


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 one stands for: IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def local_name(host: str) -> bool:
    """Whether a name means this machine whatever DNS says (RFC 6761: `localhost` and below)."""
    host = normal_host(host)
    return host in _LOCAL_NAMES or host.endswith(".localhost")


@dataclass(frozen=True)
class AllowList:
    """Hosts the operator lets outbound requests reach although they are not public: names
    (compared exactly, case aside) and addresses or networks (`10.1.2.3`, `10.1.0.0/16`)."""

    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> AllowList:
        """Reads a comma- or space-separated list; raises ValueError on an invalid network."""
        names: set[str] = set()
        networks: list[Network] = []
        for entry in (text or "").replace(",", " ").split():
            host = normal_host(entry)
            try:
                networks.append(ip_network(host, strict=False))
                continue
            except ValueError:
                if "/" in host or ":" in host:
                    raise ValueError(f"{entry!r} is neither a host name nor a network") from None
            literal = host_literal(host)
            if literal is not None:
                networks.append(ip_network(literal))
            elif host:
                names.add(host)
        return cls(frozenset(names), tuple(networks))

    def names_host(self, host: str) -> bool:
        return normal_host(host) in self.names

    def covers(self, address: Address) -> bool:
        return any(address.version == n.version and address in n for n in self.networks)


def check_host(host: str, allow: AllowList) -> Address | None:
    """Checks what a host says by itself: the literal address to use (None for a name that must
    be looked up, or that the allow-list names). Raises AddressRefused."""
    if allow.names_host(host):
        return None
    literal = host_literal(host)
    if literal is not None:
        check_addresses(host, [literal], allow)
        return literal
    if local_name(host):
        raise AddressRefused(f"{normal_host(host)} names this machine (a loopback address)")
    return None


def check_addresses(host: str, addresses: Iterable[Address], allow: AllowList) -> None:
    """Refuses when any address the host resolved to is not public and not allowed: a name that
    answers a public and a private address is refused as a whole."""
    shown = normal_host(host)
    for address in addresses:
        what = None if allow.covers(address) else describe(address)
        if what is None:
            continue
        if _standard(shown) == address:
            raise AddressRefused(f"{shown} is {what}")
        if _is_literal(shown):
            raise AddressRefused(f"{shown} is {address}, {what}")
        raise AddressRefused(f"{shown} resolves to {address}, {what}")


def _standard(host: str) -> Address | None:
    try:
        return ip_address(host)
    except ValueError:
        return None


def _is_literal(host: str) -> bool:
    try:
        return host_literal(host) is not None
    except AddressRefused:
        return True
