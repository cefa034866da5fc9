"""Where a node may connect: public http(s) addresses only.

Node documents and join requests come from outside, so any URL in them could aim the
node at its own network (router admin page, cloud metadata, a database port). Every
outgoing federation call checks its URL here first; loopback/private are allowed only
with an explicit setting, for the local demo and tests.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from collections.abc import Callable

from federation.errors import FederationRefusal

Resolver = Callable[[str, int], list[str]]


class AddressRefused(FederationRefusal):
    """The URL's scheme or resolved address is not allowed for federation traffic."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (all are checked, not just the first)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


#: Ranges refused whatever the standard library's flags say (they changed between Python
#: versions, and some of these count as global): each reaches a private or local host, or
#: carries an IPv4 address a relay on the path turns back into one.
REFUSED_NETWORKS: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = tuple(
    ipaddress.ip_network(network) for network in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24",  # 6to4 relays
        "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4",
        "::/96",            # IPv4-compatible (deprecated): an IPv4 address inside
        "::ffff:0:0/96",    # IPv4-mapped (the mapped address is checked as well)
        "64:ff9b::/96", "64:ff9b:1::/48",  # NAT64: reaches IPv4 hosts, private ones too
        "100::/64",         # discard-only
        "2001::/32",        # Teredo: an IPv4 address inside
        "2001:db8::/32",    # documentation
        "2002::/16",        # 6to4: an IPv4 address inside, private ones included
        "fc00::/7",         # unique local
        "fe80::/10",        # link-local
        "fec0::/10",        # site-local (deprecated, still routed inside some sites)
        "ff00::/8",         # multicast
    ))


def is_public_address(address: str) -> bool:
    """True only for an address a federation peer may be reached at."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in REFUSED_NETWORKS):
        return False
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                or ip.is_reserved or ip.is_unspecified or not ip.is_global)


def check_url(url: str, *, allow_private_addresses: bool = False,
              resolve: Resolver = system_resolver) -> list[str]:
    """Raise AddressRefused unless `url` is http(s) to public addresses; return them."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused("url_refused", "only http and https URLs with a host are allowed")
    if parts.username or parts.password:
        raise AddressRefused("url_refused", "URLs with credentials are refused")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = resolve(parts.hostname, port)
    except (OSError, ValueError) as exc:
        raise AddressRefused("url_unresolvable", f"cannot resolve {parts.hostname}") from exc
    if not addresses:
        raise AddressRefused("url_unresolvable", f"{parts.hostname} has no address")
    if not allow_private_addresses:
        for address in addresses:
            if not is_public_address(address):
                raise AddressRefused("address_refused", f"{parts.hostname} is a non-public address")
    return addresses
