"""The network guard of BASIC.md §9.1: which addresses a bot's script may connect to.

Pure decisions, no I/O: :func:`classify` names the kind of an IP address, and
:class:`NetworkGuard` refuses a connection when any address a host resolves to is not public,
unless the host, as written in the URL, is on the bot's ``http-allow-hosts`` list. The caller
resolves the host once and then connects to one of exactly those addresses, so a DNS answer
that changes between the check and the connection ("DNS rebinding") cannot get around it.

Addresses that carry an IPv4 address inside IPv6 (IPv4-mapped ``::ffff:a.b.c.d``, NAT64
``64:ff9b::/96``, 6to4 ``2002::/16``, the old IPv4-compatible ``::a.b.c.d``) are judged by the
IPv4 address they carry.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from engine.basic.errors import BasicPermissionError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})


class AddressKind(StrEnum):
    PUBLIC = "public"
    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link-local"
    SHARED = "shared"
    UNSPECIFIED = "unspecified"
    MULTICAST = "multicast"
    RESERVED = "reserved"


def _ranges(*pairs: tuple[str, AddressKind]) -> tuple[tuple[IPNetwork, AddressKind], ...]:
    return tuple((ipaddress.ip_network(network), kind) for network, kind in pairs)


_IPV4 = _ranges(
    ("0.0.0.0/8", AddressKind.UNSPECIFIED),  # "this network"; 0.0.0.0 reaches the local host
    ("10.0.0.0/8", AddressKind.PRIVATE),
    ("100.64.0.0/10", AddressKind.SHARED),
    ("127.0.0.0/8", AddressKind.LOOPBACK),
    ("169.254.0.0/16", AddressKind.LINK_LOCAL),  # cloud metadata services live here
    ("172.16.0.0/12", AddressKind.PRIVATE),
    ("192.0.0.0/24", AddressKind.RESERVED),
    ("192.0.2.0/24", AddressKind.RESERVED),
    ("192.88.99.0/24", AddressKind.RESERVED),
    ("192.168.0.0/16", AddressKind.PRIVATE),
    ("198.18.0.0/15", AddressKind.RESERVED),
    ("198.51.100.0/24", AddressKind.RESERVED),
    ("203.0.113.0/24", AddressKind.RESERVED),
    ("224.0.0.0/4", AddressKind.MULTICAST),
    ("240.0.0.0/4", AddressKind.RESERVED),  # includes the broadcast address
)

_IPV6 = _ranges(
    ("::/128", AddressKind.UNSPECIFIED),
    ("::1/128", AddressKind.LOOPBACK),
    ("::/8", AddressKind.RESERVED),  # after the embedded-IPv4 forms, which are checked first
    ("64:ff9b:1::/48", AddressKind.PRIVATE),
    ("100::/64", AddressKind.RESERVED),
    ("2001::/23", AddressKind.RESERVED),  # Teredo, benchmarking, ORCHID...
    ("2001:db8::/32", AddressKind.RESERVED),
    ("fc00::/7", AddressKind.PRIVATE),
    ("fe80::/10", AddressKind.LINK_LOCAL),
    ("fec0::/10", AddressKind.PRIVATE),  # deprecated site-local
    ("ff00::/8", AddressKind.MULTICAST),
)

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_COMPATIBLE = ipaddress.IPv6Network("::/96")


def classify(address: str | IPAddress) -> AddressKind:
    """The kind of ``address``; anything that is not an IP address counts as reserved."""
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return AddressKind.RESERVED
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = embedded_ipv4(ip)
        if embedded is not None:
            return classify(embedded)
    table = _IPV4 if ip.version == 4 else _IPV6
    return next((kind for network, kind in table if ip in network), AddressKind.PUBLIC)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is one of the embedding forms."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64 or (ip in _COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _SIX_TO_FOUR:
        return ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFFFFFF)
    return None


def host_key(host: str) -> str:
    """How hosts are compared: lower case, without the brackets of an IPv6 literal."""
    key = host.strip().lower()
    if key.startswith("[") and key.endswith("]"):
        key = key[1:-1]
    return key


def parse_allow_hosts(setting: str | None) -> frozenset[str]:
    """The ``http-allow-hosts`` config value (comma-separated) as a set of host keys."""
    if not setting:
        return frozenset()
    return frozenset(key for key in map(host_key, setting.split(",")) if key)


@dataclass(frozen=True, slots=True)
class NetworkGuard:
    """The decision for one bot: its allow-listed hosts, compared as written in URLs."""

    allow_hosts: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "allow_hosts", frozenset(map(host_key, self.allow_hosts)))

    def check_scheme(self, scheme: str, url: str) -> None:
        if scheme.lower() not in ALLOWED_SCHEMES:
            raise BasicPermissionError(f"only http and https URLs are allowed: {url}")

    def allows_host(self, host: str) -> bool:
        return host_key(host) in self.allow_hosts

    def check(self, host: str, addresses: Iterable[str]) -> None:
        """Refuse unless ``host`` is allow-listed or every address it resolved to is public."""
        if self.allows_host(host):
            return
        for address in addresses:
            kind = classify(address)
            if kind is not AddressKind.PUBLIC:
                raise BasicPermissionError(
                    f"refused to connect to {host}: {address} is a {kind} address "
                    "(list the host in http-allow-hosts to allow it)"
                )
