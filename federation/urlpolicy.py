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


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
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
