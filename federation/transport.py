"""Connections that re-check the address they actually reached.

:func:`federation.urlpolicy.check_url` resolves a peer's host name and refuses non-public
addresses, but the HTTP library resolves the name again when it connects. A host whose DNS
answers change between the two lookups (DNS rebinding, or a very short TTL) could pass the
check with a public address and then be reached on a private one. The connections below
check the socket's peer address right after the TCP connect, before a single byte of the
request is sent, so what is checked is what is talked to.
"""

from __future__ import annotations

import socket
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from federation.urlpolicy import AddressRefused, is_public_address


def refuse_non_public_peer(sock: socket.socket, host: str) -> None:
    """Close ``sock`` and raise AddressRefused when its peer is not a public address."""
    address = str(sock.getpeername()[0])
    if not is_public_address(address):
        sock.close()
        raise AddressRefused("address_refused",
                             f"{host} connected to a non-public address")


class _CheckedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        refuse_non_public_peer(sock, self.host)
        return sock


class _CheckedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        refuse_non_public_peer(sock, self.host)
        return sock


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class PublicAddressAdapter(HTTPAdapter):
    """A requests adapter whose every new connection must reach a public address."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool,
                                                   "https": _CheckedHTTPSPool}
