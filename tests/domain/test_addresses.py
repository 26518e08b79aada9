"""The address rules of outbound requests, without any lookup: every form a host may take that
names a non-public address is refused, public ones pass, and the allow-list lets named hosts
and networks through."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from trustguardian.domain.addresses import (
    AddressRefused,
    AllowList,
    check_addresses,
    check_host,
    host_literal,
)

NONE = AllowList()

REFUSED = {
    "169.254.169.254": "cloud metadata",
    "[fd00:ec2::254]": "cloud metadata",
    "100.100.100.200": "cloud metadata",
    "192.0.0.192": "cloud metadata",
    "[::ffff:169.254.169.254]": "IPv4-mapped cloud metadata",
    "10.0.0.5": "private",
    "172.16.3.4": "private",
    "192.168.1.10": "private",
    "100.64.0.1": "private",
    "[fc00::1]": "private",
    "127.0.0.1": "loopback",
    "127.5.6.7": "loopback",
    "[::1]": "loopback",
    "localhost": "loopback",
    "LOCALHOST.": "loopback",
    "api.localhost": "loopback",
    "0x7f000001": "127.0.0.1, a loopback",
    "2130706433": "127.0.0.1, a loopback",
    "127.1": "127.0.0.1, a loopback",
    "0177.0.0.1": "127.0.0.1, a loopback",
    "0x7f.0.0.1": "127.0.0.1, a loopback",
    "127.0.0.1.": "loopback",
    "[::ffff:127.0.0.1]": "IPv4-mapped loopback",
    "[::ffff:7f00:1]": "IPv4-mapped loopback",
    "[64:ff9b::7f00:1]": "NAT64 loopback",
    "[2002:7f00:1::1]": "6to4 loopback",
    "[::127.0.0.1]": "reserved",
    "[fe80::1%25eth0]": "link-local",
    "169.254.1.1": "link-local",
    "224.0.0.1": "multicast",
    "[ff02::1]": "multicast",
    "0.0.0.0": "unspecified",  # noqa: S104 -- a host to refuse, not one to bind
    "0": "unspecified",
    "[::]": "unspecified",
    "255.255.255.255": "reserved",
    "240.0.0.1": "reserved",
    "192.0.2.1": "reserved",
    "[2001:db8::1]": "reserved",
    "256.0.0.1": "not a valid IPv4 address",
}


@pytest.mark.parametrize(("host", "why"), REFUSED.items())
def test_a_non_public_host_is_refused_whatever_its_form(host: str, why: str) -> None:
    with pytest.raises(AddressRefused, match=why):
        check_host(host, NONE)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("93.184.216.34", "93.184.216.34"),
        ("[2606:4700::1111]", "2606:4700::1111"),
        ("[::ffff:8.8.8.8]", "::ffff:8.8.8.8"),
        ("[64:ff9b::808:808]", "64:ff9b::808:808"),
    ],
)
def test_a_public_address_passes(host: str, address: str) -> None:
    assert check_host(host, NONE) == ip_address(address)


def test_a_name_is_left_to_the_lookup_and_judged_by_every_answer() -> None:
    assert check_host("hooks.example.com", NONE) is None
    assert host_literal("1.2.3.4.5") is None  # five parts: a name, as the resolver reads it
    check_addresses("hooks.example.com", [ip_address("93.184.216.34")], NONE)
    with pytest.raises(AddressRefused, match=r"hooks\.example\.com resolves to 10\.0\.0\.1"):
        check_addresses(
            "hooks.example.com", [ip_address("93.184.216.34"), ip_address("10.0.0.1")], NONE
        )


def test_the_allow_list_names_hosts_and_networks() -> None:
    allow = AllowList.parse("crm.internal., 10.0.0.0/8 [::1] 127.0.0.1")
    assert allow.names == frozenset({"crm.internal"})
    assert allow.names_host("CRM.internal")
    assert check_host("crm.internal", allow) is None
    assert check_host("10.20.30.40", allow) == ip_address("10.20.30.40")
    assert check_host("[::1]", allow) == ip_address("::1")
    assert check_host("0x7f000001", allow) == ip_address("127.0.0.1")
    check_addresses("mq.internal", [ip_address("10.1.1.1")], allow)
    with pytest.raises(AddressRefused, match="private"):
        check_host("192.168.0.1", allow)
    with pytest.raises(AddressRefused, match="loopback"):
        check_host("localhost", allow)  # the name is not in the list, only an address
    with pytest.raises(ValueError, match="neither a host name nor a network"):
        AllowList.parse("10.0.0.0/33")
