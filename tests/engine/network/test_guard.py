"""The network guard's pure decisions (BASIC.md §9.1)."""

from __future__ import annotations

import pytest

from engine.basic.errors import BasicPermissionError
from engine.network.guard import AddressKind, NetworkGuard, classify, parse_allow_hosts

K = AddressKind


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        # IPv4
        ("8.8.8.8", K.PUBLIC),
        ("93.184.216.34", K.PUBLIC),
        ("0.0.0.0", K.UNSPECIFIED),
        ("0.1.2.3", K.UNSPECIFIED),
        ("127.0.0.1", K.LOOPBACK),
        ("127.255.255.254", K.LOOPBACK),
        ("10.0.0.1", K.PRIVATE),
        ("10.255.255.255", K.PRIVATE),
        ("172.16.0.1", K.PRIVATE),
        ("172.31.255.255", K.PRIVATE),
        ("172.15.255.255", K.PUBLIC),
        ("172.32.0.0", K.PUBLIC),
        ("192.168.1.1", K.PRIVATE),
        ("169.254.169.254", K.LINK_LOCAL),
        ("100.64.0.1", K.SHARED),
        ("100.127.255.255", K.SHARED),
        ("100.128.0.0", K.PUBLIC),
        ("224.0.0.1", K.MULTICAST),
        ("239.255.255.250", K.MULTICAST),
        ("240.0.0.1", K.RESERVED),
        ("255.255.255.255", K.RESERVED),
        ("192.0.2.1", K.RESERVED),
        ("198.18.0.1", K.RESERVED),
        # IPv6
        ("2606:4700:4700::1111", K.PUBLIC),
        ("::", K.UNSPECIFIED),
        ("::1", K.LOOPBACK),
        ("fc00::1", K.PRIVATE),
        ("fd12:3456::1", K.PRIVATE),
        ("fe80::1", K.LINK_LOCAL),
        ("fe80::1%eth0", K.LINK_LOCAL),
        ("febf::1", K.LINK_LOCAL),
        ("fec0::1", K.PRIVATE),
        ("ff02::1", K.MULTICAST),
        ("2001:db8::1", K.RESERVED),
        ("2001::1", K.RESERVED),
        ("100::1", K.RESERVED),
        # IPv4 inside IPv6
        ("::ffff:127.0.0.1", K.LOOPBACK),
        ("::ffff:7f00:1", K.LOOPBACK),
        ("::ffff:169.254.169.254", K.LINK_LOCAL),
        ("::ffff:10.0.0.1", K.PRIVATE),
        ("::ffff:8.8.8.8", K.PUBLIC),
        ("64:ff9b::127.0.0.1", K.LOOPBACK),
        ("64:ff9b::8.8.8.8", K.PUBLIC),
        ("2002:7f00:1::1", K.LOOPBACK),
        ("2002:a00:1::", K.PRIVATE),
        ("2002:808:808::1", K.PUBLIC),
        ("::127.0.0.1", K.LOOPBACK),
        ("::10.0.0.1", K.PRIVATE),
        # not an address at all
        ("localhost", K.RESERVED),
        ("", K.RESERVED),
    ],
)
def test_classify(address: str, kind: AddressKind) -> None:
    assert classify(address) is kind


def test_a_public_host_passes() -> None:
    NetworkGuard().check("example.com", ["93.184.216.34", "2606:2800:220:1::1"])


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["93.184.216.34", "10.0.0.1"],
        ["2606:2800:220:1::1", "::1"],
        ["::ffff:127.0.0.1"],
    ],
)
def test_any_forbidden_address_refuses(addresses: list[str]) -> None:
    with pytest.raises(BasicPermissionError, match="http-allow-hosts"):
        NetworkGuard().check("example.com", addresses)


def test_allow_list_matches_the_host_as_written_ignoring_case() -> None:
    guard = NetworkGuard(frozenset({"Intranet.Local", "127.0.0.1", "[::1]"}))
    guard.check("intranet.local", ["10.0.0.5"])
    guard.check("INTRANET.LOCAL", ["10.0.0.5"])
    guard.check("127.0.0.1", ["127.0.0.1"])
    guard.check("::1", ["::1"])
    for host, address in (
        ("localhost", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("other", "10.0.0.5"),
    ):
        with pytest.raises(BasicPermissionError):
            guard.check(host, [address])


@pytest.mark.parametrize("scheme", ["file", "ftp", "gopher", "data", "javascript", ""])
def test_only_http_and_https(scheme: str) -> None:
    guard = NetworkGuard()
    guard.check_scheme("HTTP", "HTTP://x")
    guard.check_scheme("https", "https://x")
    with pytest.raises(BasicPermissionError):
        guard.check_scheme(scheme, f"{scheme}://x")


def test_parse_allow_hosts() -> None:
    assert parse_allow_hosts(" API.example.com, 127.0.0.1 ,,[::1]") == frozenset(
        {"api.example.com", "127.0.0.1", "::1"}
    )
    assert parse_allow_hosts("") == frozenset()
    assert parse_allow_hosts(None) == frozenset()
